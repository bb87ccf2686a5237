// RUN: cim-opt %s --cim-lower-conv --cim-tile-crossbar --cim-map | FileCheck %s
// RUN: cim-opt %s --cim-lower-conv --cim-tile-crossbar=pack=false --cim-map | FileCheck %s --check-prefix=NOPACK
// RUN: cim-opt %s --cim-lower-conv --cim-tile-crossbar --cim-map | cim-opt --cim-report=json -o /dev/null | FileCheck %s --check-prefix=REPORT
// RUN: cim-opt %s --cim-lower-conv --cim-tile-crossbar --cim-bit-slice --cim-map | FileCheck %s --check-prefix=SLICED

// A depthwise convolution: 4 groups with a 9 x 1 matrix each. W4 two's
// complement on 4-bit cells: 3 magnitude bits in one slice + a sign plane,
// 2 columns per output; a group takes 9 x 2 cells. Two groups fit along the
// diagonal of a 20 x 16 crossbar (rows 0-8 / 9-17, columns 0-1 / 2-3): they
// share it, driven in the same cycles, and the layer needs 2 crossbars:
// 4 * 9 * 2 = 72 used cells of 2 * 20 * 16 = 640, utilization 0.1125.
// CHECK-COUNT-2: cim.tile {{.*}}bundle = 0 : i64, {{.*}}crossbars = array<i64: 0>
// CHECK-NOT: bundle = 0
// CHECK: cim.tile {{.*}}bundle = 1 : i64, {{.*}}crossbars = array<i64: 1>, {{.*}}origin = array<i64: 0, 0>
// CHECK: cim.tile {{.*}}bundle = 1 : i64, {{.*}}crossbars = array<i64: 1>, {{.*}}origin = array<i64: 9, 2>
// NOPACK-NOT: bundle
// NOPACK: crossbars = array<i64: 3>
// Per crossbar: two groups of 9 x 2 cells each on 20 x 16 = 0.1125.
// REPORT: "crossbars": [
// REPORT-NEXT: {
// REPORT-NEXT: "crossbar": 0,
// REPORT-NEXT: "epoch": 0,
// REPORT-NEXT: "utilization": 0.1125
// REPORT: "crossbar": 1,
// REPORT-NEXT: "epoch": 0,
// REPORT-NEXT: "utilization": 0.1125
// REPORT: "crossbars": 2,
// REPORT: "tiles": 4,
// REPORT: "utilization": 0.1125
// SLICED: cim.crossbar_mvm {{.*}}bundle = 1 : i64, {{.*}}origin = array<i64: 9, 2>
module attributes {cim.target = #cim.target<name = "t", rows = 20, cols = 16, parallel_rows = 20, cell_bits = 4, dac_bits = 1, adc = <mode = ideal>, weight_sign = twos_complement, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @depthwise(%x: tensor<1x4x4x4xf32>) -> tensor<1x4x2x2xf32> {
    %w = cim.constant dense<0.5> : tensor<4x1x3x3xf32>
    %y = cim.conv2d %x, %w {groups = 4 : i64, precision = #cim.precision<weight_bits = 4, act_bits = 4>} : tensor<1x4x4x4xf32>, tensor<4x1x3x3xf32> -> tensor<1x4x2x2xf32>
    return %y : tensor<1x4x2x2xf32>
  }
}
