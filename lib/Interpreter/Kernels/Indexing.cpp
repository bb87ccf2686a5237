//===- Indexing.cpp - Kernels of the indexing ops -------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What the ops of CimIndexingOps.td compute. Indices read from tensors are
// checked before use: a bad one is an error, never an out-of-bounds access.
// Kernels whose result size depends on values return the size they
// computed; the dispatch compares it with the op's static type.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

using namespace mlir::cim::eval;
using llvm::ArrayRef;
using llvm::SmallVector;

namespace {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// A tensor of `t`'s kind (float or integer) and `shape`, zero-filled.
Tensor like(const Tensor &t, ArrayRef<int64_t> shape) {
  return t.isInteger ? Tensor::integers(shape) : Tensor::floats(shape);
}

void copyElement(Tensor &out, int64_t dst, const Tensor &in, int64_t src) {
  if (out.isInteger)
    out.i[dst] = in.isInteger ? in.i[src] : int64_t(in.f[src]);
  else
    out.f[dst] = in.isInteger ? float(in.i[src]) : in.f[src];
}

int64_t productOf(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims)
    p *= d;
  return p;
}

/// An index into a dimension of `size`, negative ones from the end.
llvm::Expected<int64_t> checkedIndex(int64_t index, int64_t size) {
  if (index < -size || index >= size)
    return makeError("index " + llvm::Twine(index) +
                     " is out of range for a dimension of " +
                     llvm::Twine(size));
  return index < 0 ? index + size : index;
}

/// `out[dst] = combine(out[dst], in[src])`.
void combine(Tensor &out, int64_t dst, const Tensor &in, int64_t src,
             kernels::ScatterReduction reduction) {
  using R = kernels::ScatterReduction;
  if (out.isInteger) {
    int64_t a = out.i[dst], b = in.isInteger ? in.i[src] : int64_t(in.f[src]);
    switch (reduction) {
    case R::none:
      out.i[dst] = b;
      break;
    case R::add:
      out.i[dst] = int64_t(uint64_t(a) + uint64_t(b));
      break;
    case R::mul:
      out.i[dst] = int64_t(uint64_t(a) * uint64_t(b));
      break;
    case R::max:
      out.i[dst] = std::max(a, b);
      break;
    case R::min:
      out.i[dst] = std::min(a, b);
      break;
    }
    return;
  }
  float a = out.f[dst], b = in.isInteger ? float(in.i[src]) : in.f[src];
  switch (reduction) {
  case R::none:
    out.f[dst] = b;
    break;
  case R::add:
    out.f[dst] = a + b;
    break;
  case R::mul:
    out.f[dst] = a * b;
    break;
  case R::max:
    out.f[dst] = std::max(a, b);
    break;
  case R::min:
    out.f[dst] = std::min(a, b);
    break;
  }
}

/// Advances a row-major multi-index over `shape`.
void next(SmallVector<int64_t> &index, ArrayRef<int64_t> shape) {
  for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
    if (++index[d] < shape[d])
      return;
    index[d] = 0;
  }
}

bool isNonZero(const Tensor &t, int64_t i) {
  return t.isInteger ? t.i[i] != 0 : t.f[i] != 0.0f;
}

/// Three-way comparison of two elements of one tensor.
int compareElements(const Tensor &t, int64_t a, int64_t b) {
  if (t.isInteger)
    return t.i[a] < t.i[b] ? -1 : t.i[a] > t.i[b] ? 1 : 0;
  return t.f[a] < t.f[b] ? -1 : t.f[a] > t.f[b] ? 1 : 0;
}

} // namespace

//===----------------------------------------------------------------------===//
// Scatters and N-D gathers
//===----------------------------------------------------------------------===//

llvm::Expected<Tensor> kernels::scatterElements(const Tensor &data,
                                                const Tensor &indices,
                                                const Tensor &updates,
                                                int64_t axis,
                                                ScatterReduction reduction) {
  int64_t rank = int64_t(data.shape.size());
  if (axis < 0)
    axis += rank;
  Tensor out = data;
  SmallVector<int64_t> strides = stridesOf(data.shape), index(rank, 0);
  for (int64_t e = 0, n = indices.numElements(); e < n;
       ++e, next(index, indices.shape)) {
    llvm::Expected<int64_t> k = checkedIndex(indices.i[e], data.shape[axis]);
    if (!k)
      return k.takeError();
    int64_t dst = 0;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t pos = d == axis ? *k : index[d];
      if (pos >= data.shape[d])
        return makeError("position " + llvm::Twine(pos) + " of dimension " +
                         llvm::Twine(d) + " is outside the data (" +
                         llvm::Twine(data.shape[d]) + ")");
      dst += pos * strides[d];
    }
    combine(out, dst, updates, e, reduction);
  }
  return out;
}

/// The offset of the slice that index vector `j` of `indices` ([..., k])
/// addresses in a tensor of `shape` with `strides`.
static llvm::Expected<int64_t> sliceOffset(const Tensor &indices, int64_t j,
                                           int64_t k, ArrayRef<int64_t> shape,
                                           ArrayRef<int64_t> strides) {
  int64_t offset = 0;
  for (int64_t d = 0; d < k; ++d) {
    llvm::Expected<int64_t> pos = checkedIndex(indices.i[j * k + d], shape[d]);
    if (!pos)
      return pos.takeError();
    offset += *pos * strides[d];
  }
  return offset;
}

llvm::Expected<Tensor> kernels::scatterNd(const Tensor &data,
                                          const Tensor &indices,
                                          const Tensor &updates,
                                          ScatterReduction reduction) {
  int64_t k = indices.shape.back();
  int64_t count = k ? indices.numElements() / k : 0;
  int64_t slice = productOf(ArrayRef<int64_t>(data.shape).drop_front(k));
  SmallVector<int64_t> strides = stridesOf(data.shape);
  Tensor out = data;
  for (int64_t j = 0; j < count; ++j) {
    llvm::Expected<int64_t> offset =
        sliceOffset(indices, j, k, data.shape, strides);
    if (!offset)
      return offset.takeError();
    for (int64_t s = 0; s < slice; ++s)
      combine(out, *offset + s, updates, j * slice + s, reduction);
  }
  return out;
}

llvm::Expected<Tensor> kernels::gatherNd(const Tensor &data,
                                         const Tensor &indices,
                                         int64_t batchDims,
                                         ArrayRef<int64_t> outShape) {
  ArrayRef<int64_t> shape = data.shape;
  int64_t k = indices.shape.back();
  int64_t batches = productOf(shape.take_front(batchDims));
  ArrayRef<int64_t> perBatch = shape.drop_front(batchDims);
  int64_t batchSize = productOf(perBatch);
  Tensor out = like(data, outShape);
  if (batches == 0 || out.numElements() == 0)
    return out;
  int64_t count =
      productOf(ArrayRef<int64_t>(indices.shape).drop_back()) / batches;
  int64_t slice = productOf(perBatch.drop_front(k));
  SmallVector<int64_t> strides = stridesOf(perBatch);
  for (int64_t b = 0; b < batches; ++b)
    for (int64_t j = 0; j < count; ++j) {
      llvm::Expected<int64_t> offset =
          sliceOffset(indices, b * count + j, k, perBatch, strides);
      if (!offset)
        return offset.takeError();
      for (int64_t s = 0; s < slice; ++s)
        copyElement(out, (b * count + j) * slice + s, data,
                    b * batchSize + *offset + s);
    }
  return out;
}

llvm::Expected<Tensor> kernels::reverseSequence(const Tensor &x,
                                                const Tensor &lens,
                                                int64_t batchAxis,
                                                int64_t timeAxis) {
  int64_t steps = x.shape[timeAxis];
  for (int64_t len : lens.i)
    if (len < 0 || len > steps)
      return makeError("sequence length " + llvm::Twine(len) +
                       " is outside [0, " + llvm::Twine(steps) + "]");
  int64_t inner = productOf(ArrayRef<int64_t>(x.shape).drop_front(2));
  Tensor out = like(x, x.shape);
  for (int64_t a = 0; a < x.shape[0]; ++a)
    for (int64_t b = 0; b < x.shape[1]; ++b) {
      int64_t batch = batchAxis == 0 ? a : b, t = timeAxis == 0 ? a : b;
      int64_t len = lens.i[batch];
      int64_t src = t < len ? len - 1 - t : t;
      int64_t srcA = timeAxis == 0 ? src : a, srcB = timeAxis == 0 ? b : src;
      for (int64_t i = 0; i < inner; ++i)
        copyElement(out, (a * x.shape[1] + b) * inner + i, x,
                    (srcA * x.shape[1] + srcB) * inner + i);
    }
  return out;
}

//===----------------------------------------------------------------------===//
// Selections whose size depends on values
//===----------------------------------------------------------------------===//

Tensor kernels::compress(const Tensor &x, const Tensor &condition,
                         std::optional<int64_t> axis) {
  if (!axis) {
    std::vector<int64_t> kept;
    for (int64_t e = 0, n = std::min(x.numElements(), condition.numElements());
         e < n; ++e)
      if (isNonZero(condition, e))
        kept.push_back(e);
    Tensor out = like(x, {int64_t(kept.size())});
    for (auto [dst, src] : llvm::enumerate(kept))
      copyElement(out, int64_t(dst), x, src);
    return out;
  }
  int64_t a = *axis < 0 ? *axis + int64_t(x.shape.size()) : *axis;
  std::vector<int64_t> kept;
  for (int64_t s = 0, n = std::min(x.shape[a], condition.numElements()); s < n;
       ++s)
    if (isNonZero(condition, s))
      kept.push_back(s);
  ArrayRef<int64_t> shape = x.shape;
  int64_t outer = productOf(shape.take_front(a)),
          inner = productOf(shape.drop_front(a + 1));
  SmallVector<int64_t> outShape(shape);
  outShape[a] = int64_t(kept.size());
  Tensor out = like(x, outShape);
  for (int64_t o = 0; o < outer; ++o)
    for (auto [j, s] : llvm::enumerate(kept))
      for (int64_t i = 0; i < inner; ++i)
        copyElement(out, (o * int64_t(kept.size()) + int64_t(j)) * inner + i, x,
                    (o * shape[a] + s) * inner + i);
  return out;
}

Tensor kernels::nonZero(const Tensor &x) {
  int64_t rank = int64_t(x.shape.size());
  std::vector<int64_t> positions;
  for (int64_t e = 0, n = x.numElements(); e < n; ++e)
    if (isNonZero(x, e))
      positions.push_back(e);
  int64_t count = int64_t(positions.size());
  Tensor out = Tensor::integers({rank, count});
  SmallVector<int64_t> strides = stridesOf(x.shape);
  for (int64_t j = 0; j < count; ++j)
    for (int64_t d = 0; d < rank; ++d)
      out.i[d * count + j] = positions[j] / strides[d] % x.shape[d];
  return out;
}

kernels::UniqueResult
kernels::unique(const Tensor &x, std::optional<int64_t> axis, bool sorted) {
  // Items are the elements (no axis) or the slices along `axis`; each is
  // compared through the element offsets of its slice.
  ArrayRef<int64_t> shape = x.shape;
  int64_t a = axis ? (*axis < 0 ? *axis + int64_t(shape.size()) : *axis) : 0;
  int64_t items = axis ? shape[a] : x.numElements();
  int64_t outer = axis ? productOf(shape.take_front(a)) : 1;
  int64_t inner = axis ? productOf(shape.drop_front(a + 1)) : 1;
  auto offset = [&](int64_t item, int64_t p) {
    int64_t o = p / inner, i = p % inner;
    return (o * items + item) * inner + i;
  };
  int64_t width = outer * inner;
  auto less = [&](int64_t l, int64_t r) {
    for (int64_t p = 0; p < width; ++p)
      if (int c = compareElements(x, offset(l, p), offset(r, p)))
        return c < 0;
    return false;
  };
  std::vector<int64_t> order(items);
  std::iota(order.begin(), order.end(), 0);
  // A total order (ties by position), so std::sort is stable here;
  // std::stable_sort's temporary buffer is deprecated under clang.
  std::sort(order.begin(), order.end(), [&](int64_t l, int64_t r) {
    return less(l, r) || (!less(r, l) && l < r);
  });
  // Groups of equal items, each first met at its lowest position.
  std::vector<int64_t> first, counts, groupOf(items);
  for (size_t j = 0; j < order.size(); ++j) {
    if (j == 0 || less(order[j - 1], order[j])) {
      first.push_back(order[j]);
      counts.push_back(0);
    }
    ++counts.back();
    groupOf[order[j]] = int64_t(first.size()) - 1;
  }
  int64_t n = int64_t(first.size());
  std::vector<int64_t> rank(n);
  std::iota(rank.begin(), rank.end(), 0);
  if (!sorted)
    std::sort(rank.begin(), rank.end(),
              [&](int64_t l, int64_t r) { return first[l] < first[r]; });
  std::vector<int64_t> position(n);
  for (int64_t u = 0; u < n; ++u)
    position[rank[u]] = u;

  UniqueResult result;
  SmallVector<int64_t> outShape(shape);
  if (axis)
    outShape[a] = n;
  else
    outShape.assign({n});
  result.values = like(x, outShape);
  result.indices = Tensor::integers({n});
  result.counts = Tensor::integers({n});
  result.inverse = Tensor::integers({items});
  for (int64_t u = 0; u < n; ++u) {
    int64_t g = rank[u];
    result.indices.i[u] = first[g];
    result.counts.i[u] = counts[g];
    for (int64_t p = 0; p < width; ++p) {
      int64_t o = p / inner, i = p % inner;
      copyElement(result.values, (o * n + u) * inner + i, x,
                  offset(first[g], p));
    }
  }
  for (int64_t item = 0; item < items; ++item)
    result.inverse.i[item] = position[groupOf[item]];
  return result;
}

void kernels::topK(const Tensor &x, int64_t k, int64_t axis, bool largest,
                   Tensor &values, Tensor &indices) {
  ArrayRef<int64_t> shape = x.shape;
  int64_t size = shape[axis], outer = productOf(shape.take_front(axis)),
          inner = productOf(shape.drop_front(axis + 1));
  SmallVector<int64_t> outShape(shape);
  outShape[axis] = k;
  values = like(x, outShape);
  indices = Tensor::integers(outShape);
  std::vector<int64_t> order(size);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto pos = [&](int64_t j) { return (o * size + j) * inner + i; };
      std::iota(order.begin(), order.end(), 0);
      // Equal values keep the lower index first (ONNX's tie rule).
      std::sort(order.begin(), order.end(), [&](int64_t l, int64_t r) {
        int c = compareElements(x, pos(l), pos(r));
        return c ? (largest ? c > 0 : c < 0) : l < r;
      });
      for (int64_t j = 0; j < k; ++j) {
        int64_t dst = (o * k + j) * inner + i;
        copyElement(values, dst, x, pos(order[j]));
        indices.i[dst] = order[j];
      }
    }
}

//===----------------------------------------------------------------------===//
// Closed forms
//===----------------------------------------------------------------------===//

Tensor kernels::bitShift(const Tensor &l, const Tensor &r,
                         ArrayRef<int64_t> outShape, bool left, unsigned bits) {
  size_t rank = outShape.size();
  SmallVector<int64_t> sl = broadcastStridesOf(l.shape, rank),
                       sr = broadcastStridesOf(r.shape, rank), index(rank, 0);
  uint64_t mask = bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
  Tensor out = Tensor::integers(outShape);
  for (int64_t e = 0, n = out.numElements(); e < n;
       ++e, next(index, outShape)) {
    int64_t il = 0, ir = 0;
    for (size_t d = 0; d < rank; ++d) {
      il += index[d] * sl[d];
      ir += index[d] * sr[d];
    }
    uint64_t x = uint64_t(l.i[il]) & mask, s = uint64_t(r.i[ir]) & mask;
    uint64_t y = s >= bits ? 0 : left ? x << s : x >> s;
    out.i[e] = int64_t(y & mask);
  }
  return out;
}

Tensor kernels::oneHot(const Tensor &indices, const Tensor &values,
                       int64_t depth, int64_t axis) {
  ArrayRef<int64_t> shape = indices.shape;
  if (axis < 0)
    axis += int64_t(shape.size()) + 1;
  SmallVector<int64_t> outShape(shape);
  outShape.insert(outShape.begin() + axis, depth);
  Tensor out = like(values, outShape);
  for (int64_t e = 0, n = out.numElements(); e < n; ++e)
    copyElement(out, e, values, 0);
  int64_t inner = productOf(shape.drop_front(axis));
  for (int64_t e = 0, n = indices.numElements(); e < n; ++e) {
    // Non-integer indices truncate (ONNX casts them to int64).
    double v = indices.isInteger ? double(indices.i[e]) : double(indices.f[e]);
    if (!(v > -double(depth) - 1 && v < double(depth)))
      continue;
    int64_t k = int64_t(v);
    if (k < 0)
      k += depth;
    if (k < 0 || k >= depth)
      continue;
    int64_t o = e / inner, i = e % inner;
    copyElement(out, (o * depth + k) * inner + i, values, 1);
  }
  return out;
}

llvm::Expected<Tensor> kernels::einsum(ArrayRef<const Tensor *> inputs,
                                       ArrayRef<std::string> subscripts,
                                       llvm::StringRef output,
                                       ArrayRef<int64_t> outShape) {
  // Every letter's size (broadcast letters take the larger one); output
  // letters first, then the summed ones.
  std::map<char, int64_t> sizes;
  for (auto [t, s] : llvm::zip(inputs, subscripts))
    for (auto [c, d] : llvm::zip(s, t->shape)) {
      auto [it, inserted] = sizes.try_emplace(c, d);
      if (!inserted && it->second == 1)
        it->second = d;
    }
  std::string letters = output.str();
  for (auto [c, d] : sizes)
    if (!llvm::is_contained(letters, c))
      letters += c;
  SmallVector<int64_t> extent;
  double iterations = 1;
  for (char c : letters) {
    extent.push_back(sizes[c]);
    iterations *= double(sizes[c]);
  }
  if (iterations > double(int64_t(1) << 32))
    return makeError(
        "the equation needs " + llvm::Twine(int64_t(iterations)) +
        " multiply-adds, more than the interpreter's limit of 2^32");
  // Strides per letter: a repeated letter (a diagonal) adds its strides; a
  // dimension of size 1 under a larger letter broadcasts.
  size_t n = letters.size();
  std::vector<SmallVector<int64_t>> strides;
  for (auto [t, s] : llvm::zip(inputs, subscripts)) {
    SmallVector<int64_t> own = stridesOf(t->shape), perLetter(n, 0);
    for (auto [d, c] : llvm::enumerate(s))
      if (t->shape[d] != 1 || sizes[c] == 1)
        perLetter[letters.find(c)] += own[d];
    strides.push_back(std::move(perLetter));
  }
  SmallVector<int64_t> outStrides(n, 0), own = stridesOf(outShape);
  for (size_t d = 0; d < output.size(); ++d)
    outStrides[d] = own[d];
  std::vector<double> acc(productOf(outShape), 0.0);
  SmallVector<int64_t> index(n, 0);
  int64_t total = int64_t(iterations);
  for (int64_t step = 0; step < total; ++step, next(index, extent)) {
    double product = 1;
    for (auto [t, st] : llvm::zip(inputs, strides)) {
      int64_t offset = 0;
      for (size_t d = 0; d < n; ++d)
        offset += index[d] * st[d];
      product *= t->isInteger ? double(t->i[offset]) : double(t->f[offset]);
    }
    int64_t dst = 0;
    for (size_t d = 0; d < output.size(); ++d)
      dst += index[d] * outStrides[d];
    acc[dst] += product;
  }
  Tensor out = like(*inputs.front(), outShape);
  for (size_t e = 0; e < acc.size(); ++e) {
    if (out.isInteger)
      out.i[e] = int64_t(acc[e]);
    else
      out.f[e] = float(acc[e]);
  }
  return out;
}

Tensor kernels::window(WindowKind kind, int64_t size, bool periodic) {
  Tensor out = Tensor::floats({size});
  // ONNX's definitions (opset 17), in double.
  double n1 = double(periodic ? size : size - 1), pi = std::acos(-1.0);
  for (int64_t j = 0; j < size; ++j) {
    double x = n1 > 0 ? 2 * pi * double(j) / n1 : 0.0;
    double w = 1.0;
    switch (kind) {
    case WindowKind::hann:
      w = 0.5 - 0.5 * std::cos(x);
      break;
    case WindowKind::hamming:
      w = 25.0 / 46.0 - (1.0 - 25.0 / 46.0) * std::cos(x);
      break;
    case WindowKind::blackman:
      w = 0.42 - 0.5 * std::cos(x) + 0.08 * std::cos(2 * x);
      break;
    }
    out.f[j] = float(w);
  }
  return out;
}

Tensor kernels::det(const Tensor &x, ArrayRef<int64_t> outShape) {
  int64_t m = x.shape.back();
  Tensor out = Tensor::floats(outShape);
  std::vector<double> a(m * m);
  for (int64_t b = 0, n = out.numElements(); b < n; ++b) {
    for (int64_t e = 0; e < m * m; ++e)
      a[e] = double(at(x, b * m * m + e));
    // LU with partial pivoting: the determinant is the pivots' product,
    // negated per row swap.
    double result = 1;
    for (int64_t c = 0; c < m && result != 0; ++c) {
      int64_t pivot = c;
      for (int64_t r = c + 1; r < m; ++r)
        if (std::fabs(a[r * m + c]) > std::fabs(a[pivot * m + c]))
          pivot = r;
      if (a[pivot * m + c] == 0) {
        result = 0;
        break;
      }
      if (pivot != c) {
        for (int64_t j = 0; j < m; ++j)
          std::swap(a[c * m + j], a[pivot * m + j]);
        result = -result;
      }
      result *= a[c * m + c];
      for (int64_t r = c + 1; r < m; ++r) {
        double f = a[r * m + c] / a[c * m + c];
        for (int64_t j = c; j < m; ++j)
          a[r * m + j] -= f * a[c * m + j];
      }
    }
    out.f[b] = float(result);
  }
  return out;
}
