//===- Signal.cpp - Closed-form signal-processing tables ------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The mel filter bank of ONNX MelWeightMatrix, step for step as ONNX's
// reference (onnx/backend/test/case/node/melweightmatrix.py) computes it,
// including its quirks: the mel range is cut into num_mel_bins + 2 steps,
// and band edges are floor((dft_length + 1) * hz / sample_rate).
//
//===----------------------------------------------------------------------===//

#include "cim/Numerics/Signal.h"

#include <cmath>
#include <limits>
#include <string>

using namespace mlir::cim;

static llvm::Error failure(const std::string &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

llvm::Expected<std::vector<double>>
numerics::melWeightMatrix(int64_t numMelBins, int64_t dftLength,
                          int64_t sampleRate, double lowerEdgeHertz,
                          double upperEdgeHertz) {
  if (numMelBins < 1)
    return failure("num_mel_bins must be positive, got " +
                   std::to_string(numMelBins));
  if (dftLength < 1)
    return failure("dft_length must be positive, got " +
                   std::to_string(dftLength));
  if (sampleRate < 1)
    return failure("sample_rate must be positive, got " +
                   std::to_string(sampleRate));
  if (!std::isfinite(lowerEdgeHertz) || !std::isfinite(upperEdgeHertz) ||
      lowerEdgeHertz < 0 || upperEdgeHertz < lowerEdgeHertz)
    return failure("expects 0 <= lower_edge_hertz <= upper_edge_hertz, got " +
                   std::to_string(lowerEdgeHertz) + " and " +
                   std::to_string(upperEdgeHertz));
  // Both dimensions are bounded by the callers' tensor limits; guard the
  // product against overflow anyway.
  int64_t rows = dftLength / 2 + 1;
  if (numMelBins > std::numeric_limits<int32_t>::max() ||
      rows > std::numeric_limits<int32_t>::max())
    return failure("the matrix [" + std::to_string(rows) + ", " +
                   std::to_string(numMelBins) + "] is too large");

  auto mel = [](double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); };
  double lowMel = mel(lowerEdgeHertz), highMel = mel(upperEdgeHertz);
  double step = (highMel - lowMel) / double(numMelBins + 2);
  std::vector<int64_t> edges(numMelBins + 2);
  for (int64_t i = 0; i < numMelBins + 2; ++i) {
    double hz =
        700.0 * (std::pow(10.0, (double(i) * step + lowMel) / 2595.0) - 1.0);
    edges[i] =
        int64_t(std::floor(double(dftLength + 1) * hz / double(sampleRate)));
  }

  std::vector<double> out(size_t(rows * numMelBins), 0.0);
  for (int64_t band = 0; band < numMelBins; ++band) {
    int64_t left = edges[band], center = edges[band + 1],
            right = edges[band + 2];
    // The rising edge ends at the center bin, which must exist (the
    // reference indexes it); the falling one stops before the right bin,
    // within the spectrum.
    if (center >= rows)
      return failure("mel band " + std::to_string(band) + " peaks at bin " +
                     std::to_string(center) + ", beyond the " +
                     std::to_string(rows) +
                     " bins of the one-sided spectrum (upper_edge_hertz " +
                     "above the Nyquist frequency?)");
    if (center == left) {
      out[center * numMelBins + band] = 1.0;
    } else {
      for (int64_t j = left; j <= center; ++j)
        out[j * numMelBins + band] = double(j - left) / double(center - left);
    }
    for (int64_t j = center; j < right && j < rows; ++j)
      out[j * numMelBins + band] = double(right - j) / double(right - center);
  }
  return out;
}
