//===- Image.cpp - Kernels of the image ops -------------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The ops of CimImageOps.td: the scatter half of a transposed convolution
// and ONNX Resize, whose interpolation follows ONNX's reference
// (onnx/backend/test/case/node/resize.py) tap for tap.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include <cmath>

using namespace mlir::cim::eval;
using llvm::ArrayRef;
using llvm::SmallVector;

Tensor kernels::col2im(const Tensor &xt, ArrayRef<int64_t> outShape,
                       ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                       ArrayRef<int64_t> dilations) {
  std::vector<float> tmp;
  const std::vector<float> &x = floatsOf(xt, tmp);
  int64_t n = xt.shape[0], h = xt.shape[1], w = xt.shape[2], m = xt.shape[3],
          kh = xt.shape[4], kw = xt.shape[5];
  int64_t oh = outShape[2], ow = outShape[3];
  std::vector<double> acc(n * m * oh * ow, 0.0);
  const float *src = x.data();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t xx = 0; xx < w; ++xx)
        for (int64_t c = 0; c < m; ++c) {
          double *plane = &acc[(b * m + c) * oh * ow];
          for (int64_t i = 0; i < kh; ++i) {
            int64_t oy = y * strides[0] - pads[0] + i * dilations[0];
            bool rowInside = oy >= 0 && oy < oh;
            for (int64_t j = 0; j < kw; ++j, ++src) {
              int64_t ox = xx * strides[1] - pads[1] + j * dilations[1];
              if (rowInside && ox >= 0 && ox < ow)
                plane[oy * ow + ox] += *src;
            }
          }
        }
  Tensor out = Tensor::floats(outShape);
  for (size_t i = 0; i < acc.size(); ++i)
    out.f[i] = float(acc[i]);
  return out;
}

namespace {

/// The input positions and weights one output position reads along an axis;
/// `extrapolate` when it lies outside the crop (tf_crop_and_resize).
struct Taps {
  SmallVector<int64_t, 4> index;
  SmallVector<double, 4> weight;
  bool extrapolate = false;
};

Taps tapsFor(int64_t x, int64_t inSize, double scale, double roiStart,
             double roiEnd, const kernels::ResizeParams &p) {
  using Mode = kernels::ResizeParams::Mode;
  Taps taps;
  double in = double(inSize);
  // The reference's output width is scale * input width (not rounded).
  double outWidth = scale * in;
  double xOri;
  llvm::StringRef t = p.transform;
  if (t == "align_corners") {
    xOri = outWidth == 1 ? 0.0 : double(x) * (in - 1) / (outWidth - 1);
  } else if (t == "asymmetric") {
    xOri = double(x) / scale;
  } else if (t == "tf_crop_and_resize") {
    xOri = outWidth == 1
               ? (roiEnd - roiStart) * (in - 1) / 2
               : double(x) * (roiEnd - roiStart) * (in - 1) / (outWidth - 1);
    xOri += roiStart * (in - 1);
    if (xOri < 0 || xOri > in - 1) {
      taps.extrapolate = true;
      return taps;
    }
  } else if (t == "pytorch_half_pixel") {
    xOri = outWidth == 1 ? -0.5 : (double(x) + 0.5) / scale - 0.5;
  } else if (t == "tf_half_pixel_for_nn") {
    xOri = (double(x) + 0.5) / scale;
  } else { // half_pixel
    xOri = (double(x) + 0.5) / scale - 0.5;
  }
  // The reference prefers the neighbours left of xOri: an integer xOri has
  // ratio 1 to the index below it.
  double base = std::floor(xOri);
  double ratio = xOri - base;
  if (ratio == 0) {
    ratio = 1;
    base -= 1;
  }
  SmallVector<double, 4> coeffs;
  switch (p.mode) {
  case Mode::nearest: {
    bool up;
    if (ratio == 1)
      up = true;
    else if (p.nearestMode == "round_prefer_ceil")
      up = ratio >= 0.5;
    else if (p.nearestMode == "floor")
      up = false;
    else if (p.nearestMode == "ceil")
      up = true;
    else // round_prefer_floor
      up = ratio > 0.5;
    coeffs = {up ? 0.0 : 1.0, up ? 1.0 : 0.0};
    break;
  }
  case Mode::linear:
    coeffs = {1 - ratio, ratio};
    break;
  case Mode::cubic: {
    double a = p.cubicCoeffA, r = ratio, s = 1 - ratio;
    coeffs = {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
              ((a + 2) * r - (a + 3)) * r * r + 1,
              ((a + 2) * s - (a + 3)) * s * s + 1,
              ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a};
    break;
  }
  }
  int64_t count = coeffs.size();
  int64_t first = int64_t(base) - count / 2 + 1;
  double sum = 0;
  for (int64_t k = 0; k < count; ++k) {
    int64_t idx = first + k;
    if (p.excludeOutside && (idx < 0 || idx >= inSize))
      coeffs[k] = 0;
    sum += coeffs[k];
  }
  for (int64_t k = 0; k < count; ++k) {
    if (coeffs[k] == 0)
      continue;
    int64_t idx = std::clamp<int64_t>(first + k, 0, inSize - 1);
    taps.index.push_back(idx);
    taps.weight.push_back(p.excludeOutside ? coeffs[k] / sum : coeffs[k]);
  }
  return taps;
}

} // namespace

Tensor kernels::resize(const Tensor &xt, ArrayRef<int64_t> outShape,
                       const ResizeParams &params) {
  std::vector<float> tmp;
  const std::vector<float> &xf = floatsOf(xt, tmp);
  std::vector<double> cur(xf.begin(), xf.end());
  SmallVector<int64_t> shape(xt.shape);
  int64_t rank = shape.size();
  for (int64_t axis = 0; axis < rank; ++axis) {
    int64_t inSize = shape[axis], outSize = outShape[axis];
    double roiStart = 0, roiEnd = 1;
    if (!params.roi.empty()) {
      roiStart = params.roi[axis];
      roiEnd = params.roi[rank + axis];
    }
    SmallVector<Taps> taps;
    bool identity = inSize == outSize && params.roi.empty();
    for (int64_t o = 0; o < outSize; ++o) {
      taps.push_back(
          tapsFor(o, inSize, params.scales[axis], roiStart, roiEnd, params));
      const Taps &t = taps.back();
      identity &= !t.extrapolate && t.index.size() == 1 && t.index[0] == o &&
                  t.weight[0] == 1;
    }
    if (identity)
      continue;
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < axis; ++d)
      outer *= shape[d];
    for (int64_t d = axis + 1; d < rank; ++d)
      inner *= shape[d];
    std::vector<double> next(outer * outSize * inner, 0.0);
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t o = 0; o < outSize; ++o) {
        double *dst = &next[(a * outSize + o) * inner];
        const Taps &t = taps[o];
        if (t.extrapolate) {
          std::fill(dst, dst + inner, double(params.extrapolationValue));
          continue;
        }
        for (size_t k = 0; k < t.index.size(); ++k) {
          const double *src = &cur[(a * inSize + t.index[k]) * inner];
          double wgt = t.weight[k];
          for (int64_t i = 0; i < inner; ++i)
            dst[i] += wgt * src[i];
        }
      }
    cur = std::move(next);
    shape[axis] = outSize;
  }
  Tensor out = Tensor::floats(outShape);
  for (size_t i = 0; i < cur.size(); ++i)
    out.f[i] = float(cur[i]);
  return out;
}
