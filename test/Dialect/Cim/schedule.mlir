// RUN: cim-opt %s --cim-schedule | FileCheck %s

// cim-schedule alone, on the instruction level cim-lower-to-isa makes of the
// @rows case of lower-to-isa.mlir (K = 12 rows on 8-row crossbars, two cores
// with one crossbar each). Each tile's crossbar instructions go to the core
// owning its crossbar and programs move before inference; the ENCODE both
// tiles read runs on core 0, so core 1 waits for it, and core 0 waits for
// core 1's result before the ACC and DECODE. The relu runs where its operand
// was made.
// CHECK-LABEL: func.func @rows
// CHECK: %[[C0:.*]] = cim.constant dense<{{\[}}[7, -7], [7, -7], [7, -7], [7, -7], [7, -7], [7, -7], [7, -7], [7, -7]]> : tensor<8x2xi32>
// CHECK-NEXT: %[[P0:.*]] = cim.isa.program %[[C0]] {cim.core = 0 : i64, crossbars = array<i64: 0>} : tensor<8x2xi32>
// CHECK-NEXT: %[[C1:.*]] = cim.constant dense<{{\[}}[7, -7], [7, -7], [7, -7], [7, -7]]> : tensor<4x2xi32>
// CHECK-NEXT: %[[P1:.*]] = cim.isa.program %[[C1]] {cim.core = 1 : i64, crossbars = array<i64: 1>} : tensor<4x2xi32>
// CHECK-NEXT: %[[X:.*]] = cim.isa.encode %arg0 {cim.core = 0 : i64, max = 7 : i64, min = 0 : i64} : tensor<3x12xf32> -> tensor<3x12xi32>
// CHECK-NEXT: %[[A0:.*]] = cim.isa.mvm %[[X]], %[[P0]] {cim.core = 0 : i64, crossbars = array<i64: 0>, {{.*}}rows = array<i64: 0, 8>, stream = 0 : i64}
// CHECK-NEXT: cim.isa.sync {barrier = 0 : i64, cim.core = 1 : i64, cores = array<i64: 0, 1>}
// CHECK-NEXT: %[[A1:.*]] = cim.isa.mvm %[[X]], %[[P1]] {cim.core = 1 : i64, crossbars = array<i64: 1>, {{.*}}rows = array<i64: 8, 12>, stream = 1 : i64}
// CHECK-NEXT: cim.isa.sync {barrier = 1 : i64, cim.core = 0 : i64, cores = array<i64: 0, 1>}
// CHECK-NEXT: %[[S:.*]] = cim.accumulate %[[A0]], %[[A1]] {cim.core = 0 : i64} : tensor<3x2xi32>
// CHECK-NEXT: %[[Y:.*]] = cim.isa.decode %[[S]], %[[X]] {cim.core = 0 : i64, scales = array<f64: 0.071428571428571425, 0.071428571428571425>}
// CHECK-NEXT: %[[R:.*]] = cim.relu %[[Y]] {cim.core = 0 : i64}
// CHECK-NEXT: return %[[R]]
module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 16, parallel_rows = 8, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 2, crossbars_per_core = 1>} {
  func.func @rows(%arg0: tensor<3x12xf32>) -> tensor<3x2xf32> {
    %0 = cim.constant dense<[[7, -7], [7, -7], [7, -7], [7, -7]]> : tensor<4x2xi32>
    %1 = cim.constant dense<[[7, -7], [7, -7], [7, -7], [7, -7], [7, -7], [7, -7], [7, -7], [7, -7]]> : tensor<8x2xi32>
    %2 = cim.isa.encode %arg0 {max = 7 : i64, min = 0 : i64} : tensor<3x12xf32> -> tensor<3x12xi32>
    %3 = cim.isa.program %1 {crossbars = array<i64: 0>} : tensor<8x2xi32>
    %4 = cim.isa.mvm %2, %3 {crossbars = array<i64: 0>, footprint = array<i64: 8, 5>, groups = 1 : i64, precision = #cim.precision<weight_bits = 4, act_bits = 3>, rows = array<i64: 0, 8>, stream = 0 : i64} : tensor<3x12xi32>, tensor<8x2xi32> -> tensor<3x2xi32>
    %5 = cim.isa.program %0 {crossbars = array<i64: 1>} : tensor<4x2xi32>
    %6 = cim.isa.mvm %2, %5 {crossbars = array<i64: 1>, footprint = array<i64: 4, 5>, groups = 1 : i64, precision = #cim.precision<weight_bits = 4, act_bits = 3>, rows = array<i64: 8, 12>, stream = 1 : i64} : tensor<3x12xi32>, tensor<4x2xi32> -> tensor<3x2xi32>
    %7 = cim.accumulate %4, %6 : tensor<3x2xi32>
    %8 = cim.isa.decode %7, %2 {scales = array<f64: 0.071428571428571425, 0.071428571428571425>} : tensor<3x2xi32>, tensor<3x12xi32> -> tensor<3x2xf32>
    %9 = cim.relu %8 : tensor<3x2xf32>
    return %9 : tensor<3x2xf32>
  }
}

