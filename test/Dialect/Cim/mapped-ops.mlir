// RUN: cim-opt %s | cim-opt | FileCheck %s
// RUN: cim-opt %s --mlir-print-op-generic | cim-opt | FileCheck %s

// Round trip of the tile and bit-sliced ops of the mapped level.
// CHECK-LABEL: func.func @tile
// CHECK: %[[T:.*]] = cim.tile %arg0, %arg1 {columns = array<i64: 0, 3>, copies = 2 : i64, crossbars = array<i64: 4, 5>, epoch = 1 : i64, footprint = array<i64: 8, 7>, groups = 2 : i64, precision = #cim.precision<weight_bits = 4, act_bits = 4>, rows = array<i64: 0, 8>, slices = array<i64: 1, 3>} : tensor<6x12xf32>, tensor<12x5xf32> -> tensor<6x3xf32>
// CHECK: %[[U:.*]] = cim.tile %arg0, %arg1 {columns = array<i64: 0, 3>, footprint = array<i64: 4, 7>, groups = 1 : i64, rows = array<i64: 8, 12>}
// CHECK: cim.accumulate %[[T]], %[[U]] : tensor<6x3xf32>
func.func @tile(%x: tensor<6x12xf32>, %w: tensor<12x5xf32>) -> tensor<6x3xf32> {
  %t = cim.tile %x, %w {rows = array<i64: 0, 8>, columns = array<i64: 0, 3>, footprint = array<i64: 8, 7>, groups = 2 : i64, copies = 2 : i64, crossbars = array<i64: 4, 5>, epoch = 1 : i64, slices = array<i64: 1, 3>, precision = #cim.precision<weight_bits = 4, act_bits = 4>}
      : tensor<6x12xf32>, tensor<12x5xf32> -> tensor<6x3xf32>
  %u = cim.tile %x, %w {rows = array<i64: 8, 12>, columns = array<i64: 0, 3>, footprint = array<i64: 4, 7>, groups = 1 : i64}
      : tensor<6x12xf32>, tensor<12x5xf32> -> tensor<6x3xf32>
  %s = cim.accumulate %t, %u : tensor<6x3xf32>
  return %s : tensor<6x3xf32>
}

// CHECK-LABEL: func.func @sliced
// CHECK: %[[XQ:.*]] = cim.encode %arg0 {bits = 4 : i64, is_signed = false, scale = 1.250000e-01 : f64} : tensor<6x12xf32> -> tensor<6x12xi32>
// CHECK: %[[WQ:.*]] = cim.encode %arg1 {bits = 4 : i64, is_signed = true} : tensor<12x5xf32> -> tensor<12x5xi32>
// CHECK: %[[D:.*]] = cim.dac_cycles %[[XQ]] {bits = 4 : i64, dac_bits = 1 : i64, rows = array<i64: 0, 8>, sign = #cim<input_sign unsigned>} : tensor<6x12xi32> -> tensor<4x6x8xi8>
// CHECK: %[[C:.*]] = cim.cell_slices %[[WQ]] {bits = 4 : i64, columns = array<i64: 0, 3>, rows = array<i64: 0, 8>, sign = #cim<weight_sign offset>, widths = array<i64: 2, 2>} : tensor<12x5xi32> -> tensor<2x8x3xi8>
// CHECK: %[[S:.*]] = cim.crossbar_mvm %[[D]], %[[C]] {footprint = array<i64: 8, 7>, group_rows = 4 : i64} : tensor<4x6x8xi8>, tensor<2x8x3xi8> -> tensor<2x4x2x6x3xi32>
// CHECK: %[[A:.*]] = cim.adc %[[S]] {bits = 5 : i64, clip_high = 30 : i64, clip_low = 2 : i64, mode = #cim<adc_mode clipped>} : tensor<2x4x2x6x3xi32>
// CHECK: %[[R:.*]] = cim.shift_add %[[A]] {cycle_shifts = array<i64: 0, 1, 2, 3>, cycle_signs = array<i64: 1, 1, 1, 1>, plane_shifts = array<i64: 0, 2>, plane_signs = array<i64: 1, 1>} : tensor<2x4x2x6x3xi32> -> tensor<6x3xi32>
// CHECK: %[[O:.*]] = cim.offset_correct %[[R]], %[[XQ]], %[[WQ]] {columns = array<i64: 0, 3>, rows = array<i64: 0, 8>, weight_offset = 8 : i64} : tensor<6x3xi32>, tensor<6x12xi32>, tensor<12x5xi32> -> tensor<6x3xi32>
// CHECK: cim.decode %[[O]] {scale = 1.000000e-02 : f64} : tensor<6x3xi32> -> tensor<6x3xf32>
func.func @sliced(%x: tensor<6x12xf32>, %w: tensor<12x5xf32>) -> tensor<6x3xf32> {
  %xq = cim.encode %x {bits = 4 : i64, is_signed = false, scale = 0.125 : f64} : tensor<6x12xf32> -> tensor<6x12xi32>
  %wq = cim.encode %w {bits = 4 : i64, is_signed = true} : tensor<12x5xf32> -> tensor<12x5xi32>
  %d = cim.dac_cycles %xq {rows = array<i64: 0, 8>, bits = 4 : i64, dac_bits = 1 : i64, sign = #cim<input_sign unsigned>} : tensor<6x12xi32> -> tensor<4x6x8xi8>
  %c = cim.cell_slices %wq {rows = array<i64: 0, 8>, columns = array<i64: 0, 3>, bits = 4 : i64, widths = array<i64: 2, 2>, sign = #cim<weight_sign offset>} : tensor<12x5xi32> -> tensor<2x8x3xi8>
  %s = cim.crossbar_mvm %d, %c {group_rows = 4 : i64, footprint = array<i64: 8, 7>} : tensor<4x6x8xi8>, tensor<2x8x3xi8> -> tensor<2x4x2x6x3xi32>
  %a = cim.adc %s {mode = #cim<adc_mode clipped>, bits = 5 : i64, clip_low = 2 : i64, clip_high = 30 : i64} : tensor<2x4x2x6x3xi32>
  %r = cim.shift_add %a {cycle_shifts = array<i64: 0, 1, 2, 3>, cycle_signs = array<i64: 1, 1, 1, 1>, plane_shifts = array<i64: 0, 2>, plane_signs = array<i64: 1, 1>} : tensor<2x4x2x6x3xi32> -> tensor<6x3xi32>
  %o = cim.offset_correct %r, %xq, %wq {rows = array<i64: 0, 8>, columns = array<i64: 0, 3>, weight_offset = 8 : i64} : tensor<6x3xi32>, tensor<6x12xi32>, tensor<12x5xi32> -> tensor<6x3xi32>
  %y = cim.decode %o {scale = 0.01 : f64} : tensor<6x3xi32> -> tensor<6x3xf32>
  return %y : tensor<6x3xf32>
}

// A clipped range may be negative (differential rows subtract in analog).
// CHECK-LABEL: func.func @signed_clip
// CHECK: cim.adc %arg0 {bits = 4 : i64, clip_high = 6 : i64, clip_low = -6 : i64, mode = #cim<adc_mode clipped>}
func.func @signed_clip(%s: tensor<1x2x2x3x3xi32>) -> tensor<1x2x2x3x3xi32> {
  %a = cim.adc %s {mode = #cim<adc_mode clipped>, bits = 4 : i64, clip_low = -6 : i64, clip_high = 6 : i64} : tensor<1x2x2x3x3xi32>
  return %a : tensor<1x2x2x3x3xi32>
}
