// RUN: cim-opt %s -split-input-file -verify-diagnostics

// Flipped offset codes are `bits` wide, like offset ones: 4-bit weights
// need slices adding up to 4 bits.
func.func @flipped_widths(%q: tensor<12x5xi32>) {
  // expected-error @+1 {{'cim.cell_slices' op expects slice widths adding up to the 4 encoded bits, got 3}}
  %c = cim.cell_slices %q {rows = array<i64: 0, 8>, columns = array<i64: 0, 3>, bits = 4 : i64, widths = array<i64: 2, 1>, sign = #cim<weight_sign offset_flipped>} : tensor<12x5xi32> -> tensor<2x8x3xi8>
  return
}

// -----

func.func @flipped_planes(%q: tensor<12x5xi32>) {
  // One array, no sign plane: 2 slices = 2 planes.
  // expected-error @+1 {{'cim.cell_slices' op expects output of shape [2, 8, 3], got [4, 8, 3]}}
  %c = cim.cell_slices %q {rows = array<i64: 0, 8>, columns = array<i64: 0, 3>, bits = 4 : i64, widths = array<i64: 2, 2>, sign = #cim<weight_sign offset_flipped>} : tensor<12x5xi32> -> tensor<4x8x3xi8>
  return
}

// -----

// expected-error @+2 {{expected ::mlir::cim::WeightSign to be one of: offset, differential_columns, differential_rows, twos_complement, offset_flipped}}
// expected-error @+1 {{failed to parse}}
module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 8, parallel_rows = 4, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset_flip, input_sign = unsigned, cores = 1, crossbars_per_core = 1>} {}
