// Found by fuzz-mlir: a batch norm with zero variance and epsilon folds to
// infinite weights, whose quantization converted NaN to int64 (UBSan). The
// numerics now saturate, and lowering to instructions names the weight.
// RUN: not cim-opt %s --cim-compile-pipeline="target=isaac precision=w8a8" 2>&1 | FileCheck %s
// CHECK: error: 'cim.tile' op weight element {{[0-9]+}} of the {{[0-9]+}}x{{[0-9]+}} matrix is {{.*}}; crossbar weights must be finite
func.func @depthwise(%x: tensor<1x2x1x2xf32>) -> tensor<1x2x1x1xf32> {
  %w = cim.constant dense<[[[[1.0, 2.0]]], [[[3.0, 4.0]]]]> : tensor<2x1x1x2xf32>
  %g = cim.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %z = cim.constant dense<0.0> : tensor<2xf32>
  %c = cim.conv2d %x, %w {groups = 2 : i64} : tensor<1x2x1x2xf32>, tensor<2x1x1x2xf32> -> tensor<1x2x1x1xf32>
  %y = cim.batch_norm %c, %g, %z, %z, %z {epsilon = 0.0 : f32} : tensor<1x2x1x1xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32> -> tensor<1x2x1x1xf32>
  return %y : tensor<1x2x1x1xf32>
}
