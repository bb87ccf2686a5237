//===- Quantize.cpp - ONNX quantize and dequantize kernels ----------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The graph-level `cim.quantize`/`cim.dequantize` of pre-quantized models
// (QDQ). The crossbars' own code quantization is lib/Numerics/Quantize.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include <algorithm>
#include <cmath>
#include <functional>

using namespace mlir::cim::eval;
using llvm::ArrayRef;

namespace {

/// Per-axis (de)quantization: maps an element index to the index of its
/// scale and zero point (0 without an axis; negative axes count from the end).
std::function<int64_t(int64_t)> channelIndexer(std::optional<uint64_t> axisAttr,
                                               ArrayRef<int64_t> shape) {
  if (!axisAttr)
    return [](int64_t) { return int64_t(0); };
  int64_t axis = int64_t(*axisAttr);
  if (axis < 0)
    axis += int64_t(shape.size());
  int64_t inner = 1;
  for (size_t d = axis + 1; d < shape.size(); ++d)
    inner *= shape[d];
  int64_t size = shape[axis];
  return [inner, size](int64_t e) { return (e / inner) % size; };
}

} // namespace

Tensor kernels::quantize(const Tensor &x, ArrayRef<float> scale,
                         ArrayRef<int64_t> zero, std::optional<uint64_t> axis,
                         int64_t bits, bool isUnsigned) {
  int64_t lo = isUnsigned ? 0 : -(int64_t(1) << (bits - 1));
  int64_t hi =
      isUnsigned ? (int64_t(1) << bits) - 1 : (int64_t(1) << (bits - 1)) - 1;
  auto channelOf = channelIndexer(axis, x.shape);
  Tensor out = Tensor::integers(x.shape);
  for (int64_t e = 0, n = x.numElements(); e < n; ++e) {
    int64_t c = channelOf(e);
    // The quotient is rounded to float first, as ONNX computes in the
    // input's type (x / scale can land on .5 in float32 but not in double).
    double v = std::nearbyint(double(at(x, e) / scale[c])) + zero[c];
    // Saturate before converting: out-of-range doubles (and NaN) have no
    // int64_t value.
    out.i[e] = std::isnan(v) ? zero[c]
                             : int64_t(std::clamp(v, double(lo), double(hi)));
  }
  return out;
}

Tensor kernels::dequantize(const Tensor &x, ArrayRef<float> scale,
                           ArrayRef<int64_t> zero,
                           std::optional<uint64_t> axis) {
  auto channelOf = channelIndexer(axis, x.shape);
  Tensor out = Tensor::floats(x.shape);
  for (int64_t e = 0, n = x.numElements(); e < n; ++e) {
    int64_t c = channelOf(e);
    out.f[e] = float(double(x.i[e] - zero[c]) * scale[c]);
  }
  return out;
}
