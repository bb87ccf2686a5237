// A small Fashion-MNIST-shaped CNN at the cim graph level, written by hand
// until the ONNX importer lands: conv -> relu -> max pool -> flatten -> gemm.
// The gemm weight arrives in ONNX Gemm transB layout (10 x 676) and is
// transposed into crossbar layout (676 x 10) at compile time.
func.func @main(%input: tensor<1x1x28x28xf32>) -> tensor<1x10xf32> {
  %w1 = cim.constant dense<[[[[ 0.1, -0.2,  0.1], [ 0.3, 0.5, -0.3], [ 0.1, -0.2,  0.1]]],
                            [[[-0.4,  0.0,  0.4], [-0.4, 0.0,  0.4], [-0.4,  0.0,  0.4]]],
                            [[[ 0.4,  0.4,  0.4], [ 0.0, 0.0,  0.0], [-0.4, -0.4, -0.4]]],
                            [[[ 0.2,  0.2,  0.2], [ 0.2, 0.2,  0.2], [ 0.2,  0.2,  0.2]]]]> : tensor<4x1x3x3xf32>
  %b1 = cim.constant dense<[0.0, 0.1, -0.1, 0.05]> : tensor<4xf32>
  %conv = cim.conv2d %input, %w1, %b1 {precision = #cim.precision<weight_bits = 4, act_bits = 8, adc_bits = 8>}
      : tensor<1x1x28x28xf32>, tensor<4x1x3x3xf32>, tensor<4xf32> -> tensor<1x4x26x26xf32>
  %relu = cim.relu %conv : tensor<1x4x26x26xf32>
  %pool = cim.max_pool2d %relu {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
      : tensor<1x4x26x26xf32> -> tensor<1x4x13x13xf32>
  %flat = cim.flatten %pool : tensor<1x4x13x13xf32> -> tensor<1x676xf32>
  %w2t = cim.constant dense<0.01> : tensor<10x676xf32>
  %w2 = cim.transpose %w2t {permutation = array<i64: 1, 0>} : tensor<10x676xf32> -> tensor<676x10xf32>
  %b2 = cim.constant dense<0.0> : tensor<10xf32>
  %fc = cim.gemm %flat, %w2, %b2 {precision = #cim.precision<weight_bits = 6, act_bits = 6, adc_bits = 7, granularity = tile>}
      : tensor<1x676xf32>, tensor<676x10xf32>, tensor<10xf32> -> tensor<1x10xf32>
  %probs = cim.softmax %fc : tensor<1x10xf32>
  return %probs : tensor<1x10xf32>
}
