// RUN: cim-opt %s --convert-linalg-to-cim --split-input-file | FileCheck %s

// NCHW convolution: the zero tensor.pad folds into pads, the zero fill into
// a bias-less cim.conv2d; no transposes are needed.
// CHECK-LABEL: func.func @conv_nchw
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x5x5xf32>)
// CHECK: %[[W:.*]] = cim.constant dense<1.000000e+00> : tensor<3x2x3x3xf32>
// CHECK: %[[Y:.*]] = cim.conv2d %[[X]], %[[W]] {dilations = array<i64: 2, 1>, pads = array<i64: 2, 1, 2, 1>, strides = array<i64: 1, 2>} : tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32> -> tensor<1x3x5x3xf32>
// CHECK: return %[[Y]]
// CHECK-NOT: linalg.
// CHECK-NOT: tensor.
func.func @conv_nchw(%x: tensor<1x2x5x5xf32>) -> tensor<1x3x5x3xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<1.0> : tensor<3x2x3x3xf32>
  %p = tensor.pad %x low[0, 0, 2, 1] high[0, 0, 2, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x2x5x5xf32> to tensor<1x2x9x7xf32>
  %e = tensor.empty() : tensor<1x3x5x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x5x3xf32>) -> tensor<1x3x5x3xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<[2, 1]> : tensor<2xi64>, strides = dense<[1, 2]> : tensor<2xi64>}
      ins(%p, %w : tensor<1x2x9x7xf32>, tensor<3x2x3x3xf32>) outs(%f : tensor<1x3x5x3xf32>) -> tensor<1x3x5x3xf32>
  return %y : tensor<1x3x5x3xf32>
}

// -----

// NHWC / HWCF: transposes into NCHW and back, the HWCF weight transposed to
// FCHW at compile time (w[h, w, c, f] = 1000 f + 100 c + 10 h + w), and the
// broadcast bias init becomes the conv's bias.
// CHECK-LABEL: func.func @conv_nhwc_hwcf
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x3x2xf32>)
// CHECK-DAG: %[[W:.*]] = cim.constant dense<{{\[\[\[}}[0.000000e+00, 1.000000e+00], [1.000000e+01, 1.100000e+01]], {{\[\[}}1.000000e+02, 1.010000e+02], [1.100000e+02, 1.110000e+02]]], {{\[\[\[}}1.000000e+03, 1.001000e+03], [1.010000e+03, 1.011000e+03]], {{\[\[}}1.100000e+03, 1.101000e+03], [1.110000e+03, 1.111000e+03]]]]> : tensor<2x2x2x2xf32>
// CHECK-DAG: %[[B:.*]] = cim.constant dense<[5.000000e-01, -5.000000e-01]> : tensor<2xf32>
// CHECK: %[[T:.*]] = cim.transpose %[[X]] {permutation = array<i64: 0, 3, 1, 2>} : tensor<1x3x3x2xf32> -> tensor<1x2x3x3xf32>
// CHECK: %[[C:.*]] = cim.conv2d %[[T]], %[[W]], %[[B]] : tensor<1x2x3x3xf32>, tensor<2x2x2x2xf32>, tensor<2xf32> -> tensor<1x2x2x2xf32>
// CHECK: %[[Y:.*]] = cim.transpose %[[C]] {permutation = array<i64: 0, 2, 3, 1>} : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xf32>
// CHECK: return %[[Y]]
// CHECK-NOT: linalg.
#bias = affine_map<(d0, d1, d2, d3) -> (d3)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @conv_nhwc_hwcf(%x: tensor<1x3x3x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<[[[[0.0, 1000.0], [100.0, 1100.0]], [[1.0, 1001.0], [101.0, 1101.0]]],
                             [[[10.0, 1010.0], [110.0, 1110.0]], [[11.0, 1011.0], [111.0, 1111.0]]]]> : tensor<2x2x2x2xf32>
  %b = arith.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %e = tensor.empty() : tensor<1x2x2x2xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<2xf32>) outs(%e : tensor<1x2x2x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x2x2x2xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x3x3x2xf32>, tensor<2x2x2x2xf32>) outs(%init : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// NHWC / FHWC (what tosa-to-linalg-named emits), with a linalg.broadcast
// bias and a ReLU between two convolutions: the transposes in the middle
// cancel once the ReLU is crossed.
// CHECK-LABEL: func.func @conv_relu_conv
// CHECK: %[[T:.*]] = cim.transpose %{{.*}} {permutation = array<i64: 0, 3, 1, 2>}
// CHECK: %[[C1:.*]] = cim.conv2d %[[T]], %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>} : tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>, tensor<3xf32> -> tensor<1x3x4x4xf32>
// CHECK: %[[R:.*]] = cim.relu %[[C1]] : tensor<1x3x4x4xf32>
// CHECK: %[[C2:.*]] = cim.conv2d %[[R]], %{{.*}}, %{{.*}} : tensor<1x3x4x4xf32>, tensor<2x3x1x1xf32>, tensor<2xf32> -> tensor<1x2x4x4xf32>
// CHECK: %[[Y:.*]] = cim.transpose %[[C2]] {permutation = array<i64: 0, 2, 3, 1>}
// CHECK: return %[[Y]]
// CHECK-NOT: linalg.
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @conv_relu_conv(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32> {
  %zero = arith.constant 0.0 : f32
  %w1 = arith.constant dense<0.25> : tensor<3x3x3x2xf32>
  %b1 = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %w2 = arith.constant dense<0.5> : tensor<2x1x1x3xf32>
  %b2 = arith.constant dense<[-1.0, 1.0]> : tensor<2xf32>
  %p = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x2xf32> to tensor<1x6x6x2xf32>
  %e1 = tensor.empty() : tensor<1x4x4x3xf32>
  %i1 = linalg.broadcast ins(%b1 : tensor<3xf32>) outs(%e1 : tensor<1x4x4x3xf32>) dimensions = [0, 1, 2]
  %c1 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%p, %w1 : tensor<1x6x6x2xf32>, tensor<3x3x3x2xf32>) outs(%i1 : tensor<1x4x4x3xf32>) -> tensor<1x4x4x3xf32>
  %e2 = tensor.empty() : tensor<1x4x4x3xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c1 : tensor<1x4x4x3xf32>) outs(%e2 : tensor<1x4x4x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x4x4x3xf32>
  %e3 = tensor.empty() : tensor<1x4x4x2xf32>
  %i2 = linalg.broadcast ins(%b2 : tensor<2xf32>) outs(%e3 : tensor<1x4x4x2xf32>) dimensions = [0, 1, 2]
  %c2 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%r, %w2 : tensor<1x4x4x3xf32>, tensor<2x1x1x3xf32>) outs(%i2 : tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xf32>
  return %c2 : tensor<1x4x4x2xf32>
}

// -----

// Depthwise HWC: one group per channel, weight [c, 1, h, w]; the bias comes
// from the elementwise add that follows (as tosa-to-linalg emits it).
// CHECK-LABEL: func.func @depthwise_hwc
// CHECK-DAG: %[[W:.*]] = cim.constant dense<{{\[\[\[}}[1.000000e+00, 3.000000e+00]]], {{\[\[\[}}2.000000e+00, 4.000000e+00]]]]> : tensor<2x1x1x2xf32>
// CHECK-DAG: %[[B:.*]] = cim.constant dense<[1.000000e+01, 2.000000e+01]> : tensor<2xf32>
// CHECK: %[[C:.*]] = cim.conv2d %{{.*}}, %[[W]], %[[B]] {groups = 2 : i64} : tensor<1x2x3x3xf32>, tensor<2x1x1x2xf32>, tensor<2xf32> -> tensor<1x2x3x2xf32>
// CHECK-NOT: cim.add
// CHECK-NOT: linalg.
#bias = affine_map<(d0, d1, d2, d3) -> (d3)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @depthwise_hwc(%x: tensor<1x3x3x2xf32>) -> tensor<1x3x2x2xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<[[[1.0, 2.0], [3.0, 4.0]]]> : tensor<1x2x2xf32>
  %b = arith.constant dense<[10.0, 20.0]> : tensor<2xf32>
  %e = tensor.empty() : tensor<1x3x2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32>
  %c = linalg.depthwise_conv_2d_nhwc_hwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x3x3x2xf32>, tensor<1x2x2xf32>) outs(%f : tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32>
  %e2 = tensor.empty() : tensor<1x3x2x2xf32>
  %y = linalg.generic {indexing_maps = [#bias, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b, %c : tensor<2xf32>, tensor<1x3x2x2xf32>) outs(%e2 : tensor<1x3x2x2xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %s = arith.addf %in, %in2 : f32
    linalg.yield %s : f32
  } -> tensor<1x3x2x2xf32>
  return %y : tensor<1x3x2x2xf32>
}

// -----

// Depthwise HWCM with multiplier 2: output channel c * 2 + m, weight
// [c * 2 + m, 1, h, w] (w[0, 0, c, m] = 10 c + m).
// CHECK-LABEL: func.func @depthwise_hwcm
// CHECK-DAG: %[[W:.*]] = cim.constant dense<{{\[\[\[}}[0.000000e+00]]], {{\[\[\[}}1.000000e+00]]], {{\[\[\[}}1.000000e+01]]], {{\[\[\[}}1.100000e+01]]]]> : tensor<4x1x1x1xf32>
// CHECK: %[[C:.*]] = cim.conv2d %{{.*}}, %[[W]] {groups = 2 : i64} : tensor<1x2x2x2xf32>, tensor<4x1x1x1xf32> -> tensor<1x4x2x2xf32>
// CHECK: %[[T:.*]] = cim.transpose %[[C]] {permutation = array<i64: 0, 2, 3, 1>} : tensor<1x4x2x2xf32> -> tensor<1x2x2x4xf32>
// CHECK: cim.reshape %[[T]] : tensor<1x2x2x4xf32> -> tensor<1x2x2x2x2xf32>
// CHECK-NOT: linalg.
func.func @depthwise_hwcm(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2x2xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<[[[[0.0, 1.0], [10.0, 11.0]]]]> : tensor<1x1x2x2xf32>
  %e = tensor.empty() : tensor<1x2x2x2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x2x2x2xf32>) -> tensor<1x2x2x2x2xf32>
  %c = linalg.depthwise_conv_2d_nhwc_hwcm {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x2x2x2xf32>, tensor<1x1x2x2xf32>) outs(%f : tensor<1x2x2x2x2xf32>) -> tensor<1x2x2x2x2xf32>
  return %c : tensor<1x2x2x2x2xf32>
}

// -----

// Max pools: NCHW with -inf padding folded into pads; NHWC with the
// lowest-float fill tosa-to-linalg uses.
// CHECK-LABEL: func.func @max_pools
// CHECK: cim.max_pool2d %{{.*}} {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x2x6x6xf32> -> tensor<1x2x3x3xf32>
// CHECK: %[[T:.*]] = cim.transpose %{{.*}} {permutation = array<i64: 0, 3, 1, 2>} : tensor<1x4x4x2xf32> -> tensor<1x2x4x4xf32>
// CHECK: %[[P:.*]] = cim.max_pool2d %[[T]] {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
// CHECK: cim.transpose %[[P]] {permutation = array<i64: 0, 2, 3, 1>}
// CHECK-NOT: linalg.
// CHECK-NOT: tensor.
func.func @max_pools(%x: tensor<1x2x6x6xf32>, %z: tensor<1x4x4x2xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x2x2xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  %lowest = arith.constant -3.40282347E+38 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %ninf : f32
  } : tensor<1x2x6x6xf32> to tensor<1x2x8x8xf32>
  %e = tensor.empty() : tensor<1x2x3x3xf32>
  %f = linalg.fill ins(%ninf : f32) outs(%e : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %k = tensor.empty() : tensor<3x3xf32>
  %y = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%p, %k : tensor<1x2x8x8xf32>, tensor<3x3xf32>) outs(%f : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %e2 = tensor.empty() : tensor<1x2x2x2xf32>
  %f2 = linalg.fill ins(%lowest : f32) outs(%e2 : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %k2 = tensor.empty() : tensor<2x2xf32>
  %y2 = linalg.pooling_nhwc_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%z, %k2 : tensor<1x4x4x2xf32>, tensor<2x2xf32>) outs(%f2 : tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %y, %y2 : tensor<1x2x3x3xf32>, tensor<1x2x2x2xf32>
}

// -----

// A sum pool divided by the window size is an average pool; over the whole
// input it is a global average pool.
// CHECK-LABEL: func.func @avg_pools
// CHECK: cim.avg_pool2d %{{.*}} {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x3x4x4xf32> -> tensor<1x3x2x2xf32>
// CHECK: cim.global_avg_pool2d %{{.*}} : tensor<1x3x4x4xf32> -> tensor<1x3x1x1xf32>
// CHECK-NOT: linalg.
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @avg_pools(%x: tensor<1x4x4x3xf32>) -> (tensor<1x2x2x3xf32>, tensor<1x1x1x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %four = arith.constant 4.0 : f32
  %c16 = arith.constant 16 : i32
  %e = tensor.empty() : tensor<1x2x2x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %k = tensor.empty() : tensor<2x2xf32>
  %s = linalg.pooling_nhwc_sum {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%x, %k : tensor<1x4x4x3xf32>, tensor<2x2xf32>) outs(%f : tensor<1x2x2x3xf32>) -> tensor<1x2x2x3xf32>
  %y = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s : tensor<1x2x2x3xf32>) outs(%e : tensor<1x2x2x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %four : f32
    linalg.yield %d : f32
  } -> tensor<1x2x2x3xf32>
  %e2 = tensor.empty() : tensor<1x1x1x3xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<1x1x1x3xf32>) -> tensor<1x1x1x3xf32>
  %k2 = tensor.empty() : tensor<4x4xf32>
  %s2 = linalg.pooling_nhwc_sum {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
      ins(%x, %k2 : tensor<1x4x4x3xf32>, tensor<4x4xf32>) outs(%f2 : tensor<1x1x1x3xf32>) -> tensor<1x1x1x3xf32>
  %y2 = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s2 : tensor<1x1x1x3xf32>) outs(%e2 : tensor<1x1x1x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.sitofp %c16 : i32 to f32
    %d = arith.divf %in, %n : f32
    linalg.yield %d : f32
  } -> tensor<1x1x1x3xf32>
  return %y, %y2 : tensor<1x2x2x3xf32>, tensor<1x1x1x3xf32>
}

// -----

// Matrix products: a constant right operand makes a cim.gemm (2-D, batch
// 1 reshaped), with the bias from a broadcast init or from the add that
// follows; two activations make a cim.matmul.
// CHECK-LABEL: func.func @matmuls
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3x4xf32>, %[[C:.*]]: tensor<1x2x3xf32>, %[[D:.*]]: tensor<2x2x3xf32>, %[[E:.*]]: tensor<2x3x4xf32>)
// CHECK-DAG: %[[W:.*]] = cim.constant dense<1.000000e+00> : tensor<3x4xf32>
// CHECK-DAG: %[[BIAS:.*]] = cim.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
// CHECK-DAG: %[[BIAS2:.*]] = cim.constant dense<[5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00]> : tensor<4xf32>
// CHECK: %[[G1:.*]] = cim.gemm %[[A]], %[[W]], %[[BIAS]] : tensor<2x3xf32>, tensor<3x4xf32>, tensor<4xf32> -> tensor<2x4xf32>
// CHECK: %[[M:.*]] = cim.matmul %[[A]], %[[B]] : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
// CHECK: %[[R:.*]] = cim.reshape %[[C]] : tensor<1x2x3xf32> -> tensor<2x3xf32>
// CHECK: %[[G2:.*]] = cim.gemm %[[R]], %[[W]], %[[BIAS2]] : tensor<2x3xf32>, tensor<3x4xf32>, tensor<4xf32> -> tensor<2x4xf32>
// CHECK: cim.reshape %[[G2]] : tensor<2x4xf32> -> tensor<1x2x4xf32>
// CHECK: cim.matmul %[[D]], %[[E]] : tensor<2x2x3xf32>, tensor<2x3x4xf32> -> tensor<2x2x4xf32>
// CHECK-NOT: linalg.
#row = affine_map<(d0, d1) -> (d1)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#bias3 = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
func.func @matmuls(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<1x2x3xf32>, %d: tensor<2x2x3xf32>, %e: tensor<2x3x4xf32>)
    -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<1x2x4xf32>, tensor<2x2x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<1.0> : tensor<3x4xf32>
  %w3 = arith.constant dense<1.0> : tensor<1x3x4xf32>
  %bias = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %bias3 = arith.constant dense<[[[5.0, 6.0, 7.0, 8.0]]]> : tensor<1x1x4xf32>
  %e1 = tensor.empty() : tensor<2x4xf32>
  %i1 = linalg.generic {indexing_maps = [#row, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%bias : tensor<4xf32>) outs(%e1 : tensor<2x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x4xf32>
  %g1 = linalg.matmul ins(%a, %w : tensor<2x3xf32>, tensor<3x4xf32>) outs(%i1 : tensor<2x4xf32>) -> tensor<2x4xf32>
  %f2 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<2x4xf32>) -> tensor<2x4xf32>
  %m = linalg.matmul ins(%a, %b : tensor<2x3xf32>, tensor<3x4xf32>) outs(%f2 : tensor<2x4xf32>) -> tensor<2x4xf32>
  %e3 = tensor.empty() : tensor<1x2x4xf32>
  %f3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %g2 = linalg.batch_matmul ins(%c, %w3 : tensor<1x2x3xf32>, tensor<1x3x4xf32>) outs(%f3 : tensor<1x2x4xf32>) -> tensor<1x2x4xf32>
  %y2 = linalg.generic {indexing_maps = [#id3, #bias3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%g2, %bias3 : tensor<1x2x4xf32>, tensor<1x1x4xf32>) outs(%e3 : tensor<1x2x4xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %s = arith.addf %in, %in2 : f32
    linalg.yield %s : f32
  } -> tensor<1x2x4xf32>
  %e4 = tensor.empty() : tensor<2x2x4xf32>
  %f4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<2x2x4xf32>) -> tensor<2x2x4xf32>
  %bm = linalg.batch_matmul ins(%d, %e : tensor<2x2x3xf32>, tensor<2x3x4xf32>) outs(%f4 : tensor<2x2x4xf32>) -> tensor<2x2x4xf32>
  return %g1, %m, %y2, %bm : tensor<2x4xf32>, tensor<2x4xf32>, tensor<1x2x4xf32>, tensor<2x2x4xf32>
}

// -----

// Layout ops: linalg.transpose, tensor reshapes, a padding nothing absorbs,
// and a constant.
// CHECK-LABEL: func.func @layout
// CHECK: %[[K:.*]] = cim.constant dense<[1, 2]> : tensor<2xi32>
// CHECK: %[[T:.*]] = cim.transpose %{{.*}} {permutation = array<i64: 1, 0, 2>} : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
// CHECK: %[[C:.*]] = cim.reshape %[[T]] : tensor<3x2x4xf32> -> tensor<6x4xf32>
// CHECK: %[[P:.*]] = cim.pad %[[C]] {pads = array<i64: 1, 0, 0, 2>, value = 5.000000e-01 : f32} : tensor<6x4xf32> -> tensor<7x6xf32>
// CHECK: %[[R:.*]] = cim.reshape %[[V:.*]] : tensor<24xf32> -> tensor<2x12xf32>
// CHECK: return %[[P]], %[[R]], %[[V]], %[[K]]
// CHECK-NOT: linalg.
// CHECK-NOT: tensor.
// CHECK-NOT: arith.constant
func.func @layout(%x: tensor<2x3x4xf32>, %v: tensor<24xf32>) -> (tensor<7x6xf32>, tensor<2x12xf32>, tensor<24xf32>, tensor<2xi32>) {
  %half = arith.constant 0.5 : f32
  %e = tensor.empty() : tensor<3x2x4xf32>
  %t = linalg.transpose ins(%x : tensor<2x3x4xf32>) outs(%e : tensor<3x2x4xf32>) permutation = [1, 0, 2]
  %c = tensor.collapse_shape %t [[0, 1], [2]] : tensor<3x2x4xf32> into tensor<6x4xf32>
  %p = tensor.pad %c low[1, 0] high[0, 2] {
  ^bb0(%a: index, %b: index):
    tensor.yield %half : f32
  } : tensor<6x4xf32> to tensor<7x6xf32>
  %r = tensor.expand_shape %v [[0, 1]] output_shape [2, 12] : tensor<24xf32> into tensor<2x12xf32>
  %shape = arith.constant dense<24> : tensor<1xi64>
  %back = tensor.reshape %r(%shape) : (tensor<2x12xf32>, tensor<1xi64>) -> tensor<24xf32>
  %k = arith.constant dense<[1, 2]> : tensor<2xi32>
  return %p, %r, %back, %k : tensor<7x6xf32>, tensor<2x12xf32>, tensor<24xf32>, tensor<2xi32>
}

// -----

// Elementwise generics recognized by their body: binary ops with a
// broadcast operand (reshaped so numpy broadcasting applies), a clamp to
// [0, 6] (two one-sided clips merged), negation, exp, tanh and the sigmoid
// pattern tosa-to-linalg writes.
// CHECK-LABEL: func.func @elementwise
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[Y:.*]]: tensor<3xf32>)
// CHECK-DAG: %[[TWO:.*]] = cim.constant dense<2.000000e+00> : tensor<1x1xf32>
// CHECK-DAG: %[[MINUS:.*]] = cim.constant dense<-1.000000e+00> : tensor<1x1xf32>
// CHECK: %[[YR:.*]] = cim.reshape %[[Y]] : tensor<3xf32> -> tensor<1x3xf32>
// CHECK: %[[S:.*]] = cim.sub %[[X]], %[[YR]] : tensor<2x3xf32>, tensor<1x3xf32> -> tensor<2x3xf32>
// CHECK: %[[M:.*]] = cim.mul %[[S]], %[[X]] : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
// CHECK: %[[D:.*]] = cim.div %[[M]], %[[TWO]] : tensor<2x3xf32>, tensor<1x1xf32> -> tensor<2x3xf32>
// CHECK: cim.clip %[[D]] {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32} : tensor<2x3xf32>
// CHECK: %[[N:.*]] = cim.mul %[[X]], %[[MINUS]]
// CHECK: %[[E:.*]] = cim.exp %[[N]] : tensor<2x3xf32>
// CHECK: cim.tanh %[[E]] : tensor<2x3xf32>
// CHECK: cim.sigmoid %[[X]] : tensor<2x3xf32>
// CHECK-NOT: linalg.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @elementwise(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %e = tensor.empty() : tensor<2x3xf32>
  %a = linalg.generic {indexing_maps = [#id2, #row, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x, %y : tensor<2x3xf32>, tensor<3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %two = arith.constant 2.0 : f32
    %zero = arith.constant 0.0 : f32
    %six = arith.constant 6.0 : f32
    %s = arith.subf %in, %in2 : f32
    %m = arith.mulf %s, %in : f32
    %d = arith.divf %m, %two : f32
    %lo = arith.maximumf %d, %zero : f32
    %hi = arith.minimumf %lo, %six : f32
    linalg.yield %hi : f32
  } -> tensor<2x3xf32>
  %b = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    %ex = math.exp %n : f32
    %t = math.tanh %ex : f32
    linalg.yield %t : f32
  } -> tensor<2x3xf32>
  %c = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %one = arith.constant 1.0 : f32
    %n = arith.negf %in : f32
    %ex = math.exp %n : f32
    %p = arith.addf %ex, %one : f32
    %r = arith.divf %one, %p : f32
    linalg.yield %r : f32
  } -> tensor<2x3xf32>
  return %a, %b, %c : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// A module without Linalg input is left alone (the pass runs in every
// compile pipeline).
// CHECK-LABEL: func.func @cim_only
// CHECK-NEXT: %[[C:.*]] = cim.conv2d %arg0, %arg1 : tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32> -> tensor<1x1x3x3xf32>
// CHECK-NEXT: %[[A:.*]] = cim.add %[[C]], %arg2 : tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32> -> tensor<1x1x3x3xf32>
// CHECK-NEXT: return %[[A]]
func.func @cim_only(%x: tensor<1x1x3x3xf32>, %w: tensor<1x1x1x1xf32>, %b: tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32> {
  %c = cim.conv2d %x, %w : tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32> -> tensor<1x1x3x3xf32>
  %a = cim.add %c, %b : tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32> -> tensor<1x1x3x3xf32>
  return %a : tensor<1x1x3x3xf32>
}

// -----

// Named elementwise ops have the same structure as a generic: linalg.add,
// linalg.exp, linalg.elementwise, linalg.map and linalg.copy.
// CHECK-LABEL: func.func @named_elementwise
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[Y:.*]]: tensor<2x3xf32>)
// CHECK: %[[A:.*]] = cim.add %[[X]], %[[Y]] : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
// CHECK: %[[E:.*]] = cim.exp %[[A]] : tensor<2x3xf32>
// CHECK: %[[M:.*]] = cim.mul %[[E]], %[[Y]] : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
// CHECK: %[[S:.*]] = cim.sub %[[M]], %[[X]] : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
// CHECK: return %[[S]]
// CHECK-NOT: linalg.
func.func @named_elementwise(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %e = tensor.empty() : tensor<2x3xf32>
  %a = linalg.add ins(%x, %y : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %b = linalg.exp ins(%a : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %c = linalg.elementwise kind=#linalg.elementwise_kind<mul> ins(%b, %y : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %d = linalg.map ins(%c, %x : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>)
    (%p: f32, %q: f32, %o: f32) {
      %r = arith.subf %p, %q : f32
      linalg.yield %r : f32
    }
  %f = linalg.copy ins(%d : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %f : tensor<2x3xf32>
}

// -----

// linalg.matmul reading its operands transposed (indexing maps): the
// constant weight is transposed at compile time (w^T, K x N = 3 x 2, is
// [[1, 4], [2, 5], [3, 6]]).
// CHECK-LABEL: func.func @matmul_transposed
// CHECK-SAME: (%[[A:.*]]: tensor<3x2xf32>)
// CHECK: %[[W:.*]] = cim.constant dense<{{\[\[}}1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK: %[[AT:.*]] = cim.transpose %[[A]] {permutation = array<i64: 1, 0>} : tensor<3x2xf32> -> tensor<2x3xf32>
// CHECK: cim.gemm %[[AT]], %[[W]] : tensor<2x3xf32>, tensor<3x2xf32> -> tensor<2x2xf32>
// CHECK-NOT: linalg.
func.func @matmul_transposed(%a: tensor<3x2xf32>) -> tensor<2x2xf32> {
  %zero = arith.constant 0.0 : f32
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<2x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2xf32>) -> tensor<2x2xf32>
  %y = linalg.matmul indexing_maps = [affine_map<(d0, d1, d2) -> (d2, d0)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>]
      ins(%a, %w : tensor<3x2xf32>, tensor<2x3xf32>) outs(%f : tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

// Static slices and concatenation.
// CHECK-LABEL: func.func @slice_concat
// CHECK: %[[S:.*]] = cim.slice %{{.*}} {offsets = array<i64: 1, 0>, strides = array<i64: 1, 2>} : tensor<4x6xf32> -> tensor<2x3xf32>
// CHECK: %[[R:.*]] = cim.slice %{{.*}} {offsets = array<i64: 0, 1>, strides = array<i64: 1, 1>} : tensor<4x6xf32> -> tensor<1x3xf32>
// CHECK: %[[V:.*]] = cim.reshape %[[R]] : tensor<1x3xf32> -> tensor<3xf32>
// CHECK: cim.concat %[[S]], %[[S]] {axis = 0 : i64} : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<4x3xf32>
// CHECK-NOT: tensor.
func.func @slice_concat(%x: tensor<4x6xf32>) -> (tensor<4x3xf32>, tensor<3xf32>) {
  %s = tensor.extract_slice %x[1, 0] [2, 3] [1, 2] : tensor<4x6xf32> to tensor<2x3xf32>
  %r = tensor.extract_slice %x[0, 1] [1, 3] [1, 1] : tensor<4x6xf32> to tensor<3xf32>
  %c = tensor.concat dim(0) %s, %s : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %c, %r : tensor<4x3xf32>, tensor<3xf32>
}

// -----

// tosa.concat as tosa-to-tensor writes it: inserts tiling a tensor.empty
// along one axis, in any order.
// CHECK-LABEL: func.func @insert_concat
// CHECK-SAME: (%[[A:.*]]: tensor<1x2x3xf32>, %[[B:.*]]: tensor<1x1x3xf32>)
// CHECK: %[[C:.*]] = cim.concat %[[A]], %[[B]], %[[A]] {axis = 1 : i64} : tensor<1x2x3xf32>, tensor<1x1x3xf32>, tensor<1x2x3xf32> -> tensor<1x5x3xf32>
// CHECK: return %[[C]]
// CHECK-NOT: tensor.
func.func @insert_concat(%a: tensor<1x2x3xf32>, %b: tensor<1x1x3xf32>) -> tensor<1x5x3xf32> {
  %e = tensor.empty() : tensor<1x5x3xf32>
  %0 = tensor.insert_slice %a into %e[0, 3, 0] [1, 2, 3] [1, 1, 1] : tensor<1x2x3xf32> into tensor<1x5x3xf32>
  %1 = tensor.insert_slice %a into %0[0, 0, 0] [1, 2, 3] [1, 1, 1] : tensor<1x2x3xf32> into tensor<1x5x3xf32>
  %2 = tensor.insert_slice %b into %1[0, 2, 0] [1, 1, 3] [1, 1, 1] : tensor<1x1x3xf32> into tensor<1x5x3xf32>
  return %2 : tensor<1x5x3xf32>
}

// -----

// linalg.softmax, and pow and rsqrt bodies.
// CHECK-LABEL: func.func @softmax_pow_rsqrt
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[Y:.*]]: tensor<2x3xf32>)
// CHECK-DAG: %[[ONE:.*]] = cim.constant dense<1.000000e+00> : tensor<1x1xf32>
// CHECK: %[[S:.*]] = cim.softmax %[[X]] {axis = 1 : i64} : tensor<2x3xf32>
// CHECK: %[[P:.*]] = cim.pow %[[S]], %[[Y]] : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
// CHECK: %[[R:.*]] = cim.sqrt %[[P]] : tensor<2x3xf32>
// CHECK: cim.div %[[ONE]], %[[R]] : tensor<1x1xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
// CHECK-NOT: linalg.
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @softmax_pow_rsqrt(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %e = tensor.empty() : tensor<2x3xf32>
  %s = linalg.softmax dimension(1) ins(%x : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) -> tensor<2x3xf32>
  %r = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%s, %y : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %p = math.powf %a, %b : f32
    %q = math.rsqrt %p : f32
    linalg.yield %q : f32
  } -> tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}
