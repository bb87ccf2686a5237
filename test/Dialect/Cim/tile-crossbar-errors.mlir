// RUN: cim-opt %s --split-input-file -verify-diagnostics --cim-tile-crossbar=duplicate=auto
// RUN: not cim-opt %s --split-input-file --cim-tile-crossbar=duplicate=two 2>&1 | FileCheck %s --check-prefix=DUP
// DUP: error: cim-tile-crossbar: duplicate must be a positive number or 'auto', got 'two'

// A weight whose cell planes need more columns than the crossbar has.
module attributes {cim.target = #cim.target<name = "narrow", rows = 8, cols = 4, parallel_rows = 8, cell_bits = 1, dac_bits = 1, adc = <mode = ideal>, weight_sign = differential_columns, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @too_wide(%x: tensor<2x8xf32>) -> tensor<2x2xf32> {
    %w = cim.constant dense<0.25> : tensor<8x2xf32>
    // expected-error @+1 {{'cim.mvm' op cannot be tiled on target 'narrow': one output column needs 6 crossbar columns, the crossbar has 4}}
    %y = cim.mvm %x, %w {precision = #cim.precision<weight_bits = 4, act_bits = 4>} : tensor<2x8xf32>, tensor<8x2xf32> -> tensor<2x2xf32>
    return %y : tensor<2x2xf32>
  }
}

// -----

module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 1, dac_bits = 1, adc = <mode = ideal>, weight_sign = twos_complement, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @not_constant(%x: tensor<2x8xf32>, %w: tensor<8x2xf32>) -> tensor<2x2xf32> {
    // expected-error @+1 {{'cim.mvm' op needs a constant weight to be placed on crossbars}}
    %y = cim.mvm %x, %w : tensor<2x8xf32>, tensor<8x2xf32> -> tensor<2x2xf32>
    return %y : tensor<2x2xf32>
  }
}

// -----

module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 1, dac_bits = 1, adc = <mode = ideal>, weight_sign = twos_complement, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @no_rows(%x: tensor<0x8xf32>) -> tensor<0x2xf32> {
    %w = cim.constant dense<0.25> : tensor<8x2xf32>
    // expected-error @+1 {{'cim.mvm' op has no invocations (P = 0) to place}}
    %y = cim.mvm %x, %w : tensor<0x8xf32>, tensor<8x2xf32> -> tensor<0x2xf32>
    return %y : tensor<0x2xf32>
  }
}
