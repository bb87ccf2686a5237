//===- Quantize.cpp - Layer configuration and code quantization ----------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Numerics/Quantize.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cmath>

using namespace mlir::cim;
using namespace mlir::cim::numerics;

/// The code of `v` (already divided by its scale) in `range`: rounded,
/// saturated, and 0 for NaN. Converting a non-finite or out-of-range double
/// to int64 is undefined (found by fuzz-mlir: a batch norm with zero
/// variance and epsilon folds to infinite weights), so clamp as double.
static int64_t toCode(double v, numerics::CodeRange range) {
  if (std::isnan(v))
    return 0;
  return int64_t(
      std::clamp(std::nearbyint(v), double(range.min), double(range.max)));
}

void numerics::applyLayerCalibration(CrossbarConfig &config,
                                     const LayerCalibration &calibration,
                                     bool alignedInputs) {
  if (calibration.nonnegativeInputs &&
      config.inputSign == InputSign::twos_complement) {
    // Unsigned codes double the resolution. Bit-serially that is free; with
    // wider DACs it is taken only where it saves a cycle, since the extra
    // magnitude bit otherwise lands in a short, heavily weighted last cycle
    // that shares the ADC range of the full ones.
    CrossbarConfig asUnsigned = config;
    asUnsigned.inputSign = InputSign::unsigned_;
    if (config.dacBits == 1 ||
        inputCycleCount(asUnsigned) < inputCycleCount(config))
      config.inputSign = InputSign::unsigned_;
  }
  if (calibration.signedInputs && config.inputSign == InputSign::unsigned_)
    config.inputSign = InputSign::offset;
  // Aligned mantissas carry the inputs' signs.
  if (alignedInputs && config.inputSign == InputSign::unsigned_ &&
      !calibration.nonnegativeInputs)
    config.inputSign = InputSign::offset;
  // A code width of at most the pattern's ones restricts nothing; the layout
  // still applies.
  config.weightMaxOnes = calibration.weightMaxOnes < config.weightBits - 1
                             ? calibration.weightMaxOnes
                             : 0;
  config.zeroBitLayout = calibration.weightMaxOnes > 0;
  // Every sum the array can produce (flipped columns halve it, unless the
  // zero-bit layout set above flips by its own rule), unless calibrated.
  int64_t maxSum = fullScaleColumnSum(config);
  config.clipLow =
      config.weightSign == WeightSign::differential_rows ? -maxSum : 0;
  config.clipHigh = maxSum;
  if (calibration.adcRange && config.adcMode == AdcMode::clipped) {
    config.clipLow = calibration.adcRange->low;
    config.clipHigh = calibration.adcRange->high;
  }
}

bool numerics::isLosslessReadout(const CrossbarConfig &config) {
  return adcDroppedBits(config) == 0;
}

/// The allowed code nearest to `v` (ties to the lower), 0 for NaN.
static int64_t nearestAllowed(double v, const std::vector<int64_t> &allowed) {
  if (std::isnan(v))
    return 0;
  auto above = std::lower_bound(
      allowed.begin(), allowed.end(), v,
      [](int64_t code, double value) { return double(code) < value; });
  if (above == allowed.end())
    return allowed.back();
  if (above == allowed.begin())
    return *above;
  int64_t hi = *above, lo = *std::prev(above);
  return double(hi) - v < v - double(lo) ? hi : lo;
}

std::vector<int64_t> numerics::weightCodebook(const CrossbarConfig &config) {
  if (!config.weightMaxOnes)
    return {};
  return allowedWeightCodes(config);
}

numerics::WeightCodes
numerics::quantizeWeights(llvm::function_ref<double(int64_t)> at, int64_t k,
                          int64_t n, int64_t r0, int64_t r1, int64_t c0,
                          int64_t c1, ScaleGranularity granularity,
                          CodeRange range, llvm::ArrayRef<double> fixedScales,
                          llvm::ArrayRef<int64_t> codebook) {
  WeightCodes out;
  std::vector<int64_t> allowed(codebook.begin(), codebook.end());
  // A codebook's largest code is the range's top: the scale maps to it.
  auto code = [&](double v) {
    return allowed.empty() ? toCode(v, range) : nearestAllowed(v, allowed);
  };
  int64_t rows = r1 - r0, cols = c1 - c0;
  if (!fixedScales.empty()) {
    out.scales.resize(cols);
    for (int64_t j = 0; j < cols; ++j)
      out.scales[j] =
          fixedScales.size() == 1 ? fixedScales[0] : fixedScales[c0 + j];
    out.codes.resize(rows * cols);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < cols; ++j)
        out.codes[r * cols + j] =
            code(at((r0 + r) * n + c0 + j) / out.scales[j]);
    return out;
  }
  bool perTile = granularity == ScaleGranularity::tile ||
                 granularity == ScaleGranularity::tile_column;
  int64_t scaleRowBegin = perTile ? r0 : 0, scaleRowEnd = perTile ? r1 : k;
  std::vector<double> &scales = out.scales;
  scales.assign(cols, 0.0);
  for (int64_t j = 0; j < cols; ++j)
    for (int64_t r = scaleRowBegin; r < scaleRowEnd; ++r)
      scales[j] = std::max(scales[j], std::fabs(at(r * n + c0 + j)));
  if (granularity == ScaleGranularity::tensor) {
    double m = 0;
    for (int64_t e = 0; e < k * n; ++e)
      m = std::max(m, std::fabs(at(e)));
    std::fill(scales.begin(), scales.end(), m);
  }
  if (granularity == ScaleGranularity::tile && cols > 0) {
    double m = *std::max_element(scales.begin(), scales.end());
    std::fill(scales.begin(), scales.end(), m);
  }
  for (double &s : scales)
    s = s > 0 ? s / double(range.max) : 1.0;
  out.codes.resize(rows * cols);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < cols; ++j) {
      double v = at((r0 + r) * n + c0 + j) / scales[j];
      out.codes[r * cols + j] = code(v);
    }
  return out;
}

/// Whether `maxOnes` restricts the codes of `range`.
static bool restricts(numerics::CodeRange range, unsigned maxOnes) {
  return maxOnes > 0 && range.min >= 0 && range.max > 0 &&
         maxOnes < unsigned(llvm::Log2_64_Ceil(uint64_t(range.max) + 1));
}

std::vector<int64_t> numerics::allowedInputCodes(CodeRange range,
                                                 unsigned maxOnes) {
  std::vector<int64_t> codes;
  bool restricted = restricts(range, maxOnes);
  for (int64_t c = range.min; c <= range.max; ++c)
    if (!restricted || unsigned(llvm::popcount(uint64_t(c))) <= maxOnes)
      codes.push_back(c);
  return codes;
}

/// The one definition of input quantization; `at` reads element e.
template <typename At>
static numerics::InputCodes
quantize(At at, int64_t count, numerics::CodeRange range,
         std::optional<double> clip, unsigned maxOnes) {
  numerics::InputCodes out;
  double xMax = 0;
  if (clip) {
    xMax = *clip;
  } else {
    for (int64_t e = 0; e < count; ++e)
      xMax = std::max(xMax, range.min < 0 ? std::fabs(at(e)) : at(e));
  }
  out.codes.resize(count);
  if (restricts(range, maxOnes)) {
    // The clip maps to the largest sparse code, so the range is kept and
    // only the grid inside it thins out.
    std::vector<int64_t> allowed = numerics::allowedInputCodes(range, maxOnes);
    out.scale = xMax > 0 ? xMax / double(allowed.back()) : 1.0;
    const double scale = out.scale;
    for (int64_t e = 0; e < count; ++e)
      out.codes[e] = nearestAllowed(at(e) / scale, allowed);
    return out;
  }
  out.scale = xMax > 0 ? xMax / double(range.max) : 1.0;
  const double scale = out.scale;
  for (int64_t e = 0; e < count; ++e)
    out.codes[e] = toCode(at(e) / scale, range);
  return out;
}

numerics::InputCodes
numerics::quantizeInputs(llvm::function_ref<double(int64_t)> at, int64_t count,
                         CodeRange range, std::optional<double> clip,
                         unsigned maxOnes) {
  return quantize(at, count, range, clip, maxOnes);
}

numerics::InputCodes numerics::quantizeInputs(llvm::ArrayRef<float> values,
                                              CodeRange range,
                                              std::optional<double> clip,
                                              unsigned maxOnes) {
  const float *data = values.data();
  return quantize([data](int64_t e) { return double(data[e]); },
                  int64_t(values.size()), range, clip, maxOnes);
}

numerics::FpWeights
numerics::fpWeightsOf(llvm::function_ref<double(int64_t)> at, int64_t n,
                      int64_t r0, int64_t r1, int64_t c0, int64_t c1,
                      const FpCimConfig &fp) {
  int64_t rows = r1 - r0, cols = c1 - c0;
  std::vector<double> block(rows * cols);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < cols; ++j)
      block[r * cols + j] = at((r0 + r) * n + c0 + j);
  FpCimConfig offline = fp;
  offline.truncate = false;
  return alignWeights(block, rows, cols, offline);
}
