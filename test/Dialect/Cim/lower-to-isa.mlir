// RUN: cim-opt %s --cim-tile-crossbar --cim-map --cim-lower-to-isa --cim-schedule --split-input-file | FileCheck %s

// K = 12 rows on 8-row crossbars: two row tiles, one per core. Each tile is
// programmed before inference, both read one ENCODE of %x (core 1 waits
// for core 0 to have made it, and core 0 for core 1's result), their integer
// accumulators add (ACC) on core 0, and one
// DECODE with the per-column weight scales (|w|max / 7 at W4) follows. The
// relu runs where its operand was made.
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
  func.func @rows(%x: tensor<3x12xf32>) -> tensor<3x2xf32> {
    %wb = cim.constant dense<[[0.5, -0.5], [0.5, -0.5], [0.5, -0.5], [0.5, -0.5], [0.5, -0.5], [0.5, -0.5], [0.5, -0.5], [0.5, -0.5], [0.5, -0.5], [0.5, -0.5], [0.5, -0.5], [0.5, -0.5]]> : tensor<12x2xf32>
    %y = cim.mvm %x, %wb {precision = #cim.precision<weight_bits = 4, act_bits = 3>} : tensor<3x12xf32>, tensor<12x2xf32> -> tensor<3x2xf32>
    %r = cim.relu %y : tensor<3x2xf32>
    return %r : tensor<3x2xf32>
  }
}

// -----

// A calibrated clip goes into the ENCODE; signed inputs get a signed range.
// Two layers reading the same tensor at the same range share one ENCODE.
// CHECK-LABEL: func.func @clip
// CHECK: cim.isa.encode %arg0 {cim.core = 0 : i64, clip = 2.500000e+00 : f64, max = 7 : i64, min = -8 : i64}
// CHECK-NOT: cim.isa.encode
// CHECK: return
module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 16, parallel_rows = 8, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = twos_complement, cores = 2, crossbars_per_core = 2>} {
  func.func @clip(%x: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
    %w = cim.constant dense<0.5> : tensor<4x2xf32>
    %v = cim.constant dense<0.25> : tensor<4x2xf32>
    %y = cim.mvm %x, %w {precision = #cim.precision<weight_bits = 4, act_bits = 4>, cim.calibration = {absmax = 3.0 : f64, clip = 2.5 : f64, max = 3.0 : f64, min = -3.0 : f64, samples = 8 : i64}} : tensor<3x4xf32>, tensor<4x2xf32> -> tensor<3x2xf32>
    %z = cim.mvm %x, %v {precision = #cim.precision<weight_bits = 4, act_bits = 4>, cim.calibration = {absmax = 3.0 : f64, clip = 2.5 : f64, max = 3.0 : f64, min = -3.0 : f64, samples = 8 : i64}} : tensor<3x4xf32>, tensor<4x2xf32> -> tensor<3x2xf32>
    return %y, %z : tensor<3x2xf32>, tensor<3x2xf32>
  }
}
