//===- Normalization.cpp - Batch and layer normalization kernels ----------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include <cmath>

using namespace mlir::cim::eval;

Tensor kernels::batchNorm(const Tensor &x, const Tensor &scale,
                          const Tensor &bias, const Tensor &mean,
                          const Tensor &var, float eps) {
  int64_t c = x.shape[1], plane = x.numElements() / (x.shape[0] * c);
  Tensor out = Tensor::floats(x.shape);
  for (int64_t e = 0, n = x.numElements(); e < n; ++e) {
    int64_t ch = (e / plane) % c;
    out.f[e] = (at(x, e) - at(mean, ch)) / std::sqrt(at(var, ch) + eps) *
                   at(scale, ch) +
               at(bias, ch);
  }
  return out;
}

Tensor kernels::layerNorm(const Tensor &x, const Tensor &scale,
                          const Tensor *bias, int64_t axis, float eps) {
  int64_t rank = x.shape.size();
  if (axis < 0)
    axis += rank;
  int64_t inner = 1;
  for (int64_t d = axis; d < rank; ++d)
    inner *= x.shape[d];
  Tensor out = Tensor::floats(x.shape);
  for (int64_t o = 0, outer = x.numElements() / inner; o < outer; ++o) {
    double mean = 0, var = 0;
    for (int64_t e = 0; e < inner; ++e)
      mean += at(x, o * inner + e);
    mean /= inner;
    for (int64_t e = 0; e < inner; ++e) {
      double dv = at(x, o * inner + e) - mean;
      var += dv * dv;
    }
    var /= inner;
    for (int64_t e = 0; e < inner; ++e)
      out.f[o * inner + e] =
          float((at(x, o * inner + e) - mean) / std::sqrt(var + eps)) *
              at(scale, e) +
          (bias ? at(*bias, e) : 0.0f);
  }
  return out;
}
