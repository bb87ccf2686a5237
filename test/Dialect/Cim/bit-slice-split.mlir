// RUN: cim-opt %s --cim-tile-crossbar=slices=1,2 | FileCheck %s --check-prefix=TILE
// RUN: cim-opt %s --cim-tile-crossbar=slices=1,2 --cim-bit-slice | FileCheck %s
// RUN: not cim-opt %s --cim-tile-crossbar=slices=2,2 2>&1 | FileCheck %s --check-prefix=BAD

// An explicit split of the 3 magnitude bits of W4 differential weights, least
// significant first: a 1-bit and a 2-bit slice. It travels on the tile.
// TILE: cim.tile {{.*}}slices = array<i64: 1, 2>
// CHECK: cim.cell_slices {{.*}}widths = array<i64: 1, 2>} : tensor<4x3xi32> -> tensor<4x4x3xi8>
// CHECK: cim.shift_add {{.*}}plane_shifts = array<i64: 0, 1, 0, 1>, plane_signs = array<i64: 1, 1, -1, -1>}
// BAD: error: 'cim.mvm' op cannot be tiled on target 't': crossbar config: slice widths add up to 4 bits, the encoded weights have 3
module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 16, parallel_rows = 8, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = differential_columns, input_sign = twos_complement, cores = 1, crossbars_per_core = 4>} {
  func.func @differential(%x: tensor<3x4xf32>) -> tensor<3x3xf32> {
    %w = cim.constant dense<0.25> : tensor<4x3xf32>
    %y = cim.mvm %x, %w {precision = #cim.precision<weight_bits = 4, act_bits = 4>} : tensor<3x4xf32>, tensor<4x3xf32> -> tensor<3x3xf32>
    return %y : tensor<3x3xf32>
  }
}
