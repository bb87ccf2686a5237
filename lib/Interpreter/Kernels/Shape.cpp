//===- Shape.cpp - Reshape, permute, slice, concat, pad and im2col --------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Kernels that move elements without computing: every one keeps the input's
// representation (float or integer).
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include <algorithm>

using namespace mlir::cim;
using namespace mlir::cim::eval;
using llvm::ArrayRef;
using llvm::SmallVector;

Tensor kernels::reshape(const Tensor &x, ArrayRef<int64_t> shape) {
  Tensor out = x;
  out.shape.assign(shape.begin(), shape.end());
  return out;
}

Tensor kernels::transpose(const Tensor &x, ArrayRef<int64_t> outShape,
                          ArrayRef<int64_t> perm) {
  SmallVector<int64_t> in = stridesOf(x.shape);
  return gather(x, outShape, [&](ArrayRef<int64_t> idx) {
    int64_t src = 0;
    for (size_t d = 0; d < idx.size(); ++d)
      src += idx[d] * in[perm[d]];
    return src;
  });
}

Tensor kernels::slice(const Tensor &x, ArrayRef<int64_t> outShape,
                      ArrayRef<int64_t> offsets, ArrayRef<int64_t> strides) {
  SmallVector<int64_t> in = stridesOf(x.shape);
  return gather(x, outShape, [&](ArrayRef<int64_t> idx) {
    int64_t src = 0;
    for (size_t d = 0; d < idx.size(); ++d)
      src += (offsets[d] + idx[d] * strides[d]) * in[d];
    return src;
  });
}

Tensor kernels::concat(ArrayRef<const Tensor *> inputs,
                       ArrayRef<int64_t> outShape, int64_t axis) {
  int64_t rank = outShape.size();
  if (axis < 0)
    axis += rank;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= outShape[d];
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= outShape[d];
  bool integer = inputs.front()->isInteger;
  Tensor out = integer ? Tensor::integers(outShape) : Tensor::floats(outShape);
  int64_t offset = 0;
  for (const Tensor *input : inputs) {
    const Tensor &t = *input;
    int64_t len = t.shape[axis];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t e = 0; e < len * inner; ++e) {
        int64_t dst = (o * outShape[axis] + offset) * inner + e;
        int64_t src = o * len * inner + e;
        if (integer)
          out.i[dst] = t.i[src];
        else
          out.f[dst] = t.f[src];
      }
    offset += len;
  }
  return out;
}

std::vector<Tensor> kernels::split(const Tensor &x,
                                   ArrayRef<SmallVector<int64_t>> outShapes,
                                   int64_t axis) {
  int64_t rank = x.shape.size();
  if (axis < 0)
    axis += rank;
  SmallVector<int64_t> in = stridesOf(x.shape);
  int64_t offset = 0;
  std::vector<Tensor> pieces;
  for (ArrayRef<int64_t> shape : outShapes) {
    pieces.push_back(gather(x, shape, [&](ArrayRef<int64_t> idx) {
      int64_t src = 0;
      for (int64_t d = 0; d < rank; ++d)
        src += (idx[d] + (d == axis ? offset : 0)) * in[d];
      return src;
    }));
    offset += shape[axis];
  }
  return pieces;
}

Tensor kernels::pad(const Tensor &x, ArrayRef<int64_t> outShape,
                    ArrayRef<int64_t> pads, PadMode mode, float value) {
  int64_t rank = x.shape.size();
  SmallVector<int64_t> in = stridesOf(x.shape);
  return gather(
      x, outShape,
      [&](ArrayRef<int64_t> idx) -> int64_t {
        int64_t src = 0;
        for (int64_t d = 0; d < rank; ++d) {
          int64_t i = idx[d] - pads[d], n = x.shape[d];
          if (i < 0 || i >= n) {
            if (mode == PadMode::constant)
              return -1;
            if (mode == PadMode::edge)
              i = std::clamp<int64_t>(i, 0, n - 1);
            else // reflect
              i = i < 0 ? -i : 2 * (n - 1) - i;
          }
          src += i * in[d];
        }
        return src;
      },
      value);
}

Tensor kernels::im2col(const Tensor &x, ArrayRef<int64_t> outShape,
                       const Window &window, int64_t c0, int64_t cg) {
  int64_t ch = x.shape[1], h = x.shape[2], w = x.shape[3];
  ArrayRef<int64_t> k = window.kernel, s = window.strides, p = window.pads,
                    d = window.dilations;
  int64_t oh = (h + p[0] + p[2] - d[0] * (k[0] - 1) - 1) / s[0] + 1;
  int64_t ow = (w + p[1] + p[3] - d[1] * (k[1] - 1) - 1) / s[1] + 1;
  int64_t batch = outShape[0] / (oh * ow), cols = outShape[1];
  Tensor out =
      x.isInteger ? Tensor::integers(outShape) : Tensor::floats(outShape);
  // Row (b, oy, ox), column (c, i, j): loops in that order, so no index is
  // divided per element.
  auto fill = [&](auto &dst, const auto &src) {
    int64_t row = 0;
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox, ++row) {
          auto *o = dst.data() + row * cols;
          for (int64_t cc = 0; cc < cg; ++cc) {
            const auto *plane = src.data() + (b * ch + c0 + cc) * h * w;
            for (int64_t i = 0; i < k[0]; ++i) {
              int64_t iy = oy * s[0] - p[0] + i * d[0];
              for (int64_t j = 0; j < k[1]; ++j, ++o) {
                int64_t ix = ox * s[1] - p[1] + j * d[1];
                *o = (iy < 0 || iy >= h || ix < 0 || ix >= w)
                         ? 0
                         : plane[iy * w + ix];
              }
            }
          }
        }
  };
  if (x.isInteger)
    fill(out.i, x.i);
  else
    fill(out.f, x.f);
  return out;
}
