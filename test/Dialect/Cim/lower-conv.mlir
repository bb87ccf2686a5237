// RUN: cim-opt %s --cim-lower-conv --split-input-file | FileCheck %s

// Grouped convolution: per group an im2col of its channels and a K x N
// matrix whose column f is filter f flattened (w[f,0,i,j] = 4f + 2i + j).
// CHECK-LABEL: func.func @grouped_conv
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x3x3xf32>)
// CHECK-DAG: %[[W0:.*]] = cim.constant dense<{{\[}}[0.000000e+00, 4.000000e+00], [1.000000e+00, 5.000000e+00], [2.000000e+00, 6.000000e+00], [3.000000e+00, 7.000000e+00]]> : tensor<4x2xf32>
// CHECK-DAG: %[[W1:.*]] = cim.constant dense<{{\[}}[8.000000e+00, 1.200000e+01], [9.000000e+00, 1.300000e+01], [1.000000e+01, 1.400000e+01], [1.100000e+01, 1.500000e+01]]> : tensor<4x2xf32>
// CHECK: %[[C0:.*]] = cim.im2col %[[X]] {channels = 1 : i64, kernel = array<i64: 2, 2>} : tensor<1x2x3x3xf32> -> tensor<4x4xf32>
// CHECK: %[[M0:.*]] = cim.mvm %[[C0]], %[[W0]] {precision = #cim.precision<weight_bits = 4, act_bits = 8>} : tensor<4x4xf32>, tensor<4x2xf32> -> tensor<4x2xf32>
// CHECK: %[[C1:.*]] = cim.im2col %[[X]] {channel_offset = 1 : i64, channels = 1 : i64, kernel = array<i64: 2, 2>} : tensor<1x2x3x3xf32> -> tensor<4x4xf32>
// CHECK: %[[M1:.*]] = cim.mvm %[[C1]], %[[W1]] {precision = #cim.precision<weight_bits = 4, act_bits = 8>}
// CHECK: %[[CAT:.*]] = cim.concat %[[M0]], %[[M1]] {axis = 1 : i64} : tensor<4x2xf32>, tensor<4x2xf32> -> tensor<4x4xf32>
// CHECK: %[[B:.*]] = cim.add %[[CAT]], %{{.*}} : tensor<4x4xf32>, tensor<4xf32> -> tensor<4x4xf32>
// CHECK: %[[R:.*]] = cim.reshape %[[B]] : tensor<4x4xf32> -> tensor<1x2x2x4xf32>
// CHECK: %[[T:.*]] = cim.transpose %[[R]] {permutation = array<i64: 0, 3, 1, 2>} : tensor<1x2x2x4xf32> -> tensor<1x4x2x2xf32>
// CHECK: return %[[T]]
func.func @grouped_conv(%x: tensor<1x2x3x3xf32>) -> tensor<1x4x2x2xf32> {
  %w = cim.constant dense<[[[[0.0, 1.0], [2.0, 3.0]]], [[[4.0, 5.0], [6.0, 7.0]]],
                           [[[8.0, 9.0], [10.0, 11.0]]], [[[12.0, 13.0], [14.0, 15.0]]]]> : tensor<4x1x2x2xf32>
  %b = cim.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %y = cim.conv2d %x, %w, %b {groups = 2 : i64, precision = #cim.precision<weight_bits = 4, act_bits = 8>}
      : tensor<1x2x3x3xf32>, tensor<4x1x2x2xf32>, tensor<4xf32> -> tensor<1x4x2x2xf32>
  return %y : tensor<1x4x2x2xf32>
}

// -----

// Strides, pads and dilations travel to the im2col.
// CHECK-LABEL: func.func @strided_conv
// CHECK: cim.im2col %{{.*}} {channels = 3 : i64, dilations = array<i64: 2, 2>, kernel = array<i64: 3, 3>, pads = array<i64: 2, 2, 2, 2>, strides = array<i64: 2, 2>} : tensor<2x3x8x8xf32> -> tensor<32x27xf32>
// CHECK: cim.mvm %{{.*}}, %{{.*}} : tensor<32x27xf32>, tensor<27x5xf32> -> tensor<32x5xf32>
// CHECK-NOT: cim.add
// CHECK: cim.reshape %{{.*}} : tensor<32x5xf32> -> tensor<2x4x4x5xf32>
func.func @strided_conv(%x: tensor<2x3x8x8xf32>) -> tensor<2x5x4x4xf32> {
  %w = cim.constant dense<0.5> : tensor<5x3x3x3xf32>
  %y = cim.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 2, 2, 2, 2>, dilations = array<i64: 2, 2>}
      : tensor<2x3x8x8xf32>, tensor<5x3x3x3xf32> -> tensor<2x5x4x4xf32>
  return %y : tensor<2x5x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @gemm
// CHECK: %[[M:.*]] = cim.mvm %{{.*}}, %{{.*}} {precision = #cim.precision<weight_bits = 2, act_bits = 3>} : tensor<8x16xf32>, tensor<16x4xf32> -> tensor<8x4xf32>
// CHECK: cim.add %[[M]], %{{.*}} : tensor<8x4xf32>, tensor<4xf32> -> tensor<8x4xf32>
// CHECK-NOT: cim.gemm
func.func @gemm(%x: tensor<8x16xf32>) -> tensor<8x4xf32> {
  %w = cim.constant dense<1.0> : tensor<16x4xf32>
  %b = cim.constant dense<0.5> : tensor<4xf32>
  %y = cim.gemm %x, %w, %b {precision = #cim.precision<weight_bits = 2, act_bits = 3>}
      : tensor<8x16xf32>, tensor<16x4xf32>, tensor<4xf32> -> tensor<8x4xf32>
  return %y : tensor<8x4xf32>
}

// -----

// A constant right operand maps over the flattened leading dimensions; two
// activations (attention scores) stay on the digital unit.
// CHECK-LABEL: func.func @matmul
// CHECK: %[[F:.*]] = cim.reshape %{{.*}} : tensor<2x50x64xf32> -> tensor<100x64xf32>
// CHECK: %[[M:.*]] = cim.mvm %[[F]], %{{.*}} : tensor<100x64xf32>, tensor<64x32xf32> -> tensor<100x32xf32>
// CHECK: cim.reshape %[[M]] : tensor<100x32xf32> -> tensor<2x50x32xf32>
// CHECK: cim.matmul %{{.*}}, %{{.*}} : tensor<2x50x64xf32>, tensor<2x64x50xf32> -> tensor<2x50x50xf32>
func.func @matmul(%x: tensor<2x50x64xf32>, %k: tensor<2x64x50xf32>) -> (tensor<2x50x32xf32>, tensor<2x50x50xf32>) {
  %w = cim.constant dense<1.0> : tensor<64x32xf32>
  %y = cim.matmul %x, %w : tensor<2x50x64xf32>, tensor<64x32xf32> -> tensor<2x50x32xf32>
  %s = cim.matmul %x, %k : tensor<2x50x64xf32>, tensor<2x64x50xf32> -> tensor<2x50x50xf32>
  return %y, %s : tensor<2x50x32xf32>, tensor<2x50x50xf32>
}

// -----

// A convolution whose weight is an activation stays as it is.
// CHECK-LABEL: func.func @dynamic_weight
// CHECK: cim.conv2d
// CHECK-NOT: cim.mvm
func.func @dynamic_weight(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32> {
  %y = cim.conv2d %x, %w : tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32> -> tensor<1x1x3x3xf32>
  return %y : tensor<1x1x3x3xf32>
}
