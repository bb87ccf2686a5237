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

// Quantized TOSA: codes are read as floats with scale 1 (minus their zero
// points), integer weights change layout as codes and are dequantized, the
// i32 accumulator is the conv's f32 sum, and tosa.rescale is a cim.quantize
// with scale 2^shift / multiplier per output channel (here 2^32 / 2^30 = 4,
// 2^33 / (3 * 2^29) = 16/3, 2^34 / 2^31 = 8). The integer clamp is a relu
// on the codes; the layout transposes move through the quantizes.
// CHECK-LABEL: func.func @quantized_conv
// CHECK-DAG: %[[B:.*]] = cim.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK-DAG: %[[W:.*]] = cim.constant dense<{{\[\[\[\[}}1]], {{\[\[}}-2]]], {{\[\[\[}}3]], {{\[\[}}4]]], {{\[\[\[}}-5]], {{\[\[}}6]]]]> : tensor<3x2x1x1xi8>
// CHECK: %[[Q:.*]] = cim.quantize %{{.*}} {bits = 8 : i64, scale = array<f32: 1.000000e+00>, zero_point = array<i64: 0>} : tensor<1x4x4x2xf32> -> tensor<1x4x4x2xi8>
// CHECK: %[[X:.*]] = cim.dequantize %[[Q]] {bits = 8 : i64, scale = array<f32: 1.000000e+00>, zero_point = array<i64: 0>}
// CHECK: %[[XT:.*]] = cim.transpose %[[X]] {permutation = array<i64: 0, 3, 1, 2>}
// CHECK: %[[WF:.*]] = cim.dequantize %[[W]] {bits = 8 : i64, scale = array<f32: 1.000000e+00>, zero_point = array<i64: 0>} : tensor<3x2x1x1xi8> -> tensor<3x2x1x1xf32>
// CHECK: %[[C:.*]] = cim.conv2d %[[XT]], %[[WF]], %[[B]] : tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>, tensor<3xf32> -> tensor<1x3x4x4xf32>
// CHECK: %[[R:.*]] = cim.quantize %[[C]] {axis = 1 : i64, bits = 8 : i64, scale = array<f32: 4.000000e+00, 5.33333349, 8.000000e+00>, zero_point = array<i64: 0, 0, 0>} : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xi8>
// CHECK: %[[RF:.*]] = cim.dequantize %[[R]]
// CHECK: %[[RELU:.*]] = cim.relu %[[RF]]
// CHECK: cim.quantize %[[RELU]] {bits = 8 : i64, scale = array<f32: 1.000000e+00>, zero_point = array<i64: 0>}
// CHECK-NOT: tosa.
func.func @quantized_conv(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x4x3xf32> {
  %sh0 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %ten = "tosa.const"() <{values = dense<10.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %xs = tosa.mul %x, %ten, %sh0 : (tensor<1x4x4x2xf32>, tensor<1x1x1x1xf32>, tensor<1xi8>) -> tensor<1x4x4x2xf32>
  %xq = tosa.cast %xs : (tensor<1x4x4x2xf32>) -> tensor<1x4x4x2xi8>
  %w = "tosa.const"() <{values = dense<[[[[1, -2]]], [[[3, 4]]], [[[-5, 6]]]]> : tensor<3x1x1x2xi8>}> : () -> tensor<3x1x1x2xi8>
  %b = "tosa.const"() <{values = dense<[1, 2, 3]> : tensor<3xi32>}> : () -> tensor<3xi32>
  %zp8 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp32 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %acc = tosa.conv2d %xq, %w, %b, %zp8, %zp8 {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x1x1x2xi8>, tensor<3xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x3xi32>
  %m = "tosa.const"() <{values = dense<[1073741824, 1610612736, 2147483647]> : tensor<3xi32>}> : () -> tensor<3xi32>
  %s = "tosa.const"() <{values = dense<[32, 33, 34]> : tensor<3xi8>}> : () -> tensor<3xi8>
  %y = tosa.rescale %acc, %m, %s, %zp32, %zp8 {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x4x4x3xi32>, tensor<3xi32>, tensor<3xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4x4x3xi8>
  %r = tosa.clamp %y {max_val = 127 : i8, min_val = 0 : i8} : (tensor<1x4x4x3xi8>) -> tensor<1x4x4x3xi8>
  %f = tosa.cast %r : (tensor<1x4x4x3xi8>) -> tensor<1x4x4x3xf32>
  return %f : tensor<1x4x4x3xf32>
}

// -----

// Zero points are subtracted when the codes are read: an asymmetric input
// (zero point 3) and rescale output (zero point -128) are exact, and stay
// digital later (cim-lower-conv maps only symmetric layers onto crossbars).
// An i32 residual add adds the two accumulators' f32 sums.
// CHECK-LABEL: func.func @zero_points
// CHECK: cim.dequantize %arg0 {bits = 8 : i64, scale = array<f32: 1.000000e+00>, zero_point = array<i64: 3>} : tensor<1x2x2x1xi8> -> tensor<1x2x2x1xf32>
// CHECK: %[[C:.*]] = cim.conv2d
// CHECK: %[[S:.*]] = cim.add %[[C]], %[[C]]
// CHECK: cim.quantize %[[S]] {bits = 8 : i64, scale = array<f32: 4.000000e+00>, zero_point = array<i64: -128>} : tensor<1x2x2x2xf32> -> tensor<1x2x2x2xi8>
func.func @zero_points(%x: tensor<1x2x2x1xi8>) -> tensor<1x2x2x2xi8> {
  %w = "tosa.const"() <{values = dense<[[[[1]]], [[[2]]]]> : tensor<2x1x1x1xi8>}> : () -> tensor<2x1x1x1xi8>
  %b = "tosa.const"() <{values = dense<0> : tensor<2xi32>}> : () -> tensor<2xi32>
  %izp = "tosa.const"() <{values = dense<3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wzp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %ozp = "tosa.const"() <{values = dense<-128> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp32 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %acc = tosa.conv2d %x, %w, %b, %izp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xi8>, tensor<2x1x1x1xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x2xi32>
  %sum = tosa.add %acc, %acc : (tensor<1x2x2x2xi32>, tensor<1x2x2x2xi32>) -> tensor<1x2x2x2xi32>
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<32> : tensor<1xi8>}> : () -> tensor<1xi8>
  %y = tosa.rescale %sum, %m, %s, %zp32, %ozp {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x2x2x2xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2x2xi8>
  return %y : tensor<1x2x2x2xi8>
}

// -----

// What cannot be mapped stays, with a warning naming the op and the reason:
// i48 accumulators (int16 convolutions), unsigned rescales, integer average
// pools, and ops without a pattern.
// CHECK-LABEL: func.func @unmapped
// CHECK: tosa.conv2d
// CHECK: tosa.rescale
// CHECK: tosa.avg_pool2d
// CHECK: tosa.reduce_sum
func.func @unmapped(%x: tensor<1x4x4x1xi16>, %u: tensor<1x4x4x1xi8>) -> (tensor<1x4x4x2xi48>, tensor<1x4x4x1xi8>, tensor<1x2x2x1xi8>, tensor<1x1x4x1xi8>) {
  %w = "tosa.const"() <{values = dense<1> : tensor<2x1x1x1xi8>}> : () -> tensor<2x1x1x1xi8>
  %b = "tosa.const"() <{values = dense<0> : tensor<2xi48>}> : () -> tensor<2xi48>
  %izp = "tosa.const"() <{values = dense<0> : tensor<1xi16>}> : () -> tensor<1xi16>
  %wzp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-warning @+1 {{convert-tosa-to-cim: cannot map 'tosa.conv2d': accumulator wider than 32 bits}}
  %y = tosa.conv2d %x, %w, %b, %izp, %wzp {acc_type = i48, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x1xi16>, tensor<2x1x1x1xi8>, tensor<2xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<1x4x4x2xi48>
  %m = "tosa.const"() <{values = dense<1073741824> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<31> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp8 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-warning @+1 {{convert-tosa-to-cim: cannot map 'tosa.rescale': unsigned rescale}}
  %r = tosa.rescale %u, %m, %s, %zp8, %zp8 {input_unsigned = true, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x4x4x1xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x1xi8>
  // expected-warning @+1 {{convert-tosa-to-cim: cannot map 'tosa.avg_pool2d': integer average pooling}}
  %p = tosa.avg_pool2d %u, %zp8, %zp8 {acc_type = i32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x1xi8>
  // expected-warning @+1 {{convert-tosa-to-cim: cannot map 'tosa.reduce_sum': no conversion for this operation}}
  %rs = tosa.reduce_sum %u {axis = 1 : i32} : (tensor<1x4x4x1xi8>) -> tensor<1x1x4x1xi8>
  return %y, %r, %p, %rs : tensor<1x4x4x2xi48>, tensor<1x4x4x1xi8>, tensor<1x2x2x1xi8>, tensor<1x1x4x1xi8>
}

// -----

// Malformed quantized layers are reported, not converted into invalid IR.
// CHECK-LABEL: func.func @malformed
// CHECK: tosa.conv2d
// CHECK: tosa.rescale
func.func @malformed(%x: tensor<1x2x2x1xi8>, %b: tensor<2xf32>, %a: tensor<1x2xi32>) -> (tensor<1x2x2x2xi32>, tensor<1x2xi8>) {
  %w = "tosa.const"() <{values = dense<1> : tensor<2x1x1x1xi8>}> : () -> tensor<2x1x1x1xi8>
  %zp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-warning @+1 {{convert-tosa-to-cim: cannot map 'tosa.conv2d': bias is not a signed 8-, 16- or 32-bit integer}}
  %y = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xi8>, tensor<2x1x1x1xi8>, tensor<2xf32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x2xi32>
  %m = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %s = "tosa.const"() <{values = dense<-5> : tensor<1xi8>}> : () -> tensor<1xi8>
  %zp32 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  // expected-warning @+1 {{convert-tosa-to-cim: cannot map 'tosa.rescale': non-positive multiplier}}
  %r = tosa.rescale %a, %m, %s, %zp32, %zp {input_unsigned = false, output_unsigned = false, per_channel = false, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x2xi32>, tensor<1xi32>, tensor<1xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2xi8>
  return %y, %r : tensor<1x2x2x2xi32>, tensor<1x2xi8>
}
