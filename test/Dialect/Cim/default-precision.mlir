// RUN: cim-opt %s --cim-default-precision="weight-bits=4 act-bits=6" --split-input-file --verify-diagnostics | FileCheck %s

// Layers without a precision get the default; those with one keep theirs.
// CHECK-LABEL: func.func @main
// CHECK: cim.mvm %arg0, %{{.*}} {precision = #cim.precision<weight_bits = 4, act_bits = 6>}
// CHECK: cim.mvm %{{.*}}, %{{.*}} {precision = #cim.precision<weight_bits = 8, act_bits = 8>}
module attributes {cim.target = #cim.target<name = "t", rows = 64, cols = 64, parallel_rows = 64, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @main(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
    %w = cim.constant dense<1.0> : tensor<4x3xf32>
    %v = cim.constant dense<2.0> : tensor<3x2xf32>
    %h = cim.mvm %x, %w : tensor<1x4xf32>, tensor<4x3xf32> -> tensor<1x3xf32>
    %y = cim.mvm %h, %v {precision = #cim.precision<weight_bits = 8, act_bits = 8>} : tensor<1x3xf32>, tensor<3x2xf32> -> tensor<1x2xf32>
    return %y : tensor<1x2xf32>
  }
}
