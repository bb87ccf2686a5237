// RUN: cim-opt %s --cim-fold-batchnorm --split-input-file | FileCheck %s

// s = gamma / sqrt(var + eps) = [1/2, 2/1]; W' = W * s[f];
// b' = (b - mean) * s + beta = [(1 - 1)/2 + 0.5, (0.5 - 0.5) * 2 + 0].
// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x2x2xf32>)
// CHECK-DAG: %[[W:.*]] = cim.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}-2.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = cim.constant dense<[5.000000e-01, 0.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = cim.conv2d %[[X]], %[[W]], %[[B]] {precision = #cim.precision<weight_bits = 4, act_bits = 4>} : tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32> -> tensor<1x2x2x2xf32>
// CHECK-NOT: cim.batch_norm
// CHECK: return %[[Y]]
func.func @conv(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = cim.constant dense<[[[[2.0]]], [[[-1.0]]]]> : tensor<2x1x1x1xf32>
  %b = cim.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %g = cim.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %be = cim.constant dense<[0.5, 0.0]> : tensor<2xf32>
  %m = cim.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %v = cim.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %c = cim.conv2d %x, %w, %b {precision = #cim.precision<weight_bits = 4, act_bits = 4>}
      : tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32> -> tensor<1x2x2x2xf32>
  %y = cim.batch_norm %c, %g, %be, %m, %v {epsilon = 1.0 : f32}
      : tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32> -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// A gemm's channels are its columns: s = [1, 1/2], b' = [-1, 0].
// CHECK-LABEL: func.func @gemm
// CHECK-DAG: %[[W:.*]] = cim.constant dense<{{\[}}[1.000000e+00, 1.000000e+00], [3.000000e+00, 2.000000e+00], [5.000000e+00, 3.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG: %[[B:.*]] = cim.constant dense<[-1.000000e+00, 0.000000e+00]> : tensor<2xf32>
// CHECK: cim.gemm %{{.*}}, %[[W]], %[[B]] : tensor<1x3xf32>, tensor<3x2xf32>, tensor<2xf32> -> tensor<1x2xf32>
// CHECK-NOT: cim.batch_norm
func.func @gemm(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = cim.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %g = cim.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %be = cim.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %m = cim.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %v = cim.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %c = cim.gemm %x, %w : tensor<1x3xf32>, tensor<3x2xf32> -> tensor<1x2xf32>
  %y = cim.batch_norm %c, %g, %be, %m, %v {epsilon = 1.0 : f32}
      : tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32> -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// The conv result has another user: folding would change what it sees.
// CHECK-LABEL: func.func @shared
// CHECK: cim.conv2d
// CHECK: cim.batch_norm
func.func @shared(%x: tensor<1x1x2x2xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) {
  %w = cim.constant dense<2.0> : tensor<1x1x1x1xf32>
  %p = cim.constant dense<1.0> : tensor<1xf32>
  %c = cim.conv2d %x, %w : tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32> -> tensor<1x1x2x2xf32>
  %y = cim.batch_norm %c, %p, %p, %p, %p : tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32> -> tensor<1x1x2x2xf32>
  return %c, %y : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
}

// -----

// Weights that are not constants cannot be folded.
// CHECK-LABEL: func.func @dynamic_weight
// CHECK: cim.batch_norm
func.func @dynamic_weight(%x: tensor<1x1x2x2xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32> {
  %p = cim.constant dense<1.0> : tensor<1xf32>
  %c = cim.conv2d %x, %w : tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32> -> tensor<1x1x2x2xf32>
  %y = cim.batch_norm %c, %p, %p, %p, %p : tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32> -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

// Depthwise: filter f of a [F, 1, kh, kw] weight is scaled by s[f].
// s = [1, 0.5] (var = 0, eps = 1, gamma = [1, 0.5]).
// CHECK-LABEL: func.func @depthwise
// CHECK: cim.constant dense<{{\[\[\[}}[1.000000e+00, 2.000000e+00]]], {{\[\[\[}}1.500000e+00, 2.000000e+00]]]]> : tensor<2x1x1x2xf32>
// CHECK: cim.conv2d {{.*}}groups = 2 : i64
func.func @depthwise(%x: tensor<1x2x1x2xf32>) -> tensor<1x2x1x1xf32> {
  %w = cim.constant dense<[[[[1.0, 2.0]]], [[[3.0, 4.0]]]]> : tensor<2x1x1x2xf32>
  %g = cim.constant dense<[1.0, 0.5]> : tensor<2xf32>
  %z = cim.constant dense<0.0> : tensor<2xf32>
  %c = cim.conv2d %x, %w {groups = 2 : i64} : tensor<1x2x1x2xf32>, tensor<2x1x1x2xf32> -> tensor<1x2x1x1xf32>
  %y = cim.batch_norm %c, %g, %z, %z, %z {epsilon = 1.0 : f32} : tensor<1x2x1x1xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32> -> tensor<1x2x1x1xf32>
  return %y : tensor<1x2x1x1xf32>
}
