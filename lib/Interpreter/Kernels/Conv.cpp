//===- Conv.cpp - Float convolution, pooling and matmul kernels -----------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The digital unit's dense layers, in float32 through lib/Numerics/Gemm (the
// one door to BLAS): graph-level convolutions and activation-weight
// matmuls. Crossbar layers are Crossbar.cpp's.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include "cim/Numerics/Gemm.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir::cim;
using namespace mlir::cim::eval;
using llvm::ArrayRef;
using llvm::SmallVector;

/// Integer convolution (ConvInteger's zero-point-corrected codes): direct
/// int64 loops, exact for any magnitude, where a float GEMM would round
/// once partial sums pass 2^24.
static Tensor integerConv2d(const Tensor &x, const Tensor &w,
                            const Tensor *bias, ArrayRef<int64_t> outShape,
                            const kernels::Window &window, int64_t groups) {
  int64_t n = outShape[0], f = outShape[1], oh = outShape[2], ow = outShape[3];
  int64_t c = x.shape[1], h = x.shape[2], wd = x.shape[3];
  int64_t cg = w.shape[1], kh = w.shape[2], kw = w.shape[3], fg = f / groups;
  ArrayRef<int64_t> s = window.strides, p = window.pads, d = window.dilations;
  Tensor out = Tensor::integers(outShape);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oc = 0; oc < f; ++oc) {
      int64_t g = oc / fg;
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t xo = 0; xo < ow; ++xo) {
          // Unsigned: wraps like int32 hardware would, never UB.
          uint64_t acc = bias ? uint64_t(bias->i[oc]) : 0;
          for (int64_t ic = 0; ic < cg; ++ic)
            for (int64_t i = 0; i < kh; ++i) {
              int64_t iy = y * s[0] - p[0] + i * d[0];
              if (iy < 0 || iy >= h)
                continue;
              for (int64_t j = 0; j < kw; ++j) {
                int64_t ix = xo * s[1] - p[1] + j * d[1];
                if (ix < 0 || ix >= wd)
                  continue;
                acc +=
                    uint64_t(x.i[((b * c + g * cg + ic) * h + iy) * wd + ix]) *
                    uint64_t(w.i[((oc * cg + ic) * kh + i) * kw + j]);
              }
            }
          out.i[((b * f + oc) * oh + y) * ow + xo] = int64_t(acc);
        }
    }
  return out;
}

Tensor kernels::conv2d(const Tensor &xt, const Tensor &wt, const Tensor *bias,
                       ArrayRef<int64_t> outShape, const Window &window,
                       int64_t groups) {
  if (xt.isInteger && wt.isInteger && (!bias || bias->isInteger))
    return integerConv2d(xt, wt, bias, outShape, window, groups);
  std::vector<float> xTmp, wTmp;
  const std::vector<float> &x = floatsOf(xt, xTmp);
  const std::vector<float> &w = floatsOf(wt, wTmp);
  ArrayRef<int64_t> wShape = wt.shape;
  int64_t n = outShape[0], f = outShape[1], oh = outShape[2], ow = outShape[3];
  int64_t c = xt.shape[1], h = xt.shape[2], wd = xt.shape[3];
  int64_t cg = wShape[1], kh = wShape[2], kw = wShape[3];
  int64_t fg = f / groups;
  ArrayRef<int64_t> s = window.strides, p = window.pads, d = window.dilations;
  int64_t pixels = oh * ow, k = cg * kh * kw;
  Tensor out = Tensor::floats(outShape);
  std::vector<float> cols(pixels * k), result(pixels * fg);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t g = 0; g < groups; ++g) {
      // im2col of this group's channels, then one GEMM with its filters.
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t xo = 0; xo < ow; ++xo) {
          float *row = &cols[(y * ow + xo) * k];
          for (int64_t ic = 0; ic < cg; ++ic)
            for (int64_t i = 0; i < kh; ++i) {
              int64_t iy = y * s[0] - p[0] + i * d[0];
              for (int64_t j = 0; j < kw; ++j) {
                int64_t ix = xo * s[1] - p[1] + j * d[1];
                bool inside = iy >= 0 && iy < h && ix >= 0 && ix < wd;
                row[(ic * kh + i) * kw + j] =
                    inside ? x[((b * c + g * cg + ic) * h + iy) * wd + ix]
                           : 0.0f;
              }
            }
        }
      numerics::sgemm(pixels, fg, k, cols.data(), k, &w[g * fg * k], k,
                      /*transB=*/true, result.data(), fg);
      for (int64_t oc = 0; oc < fg; ++oc) {
        float shift = bias ? at(*bias, g * fg + oc) : 0.0f;
        float *dst = &out.f[(b * f + g * fg + oc) * pixels];
        for (int64_t px = 0; px < pixels; ++px)
          dst[px] = result[px * fg + oc] + shift;
      }
    }
  return out;
}

Tensor kernels::pool(const Tensor &x, ArrayRef<int64_t> outShape,
                     const Window &window, bool isMax, bool countIncludePad) {
  ArrayRef<int64_t> kernel = window.kernel, strides = window.strides,
                    pads = window.pads, dilations = window.dilations;
  int64_t n = outShape[0], c = outShape[1], oh = outShape[2], ow = outShape[3];
  int64_t h = x.shape[2], w = x.shape[3];
  Tensor out = Tensor::floats(outShape);
  for (int64_t b = 0; b < n * c; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t xo = 0; xo < ow; ++xo) {
        double acc = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
        int64_t count = 0, padded = 0;
        for (int64_t i = 0; i < kernel[0]; ++i) {
          int64_t iy = y * strides[0] - pads[0] + i * dilations[0];
          for (int64_t j = 0; j < kernel[1]; ++j) {
            int64_t ix = xo * strides[1] - pads[1] + j * dilations[1];
            // Positions in the explicit padding count for
            // count_include_pad; those past it (ceil mode) never do.
            if (iy >= -pads[0] && iy < h + pads[2] && ix >= -pads[1] &&
                ix < w + pads[3])
              ++padded;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w)
              continue;
            double v = at(x, (b * h + iy) * w + ix);
            acc = isMax ? std::max(acc, v) : acc + v;
            ++count;
          }
        }
        if (!isMax)
          acc /= double(countIncludePad ? padded : std::max<int64_t>(count, 1));
        out.f[(b * oh + y) * ow + xo] = float(acc);
      }
  return out;
}

Tensor kernels::globalAvgPool(const Tensor &x, ArrayRef<int64_t> outShape) {
  int64_t plane = x.shape[2] * x.shape[3];
  Tensor out = Tensor::floats(outShape);
  for (int64_t b = 0, n = x.shape[0] * x.shape[1]; b < n; ++b) {
    double acc = 0;
    for (int64_t e = 0; e < plane; ++e)
      acc += at(x, b * plane + e);
    out.f[b] = float(acc / double(plane));
  }
  return out;
}

/// Integer matrix products (MatMulInteger): int64 accumulation, exact for
/// any magnitude; numpy batch broadcasting as in the float path.
static Tensor integerMatmul(const Tensor &a, const Tensor &b,
                            ArrayRef<int64_t> outShape) {
  SmallVector<int64_t> as(a.shape), bs(b.shape);
  if (as.size() == 1)
    as.insert(as.begin(), 1);
  if (bs.size() == 1)
    bs.push_back(1);
  int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  Tensor out = Tensor::integers(outShape);
  int64_t batches = out.numElements() / std::max<int64_t>(m * n, 1);
  size_t batchRank = std::max(as.size(), bs.size()) - 2;
  // Offsets of one batch's matrices, broadcasting size-1 batch dimensions.
  auto offset = [&](ArrayRef<int64_t> shape, int64_t bi) {
    int64_t off = 0, stride = 1, rest = bi;
    SmallVector<int64_t> outBatch(outShape.begin(),
                                  outShape.begin() + batchRank);
    for (int64_t d = int64_t(batchRank) - 1; d >= 0; --d) {
      int64_t idx = rest % outBatch[d];
      rest /= outBatch[d];
      int64_t r = int64_t(shape.size()) - 2 - (int64_t(batchRank) - d);
      if (r < 0)
        continue;
      if (shape[r] != 1)
        off += idx * stride;
      stride *= shape[r];
    }
    return off;
  };
  for (int64_t bi = 0; bi < batches; ++bi) {
    int64_t offA = offset(as, bi) * m * k, offB = offset(bs, bi) * k * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        uint64_t acc = 0; // Wraps, never UB.
        for (int64_t e = 0; e < k; ++e)
          acc +=
              uint64_t(a.i[offA + i * k + e]) * uint64_t(b.i[offB + e * n + j]);
        out.i[(bi * m + i) * n + j] = int64_t(acc);
      }
  }
  return out;
}

Tensor kernels::matmul(const Tensor &a, const Tensor &b,
                       ArrayRef<int64_t> outShape) {
  if (a.isInteger && b.isInteger)
    return integerMatmul(a, b, outShape);
  std::vector<float> aTmp, bTmp;
  const std::vector<float> &fa = floatsOf(a, aTmp), &fb = floatsOf(b, bTmp);
  // numpy semantics: 1-D operands are promoted, batch dims broadcast.
  SmallVector<int64_t> as(a.shape), bs(b.shape);
  if (as.size() == 1)
    as.insert(as.begin(), 1);
  if (bs.size() == 1)
    bs.push_back(1);
  int64_t m = as[as.size() - 2], k = as.back(), nn = bs.back();
  size_t batchRank = std::max(as.size(), bs.size()) - 2;
  SmallVector<int64_t> batch(batchRank, 1);
  auto batchDim = [&](ArrayRef<int64_t> s, size_t d) -> int64_t {
    size_t r = s.size() - 2;
    return d < batchRank - r ? 1 : s[d - (batchRank - r)];
  };
  for (size_t d = 0; d < batchRank; ++d)
    batch[d] = std::max(batchDim(as, d), batchDim(bs, d));
  int64_t batches = 1;
  for (int64_t v : batch)
    batches *= v;
  Tensor out = Tensor::floats(outShape);
  SmallVector<int64_t> index(batchRank, 0);
  for (int64_t bi = 0; bi < batches; ++bi) {
    int64_t offA = 0, offB = 0, strideA = m * k, strideB = k * nn;
    for (size_t d = 0; d < batchRank; ++d) {
      int64_t da = batchDim(as, d), db = batchDim(bs, d);
      offA = offA * da + (da == 1 ? 0 : index[d]);
      offB = offB * db + (db == 1 ? 0 : index[d]);
    }
    offA *= strideA;
    offB *= strideB;
    numerics::sgemm(m, nn, k, &fa[offA], k, &fb[offB], nn, /*transB=*/false,
                    &out.f[bi * m * nn], nn);
    for (int64_t d = int64_t(batchRank) - 1; d >= 0; --d) {
      if (++index[d] < batch[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}
