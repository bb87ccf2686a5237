// RUN: cim-opt %s -split-input-file -verify-diagnostics

// Precision choices are verified against the module's target.

module attributes {cim.target = #cim.target<name = "isaac-like", rows = 128, cols = 128, parallel_rows = 128, cell_bits = 2, dac_bits = 1, adc = <mode = full_range, bits = 8, min_bits = 4, max_bits = 10>, weight_sign = offset, input_sign = unsigned, cores = 1, crossbars_per_core = 8>} {
  func.func @adc_too_wide(%x: tensor<1x64xf32>, %w: tensor<64x8xf32>) -> tensor<1x8xf32> {
    // expected-error @+1 {{'cim.gemm' op adc_bits = 12 is outside [4, 10], the ADC range of target 'isaac-like'}}
    %0 = cim.gemm %x, %w {precision = #cim.precision<weight_bits = 8, act_bits = 8, adc_bits = 12>} : tensor<1x64xf32>, tensor<64x8xf32> -> tensor<1x8xf32>
    return %0 : tensor<1x8xf32>
  }
}

// -----

module attributes {cim.target = #cim.target<name = "isaac-like", rows = 128, cols = 128, parallel_rows = 128, cell_bits = 2, dac_bits = 1, adc = <mode = full_range, bits = 8, min_bits = 4, max_bits = 10>, weight_sign = offset, input_sign = unsigned, cores = 1, crossbars_per_core = 8>} {
  func.func @adc_too_narrow(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
    // expected-error @+1 {{'cim.conv2d' op adc_bits = 3 is outside [4, 10], the ADC range of target 'isaac-like'}}
    %0 = cim.conv2d %x, %w {precision = #cim.precision<weight_bits = 8, act_bits = 8, adc_bits = 3>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
    return %0 : tensor<1x4x6x6xf32>
  }
}

// -----

module attributes {cim.target = #cim.target<name = "rram", rows = 256, cols = 256, parallel_rows = 256, cell_bits = 4, dac_bits = 1, adc = <mode = ideal>, weight_sign = differential_columns, input_sign = twos_complement, cores = 1, crossbars_per_core = 8>} {
  func.func @adc_on_ideal(%x: tensor<2x3x64xf32>, %w: tensor<64x8xf32>) -> tensor<2x3x8xf32> {
    // expected-error @+1 {{'cim.matmul' op adc_bits = 6 but target 'rram' has a read-out of mode 'ideal' without resolution (adc_bits must be 0)}}
    %0 = cim.matmul %x, %w {precision = #cim.precision<weight_bits = 8, act_bits = 8, adc_bits = 6>} : tensor<2x3x64xf32>, tensor<64x8xf32> -> tensor<2x3x8xf32>
    return %0 : tensor<2x3x8xf32>
  }
}

// -----

// Without a target only the precision's own ranges apply.
func.func @no_target(%x: tensor<1x64xf32>, %w: tensor<64x8xf32>) -> tensor<1x8xf32> {
  %0 = cim.gemm %x, %w {precision = #cim.precision<weight_bits = 8, act_bits = 8, adc_bits = 12>} : tensor<1x64xf32>, tensor<64x8xf32> -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}
