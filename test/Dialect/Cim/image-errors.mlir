// RUN: cim-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of the ops in CimImageOps.td.

func.func @col2im_rank(%x: tensor<1x3x3x2x3xf32>) {
  // expected-error @+1 {{'cim.col2im' op expects input of rank 6 ([N, H, W, M, kh, kw]), got rank 5}}
  %0 = cim.col2im %x : tensor<1x3x3x2x3xf32> -> tensor<1x2x5x5xf32>
  return
}

// -----

func.func @col2im_channels(%x: tensor<1x3x3x2x3x3xf32>) {
  // expected-error @+1 {{'cim.col2im' op expects output channels to be 2, got 4}}
  %0 = cim.col2im %x : tensor<1x3x3x2x3x3xf32> -> tensor<1x4x5x5xf32>
  return
}

// -----

func.func @col2im_size(%x: tensor<1x3x3x2x3x3xf32>) {
  // expected-error @+1 {{'cim.col2im' op expects output height to be 7, got 6}}
  %0 = cim.col2im %x {strides = array<i64: 2, 2>} : tensor<1x3x3x2x3x3xf32> -> tensor<1x2x6x7xf32>
  return
}

// -----

func.func @col2im_strides(%x: tensor<1x3x3x2x3x3xf32>) {
  // expected-error @+1 {{'cim.col2im' op expects every entry of 'strides' to be at least 1, got 0}}
  %0 = cim.col2im %x {strides = array<i64: 0, 1>} : tensor<1x3x3x2x3x3xf32> -> tensor<1x2x5x5xf32>
  return
}

// -----

func.func @col2im_pads(%x: tensor<1x3x3x2x3x3xf32>) {
  // expected-error @+1 {{'cim.col2im' op pads remove more than the full height (5)}}
  %0 = cim.col2im %x {pads = array<i64: 3, 0, 3, 0>} : tensor<1x3x3x2x3x3xf32> -> tensor<1x2x0x5xf32>
  return
}

// -----

func.func @resize_scales(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{'cim.resize' op expects one scale per axis (4), got 2}}
  %0 = cim.resize %x {scales = array<f64: 2.0, 2.0>} : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @resize_rank(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{'cim.resize' op expects the output rank (3) to be the input's (4)}}
  %0 = cim.resize %x {scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : tensor<1x1x2x2xf32> -> tensor<1x4x4xf32>
  return
}

// -----

func.func @resize_positive(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{'cim.resize' op expects positive scales, got 0}}
  %0 = cim.resize %x {scales = array<f64: 1.0, 1.0, 0.0, 2.0>} : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @resize_mode(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{'cim.resize' op expects mode nearest, linear or cubic, got 'area'}}
  %0 = cim.resize %x {mode = "area", scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @resize_transform(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{'cim.resize' op unknown coordinate_transformation_mode 'corners'}}
  %0 = cim.resize %x {coordinate_transformation_mode = "corners", scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @resize_nearest_mode(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{'cim.resize' op unknown nearest_mode 'round'}}
  %0 = cim.resize %x {nearest_mode = "round", scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @resize_roi_missing(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{'cim.resize' op expects a roi of 8 entries (starts, then ends) with tf_crop_and_resize}}
  %0 = cim.resize %x {coordinate_transformation_mode = "tf_crop_and_resize", scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @resize_roi_unused(%x: tensor<1x1x2x2xf32>) {
  // expected-error @+1 {{'cim.resize' op expects the roi attribute only with tf_crop_and_resize and no roi_input}}
  %0 = cim.resize %x {roi = array<f64: 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0>, scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @resize_scales_input(%x: tensor<1x1x2x2xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{'cim.resize' op expects 'scales_input' of 4 elements, got 'tensor<3xf32>'}}
  %0 = cim.resize %x scales(%s : tensor<3xf32>) {scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @resize_roi_input(%x: tensor<1x1x2x2xf32>, %r: tensor<8xf32>) {
  // expected-error @+1 {{'cim.resize' op expects a roi only with tf_crop_and_resize}}
  %0 = cim.resize %x roi(%r : tensor<8xf32>) {scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @max_pool_indices_rank(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{'cim.max_pool_indices' op expects 'input' of rank 3 to 5 ([N, C, D1, ..., Dk])}}
  %0 = cim.max_pool_indices %x {kernel = array<i64: 2>, strides = array<i64: 1>, pads = array<i64: 0, 0>, dilations = array<i64: 1>} : tensor<4x4xf32> -> tensor<4x3xi64>
  return
}

// -----

func.func @max_pool_indices_kernel(%x: tensor<1x1x4x4xf32>) {
  // expected-error @+1 {{'cim.max_pool_indices' op expects 'kernel' to have 2 entries, got 1}}
  %0 = cim.max_pool_indices %x {kernel = array<i64: 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x1x4x4xf32> -> tensor<1x1x3x3xi64>
  return
}

// -----

func.func @max_pool_indices_pads(%x: tensor<1x1x4x4xf32>) {
  // expected-error @+1 {{'cim.max_pool_indices' op expects pads smaller than the window along spatial axis 1}}
  %0 = cim.max_pool_indices %x {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 2>, dilations = array<i64: 1, 1>} : tensor<1x1x4x4xf32> -> tensor<1x1x3x5xi64>
  return
}

// -----

func.func @max_pool_indices_shape(%x: tensor<1x1x5x5xf32>) {
  // expected-error @+1 {{'cim.max_pool_indices' op expects output of shape [1, 1, 3, 3], got [1, 1, 2, 2]}}
  %0 = cim.max_pool_indices %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : tensor<1x1x5x5xf32> -> tensor<1x1x2x2xi64>
  return
}

// -----

func.func @max_pool_indices_type(%x: tensor<1x1x4x4xf32>) {
  // expected-error @+1 {{result #0 must be ranked tensor of 64-bit signless integer values}}
  %0 = cim.max_pool_indices %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xi32>
  return
}

// -----

func.func @max_unpool_indices(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x3xi64>) {
  // expected-error @+1 {{'cim.max_unpool' op expects indices of shape [1, 1, 2, 2], got [1, 1, 2, 3]}}
  %0 = cim.max_unpool %x, %i {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x1x2x2xf32>, tensor<1x1x2x3xi64> -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @max_unpool_size(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>) {
  // expected-error @+1 {{'cim.max_unpool' op expects output size 3 along spatial axis 1, got 4}}
  %0 = cim.max_unpool %x, %i {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 1>} : tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64> -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @max_unpool_larger(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>, %s: tensor<4xi64>) {
  // expected-error @+1 {{'cim.max_unpool' op expects output size at least 4 along spatial axis 0, got 3}}
  %0 = cim.max_unpool %x, %i output_shape(%s : tensor<4xi64>) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64> -> tensor<1x1x3x5xf32>
  return
}

// -----

func.func @max_unpool_shape_operand(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>, %s: tensor<3xi64>) {
  // expected-error @+1 {{'cim.max_unpool' op expects 'output_shape' of 4 elements}}
  %0 = cim.max_unpool %x, %i output_shape(%s : tensor<3xi64>) {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64> -> tensor<1x1x5x5xf32>
  return
}

// -----

func.func @max_unpool_channels(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>) {
  // expected-error @+1 {{'cim.max_unpool' op expects output channels to be 1, got 2}}
  %0 = cim.max_unpool %x, %i {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64> -> tensor<1x2x4x4xf32>
  return
}

// -----

func.func @roi_align_mode(%x: tensor<1x1x4x4xf32>, %r: tensor<2x4xf32>, %b: tensor<2xi64>) {
  // expected-error @+1 {{'cim.roi_align' op unsupported mode 'sum' (expected avg or max)}}
  %0 = cim.roi_align %x, %r, %b {mode = "sum"} : tensor<1x1x4x4xf32>, tensor<2x4xf32>, tensor<2xi64> -> tensor<2x1x2x2xf32>
  return
}

// -----

func.func @roi_align_transform(%x: tensor<1x1x4x4xf32>, %r: tensor<2x4xf32>, %b: tensor<2xi64>) {
  // expected-error @+1 {{'cim.roi_align' op unsupported coordinate_transformation_mode 'align_corners' (expected half_pixel or output_half_pixel)}}
  %0 = cim.roi_align %x, %r, %b {coordinate_transformation_mode = "align_corners"} : tensor<1x1x4x4xf32>, tensor<2x4xf32>, tensor<2xi64> -> tensor<2x1x2x2xf32>
  return
}

// -----

func.func @roi_align_ratio(%x: tensor<1x1x4x4xf32>, %r: tensor<2x4xf32>, %b: tensor<2xi64>) {
  // expected-error @+1 {{'cim.roi_align' op expects a non-negative sampling_ratio, got -1}}
  %0 = cim.roi_align %x, %r, %b {sampling_ratio = -1 : i64} : tensor<1x1x4x4xf32>, tensor<2x4xf32>, tensor<2xi64> -> tensor<2x1x2x2xf32>
  return
}

// -----

func.func @roi_align_scale(%x: tensor<1x1x4x4xf32>, %r: tensor<2x4xf32>, %b: tensor<2xi64>) {
  // expected-error @+1 {{'cim.roi_align' op expects a positive finite spatial_scale, got 0}}
  %0 = cim.roi_align %x, %r, %b {spatial_scale = 0.0 : f32} : tensor<1x1x4x4xf32>, tensor<2x4xf32>, tensor<2xi64> -> tensor<2x1x2x2xf32>
  return
}

// -----

func.func @roi_align_rois(%x: tensor<1x1x4x4xf32>, %r: tensor<2x5xf32>, %b: tensor<2xi64>) {
  // expected-error @+1 {{'cim.roi_align' op expects rois' last dimension to be 4, got 5}}
  %0 = cim.roi_align %x, %r, %b : tensor<1x1x4x4xf32>, tensor<2x5xf32>, tensor<2xi64> -> tensor<2x1x2x2xf32>
  return
}

// -----

func.func @roi_align_batch(%x: tensor<1x1x4x4xf32>, %r: tensor<2x4xf32>, %b: tensor<3xi64>) {
  // expected-error @+1 {{'cim.roi_align' op expects batch_indices size to be 2, got 3}}
  %0 = cim.roi_align %x, %r, %b : tensor<1x1x4x4xf32>, tensor<2x4xf32>, tensor<3xi64> -> tensor<2x1x2x2xf32>
  return
}

// -----

func.func @roi_align_output(%x: tensor<1x3x4x4xf32>, %r: tensor<2x4xf32>, %b: tensor<2xi64>) {
  // expected-error @+1 {{'cim.roi_align' op expects output channels to be 3, got 1}}
  %0 = cim.roi_align %x, %r, %b : tensor<1x3x4x4xf32>, tensor<2x4xf32>, tensor<2xi64> -> tensor<2x1x2x2xf32>
  return
}
