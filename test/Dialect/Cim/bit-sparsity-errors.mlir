// RUN: cim-opt %s -split-input-file -verify-diagnostics

// The bit-sparsity attributes of crossbar layers: one rule per case.

func.func @ones_above_one(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = cim.constant dense<0.5> : tensor<4x2xf32>
  // expected-error @+1 {{'cim.input_ones' must be a float in [0, 1] (the probability that an input bit is 1), got 1.500000e+00 : f64}}
  %y = cim.mvm %x, %w {cim.input_ones = 1.5 : f64} : tensor<2x4xf32>, tensor<4x2xf32> -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @ones_not_float(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = cim.constant dense<0.5> : tensor<4x2xf32>
  // expected-error @+1 {{'cim.input_ones' must be a float in [0, 1]}}
  %y = cim.mvm %x, %w {cim.input_ones = "half"} : tensor<2x4xf32>, tensor<4x2xf32> -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @max_ones_zero(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = cim.constant dense<0.5> : tensor<4x2xf32>
  // expected-error @+1 {{'cim.act_max_ones' must be an integer in [1, 62] (the most '1' bits of an input code), got 0 : i64}}
  %y = cim.mvm %x, %w {cim.act_max_ones = 0 : i64} : tensor<2x4xf32>, tensor<4x2xf32> -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @zero_cycles_negative(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = cim.constant dense<0.5> : tensor<4x2xf32>
  // expected-error @+1 {{'cim.zero_cycles' must be a float in [0, 1] (the fraction of all-zero DAC cycles), got -1.000000e-01 : f64}}
  %y = cim.mvm %x, %w {cim.zero_cycles = -0.1 : f64} : tensor<2x4xf32>, tensor<4x2xf32> -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}
