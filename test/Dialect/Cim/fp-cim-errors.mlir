// RUN: cim-opt %s -split-input-file -verify-diagnostics

// Floating-point (FP-CIM) precisions: the formats' ranges, the mantissa
// widths the crossbar computes on, and targets without an alignment unit.

// expected-error @+1 {{input_exp must be in [2, 8], got 9}}
func.func @f() attributes {a = #cim.fp<input_exp = 9, input_man = 3, weight_exp = 4, weight_man = 3, aligned_bits = 7>}

// -----

// expected-error @+1 {{weight_man must be in [0, 10], got 11}}
func.func @f() attributes {a = #cim.fp<input_exp = 4, input_man = 3, weight_exp = 4, weight_man = 11, aligned_bits = 7>}

// -----

// expected-error @+1 {{aligned_bits must be in [1, 15], got 0}}
func.func @f() attributes {a = #cim.fp<input_exp = 4, input_man = 3, weight_exp = 4, weight_man = 3, aligned_bits = 0>}

// -----

// expected-error @+1 {{weight_bits must be weight_man + 2 = 5 for a floating-point layer}}
func.func @f() attributes {a = #cim.precision<weight_bits = 8, act_bits = 8, fp = <input_exp = 4, input_man = 3, weight_exp = 4, weight_man = 3, aligned_bits = 7>>}

// -----

// expected-error @+1 {{act_bits must be aligned_bits + 1 = 8 for a floating-point layer}}
func.func @f() attributes {a = #cim.precision<weight_bits = 5, act_bits = 6, fp = <input_exp = 4, input_man = 3, weight_exp = 4, weight_man = 3, aligned_bits = 7>>}

// -----

// expected-error @+1 {{granularity must be 'channel'}}
func.func @f() attributes {a = #cim.precision<weight_bits = 5, act_bits = 8, granularity = tile, fp = <input_exp = 4, input_man = 3, weight_exp = 4, weight_man = 3, aligned_bits = 7>>}

// -----

// BF16 inputs aligned to 12 bits drive 13-bit codes: legal in FP mode only.
func.func private @f() attributes {a = #cim.precision<weight_bits = 9, act_bits = 13, fp = <input_exp = 8, input_man = 7, weight_exp = 8, weight_man = 7, aligned_bits = 12, truncate = true>>}

// -----

module attributes {cim.target = #cim.target<name = "int-only", rows = 128, cols = 128, parallel_rows = 32, cell_bits = 1, dac_bits = 1, adc = <mode = adder_tree>, weight_sign = twos_complement, input_sign = twos_complement, cores = 1, crossbars_per_core = 8>} {
  func.func @no_alignment(%x: tensor<1x64xf32>, %w: tensor<64x8xf32>) -> tensor<1x8xf32> {
    // expected-error @+1 {{'cim.gemm' op a floating-point precision needs a target with float_alignment (FP-CIM); target 'int-only' has none}}
    %0 = cim.gemm %x, %w {precision = #cim.precision<weight_bits = 5, act_bits = 8, fp = <input_exp = 4, input_man = 3, weight_exp = 4, weight_man = 3, aligned_bits = 7>>} : tensor<1x64xf32>, tensor<64x8xf32> -> tensor<1x8xf32>
    return %0 : tensor<1x8xf32>
  }
}

// -----

module attributes {cim.target = #cim.target<name = "odd", rows = 100, cols = 128, parallel_rows = 32, cell_bits = 1, dac_bits = 1, adc = <mode = adder_tree>, weight_sign = twos_complement, input_sign = twos_complement, cores = 1, crossbars_per_core = 8, float_alignment = true>} {
  func.func @groups_straddle_crossbars(%x: tensor<1x64xf32>, %w: tensor<64x8xf32>) -> tensor<1x8xf32> {
    // expected-error @+1 {{'cim.gemm' op floating-point layers align per row group: target 'odd' has 100 rows, not a multiple of its 32 parallel rows}}
    %0 = cim.gemm %x, %w {precision = #cim.precision<weight_bits = 5, act_bits = 8, fp = <input_exp = 4, input_man = 3, weight_exp = 4, weight_man = 3, aligned_bits = 7>>} : tensor<1x64xf32>, tensor<64x8xf32> -> tensor<1x8xf32>
    return %0 : tensor<1x8xf32>
  }
}
