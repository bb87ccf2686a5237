// A few bytes of text that declare a 10^10-element constant.
func.func @f() -> tensor<100000x100000xf32> {
  %0 = cim.constant dense<1.0> : tensor<100000x100000xf32>
  return %0 : tensor<100000x100000xf32>
}
