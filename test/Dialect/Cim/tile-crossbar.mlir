// RUN: cim-opt %s --cim-tile-crossbar --split-input-file | FileCheck %s
// RUN: cim-opt %s --cim-tile-crossbar=reference-column=false --split-input-file | FileCheck %s --check-prefix=NOREF
// RUN: cim-opt %s --cim-tile-crossbar=channel-aligned=true --split-input-file | FileCheck %s --check-prefix=ALIGN

// An 8x8 crossbar, 4 rows per conversion, 2-bit cells, offset weights.
// W4: 2 slices -> 2 columns per output, +1 reference column: 3 outputs per
// tile. K = 20 rows -> row tiles [0,8) [8,16) [16,20); N = 5 -> column
// tiles [0,3) [3,5). Groups: ceil(8/4) = 2, ceil(4/4) = 1.
// CHECK-LABEL: func.func @offset
// CHECK: %[[T0:.*]] = cim.tile %arg0, %[[W:.*]] {columns = array<i64: 0, 3>, footprint = array<i64: 8, 7>, groups = 2 : i64, precision = #cim.precision<weight_bits = 4, act_bits = 4>, rows = array<i64: 0, 8>} : tensor<6x20xf32>, tensor<20x5xf32> -> tensor<6x3xf32>
// CHECK: %[[T1:.*]] = cim.tile %arg0, %[[W]] {columns = array<i64: 0, 3>, footprint = array<i64: 8, 7>, groups = 2 : i64, {{.*}}rows = array<i64: 8, 16>}
// CHECK: %[[T2:.*]] = cim.tile %arg0, %[[W]] {columns = array<i64: 0, 3>, footprint = array<i64: 4, 7>, groups = 1 : i64, {{.*}}rows = array<i64: 16, 20>}
// CHECK: %[[A0:.*]] = cim.accumulate %[[T0]], %[[T1]], %[[T2]] : tensor<6x3xf32>
// CHECK: %[[U0:.*]] = cim.tile %arg0, %[[W]] {columns = array<i64: 3, 5>, footprint = array<i64: 8, 5>, groups = 2 : i64, {{.*}}rows = array<i64: 0, 8>} : tensor<6x20xf32>, tensor<20x5xf32> -> tensor<6x2xf32>
// CHECK: %[[U1:.*]] = cim.tile %arg0, %[[W]] {columns = array<i64: 3, 5>, {{.*}}rows = array<i64: 8, 16>}
// CHECK: %[[U2:.*]] = cim.tile %arg0, %[[W]] {columns = array<i64: 3, 5>, footprint = array<i64: 4, 5>, {{.*}}rows = array<i64: 16, 20>}
// CHECK: %[[A1:.*]] = cim.accumulate %[[U0]], %[[U1]], %[[U2]] : tensor<6x2xf32>
// CHECK: %[[Y:.*]] = cim.concat %[[A0]], %[[A1]] {axis = 1 : i64} : tensor<6x3xf32>, tensor<6x2xf32> -> tensor<6x5xf32>
// CHECK: return %[[Y]]
// CHECK-NOT: cim.mvm
// Without the reference column 4 outputs fit: column tiles [0,4) [4,5).
// NOREF-LABEL: func.func @offset
// NOREF: cim.tile {{.*}}columns = array<i64: 0, 4>, footprint = array<i64: 8, 8>
// NOREF: cim.tile {{.*}}columns = array<i64: 4, 5>, footprint = array<i64: 8, 2>
module attributes {cim.target = #cim.target<name = "small", rows = 8, cols = 8, parallel_rows = 4, cell_bits = 2, dac_bits = 1, adc = <mode = full_range, bits = 4, min_bits = 2, max_bits = 6>, weight_sign = offset, input_sign = unsigned, cores = 2, crossbars_per_core = 4>} {
  func.func @offset(%x: tensor<6x20xf32>) -> tensor<6x5xf32> {
    %w = cim.constant dense<0.25> : tensor<20x5xf32>
    %y = cim.mvm %x, %w {precision = #cim.precision<weight_bits = 4, act_bits = 4>} : tensor<6x20xf32>, tensor<20x5xf32> -> tensor<6x5xf32>
    return %y : tensor<6x5xf32>
  }
}

// -----

// Differential columns: W8 keeps 7 magnitude bits, 4 slices of 2 bits, x2
// arrays = 8 columns per output, so one output per 8-column crossbar; no
// reference column. A single row tile needs no accumulate. Layers without a
// precision get the default W8A8.
// CHECK-LABEL: func.func @differential_columns
// CHECK: cim.tile {{.*}}columns = array<i64: 0, 1>, footprint = array<i64: 6, 8>, groups = 2 : i64, precision = #cim.precision<weight_bits = 8, act_bits = 8>, rows = array<i64: 0, 6>
// CHECK: cim.tile {{.*}}columns = array<i64: 1, 2>, footprint = array<i64: 6, 8>
// CHECK-NOT: cim.accumulate
// CHECK: cim.concat
module attributes {cim.target = #cim.target<name = "dc", rows = 8, cols = 8, parallel_rows = 4, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = differential_columns, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @differential_columns(%x: tensor<3x6xf32>) -> tensor<3x2xf32> {
    %w = cim.constant dense<0.25> : tensor<6x2xf32>
    %y = cim.mvm %x, %w : tensor<3x6xf32>, tensor<6x2xf32> -> tensor<3x2xf32>
    return %y : tensor<3x2xf32>
  }
}

// -----

// Differential rows take two crossbar rows per input row: 4 inputs per
// tile, and a conversion sums 4 / 2 = 2 inputs. W4 keeps 3 magnitude bits:
// 2 slices (2 + 1 bits), 2 columns per output.
// CHECK-LABEL: func.func @differential_rows
// CHECK: cim.tile {{.*}}columns = array<i64: 0, 4>, footprint = array<i64: 8, 8>, groups = 2 : i64, {{.*}}rows = array<i64: 0, 4>
// CHECK: cim.tile {{.*}}columns = array<i64: 0, 4>, footprint = array<i64: 4, 8>, groups = 1 : i64, {{.*}}rows = array<i64: 4, 6>
// CHECK: cim.accumulate
module attributes {cim.target = #cim.target<name = "dr", rows = 8, cols = 8, parallel_rows = 4, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = differential_rows, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @differential_rows(%x: tensor<3x6xf32>) -> tensor<3x4xf32> {
    %w = cim.constant dense<0.25> : tensor<6x4xf32>
    %y = cim.mvm %x, %w {precision = #cim.precision<weight_bits = 4, act_bits = 4>} : tensor<3x6xf32>, tensor<6x4xf32> -> tensor<3x4xf32>
    return %y : tensor<3x4xf32>
  }
}

// -----

// Channel alignment keeps whole 2x2 kernels (4 rows) in a tile: 12 rows of
// a 14-row crossbar (3 channels), instead of 14. Two's-complement W8 on
// 4-bit cells: slices of 4 + 3 magnitude bits and a sign plane, 3 columns
// per output.
// CHECK-LABEL: func.func @conv_rows
// CHECK: cim.tile {{.*}}footprint = array<i64: 14, 6>, {{.*}}rows = array<i64: 0, 14>
// CHECK: cim.tile {{.*}}rows = array<i64: 14, 16>
// ALIGN-LABEL: func.func @conv_rows
// ALIGN: cim.tile {{.*}}rows = array<i64: 0, 12>
// ALIGN: cim.tile {{.*}}rows = array<i64: 12, 16>
module attributes {cim.target = #cim.target<name = "odd", rows = 14, cols = 16, parallel_rows = 14, cell_bits = 4, dac_bits = 1, adc = <mode = ideal>, weight_sign = twos_complement, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @conv_rows(%x: tensor<1x4x3x3xf32>) -> tensor<4x2xf32> {
    %c = cim.im2col %x {channels = 4 : i64, kernel = array<i64: 2, 2>} : tensor<1x4x3x3xf32> -> tensor<4x16xf32>
    %w = cim.constant dense<0.25> : tensor<16x2xf32>
    %y = cim.mvm %c, %w {precision = #cim.precision<weight_bits = 8, act_bits = 8>} : tensor<4x16xf32>, tensor<16x2xf32> -> tensor<4x2xf32>
    return %y : tensor<4x2xf32>
  }
}

// -----

// duplicate=2 gives every layer two weight copies, but never more copies
// than invocations (a gemm with one input row keeps one).
// RUN: cim-opt %s --cim-tile-crossbar=duplicate=2 --split-input-file | FileCheck %s --check-prefix=DUP
// DUP-LABEL: func.func @copies
// DUP: cim.tile %arg0, %{{.*}} {columns = array<i64: 0, 2>, copies = 2 : i64, footprint
// DUP: cim.tile %arg1, %{{.*}} {columns = array<i64: 0, 4>, footprint
module attributes {cim.target = #cim.target<name = "small", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 4, dac_bits = 1, adc = <mode = ideal>, weight_sign = twos_complement, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @copies(%x: tensor<6x8xf32>, %v: tensor<1x8xf32>) -> (tensor<6x2xf32>, tensor<1x4xf32>) {
    %w = cim.constant dense<0.25> : tensor<8x2xf32>
    %y = cim.mvm %x, %w {precision = #cim.precision<weight_bits = 4, act_bits = 4>} : tensor<6x8xf32>, tensor<8x2xf32> -> tensor<6x2xf32>
    %w2 = cim.constant dense<0.5> : tensor<8x4xf32>
    %z = cim.mvm %v, %w2 {precision = #cim.precision<weight_bits = 4, act_bits = 4>} : tensor<1x8xf32>, tensor<8x4xf32> -> tensor<1x4xf32>
    return %y, %z : tensor<6x2xf32>, tensor<1x4xf32>
  }
}

// -----

// duplicate=auto spends free crossbars on the slowest layer, one copy at a
// time: 16 invocations x 4 cycles against 2 x 4, on 4 crossbars of which
// the second layer needs one: 3 copies and 1 copy.
// RUN: cim-opt %s --cim-tile-crossbar=duplicate=auto --split-input-file | FileCheck %s --check-prefix=AUTO
// AUTO-LABEL: func.func @auto
// AUTO: cim.tile %arg0, %{{.*}} {columns = array<i64: 0, 2>, copies = 3 : i64, footprint
// AUTO: cim.tile %arg1, %{{.*}} {columns = array<i64: 0, 4>, footprint
module attributes {cim.target = #cim.target<name = "small", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 4, dac_bits = 1, adc = <mode = ideal>, weight_sign = twos_complement, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @auto(%x: tensor<16x8xf32>, %v: tensor<2x8xf32>) -> (tensor<16x2xf32>, tensor<2x4xf32>) {
    %w = cim.constant dense<0.25> : tensor<8x2xf32>
    %y = cim.mvm %x, %w {precision = #cim.precision<weight_bits = 4, act_bits = 4>} : tensor<16x8xf32>, tensor<8x2xf32> -> tensor<16x2xf32>
    %w2 = cim.constant dense<0.5> : tensor<8x4xf32>
    %z = cim.mvm %v, %w2 {precision = #cim.precision<weight_bits = 4, act_bits = 4>} : tensor<2x8xf32>, tensor<8x4xf32> -> tensor<2x4xf32>
    return %y, %z : tensor<16x2xf32>, tensor<2x4xf32>
  }
}

// -----

// Calibrated input ranges travel to every tile of the layer.
// CHECK-LABEL: func.func @calibrated
// CHECK-COUNT-2: cim.tile {{.*}}cim.calibration = {absmax = 2.000000e+00 : f64, clip = 1.500000e+00 : f64, max = 2.000000e+00 : f64, min = 0.000000e+00 : f64, samples = 4 : i64}
module attributes {cim.target = #cim.target<name = "small", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 4, dac_bits = 1, adc = <mode = ideal>, weight_sign = twos_complement, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @calibrated(%x: tensor<2x12xf32>) -> tensor<2x2xf32> {
    %w = cim.constant dense<0.25> : tensor<12x2xf32>
    %y = cim.mvm %x, %w {cim.calibration = {absmax = 2.0 : f64, clip = 1.5 : f64, max = 2.0 : f64, min = 0.0 : f64, samples = 4 : i64}, precision = #cim.precision<weight_bits = 4, act_bits = 4>} : tensor<2x12xf32>, tensor<12x2xf32> -> tensor<2x2xf32>
    return %y : tensor<2x2xf32>
  }
}
