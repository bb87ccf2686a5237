// Ops the pass cannot map stay in place and are reported, each with its
// reason; the rest of the function is still converted.
// RUN: cim-opt %s --convert-linalg-to-cim --split-input-file --verify-diagnostics
// RUN: cim-opt %s --convert-linalg-to-cim --split-input-file 2>/dev/null | FileCheck %s

// A reduction is not elementwise; its zero-fill init stays for it.
// CHECK-LABEL: func.func @reduction
// CHECK: linalg.fill
// CHECK: linalg.generic
// CHECK: cim.relu
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#rows = affine_map<(d0, d1) -> (d0)>
#id1 = affine_map<(d0) -> (d0)>
func.func @reduction(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2xf32>
  // expected-warning @+1 {{convert-linalg-to-cim: cannot map 'linalg.fill': it initializes an operation that was not converted}}
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2xf32>) -> tensor<2xf32>
  // expected-warning @+1 {{convert-linalg-to-cim: cannot map 'linalg.generic': it has reduction iterators; only elementwise generics (all parallel) are recognized}}
  %s = linalg.generic {indexing_maps = [#id2, #rows], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<2x3xf32>) outs(%f : tensor<2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.addf %in, %out : f32
    linalg.yield %a : f32
  } -> tensor<2xf32>
  %e2 = tensor.empty() : tensor<2xf32>
  %r = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%s : tensor<2xf32>) outs(%e2 : tensor<2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2xf32>
  return %r : tensor<2xf32>
}

// -----

// Elementwise, but with bodies cim has no ops for.
// CHECK-LABEL: func.func @bodies
// CHECK-COUNT-2: linalg.generic
#id = affine_map<(d0) -> (d0)>
func.func @bodies(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %e = tensor.empty() : tensor<4xf32>
  // expected-warning @+1 {{convert-linalg-to-cim: cannot map 'linalg.generic': a minimum or maximum of two tensors has no cim counterpart}}
  %m = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%x, %y : tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %r = arith.maximumf %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  // expected-warning @+1 {{convert-linalg-to-cim: cannot map 'linalg.generic': the body op 'arith.cmpf' has no cim counterpart}}
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%x, %y : tensor<4xf32>, tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %c = arith.cmpf olt, %a, %b : f32
    %r = arith.select %c, %a, %b : f32
    linalg.yield %r : f32
  } -> tensor<4xf32>
  return %m, %s : tensor<4xf32>, tensor<4xf32>
}

// -----

// A sum pool without the division of an average pool.
// CHECK-LABEL: func.func @sum_pool
// CHECK: linalg.pooling_nhwc_sum
func.func @sum_pool(%x: tensor<1x4x4x1xf32>) -> tensor<1x2x2x1xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x2x1xf32>
  // expected-warning @+1 {{convert-linalg-to-cim: cannot map 'linalg.fill': it initializes an operation that was not converted}}
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  %k = tensor.empty() : tensor<2x2xf32>
  // expected-warning @+1 {{convert-linalg-to-cim: cannot map 'linalg.pooling_nhwc_sum': a sum pool maps only when followed by a division by the window size (an average pool)}}
  %s = linalg.pooling_nhwc_sum {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%x, %k : tensor<1x4x4x1xf32>, tensor<2x2xf32>) outs(%f : tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  return %s : tensor<1x2x2x1xf32>
}

// -----

// Dynamic shapes, and an op without a cim counterpart.
// CHECK-LABEL: func.func @others
// CHECK: linalg.matmul
// CHECK: linalg.reduce
func.func @others(%a: tensor<?x3xf32>, %b: tensor<3x4xf32>, %init: tensor<?x4xf32>, %x: tensor<4x5xf32>, %r: tensor<4xf32>) -> (tensor<?x4xf32>, tensor<4xf32>) {
  // expected-warning @+1 {{convert-linalg-to-cim: cannot map 'linalg.matmul': needs static float tensors}}
  %m = linalg.matmul ins(%a, %b : tensor<?x3xf32>, tensor<3x4xf32>) outs(%init : tensor<?x4xf32>) -> tensor<?x4xf32>
  // expected-warning @+1 {{convert-linalg-to-cim: cannot map 'linalg.reduce': it has reduction iterators; only elementwise generics (all parallel) are recognized}}
  %s = linalg.reduce ins(%x : tensor<4x5xf32>) outs(%r : tensor<4xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %sum = arith.addf %in, %acc : f32
      linalg.yield %sum : f32
    }
  return %m, %s : tensor<?x4xf32>, tensor<4xf32>
}

// -----

// Inserts that leave a gap are not a concatenation; the inner insert stays
// with the outer one.
// CHECK-LABEL: func.func @gap
// CHECK-COUNT-2: tensor.insert_slice
func.func @gap(%a: tensor<1x3xf32>) -> tensor<3x3xf32> {
  %e = tensor.empty() : tensor<3x3xf32>
  // expected-warning @+1 {{convert-linalg-to-cim: cannot map 'tensor.insert_slice': part of a concatenation not converted}}
  %0 = tensor.insert_slice %a into %e[0, 0] [1, 3] [1, 1] : tensor<1x3xf32> into tensor<3x3xf32>
  // expected-warning @+1 {{convert-linalg-to-cim: cannot map 'tensor.insert_slice': the inserts do not tile the result exactly once}}
  %1 = tensor.insert_slice %a into %0[2, 0] [1, 3] [1, 1] : tensor<1x3xf32> into tensor<3x3xf32>
  return %1 : tensor<3x3xf32>
}
