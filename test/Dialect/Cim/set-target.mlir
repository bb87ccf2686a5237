// RUN: cim-opt %s --cim-set-target=target=isaac | FileCheck %s --check-prefix=ISAAC
// RUN: cim-opt %s --cim-set-target=target=sram-dcim | FileCheck %s --check-prefix=SRAM
// RUN: cim-opt %s --cim-set-target=target=%cim_src/targets/puma.json | FileCheck %s --check-prefix=PUMA
// RUN: cim-opt %s --cim-set-target=target=isaac | cim-opt --cim-set-target=target=isaac | FileCheck %s --check-prefix=ISAAC
// RUN: cim-opt %s --cim-set-target=target=isaac | not cim-opt --cim-set-target=target=puma 2>&1 | FileCheck %s --check-prefix=RETARGET
// RUN: cim-opt %s --cim-set-target=target=isaac | cim-opt --cim-set-target="target=puma force=true" | FileCheck %s --check-prefix=PUMA
// RUN: not cim-opt %s --cim-set-target=target=nope 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not cim-opt %s --cim-set-target 2>&1 | FileCheck %s --check-prefix=EMPTY
// RUN: not cim-opt %s --cim-set-target=target=%S/Inputs/bad-target.json 2>&1 | FileCheck %s --check-prefix=BAD

// ISAAC: module attributes {cim.target = #cim.target<name = "isaac", rows = 128, cols = 128, parallel_rows = 128, cell_bits = 2, dac_bits = 1, adc = <mode = full_range, bits = 8, min_bits = 4, max_bits = 10>, weight_sign = offset_flipped, input_sign = unsigned, cores = 2016, crossbars_per_core = 8,
// ISAAC-SAME: latency = <mvm_cycle = 1.000000e+02,
// ISAAC-SAME: energy = <dac = 4.170000e-01, cell = 1.800000e-03, adc = 1.670000e+00, shift_add = 2.100000e-02,
// SRAM: #cim.target<name = "sram-dcim", rows = 256, cols = 64, parallel_rows = 256, cell_bits = 1, dac_bits = 1, adc = <mode = adder_tree>, weight_sign = twos_complement, input_sign = twos_complement
// PUMA: #cim.target<name = "puma", rows = 128, cols = 128, parallel_rows = 128, cell_bits = 2, dac_bits = 1, adc = <mode = full_range, bits = 8, min_bits = 4, max_bits = 10>, weight_sign = differential_columns, input_sign = twos_complement
// RETARGET: error: module is already compiled for target 'isaac'; pass force=true to retarget it to 'puma'
// UNKNOWN: error: unknown target 'nope': not a preset (aihwkit-pcm, fp-cim, isaac, puma, rwth-rram, sram-dcim) and no file of that name
// EMPTY: error: cim-set-target needs a target: a preset (aihwkit-pcm, fp-cim, isaac, puma, rwth-rram, sram-dcim) or a JSON file
// BAD: error: {{.*}}bad-target.json: parallel_rows must be in [1, rows = 64], got 65

// ISAAC-LABEL: func.func @f
func.func @f(%x: tensor<1x64xf32>, %w: tensor<64x8xf32>) -> tensor<1x8xf32> {
  %0 = cim.gemm %x, %w : tensor<1x64xf32>, tensor<64x8xf32> -> tensor<1x8xf32>
  return %0 : tensor<1x8xf32>
}
