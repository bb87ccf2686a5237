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

//===----------------------------------------------------------------------===//
// MaxPool's indices, MaxUnpool
//===----------------------------------------------------------------------===//

Tensor kernels::maxPoolIndices(const Tensor &x, ArrayRef<int64_t> outShape,
                               const Window &window, bool columnMajor) {
  size_t k = x.shape.size() - 2;
  ArrayRef<int64_t> in = ArrayRef<int64_t>(x.shape).drop_front(2),
                    out = outShape.drop_front(2);
  int64_t plane = 1, outPlane = 1;
  for (size_t d = 0; d < k; ++d) {
    plane *= in[d];
    outPlane *= out[d];
  }
  // Element strides of the plane in ONNX's storage order.
  SmallVector<int64_t> stride(k, 1);
  for (size_t d = 0; d < k; ++d)
    for (size_t e = 0; e < k; ++e)
      if (columnMajor ? e < d : e > d)
        stride[d] *= in[e];
  SmallVector<int64_t> rowStride = stridesOf(in);
  int64_t windowSize = 1;
  for (int64_t size : window.kernel)
    windowSize *= size;
  Tensor result = Tensor::integers(outShape);
  SmallVector<int64_t> pos(k), tap(k), at0(k);
  for (int64_t b = 0, nc = outShape[0] * outShape[1]; b < nc; ++b)
    for (int64_t o = 0; o < outPlane; ++o) {
      // The window's origin in (padded-away) input coordinates.
      for (int64_t d = int64_t(k) - 1, rest = o; d >= 0; --d) {
        at0[d] = (rest % out[d]) * window.strides[d] - window.pads[d];
        rest /= out[d];
      }
      bool found = false;
      double best = 0;
      int64_t bestIndex = 0;
      // Taps in row-major order; a strictly larger value wins, so ties keep
      // the first (as ONNX Runtime).
      for (int64_t t = 0; t < windowSize; ++t) {
        bool inside = true;
        for (int64_t d = int64_t(k) - 1, rest = t; d >= 0; --d) {
          tap[d] = rest % window.kernel[d];
          rest /= window.kernel[d];
          pos[d] = at0[d] + tap[d] * window.dilations[d];
          inside &= pos[d] >= 0 && pos[d] < in[d];
        }
        if (!inside)
          continue;
        int64_t flat = 0, stored = 0;
        for (size_t d = 0; d < k; ++d) {
          flat += pos[d] * rowStride[d];
          stored += pos[d] * stride[d];
        }
        int64_t e = b * plane + flat;
        double v = x.isInteger ? double(x.i[e]) : double(x.f[e]);
        if (!found || v > best) {
          found = true;
          best = v;
          bestIndex = b * plane + stored;
        }
      }
      result.i[b * outPlane + o] = bestIndex;
    }
  return result;
}

llvm::Expected<Tensor> kernels::maxUnpool(const Tensor &x,
                                          const Tensor &indices,
                                          ArrayRef<int64_t> unpooled,
                                          ArrayRef<int64_t> outShape) {
  int64_t total = 1;
  for (int64_t d : unpooled)
    total *= d;
  std::vector<float> tmp;
  const std::vector<float> &values = floatsOf(x, tmp);
  std::vector<float> scattered(total, 0.0f);
  for (int64_t e = 0, n = x.numElements(); e < n; ++e) {
    int64_t index = indices.i[e];
    if (index < 0 || index >= total)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "index " + std::to_string(index) +
                                         " at position " + std::to_string(e) +
                                         " is outside the unpooled tensor of " +
                                         std::to_string(total) + " elements");
    scattered[index] = values[e];
  }
  // The unpooled tensor at the start of the (possibly larger) output.
  Tensor out = Tensor::floats(outShape);
  size_t rank = outShape.size();
  SmallVector<int64_t> outStrides = stridesOf(outShape);
  for (int64_t e = 0; e < total; ++e) {
    int64_t dst = 0;
    for (int64_t d = int64_t(rank) - 1, rest = e; d >= 0; --d) {
      dst += (rest % unpooled[d]) * outStrides[d];
      rest /= unpooled[d];
    }
    out.f[dst] = scattered[e];
  }
  return out;
}

//===----------------------------------------------------------------------===//
// RoiAlign
//===----------------------------------------------------------------------===//

namespace {
/// Sampling points per axis and bin, and its square per region, beyond
/// which a region is rejected.
constexpr int64_t kMaxRoiSamples = 2048;

/// One bilinear sample: four input positions within a plane and weights
/// (all zero for a point more than a pixel outside).
struct Sample {
  std::array<int64_t, 4> pos = {0, 0, 0, 0};
  std::array<double, 4> weight = {0, 0, 0, 0};
};

/// ONNX Runtime's bilinear sample at (y, x) of an h x w plane.
Sample bilinearSample(double y, double x, int64_t h, int64_t w) {
  Sample s;
  if (y < -1.0 || y > double(h) || x < -1.0 || x > double(w))
    return s;
  y = std::max(y, 0.0);
  x = std::max(x, 0.0);
  int64_t yLow = int64_t(y), xLow = int64_t(x), yHigh, xHigh;
  if (yLow >= h - 1) {
    yHigh = yLow = h - 1;
    y = double(yLow);
  } else {
    yHigh = yLow + 1;
  }
  if (xLow >= w - 1) {
    xHigh = xLow = w - 1;
    x = double(xLow);
  } else {
    xHigh = xLow + 1;
  }
  double ly = y - double(yLow), lx = x - double(xLow);
  double hy = 1.0 - ly, hx = 1.0 - lx;
  s.pos = {yLow * w + xLow, yLow * w + xHigh, yHigh * w + xLow,
           yHigh * w + xHigh};
  s.weight = {hy * hx, hy * lx, ly * hx, ly * lx};
  return s;
}
} // namespace

llvm::Expected<Tensor> kernels::roiAlign(const Tensor &x, const Tensor &rois,
                                         const Tensor &batchIndices,
                                         ArrayRef<int64_t> outShape,
                                         const RoiAlignParams &p) {
  int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
  int64_t r = outShape[0], oh = outShape[2], ow = outShape[3];
  std::vector<float> tmp, roiTmp;
  const std::vector<float> &data = floatsOf(x, tmp);
  const std::vector<float> &boxes = floatsOf(rois, roiTmp);
  Tensor out = Tensor::floats(outShape);
  double offset = p.halfPixel ? 0.5 : 0.0;
  for (int64_t roi = 0; roi < r; ++roi) {
    int64_t batch = batchIndices.isInteger ? batchIndices.i[roi]
                                           : int64_t(batchIndices.f[roi]);
    if (batch < 0 || batch >= n)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "batch index " + std::to_string(batch) +
                                         " of region " + std::to_string(roi) +
                                         " is outside [0, " +
                                         std::to_string(n) + ")");
    // Float32 products, as ONNX Runtime computes the region.
    auto coord = [&](int i) {
      return double(boxes[roi * 4 + i] * p.spatialScale) - offset;
    };
    double x0 = coord(0), y0 = coord(1), x1 = coord(2), y1 = coord(3);
    if (!std::isfinite(x0) || !std::isfinite(y0) || !std::isfinite(x1) ||
        !std::isfinite(y1))
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "region " + std::to_string(roi) +
                                         " has a non-finite coordinate");
    double roiW = x1 - x0, roiH = y1 - y0;
    if (!p.halfPixel) {
      // output_half_pixel forces malformed regions to 1 x 1.
      roiW = std::max(roiW, 1.0);
      roiH = std::max(roiH, 1.0);
    }
    double binH = roiH / double(oh), binW = roiW / double(ow);
    // Clamped before the conversion so that it is defined.
    auto adaptive = [](double size, int64_t bins) {
      return int64_t(std::clamp(std::ceil(size / double(bins)), 0.0,
                                double(kMaxRoiSamples + 1)));
    };
    int64_t gridH = p.samplingRatio > 0 ? p.samplingRatio : adaptive(roiH, oh);
    int64_t gridW = p.samplingRatio > 0 ? p.samplingRatio : adaptive(roiW, ow);
    // An adaptive grid grows with the region; a huge one is malformed
    // input, not work to do.
    if (gridH > kMaxRoiSamples || gridW > kMaxRoiSamples ||
        gridH * gridW * oh * ow > kMaxRoiSamples * kMaxRoiSamples)
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "region " + std::to_string(roi) + " needs " + std::to_string(gridH) +
              " x " + std::to_string(gridW) + " samples in each of " +
              std::to_string(oh * ow) + " bins; at most " +
              std::to_string(kMaxRoiSamples * kMaxRoiSamples) +
              " per region are supported");
    int64_t count = std::max<int64_t>(gridH * gridW, 1);
    // The samples of every bin, shared by all channels.
    std::vector<Sample> samples;
    for (int64_t ph = 0; ph < oh; ++ph)
      for (int64_t pw = 0; pw < ow; ++pw)
        for (int64_t iy = 0; iy < gridH; ++iy) {
          double yy = y0 + double(ph) * binH +
                      (double(iy) + 0.5) * binH / double(gridH);
          for (int64_t ix = 0; ix < gridW; ++ix) {
            double xx = x0 + double(pw) * binW +
                        (double(ix) + 0.5) * binW / double(gridW);
            samples.push_back(bilinearSample(yy, xx, h, w));
          }
        }
    int64_t perBin = std::max<int64_t>(gridH, 0) * std::max<int64_t>(gridW, 0);
    for (int64_t ch = 0; ch < c; ++ch) {
      const float *plane = &data[(batch * c + ch) * h * w];
      for (int64_t bin = 0; bin < oh * ow; ++bin) {
        double acc = 0.0;
        for (int64_t s = 0; s < perBin; ++s) {
          const Sample &sample = samples[bin * perBin + s];
          if (p.isMax) {
            // ONNX Runtime's max: the largest weighted corner term.
            double v = sample.weight[0] * plane[sample.pos[0]];
            for (int i = 1; i < 4; ++i)
              v = std::max(v, sample.weight[i] * plane[sample.pos[i]]);
            acc = s == 0 ? v : std::max(acc, v);
          } else {
            for (int i = 0; i < 4; ++i)
              acc += sample.weight[i] * plane[sample.pos[i]];
          }
        }
        if (!p.isMax)
          acc /= double(count);
        out.f[(roi * c + ch) * oh * ow + bin] = float(acc);
      }
    }
  }
  return out;
}
