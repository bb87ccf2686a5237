// RUN: cim-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of the ops in CimSignalOps.td.

func.func @dft_rank(%x: tensor<4x1xf32>) {
  // expected-error @+1 {{'cim.dft' op expects an input [batch, signal dims..., 1 or 2] of rank 3 or more, got 'tensor<4x1xf32>'}}
  %0 = cim.dft %x : tensor<4x1xf32> -> tensor<4x2xf32>
  return
}

// -----

func.func @dft_parts(%x: tensor<1x4x3xf32>) {
  // expected-error @+1 {{'cim.dft' op expects the input's last dimension to be 1 (real) or 2 (complex), got 3}}
  %0 = cim.dft %x : tensor<1x4x3xf32> -> tensor<1x4x2xf32>
  return
}

// -----

func.func @dft_axis(%x: tensor<1x4x1xf32>) {
  // expected-error @+1 {{'cim.dft' op expects an axis in [0, 1] (not the trailing real/imaginary one), got 2}}
  %0 = cim.dft %x {axis = 2 : i64} : tensor<1x4x1xf32> -> tensor<1x4x2xf32>
  return
}

// -----

func.func @dft_type(%x: tensor<1x4x1xf32>) {
  // expected-error @+1 {{'cim.dft' op expects input and output to have the same element type, got 'f32' and 'f16'}}
  %0 = cim.dft %x : tensor<1x4x1xf32> -> tensor<1x4x2xf16>
  return
}

// -----

func.func @dft_onesided(%x: tensor<1x8x1xf32>) {
  // expected-error @+1 {{'cim.dft' op expects output of shape [1, 5, 2], got [1, 8, 2]}}
  %0 = cim.dft %x {onesided = true} : tensor<1x8x1xf32> -> tensor<1x8x2xf32>
  return
}

// -----

func.func @dft_inverse_onesided(%x: tensor<1x8x2xf32>) {
  // expected-error @+1 {{'cim.dft' op expects onesided and inverse not both set (as ONNX DFT-17)}}
  %0 = cim.dft %x {inverse = true, onesided = true} : tensor<1x8x2xf32> -> tensor<1x5x2xf32>
  return
}

// -----

func.func @dft_length(%x: tensor<1x8x1xf32>) {
  %n = cim.constant dense<0> : tensor<i64>
  // expected-error @+1 {{'cim.dft' op expects 'dft_length' to be at least 1, got 0}}
  %0 = cim.dft %x length(%n : tensor<i64>) : tensor<1x8x1xf32> -> tensor<1x8x2xf32>
  return
}

// -----

func.func @dft_length_shape(%x: tensor<1x8x1xf32>) {
  %n = cim.constant dense<12> : tensor<i64>
  // expected-error @+1 {{'cim.dft' op expects output of shape [1, 12, 2], got [1, 8, 2]}}
  %0 = cim.dft %x length(%n : tensor<i64>) : tensor<1x8x1xf32> -> tensor<1x8x2xf32>
  return
}

// -----

func.func @dft_length_elements(%x: tensor<1x8x1xf32>, %n: tensor<2xi64>) {
  // expected-error @+1 {{'cim.dft' op expects 'dft_length' to be a one-element tensor, got 'tensor<2xi64>'}}
  %0 = cim.dft %x length(%n : tensor<2xi64>) : tensor<1x8x1xf32> -> tensor<1x8x2xf32>
  return
}

// -----

func.func @stft_rank(%x: tensor<1x16xf32>, %s: tensor<i64>, %w: tensor<4xf32>) {
  // expected-error @+1 {{'cim.stft' op expects signal of rank 3 ([batch, length, 1 or 2]), got rank 2}}
  %0 = cim.stft %x, %s : tensor<i64> window(%w : tensor<4xf32>) : tensor<1x16xf32> -> tensor<1x7x3x2xf32>
  return
}

// -----

func.func @stft_parts(%x: tensor<1x16x4xf32>, %s: tensor<i64>, %w: tensor<4xf32>) {
  // expected-error @+1 {{'cim.stft' op expects the signal's last dimension to be 1 (real) or 2 (complex), got 4}}
  %0 = cim.stft %x, %s : tensor<i64> window(%w : tensor<4xf32>) : tensor<1x16x4xf32> -> tensor<1x7x3x2xf32>
  return
}

// -----

func.func @stft_window_rank(%x: tensor<1x16x1xf32>, %s: tensor<i64>, %w: tensor<2x2xf32>) {
  // expected-error @+1 {{'cim.stft' op expects window of rank 1, got rank 2}}
  %0 = cim.stft %x, %s : tensor<i64> window(%w : tensor<2x2xf32>) : tensor<1x16x1xf32> -> tensor<1x7x3x2xf32>
  return
}

// -----

func.func @stft_mismatch(%x: tensor<1x16x1xf32>, %s: tensor<i64>, %w: tensor<4xf32>) {
  %l = cim.constant dense<6> : tensor<i64>
  // expected-error @+1 {{'cim.stft' op expects the window's size (4) to be the frame_length (6)}}
  %0 = cim.stft %x, %s : tensor<i64> window(%w : tensor<4xf32>) length(%l : tensor<i64>) : tensor<1x16x1xf32> -> tensor<1x6x4x2xf32>
  return
}

// -----

func.func @stft_none(%x: tensor<1x16x1xf32>, %s: tensor<i64>) {
  // expected-error @+1 {{'cim.stft' op expects a window or a frame_length}}
  %0 = cim.stft %x, %s : tensor<i64> : tensor<1x16x1xf32> -> tensor<1x7x3x2xf32>
  return
}

// -----

func.func @stft_step(%x: tensor<1x16x1xf32>, %w: tensor<4xf32>) {
  %s = cim.constant dense<0> : tensor<i64>
  // expected-error @+1 {{'cim.stft' op expects 'frame_step' to be at least 1, got 0}}
  %0 = cim.stft %x, %s : tensor<i64> window(%w : tensor<4xf32>) : tensor<1x16x1xf32> -> tensor<1x7x3x2xf32>
  return
}

// -----

func.func @stft_long(%x: tensor<1x16x1xf32>, %s: tensor<i64>, %w: tensor<32xf32>) {
  // expected-error @+1 {{'cim.stft' op expects a frame length in [1, 16] (the signal's), got 32}}
  %0 = cim.stft %x, %s : tensor<i64> window(%w : tensor<32xf32>) : tensor<1x16x1xf32> -> tensor<1x1x17x2xf32>
  return
}

// -----

func.func @stft_shape(%x: tensor<1x16x1xf32>, %w: tensor<4xf32>) {
  %s = cim.constant dense<2> : tensor<i64>
  // expected-error @+1 {{'cim.stft' op expects output of shape [1, 7, 3, 2], got [1, 7, 4, 2]}}
  %0 = cim.stft %x, %s : tensor<i64> window(%w : tensor<4xf32>) : tensor<1x16x1xf32> -> tensor<1x7x4x2xf32>
  return
}

// -----

func.func @mel_elements(%b: tensor<2xi32>, %n: tensor<i32>, %r: tensor<i32>, %lo: tensor<f32>, %hi: tensor<f32>) {
  // expected-error @+1 {{'cim.mel_weight_matrix' op expects 'num_mel_bins' to be a one-element tensor, got 'tensor<2xi32>'}}
  %0 = cim.mel_weight_matrix %b, %n, %r, %lo, %hi : tensor<2xi32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32> -> tensor<9x8xf32>
  return
}

// -----

func.func @mel_rank(%b: tensor<i32>, %n: tensor<i32>, %r: tensor<i32>, %lo: tensor<f32>, %hi: tensor<f32>) {
  // expected-error @+1 {{'cim.mel_weight_matrix' op expects output of rank 2 ([dft_length / 2 + 1, num_mel_bins]), got rank 1}}
  %0 = cim.mel_weight_matrix %b, %n, %r, %lo, %hi : tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32> -> tensor<72xf32>
  return
}

// -----

func.func @mel_shape(%r: tensor<i32>, %lo: tensor<f32>, %hi: tensor<f32>) {
  %b = cim.constant dense<8> : tensor<i32>
  %n = cim.constant dense<16> : tensor<i32>
  // expected-error @+1 {{'cim.mel_weight_matrix' op expects output of shape [9, 8], got [8, 8]}}
  %0 = cim.mel_weight_matrix %b, %n, %r, %lo, %hi : tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32> -> tensor<8x8xf32>
  return
}

// -----

func.func @mel_bins(%n: tensor<i32>, %r: tensor<i32>, %lo: tensor<f32>, %hi: tensor<f32>) {
  %b = cim.constant dense<0> : tensor<i32>
  // expected-error @+1 {{'cim.mel_weight_matrix' op expects 'num_mel_bins' to be at least 1, got 0}}
  %0 = cim.mel_weight_matrix %b, %n, %r, %lo, %hi : tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32> -> tensor<9x1xf32>
  return
}
