// Evaluator semantics on hand-computed cases (regressions of review
// findings): bias broadcasting, per-axis quantization with a negative axis,
// integer pooling and clipping, a wide split, integer inputs and outputs.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/a.npy', np.array([[1, 2], [3, 4]], np.float32)); np.save('%t/i.npy', np.array([[-3, 7, 2, 0]], np.int8)); np.save('%t/s.npy', np.arange(64, dtype=np.float32).reshape(1, 64))"
// RUN: cim-run %s --entry bias --input %t/a.npy --output-dir %t/bias
// RUN: %python -c "import numpy as np; print(np.load('%t/bias/out0.npy').tolist())" | FileCheck %s --check-prefix=BIAS
// x W (W = I) + [[10], [20]] broadcast per row:
// BIAS: {{\[}}[11.0, 12.0], [23.0, 24.0]]
// RUN: cim-run %s --entry axis --input %t/a.npy --output-dir %t/axis
// RUN: %python -c "import numpy as np; print(np.load('%t/axis/out0.npy').tolist())" | FileCheck %s --check-prefix=AXIS
// Scales [1, 2] along the last axis: round(x / s) * s = [[1, 2], [3, 4]].
// AXIS: {{\[}}[1.0, 2.0], [3.0, 4.0]]
// RUN: cim-run %s --entry ints --input %t/i.npy --output-dir %t/ints
// RUN: %python -c "import numpy as np; y = np.load('%t/ints/out0.npy'); print(y.dtype, y.tolist())" | FileCheck %s --check-prefix=INTS
// Integer input, clip to [-2, +inf), integer max over pairs: [7, 2].
// INTS: int64 {{\[}}[7, 2]]
// RUN: cim-run %s --entry split --input %t/s.npy --output-dir %t/split
// RUN: %python -c "import numpy as np; print(np.load('%t/split/out0.npy').tolist(), np.load('%t/split/out1.npy').tolist())" | FileCheck %s --check-prefix=SPLIT
// The sum of the first and the last of 32 two-element slices: [0+62, 1+63].
// SPLIT: {{\[}}[62.0, 64.0]] {{\[}}[0.0, 1.0]]

module {
  func.func @bias(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
    %w = cim.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
    %b = cim.constant dense<[[10.0], [20.0]]> : tensor<2x1xf32>
    %y = cim.gemm %x, %w, %b : tensor<2x2xf32>, tensor<2x2xf32>, tensor<2x1xf32> -> tensor<2x2xf32>
    return %y : tensor<2x2xf32>
  }
  func.func @axis(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
    %q = cim.quantize %x {scale = array<f32: 1.0, 2.0>, zero_point = array<i64: 0, 0>, axis = -1 : i64, bits = 8 : i64} : tensor<2x2xf32> -> tensor<2x2xi8>
    %d = cim.dequantize %q {scale = array<f32: 1.0, 2.0>, zero_point = array<i64: 0, 0>, axis = -1 : i64, bits = 8 : i64} : tensor<2x2xi8> -> tensor<2x2xf32>
    return %d : tensor<2x2xf32>
  }
  func.func @ints(%x: tensor<1x4xi8>) -> tensor<1x2xi8> {
    %c = cim.clip %x {min = -2.0 : f32, max = 0x7F800000 : f32} : tensor<1x4xi8>
    %r = cim.reshape %c : tensor<1x4xi8> -> tensor<1x1x2x2xi8>
    %p = cim.max_pool2d %r {kernel = array<i64: 1, 2>, strides = array<i64: 1, 2>} : tensor<1x1x2x2xi8> -> tensor<1x1x2x1xi8>
    %o = cim.reshape %p : tensor<1x1x2x1xi8> -> tensor<1x2xi8>
    return %o : tensor<1x2xi8>
  }
  func.func @split(%x: tensor<1x64xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
    %p:32 = cim.split %x {axis = -1 : i64} : tensor<1x64xf32> -> tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>, tensor<1x2xf32>
    %s = cim.add %p#0, %p#31 : tensor<1x2xf32>, tensor<1x2xf32> -> tensor<1x2xf32>
    return %s, %p#0 : tensor<1x2xf32>, tensor<1x2xf32>
  }
}
