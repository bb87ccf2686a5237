//===- Signal.cpp - Kernels of the signal ops -----------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The ops of CimSignalOps.td: ONNX DFT and STFT (MelWeightMatrix is
// numerics::melWeightMatrix). Transforms sum in double and round to float32
// once, as ONNX's reference (numpy's FFT in complex128) does. Powers of two
// take an iterative radix-2 FFT, other lengths the direct O(n^2) sum; both
// read one table of twiddles, exp(-+2 pi i m / n), computed once per length.
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <utility>
#include <vector>

using namespace mlir::cim::eval;
using llvm::ArrayRef;
using Complex = std::complex<double>;

namespace {

/// The DFT of one length and direction, applied to many sequences.
class Transform {
public:
  Transform(int64_t n, bool inverse)
      : n(n), inverse(inverse), powerOfTwo((n & (n - 1)) == 0), twiddles(n) {
    for (int64_t m = 0; m < n; ++m) {
      double angle = 2.0 * M_PI * double(m) / double(n);
      twiddles[m] = {std::cos(angle),
                     inverse ? std::sin(angle) : -std::sin(angle)};
    }
  }

  /// The first `bins` values of the transform of `seq` (n values; clobbered
  /// by the FFT).
  void run(std::vector<Complex> &seq, std::vector<Complex> &out,
           int64_t bins) const {
    double scale = inverse ? 1.0 / double(n) : 1.0;
    if (powerOfTwo) {
      fft(seq);
      for (int64_t k = 0; k < bins; ++k)
        out[k] = seq[k] * scale;
      return;
    }
    // The direct sum of the bins kept: (k * j) mod n steps through the
    // table.
    for (int64_t k = 0; k < bins; ++k) {
      Complex acc;
      int64_t index = 0;
      for (int64_t j = 0; j < n; ++j) {
        acc += mul(seq[j], twiddles[index]);
        index += k;
        if (index >= n)
          index -= n;
      }
      out[k] = acc * scale;
    }
  }

private:
  /// a * b without the C99 Annex G NaN recovery of operator*.
  static Complex mul(Complex a, Complex b) {
    return {a.real() * b.real() - a.imag() * b.imag(),
            a.real() * b.imag() + a.imag() * b.real()};
  }

  /// In place, decimation in time.
  void fft(std::vector<Complex> &a) const {
    for (int64_t i = 1, j = 0; i < n; ++i) {
      int64_t bit = n >> 1;
      for (; j & bit; bit >>= 1)
        j ^= bit;
      j |= bit;
      if (i < j)
        std::swap(a[i], a[j]);
    }
    for (int64_t len = 2; len <= n; len <<= 1) {
      int64_t half = len / 2, stride = n / len;
      for (int64_t i = 0; i < n; i += len)
        for (int64_t j = 0; j < half; ++j) {
          Complex t = mul(twiddles[j * stride], a[i + j + half]);
          a[i + j + half] = a[i + j] - t;
          a[i + j] += t;
        }
    }
  }

  int64_t n;
  bool inverse, powerOfTwo;
  std::vector<Complex> twiddles;
};

} // namespace

Tensor kernels::dft(const Tensor &xt, int64_t axis, int64_t length,
                    bool inverse, ArrayRef<int64_t> outShape) {
  std::vector<float> tmp;
  const std::vector<float> &x = floatsOf(xt, tmp);
  int64_t rank = int64_t(xt.shape.size());
  int64_t parts = xt.shape[rank - 1];
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= xt.shape[d];
  for (int64_t d = axis + 1; d < rank - 1; ++d)
    inner *= xt.shape[d];
  int64_t size = xt.shape[axis], bins = outShape[axis];
  int64_t used = std::min(size, length);

  Tensor out = Tensor::floats(outShape);
  Transform transform(length, inverse);
  std::vector<Complex> seq(length), spectrum(bins);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      // Beyond the input the sequence is zero-padded; past `length` the
      // input is cut.
      std::fill(seq.begin(), seq.end(), Complex());
      for (int64_t j = 0; j < used; ++j) {
        const float *v = &x[((o * size + j) * inner + i) * parts];
        seq[j] = {double(v[0]), parts == 2 ? double(v[1]) : 0.0};
      }
      transform.run(seq, spectrum, bins);
      for (int64_t k = 0; k < bins; ++k) {
        float *y = &out.f[((o * bins + k) * inner + i) * 2];
        y[0] = float(spectrum[k].real());
        y[1] = float(spectrum[k].imag());
      }
    }
  return out;
}

Tensor kernels::stft(const Tensor &signalT, const Tensor *windowT, int64_t step,
                     int64_t length, ArrayRef<int64_t> outShape) {
  std::vector<float> tmp, windowTmp;
  const std::vector<float> &signal = floatsOf(signalT, tmp);
  const std::vector<float> *window =
      windowT ? &floatsOf(*windowT, windowTmp) : nullptr;
  int64_t batch = signalT.shape[0], samples = signalT.shape[1],
          parts = signalT.shape[2];
  int64_t frames = outShape[1], bins = outShape[2];

  Tensor out = Tensor::floats(outShape);
  Transform transform(length, /*inverse=*/false);
  std::vector<Complex> seq(length), spectrum(bins);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t f = 0; f < frames; ++f) {
      for (int64_t n = 0; n < length; ++n) {
        const float *v = &signal[(b * samples + f * step + n) * parts];
        // The windowed sample is a float32 product, as in the reference.
        float w = window ? (*window)[n] : 1.0f;
        seq[n] = {double(v[0] * w), parts == 2 ? double(v[1] * w) : 0.0};
      }
      transform.run(seq, spectrum, bins);
      float *y = &out.f[(b * frames + f) * bins * 2];
      for (int64_t k = 0; k < bins; ++k) {
        y[2 * k] = float(spectrum[k].real());
        y[2 * k + 1] = float(spectrum[k].imag());
      }
    }
  return out;
}
