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
