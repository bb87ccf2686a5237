// RUN: cim-opt %s --cim-tile-crossbar --cim-bit-slice --split-input-file | FileCheck %s

// ISAAC-style: offset weights (W4 = 2 slices of 2 bits, +8 offset), unsigned
// 3-bit inputs on a 2-bit DAC (cycles of 2 + 1 bits), a 6-bit full-range
// ADC whose lossless width is ceil(log2(4*3*3 + 1)) = 6. Rows 0..5 convert
// in groups of 4: 2 groups.
// CHECK-LABEL: func.func @offset
// CHECK-DAG: %[[XQ:.*]] = cim.encode %arg0 {bits = 3 : i64, is_signed = false} : tensor<5x6xf32> -> tensor<5x6xi32>
// CHECK-DAG: %[[WQ:.*]] = cim.encode %{{.*}} {bits = 4 : i64, is_signed = true, narrow_range = true} : tensor<6x2xf32> -> tensor<6x2xi32>
// CHECK: %[[D:.*]] = cim.dac_cycles %[[XQ]] {bits = 3 : i64, dac_bits = 2 : i64, rows = array<i64: 0, 6>, sign = #cim<input_sign unsigned>} : tensor<5x6xi32> -> tensor<2x5x6xi8>
// CHECK: %[[C:.*]] = cim.cell_slices %[[WQ]] {bits = 4 : i64, columns = array<i64: 0, 2>, rows = array<i64: 0, 6>, sign = #cim<weight_sign offset>, widths = array<i64: 2, 2>} : tensor<6x2xi32> -> tensor<2x6x2xi8>
// CHECK: %[[S:.*]] = cim.crossbar_mvm %[[D]], %[[C]] {footprint = array<i64: 6, 5>, group_rows = 4 : i64, precision = #cim.precision<weight_bits = 4, act_bits = 3>} : tensor<2x5x6xi8>, tensor<2x6x2xi8> -> tensor<2x2x2x5x2xi32>
// CHECK: %[[A:.*]] = cim.adc %[[S]] {bits = 6 : i64, lossless_bits = 6 : i64, mode = #cim<adc_mode full_range>} : tensor<2x2x2x5x2xi32>
// CHECK: %[[R:.*]] = cim.shift_add %[[A]] {cycle_shifts = array<i64: 0, 2>, cycle_signs = array<i64: 1, 1>, plane_shifts = array<i64: 0, 2>, plane_signs = array<i64: 1, 1>} : tensor<2x2x2x5x2xi32> -> tensor<5x2xi32>
// CHECK: %[[O:.*]] = cim.offset_correct %[[R]], %[[XQ]], %[[WQ]] {columns = array<i64: 0, 2>, rows = array<i64: 0, 6>, weight_offset = 8 : i64} : tensor<5x2xi32>, tensor<5x6xi32>, tensor<6x2xi32> -> tensor<5x2xi32>
// CHECK: %[[Y:.*]] = cim.decode %[[O]] : tensor<5x2xi32> -> tensor<5x2xf32>
// CHECK: return %[[Y]]
module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 8, parallel_rows = 4, cell_bits = 2, dac_bits = 2, adc = <mode = full_range, bits = 6, min_bits = 2, max_bits = 8>, weight_sign = offset, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @offset(%x: tensor<5x6xf32>) -> tensor<5x2xf32> {
    %w = cim.constant dense<0.25> : tensor<6x2xf32>
    %y = cim.mvm %x, %w {precision = #cim.precision<weight_bits = 4, act_bits = 3>} : tensor<5x6xf32>, tensor<6x2xf32> -> tensor<5x2xf32>
    return %y : tensor<5x2xf32>
  }
}

// -----

// Differential columns: the negative array's planes follow the positive
// ones and are subtracted; two's-complement inputs drive their sign bit in
// a last cycle of its own, subtracted. The ideal read-out has no bits.
// CHECK-LABEL: func.func @differential
// CHECK: cim.encode %arg0 {bits = 4 : i64, is_signed = true}
// CHECK: cim.dac_cycles {{.*}}sign = #cim<input_sign twos_complement>} : tensor<3x4xi32> -> tensor<4x3x4xi8>
// CHECK: cim.cell_slices {{.*}}sign = #cim<weight_sign differential_columns>, widths = array<i64: 2, 1>} : tensor<4x3xi32> -> tensor<4x4x3xi8>
// CHECK: cim.adc %{{.*}} {mode = #cim<adc_mode ideal>} : tensor<1x4x4x3x3xi32>
// CHECK: cim.shift_add %{{.*}} {cycle_shifts = array<i64: 0, 1, 2, 3>, cycle_signs = array<i64: 1, 1, 1, -1>, plane_shifts = array<i64: 0, 2, 0, 2>, plane_signs = array<i64: 1, 1, -1, -1>}
// CHECK-NOT: cim.offset_correct
module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 16, parallel_rows = 8, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = differential_columns, input_sign = twos_complement, cores = 1, crossbars_per_core = 4>} {
  func.func @differential(%x: tensor<3x4xf32>) -> tensor<3x3xf32> {
    %w = cim.constant dense<0.25> : tensor<4x3xf32>
    %y = cim.mvm %x, %w {precision = #cim.precision<weight_bits = 4, act_bits = 4>} : tensor<3x4xf32>, tensor<4x3xf32> -> tensor<3x3xf32>
    return %y : tensor<3x3xf32>
  }
}

// -----

// Two's-complement weights add a sign plane of weight -2^(B-1); offset
// inputs are corrected digitally; a clipped ADC spans every sum the tile
// can make (8 rows x 1 x 3 = 24) until calibration narrows it, at the
// layer's adc_bits.
// CHECK-LABEL: func.func @twos
// CHECK: cim.cell_slices {{.*}}widths = array<i64: 2, 1>} : tensor<8x2xi32> -> tensor<3x8x2xi8>
// CHECK: cim.adc %{{.*}} {bits = 4 : i64, clip_high = 24 : i64, clip_low = 0 : i64, mode = #cim<adc_mode clipped>}
// CHECK: cim.shift_add {{.*}}plane_shifts = array<i64: 0, 2, 3>, plane_signs = array<i64: 1, 1, -1>}
// CHECK: cim.offset_correct {{.*}}{columns = array<i64: 0, 2>, input_offset = 4 : i64, rows = array<i64: 0, 8>}
module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 2, dac_bits = 1, adc = <mode = clipped, bits = 5, min_bits = 3, max_bits = 6>, weight_sign = twos_complement, input_sign = offset, cores = 1, crossbars_per_core = 4>} {
  func.func @twos(%x: tensor<2x8xf32>) -> tensor<2x2xf32> {
    %w = cim.constant dense<0.25> : tensor<8x2xf32>
    %y = cim.mvm %x, %w {precision = #cim.precision<weight_bits = 4, act_bits = 3, adc_bits = 4>} : tensor<2x8xf32>, tensor<8x2xf32> -> tensor<2x2xf32>
    return %y : tensor<2x2xf32>
  }
}

// -----

// Row tiles share one encoding of the input and of the weights.
// CHECK-LABEL: func.func @shared
// CHECK-COUNT-2: cim.encode
// CHECK-NOT: cim.encode
// CHECK-COUNT-2: cim.crossbar_mvm
// CHECK: cim.accumulate %{{.*}}, %{{.*}} : tensor<1x1xf32>
module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 4, dac_bits = 1, adc = <mode = ideal>, weight_sign = twos_complement, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @shared(%x: tensor<1x12xf32>) -> tensor<1x1xf32> {
    %w = cim.constant dense<0.25> : tensor<12x1xf32>
    %y = cim.mvm %x, %w : tensor<1x12xf32>, tensor<12x1xf32> -> tensor<1x1xf32>
    return %y : tensor<1x1xf32>
  }
}
