// RUN: cim-opt %s --cim-tile-crossbar --cim-report=json -o /dev/null | FileCheck %s
// RUN: cim-opt %s --cim-tile-crossbar --cim-bit-slice --cim-report=json -o /dev/null | FileCheck %s --check-prefix=SLICED
// RUN: cim-opt %s --cim-tile-crossbar --cim-report -o /dev/null | FileCheck %s --check-prefix=TABLE
// RUN: cim-opt %s --cim-report=json -o /dev/null | FileCheck %s --check-prefix=GRAPH

// Hand-computed costs. The 20x5 W4A4 layer on 8x8 crossbars (2-bit cells,
// offset weights + reference column, 4 rows per conversion, 1-bit DAC) has
// 3 x 2 tiles: rows 8, 8, 4 (2, 2, 1 row groups) by columns 3 and 2
// outputs (7 and 5 physical columns); T = 4 cycles, P = 6 invocations.
//   used cells 20*7 + 20*5 = 240 of 6*64: utilization 0.625
//   DAC cycles sum P*T*G = 6*4*5*2 = 240; conversions 6*4*(5*7 + 5*5) = 1440
//   MVM time: slowest tile 6*4*2 cycles * 10 ns = 480 ns
//   digital: accumulates of 3 partials 2*(6*3) + 2*(6*2) = 60 ops = 60 ns
//   bytes: inputs 2*(24+24+12) + partial sums 4*6*(3*3 + 3*2) + accumulate
//   outputs 4*(18+12) = 600 bytes * 0.5 ns = 300 ns; latency 840 ns
//   energy: dac 0.5*6*4*40 rows = 480, cell 0.5*24*240*0.5 = 1440,
//   adc 1440 * 2 pJ * 2^(5-4) = 5760, shift-add 1440*0.25 = 360,
//   digital 60*0.125 = 7.5, buffer 600*0.0625 = 37.5, memory 600
//   -> 8685 pJ; input popcount 0.5*6*20*4 = 240
// The relu is a digital layer: 30 ops + 120 bytes = 30 + 60 = 90 ns,
// 3.75 + 7.5 + 120 = 131.25 pJ.
// The model's latency is the critical path, where the tiles run in
// parallel: a tile of the first column group takes 480 ns + its 96 bytes
// (48 ns), its accumulate 36 ops + 72 bytes = 72 ns -> 600 ns (the second
// column group finishes at 480 + 36 + 48 = 564 ns); then the relu: 690 ns.
// CHECK:      "layers": [
// CHECK:          "adc_bits": 5,
// CHECK:          "adc_conversions": 1440,
// CHECK:          "bytes_moved": 600,
// CHECK:          "crossbars": 6,
// CHECK:          "dac_cycles": 240,
// CHECK:          "digital_ops": 60,
// CHECK:          "energy": {
// CHECK-NEXT:       "adc": 5760,
// CHECK-NEXT:       "buffer": 37.5,
// CHECK-NEXT:       "cell": 1440,
// CHECK-NEXT:       "dac": 480,
// CHECK-NEXT:       "digital": 7.5,
// CHECK-NEXT:       "memory": 600,
// CHECK-NEXT:       "program": 0,
// CHECK-NEXT:       "shift_add": 360
// CHECK-NEXT:     },
// CHECK-NEXT:     "energy_pj": 8685,
// CHECK:          "input_popcount": 240,
// CHECK:          "kind": "crossbar",
// CHECK:          "latency_ns": 840,
// CHECK:          "mvm_ns": 480,
// CHECK:          "name": "fc",
// CHECK:          "tiles": 6,
// CHECK:          "utilization": 0.625,
// CHECK:          "energy_pj": 131.25,
// CHECK:          "kind": "digital",
// CHECK:          "latency_ns": 90,
// CHECK:          "name": "act",
// CHECK:      "model": "cim",
// CHECK:      "target": "small",
// CHECK:      "total": {
// CHECK:        "adc_conversions": 1440,
// CHECK:        "available_crossbars": 8,
// CHECK:        "crossbars": 6,
// CHECK:        "energy_pj": 8816.25,
// CHECK:        "latency_ns": 690,
// CHECK:        "utilization": 0.625,

// The bit-sliced form costs the same crossbar work; encode/decode and the
// offset correction add digital work.
// SLICED: "adc_bits": 5,
// SLICED-NEXT: "adc_conversions": 1440,
// SLICED: "dac_cycles": 240,
// SLICED: "mvm_ns": 480,
// SLICED: "utilization": 0.625,

// TABLE: cost model 'cim' on target 'small'
// TABLE: layer{{.*}}K{{.*}}N{{.*}}P W/A/ADC xbars util dac cycles conversions latency us energy nJ
// TABLE: fc                               20      5       6   4/4/5      6  62.5%          240           1440        0.840        8.685
// TABLE: act                               0      0       0       -      0   0.0%            0              0        0.090        0.131
// TABLE: total                             0      0       0       -      6  62.5%          240           1440        0.690        8.816
// TABLE: crossbars available: 8, energy by component (nJ): dac 0.480, cell 1.440, adc 5.760

// At the graph level the layer is tiled on the fly with the default options:
// no accumulates yet, the same crossbar work.
// GRAPH: "adc_conversions": 1440,
// GRAPH: "crossbars": 6,
// GRAPH: "digital_ops": 0,
module attributes {cim.target = #cim.target<name = "small", rows = 8, cols = 8, parallel_rows = 4, cell_bits = 2, dac_bits = 1, adc = <mode = full_range, bits = 4, min_bits = 2, max_bits = 6>, weight_sign = offset, input_sign = unsigned, cores = 2, crossbars_per_core = 4, latency = <mvm_cycle = 10.0, program_crossbar = 1000.0, digital_op = 1.0, memory_byte = 0.5, sync = 0.0>, energy = <dac = 1.0, cell = 0.5, adc = 2.0, shift_add = 0.25, digital_op = 0.125, buffer_byte = 0.0625, memory_byte = 1.0, program_cell = 3.0>>} {
  func.func @main(%x: tensor<6x20xf32>) -> tensor<6x5xf32> {
    %w = cim.constant dense<0.25> : tensor<20x5xf32>
    %y = cim.mvm %x, %w {precision = #cim.precision<weight_bits = 4, act_bits = 4, adc_bits = 5>} : tensor<6x20xf32>, tensor<20x5xf32> -> tensor<6x5xf32> loc("fc")
    %r = cim.relu %y : tensor<6x5xf32> loc("act")
    return %r : tensor<6x5xf32>
  }
}
