// RUN: cim-opt %s --cim-compile-pipeline="target=isaac precision=w4a8 bit-slice=true" | FileCheck %s
// RUN: cim-opt %s --cim-graph-pipeline="target=isaac" --cim-mapped-pipeline="precision=w4a8 bit-slice=true" | FileCheck %s
// RUN: cim-opt %s --pass-pipeline="builtin.module(cim-compile-pipeline{target=isaac precision=w4a8 bit-slice=true})" | FileCheck %s
// RUN: mlir-opt %s --load-dialect-plugin=%cim_libs/CimPlugin%shlibext --load-pass-plugin=%cim_libs/CimPlugin%shlibext --pass-pipeline="builtin.module(cim-compile-pipeline{target=isaac precision=w4a8 bit-slice=true})" | FileCheck %s

// By default the pipeline goes on to the instruction level, the same from
// cim-opt, stage by stage, and upstream mlir-opt with the plugin.
// RUN: cim-opt %s --cim-compile-pipeline="target=isaac precision=w4a8" | FileCheck %s --check-prefix=ISA
// RUN: cim-opt %s --cim-graph-pipeline="target=isaac" --cim-mapped-pipeline="precision=w4a8" --cim-isa-pipeline | FileCheck %s --check-prefix=ISA
// RUN: mlir-opt %s --load-dialect-plugin=%cim_libs/CimPlugin%shlibext --load-pass-plugin=%cim_libs/CimPlugin%shlibext --pass-pipeline="builtin.module(cim-compile-pipeline{target=isaac precision=w4a8})" | FileCheck %s --check-prefix=ISA
// ISA: %[[C:.*]] = cim.constant dense<{{.*}}> : tensor<18x4xi32>
// ISA-NEXT: %[[W:.*]] = cim.isa.program %[[C]] {cim.core = 0 : i64, crossbars = array<i64: 0>} : tensor<18x4xi32>
// ISA: cim.im2col
// ISA: %[[X:.*]] = cim.isa.encode %{{.*}} {cim.core = 0 : i64, max = 255 : i64, min = 0 : i64} : tensor<16x18xf32> -> tensor<16x18xi32>
// ISA: %[[A:.*]] = cim.isa.mvm %[[X]], %[[W]] {cim.core = 0 : i64, crossbars = array<i64: 0>, footprint = array<i64: 18, 9>, groups = 1 : i64, precision = #cim.precision<weight_bits = 4, act_bits = 8>, rows = array<i64: 0, 18>, stream = 0 : i64}
// ISA: cim.isa.decode %[[A]], %[[X]] {cim.core = 0 : i64, scales = array<f64:
// ISA-NOT: cim.tile
// ISA-NOT: cim.batch_norm
// RUN: not cim-opt %s --cim-compile-pipeline="target=isaac precision=eight" 2>&1 | FileCheck %s --check-prefix=BAD

// Graph level to mapped level in one named pipeline: batch norm folded,
// the convolution lowered, tiled (K = 2*3*3 = 18 rows, W4 on 2-bit cells:
// 2 slices + reference column), bit-sliced and placed on crossbar 0.
// CHECK: module attributes {cim.target = #cim.target<name = "isaac"
// CHECK-NOT: cim.batch_norm
// CHECK-NOT: cim.conv2d
// CHECK: cim.im2col
// CHECK: cim.dac_cycles {{.*}} -> tensor<8x16x18xi8>
// CHECK: cim.cell_slices {{.*}}sign = #cim<weight_sign offset_flipped>{{.*}} -> tensor<2x18x4xi8>
// CHECK: cim.crossbar_mvm {{.*}}crossbars = array<i64: 0>, footprint = array<i64: 18, 9>{{.*}}precision = #cim.precision<weight_bits = 4, act_bits = 8>
// isaac flips heavy columns: 128 rows x 3 / 2 = 192 needs 8 bits, not 9.
// CHECK: cim.adc {{.*}}bits = 8 : i64, lossless_bits = 8 : i64, mode = #cim<adc_mode full_range>
// CHECK: cim.shift_add
// CHECK: cim.offset_correct
// CHECK: cim.decode
// BAD: cim pipeline: precision must look like 'w8a8', got 'eight'
// RUN: not cim-opt %s --cim-compile-pipeline="target=isaac precision=w12a8" 2>&1 | FileCheck %s --check-prefix=BITS
// BITS: error: 'cim.mvm' op cannot take the default precision (weight-bits=12, act-bits=8): weight_bits must be in [2, 8], got 12
func.func @main(%x: tensor<1x2x6x6xf32>) -> tensor<1x4x4x4xf32> {
  %w = cim.constant dense<0.5> : tensor<4x2x3x3xf32>
  %c = cim.conv2d %x, %w : tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32> -> tensor<1x4x4x4xf32>
  %g = cim.constant dense<2.0> : tensor<4xf32>
  %b = cim.constant dense<0.1> : tensor<4xf32>
  %m = cim.constant dense<0.0> : tensor<4xf32>
  %v = cim.constant dense<1.0> : tensor<4xf32>
  %y = cim.batch_norm %c, %g, %b, %m, %v : tensor<1x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}
