// RUN: cim-opt %s -split-input-file -verify-diagnostics

// One case per verifier rule of the ops in CimIndexingOps.td.

func.func @scatter_elements_axis(%d: tensor<3x4xf32>, %i: tensor<2x4xi64>, %u: tensor<2x4xf32>) {
  // expected-error @+1 {{'cim.scatter_elements' op expects 'axis' in [-2, 1], got 2}}
  %0 = cim.scatter_elements %d[%i], %u {axis = 2 : i64} : tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32> -> tensor<3x4xf32>
  return
}

// -----

func.func @scatter_elements_reduction(%d: tensor<3x4xf32>, %i: tensor<2x4xi64>, %u: tensor<2x4xf32>) {
  // expected-error @+1 {{'cim.scatter_elements' op expects reduction none, add, mul, max or min, got 'sub'}}
  %0 = cim.scatter_elements %d[%i], %u {reduction = "sub"} : tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32> -> tensor<3x4xf32>
  return
}

// -----

func.func @scatter_elements_output(%d: tensor<3x4xf32>, %i: tensor<2x4xi64>, %u: tensor<2x4xf32>) {
  // expected-error @+1 {{'cim.scatter_elements' op expects the output type to be the data's ('tensor<3x4xf32>'), got 'tensor<4x4xf32>'}}
  %0 = cim.scatter_elements %d[%i], %u : tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @scatter_elements_updates(%d: tensor<3x4xf32>, %i: tensor<2x4xi64>, %u: tensor<2x3xf32>) {
  // expected-error @+1 {{'cim.scatter_elements' op expects updates dimension 1 to be 4, got 3}}
  %0 = cim.scatter_elements %d[%i], %u : tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x3xf32> -> tensor<3x4xf32>
  return
}

// -----

func.func @scatter_elements_rank(%d: tensor<3x4xf32>, %i: tensor<8xi64>, %u: tensor<8xf32>) {
  // expected-error @+1 {{'cim.scatter_elements' op expects indices of the data's rank 2, got 'tensor<8xi64>'}}
  %0 = cim.scatter_elements %d[%i], %u : tensor<3x4xf32>, tensor<8xi64>, tensor<8xf32> -> tensor<3x4xf32>
  return
}

// -----

func.func @scatter_nd_k(%d: tensor<3x4xf32>, %i: tensor<2x3xi64>, %u: tensor<2xf32>) {
  // expected-error @+1 {{'cim.scatter_nd' op expects indices [..., k] with a static k of at most the data's rank 2, got 'tensor<2x3xi64>'}}
  %0 = cim.scatter_nd %d[%i], %u : tensor<3x4xf32>, tensor<2x3xi64>, tensor<2xf32> -> tensor<3x4xf32>
  return
}

// -----

func.func @scatter_nd_updates(%d: tensor<3x4xf32>, %i: tensor<2x1xi64>, %u: tensor<2x3xf32>) {
  // expected-error @+1 {{'cim.scatter_nd' op expects updates of shape [2, 4], got [2, 3]}}
  %0 = cim.scatter_nd %d[%i], %u : tensor<3x4xf32>, tensor<2x1xi64>, tensor<2x3xf32> -> tensor<3x4xf32>
  return
}

// -----

func.func @gather_nd_batch(%d: tensor<2x2x3xi32>, %i: tensor<2x1x2xi64>) {
  // expected-error @+1 {{'cim.gather_nd' op expects batch_dims in [0, 3), got 3}}
  %0 = cim.gather_nd %d[%i] {batch_dims = 3 : i64} : tensor<2x2x3xi32>, tensor<2x1x2xi64> -> tensor<2x1xi32>
  return
}

// -----

func.func @gather_nd_k(%d: tensor<2x2x3xi32>, %i: tensor<2x1x3xi64>) {
  // expected-error @+1 {{'cim.gather_nd' op expects the index vectors' size in [1, 2], got 3}}
  %0 = cim.gather_nd %d[%i] {batch_dims = 1 : i64} : tensor<2x2x3xi32>, tensor<2x1x3xi64> -> tensor<2x1xi32>
  return
}

// -----

func.func @gather_nd_batch_size(%d: tensor<2x2x3xi32>, %i: tensor<3x1x2xi64>) {
  // expected-error @+1 {{'cim.gather_nd' op expects indices batch dimension 0 to be 2, got 3}}
  %0 = cim.gather_nd %d[%i] {batch_dims = 1 : i64} : tensor<2x2x3xi32>, tensor<3x1x2xi64> -> tensor<3x1xi32>
  return
}

// -----

func.func @gather_nd_output(%d: tensor<2x2x3xi32>, %i: tensor<2x1x1xi64>) {
  // expected-error @+1 {{'cim.gather_nd' op expects output of shape [2, 1, 3], got [2, 1]}}
  %0 = cim.gather_nd %d[%i] {batch_dims = 1 : i64} : tensor<2x2x3xi32>, tensor<2x1x1xi64> -> tensor<2x1xi32>
  return
}

// -----

func.func @reverse_sequence_axes(%x: tensor<4x3xf32>, %l: tensor<3xi64>) {
  // expected-error @+1 {{'cim.reverse_sequence' op expects batch_axis and time_axis to be 0 and 1 in some order, got 1 and 1}}
  %0 = cim.reverse_sequence %x, %l {time_axis = 1 : i64} : tensor<4x3xf32>, tensor<3xi64> -> tensor<4x3xf32>
  return
}

// -----

func.func @reverse_sequence_lens(%x: tensor<4x3xf32>, %l: tensor<4xi64>) {
  // expected-error @+1 {{'cim.reverse_sequence' op expects the number of sequence_lens to be 3, got 4}}
  %0 = cim.reverse_sequence %x, %l : tensor<4x3xf32>, tensor<4xi64> -> tensor<4x3xf32>
  return
}

// -----

func.func @reverse_sequence_rank(%x: tensor<4xf32>, %l: tensor<4xi64>) {
  // expected-error @+1 {{'cim.reverse_sequence' op expects an input of rank 2 or more, got 'tensor<4xf32>'}}
  %0 = cim.reverse_sequence %x, %l : tensor<4xf32>, tensor<4xi64> -> tensor<4xf32>
  return
}

// -----

func.func @compress_condition(%x: tensor<3x2xf32>, %c: tensor<3x1xi1>) {
  // expected-error @+1 {{'cim.compress' op expects a 1-D condition, got 'tensor<3x1xi1>'}}
  %0 = cim.compress %x, %c {axis = 0 : i64} : tensor<3x2xf32>, tensor<3x1xi1> -> tensor<2x2xf32>
  return
}

// -----

func.func @compress_too_many(%x: tensor<3x2xf32>, %c: tensor<2xi1>) {
  // expected-error @+1 {{'cim.compress' op keeps 3 slices of at most 2}}
  %0 = cim.compress %x, %c {axis = 0 : i64} : tensor<3x2xf32>, tensor<2xi1> -> tensor<3x2xf32>
  return
}

// -----

func.func @compress_shape(%x: tensor<3x2xf32>, %c: tensor<3xi1>) {
  // expected-error @+1 {{'cim.compress' op expects output of shape [2, 2], got [2, 1]}}
  %0 = cim.compress %x, %c {axis = 0 : i64} : tensor<3x2xf32>, tensor<3xi1> -> tensor<2x1xf32>
  return
}

// -----

func.func @compress_flat(%x: tensor<3x2xf32>, %c: tensor<6xi1>) {
  // expected-error @+1 {{'cim.compress' op expects a 1-D output without an axis, got 'tensor<2x1xf32>'}}
  %0 = cim.compress %x, %c : tensor<3x2xf32>, tensor<6xi1> -> tensor<2x1xf32>
  return
}

// -----

func.func @nonzero_rank(%x: tensor<2x2xi1>) {
  // expected-error @+1 {{'cim.nonzero' op expects the output's first dimension (the input's rank) to be 2, got 3}}
  %0 = cim.nonzero %x : tensor<2x2xi1> -> tensor<3x1xi64>
  return
}

// -----

func.func @nonzero_count(%x: tensor<2x2xi1>) {
  // expected-error @+1 {{'cim.nonzero' op expects at most 4 non-zero elements, got 5}}
  %0 = cim.nonzero %x : tensor<2x2xi1> -> tensor<2x5xi64>
  return
}

// -----

func.func @unique_indices(%x: tensor<6xf32>) {
  // expected-error @+1 {{'cim.unique' op expects indices of shape [4], got [3]}}
  %0:4 = cim.unique %x : tensor<6xf32> -> tensor<4xf32>, tensor<3xi64>, tensor<6xi64>, tensor<4xi64>
  return
}

// -----

func.func @unique_inverse(%x: tensor<3x3xf32>) {
  // expected-error @+1 {{'cim.unique' op expects inverse_indices of shape [3], got [9]}}
  %0:4 = cim.unique %x {axis = 0 : i64} : tensor<3x3xf32> -> tensor<2x3xf32>, tensor<2xi64>, tensor<9xi64>, tensor<2xi64>
  return
}

// -----

func.func @unique_count(%x: tensor<3xf32>) {
  // expected-error @+1 {{'cim.unique' op expects at most 3 unique values, got 4}}
  %0:4 = cim.unique %x : tensor<3xf32> -> tensor<4xf32>, tensor<4xi64>, tensor<3xi64>, tensor<4xi64>
  return
}

// -----

func.func @top_k_too_large(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{'cim.top_k' op expects k of at most 4, got 5}}
  %0:2 = cim.top_k %x : tensor<3x4xf32> -> tensor<3x5xf32>, tensor<3x5xi64>
  return
}

// -----

func.func @top_k_indices(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{'cim.top_k' op expects indices of shape [3, 2], got [3, 3]}}
  %0:2 = cim.top_k %x : tensor<3x4xf32> -> tensor<3x2xf32>, tensor<3x3xi64>
  return
}

// -----

func.func @top_k_k(%x: tensor<3x4xf32>, %k: tensor<2xi64>) {
  // expected-error @+1 {{'cim.top_k' op expects a one-element k, got 'tensor<2xi64>'}}
  %0:2 = cim.top_k %x k(%k : tensor<2xi64>) : tensor<3x4xf32> -> tensor<3x2xf32>, tensor<3x2xi64>
  return
}

// -----

func.func @bit_shift_signed(%x: tensor<3xi8>) {
  // expected-error @+1 {{'cim.bit_shift' op expects unsigned integers, got 'tensor<3xi8>'}}
  %0 = cim.bit_shift %x, %x {direction = "left"} : tensor<3xi8>, tensor<3xi8> -> tensor<3xi8>
  return
}

// -----

func.func @bit_shift_direction(%x: tensor<3xui8>) {
  // expected-error @+1 {{'cim.bit_shift' op expects direction left or right, got 'up'}}
  %0 = cim.bit_shift %x, %x {direction = "up"} : tensor<3xui8>, tensor<3xui8> -> tensor<3xui8>
  return
}

// -----

func.func @bit_shift_broadcast(%x: tensor<3xui8>, %y: tensor<2xui8>) {
  // expected-error @+1 {{'cim.bit_shift' op expects broadcast-compatible operands, got 'tensor<3xui8>' and 'tensor<2xui8>'}}
  %0 = cim.bit_shift %x, %y {direction = "left"} : tensor<3xui8>, tensor<2xui8> -> tensor<3xui8>
  return
}

// -----

func.func @one_hot_values(%i: tensor<3xi64>, %v: tensor<3xf32>) {
  // expected-error @+1 {{'cim.one_hot' op expects two values (off, on), got 'tensor<3xf32>'}}
  %0 = cim.one_hot %i, %v : tensor<3xi64>, tensor<3xf32> -> tensor<3x5xf32>
  return
}

// -----

func.func @one_hot_shape(%i: tensor<3xi64>, %v: tensor<2xf32>) {
  // expected-error @+1 {{'cim.one_hot' op expects output of shape [3, 3], got [3, 5]}}
  %0 = cim.one_hot %i, %v {axis = 0 : i64} : tensor<3xi64>, tensor<2xf32> -> tensor<3x5xf32>
  return
}

// -----

func.func @one_hot_axis(%i: tensor<3xi64>, %v: tensor<2xf32>) {
  // expected-error @+1 {{'cim.one_hot' op expects 'axis' in [-2, 1], got 2}}
  %0 = cim.one_hot %i, %v {axis = 2 : i64} : tensor<3xi64>, tensor<2xf32> -> tensor<3x5xf32>
  return
}

// -----

func.func @one_hot_depth(%i: tensor<3xi64>, %v: tensor<2xf32>, %d: tensor<2xf32>) {
  // expected-error @+1 {{'cim.one_hot' op expects a one-element depth, got 'tensor<2xf32>'}}
  %0 = cim.one_hot %i, %v depth(%d : tensor<2xf32>) : tensor<3xi64>, tensor<2xf32> -> tensor<3x5xf32>
  return
}

// -----

func.func @einsum_equation(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'cim.einsum' op equation 'ijk->i' does not match the operands' ranks}}
  %0 = cim.einsum %x {equation = "ijk->i"} : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

func.func @einsum_sizes(%x: tensor<2x3xf32>, %y: tensor<4x5xf32>) {
  // expected-error @+1 {{'cim.einsum' op expects one size for subscript 'j', got 3 and 4}}
  %0 = cim.einsum %x, %y {equation = "ij,jk->ik"} : tensor<2x3xf32>, tensor<4x5xf32> -> tensor<2x5xf32>
  return
}

// -----

func.func @einsum_output(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'cim.einsum' op expects output of shape [3, 2], got [2, 3]}}
  %0 = cim.einsum %x {equation = "ij->ji"} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @einsum_types(%x: tensor<2x3xf32>, %y: tensor<3xf64>) {
  // expected-error @+1 {{'cim.einsum' op expects operands and operands to have the same element type, got 'f32' and 'f64'}}
  %0 = cim.einsum %x, %y {equation = "ij,j->i"} : tensor<2x3xf32>, tensor<3xf64> -> tensor<2xf32>
  return
}

// -----

func.func @window_kind() {
  // expected-error @+1 {{'cim.window' op expects kind hann, hamming or blackman, got 'kaiser'}}
  %0 = cim.window "kaiser" : tensor<8xf32>
  return
}

// -----

func.func @window_rank() {
  // expected-error @+1 {{'cim.window' op expects output of rank 1, got rank 2}}
  %0 = cim.window "hann" : tensor<2x4xf32>
  return
}

// -----

func.func @det_square(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'cim.det' op expects the matrices' columns to be 2, got 3}}
  %0 = cim.det %x : tensor<2x3xf32> -> tensor<f32>
  return
}

// -----

func.func @det_output(%x: tensor<3x2x2xf32>) {
  // expected-error @+1 {{'cim.det' op expects output of shape [3], got [2]}}
  %0 = cim.det %x : tensor<3x2x2xf32> -> tensor<2xf32>
  return
}
