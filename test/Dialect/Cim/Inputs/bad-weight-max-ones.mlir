// Input of zero-bit.test: an out-of-range zero-bit pattern.
func.func @f(%x: tensor<1x8xf32>, %w: tensor<8x4xf32>) -> tensor<1x4xf32> {
  %0 = cim.gemm %x, %w {cim.weight_max_ones = 0 : i64} : tensor<1x8xf32>, tensor<8x4xf32> -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
