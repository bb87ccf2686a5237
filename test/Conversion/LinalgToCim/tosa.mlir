// A TOSA network lowered by upstream mlir-opt (tosa-to-linalg-named and
// friends) converts to the graph-level cim form the ONNX importer gives the
// same network: NCHW convs with their biases, relu, pools, a gemm with bias,
// and no transposes left between the layers.
// RUN: mlir-opt %s --pass-pipeline="builtin.module(func.func(tosa-to-linalg-named,tosa-to-linalg,tosa-to-arith,tosa-to-tensor))" | cim-opt --convert-linalg-to-cim 2>&1 | FileCheck %s

// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x8x8xf32>)
// CHECK-DAG: %[[W1:.*]] = cim.constant dense<5.000000e-01> : tensor<4x1x3x3xf32>
// CHECK-DAG: %[[B:.*]] = cim.constant dense<2.500000e-01> : tensor<4xf32>
// CHECK-DAG: %[[WD:.*]] = cim.constant dense<7.500000e-01> : tensor<4x1x3x3xf32>
// CHECK-DAG: %[[WG:.*]] = cim.constant dense<1.250000e-01> : tensor<16x10xf32>
// CHECK-DAG: %[[BG:.*]] = cim.constant dense<{{\[}}-1.000000e+00, {{.*}}]> : tensor<10xf32>
// CHECK: %[[C:.*]] = cim.conv2d %[[X]], %[[W1]], %[[B]] {pads = array<i64: 1, 1, 1, 1>} : tensor<1x1x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32> -> tensor<1x4x8x8xf32>
// CHECK: %[[R:.*]] = cim.relu %[[C]] : tensor<1x4x8x8xf32>
// CHECK: %[[P:.*]] = cim.max_pool2d %[[R]] {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
// CHECK: %[[D:.*]] = cim.conv2d %[[P]], %[[WD]], %[[B]] {groups = 4 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x4x4x4xf32>, tensor<4x1x3x3xf32>, tensor<4xf32> -> tensor<1x4x2x2xf32>
// CHECK: %[[A:.*]] = cim.global_avg_pool2d %[[D]] : tensor<1x4x2x2xf32> -> tensor<1x4x1x1xf32>
// CHECK: %[[F:.*]] = cim.reshape %[[A]] : tensor<1x4x1x1xf32> -> tensor<1x4xf32>
// CHECK: %[[AV:.*]] = cim.avg_pool2d %[[P]] {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x4x4x4xf32> -> tensor<1x4x2x2xf32>
// CHECK: %[[FA:.*]] = cim.reshape %[[AV]] : tensor<1x4x2x2xf32> -> tensor<1x16xf32>
// CHECK: %[[G:.*]] = cim.gemm %[[FA]], %[[WG]], %[[BG]] : tensor<1x16xf32>, tensor<16x10xf32>, tensor<10xf32> -> tensor<1x10xf32>
// CHECK: return %[[G]], %[[F]]
// CHECK-NOT: warning
// CHECK-NOT: cim.transpose
// CHECK-NOT: linalg.
// CHECK-NOT: tensor.
// CHECK-NOT: tosa.
func.func @main(%arg0: tensor<1x1x8x8xf32>) -> (tensor<1x10xf32>, tensor<1x4xf32>) {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x = tosa.transpose %arg0 {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x1x8x8xf32>) -> tensor<1x8x8x1xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<4x3x3x1xf32>}> : () -> tensor<4x3x3x1xf32>
  %b = "tosa.const"() <{values = dense<0.25> : tensor<4xf32>}> : () -> tensor<4xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x8x8x1xf32>, tensor<4x3x3x1xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x4xf32>
  %r = tosa.clamp %c {min_val = 0.0 : f32, max_val = 3.4028235e38 : f32} : (tensor<1x8x8x4xf32>) -> tensor<1x8x8x4xf32>
  %p = tosa.max_pool2d %r {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x8x8x4xf32>) -> tensor<1x4x4x4xf32>
  // Depthwise with stride 2: TOSA's padding is trimmed to what the windows
  // read; the symmetric ONNX padding comes back.
  %dw = "tosa.const"() <{values = dense<0.75> : tensor<3x3x4x1xf32>}> : () -> tensor<3x3x4x1xf32>
  %d = tosa.depthwise_conv2d %p, %dw, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x4xf32>, tensor<3x3x4x1xf32>, tensor<4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x4xf32>
  %g = tosa.avg_pool2d %d, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x4xf32>
  %s4 = tosa.const_shape {values = dense<[1, 4]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %gf = tosa.reshape %g, %s4 : (tensor<1x1x1x4xf32>, !tosa.shape<2>) -> tensor<1x4xf32>
  %a = tosa.avg_pool2d %p, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x4xf32>
  %t = tosa.transpose %a {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x2x2x4xf32>) -> tensor<1x4x2x2xf32>
  %s = tosa.const_shape {values = dense<[1, 1, 16]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %f = tosa.reshape %t, %s : (tensor<1x4x2x2xf32>, !tosa.shape<3>) -> tensor<1x1x16xf32>
  %mw = "tosa.const"() <{values = dense<0.125> : tensor<1x16x10xf32>}> : () -> tensor<1x16x10xf32>
  %m = tosa.matmul %f, %mw, %zp, %zp : (tensor<1x1x16xf32>, tensor<1x16x10xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x10xf32>
  %s2 = tosa.const_shape {values = dense<[1, 10]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %m2 = tosa.reshape %m, %s2 : (tensor<1x1x10xf32>, !tosa.shape<2>) -> tensor<1x10xf32>
  %mb = "tosa.const"() <{values = dense<[[-1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]]> : tensor<1x10xf32>}> : () -> tensor<1x10xf32>
  %o = tosa.add %m2, %mb : (tensor<1x10xf32>, tensor<1x10xf32>) -> tensor<1x10xf32>
  return %o, %gf : tensor<1x10xf32>, tensor<1x4xf32>
}
