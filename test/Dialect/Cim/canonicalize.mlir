// RUN: cim-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @fold_add_zero
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @fold_add_zero(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %z = cim.constant dense<0.0> : tensor<2x3xf32>
  %0 = cim.add %x, %z : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A zero that broadcasts x to a larger shape is not an identity.
// CHECK-LABEL: func.func @keep_broadcasting_add
// CHECK: cim.add
func.func @keep_broadcasting_add(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %z = cim.constant dense<0.0> : tensor<2x3xf32>
  %0 = cim.add %x, %z : tensor<3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @fold_mul_one
// CHECK-SAME: (%[[X:.*]]: tensor<4xi32>)
// CHECK-NEXT: return %[[X]]
func.func @fold_mul_one(%x: tensor<4xi32>) -> tensor<4xi32> {
  %one = cim.constant dense<1> : tensor<4xi32>
  %0 = cim.mul %one, %x : tensor<4xi32>, tensor<4xi32> -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @keep_mul_two
// CHECK: cim.mul
func.func @keep_mul_two(%x: tensor<4xf32>) -> tensor<4xf32> {
  %two = cim.constant dense<2.0> : tensor<4xf32>
  %0 = cim.mul %x, %two : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @relu_idempotent
// CHECK: %[[R:.*]] = cim.relu
// CHECK-NEXT: return %[[R]]
func.func @relu_idempotent(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = cim.relu %x : tensor<4xf32>
  %1 = cim.relu %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @merge_clips
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[C:.*]] = cim.clip %[[X]] {max = 4.000000e+00 : f32, min = 0.000000e+00 : f32}
// CHECK-NEXT: return %[[C]]
func.func @merge_clips(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = cim.clip %x {min = -1.0 : f32, max = 4.0 : f32} : tensor<4xf32>
  %1 = cim.clip %0 {min = 0.0 : f32, max = 6.0 : f32} : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Disjoint ranges are left alone.
// CHECK-LABEL: func.func @disjoint_clips
// CHECK: cim.clip
// CHECK: cim.clip
func.func @disjoint_clips(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = cim.clip %x {min = 0.0 : f32, max = 1.0 : f32} : tensor<4xf32>
  %1 = cim.clip %0 {min = 2.0 : f32, max = 3.0 : f32} : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @compose_reshapes
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = cim.reshape %[[X]] : tensor<2x3x4xf32> -> tensor<24xf32>
// CHECK-NEXT: return %[[R]]
func.func @compose_reshapes(%x: tensor<2x3x4xf32>) -> tensor<24xf32> {
  %0 = cim.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = cim.reshape %0 : tensor<6x4xf32> -> tensor<24xf32>
  return %1 : tensor<24xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_identity
// CHECK-SAME: (%[[X:.*]]: tensor<6x4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @reshape_identity(%x: tensor<6x4xf32>) -> tensor<6x4xf32> {
  %0 = cim.reshape %x : tensor<6x4xf32> -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_constant
// CHECK-NEXT: %[[C:.*]] = cim.constant dense<{{\[}}[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
// CHECK-NEXT: return %[[C]]
func.func @reshape_constant() -> tensor<2x3xi32> {
  %c = cim.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi32>
  %0 = cim.reshape %c : tensor<6xi32> -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// CHECK-LABEL: func.func @flatten_to_reshape
// CHECK: cim.reshape %{{.*}} : tensor<1x16x4x4xf32> -> tensor<1x256xf32>
// CHECK-NOT: cim.flatten
func.func @flatten_to_reshape(%x: tensor<1x16x4x4xf32>) -> tensor<1x256xf32> {
  %0 = cim.flatten %x : tensor<1x16x4x4xf32> -> tensor<1x256xf32>
  return %0 : tensor<1x256xf32>
}

// -----

// CHECK-LABEL: func.func @flatten_dynamic
// CHECK: cim.flatten
func.func @flatten_dynamic(%x: tensor<?x16x4x4xf32>) -> tensor<?x256xf32> {
  %0 = cim.flatten %x : tensor<?x16x4x4xf32> -> tensor<?x256xf32>
  return %0 : tensor<?x256xf32>
}

// -----

// Transposing a constant weight (ONNX Gemm transB) happens at compile time.
// CHECK-LABEL: func.func @transpose_constant
// CHECK-NEXT: %[[C:.*]] = cim.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @transpose_constant() -> tensor<3x2xf32> {
  %c = cim.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = cim.transpose %c {permutation = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// A rank-3 permutation of a constant: out[i][j][k] = in[j][k][i].
// in = [[[0,1],[2,3],[4,5]]] (1x3x2), perm [2, 0, 1] -> 2x1x3.
// CHECK-LABEL: func.func @transpose_constant_rank3
// CHECK-NEXT: cim.constant dense<{{\[}}{{\[}}[0, 2, 4]], {{\[}}[1, 3, 5]]]> : tensor<2x1x3xi8>
func.func @transpose_constant_rank3() -> tensor<2x1x3xi8> {
  %c = cim.constant dense<[[[0, 1], [2, 3], [4, 5]]]> : tensor<1x3x2xi8>
  %0 = cim.transpose %c {permutation = array<i64: 2, 0, 1>} : tensor<1x3x2xi8> -> tensor<2x1x3xi8>
  return %0 : tensor<2x1x3xi8>
}

// -----

// CHECK-LABEL: func.func @transpose_splat
// CHECK-NEXT: cim.constant dense<7.000000e+00> : tensor<3x2xf32>
func.func @transpose_splat() -> tensor<3x2xf32> {
  %c = cim.constant dense<7.0> : tensor<2x3xf32>
  %0 = cim.transpose %c {permutation = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_inverse
// CHECK-SAME: (%[[X:.*]]: tensor<1x16x4x8xf32>)
// CHECK-NEXT: return %[[X]]
func.func @transpose_inverse(%x: tensor<1x16x4x8xf32>) -> tensor<1x16x4x8xf32> {
  %0 = cim.transpose %x {permutation = array<i64: 0, 2, 3, 1>} : tensor<1x16x4x8xf32> -> tensor<1x4x8x16xf32>
  %1 = cim.transpose %0 {permutation = array<i64: 0, 3, 1, 2>} : tensor<1x4x8x16xf32> -> tensor<1x16x4x8xf32>
  return %1 : tensor<1x16x4x8xf32>
}

// -----

// transpose(transpose(x, [1, 2, 0]), [1, 2, 0]) == transpose(x, [2, 0, 1]).
// CHECK-LABEL: func.func @transpose_compose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[T:.*]] = cim.transpose %[[X]] {permutation = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK-NEXT: return %[[T]]
func.func @transpose_compose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = cim.transpose %x {permutation = array<i64: 1, 2, 0>} : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = cim.transpose %0 {permutation = array<i64: 1, 2, 0>} : tensor<3x4x2xf32> -> tensor<4x2x3xf32>
  return %1 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @concat_single
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @concat_single(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = cim.concat %x {axis = 0 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Slicing the packed q/k/v projection weight of attention at compile time:
// rows 1..2 and every second column of a 3x4 constant.
// CHECK-LABEL: func.func @slice_constant
// CHECK-NEXT: %[[C:.*]] = cim.constant dense<{{\[}}[5, 7], [9, 11]]> : tensor<2x2xi32>
// CHECK-NEXT: return %[[C]]
func.func @slice_constant() -> tensor<2x2xi32> {
  %c = cim.constant dense<[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]> : tensor<3x4xi32>
  %0 = cim.slice %c {offsets = array<i64: 1, 1>, strides = array<i64: 1, 2>} : tensor<3x4xi32> -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

// CHECK-LABEL: func.func @slice_identity
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @slice_identity(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %0 = cim.slice %x {offsets = array<i64: 0, 0>, strides = array<i64: 1, 1>} : tensor<3x4xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}
