// RUN: cim-opt %s --convert-tosa-to-cim --split-input-file --verify-diagnostics | FileCheck %s

// A convolution in NHWC with OHWI weights becomes an NCHW cim.conv2d with
// FCHW weights; the weight transpose folds into the constant, and TOSA's
// [top, bottom, left, right] pads become [top, left, bottom, right].
// CHECK-LABEL: func.func @conv
// CHECK-DAG: %[[W:.*]] = cim.constant dense<{{\[\[\[\[}}0.000000e+00, 1.000000e+00], [2.000000e+00, 3.000000e+00]]], {{\[\[\[}}4.000000e+00, 5.000000e+00], [6.000000e+00, 7.000000e+00]]]]> : tensor<2x1x2x2xf32>
// CHECK-DAG: %[[B:.*]] = cim.constant dense<[5.000000e-01, -5.000000e-01]> : tensor<2xf32>
// With one channel the layout transpose only moves a unit dimension: a reshape.
// CHECK: %[[X:.*]] = cim.reshape %arg0 : tensor<1x4x4x1xf32> -> tensor<1x1x4x4xf32>
// CHECK: %[[Y:.*]] = cim.conv2d %[[X]], %[[W]], %[[B]] {pads = array<i64: 1, 0, 1, 0>, strides = array<i64: 2, 2>} : tensor<1x1x4x4xf32>, tensor<2x1x2x2xf32>, tensor<2xf32> -> tensor<1x2x3x2xf32>
// CHECK: %[[R:.*]] = cim.relu %[[Y]]
// CHECK: cim.transpose %[[R]] {permutation = array<i64: 0, 2, 3, 1>} : tensor<1x2x3x2xf32> -> tensor<1x3x2x2xf32>
// CHECK-NOT: tosa.
func.func @conv(%x: tensor<1x4x4x1xf32>) -> tensor<1x3x2x2xf32> {
  %w = "tosa.const"() <{values = dense<[[[[0.0], [1.0]], [[2.0], [3.0]]], [[[4.0], [5.0]], [[6.0], [7.0]]]]> : tensor<2x2x2x1xf32>}> : () -> tensor<2x2x2x1xf32>
  %b = "tosa.const"() <{values = dense<[0.5, -0.5]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x1xf32>, tensor<2x2x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x2x2xf32>
  %r = tosa.clamp %y {max_val = 3.40282347E+38 : f32, min_val = 0.0 : f32} : (tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32>
  return %r : tensor<1x3x2x2xf32>
}

// -----

// Depthwise HWCM weights become (C*M)x1xHxW with one group per channel:
// output channel c*M + m reads input channel c.
// CHECK-LABEL: func.func @depthwise
// CHECK: %[[W:.*]] = cim.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}2.000000e+00]]], {{\[\[\[}}3.000000e+00]]], {{\[\[\[}}4.000000e+00]]]]> : tensor<4x1x1x1xf32>
// CHECK: cim.conv2d %{{.*}}, %[[W]], %{{.*}} {groups = 2 : i64} : tensor<1x2x3x3xf32>, tensor<4x1x1x1xf32>, tensor<4xf32> -> tensor<1x4x3x3xf32>
func.func @depthwise(%x: tensor<1x3x3x2xf32>) -> tensor<1x3x3x4xf32> {
  %w = "tosa.const"() <{values = dense<[[[[1.0, 2.0], [3.0, 4.0]]]]> : tensor<1x1x2x2xf32>}> : () -> tensor<1x1x2x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<4xf32>}> : () -> tensor<4xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x3x2xf32>, tensor<1x1x2x2xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x3x4xf32>
  return %y : tensor<1x3x3x4xf32>
}

// -----

// A single-batch matmul on a constant is a cim.gemm; its bias, added
// separately in TOSA, is folded into the gemm.
// CHECK-LABEL: func.func @fully_connected
// CHECK-DAG: %[[W:.*]] = cim.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00], [5.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-DAG: %[[B:.*]] = cim.constant dense<[1.000000e+01, 2.000000e+01]> : tensor<2xf32>
// CHECK: %[[G:.*]] = cim.gemm %arg0, %[[W]], %[[B]] : tensor<4x3xf32>, tensor<3x2xf32>, tensor<2xf32> -> tensor<4x2xf32>
// CHECK-NEXT: return %[[G]]
func.func @fully_connected(%x: tensor<4x3xf32>) -> tensor<4x2xf32> {
  %s3 = tosa.const_shape {values = dense<[1, 4, 3]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %s2 = tosa.const_shape {values = dense<[4, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %w = "tosa.const"() <{values = dense<[[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]]> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  %b = "tosa.const"() <{values = dense<[[10.0, 20.0]]> : tensor<1x2xf32>}> : () -> tensor<1x2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x3 = tosa.reshape %x, %s3 : (tensor<4x3xf32>, !tosa.shape<3>) -> tensor<1x4x3xf32>
  %m = tosa.matmul %x3, %w, %zp, %zp : (tensor<1x4x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x2xf32>
  %m2 = tosa.reshape %m, %s2 : (tensor<1x4x2xf32>, !tosa.shape<2>) -> tensor<4x2xf32>
  %y = tosa.add %m2, %b : (tensor<4x2xf32>, tensor<1x2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// -----

// Batched matmul of two activations stays a batched cim.matmul (digital).
// CHECK-LABEL: func.func @batched
// CHECK: cim.matmul %arg0, %arg1 : tensor<2x4x3xf32>, tensor<2x3x5xf32> -> tensor<2x4x5xf32>
func.func @batched(%a: tensor<2x4x3xf32>, %b: tensor<2x3x5xf32>) -> tensor<2x4x5xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %a, %b, %zp, %zp : (tensor<2x4x3xf32>, tensor<2x3x5xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x4x5xf32>
  return %m : tensor<2x4x5xf32>
}

// -----

// Pools; an average over the whole image is a global average pool. The
// transposes between the two pools cancel.
// CHECK-LABEL: func.func @pools
// CHECK: %[[X:.*]] = cim.transpose %arg0 {permutation = array<i64: 0, 3, 1, 2>}
// CHECK: %[[M:.*]] = cim.max_pool2d %[[X]] {kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x3x5x5xf32> -> tensor<1x3x3x3xf32>
// CHECK: %[[A:.*]] = cim.avg_pool2d %[[M]] {kernel = array<i64: 2, 2>} : tensor<1x3x3x3xf32> -> tensor<1x3x2x2xf32>
// CHECK: %[[G:.*]] = cim.global_avg_pool2d %[[A]] : tensor<1x3x2x2xf32> -> tensor<1x3x1x1xf32>
// CHECK: cim.reshape %[[G]] : tensor<1x3x1x1xf32> -> tensor<1x1x1x3xf32>
// CHECK-NOT: cim.transpose
func.func @pools(%x: tensor<1x5x5x3xf32>) -> tensor<1x1x1x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 2, 2>} : (tensor<1x5x5x3xf32>) -> tensor<1x3x3x3xf32>
  %a = tosa.avg_pool2d %m, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x3xf32>
  %g = tosa.avg_pool2d %a, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x3xf32>
  return %g : tensor<1x1x1x3xf32>
}

// -----

// Elementwise ops, clamps that are not ReLU, slices and concatenation.
// CHECK-LABEL: func.func @elementwise
// CHECK: %[[S:.*]] = cim.sub %arg0, %arg1
// CHECK: %[[M:.*]] = cim.mul %[[S]], %arg1
// CHECK: %[[C:.*]] = cim.clip %[[M]] {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
// CHECK: %[[G:.*]] = cim.sigmoid %[[C]]
// CHECK: %[[T:.*]] = cim.tanh %[[G]]
// CHECK: %[[L:.*]] = cim.slice %[[T]] {offsets = array<i64: 0, 1>, strides = array<i64: 1, 1>} : tensor<2x4xf32> -> tensor<2x2xf32>
// CHECK: cim.concat %[[L]], %[[L]] {axis = 0 : i64} : tensor<2x2xf32>, tensor<2x2xf32> -> tensor<4x2xf32>
func.func @elementwise(%a: tensor<2x4xf32>, %b: tensor<2x4xf32>) -> tensor<4x2xf32> {
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %s = tosa.sub %a, %b : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %m = tosa.mul %s, %b, %shift : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<1xi8>) -> tensor<2x4xf32>
  %c = tosa.clamp %m {max_val = 6.0 : f32, min_val = 0.0 : f32} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %g = tosa.sigmoid %c : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %t = tosa.tanh %g : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %start = tosa.const_shape {values = dense<[0, 1]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %size = tosa.const_shape {values = dense<[2, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %l = tosa.slice %t, %start, %size : (tensor<2x4xf32>, !tosa.shape<2>, !tosa.shape<2>) -> tensor<2x2xf32>
  %r = tosa.concat %l, %l {axis = 0 : i32} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  return %r : tensor<4x2xf32>
}

// -----

// What cannot be mapped stays, with a warning naming the op and the reason.
// CHECK-LABEL: func.func @unmapped
// CHECK: tosa.conv2d
// CHECK: tosa.reduce_sum
func.func @unmapped(%x: tensor<1x4x4x1xi8>) -> tensor<1x1x4x2xi32> {
  %w = "tosa.const"() <{values = dense<1> : tensor<2x1x1x1xi8>}> : () -> tensor<2x1x1x1xi8>
  %b = "tosa.const"() <{values = dense<0> : tensor<2xi32>}> : () -> tensor<2xi32>
  %izp = "tosa.const"() <{values = dense<3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wzp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-warning @+1 {{convert-tosa-to-cim: cannot map 'tosa.conv2d': non-zero zero points (quantized TOSA)}}
  %y = tosa.conv2d %x, %w, %b, %izp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x1xi8>, tensor<2x1x1x1xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x2xi32>
  // expected-warning @+1 {{convert-tosa-to-cim: cannot map 'tosa.reduce_sum': no conversion for this operation}}
  %r = tosa.reduce_sum %y {axis = 1 : i32} : (tensor<1x4x4x2xi32>) -> tensor<1x1x4x2xi32>
  return %r : tensor<1x1x4x2xi32>
}
