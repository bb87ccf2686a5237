// RUN: cim-opt %s --cim-tile-crossbar --cim-report=json -o /dev/null | FileCheck %s
// RUN: cim-opt %s --cim-tile-crossbar --cim-report="json skip-zero-cycles" -o /dev/null | FileCheck %s --check-prefix=SKIP
// RUN: sed -e 's/cim.input_ones = 2.500000e-01 : f64, /cim.input_ones = 2.500000e-01 : f64, cim.zero_cycles = 5.000000e-01 : f64, /' %s | cim-opt --cim-tile-crossbar --cim-report="json skip-zero-cycles" -o /dev/null | FileCheck %s --check-prefix=MEASURED
// RUN: sed -e 's/cim.input_ones = 2.500000e-01 : f64, //' %s | cim-opt --cim-tile-crossbar --cim-report="json" -o /dev/null | FileCheck %s --check-prefix=HALF

// The layer of report.mlir (20x5 W4A4, 3 x 2 tiles of 4-row groups, 1-bit
// DAC, P = 6, T = 4: 240 DAC cycles, 1440 conversions), with a measured
// probability p1 = 1/4 that an input bit is 1 (cim.input_ones):
//   dac 0.25*6*4*40 rows = 240 (480 at p1 = 1/2), cell 0.25*24*240*0.5 = 720
//   input popcount 0.25*6*20*4 = 120
// Skipping all-zero cycles: a 4-row group is all zero with probability
// 0.75^4 = 0.31640625, so 240 * 0.31640625 = 75.9375 cycles are skipped and
// conversions, shift-adds and MVM time scale by 0.68359375:
//   adc 5760 -> 3937.5, shift-add 360 -> 246.09375, mvm 480 -> 328.125 ns
//   energy 240 + 720 + 3937.5 + 246.09375 + 7.5 + 37.5 + 600 = 5788.59375
//   latency 328.125 + 60 + 300 = 688.125 ns
// CHECK:          "energy": {
// CHECK-NEXT:       "adc": 5760,
// CHECK-NEXT:       "buffer": 37.5,
// CHECK-NEXT:       "cell": 720,
// CHECK-NEXT:       "dac": 240,
// CHECK:          "energy_pj": 7725,
// CHECK:          "input_popcount": 120,
// CHECK:          "latency_ns": 840,
// CHECK-NOT:      "skipped_dac_cycles"

// SKIP:          "energy": {
// SKIP-NEXT:       "adc": 3937.5,
// SKIP-NEXT:       "buffer": 37.5,
// SKIP-NEXT:       "cell": 720,
// SKIP-NEXT:       "dac": 240,
// SKIP:            "shift_add": 246.09375
// SKIP:          "energy_pj": 5788.59375,
// SKIP:          "mvm_ns": 328.125,
// SKIP:          "skipped_dac_cycles": 75.9375,

// A measured all-zero fraction (cim.zero_cycles = 1/2) replaces the
// estimate: adc 5760 * 0.5 = 2880, shift-add 180, mvm 240 ns, 120 cycles.
// MEASURED:          "adc": 2880,
// MEASURED:          "shift_add": 180
// MEASURED:          "mvm_ns": 240,
// MEASURED:          "skipped_dac_cycles": 120,

// Without statistics p1 = 1/2: report.mlir's figures.
// HALF:          "cell": 1440,
// HALF-NEXT:     "dac": 480,
// HALF:          "energy_pj": 8685,
// HALF:          "input_popcount": 240,
module attributes {cim.target = #cim.target<name = "small", rows = 8, cols = 8, parallel_rows = 4, cell_bits = 2, dac_bits = 1, adc = <mode = full_range, bits = 4, min_bits = 2, max_bits = 6>, weight_sign = offset, input_sign = unsigned, cores = 2, crossbars_per_core = 4, latency = <mvm_cycle = 10.0, program_crossbar = 1000.0, digital_op = 1.0, memory_byte = 0.5, sync = 0.0>, energy = <dac = 1.0, cell = 0.5, adc = 2.0, shift_add = 0.25, digital_op = 0.125, buffer_byte = 0.0625, memory_byte = 1.0, program_cell = 3.0>>} {
  func.func @main(%x: tensor<6x20xf32>) -> tensor<6x5xf32> {
    %w = cim.constant dense<0.25> : tensor<20x5xf32>
    %y = cim.mvm %x, %w {cim.input_ones = 2.500000e-01 : f64, precision = #cim.precision<weight_bits = 4, act_bits = 4, adc_bits = 5>} : tensor<6x20xf32>, tensor<20x5xf32> -> tensor<6x5xf32> loc("fc")
    %r = cim.relu %y : tensor<6x5xf32> loc("act")
    return %r : tensor<6x5xf32>
  }
}
