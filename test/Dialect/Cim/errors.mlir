// RUN: cim-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of the graph-level ops.

func.func @conv_rank(%x: tensor<3x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{'cim.conv2d' op expects input of rank 4 (NCHW), got rank 3}}
  %0 = cim.conv2d %x, %w : tensor<3x32x32xf32>, tensor<16x3x3x3xf32> -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_weight_rank(%x: tensor<1x3x32x32xf32>, %w: tensor<16x27xf32>) {
  // expected-error @+1 {{expects weight of rank 4 (FCHW), got rank 2}}
  %0 = cim.conv2d %x, %w : tensor<1x3x32x32xf32>, tensor<16x27xf32> -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_strides(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{expects 'strides' to have 2 entries, got 3}}
  %0 = cim.conv2d %x, %w {strides = array<i64: 1, 1, 1>} : tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32> -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_zero_stride(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{expects every entry of 'strides' to be at least 1, got 0}}
  %0 = cim.conv2d %x, %w {strides = array<i64: 0, 1>} : tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32> -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_negative_pad(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{expects every entry of 'pads' to be at least 0, got -1}}
  %0 = cim.conv2d %x, %w {pads = array<i64: -1, 0, 0, 0>} : tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32> -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_dilations(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{expects 'dilations' to have 2 entries, got 1}}
  %0 = cim.conv2d %x, %w {dilations = array<i64: 2>} : tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32> -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_groups_zero(%x: tensor<1x4x32x32xf32>, %w: tensor<16x4x3x3xf32>) {
  // expected-error @+1 {{attribute 'groups' failed to satisfy constraint}}
  %0 = cim.conv2d %x, %w {groups = 0 : i64} : tensor<1x4x32x32xf32>, tensor<16x4x3x3xf32> -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_groups_channels(%x: tensor<1x6x32x32xf32>, %w: tensor<16x2x3x3xf32>) {
  // expected-error @+1 {{expects groups (4) to divide the input channels (6)}}
  %0 = cim.conv2d %x, %w {groups = 4 : i64} : tensor<1x6x32x32xf32>, tensor<16x2x3x3xf32> -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_groups_filters(%x: tensor<1x8x32x32xf32>, %w: tensor<10x2x3x3xf32>) {
  // expected-error @+1 {{expects groups (4) to divide the output channels (10)}}
  %0 = cim.conv2d %x, %w {groups = 4 : i64} : tensor<1x8x32x32xf32>, tensor<10x2x3x3xf32> -> tensor<1x10x30x30xf32>
  return
}

// -----

func.func @conv_weight_channels(%x: tensor<1x8x32x32xf32>, %w: tensor<16x8x3x3xf32>) {
  // expected-error @+1 {{expects weight dimension 1 (input channels per group) to be 2, got 8}}
  %0 = cim.conv2d %x, %w {groups = 4 : i64} : tensor<1x8x32x32xf32>, tensor<16x8x3x3xf32> -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{expects bias size to be 16, got 8}}
  %0 = cim.conv2d %x, %w, %b : tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<8xf32> -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_output_channels(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{expects output channels to be 16, got 8}}
  %0 = cim.conv2d %x, %w : tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32> -> tensor<1x8x30x30xf32>
  return
}

// -----

func.func @conv_output_batch(%x: tensor<2x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{expects output batch to be 2, got 1}}
  %0 = cim.conv2d %x, %w : tensor<2x3x32x32xf32>, tensor<16x3x3x3xf32> -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @conv_output_size(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{expects output height to be 16, got 15}}
  %0 = cim.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32> -> tensor<1x16x15x16xf32>
  return
}

// -----

func.func @conv_window_too_big(%x: tensor<1x3x4x4xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error @+1 {{window of size 3 (dilation 3) does not fit the padded input height 4}}
  %0 = cim.conv2d %x, %w {dilations = array<i64: 3, 1>} : tensor<1x3x4x4xf32>, tensor<16x3x3x3xf32> -> tensor<1x16x1x2xf32>
  return
}

// -----

func.func @conv_element_types(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf16>) {
  // expected-error @+1 {{expects input and weight to have the same element type, got 'f32' and 'f16'}}
  %0 = cim.conv2d %x, %w : tensor<1x3x32x32xf32>, tensor<16x3x3x3xf16> -> tensor<1x16x30x30xf32>
  return
}

// -----

func.func @gemm_rank(%x: tensor<4x784x1xf32>, %w: tensor<784x10xf32>) {
  // expected-error @+1 {{expects input of rank 2, got rank 3}}
  %0 = cim.gemm %x, %w : tensor<4x784x1xf32>, tensor<784x10xf32> -> tensor<4x10xf32>
  return
}

// -----

func.func @gemm_k(%x: tensor<4x784xf32>, %w: tensor<10x784xf32>) {
  // expected-error @+1 {{expects weight rows (K) to be 784, got 10}}
  %0 = cim.gemm %x, %w : tensor<4x784xf32>, tensor<10x784xf32> -> tensor<4x784xf32>
  return
}

// -----

func.func @gemm_output(%x: tensor<4x784xf32>, %w: tensor<784x10xf32>) {
  // expected-error @+1 {{expects output of shape [4, 10], got [4, 12]}}
  %0 = cim.gemm %x, %w : tensor<4x784xf32>, tensor<784x10xf32> -> tensor<4x12xf32>
  return
}

// -----

func.func @gemm_bias(%x: tensor<4x784xf32>, %w: tensor<784x10xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{expects a bias broadcastable to 'tensor<4x10xf32>'}}
  %0 = cim.gemm %x, %w, %b : tensor<4x784xf32>, tensor<784x10xf32>, tensor<3xf32> -> tensor<4x10xf32>
  return
}

// -----

func.func @matmul_rank(%x: tensor<64xf32>, %w: tensor<64x10xf32>) {
  // expected-error @+1 {{expects operands of rank >= 2, got ranks 1 and 2}}
  %0 = cim.matmul %x, %w : tensor<64xf32>, tensor<64x10xf32> -> tensor<10xf32>
  return
}

// -----

func.func @matmul_k(%x: tensor<2x3x64xf32>, %w: tensor<32x10xf32>) {
  // expected-error @+1 {{expects rhs dimension -2 (K) to be 64, got 32}}
  %0 = cim.matmul %x, %w : tensor<2x3x64xf32>, tensor<32x10xf32> -> tensor<2x3x10xf32>
  return
}

// -----

func.func @matmul_batch(%x: tensor<2x3x64xf32>, %w: tensor<4x64x10xf32>) {
  // expected-error @+1 {{expects broadcast-compatible batch dimensions}}
  %0 = cim.matmul %x, %w : tensor<2x3x64xf32>, tensor<4x64x10xf32> -> tensor<4x3x10xf32>
  return
}

// -----

func.func @matmul_output(%x: tensor<2x3x64xf32>, %w: tensor<64x10xf32>) {
  // expected-error @+1 {{expects output of shape [2, 3, 10], got [3, 10]}}
  %0 = cim.matmul %x, %w : tensor<2x3x64xf32>, tensor<64x10xf32> -> tensor<3x10xf32>
  return
}

// -----

func.func @binary_broadcast(%x: tensor<4x3xf32>, %y: tensor<2xf32>) {
  // expected-error @+1 {{'cim.add' op expects broadcast-compatible operands, got 'tensor<4x3xf32>' and 'tensor<2xf32>'}}
  %0 = cim.add %x, %y : tensor<4x3xf32>, tensor<2xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @binary_output(%x: tensor<4x1xf32>, %y: tensor<3xf32>) {
  // expected-error @+1 {{'cim.mul' op expects output of shape [4, 3], got [4, 1]}}
  %0 = cim.mul %x, %y : tensor<4x1xf32>, tensor<3xf32> -> tensor<4x1xf32>
  return
}

// -----

func.func @binary_types(%x: tensor<4xf32>, %y: tensor<4xi32>) {
  // expected-error @+1 {{'cim.sub' op expects lhs and rhs to have the same element type, got 'f32' and 'i32'}}
  %0 = cim.sub %x, %y : tensor<4xf32>, tensor<4xi32> -> tensor<4xf32>
  return
}

// -----

func.func @unary_integer(%x: tensor<4xi8>) {
  // expected-error @+1 {{'cim.sigmoid' op operand #0 must be ranked tensor of floating-point values}}
  %0 = cim.sigmoid %x : tensor<4xi8>
  return
}

// -----

func.func @clip_bounds(%x: tensor<4xf32>) {
  // expected-error @+1 {{expects min <= max, got min = 6.000000e+00 and max = 0.000000e+00}}
  %0 = cim.clip %x {min = 6.0 : f32, max = 0.0 : f32} : tensor<4xf32>
  return
}

// -----

func.func @pool_kernel(%x: tensor<1x16x8x8xf32>) {
  // expected-error @+1 {{expects 'kernel' to have 2 entries, got 1}}
  %0 = cim.max_pool2d %x {kernel = array<i64: 2>} : tensor<1x16x8x8xf32> -> tensor<1x16x4x4xf32>
  return
}

// -----

func.func @pool_pads(%x: tensor<1x16x8x8xf32>) {
  // expected-error @+1 {{expects pads smaller than the window, got pads = [2, 2, 2, 2] for kernel [2, 2]}}
  %0 = cim.max_pool2d %x {kernel = array<i64: 2, 2>, pads = array<i64: 2, 2, 2, 2>} : tensor<1x16x8x8xf32> -> tensor<1x16x11x11xf32>
  return
}

// -----

func.func @pool_output(%x: tensor<1x16x9x9xf32>) {
  // expected-error @+1 {{expects output width to be 4, got 5}}
  %0 = cim.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x16x9x9xf32> -> tensor<1x16x4x5xf32>
  return
}

// -----

func.func @pool_channels(%x: tensor<1x16x8x8xf32>) {
  // expected-error @+1 {{'cim.avg_pool2d' op expects output channels to be 16, got 8}}
  %0 = cim.avg_pool2d %x {kernel = array<i64: 2, 2>} : tensor<1x16x8x8xf32> -> tensor<1x8x7x7xf32>
  return
}

// -----

func.func @global_pool(%x: tensor<1x16x8x8xf32>) {
  // expected-error @+1 {{expects output of shape [1, 16, 1, 1], got [1, 16]}}
  %0 = cim.global_avg_pool2d %x : tensor<1x16x8x8xf32> -> tensor<1x16xf32>
  return
}

// -----

func.func @batch_norm_size(%x: tensor<1x16x8x8xf32>, %p: tensor<16xf32>, %q: tensor<8xf32>) {
  // expected-error @+1 {{expects variance size to be 16, got 8}}
  %0 = cim.batch_norm %x, %p, %p, %p, %q : tensor<1x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<8xf32> -> tensor<1x16x8x8xf32>
  return
}

// -----

func.func @batch_norm_rank(%x: tensor<16xf32>, %p: tensor<16xf32>) {
  // expected-error @+1 {{expects input of rank >= 2 (N, C, ...), got rank 1}}
  %0 = cim.batch_norm %x, %p, %p, %p, %p : tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32> -> tensor<16xf32>
  return
}

// -----

func.func @batch_norm_epsilon(%x: tensor<1x16xf32>, %p: tensor<16xf32>) {
  // expected-error @+1 {{expects a non-negative epsilon}}
  %0 = cim.batch_norm %x, %p, %p, %p, %p {epsilon = -1.0 : f32} : tensor<1x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32> -> tensor<1x16xf32>
  return
}

// -----

func.func @batch_norm_output(%x: tensor<1x16xf32>, %p: tensor<16xf32>) {
  // expected-error @+1 {{expects the output type to equal the input type}}
  %0 = cim.batch_norm %x, %p, %p, %p, %p : tensor<1x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32> -> tensor<16x1xf32>
  return
}

// -----

func.func @layer_norm_axis(%x: tensor<1x50x768xf32>, %g: tensor<768xf32>) {
  // expected-error @+1 {{expects 'axis' in [-3, 2], got 3}}
  %0 = cim.layer_norm %x, %g {axis = 3 : i64} : tensor<1x50x768xf32>, tensor<768xf32> -> tensor<1x50x768xf32>
  return
}

// -----

func.func @layer_norm_scale(%x: tensor<1x50x768xf32>, %g: tensor<768xf32>) {
  // expected-error @+1 {{expects scale of shape [50, 768], got [768]}}
  %0 = cim.layer_norm %x, %g {axis = -2 : i64} : tensor<1x50x768xf32>, tensor<768xf32> -> tensor<1x50x768xf32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<1x10xf32>) {
  // expected-error @+1 {{expects 'axis' in [-2, 1], got -3}}
  %0 = cim.softmax %x {axis = -3 : i64} : tensor<1x10xf32>
  return
}

// -----

func.func @reduce_mean_duplicate(%x: tensor<1x10x4xf32>) {
  // expected-error @+1 {{expects distinct axes, got 2 twice}}
  %0 = cim.reduce_mean %x {axes = array<i64: 2, -1>} : tensor<1x10x4xf32> -> tensor<1x10x1xf32>
  return
}

// -----

func.func @reduce_mean_output(%x: tensor<1x10x4xf32>) {
  // expected-error @+1 {{expects output of shape [1, 10, 1], got [1, 10]}}
  %0 = cim.reduce_mean %x {axes = array<i64: 2>} : tensor<1x10x4xf32> -> tensor<1x10xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<1x16x4x4xf32>) {
  // expected-error @+1 {{expects the same number of elements, got 256 and 255}}
  %0 = cim.reshape %x : tensor<1x16x4x4xf32> -> tensor<1x255xf32>
  return
}

// -----

func.func @reshape_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{expects input and output to have the same element type, got 'f32' and 'f16'}}
  %0 = cim.reshape %x : tensor<4xf32> -> tensor<2x2xf16>
  return
}

// -----

func.func @flatten_shape(%x: tensor<1x16x4x4xf32>) {
  // expected-error @+1 {{expects output of shape [16, 16], got [1, 256]}}
  %0 = cim.flatten %x {axis = 2 : i64} : tensor<1x16x4x4xf32> -> tensor<1x256xf32>
  return
}

// -----

func.func @flatten_axis(%x: tensor<1x16xf32>) {
  // expected-error @+1 {{expects 'axis' in [-3, 2], got 3}}
  %0 = cim.flatten %x {axis = 3 : i64} : tensor<1x16xf32> -> tensor<16x1xf32>
  return
}

// -----

func.func @transpose_perm(%x: tensor<1x16x4x4xf32>) {
  // expected-error @+1 {{expects 'permutation' to be a permutation of [0, 4)}}
  %0 = cim.transpose %x {permutation = array<i64: 0, 2, 2, 1>} : tensor<1x16x4x4xf32> -> tensor<1x4x4x16xf32>
  return
}

// -----

func.func @transpose_size(%x: tensor<1x16x4x4xf32>) {
  // expected-error @+1 {{expects a permutation of 4 entries, got 3}}
  %0 = cim.transpose %x {permutation = array<i64: 0, 2, 1>} : tensor<1x16x4x4xf32> -> tensor<1x4x16xf32>
  return
}

// -----

func.func @transpose_output(%x: tensor<1x16x4x4xf32>) {
  // expected-error @+1 {{expects output of shape [1, 4, 4, 16], got [1, 16, 4, 4]}}
  %0 = cim.transpose %x {permutation = array<i64: 0, 2, 3, 1>} : tensor<1x16x4x4xf32> -> tensor<1x16x4x4xf32>
  return
}

// -----

func.func @concat_dims(%x: tensor<1x16x4x4xf32>, %y: tensor<1x16x5x4xf32>) {
  // expected-error @+1 {{expects dimension 2 of input 1 to be 4, got 5}}
  %0 = cim.concat %x, %y {axis = 1 : i64} : tensor<1x16x4x4xf32>, tensor<1x16x5x4xf32> -> tensor<1x32x4x4xf32>
  return
}

// -----

func.func @concat_output(%x: tensor<1x16x4x4xf32>) {
  // expected-error @+1 {{expects output of shape [1, 32, 4, 4], got [1, 16, 4, 4]}}
  %0 = cim.concat %x, %x {axis = 1 : i64} : tensor<1x16x4x4xf32>, tensor<1x16x4x4xf32> -> tensor<1x16x4x4xf32>
  return
}

// -----

func.func @concat_rank(%x: tensor<1x16x4x4xf32>, %y: tensor<16x4x4xf32>) {
  // expected-error @+1 {{expects inputs of equal rank, input 1 has rank 3}}
  %0 = cim.concat %x, %y {axis = 1 : i64} : tensor<1x16x4x4xf32>, tensor<16x4x4xf32> -> tensor<1x32x4x4xf32>
  return
}

// -----

func.func @concat_empty() {
  // expected-error @+1 {{expects at least one input}}
  %0 = "cim.concat"() <{axis = 0 : i64}> : () -> tensor<1xf32>
  return
}

// -----

func.func @split_sum(%x: tensor<1x32x4x4xf32>) {
  // expected-error @+1 {{expects the sum of the result sizes along the axis to be 32, got 30}}
  %0:2 = cim.split %x {axis = 1 : i64} : tensor<1x32x4x4xf32> -> tensor<1x8x4x4xf32>, tensor<1x22x4x4xf32>
  return
}

// -----

func.func @split_other_dims(%x: tensor<1x32x4x4xf32>) {
  // expected-error @+1 {{expects dimension 3 of result 1 to be 4, got 3}}
  %0:2 = cim.split %x {axis = 1 : i64} : tensor<1x32x4x4xf32> -> tensor<1x8x4x4xf32>, tensor<1x24x4x3xf32>
  return
}

// -----

func.func @pad_count(%x: tensor<1x16x4x4xf32>) {
  // expected-error @+1 {{expects 'pads' to have 8 entries, got 4}}
  %0 = cim.pad %x {pads = array<i64: 1, 1, 1, 1>} : tensor<1x16x4x4xf32> -> tensor<1x16x6x6xf32>
  return
}

// -----

func.func @pad_output(%x: tensor<1x16x4x4xf32>) {
  // expected-error @+1 {{expects output of shape [1, 16, 6, 6], got [1, 16, 5, 5]}}
  %0 = cim.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : tensor<1x16x4x4xf32> -> tensor<1x16x5x5xf32>
  return
}

// -----

func.func @pad_reflect(%x: tensor<1x16x4x4xf32>) {
  // expected-error @+1 {{expects reflect pads smaller than dimension 2 (4)}}
  %0 = cim.pad %x {pads = array<i64: 0, 0, 4, 0, 0, 0, 0, 0>, mode = #cim<pad_mode reflect>} : tensor<1x16x4x4xf32> -> tensor<1x16x8x4xf32>
  return
}

// -----

func.func @quantize_bits(%x: tensor<4xf32>) {
  // expected-error @+1 {{expects bits (9) not to exceed the storage width of 'i8'}}
  %0 = cim.quantize %x {scale = array<f32: 0.1>, zero_point = array<i64: 0>, bits = 9 : i64} : tensor<4xf32> -> tensor<4xi8>
  return
}

// -----

func.func @quantize_scale_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{expects 3 scale entries, got 2}}
  %0 = cim.quantize %x {scale = array<f32: 0.1, 0.2>, zero_point = array<i64: 0, 0>, axis = 1 : i64, bits = 8 : i64} : tensor<2x3xf32> -> tensor<2x3xi8>
  return
}

// -----

func.func @quantize_per_tensor(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{expects 1 scale entries, got 2}}
  %0 = cim.quantize %x {scale = array<f32: 0.1, 0.2>, zero_point = array<i64: 0, 0>, bits = 8 : i64} : tensor<2x3xf32> -> tensor<2x3xi8>
  return
}

// -----

func.func @quantize_zero_points(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{expects as many zero points as scales, got 1 and 2}}
  %0 = cim.quantize %x {scale = array<f32: 0.1, 0.2>, zero_point = array<i64: 0>, axis = 0 : i64, bits = 8 : i64} : tensor<2x3xf32> -> tensor<2x3xi8>
  return
}

// -----

func.func @quantize_scale_positive(%x: tensor<4xf32>) {
  // expected-error @+1 {{expects finite positive scales, got 0}}
  %0 = cim.quantize %x {scale = array<f32: 0.0>, zero_point = array<i64: 0>, bits = 8 : i64} : tensor<4xf32> -> tensor<4xi8>
  return
}

// -----

func.func @quantize_zero_point_range(%x: tensor<4xf32>) {
  // expected-error @+1 {{expects zero points in [0, 15] for 4-bit unsigned values, got 16}}
  %0 = cim.quantize %x {scale = array<f32: 0.1>, zero_point = array<i64: 16>, bits = 4 : i64} : tensor<4xf32> -> tensor<4xui8>
  return
}

// -----

func.func @quantize_shape(%x: tensor<4xf32>) {
  // expected-error @+1 {{expects the float and integer tensors to have the same shape}}
  %0 = cim.quantize %x {scale = array<f32: 0.1>, zero_point = array<i64: 0>, bits = 8 : i64} : tensor<4xf32> -> tensor<2x2xi8>
  return
}

// -----

func.func @dequantize_zero_point_range(%x: tensor<4xi8>) {
  // expected-error @+1 {{'cim.dequantize' op expects zero points in [-128, 127] for 8-bit signed values, got 200}}
  %0 = cim.dequantize %x {scale = array<f32: 0.1>, zero_point = array<i64: 200>, bits = 8 : i64} : tensor<4xi8> -> tensor<4xf32>
  return
}

// -----

func.func @dequantize_float_input(%x: tensor<4xf32>) {
  // expected-error @+1 {{'cim.dequantize' op operand #0 must be ranked tensor of integer values}}
  %0 = cim.dequantize %x {scale = array<f32: 0.1>, zero_point = array<i64: 0>, bits = 8 : i64} : tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @slice_past_end(%x: tensor<1x16x4x4xf32>) {
  // expected-error @+1 {{slice of 5 elements from offset 8 with stride 2 runs past dimension 1 of size 16}}
  %0 = cim.slice %x {offsets = array<i64: 0, 8, 0, 0>, strides = array<i64: 1, 2, 1, 1>} : tensor<1x16x4x4xf32> -> tensor<1x5x4x4xf32>
  return
}

// -----

func.func @slice_rank(%x: tensor<1x16x4x4xf32>) {
  // expected-error @+1 {{expects the output rank to equal the input rank 4, got 3}}
  %0 = cim.slice %x {offsets = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1, 1, 1>} : tensor<1x16x4x4xf32> -> tensor<16x4x4xf32>
  return
}

// -----

func.func @slice_stride(%x: tensor<1x16xf32>) {
  // expected-error @+1 {{expects every entry of 'strides' to be at least 1, got 0}}
  %0 = cim.slice %x {offsets = array<i64: 0, 0>, strides = array<i64: 1, 0>} : tensor<1x16xf32> -> tensor<1x4xf32>
  return
}

// -----

func.func @im2col_shape(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{expects output of shape [64, 27], got [64, 9]}}
  %0 = cim.im2col %x {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, channels = 3 : i64} : tensor<1x3x8x8xf32> -> tensor<64x9xf32>
  return
}

// -----

func.func @im2col_channels(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{expects channels [2, 4) within the input's 3}}
  %0 = cim.im2col %x {kernel = array<i64: 1, 1>, channel_offset = 2 : i64, channels = 2 : i64} : tensor<1x3x8x8xf32> -> tensor<64x2xf32>
  return
}

// -----

func.func @mvm_k(%x: tensor<64x27xf32>, %w: tensor<26x16xf32>) {
  // expected-error @+1 {{expects weight rows (K) to be 27, got 26}}
  %0 = cim.mvm %x, %w : tensor<64x27xf32>, tensor<26x16xf32> -> tensor<64x16xf32>
  return
}

// -----

module attributes {cim.target = #cim.target<name = "t", rows = 64, cols = 64, parallel_rows = 64, cell_bits = 2, dac_bits = 1, adc = <mode = full_range, bits = 8, min_bits = 4, max_bits = 10>, weight_sign = offset, input_sign = unsigned, cores = 1, crossbars_per_core = 1>} {
  func.func @mvm_precision(%x: tensor<64x27xf32>, %w: tensor<27x16xf32>) {
    // expected-error @+1 {{'cim.mvm' op adc_bits = 2 is outside [4, 10], the ADC range of target 't'}}
    %0 = cim.mvm %x, %w {precision = #cim.precision<weight_bits = 4, act_bits = 4, adc_bits = 2>} : tensor<64x27xf32>, tensor<27x16xf32> -> tensor<64x16xf32>
    return
  }
}
