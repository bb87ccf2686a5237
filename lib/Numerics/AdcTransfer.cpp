//===- AdcTransfer.cpp - The ADC model and its calibration ----------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The ADC applied to column sums: the integer transfer function
// (CrossbarInternal.h, inline for the conversion loops), its real-valued
// form for noisy sums, the converter's LSB and effective bits under noise,
// and the choice of a clipped converter's range from sampled column sums.
//
//===----------------------------------------------------------------------===//

#include "CrossbarInternal.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cmath>
#include <vector>

using namespace llvm;
using namespace mlir::cim;
using namespace mlir::cim::numerics;
using namespace mlir::cim::numerics::crossbar;

unsigned numerics::adcDroppedBits(const CrossbarConfig &config) {
  return droppedBits(config, losslessAdcBits(config));
}

double numerics::effectiveAdcBits(const CrossbarConfig &config, unsigned bits) {
  unsigned lossless = losslessAdcBits(config);
  double lsb = std::ldexp(1.0, int(lossless > bits ? lossless - bits : 0));
  double read = config.noise.read * double(fullScaleColumnSum(config)) / lsb;
  double sigma2 =
      config.noise.thermalLsb * config.noise.thermalLsb + read * read;
  return double(std::min(bits, lossless)) -
         0.5 * std::log2(1.0 + 12.0 * sigma2);
}

unsigned numerics::usefulAdcBits(const CrossbarConfig &config, unsigned lo,
                                 unsigned hi) {
  unsigned useful = lo;
  while (useful < hi && effectiveAdcBits(config, useful + 1) -
                                effectiveAdcBits(config, useful) >=
                            0.5)
    ++useful;
  return useful;
}

int64_t numerics::convertColumnSum(const CrossbarConfig &config, int64_t sum) {
  return convert(config, sum, losslessAdcBits(config), nullptr);
}

static uint64_t mix(uint64_t x) {
  // splitmix64's finalizer: positions become well-spread keys, so a
  // power-of-two stride does not pick one column over and over.
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/// Drops the samples the stride no longer keeps, doubling it while the
/// sample is over capacity.
static void decimate(numerics::ColumnSums &s) {
  auto keep = [&] {
    llvm::erase_if(s.samples, [&](const numerics::ColumnSums::Sample &x) {
      return (x.key & (s.stride - 1)) != 0;
    });
  };
  keep();
  while (s.samples.size() > numerics::ColumnSums::kCapacity) {
    s.stride *= 2;
    keep();
  }
}

void numerics::ColumnSums::add(int64_t sum, unsigned shift) {
  min = count ? std::min(min, sum) : sum;
  max = count ? std::max(max, sum) : sum;
  total += double(sum);
  totalSquares += double(sum) * double(sum);
  uint64_t key = mix(count++);
  if ((key & (stride - 1)) != 0)
    return;
  samples.push_back({key, sum, shift});
  if (samples.size() > kCapacity)
    decimate(*this);
}

void numerics::ColumnSums::merge(const ColumnSums &other) {
  if (!other.count)
    return;
  min = count ? std::min(min, other.min) : other.min;
  max = count ? std::max(max, other.max) : other.max;
  count += other.count;
  total += other.total;
  totalSquares += other.totalSquares;
  stride = std::max(stride, other.stride);
  samples.insert(samples.end(), other.samples.begin(), other.samples.end());
  decimate(*this);
}

double numerics::ColumnSums::stddev() const {
  if (!count)
    return 0.0;
  double m = mean();
  return std::sqrt(std::max(0.0, totalSquares / double(count) - m * m));
}

double numerics::occSigmaMultiplier(unsigned bits) {
  static const double table[] = {1.71, 2.15, 2.55, 2.94, 3.29,
                                 3.61, 3.92, 4.21, 4.49};
  if (bits < 2)
    return table[0];
  if (bits > 10)
    // The table grows by about 0.28 per bit at its end.
    return table[8] + 0.28 * double(bits - 10);
  return table[bits - 2];
}

numerics::AdcRange numerics::chooseAdcRange(const CrossbarConfig &config,
                                            const ColumnSums &sums,
                                            AdcClipMethod method) {
  const int64_t widestLow = config.clipLow, widestHigh = config.clipHigh;
  auto legal = [&](double low, double high) {
    AdcRange r;
    r.low =
        std::clamp<int64_t>(int64_t(std::floor(low)), widestLow, widestHigh);
    r.high = std::clamp<int64_t>(int64_t(std::ceil(high)), r.low, widestHigh);
    return r;
  };
  if (!sums.count)
    return {widestLow, widestHigh};
  double mu = sums.mean(), sigma = sums.stddev();
  auto sigmaWindow = [&](double k) {
    return legal(mu - k * sigma, mu + k * sigma);
  };
  switch (method) {
  case AdcClipMethod::max:
    return legal(double(sums.min), double(sums.max));
  case AdcClipMethod::sigma:
    return sigmaWindow(occSigmaMultiplier(config.adcBits));
  case AdcClipMethod::mse:
    break;
  }
  std::vector<AdcRange> candidates;
  bool symmetric = widestLow < 0;
  for (unsigned k = 1; k < 63; ++k) {
    int64_t width = (int64_t(1) << k) - 1;
    AdcRange r =
        symmetric ? legal(-double(width / 2), double(width / 2))
                  : legal(double(widestLow), double(widestLow) + double(width));
    candidates.push_back(r);
    if (r.low == widestLow && r.high == widestHigh)
      break;
  }
  for (double k = 1.0; k <= 8.0; k += 0.25)
    candidates.push_back(sigmaWindow(k));
  candidates.push_back(legal(double(sums.min), double(sums.max)));
  AdcRange best{widestLow, widestHigh};
  double bestError = INFINITY;
  CrossbarConfig trial = config;
  for (const AdcRange &r : candidates) {
    trial.clipLow = r.low;
    trial.clipHigh = r.high;
    double error = 0;
    for (const ColumnSums::Sample &s : sums.samples) {
      double e = std::ldexp(double(convertColumnSum(trial, s.sum) - s.sum),
                            int(s.shift));
      error += e * e;
    }
    // Ties go to the first (narrowest anchored) candidate.
    if (error < bestError) {
      bestError = error;
      best = r;
    }
  }
  return best;
}

double crossbar::converterLsb(const CrossbarConfig &config, unsigned lossless) {
  switch (config.adcMode) {
  case AdcMode::full_range:
    return std::ldexp(1.0, int(lossless) - int(config.adcBits));
  case AdcMode::clipped:
    return (double(config.clipHigh) - double(config.clipLow) + 1) /
           std::ldexp(1.0, int(config.adcBits));
  case AdcMode::ideal:
  case AdcMode::adder_tree:
    break;
  }
  return 1.0;
}

/// The ADC applied to a real-valued (noisy) column sum: `convert` with
/// rounding of a real number, and saturation of full-range converters at
/// the full-scale sum. For an integer sum it returns what `convert` does.
int64_t crossbar::convertReal(const CrossbarConfig &config, double sum,
                              unsigned lossless, double fullScale,
                              CrossbarStats *stats) {
  switch (config.adcMode) {
  case AdcMode::ideal:
  case AdcMode::adder_tree: {
    // Unbounded: round to the nearest integer. The guard only keeps absurd
    // sigmas from overflowing the 64-bit accumulator.
    double guard = std::ldexp(1.0, std::min(int(lossless) + 16, 52));
    return int64_t(std::round(std::clamp(sum, -guard, guard)));
  }
  case AdcMode::full_range: {
    unsigned shift = droppedBits(config, lossless);
    double low =
        config.weightSign == WeightSign::differential_rows ? -fullScale : 0.0;
    double clamped = std::clamp(sum, low, fullScale);
    if (stats && clamped != sum)
      ++stats->clippedConversions;
    // std::round rounds half away from zero, like `roundShift`.
    return int64_t(std::round(std::ldexp(clamped, -int(shift)))) *
           (int64_t(1) << shift);
  }
  case AdcMode::clipped: {
    double low = double(config.clipLow), high = double(config.clipHigh);
    double clamped = std::clamp(sum, low, high);
    if (stats && clamped != sum)
      ++stats->clippedConversions;
    unsigned shift = droppedBits(config, lossless);
    int64_t level =
        int64_t(std::round(std::ldexp(clamped - low, -int(shift)))) *
        (int64_t(1) << shift);
    return std::min(config.clipLow + level, config.clipHigh);
  }
  }
  return int64_t(std::round(sum));
}
