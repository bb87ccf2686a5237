//===- Tensor.cpp - The evaluator's dense tensors -------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Interpreter/Tensor.h"

#include <algorithm>
#include <cmath>

using namespace mlir::cim::eval;
using llvm::ArrayRef;
using llvm::SmallVector;

int64_t Tensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

Tensor Tensor::floats(ArrayRef<int64_t> shape, std::vector<float> values) {
  Tensor t;
  t.shape.assign(shape.begin(), shape.end());
  t.f = std::move(values);
  if (t.f.empty())
    t.f.assign(t.numElements(), 0.0f);
  return t;
}

Tensor Tensor::integers(ArrayRef<int64_t> shape, std::vector<int64_t> values) {
  Tensor t;
  t.shape.assign(shape.begin(), shape.end());
  t.isInteger = true;
  t.i = std::move(values);
  if (t.i.empty())
    t.i.assign(t.numElements(), 0);
  return t;
}

const std::vector<float> &mlir::cim::eval::floatsOf(const Tensor &t,
                                                    std::vector<float> &tmp) {
  if (!t.isInteger)
    return t.f;
  tmp.assign(t.i.begin(), t.i.end());
  return tmp;
}

SmallVector<int64_t> mlir::cim::eval::stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = int64_t(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

SmallVector<int64_t>
mlir::cim::eval::broadcastStridesOf(ArrayRef<int64_t> shape, size_t rank) {
  SmallVector<int64_t> strides = stridesOf(shape), out(rank, 0);
  for (size_t d = 0; d < shape.size(); ++d)
    if (shape[d] != 1)
      out[rank - shape.size() + d] = strides[d];
  return out;
}

Tensor
mlir::cim::eval::broadcast(const Tensor &a, const Tensor &b,
                           ArrayRef<int64_t> outShape, bool integer,
                           llvm::function_ref<double(double, double)> fn) {
  size_t rank = outShape.size();
  SmallVector<int64_t> sa = broadcastStridesOf(a.shape, rank),
                       sb = broadcastStridesOf(b.shape, rank);
  Tensor out = integer ? Tensor::integers(outShape) : Tensor::floats(outShape);
  SmallVector<int64_t> index(rank, 0);
  int64_t n = out.numElements();
  for (int64_t e = 0; e < n; ++e) {
    int64_t ia = 0, ib = 0;
    for (size_t d = 0; d < rank; ++d) {
      ia += index[d] * sa[d];
      ib += index[d] * sb[d];
    }
    double va = a.isInteger ? double(a.i[ia]) : double(a.f[ia]);
    double vb = b.isInteger ? double(b.i[ib]) : double(b.f[ib]);
    double r = fn(va, vb);
    if (integer)
      out.i[e] = int64_t(r);
    else
      out.f[e] = float(r);
    for (int64_t d = int64_t(rank) - 1; d >= 0; --d) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

Tensor mlir::cim::eval::unary(const Tensor &x,
                              llvm::function_ref<float(float)> fn) {
  Tensor out = Tensor::floats(x.shape);
  for (int64_t e = 0, n = x.numElements(); e < n; ++e)
    out.f[e] = fn(at(x, e));
  return out;
}

Tensor
mlir::cim::eval::gather(const Tensor &in, ArrayRef<int64_t> outShape,
                        llvm::function_ref<int64_t(ArrayRef<int64_t>)> map,
                        float fill) {
  Tensor out =
      in.isInteger ? Tensor::integers(outShape) : Tensor::floats(outShape);
  SmallVector<int64_t> index(outShape.size(), 0);
  for (int64_t e = 0, n = out.numElements(); e < n; ++e) {
    int64_t src = map(index);
    if (in.isInteger)
      out.i[e] = src < 0 ? int64_t(fill) : in.i[src];
    else
      out.f[e] = src < 0 ? fill : in.f[src];
    for (int64_t d = int64_t(outShape.size()) - 1; d >= 0; --d) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

Tensor mlir::cim::eval::convertTensor(const Tensor &t, bool integer) {
  if (t.isInteger == integer)
    return t;
  if (integer) {
    std::vector<int64_t> values(t.f.size());
    for (size_t e = 0; e < t.f.size(); ++e) {
      double v = std::nearbyint(double(t.f[e]));
      values[e] = std::isnan(v) ? 0 : int64_t(std::clamp(v, -9.2e18, 9.2e18));
    }
    return Tensor::integers(t.shape, std::move(values));
  }
  return Tensor::floats(t.shape, std::vector<float>(t.i.begin(), t.i.end()));
}
