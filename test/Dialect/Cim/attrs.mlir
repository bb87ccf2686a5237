// RUN: cim-opt %s | cim-opt | FileCheck %s
// RUN: cim-opt %s --mlir-print-op-generic | cim-opt | FileCheck %s

// Round trip of the target description and its parts. Optional parts and
// default-valued fields may be omitted and are elided when printed.

// CHECK: module attributes {cim.target = #cim.target<name = "tiny", rows = 64, cols = 32, parallel_rows = 16, cell_bits = 2, dac_bits = 1, adc = <mode = clipped, bits = 6, min_bits = 3, max_bits = 8>, weight_sign = differential_columns, input_sign = unsigned, cores = 4, crossbars_per_core = 8>}
module attributes {cim.target = #cim.target<name = "tiny", rows = 64, cols = 32,
    parallel_rows = 16, cell_bits = 2, dac_bits = 1,
    adc = <mode = clipped, bits = 6, min_bits = 3, max_bits = 8>,
    weight_sign = differential_columns, input_sign = unsigned, cores = 4,
    crossbars_per_core = 8>} {
  // CHECK-LABEL: func.func @parts
  // CHECK-SAME: adc = #cim.adc<mode = ideal>
  // CHECK-SAME: adder = #cim.adc<mode = adder_tree>
  // CHECK-SAME: energy = #cim.energy<dac = 4.170000e-01, adc = 1.670000e+00, program_cell = 1.000000e+01>
  // CHECK-SAME: latency = #cim.latency<mvm_cycle = 1.000000e+02, program_crossbar = 5.600000e+04, digital_op = 1.000000e+00, memory_byte = 6.250000e-02, sync = 2.000000e+01>
  // CHECK-SAME: memory = #cim.memory<input_buffer_bytes = 2048, global_bytes = 1048576>
  // CHECK-SAME: noise = #cim.noise<thermal_lsb = 5.000000e-01, programming = 2.000000e-02>
  // CHECK-SAME: quiet = #cim.noise<>
  func.func @parts() attributes {
      adc = #cim.adc<mode = ideal>,
      adder = #cim.adc<mode = adder_tree, bits = 0>,
      latency = #cim.latency<mvm_cycle = 100.0, program_crossbar = 5.6e4,
                             digital_op = 1.0, memory_byte = 0.0625, sync = 20.0>,
      energy = #cim.energy<dac = 0.417, adc = 1.67, program_cell = 10.0>,
      memory = #cim.memory<input_buffer_bytes = 2048, global_bytes = 1048576>,
      noise = #cim.noise<thermal_lsb = 0.5, programming = 0.02>,
      quiet = #cim.noise<thermal_lsb = 0.0>} {
    return
  }

  // CHECK-LABEL: func.func @precisions
  // CHECK-SAME: a = #cim.precision<weight_bits = 8, act_bits = 8>
  // CHECK-SAME: b = #cim.precision<weight_bits = 2, act_bits = 1, adc_bits = 3, granularity = tile_column>
  // CHECK-SAME: c = #cim.precision<weight_bits = 4, act_bits = 4, granularity = tensor>
  func.func @precisions() attributes {
      a = #cim.precision<weight_bits = 8, act_bits = 8, granularity = channel>,
      b = #cim.precision<weight_bits = 2, act_bits = 1, adc_bits = 3, granularity = tile_column>,
      c = #cim.precision<weight_bits = 4, act_bits = 4, granularity = tensor>} {
    return
  }

  // Precision within the target's ADC range [3, 8].
  // CHECK-LABEL: func.func @gemm_on_target
  // CHECK: cim.gemm {{.*}} {precision = #cim.precision<weight_bits = 4, act_bits = 4, adc_bits = 8, granularity = tile>}
  func.func @gemm_on_target(%x: tensor<1x64xf32>, %w: tensor<64x8xf32>) -> tensor<1x8xf32> {
    %0 = cim.gemm %x, %w {precision = #cim.precision<weight_bits = 4, act_bits = 4, adc_bits = 8, granularity = tile>}
         : tensor<1x64xf32>, tensor<64x8xf32> -> tensor<1x8xf32>
    return %0 : tensor<1x8xf32>
  }
}
