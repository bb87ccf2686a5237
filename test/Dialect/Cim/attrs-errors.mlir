// RUN: cim-opt %s -split-input-file -verify-diagnostics

// Range rules of the attributes: each case is one rule.

// expected-error @+1 {{rows must be in [1, 65536], got 0}}
module attributes {cim.target = #cim.target<name = "t", rows = 0, cols = 32, parallel_rows = 16, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 1, crossbars_per_core = 1>} {}

// -----

// expected-error @+1 {{cols must be in [1, 65536], got 70000}}
module attributes {cim.target = #cim.target<name = "t", rows = 64, cols = 70000, parallel_rows = 16, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 1, crossbars_per_core = 1>} {}

// -----

// expected-error @+1 {{parallel_rows must be in [1, rows = 64], got 128}}
module attributes {cim.target = #cim.target<name = "t", rows = 64, cols = 32, parallel_rows = 128, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 1, crossbars_per_core = 1>} {}

// -----

// expected-error @+1 {{cell_bits must be in [1, 8], got 9}}
module attributes {cim.target = #cim.target<name = "t", rows = 64, cols = 32, parallel_rows = 16, cell_bits = 9, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 1, crossbars_per_core = 1>} {}

// -----

// expected-error @+1 {{dac_bits must be in [1, 8], got 0}}
module attributes {cim.target = #cim.target<name = "t", rows = 64, cols = 32, parallel_rows = 16, cell_bits = 2, dac_bits = 0, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 1, crossbars_per_core = 1>} {}

// -----

// expected-error @+1 {{cores must be at least 1, got 0}}
module attributes {cim.target = #cim.target<name = "t", rows = 64, cols = 32, parallel_rows = 16, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 0, crossbars_per_core = 1>} {}

// -----

// expected-error @+1 {{crossbars_per_core must be at least 1, got 0}}
module attributes {cim.target = #cim.target<name = "t", rows = 64, cols = 32, parallel_rows = 16, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 1, crossbars_per_core = 0>} {}

// -----

// expected-error @+1 {{name must not be empty}}
module attributes {cim.target = #cim.target<name = "", rows = 64, cols = 32, parallel_rows = 16, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 1, crossbars_per_core = 1>} {}

// -----

// expected-error @+1 {{adc.mode 'adder_tree' needs cell_bits = 1 and dac_bits = 1, got 2 and 1}}
module attributes {cim.target = #cim.target<name = "t", rows = 64, cols = 32, parallel_rows = 16, cell_bits = 2, dac_bits = 1, adc = <mode = adder_tree>, weight_sign = twos_complement, input_sign = unsigned, cores = 1, crossbars_per_core = 1>} {}

// -----

// expected-error @+1 {{weight_sign 'differential_rows' needs at least 2 parallel rows (one pair), got 1}}
module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 32, parallel_rows = 1, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = differential_rows, input_sign = unsigned, cores = 1, crossbars_per_core = 1>} {}

// -----

// expected-error @+1 {{adc.mode 'ideal' has no resolution: adc.bits, adc.min_bits and adc.max_bits must be 0}}
func.func @f() attributes {a = #cim.adc<mode = ideal, bits = 8>}

// -----

// expected-error @+1 {{adc bits must satisfy 1 <= adc.min_bits (0) <= adc.bits (8) <= adc.max_bits (10) <= 16}}
func.func @f() attributes {a = #cim.adc<mode = full_range, bits = 8, max_bits = 10>}

// -----

// expected-error @+1 {{adc bits must satisfy 1 <= adc.min_bits (4) <= adc.bits (12) <= adc.max_bits (10) <= 16}}
func.func @f() attributes {a = #cim.adc<mode = clipped, bits = 12, min_bits = 4, max_bits = 10>}

// -----

// expected-error @+1 {{adc bits must satisfy 1 <= adc.min_bits (4) <= adc.bits (8) <= adc.max_bits (20) <= 16}}
func.func @f() attributes {a = #cim.adc<mode = clipped, bits = 8, min_bits = 4, max_bits = 20>}

// -----

// expected-error @+1 {{latency.mvm_cycle must be a finite non-negative number, got -1}}
func.func @f() attributes {a = #cim.latency<mvm_cycle = -1.0>}

// -----

// expected-error @+1 {{energy.adc must be a finite non-negative number, got +Inf}}
func.func @f() attributes {a = #cim.energy<adc = 0x7FF0000000000000>}

// -----

// expected-error @+1 {{noise.read must be a finite non-negative number, got -0.1}}
func.func @f() attributes {a = #cim.noise<read = -0.1>}

// -----

// expected-error @+1 {{noise.adc_nonlinearity must be below 1, got 1}}
func.func @f() attributes {a = #cim.noise<adc_nonlinearity = 1.0>}

// -----

// expected-error @+1 {{weight_bits must be in [2, 8], got 1}}
func.func @f() attributes {a = #cim.precision<weight_bits = 1, act_bits = 8>}

// -----

// expected-error @+1 {{weight_bits must be in [2, 8], got 16}}
func.func @f() attributes {a = #cim.precision<weight_bits = 16, act_bits = 8>}

// -----

// expected-error @+1 {{act_bits must be in [1, 8], got 0}}
func.func @f() attributes {a = #cim.precision<weight_bits = 8, act_bits = 0>}

// -----

// expected-error @+1 {{adc_bits must be in [0, 16], got 17}}
func.func @f() attributes {a = #cim.precision<weight_bits = 8, act_bits = 8, adc_bits = 17>}

// -----

// expected-error @+2 {{expected one of [tensor, channel, tile, tile_column] for which weights share one quantization scale, got: row}}
// expected-error @+1 {{failed to parse Cim_PrecisionAttr parameter 'granularity'}}
func.func @f() attributes {a = #cim.precision<weight_bits = 8, act_bits = 8, granularity = row>}

// -----

// expected-error @+1 {{'cim.target' must be a #cim.target attribute, got "isaac"}}
module attributes {cim.target = "isaac"} {}

// -----

module {
  // expected-error @+1 {{'cim.target' may only be attached to a builtin.module}}
  func.func @f() attributes {cim.target = #cim.target<name = "t", rows = 64, cols = 32, parallel_rows = 16, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 1, crossbars_per_core = 1>}
}

// -----

// expected-error @+1 {{unknown cim dialect attribute 'cim.bogus'}}
module attributes {cim.bogus = 1 : i32} {}

// -----

// cim.calibration: every field of cim-calibrate's record.
func.func @calibration_missing_clip(%x: tensor<1x2xf32>, %w: tensor<2x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'cim.calibration' needs a float 'clip'}}
  %0 = cim.mvm %x, %w {cim.calibration = {min = 0.0 : f64, max = 1.0 : f64, absmax = 1.0 : f64, samples = 1 : i64}} : tensor<1x2xf32>, tensor<2x2xf32> -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}

// -----

func.func @calibration_bad_clips(%x: tensor<1x2xf32>, %w: tensor<2x2xf32>) -> tensor<1x2xf32> {
  // expected-error @+1 {{'cim.calibration' has 'clips' that are not positive finite f64 values (one per code width)}}
  %0 = cim.mvm %x, %w {cim.calibration = {min = 0.0 : f64, max = 1.0 : f64, absmax = 1.0 : f64, clip = 1.0 : f64, clips = array<f64: 1.0, 0.0>, samples = 1 : i64}} : tensor<1x2xf32>, tensor<2x2xf32> -> tensor<1x2xf32>
  return %0 : tensor<1x2xf32>
}
