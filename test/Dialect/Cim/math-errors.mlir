// RUN: cim-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of the ops in CimMathOps.td.

func.func @logic_not_bool(%x: tensor<4xf32>) {
  // expected-error @+1 {{'cim.and' op expects boolean (i1) operands, got 'tensor<4xf32>'}}
  %0 = cim.and %x, %x : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @mod_float(%x: tensor<4xf32>) {
  // expected-error @+1 {{'cim.mod' op expects fmod = true for float operands (ONNX)}}
  %0 = cim.mod %x, %x : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @cmp_shape(%x: tensor<3x4xf32>, %y: tensor<3xf32>) {
  // expected-error @+1 {{'cim.cmp' op expects broadcast-compatible operands, got 'tensor<3xf32>'}}
  %0 = cim.cmp lt, %x, %y : tensor<3x4xf32>, tensor<3xf32> -> tensor<3x4xi1>
  return
}

// -----

func.func @reduce_axes(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{'cim.reduce' op expects distinct axes, got 1 twice}}
  %0 = cim.reduce sum %x {axes = array<i64: 1, -1>} : tensor<3x4xf32> -> tensor<3x1xf32>
  return
}

// -----

func.func @reduce_shape(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{'cim.reduce' op}}
  %0 = cim.reduce max %x {axes = array<i64: 1>, keepdims = false} : tensor<3x4xf32> -> tensor<3x1xf32>
  return
}

// -----

func.func @argmax_axis(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{'cim.argmax' op expects 'axis' in [-2, 1], got 2}}
  %0 = cim.argmax %x {axis = 2 : i64} : tensor<3x4xf32> -> tensor<3x1xi64>
  return
}

// -----

func.func @select_types(%c: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<4xi64>) {
  // expected-error @+1 {{'cim.select' op}}
  %0 = cim.select %c, %x, %y : tensor<4xi1>, tensor<4xf32>, tensor<4xi64> -> tensor<4xf32>
  return
}

// -----

func.func @trilu_rank(%x: tensor<4xf32>) {
  // expected-error @+1 {{'cim.trilu' op expects a tensor of rank 2 or more, got 'tensor<4xf32>'}}
  %0 = cim.trilu %x : tensor<4xf32>
  return
}

// -----

func.func @cast_shape(%x: tensor<4xf32>) {
  // expected-error @+1 {{'cim.cast' op}}
  %0 = cim.cast %x : tensor<4xf32> -> tensor<5xi64>
  return
}
