//===- Math.cpp - Kernels of the graph-level math ops
//----------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The ops of CimMathOps.td as ONNX defines them. Float results round to
// float32 per element (accumulations run in double, then round once), like
// ONNX's numpy reference; integer and boolean (0/1) tensors stay integers.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include "cim/Numerics/FloatingPoint.h"

#include "llvm/ADT/APFloat.h"

#include <cmath>
#include <limits>

using namespace mlir::cim::eval;
using llvm::ArrayRef;
using llvm::SmallVector;

Tensor kernels::signedUnary(const Tensor &x, SignedUnaryKind kind) {
  auto apply = [&](double v) -> double {
    switch (kind) {
    case SignedUnaryKind::abs:
      return std::fabs(v);
    case SignedUnaryKind::neg:
      return -v;
    case SignedUnaryKind::sign:
      return double((v > 0) - (v < 0));
    }
    return v;
  };
  Tensor out = x;
  for (int64_t e = 0, n = x.numElements(); e < n; ++e) {
    if (x.isInteger)
      out.i[e] = int64_t(apply(double(x.i[e])));
    else
      out.f[e] = float(apply(x.f[e]));
  }
  return out;
}

Tensor kernels::logicalNot(const Tensor &x) {
  Tensor out = x;
  for (int64_t &v : out.i)
    v = v == 0;
  return out;
}

Tensor kernels::select(const Tensor &condition, const Tensor &a,
                       const Tensor &b, ArrayRef<int64_t> outShape) {
  size_t rank = outShape.size();
  SmallVector<int64_t> sc = broadcastStridesOf(condition.shape, rank),
                       sa = broadcastStridesOf(a.shape, rank),
                       sb = broadcastStridesOf(b.shape, rank);
  Tensor out =
      a.isInteger ? Tensor::integers(outShape) : Tensor::floats(outShape);
  SmallVector<int64_t> index(rank, 0);
  for (int64_t e = 0, n = out.numElements(); e < n; ++e) {
    int64_t ic = 0, ia = 0, ib = 0;
    for (size_t d = 0; d < rank; ++d) {
      ic += index[d] * sc[d];
      ia += index[d] * sa[d];
      ib += index[d] * sb[d];
    }
    bool take =
        condition.isInteger ? condition.i[ic] != 0 : condition.f[ic] != 0.0f;
    if (a.isInteger)
      out.i[e] = take ? a.i[ia] : b.i[ib];
    else
      out.f[e] = take ? a.f[ia] : b.f[ib];
    for (int64_t d = int64_t(rank) - 1; d >= 0; --d) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

Tensor kernels::castTo(const Tensor &x, CastTarget to) {
  int64_t n = x.numElements();
  if (to.isFloat) {
    Tensor out = Tensor::floats(x.shape);
    bool half = to.bits == 16 && !to.isBFloat;
    bool bfloat = to.bits == 16 && to.isBFloat;
    for (int64_t e = 0; e < n; ++e) {
      float v = at(x, e);
      if (bfloat) {
        // ONNX's conformance data truncates to bfloat16 (lib/Numerics).
        v = mlir::cim::numerics::truncateToBFloat16(v);
      } else if (half) {
        // Half rounds once, to nearest even, as ONNX (numpy) does.
        llvm::APFloat f(v);
        bool lost;
        f.convert(llvm::APFloat::IEEEhalf(), llvm::APFloat::rmNearestTiesToEven,
                  &lost);
        f.convert(llvm::APFloat::IEEEsingle(),
                  llvm::APFloat::rmNearestTiesToEven, &lost);
        v = f.convertToFloat();
      }
      out.f[e] = v;
    }
    return out;
  }
  Tensor out = Tensor::integers(x.shape);
  for (int64_t e = 0; e < n; ++e) {
    if (to.bits == 1) {
      out.i[e] = x.isInteger ? x.i[e] != 0 : x.f[e] != 0.0f;
      continue;
    }
    int64_t v;
    if (x.isInteger) {
      v = x.i[e];
    } else {
      double d = std::trunc(double(x.f[e]));
      // Out-of-range values are undefined in ONNX; saturate rather than UB.
      v = std::isnan(d)  ? 0
          : d >= 9.2e18  ? std::numeric_limits<int64_t>::max()
          : d <= -9.2e18 ? std::numeric_limits<int64_t>::min()
                         : int64_t(d);
    }
    if (to.bits < 64) {
      // Wrap to the target width like a C cast.
      uint64_t mask = (uint64_t(1) << to.bits) - 1;
      uint64_t u = uint64_t(v) & mask;
      if (!to.isUnsigned && (u >> (to.bits - 1)))
        u |= ~mask;
      v = int64_t(u);
    }
    out.i[e] = v;
  }
  return out;
}

/// Output position of every input element of a reduction, and the count
/// of elements per output.
static SmallVector<int64_t> reductionMap(ArrayRef<int64_t> shape,
                                         ArrayRef<bool> reduced,
                                         int64_t &outCount) {
  SmallVector<int64_t> outShape;
  for (size_t d = 0; d < shape.size(); ++d)
    outShape.push_back(reduced[d] ? 1 : shape[d]);
  SmallVector<int64_t> outStrides = stridesOf(outShape);
  outCount = 1;
  for (int64_t d : outShape)
    outCount *= d;
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  SmallVector<int64_t> map(n), index(shape.size(), 0);
  for (int64_t e = 0; e < n; ++e) {
    int64_t o = 0;
    for (size_t d = 0; d < shape.size(); ++d)
      if (!reduced[d])
        o += index[d] * outStrides[d];
    map[e] = o;
    for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return map;
}

static SmallVector<bool> reducedAxes(size_t rank, ArrayRef<int64_t> axes) {
  SmallVector<bool> reduced(rank, axes.empty());
  for (int64_t a : axes)
    reduced[a < 0 ? a + int64_t(rank) : a] = true;
  return reduced;
}

Tensor kernels::reduce(ReduceKind kind, const Tensor &x, ArrayRef<int64_t> axes,
                       ArrayRef<int64_t> outShape) {
  SmallVector<bool> reduced = reducedAxes(x.shape.size(), axes);
  int64_t outCount;
  SmallVector<int64_t> map = reductionMap(x.shape, reduced, outCount);
  int64_t perOutput = outCount ? int64_t(map.size()) / outCount : 0;
  double inf = std::numeric_limits<double>::infinity();
  double init = kind == ReduceKind::prod  ? 1.0
                : kind == ReduceKind::max ? -inf
                : kind == ReduceKind::min ? inf
                                          : 0.0;
  std::vector<double> acc(outCount, init), peak;
  if (kind == ReduceKind::log_sum_exp) {
    // Subtract the maximum first so exp cannot overflow.
    peak.assign(outCount, -inf);
    for (size_t e = 0; e < map.size(); ++e)
      peak[map[e]] = std::max(peak[map[e]], double(at(x, e)));
    for (double &p : peak)
      if (std::isinf(p))
        p = 0;
  }
  for (size_t e = 0; e < map.size(); ++e) {
    double v = x.isInteger ? double(x.i[e]) : double(x.f[e]);
    double &a = acc[map[e]];
    switch (kind) {
    case ReduceKind::sum:
    case ReduceKind::mean:
    case ReduceKind::log_sum:
      a += v;
      break;
    case ReduceKind::max:
      a = std::isnan(v) ? v : std::max(a, v);
      break;
    case ReduceKind::min:
      a = std::isnan(v) ? v : std::min(a, v);
      break;
    case ReduceKind::prod:
      a *= v;
      break;
    case ReduceKind::l1:
      a += std::fabs(v);
      break;
    case ReduceKind::l2:
    case ReduceKind::sum_square:
      a += v * v;
      break;
    case ReduceKind::log_sum_exp:
      a += std::exp(v - peak[map[e]]);
      break;
    }
  }
  for (int64_t o = 0; o < outCount; ++o) {
    double &a = acc[o];
    if (kind == ReduceKind::mean)
      a /= double(perOutput);
    else if (kind == ReduceKind::l2)
      a = std::sqrt(a);
    else if (kind == ReduceKind::log_sum)
      a = std::log(a);
    else if (kind == ReduceKind::log_sum_exp)
      a = std::log(a) + peak[o];
  }
  if (x.isInteger) {
    Tensor out = Tensor::integers(outShape);
    for (int64_t o = 0; o < outCount; ++o)
      out.i[o] = int64_t(acc[o]);
    return out;
  }
  Tensor out = Tensor::floats(outShape);
  for (int64_t o = 0; o < outCount; ++o)
    out.f[o] = float(acc[o]);
  return out;
}

/// Calls `fn(base, stride, size)` for every line of `shape` along `axis`.
template <typename Fn>
static void forEachLine(ArrayRef<int64_t> shape, int64_t axis, Fn fn) {
  int64_t rank = int64_t(shape.size());
  if (axis < 0)
    axis += rank;
  int64_t size = shape[axis], inner = 1, outer = 1;
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= shape[d];
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i)
      fn(o * size * inner + i, inner, size);
}

Tensor kernels::argReduce(const Tensor &x, int64_t axis, bool isMax,
                          bool selectLast, ArrayRef<int64_t> outShape) {
  Tensor out = Tensor::integers(outShape);
  int64_t o = 0;
  forEachLine(x.shape, axis, [&](int64_t base, int64_t stride, int64_t size) {
    int64_t best = 0;
    if (size == 0) {
      out.i[o++] = 0;
      return;
    }
    double bestValue = at(x, base);
    for (int64_t k = 1; k < size; ++k) {
      double v = x.isInteger ? double(x.i[base + k * stride])
                             : double(x.f[base + k * stride]);
      bool better = isMax ? v > bestValue : v < bestValue;
      if (better || (selectLast && v == bestValue)) {
        best = k;
        bestValue = v;
      }
    }
    out.i[o++] = best;
  });
  // forEachLine visits lines in output order only when the reduced axis is
  // squeezed or kept as 1: both keep the other dims in order.
  return out;
}

Tensor kernels::logSoftmax(const Tensor &x, int64_t axis) {
  Tensor out = Tensor::floats(x.shape);
  forEachLine(x.shape, axis, [&](int64_t base, int64_t stride, int64_t size) {
    double peak = -std::numeric_limits<double>::infinity();
    for (int64_t k = 0; k < size; ++k)
      peak = std::max(peak, double(x.f[base + k * stride]));
    double sum = 0;
    for (int64_t k = 0; k < size; ++k)
      sum += std::exp(double(x.f[base + k * stride]) - peak);
    double logSum = std::log(sum);
    for (int64_t k = 0; k < size; ++k)
      out.f[base + k * stride] =
          float(double(x.f[base + k * stride]) - peak - logSum);
  });
  return out;
}

Tensor kernels::hardmax(const Tensor &x, int64_t axis) {
  Tensor out = Tensor::floats(x.shape);
  forEachLine(x.shape, axis, [&](int64_t base, int64_t stride, int64_t size) {
    int64_t best = 0;
    if (size == 0)
      return;
    for (int64_t k = 1; k < size; ++k)
      if (x.f[base + k * stride] > x.f[base + best * stride])
        best = k;
    out.f[base + best * stride] = 1.0f;
  });
  return out;
}

Tensor kernels::cumSum(const Tensor &x, int64_t axis, bool exclusive,
                       bool reverse) {
  Tensor out = x;
  forEachLine(x.shape, axis, [&](int64_t base, int64_t stride, int64_t size) {
    double sum = 0;
    for (int64_t step = 0; step < size; ++step) {
      int64_t k = reverse ? size - 1 - step : step;
      int64_t e = base + k * stride;
      double v = x.isInteger ? double(x.i[e]) : double(x.f[e]);
      double value = exclusive ? sum : sum + v;
      sum += v;
      if (x.isInteger)
        out.i[e] = int64_t(value);
      else
        out.f[e] = float(value);
    }
  });
  return out;
}

Tensor kernels::trilu(const Tensor &x, bool upper, int64_t k) {
  Tensor out = x;
  int64_t rank = int64_t(x.shape.size());
  int64_t rows = x.shape[rank - 2], cols = x.shape[rank - 1];
  for (int64_t e = 0, n = x.numElements(); e < n; ++e) {
    int64_t col = e % cols, row = (e / cols) % std::max<int64_t>(rows, 1);
    bool keep = upper ? col - row >= k : col - row <= k;
    if (keep)
      continue;
    if (x.isInteger)
      out.i[e] = 0;
    else
      out.f[e] = 0.0f;
  }
  return out;
}

/// An index into a dimension of `size`, negative ones from the end.
static llvm::Expected<int64_t> checkedIndex(int64_t index, int64_t size) {
  if (index < -size || index >= size)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "index " + llvm::Twine(index) +
                                       " is out of range for a dimension of " +
                                       llvm::Twine(size));
  return index < 0 ? index + size : index;
}

llvm::Expected<Tensor> kernels::gatherAxis(const Tensor &x,
                                           const Tensor &indices, int64_t axis,
                                           ArrayRef<int64_t> outShape) {
  int64_t rank = int64_t(x.shape.size());
  if (axis < 0)
    axis += rank;
  int64_t size = x.shape[axis], inner = 1, outer = 1;
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= x.shape[d];
  for (int64_t d = 0; d < axis; ++d)
    outer *= x.shape[d];
  int64_t count = indices.numElements();
  Tensor out =
      x.isInteger ? Tensor::integers(outShape) : Tensor::floats(outShape);
  for (int64_t j = 0; j < count; ++j) {
    llvm::Expected<int64_t> k = checkedIndex(indices.i[j], size);
    if (!k)
      return k.takeError();
    for (int64_t o = 0; o < outer; ++o) {
      int64_t src = (o * size + *k) * inner, dst = (o * count + j) * inner;
      for (int64_t i = 0; i < inner; ++i) {
        if (x.isInteger)
          out.i[dst + i] = x.i[src + i];
        else
          out.f[dst + i] = x.f[src + i];
      }
    }
  }
  return out;
}

llvm::Expected<Tensor>
kernels::gatherElements(const Tensor &x, const Tensor &indices, int64_t axis) {
  int64_t rank = int64_t(x.shape.size());
  if (axis < 0)
    axis += rank;
  SmallVector<int64_t> inStrides = stridesOf(x.shape), index(rank, 0);
  Tensor out = x.isInteger ? Tensor::integers(indices.shape)
                           : Tensor::floats(indices.shape);
  for (int64_t e = 0, n = indices.numElements(); e < n; ++e) {
    llvm::Expected<int64_t> k = checkedIndex(indices.i[e], x.shape[axis]);
    if (!k)
      return k.takeError();
    int64_t src = 0;
    for (int64_t d = 0; d < rank; ++d)
      src += (d == axis ? *k : index[d]) * inStrides[d];
    if (x.isInteger)
      out.i[e] = x.i[src];
    else
      out.f[e] = x.f[src];
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < indices.shape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

Tensor kernels::broadcastTo(const Tensor &x, ArrayRef<int64_t> outShape) {
  size_t rank = outShape.size();
  SmallVector<int64_t> strides = broadcastStridesOf(x.shape, rank);
  return gather(x, outShape, [&](ArrayRef<int64_t> index) {
    int64_t src = 0;
    for (size_t d = 0; d < rank; ++d)
      src += index[d] * strides[d];
    return src;
  });
}

Tensor kernels::repeat(const Tensor &x, ArrayRef<int64_t> outShape) {
  SmallVector<int64_t> strides = stridesOf(x.shape);
  return gather(x, outShape, [&](ArrayRef<int64_t> index) {
    int64_t src = 0;
    for (size_t d = 0; d < index.size(); ++d)
      src += (index[d] % x.shape[d]) * strides[d];
    return src;
  });
}
