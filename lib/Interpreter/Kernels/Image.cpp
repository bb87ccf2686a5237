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

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <array>
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

//===----------------------------------------------------------------------===//
// GridSample (PyTorch's grid_sampler_2d, which ONNX GridSample follows)
//===----------------------------------------------------------------------===//

/// Reflects `x` into [low, high] (given doubled, as PyTorch does).
static double reflect(double x, double twiceLow, double twiceHigh) {
  if (twiceLow == twiceHigh)
    return 0;
  double low = twiceLow / 2, span = (twiceHigh - twiceLow) / 2;
  x = std::fabs(x - low);
  double extra = std::fmod(x, span);
  int64_t flips = int64_t(std::floor(x / span));
  return flips % 2 == 0 ? extra + low : span - extra + low;
}

Tensor kernels::gridSample(const Tensor &x, const Tensor &grid,
                           ArrayRef<int64_t> outShape,
                           const GridSampleParams &p) {
  int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
  int64_t oh = outShape[2], ow = outShape[3];
  std::vector<float> tmp;
  const std::vector<float> &in = floatsOf(x, tmp);
  Tensor out = Tensor::floats(outShape);
  auto unnormalize = [&](double v, int64_t size) {
    return p.alignCorners ? (v + 1) / 2 * double(size - 1)
                          : ((v + 1) * double(size) - 1) / 2;
  };
  // Border and reflection padding move a coordinate inside the image.
  auto pad = [&](double v, int64_t size) {
    if (p.padding == GridSampleParams::Padding::zeros)
      return v;
    if (p.padding == GridSampleParams::Padding::reflection) {
      v = p.alignCorners ? reflect(v, 0, 2 * double(size - 1))
                         : reflect(v, -1, 2 * double(size) - 1);
    }
    return std::clamp(v, 0.0, double(size - 1));
  };
  auto pixel = [&](const float *plane, int64_t iy, int64_t ix) -> double {
    return iy >= 0 && iy < h && ix >= 0 && ix < w ? plane[iy * w + ix] : 0.0;
  };
  // Bicubic taps read through the padding one by one.
  auto tap = [&](const float *plane, int64_t iy, int64_t ix) -> double {
    if (p.padding == GridSampleParams::Padding::zeros)
      return pixel(plane, iy, ix);
    return pixel(plane, int64_t(pad(double(iy), h)),
                 int64_t(pad(double(ix), w)));
  };
  auto cubic = [](double t, double coeffs[4]) {
    const double a = -0.75;
    auto near = [&](double d) { return ((a + 2) * d - (a + 3)) * d * d + 1; };
    auto far = [&](double d) {
      return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
    };
    coeffs[0] = far(t + 1);
    coeffs[1] = near(t);
    coeffs[2] = near(1 - t);
    coeffs[3] = far(2 - t);
  };
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j) {
        const float *g = &grid.f[((b * oh + i) * ow + j) * 2];
        double gx = unnormalize(g[0], w), gy = unnormalize(g[1], h);
        for (int64_t ch = 0; ch < c; ++ch) {
          const float *plane = &in[(b * c + ch) * h * w];
          double v = 0;
          if (p.mode == GridSampleParams::Mode::bicubic) {
            double fx = std::floor(gx), fy = std::floor(gy), cx[4], cy[4];
            cubic(gx - fx, cx);
            cubic(gy - fy, cy);
            for (int dy = 0; dy < 4; ++dy)
              for (int dx = 0; dx < 4; ++dx)
                v += cy[dy] * cx[dx] *
                     tap(plane, int64_t(fy) - 1 + dy, int64_t(fx) - 1 + dx);
          } else {
            double px = pad(gx, w), py = pad(gy, h);
            if (p.mode == GridSampleParams::Mode::nearest) {
              v = pixel(plane, int64_t(std::nearbyint(py)),
                        int64_t(std::nearbyint(px)));
            } else {
              double fx = std::floor(px), fy = std::floor(py);
              double tx = px - fx, ty = py - fy;
              int64_t x0 = int64_t(fx), y0 = int64_t(fy);
              v = pixel(plane, y0, x0) * (1 - tx) * (1 - ty) +
                  pixel(plane, y0, x0 + 1) * tx * (1 - ty) +
                  pixel(plane, y0 + 1, x0) * (1 - tx) * ty +
                  pixel(plane, y0 + 1, x0 + 1) * tx * ty;
            }
          }
          out.f[((b * c + ch) * oh + i) * ow + j] = float(v);
        }
      }
  return out;
}

//===----------------------------------------------------------------------===//
// NonMaxSuppression (ONNX Runtime's selection rules)
//===----------------------------------------------------------------------===//

std::vector<std::array<int64_t, 3>>
kernels::nonMaxSuppression(const Tensor &boxes, const Tensor &scores,
                           int64_t maxPerClass, float iouThreshold,
                           float scoreThreshold, bool centerPointBox) {
  int64_t batches = boxes.shape[0], count = boxes.shape[1],
          classes = scores.shape[1];
  std::vector<std::array<int64_t, 3>> selected;
  // Corners [y1, x1, y2, x2], ordered.
  auto corners = [&](int64_t b, int64_t i) {
    const float *q = &boxes.f[(b * count + i) * 4];
    std::array<float, 4> r;
    if (centerPointBox) {
      r = {q[1] - q[3] / 2, q[0] - q[2] / 2, q[1] + q[3] / 2, q[0] + q[2] / 2};
    } else {
      r = {std::min(q[0], q[2]), std::min(q[1], q[3]), std::max(q[0], q[2]),
           std::max(q[1], q[3])};
    }
    return r;
  };
  auto suppresses = [&](const std::array<float, 4> &a,
                        const std::array<float, 4> &b) {
    float areaA = (a[2] - a[0]) * (a[3] - a[1]);
    float areaB = (b[2] - b[0]) * (b[3] - b[1]);
    if (areaA <= 0 || areaB <= 0)
      return false;
    float ih = std::min(a[2], b[2]) - std::max(a[0], b[0]);
    float iw = std::min(a[3], b[3]) - std::max(a[1], b[1]);
    if (ih <= 0 || iw <= 0)
      return false;
    float inter = ih * iw;
    return inter / (areaA + areaB - inter) > iouThreshold;
  };
  if (maxPerClass <= 0)
    return selected;
  for (int64_t b = 0; b < batches; ++b)
    for (int64_t k = 0; k < classes; ++k) {
      const float *s = &scores.f[(b * classes + k) * count];
      std::vector<int64_t> order;
      for (int64_t i = 0; i < count; ++i)
        if (s[i] > scoreThreshold)
          order.push_back(i);
      // Ties: the lower index first (a total order, so std::sort is
      // deterministic).
      std::sort(order.begin(), order.end(), [&](int64_t l, int64_t r) {
        return s[l] > s[r] || (!(s[r] > s[l]) && l < r);
      });
      std::vector<int64_t> kept;
      for (int64_t i : order) {
        if (int64_t(kept.size()) >= maxPerClass)
          break;
        std::array<float, 4> box = corners(b, i);
        if (llvm::none_of(kept, [&](int64_t j) {
              return suppresses(corners(b, j), box);
            }))
          kept.push_back(i);
      }
      for (int64_t i : kept)
        selected.push_back({b, k, i});
    }
  return selected;
}
