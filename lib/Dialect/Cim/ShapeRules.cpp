//===- ShapeRules.cpp - ONNX's rules for parameter-dependent shapes -------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/ShapeRules.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <cmath>

using namespace mlir::cim;
using llvm::ArrayRef;
using llvm::SmallVector;

static llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::string shape::format(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(shape, os);
  os << "]";
  return s;
}

llvm::Expected<shape::SliceBounds>
shape::resolveSlice(ArrayRef<int64_t> shape, ArrayRef<int64_t> starts,
                    ArrayRef<int64_t> ends, ArrayRef<int64_t> axes,
                    ArrayRef<int64_t> steps) {
  int64_t rank = shape.size();
  size_t n = starts.size();
  if (ends.size() != n || (!axes.empty() && axes.size() != n) ||
      (!steps.empty() && steps.size() != n))
    return error(llvm::formatv("starts ({0}), ends ({1}), axes ({2}) and "
                               "steps ({3}) differ in length",
                               n, ends.size(), axes.size(), steps.size()));
  SliceBounds b;
  b.offsets.assign(rank, 0);
  b.strides.assign(rank, 1);
  b.sizes.assign(shape.begin(), shape.end());
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < n; ++i) {
    int64_t axis = axes.empty() ? int64_t(i) : axes[i];
    if (axis < -rank || axis >= rank)
      return error(
          llvm::formatv("axis {0} is out of range for rank {1}", axis, rank));
    if (axis < 0)
      axis += rank;
    if (seen[axis])
      return error(llvm::formatv("axis {0} is sliced twice", axis));
    seen[axis] = true;
    int64_t dim = shape[axis], step = steps.empty() ? 1 : steps[i];
    if (step == 0)
      return error("a step of 0 is invalid");
    // Negative indices count from the end; then clamp to [0, dim] going
    // forward, [-1, dim - 1] going backward (ONNX).
    auto norm = [&](int64_t v, int64_t lo, int64_t hi) {
      if (v < 0)
        v = v < -dim ? lo : v + dim;
      return std::clamp(v, lo, hi);
    };
    int64_t first, count;
    // Written so that no step (up to +-2^63) overflows.
    if (step > 0) {
      first = norm(starts[i], 0, dim);
      int64_t last = norm(ends[i], 0, dim);
      count = last > first ? (last - first - 1) / step + 1 : 0;
    } else {
      first = norm(starts[i], -1, dim - 1);
      int64_t last = norm(ends[i], -1, dim - 1);
      uint64_t back = 0 - uint64_t(step);
      count = first > last ? int64_t(uint64_t(first - last - 1) / back) + 1 : 0;
    }
    b.offsets[axis] = count ? first : 0;
    b.strides[axis] = step;
    b.sizes[axis] = count;
  }
  return b;
}

llvm::Expected<SmallVector<int64_t>>
shape::normalizeAxes(ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> result;
  for (int64_t a : axes) {
    if (a < -rank || a >= rank)
      return error(
          llvm::formatv("axis {0} is out of range for rank {1}", a, rank));
    result.push_back(a < 0 ? a + rank : a);
  }
  llvm::sort(result);
  if (std::adjacent_find(result.begin(), result.end()) != result.end())
    return error("an axis is listed twice");
  return result;
}

SmallVector<int64_t> shape::reducedShape(ArrayRef<int64_t> shape,
                                         ArrayRef<int64_t> axes,
                                         bool keepdims) {
  SmallVector<int64_t> result;
  for (int64_t d = 0, rank = shape.size(); d < rank; ++d) {
    bool reduced = axes.empty() || llvm::is_contained(axes, d);
    if (!reduced)
      result.push_back(shape[d]);
    else if (keepdims)
      result.push_back(1);
  }
  return result;
}

llvm::Expected<SmallVector<int64_t>>
shape::paddedShape(ArrayRef<int64_t> shape, ArrayRef<int64_t> pads) {
  size_t rank = shape.size();
  if (pads.size() != 2 * rank)
    return error(llvm::formatv("expected {0} pads (2 per dimension), got {1}",
                               2 * rank, pads.size()));
  SmallVector<int64_t> result;
  constexpr int64_t limit = int64_t(1) << 40; // Keeps the sums exact.
  for (size_t d = 0; d < rank; ++d) {
    auto outside = [&](int64_t p) { return p < -limit || p > limit; };
    if (outside(pads[d]) || outside(pads[d + rank]))
      return error(llvm::formatv("pads {0} and {1} of dimension {2} are out "
                                 "of range",
                                 pads[d], pads[d + rank], d));
    int64_t size = shape[d] + pads[d] + pads[d + rank];
    if (size < 0)
      return error(llvm::formatv("pads {0} and {1} crop dimension {2} of size "
                                 "{3} below zero",
                                 pads[d], pads[d + rank], d, shape[d]));
    result.push_back(size);
  }
  return result;
}

llvm::Expected<SmallVector<int64_t>>
shape::repeatedShape(ArrayRef<int64_t> shape, ArrayRef<int64_t> repeats) {
  if (repeats.size() != shape.size())
    return error(llvm::formatv("expected {0} repeats (one per dimension), "
                               "got {1}",
                               shape.size(), repeats.size()));
  SmallVector<int64_t> result;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (repeats[d] < 0 ||
        (shape[d] && repeats[d] > (int64_t(1) << 40) / shape[d]))
      return error(llvm::formatv("repeat {0} of dimension {1} is out of "
                                 "range",
                                 repeats[d], d));
    result.push_back(shape[d] * repeats[d]);
  }
  return result;
}

llvm::Expected<int64_t> shape::rangeLength(double start, double limit,
                                           double delta) {
  if (delta == 0 || !std::isfinite(start) || !std::isfinite(limit) ||
      !std::isfinite(delta))
    return error("range needs finite bounds and a non-zero delta");
  double n = std::ceil((limit - start) / delta);
  if (n > double(int64_t(1) << 40))
    return error(llvm::formatv("range of {0} elements is too long", n));
  return n > 0 ? int64_t(n) : 0;
}
