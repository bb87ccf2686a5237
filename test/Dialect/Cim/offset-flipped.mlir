// RUN: cim-opt %s --split-input-file | cim-opt --split-input-file | FileCheck %s --check-prefix=ROUND
// RUN: cim-opt %s --split-input-file --cim-tile-crossbar --cim-bit-slice | FileCheck %s
// RUN: cim-opt %s --cim-tile-crossbar --cim-report=json -o /dev/null | FileCheck %s --check-prefix=REPORT

// The cost model charges the flip correction: one multiply-subtract per
// input vector, row group and output column (5 x 2 x 2).
// REPORT: "total": {
// REPORT: "digital_ops": 20,

// ISAAC's flipped columns (`offset_flipped`): the enum parses and prints,
// in the target and on cim.cell_slices.
// ROUND: weight_sign = offset_flipped
// ROUND-LABEL: func.func @slices
// ROUND: cim.cell_slices {{.*}}sign = #cim<weight_sign offset_flipped>{{.*}} -> tensor<2x6x2xi8>

// Bit-sliced, the tile is an offset one (W4 = 2 slices of 2 bits, +8
// offset, corrected digitally), and the ADC's lossless width halves with
// the flip: 4 rows x 3 (2-bit DAC) x floor(4 x 3 / 2) = 18 -> 5 bits (36 ->
// 6 bits without it), so the target's 5-bit ADC converts exactly.
// CHECK-LABEL: func.func @offset_flipped
// CHECK: cim.cell_slices {{.*}}sign = #cim<weight_sign offset_flipped>, widths = array<i64: 2, 2>} : tensor<6x2xi32> -> tensor<2x6x2xi8>
// CHECK: cim.adc %{{.*}} {bits = 5 : i64, lossless_bits = 5 : i64, mode = #cim<adc_mode full_range>}
// CHECK: cim.offset_correct {{.*}}weight_offset = 8 : i64}
module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 8, parallel_rows = 4, cell_bits = 2, dac_bits = 2, adc = <mode = full_range, bits = 5, min_bits = 2, max_bits = 8>, weight_sign = offset_flipped, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @offset_flipped(%x: tensor<5x6xf32>) -> tensor<5x2xf32> {
    %w = cim.constant dense<0.25> : tensor<6x2xf32>
    %y = cim.mvm %x, %w {precision = #cim.precision<weight_bits = 4, act_bits = 3>} : tensor<5x6xf32>, tensor<6x2xf32> -> tensor<5x2xf32>
    return %y : tensor<5x2xf32>
  }
  func.func @slices(%q: tensor<6x2xi32>) -> tensor<2x6x2xi8> {
    %c = cim.cell_slices %q {rows = array<i64: 0, 6>, columns = array<i64: 0, 2>, bits = 4 : i64, widths = array<i64: 2, 2>, sign = #cim<weight_sign offset_flipped>} : tensor<6x2xi32> -> tensor<2x6x2xi8>
    return %c : tensor<2x6x2xi8>
  }
}
