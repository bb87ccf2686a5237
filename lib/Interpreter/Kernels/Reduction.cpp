//===- Reduction.cpp - Softmax and mean kernels ---------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Reductions accumulate in double and round once to float32.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir::cim::eval;
using llvm::ArrayRef;
using llvm::SmallVector;

Tensor kernels::softmax(const Tensor &x, int64_t axis) {
  int64_t rank = x.shape.size();
  if (axis < 0)
    axis += rank;
  int64_t inner = 1, len = x.shape[axis];
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= x.shape[d];
  int64_t outer = x.numElements() / (inner * len);
  Tensor out = Tensor::floats(x.shape);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t in = 0; in < inner; ++in) {
      auto idx = [&](int64_t a) { return (o * len + a) * inner + in; };
      float m = -std::numeric_limits<float>::infinity();
      for (int64_t a = 0; a < len; ++a)
        m = std::max(m, at(x, idx(a)));
      double sum = 0;
      for (int64_t a = 0; a < len; ++a)
        sum += std::exp(double(at(x, idx(a)) - m));
      for (int64_t a = 0; a < len; ++a)
        out.f[idx(a)] = float(std::exp(double(at(x, idx(a)) - m)) / sum);
    }
  return out;
}

Tensor kernels::reduceMean(const Tensor &x, ArrayRef<int64_t> axes,
                           ArrayRef<int64_t> outShape) {
  int64_t rank = x.shape.size();
  SmallVector<bool> reduced(rank, false);
  for (int64_t a : axes)
    reduced[a < 0 ? a + rank : a] = true;
  SmallVector<int64_t> kept;
  for (int64_t d = 0; d < rank; ++d)
    kept.push_back(reduced[d] ? 1 : x.shape[d]);
  SmallVector<int64_t> keptStrides = stridesOf(kept);
  int64_t outCount = 1;
  for (int64_t v : kept)
    outCount *= v;
  std::vector<double> sums(outCount, 0.0);
  SmallVector<int64_t> index(rank, 0);
  for (int64_t e = 0, n = x.numElements(); e < n; ++e) {
    int64_t o = 0;
    for (int64_t d = 0; d < rank; ++d)
      o += (reduced[d] ? 0 : index[d]) * keptStrides[d];
    sums[o] += at(x, e);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < x.shape[d])
        break;
      index[d] = 0;
    }
  }
  double count = double(x.numElements()) / double(outCount);
  std::vector<float> values;
  for (double s : sums)
    values.push_back(float(s / count));
  return Tensor::floats(outShape, values);
}
