// RUN: cim-opt %s -split-input-file -verify-diagnostics

func.func @slice_lengths(%x: tensor<3x4xf32>, %a: tensor<2xi64>, %b: tensor<1xi64>) -> tensor<2x2xf32> {
  // expected-error @+1 {{expects 'ends' to have 2 entries, got 1}}
  %y = cim.dynamic_slice %x, %a, %b, %a, %a : tensor<3x4xf32>, tensor<2xi64>, tensor<1xi64>, tensor<2xi64>, tensor<2xi64> -> tensor<2x2xf32>
  return %y : tensor<2x2xf32>
}

// -----

func.func @slice_rank(%x: tensor<3x4xf32>, %a: tensor<2xi64>) -> tensor<2xf32> {
  // expected-error @+1 {{expects the output rank to equal the input rank 2, got 1}}
  %y = cim.dynamic_slice %x, %a, %a, %a, %a : tensor<3x4xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64> -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @slice_too_many_axes(%x: tensor<3xf32>, %a: tensor<2xi64>) -> tensor<2xf32> {
  // expected-error @+1 {{slices 2 axes of a rank-1 tensor}}
  %y = cim.dynamic_slice %x, %a, %a, %a, %a : tensor<3xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64> -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @reduce_rank(%x: tensor<3x4xf32>, %a: tensor<1xi64>) -> tensor<3x1xf32> {
  // expected-error @+1 {{expects rank 1 after reducing 1 axes without keepdims, got 2}}
  %y = cim.dynamic_reduce sum %x, %a {keepdims = false} : tensor<3x4xf32>, tensor<1xi64> -> tensor<3x1xf32>
  return %y : tensor<3x1xf32>
}

// -----

func.func @cumsum_axis(%x: tensor<3x4xf32>, %a: tensor<2xi64>) -> tensor<3x4xf32> {
  // expected-error @+1 {{expects 'axis' to be a scalar (rank 0 or one element), got 'tensor<2xi64>'}}
  %y = cim.dynamic_cumsum %x, %a : tensor<3x4xf32>, tensor<2xi64>
  return %y : tensor<3x4xf32>
}

// -----

func.func @pad_count(%x: tensor<3x4xf32>, %p: tensor<2xi64>, %v: tensor<f32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{expects 'pads' to have 4 entries, got 2}}
  %y = cim.dynamic_pad %x, %p, %v : tensor<3x4xf32>, tensor<2xi64>, tensor<f32> -> tensor<3x5xf32>
  return %y : tensor<3x5xf32>
}

// -----

func.func @pad_value_type(%x: tensor<3x4xf32>, %p: tensor<4xi64>, %v: tensor<i32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{expects input and value to have the same element type}}
  %y = cim.dynamic_pad %x, %p, %v : tensor<3x4xf32>, tensor<4xi64>, tensor<i32> -> tensor<3x5xf32>
  return %y : tensor<3x5xf32>
}

// -----

func.func @repeat_count(%x: tensor<3x4xf32>, %r: tensor<3xi64>) -> tensor<3x8xf32> {
  // expected-error @+1 {{expects 'repeats' to have 2 entries, got 3}}
  %y = cim.dynamic_repeat %x, %r : tensor<3x4xf32>, tensor<3xi64> -> tensor<3x8xf32>
  return %y : tensor<3x8xf32>
}

// -----

func.func @range_type(%s: tensor<i64>, %d: tensor<f32>) -> tensor<2xf32> {
  // expected-error @+1 {{expects start and output to have the same element type}}
  %y = cim.range %s, %s, %d : tensor<i64>, tensor<i64>, tensor<f32> -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @quantize_channels(%x: tensor<2x3xf32>, %s: tensor<2xf32>, %z: tensor<2xui8>) -> tensor<2x3xui8> {
  // expected-error @+1 {{expects 'scale' to have 3 entries, got 2}}
  %y = cim.dynamic_quantize %x, %s, %z {axis = 1 : i64} : tensor<2x3xf32>, tensor<2xf32>, tensor<2xui8> -> tensor<2x3xui8>
  return %y : tensor<2x3xui8>
}

// -----

func.func @quantize_zero_type(%x: tensor<4xf32>, %s: tensor<f32>, %z: tensor<i8>) -> tensor<4xui8> {
  // expected-error @+1 {{expects output and zero_point to have the same element type}}
  %y = cim.dynamic_quantize %x, %s, %z : tensor<4xf32>, tensor<f32>, tensor<i8> -> tensor<4xui8>
  return %y : tensor<4xui8>
}
