// RUN: cim-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of the tile and bit-sliced ops.

func.func @tile_rows(%x: tensor<6x12xf32>, %w: tensor<12x5xf32>) {
  // expected-error @+1 {{'cim.tile' op expects 'rows' [8, 16) to be a non-empty range within [0, 12)}}
  %t = cim.tile %x, %w {rows = array<i64: 8, 16>, columns = array<i64: 0, 3>, footprint = array<i64: 8, 7>, groups = 2 : i64} : tensor<6x12xf32>, tensor<12x5xf32> -> tensor<6x3xf32>
  return
}

// -----

func.func @tile_output(%x: tensor<6x12xf32>, %w: tensor<12x5xf32>) {
  // expected-error @+1 {{'cim.tile' op expects output of shape [6, 3], got [6, 5]}}
  %t = cim.tile %x, %w {rows = array<i64: 0, 8>, columns = array<i64: 0, 3>, footprint = array<i64: 8, 7>, groups = 2 : i64} : tensor<6x12xf32>, tensor<12x5xf32> -> tensor<6x5xf32>
  return
}

// -----

func.func @tile_k(%x: tensor<6x10xf32>, %w: tensor<12x5xf32>) {
  // expected-error @+1 {{'cim.tile' op expects weight rows (K) to be 10, got 12}}
  %t = cim.tile %x, %w {rows = array<i64: 0, 8>, columns = array<i64: 0, 3>, footprint = array<i64: 8, 7>, groups = 2 : i64} : tensor<6x10xf32>, tensor<12x5xf32> -> tensor<6x3xf32>
  return
}

// -----

func.func @tile_copies(%x: tensor<6x12xf32>, %w: tensor<12x5xf32>) {
  // expected-error @+1 {{'cim.tile' op expects one crossbar per copy (2), got 1}}
  %t = cim.tile %x, %w {rows = array<i64: 0, 8>, columns = array<i64: 0, 3>, footprint = array<i64: 8, 7>, groups = 2 : i64, copies = 2 : i64, crossbars = array<i64: 0>} : tensor<6x12xf32>, tensor<12x5xf32> -> tensor<6x3xf32>
  return
}

// -----

// The hardware check: a footprint larger than the target's crossbar, and a
// crossbar index the chip does not have.
module attributes {cim.target = #cim.target<name = "small", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @too_big(%x: tensor<6x12xf32>, %w: tensor<12x5xf32>) {
    // expected-error @+1 {{'cim.tile' op footprint 8x9 does not fit a 8x8 crossbar of target 'small'}}
    %t = cim.tile %x, %w {rows = array<i64: 0, 8>, columns = array<i64: 0, 4>, footprint = array<i64: 8, 9>, groups = 1 : i64} : tensor<6x12xf32>, tensor<12x5xf32> -> tensor<6x4xf32>
    return
  }
}

// -----

module attributes {cim.target = #cim.target<name = "small", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @no_such_crossbar(%x: tensor<6x12xf32>, %w: tensor<12x5xf32>) {
    // expected-error @+1 {{'cim.tile' op crossbar 4 does not exist: target 'small' has 4}}
    %t = cim.tile %x, %w {rows = array<i64: 0, 8>, columns = array<i64: 0, 3>, footprint = array<i64: 8, 7>, groups = 1 : i64, crossbars = array<i64: 4>} : tensor<6x12xf32>, tensor<12x5xf32> -> tensor<6x3xf32>
    return
  }
}

// -----

module attributes {cim.target = #cim.target<name = "small", rows = 8, cols = 8, parallel_rows = 4, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @group_too_big(%d: tensor<4x6x8xi8>, %c: tensor<2x8x3xi8>) {
    // expected-error @+1 {{'cim.crossbar_mvm' op group of 8 physical rows exceeds the 4 parallel rows of target 'small'}}
    %s = cim.crossbar_mvm %d, %c {group_rows = 8 : i64, footprint = array<i64: 8, 7>} : tensor<4x6x8xi8>, tensor<2x8x3xi8> -> tensor<1x4x2x6x3xi32>
    return
  }
}

// -----

func.func @accumulate_empty() {
  // expected-error @+1 {{'cim.accumulate' op expected 1 or more operands, but found 0}}
  %s = cim.accumulate : tensor<6x3xf32>
  return
}

// -----

func.func @encode_bits(%x: tensor<6x12xf32>) {
  // expected-error @+1 {{'cim.encode' op expects 'bits' in [1, 16], got 20}}
  %q = cim.encode %x {bits = 20 : i64, is_signed = false} : tensor<6x12xf32> -> tensor<6x12xi32>
  return
}

// -----

func.func @encode_scale(%x: tensor<6x12xf32>) {
  // expected-error @+1 {{'cim.encode' op expects a positive 'scale', got -1}}
  %q = cim.encode %x {bits = 8 : i64, is_signed = false, scale = -1.0 : f64} : tensor<6x12xf32> -> tensor<6x12xi32>
  return
}

// -----

func.func @decode_shape(%a: tensor<6x3xi32>) {
  // expected-error @+1 {{'cim.decode' op expects output of shape [6, 3], got [6, 4]}}
  %y = cim.decode %a : tensor<6x3xi32> -> tensor<6x4xf32>
  return
}

// -----

func.func @dac_cycles_count(%q: tensor<6x12xi32>) {
  // Two's-complement 4-bit inputs on a 2-bit DAC: 2 magnitude cycles
  // (3 bits) + the sign cycle.
  // expected-error @+1 {{'cim.dac_cycles' op expects output of shape [3, 6, 8], got [2, 6, 8]}}
  %d = cim.dac_cycles %q {rows = array<i64: 0, 8>, bits = 4 : i64, dac_bits = 2 : i64, sign = #cim<input_sign twos_complement>} : tensor<6x12xi32> -> tensor<2x6x8xi8>
  return
}

// -----

func.func @dac_bits(%q: tensor<6x12xi32>) {
  // expected-error @+1 {{'cim.dac_cycles' op expects bits and dac_bits in [1, 16], got 4 and 20}}
  %d = cim.dac_cycles %q {rows = array<i64: 0, 8>, bits = 4 : i64, dac_bits = 20 : i64, sign = #cim<input_sign unsigned>} : tensor<6x12xi32> -> tensor<1x6x8xi8>
  return
}

// -----

func.func @cell_widths(%q: tensor<12x5xi32>) {
  // expected-error @+1 {{'cim.cell_slices' op expects slice widths adding up to the 3 encoded bits, got 4}}
  %c = cim.cell_slices %q {rows = array<i64: 0, 8>, columns = array<i64: 0, 3>, bits = 4 : i64, widths = array<i64: 2, 2>, sign = #cim<weight_sign differential_columns>} : tensor<12x5xi32> -> tensor<4x8x3xi8>
  return
}

// -----

func.func @cell_planes(%q: tensor<12x5xi32>) {
  // Differential columns: 2 slices x 2 arrays = 4 planes.
  // expected-error @+1 {{'cim.cell_slices' op expects output of shape [4, 8, 3], got [2, 8, 3]}}
  %c = cim.cell_slices %q {rows = array<i64: 0, 8>, columns = array<i64: 0, 3>, bits = 5 : i64, widths = array<i64: 2, 2>, sign = #cim<weight_sign differential_columns>} : tensor<12x5xi32> -> tensor<2x8x3xi8>
  return
}

// -----

func.func @crossbar_shape(%d: tensor<4x6x8xi8>, %c: tensor<2x8x3xi8>) {
  // 8 rows in groups of 3: 3 groups.
  // expected-error @+1 {{'cim.crossbar_mvm' op expects output of shape [3, 4, 2, 6, 3], got [2, 4, 2, 6, 3]}}
  %s = cim.crossbar_mvm %d, %c {group_rows = 3 : i64, footprint = array<i64: 8, 7>} : tensor<4x6x8xi8>, tensor<2x8x3xi8> -> tensor<2x4x2x6x3xi32>
  return
}

// -----

func.func @adc_clip(%s: tensor<1x4x2x6x3xi32>) {
  // expected-error @+1 {{'cim.adc' op expects 'clip_low' and 'clip_high' exactly when the mode is 'clipped'}}
  %a = cim.adc %s {mode = #cim<adc_mode clipped>, bits = 5 : i64} : tensor<1x4x2x6x3xi32>
  return
}

// -----

func.func @adc_ideal_bits(%s: tensor<1x4x2x6x3xi32>) {
  // expected-error @+1 {{'cim.adc' op expects no 'bits' for mode 'ideal'}}
  %a = cim.adc %s {mode = #cim<adc_mode ideal>, bits = 5 : i64} : tensor<1x4x2x6x3xi32>
  return
}

// -----

func.func @adc_full_range(%s: tensor<1x4x2x6x3xi32>) {
  // expected-error @+1 {{'cim.adc' op expects 'lossless_bits' in [1, 64] for a full-range ADC}}
  %a = cim.adc %s {mode = #cim<adc_mode full_range>, bits = 5 : i64} : tensor<1x4x2x6x3xi32>
  return
}

// -----

func.func @adc_range(%s: tensor<1x4x2x6x3xi32>) {
  // expected-error @+1 {{'cim.adc' op expects clip_low <= clip_high, got 9 > 3}}
  %a = cim.adc %s {mode = #cim<adc_mode clipped>, bits = 5 : i64, clip_low = 9 : i64, clip_high = 3 : i64} : tensor<1x4x2x6x3xi32>
  return
}

// -----

func.func @shift_add_signs(%a: tensor<1x2x2x6x3xi32>) {
  // expected-error @+1 {{'cim.shift_add' op expects signs of +1 or -1, got 2}}
  %r = cim.shift_add %a {cycle_shifts = array<i64: 0, 1>, cycle_signs = array<i64: 1, 2>, plane_shifts = array<i64: 0, 2>, plane_signs = array<i64: 1, 1>} : tensor<1x2x2x6x3xi32> -> tensor<6x3xi32>
  return
}

// -----

func.func @shift_add_count(%a: tensor<1x2x2x6x3xi32>) {
  // expected-error @+1 {{'cim.shift_add' op expects number of plane shifts to be 2, got 3}}
  %r = cim.shift_add %a {cycle_shifts = array<i64: 0, 1>, cycle_signs = array<i64: 1, 1>, plane_shifts = array<i64: 0, 2, 4>, plane_signs = array<i64: 1, 1>} : tensor<1x2x2x6x3xi32> -> tensor<6x3xi32>
  return
}

// -----

func.func @offset_acc(%acc: tensor<6x4xi32>, %x: tensor<6x12xi32>, %w: tensor<12x5xi32>) {
  // expected-error @+1 {{'cim.offset_correct' op expects acc of shape [6, 3], got [6, 4]}}
  %o = cim.offset_correct %acc, %x, %w {rows = array<i64: 0, 8>, columns = array<i64: 0, 3>, weight_offset = 8 : i64} : tensor<6x4xi32>, tensor<6x12xi32>, tensor<12x5xi32> -> tensor<6x4xi32>
  return
}

// -----

func.func @tile_negative_groups(%x: tensor<6x12xf32>, %w: tensor<12x5xf32>) {
  // expected-error @+1 {{'cim.tile' op expects 'groups' to be at least 1, got -1}}
  %t = cim.tile %x, %w {rows = array<i64: 0, 8>, columns = array<i64: 0, 3>, footprint = array<i64: 8, 7>, groups = -1 : i64} : tensor<6x12xf32>, tensor<12x5xf32> -> tensor<6x3xf32>
  return
}

// -----

func.func @tile_rows_footprint(%x: tensor<6x20xf32>, %w: tensor<20x5xf32>) {
  // expected-error @+1 {{'cim.tile' op expects the footprint to hold its 20 rows, got 1}}
  %t = cim.tile %x, %w {rows = array<i64: 0, 20>, columns = array<i64: 0, 1>, footprint = array<i64: 1, 1>, groups = 1 : i64} : tensor<6x20xf32>, tensor<20x5xf32> -> tensor<6x1xf32>
  return
}

// -----

func.func @tile_dynamic(%x: tensor<?x12xf32>, %w: tensor<12x5xf32>) {
  // expected-error @+1 {{'cim.tile' op expects static shapes: a tile is placed hardware}}
  %t = cim.tile %x, %w {rows = array<i64: 0, 8>, columns = array<i64: 0, 3>, footprint = array<i64: 8, 7>, groups = 1 : i64} : tensor<?x12xf32>, tensor<12x5xf32> -> tensor<?x3xf32>
  return
}

// -----

func.func @tile_copies_negative(%x: tensor<6x12xf32>, %w: tensor<12x5xf32>) {
  // expected-error @+1 {{'cim.tile' op expects 'copies' to be at least 1, got -2}}
  %t = cim.tile %x, %w {rows = array<i64: 0, 8>, columns = array<i64: 0, 3>, footprint = array<i64: 8, 7>, groups = 1 : i64, copies = -2 : i64} : tensor<6x12xf32>, tensor<12x5xf32> -> tensor<6x3xf32>
  return
}

// -----

// On a target, the row groups must be those of its parallel rows, and
// differential rows need two physical rows per weight row.
module attributes {cim.target = #cim.target<name = "dr", rows = 8, cols = 8, parallel_rows = 4, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = differential_rows, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @tile_groups(%x: tensor<6x12xf32>, %w: tensor<12x5xf32>) {
    // expected-error @+1 {{'cim.tile' op expects 2 row groups for 4 rows (2 per conversion on target 'dr'), got 1}}
    %t = cim.tile %x, %w {rows = array<i64: 0, 4>, columns = array<i64: 0, 3>, footprint = array<i64: 8, 6>, groups = 1 : i64} : tensor<6x12xf32>, tensor<12x5xf32> -> tensor<6x3xf32>
    return
  }
  func.func @tile_dr_rows(%x: tensor<6x12xf32>, %w: tensor<12x5xf32>) {
    // expected-error @+1 {{'cim.tile' op expects the footprint to hold 2 x 6 rows (differential rows), got 8}}
    %t = cim.tile %x, %w {rows = array<i64: 0, 6>, columns = array<i64: 0, 3>, footprint = array<i64: 8, 6>, groups = 3 : i64} : tensor<6x12xf32>, tensor<12x5xf32> -> tensor<6x3xf32>
    return
  }
  func.func @group_dr(%d: tensor<4x6x4xi8>, %c: tensor<2x4x3xi8>) {
    // expected-error @+1 {{'cim.crossbar_mvm' op group of 8 physical rows exceeds the 4 parallel rows of target 'dr'}}
    %s = cim.crossbar_mvm %d, %c {group_rows = 4 : i64, footprint = array<i64: 8, 6>} : tensor<4x6x4xi8>, tensor<2x4x3xi8> -> tensor<1x4x2x6x3xi32>
    return
  }
}
