// RUN: cim-opt %s --cim-tile-crossbar --cim-map --split-input-file -verify-diagnostics | FileCheck %s

// Tiles take crossbars in program order; a layer's copies sit side by side
// (core = crossbar / crossbars_per_core).
// CHECK-LABEL: func.func @place
// CHECK: cim.tile %arg0, {{.*}}crossbars = array<i64: 0>,{{.*}}rows = array<i64: 0, 8>
// CHECK: cim.tile %arg0, {{.*}}crossbars = array<i64: 1>,{{.*}}rows = array<i64: 8, 12>
// CHECK: cim.tile %arg1, {{.*}}crossbars = array<i64: 2>
// CHECK-NOT: epoch
module attributes {cim.target = #cim.target<name = "chip", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 4, dac_bits = 1, adc = <mode = ideal>, weight_sign = twos_complement, input_sign = unsigned, cores = 2, crossbars_per_core = 2>} {
  func.func @place(%x: tensor<2x12xf32>, %v: tensor<2x8xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
    %w = cim.constant dense<0.25> : tensor<12x2xf32>
    %y = cim.mvm %x, %w {precision = #cim.precision<weight_bits = 4, act_bits = 4>} : tensor<2x12xf32>, tensor<12x2xf32> -> tensor<2x2xf32>
    %w2 = cim.constant dense<0.5> : tensor<8x2xf32>
    %z = cim.mvm %v, %w2 {precision = #cim.precision<weight_bits = 4, act_bits = 4>} : tensor<2x8xf32>, tensor<8x2xf32> -> tensor<2x2xf32>
    return %y, %z : tensor<2x2xf32>, tensor<2x2xf32>
  }
}

// -----

// 5 tiles on a 4-crossbar chip that cannot rewrite weights.
// expected-error @+1 {{the model needs 5 crossbars, target 'chip' has 4 (2 cores x 2); use fewer weight bits or copies, or a target with weight_reprogramming}}
module attributes {cim.target = #cim.target<name = "chip", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 4, dac_bits = 1, adc = <mode = ideal>, weight_sign = twos_complement, input_sign = unsigned, cores = 2, crossbars_per_core = 2>} {
  func.func @too_big(%x: tensor<2x40xf32>) -> tensor<2x2xf32> {
    %w = cim.constant dense<0.25> : tensor<40x2xf32>
    %y = cim.mvm %x, %w {precision = #cim.precision<weight_bits = 4, act_bits = 4>} : tensor<2x40xf32>, tensor<40x2xf32> -> tensor<2x2xf32>
    return %y : tensor<2x2xf32>
  }
}

// -----

// With weight reprogramming the fifth tile goes to a second programming
// round on crossbar 0.
// CHECK-LABEL: func.func @rounds
// CHECK: cim.tile {{.*}}crossbars = array<i64: 0>, epoch = 0 : i64
// CHECK: cim.tile {{.*}}crossbars = array<i64: 3>, epoch = 0 : i64
// CHECK: cim.tile {{.*}}crossbars = array<i64: 0>, epoch = 1 : i64
module attributes {cim.target = #cim.target<name = "chip", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 4, dac_bits = 1, adc = <mode = ideal>, weight_sign = twos_complement, input_sign = unsigned, cores = 2, crossbars_per_core = 2, weight_reprogramming = true>} {
  func.func @rounds(%x: tensor<2x40xf32>) -> tensor<2x2xf32> {
    %w = cim.constant dense<0.25> : tensor<40x2xf32>
    %y = cim.mvm %x, %w {precision = #cim.precision<weight_bits = 4, act_bits = 4>} : tensor<2x40xf32>, tensor<40x2xf32> -> tensor<2x2xf32>
    return %y : tensor<2x2xf32>
  }
}
