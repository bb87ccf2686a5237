// RUN: cim-opt %s | cim-opt | FileCheck %s
// RUN: cim-opt %s --mlir-print-op-generic | cim-opt | FileCheck %s
// RUN: cim-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// Round trip of every graph-level op, in custom and generic form.

// CHECK-LABEL: func.func @constant
// CHECK: cim.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// GENERIC: "cim.constant"() <{value = dense<{{.*}}> : tensor<2x2xf32>}> : () -> tensor<2x2xf32>
func.func @constant() -> tensor<2x2xf32> {
  %0 = cim.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// CHECK-LABEL: func.func @conv2d
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x32x32xf32>, %[[W:.*]]: tensor<16x3x3x3xf32>, %[[B:.*]]: tensor<16xf32>, %[[DW:.*]]: tensor<16x1x3x3xf32>)
// CHECK: %[[Y:.*]] = cim.conv2d %[[X]], %[[W]], %[[B]] {pads = array<i64: 1, 1, 1, 1>, precision = #cim.precision<weight_bits = 4, act_bits = 6, adc_bits = 7, granularity = tile>, strides = array<i64: 2, 2>} : tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32> -> tensor<1x16x16x16xf32>
// CHECK: cim.conv2d %[[Y]], %[[DW]] {dilations = array<i64: 2, 2>, groups = 16 : i64} : tensor<1x16x16x16xf32>, tensor<16x1x3x3xf32> -> tensor<1x16x12x12xf32>
// GENERIC: "cim.conv2d"(%{{.*}}, %{{.*}}, %{{.*}}) <{dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, precision = #cim.precision<weight_bits = 4, act_bits = 6, adc_bits = 7, granularity = tile>, strides = array<i64: 2, 2>}>
func.func @conv2d(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<16xf32>, %dw: tensor<16x1x3x3xf32>) -> tensor<1x16x12x12xf32> {
  %0 = cim.conv2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>,
         precision = #cim.precision<weight_bits = 4, act_bits = 6, adc_bits = 7, granularity = tile>}
       : tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32> -> tensor<1x16x16x16xf32>
  %1 = cim.conv2d %0, %dw {dilations = array<i64: 2, 2>, groups = 16 : i64}
       : tensor<1x16x16x16xf32>, tensor<16x1x3x3xf32> -> tensor<1x16x12x12xf32>
  return %1 : tensor<1x16x12x12xf32>
}

// CHECK-LABEL: func.func @conv2d_dynamic_batch
// CHECK: cim.conv2d %{{.*}}, %{{.*}} : tensor<?x1x28x28xf32>, tensor<8x1x5x5xf32> -> tensor<?x8x24x24xf32>
func.func @conv2d_dynamic_batch(%x: tensor<?x1x28x28xf32>, %w: tensor<8x1x5x5xf32>) -> tensor<?x8x24x24xf32> {
  %0 = cim.conv2d %x, %w : tensor<?x1x28x28xf32>, tensor<8x1x5x5xf32> -> tensor<?x8x24x24xf32>
  return %0 : tensor<?x8x24x24xf32>
}

// CHECK-LABEL: func.func @gemm
// CHECK: cim.gemm %{{.*}}, %{{.*}}, %{{.*}} {precision = #cim.precision<weight_bits = 8, act_bits = 8>} : tensor<4x784xf32>, tensor<784x10xf32>, tensor<10xf32> -> tensor<4x10xf32>
// CHECK: cim.gemm %{{.*}}, %{{.*}}, %{{.*}} : tensor<4x784xf32>, tensor<784x10xf32>, tensor<4x1xf32> -> tensor<4x10xf32>
// CHECK: cim.gemm %{{.*}}, %{{.*}} : tensor<4x784xf32>, tensor<784x10xf32> -> tensor<4x10xf32>
func.func @gemm(%x: tensor<4x784xf32>, %w: tensor<784x10xf32>, %b: tensor<10xf32>, %c: tensor<4x1xf32>) -> (tensor<4x10xf32>, tensor<4x10xf32>, tensor<4x10xf32>) {
  %0 = cim.gemm %x, %w, %b {precision = #cim.precision<weight_bits = 8, act_bits = 8>}
       : tensor<4x784xf32>, tensor<784x10xf32>, tensor<10xf32> -> tensor<4x10xf32>
  %1 = cim.gemm %x, %w, %c : tensor<4x784xf32>, tensor<784x10xf32>, tensor<4x1xf32> -> tensor<4x10xf32>
  %2 = cim.gemm %x, %w : tensor<4x784xf32>, tensor<784x10xf32> -> tensor<4x10xf32>
  return %0, %1, %2 : tensor<4x10xf32>, tensor<4x10xf32>, tensor<4x10xf32>
}

// CHECK-LABEL: func.func @matmul
// CHECK: cim.matmul %{{.*}}, %{{.*}} : tensor<1x4x49x64xf32>, tensor<1x4x64x49xf32> -> tensor<1x4x49x49xf32>
// CHECK: cim.matmul %{{.*}}, %{{.*}} {precision = #cim.precision<weight_bits = 6, act_bits = 8, granularity = tensor>} : tensor<2x50x768xf32>, tensor<768x64xf32> -> tensor<2x50x64xf32>
func.func @matmul(%q: tensor<1x4x49x64xf32>, %k: tensor<1x4x64x49xf32>, %x: tensor<2x50x768xf32>, %w: tensor<768x64xf32>) -> (tensor<1x4x49x49xf32>, tensor<2x50x64xf32>) {
  %0 = cim.matmul %q, %k : tensor<1x4x49x64xf32>, tensor<1x4x64x49xf32> -> tensor<1x4x49x49xf32>
  %1 = cim.matmul %x, %w {precision = #cim.precision<weight_bits = 6, act_bits = 8, granularity = tensor>}
       : tensor<2x50x768xf32>, tensor<768x64xf32> -> tensor<2x50x64xf32>
  return %0, %1 : tensor<1x4x49x49xf32>, tensor<2x50x64xf32>
}

// CHECK-LABEL: func.func @binary
// CHECK: cim.add %{{.*}}, %{{.*}} : tensor<1x16x8x8xf32>, tensor<16x1x1xf32> -> tensor<1x16x8x8xf32>
// CHECK: cim.sub %{{.*}}, %{{.*}} : tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32> -> tensor<1x16x8x8xf32>
// CHECK: cim.mul %{{.*}}, %{{.*}} : tensor<1x16x8x8xf32>, tensor<f32> -> tensor<1x16x8x8xf32>
// CHECK: cim.div %{{.*}}, %{{.*}} : tensor<1x16x8x8xf32>, tensor<8xf32> -> tensor<1x16x8x8xf32>
// CHECK: cim.pow %{{.*}}, %{{.*}} : tensor<1x16x8x8xf32>, tensor<f32> -> tensor<1x16x8x8xf32>
// CHECK: cim.add %{{.*}}, %{{.*}} : tensor<4x1xi32>, tensor<1x3xi32> -> tensor<4x3xi32>
func.func @binary(%x: tensor<1x16x8x8xf32>, %c: tensor<16x1x1xf32>, %s: tensor<f32>, %r: tensor<8xf32>, %i: tensor<4x1xi32>, %j: tensor<1x3xi32>) -> tensor<4x3xi32> {
  %0 = cim.add %x, %c : tensor<1x16x8x8xf32>, tensor<16x1x1xf32> -> tensor<1x16x8x8xf32>
  %1 = cim.sub %0, %x : tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32> -> tensor<1x16x8x8xf32>
  %2 = cim.mul %1, %s : tensor<1x16x8x8xf32>, tensor<f32> -> tensor<1x16x8x8xf32>
  %3 = cim.div %2, %r : tensor<1x16x8x8xf32>, tensor<8xf32> -> tensor<1x16x8x8xf32>
  %4 = cim.pow %3, %s : tensor<1x16x8x8xf32>, tensor<f32> -> tensor<1x16x8x8xf32>
  %5 = cim.add %i, %j : tensor<4x1xi32>, tensor<1x3xi32> -> tensor<4x3xi32>
  return %5 : tensor<4x3xi32>
}

// CHECK-LABEL: func.func @unary
// CHECK: cim.relu %{{.*}} : tensor<2x8xf32>
// CHECK: cim.sigmoid %{{.*}} : tensor<2x8xf32>
// CHECK: cim.tanh %{{.*}} : tensor<2x8xf32>
// CHECK: cim.erf %{{.*}} : tensor<2x8xf32>
// CHECK: cim.sqrt %{{.*}} : tensor<2x8xf32>
// CHECK: cim.exp %{{.*}} : tensor<2x8xf32>
// CHECK: cim.hard_swish %{{.*}} : tensor<2x8xf32>
// CHECK: cim.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f32} : tensor<2x8xf32>
// CHECK: cim.leaky_relu %{{.*}} : tensor<2x8xf32>
// CHECK: cim.hard_sigmoid %{{.*}} {alpha = 0.166666672 : f32} : tensor<2x8xf32>
// CHECK: cim.gelu %{{.*}} : tensor<2x8xf32>
// CHECK: cim.gelu %{{.*}} {approximation = #cim<gelu_approximation tanh>} : tensor<2x8xf32>
// CHECK: cim.clip %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32} : tensor<2x8xf32>
// GENERIC: "cim.leaky_relu"(%{{.*}}) <{alpha = 0.00999999977 : f32}>
// GENERIC: "cim.hard_sigmoid"(%{{.*}}) <{alpha = 0.166666672 : f32, beta = 5.000000e-01 : f32}>
func.func @unary(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = cim.relu %x : tensor<2x8xf32>
  %1 = cim.sigmoid %0 : tensor<2x8xf32>
  %2 = cim.tanh %1 : tensor<2x8xf32>
  %3 = cim.erf %2 : tensor<2x8xf32>
  %4 = cim.sqrt %3 : tensor<2x8xf32>
  %5 = cim.exp %4 : tensor<2x8xf32>
  %6 = cim.hard_swish %5 : tensor<2x8xf32>
  %7 = cim.leaky_relu %6 {alpha = 0.1 : f32} : tensor<2x8xf32>
  %8 = cim.leaky_relu %7 : tensor<2x8xf32>
  %9 = cim.hard_sigmoid %8 {alpha = 0.166666672 : f32} : tensor<2x8xf32>
  %10 = cim.gelu %9 : tensor<2x8xf32>
  %11 = cim.gelu %10 {approximation = #cim<gelu_approximation tanh>} : tensor<2x8xf32>
  %12 = cim.clip %11 {min = 0.0 : f32, max = 6.0 : f32} : tensor<2x8xf32>
  return %12 : tensor<2x8xf32>
}

// CHECK-LABEL: func.func @pooling
// CHECK: cim.max_pool2d %{{.*}} {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x16x9x9xf32> -> tensor<1x16x4x4xf32>
// CHECK: cim.max_pool2d %{{.*}} {ceil_mode = true, kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x16x9x9xf32> -> tensor<1x16x5x5xf32>
// CHECK: cim.max_pool2d %{{.*}} {dilations = array<i64: 2, 2>, kernel = array<i64: 3, 3>, pads = array<i64: 2, 2, 2, 2>} : tensor<1x16x9x9xf32> -> tensor<1x16x9x9xf32>
// CHECK: cim.avg_pool2d %{{.*}} {count_include_pad = true, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x16x9x9xf32> -> tensor<1x16x9x9xf32>
// CHECK: cim.global_avg_pool2d %{{.*}} : tensor<1x16x9x9xf32> -> tensor<1x16x1x1xf32>
func.func @pooling(%x: tensor<1x16x9x9xf32>) -> (tensor<1x16x4x4xf32>, tensor<1x16x5x5xf32>, tensor<1x16x9x9xf32>, tensor<1x16x9x9xf32>, tensor<1x16x1x1xf32>) {
  %0 = cim.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x16x9x9xf32> -> tensor<1x16x4x4xf32>
  %1 = cim.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true} : tensor<1x16x9x9xf32> -> tensor<1x16x5x5xf32>
  %2 = cim.max_pool2d %x {kernel = array<i64: 3, 3>, dilations = array<i64: 2, 2>, pads = array<i64: 2, 2, 2, 2>} : tensor<1x16x9x9xf32> -> tensor<1x16x9x9xf32>
  %3 = cim.avg_pool2d %x {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : tensor<1x16x9x9xf32> -> tensor<1x16x9x9xf32>
  %4 = cim.global_avg_pool2d %x : tensor<1x16x9x9xf32> -> tensor<1x16x1x1xf32>
  return %0, %1, %2, %3, %4 : tensor<1x16x4x4xf32>, tensor<1x16x5x5xf32>, tensor<1x16x9x9xf32>, tensor<1x16x9x9xf32>, tensor<1x16x1x1xf32>
}

// CHECK-LABEL: func.func @normalization
// CHECK: cim.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f32} : tensor<1x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32> -> tensor<1x16x8x8xf32>
// CHECK: cim.layer_norm %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x50x768xf32>, tensor<768xf32>, tensor<768xf32> -> tensor<1x50x768xf32>
// CHECK: cim.layer_norm %{{.*}}, %{{.*}} {axis = 1 : i64} : tensor<1x50x768xf32>, tensor<50x768xf32> -> tensor<1x50x768xf32>
// CHECK: cim.softmax %{{.*}} {axis = 1 : i64} : tensor<1x50x768xf32>
// CHECK: cim.reduce_mean %{{.*}} {axes = array<i64: -1>} : tensor<1x50x768xf32> -> tensor<1x50x1xf32>
// CHECK: cim.reduce_mean %{{.*}} {axes = array<i64: 1, 2>, keepdims = false} : tensor<1x50x768xf32> -> tensor<1xf32>
func.func @normalization(%x: tensor<1x16x8x8xf32>, %p: tensor<16xf32>, %t: tensor<1x50x768xf32>, %g: tensor<768xf32>, %g2: tensor<50x768xf32>) -> (tensor<1x16x8x8xf32>, tensor<1x50x768xf32>, tensor<1x50x1xf32>, tensor<1xf32>) {
  %0 = cim.batch_norm %x, %p, %p, %p, %p {epsilon = 1.0e-3 : f32} : tensor<1x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32> -> tensor<1x16x8x8xf32>
  %1 = cim.layer_norm %t, %g, %g : tensor<1x50x768xf32>, tensor<768xf32>, tensor<768xf32> -> tensor<1x50x768xf32>
  %2 = cim.layer_norm %1, %g2 {axis = 1 : i64} : tensor<1x50x768xf32>, tensor<50x768xf32> -> tensor<1x50x768xf32>
  %3 = cim.softmax %2 {axis = 1 : i64} : tensor<1x50x768xf32>
  %4 = cim.reduce_mean %3 {axes = array<i64: -1>} : tensor<1x50x768xf32> -> tensor<1x50x1xf32>
  %5 = cim.reduce_mean %3 {axes = array<i64: 1, 2>, keepdims = false} : tensor<1x50x768xf32> -> tensor<1xf32>
  return %0, %3, %4, %5 : tensor<1x16x8x8xf32>, tensor<1x50x768xf32>, tensor<1x50x1xf32>, tensor<1xf32>
}

// CHECK-LABEL: func.func @layout
// CHECK: cim.reshape %{{.*}} : tensor<1x16x4x4xf32> -> tensor<1x256xf32>
// CHECK: cim.flatten %{{.*}} {axis = 2 : i64} : tensor<1x16x4x4xf32> -> tensor<16x16xf32>
// CHECK: cim.transpose %{{.*}} {permutation = array<i64: 0, 2, 3, 1>} : tensor<1x16x4x4xf32> -> tensor<1x4x4x16xf32>
// CHECK: cim.slice %{{.*}} {offsets = array<i64: 0, 8, 1, 0>, strides = array<i64: 1, 2, 1, 3>} : tensor<1x16x4x4xf32> -> tensor<1x4x3x2xf32>
// CHECK: cim.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : tensor<1x16x4x4xf32>, tensor<1x16x4x4xf32> -> tensor<1x32x4x4xf32>
// CHECK: %{{.*}}:2 = cim.split %{{.*}} {axis = 1 : i64} : tensor<1x32x4x4xf32> -> tensor<1x8x4x4xf32>, tensor<1x24x4x4xf32>
// CHECK: cim.pad %{{.*}} {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : tensor<1x16x4x4xf32> -> tensor<1x16x6x6xf32>
// CHECK: cim.pad %{{.*}} {mode = #cim<pad_mode reflect>, pads = array<i64: 0, 0, 3, 0, 0, 0, 0, 3>} : tensor<1x16x4x4xf32> -> tensor<1x16x7x7xf32>
func.func @layout(%x: tensor<1x16x4x4xf32>) -> (tensor<1x256xf32>, tensor<16x16xf32>, tensor<1x4x4x16xf32>, tensor<1x8x4x4xf32>, tensor<1x16x6x6xf32>, tensor<1x16x7x7xf32>) {
  %0 = cim.reshape %x : tensor<1x16x4x4xf32> -> tensor<1x256xf32>
  %1 = cim.flatten %x {axis = 2 : i64} : tensor<1x16x4x4xf32> -> tensor<16x16xf32>
  %2 = cim.transpose %x {permutation = array<i64: 0, 2, 3, 1>} : tensor<1x16x4x4xf32> -> tensor<1x4x4x16xf32>
  %sl = cim.slice %x {offsets = array<i64: 0, 8, 1, 0>, strides = array<i64: 1, 2, 1, 3>} : tensor<1x16x4x4xf32> -> tensor<1x4x3x2xf32>
  %3 = cim.concat %x, %x {axis = 1 : i64} : tensor<1x16x4x4xf32>, tensor<1x16x4x4xf32> -> tensor<1x32x4x4xf32>
  %4:2 = cim.split %3 {axis = 1 : i64} : tensor<1x32x4x4xf32> -> tensor<1x8x4x4xf32>, tensor<1x24x4x4xf32>
  %5 = cim.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : tensor<1x16x4x4xf32> -> tensor<1x16x6x6xf32>
  %6 = cim.pad %x {pads = array<i64: 0, 0, 3, 0, 0, 0, 0, 3>, mode = #cim<pad_mode reflect>} : tensor<1x16x4x4xf32> -> tensor<1x16x7x7xf32>
  return %0, %1, %2, %4#0, %5, %6 : tensor<1x256xf32>, tensor<16x16xf32>, tensor<1x4x4x16xf32>, tensor<1x8x4x4xf32>, tensor<1x16x6x6xf32>, tensor<1x16x7x7xf32>
}

// CHECK-LABEL: func.func @quantization
// CHECK: %[[Q:.*]] = cim.quantize %{{.*}} {bits = 8 : i64, scale = array<f32: 5.000000e-02>, zero_point = array<i64: 0>} : tensor<1x16xf32> -> tensor<1x16xi8>
// CHECK: cim.dequantize %[[Q]] {bits = 8 : i64, scale = array<f32: 5.000000e-02>, zero_point = array<i64: 0>} : tensor<1x16xi8> -> tensor<1x16xf32>
// CHECK: cim.quantize %{{.*}} {axis = 0 : i64, bits = 4 : i64, scale = array<f32: 1.000000e-01, 2.000000e-01>, zero_point = array<i64: 0, 15>} : tensor<2x3xf32> -> tensor<2x3xui8>
func.func @quantization(%x: tensor<1x16xf32>, %y: tensor<2x3xf32>) -> (tensor<1x16xf32>, tensor<2x3xui8>) {
  %0 = cim.quantize %x {scale = array<f32: 0.05>, zero_point = array<i64: 0>, bits = 8 : i64} : tensor<1x16xf32> -> tensor<1x16xi8>
  %1 = cim.dequantize %0 {scale = array<f32: 0.05>, zero_point = array<i64: 0>, bits = 8 : i64} : tensor<1x16xi8> -> tensor<1x16xf32>
  %2 = cim.quantize %y {scale = array<f32: 0.1, 0.2>, zero_point = array<i64: 0, 15>, axis = 0 : i64, bits = 4 : i64} : tensor<2x3xf32> -> tensor<2x3xui8>
  return %1, %2 : tensor<1x16xf32>, tensor<2x3xui8>
}

// Mapped level.
// CHECK-LABEL: func.func @mapped
// CHECK: %[[C:.*]] = cim.im2col %{{.*}} {channel_offset = 1 : i64, channels = 2 : i64, kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x3x8x8xf32> -> tensor<64x18xf32>
// CHECK: cim.mvm %[[C]], %{{.*}} {precision = #cim.precision<weight_bits = 4, act_bits = 8>} : tensor<64x18xf32>, tensor<18x16xf32> -> tensor<64x16xf32>
func.func @mapped(%x: tensor<1x3x8x8xf32>, %w: tensor<18x16xf32>) -> tensor<64x16xf32> {
  %c = cim.im2col %x {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, channel_offset = 1 : i64, channels = 2 : i64}
      : tensor<1x3x8x8xf32> -> tensor<64x18xf32>
  %y = cim.mvm %c, %w {precision = #cim.precision<weight_bits = 4, act_bits = 8>}
      : tensor<64x18xf32>, tensor<18x16xf32> -> tensor<64x16xf32>
  return %y : tensor<64x16xf32>
}
