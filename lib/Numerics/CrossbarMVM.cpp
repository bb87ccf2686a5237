//===- CrossbarMVM.cpp - Bit-sliced crossbar matrix-vector products -------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Every scheme reduces to "planes": an unsigned cell matrix with a bit offset
// and a sign, such that sum_p sign_p 2^offset_p C_p is the stored code, and
// likewise "cycles" for the input. The stored codes differ from the real
// values by per-scheme offsets o_w, o_x, undone digitally at the end:
//   y = sum_k (u_k - o_w)(v_k - o_x)
//     = A - o_w sum_k v_k - o_x sum_k u_k + K o_w o_x,   A = crossbar result.
//
// With noise on (Noise.h), the same loops compute each column sum as a real
// number (programming variation, read and thermal noise, compression) and a
// real-valued ADC model quantizes it; the noiseless path stays integer.
//
//===----------------------------------------------------------------------===//

#include "cim/Numerics/CrossbarMVM.h"
#include "cim/Numerics/Gemm.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <vector>

using namespace llvm;
using namespace mlir::cim;
using namespace mlir::cim::numerics;

static llvm::Error configError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "crossbar config: " + message);
}

unsigned numerics::encodedWeightBits(const CrossbarConfig &config) {
  // Differential and two's-complement codes carry the sign elsewhere (the
  // negative array, or a separate sign slice); offset codes are B_w wide.
  return config.weightSign == WeightSign::offset ? config.weightBits
                                                 : config.weightBits - 1;
}

llvm::SmallVector<unsigned>
numerics::weightSliceWidths(const CrossbarConfig &config) {
  if (!config.sliceWidths.empty())
    return config.sliceWidths;
  llvm::SmallVector<unsigned> widths;
  for (unsigned left = encodedWeightBits(config); left > 0;) {
    unsigned w = std::min(left, config.cellBits);
    widths.push_back(w);
    left -= w;
  }
  return widths;
}

unsigned numerics::groupRowCount(const CrossbarConfig &config) {
  if (config.weightSign == WeightSign::differential_rows)
    return std::max(1u, config.parallelRows / 2);
  return config.parallelRows;
}

unsigned numerics::weightPlaneCount(const CrossbarConfig &config) {
  unsigned slices = weightSliceWidths(config).size();
  return config.weightSign == WeightSign::twos_complement ? slices + 1 : slices;
}

unsigned numerics::inputCycleCount(const CrossbarConfig &config) {
  // Two's-complement inputs drive their sign bit in a cycle of its own.
  if (config.inputSign == InputSign::twos_complement)
    return llvm::divideCeil(config.inputBits - 1, config.dacBits) + 1;
  return llvm::divideCeil(config.inputBits, config.dacBits);
}

int64_t numerics::fullScaleColumnSum(const CrossbarConfig &config) {
  return int64_t(groupRowCount(config)) * ((int64_t(1) << config.dacBits) - 1) *
         ((int64_t(1) << config.cellBits) - 1);
}

unsigned numerics::losslessAdcBits(const CrossbarConfig &config) {
  uint64_t maxSum = uint64_t(groupRowCount(config)) *
                    ((uint64_t(1) << config.dacBits) - 1) *
                    ((uint64_t(1) << config.cellBits) - 1);
  unsigned bits = llvm::Log2_64_Ceil(maxSum + 1);
  // Analog subtraction makes the column sum signed.
  return config.weightSign == WeightSign::differential_rows ? bits + 1 : bits;
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

/// True when weight code `q` is one `config` may hold.
static bool isAllowedWeight(const CrossbarConfig &config, int64_t q) {
  int64_t max = (int64_t(1) << (config.weightBits - 1)) - 1;
  if (q < -max || q > max)
    return false;
  return !config.weightMaxOnes ||
         unsigned(llvm::popcount(uint64_t(q < 0 ? -q : q))) <=
             config.weightMaxOnes;
}

std::vector<int64_t>
numerics::allowedWeightCodes(const CrossbarConfig &config) {
  int64_t max = (int64_t(1) << (config.weightBits - 1)) - 1;
  std::vector<int64_t> codes;
  for (int64_t q = -max; q <= max; ++q)
    if (isAllowedWeight(config, q))
      codes.push_back(q);
  return codes;
}

CodeRange numerics::weightCodeRange(const CrossbarConfig &config) {
  int64_t max = (int64_t(1) << (config.weightBits - 1)) - 1;
  // The largest magnitude with at most weightMaxOnes '1' bits: the top ones.
  if (config.weightMaxOnes && config.weightMaxOnes < config.weightBits - 1)
    max &=
        ~((int64_t(1) << (config.weightBits - 1 - config.weightMaxOnes)) - 1);
  return {-max, max};
}

CodeRange numerics::inputCodeRange(const CrossbarConfig &config) {
  unsigned bits = config.inputBits;
  if (config.inputSign == InputSign::unsigned_)
    return {0, (int64_t(1) << bits) - 1};
  return {-(int64_t(1) << (bits - 1)), (int64_t(1) << (bits - 1)) - 1};
}

llvm::Error numerics::verifyConfig(const CrossbarConfig &config) {
  if (config.weightBits < 2 || config.weightBits > 16)
    return configError("weightBits must be in [2, 16], got " +
                       llvm::Twine(config.weightBits));
  if (config.inputBits < 1 || config.inputBits > 16)
    return configError("inputBits must be in [1, 16], got " +
                       llvm::Twine(config.inputBits));
  if (config.cellBits < 1 || config.cellBits > 8 || config.dacBits < 1 ||
      config.dacBits > 8)
    return configError("cellBits and dacBits must be in [1, 8]");
  if (config.parallelRows < 1)
    return configError("parallelRows must be at least 1");
  if (config.weightSign == WeightSign::differential_rows &&
      config.parallelRows < 2)
    return configError("differential rows need parallelRows of at least 2 "
                       "(one pair of rows)");
  unsigned total = 0;
  for (unsigned w : weightSliceWidths(config)) {
    if (w < 1 || w > config.cellBits)
      return configError(
          "slice width " + llvm::Twine(w) +
          " is not in [1, cellBits = " + llvm::Twine(config.cellBits) + "]");
    total += w;
  }
  if (total != encodedWeightBits(config))
    return configError("slice widths add up to " + llvm::Twine(total) +
                       " bits, the encoded weights have " +
                       llvm::Twine(encodedWeightBits(config)));
  if (config.adcMode == AdcMode::full_range ||
      config.adcMode == AdcMode::clipped) {
    if (config.adcBits < 1 || config.adcBits > 32)
      return configError("adcBits must be in [1, 32]");
  }
  if (config.adcMode == AdcMode::clipped && config.clipLow > config.clipHigh)
    return configError("clipLow must not exceed clipHigh");
  if (config.weightMaxOnes > 16)
    return configError("weightMaxOnes must be in [0, 16], got " +
                       llvm::Twine(config.weightMaxOnes));
  if (llvm::Error error = verifyNoise(config.noise))
    return configError(llvm::toString(std::move(error)));
  return llvm::Error::success();
}

namespace {
/// One bit-plane group of the encoded weights or inputs.
struct Plane {
  unsigned offset; ///< Bit position of the plane's least significant bit.
  unsigned width;  ///< Bits per cell (weights) or per DAC cycle (inputs).
  int sign;        ///< +1, or -1 for sign slices and negative arrays.
  int array;       ///< Weights: 0 = positive/only array, 1 = negative array.
};

/// value * 2^shift in two's complement. Column sums and conversions can be
/// negative, and left-shifting a negative signed value is undefined before
/// C++20 (found by fuzz-cimbin and make check-asan); the unsigned shift is
/// the same instruction.
inline int64_t shiftLeft(int64_t value, unsigned shift) {
  return int64_t(uint64_t(value) << shift);
}

/// Rounds value / 2^shift to nearest, ties to even. Ideal column sums are
/// integers, so a dropped half LSB is an exact tie far more often than in
/// analog hardware (where noise breaks ties either way); rounding ties away
/// from zero would turn every tie into a bias of the same sign, which the
/// shift-add multiplies by up to 2^(cycle + plane offsets).
int64_t roundShift(int64_t value, unsigned shift) {
  if (shift == 0)
    return value;
  int64_t quotient = value >> shift; // floor division
  // value mod 2^shift; a mask, as left-shifting a negative quotient is
  // undefined before C++20 (found by make check-asan).
  int64_t remainder = value & ((int64_t(1) << shift) - 1);
  int64_t half = int64_t(1) << (shift - 1);
  if (remainder > half || (remainder == half && (quotient & 1)))
    ++quotient;
  return quotient;
}
} // namespace

/// The ADC applied to one column sum.
static int64_t convert(const CrossbarConfig &config, int64_t sum,
                       unsigned lossless, CrossbarStats *stats) {
  switch (config.adcMode) {
  case AdcMode::ideal:
  case AdcMode::adder_tree:
    return sum;
  case AdcMode::full_range: {
    // A uniform ADC over the largest possible sum drops LSBs: exact when it
    // is at least as wide as the lossless width.
    unsigned shift = lossless > config.adcBits ? lossless - config.adcBits : 0;
    return shiftLeft(roundShift(sum, shift), shift);
  }
  case AdcMode::clipped: {
    int64_t clamped = std::clamp(sum, config.clipLow, config.clipHigh);
    if (stats && clamped != sum)
      ++stats->clippedConversions;
    uint64_t range = uint64_t(config.clipHigh - config.clipLow);
    unsigned needed = llvm::Log2_64_Ceil(range + 1);
    unsigned shift = needed > config.adcBits ? needed - config.adcBits : 0;
    int64_t level =
        shiftLeft(roundShift(clamped - config.clipLow, shift), shift);
    return std::min(config.clipLow + level, config.clipHigh);
  }
  }
  return sum;
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

/// Random-number domains, so programming and conversion draws never share a
/// sequence.
enum : uint64_t { kProgrammingDomain = 1, kConversionDomain = 2 };

/// One LSB of the converter, in column-sum units (the unit of
/// `NoiseConfig::thermalLsb`).
static double converterLsb(const CrossbarConfig &config, unsigned lossless) {
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
static int64_t convertReal(const CrossbarConfig &config, double sum,
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
    unsigned shift = lossless > config.adcBits ? lossless - config.adcBits : 0;
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
    uint64_t range = uint64_t(config.clipHigh - config.clipLow);
    unsigned needed = llvm::Log2_64_Ceil(range + 1);
    unsigned shift = needed > config.adcBits ? needed - config.adcBits : 0;
    int64_t level =
        int64_t(std::round(std::ldexp(clamped - low, -int(shift)))) *
        (int64_t(1) << shift);
    return std::min(config.clipLow + level, config.clipHigh);
  }
  }
  return int64_t(std::round(sum));
}

/// The DAC cycles of an input, least significant first; a two's-complement
/// sign bit is a cycle of its own with sign -1.
static SmallVector<Plane> inputCyclePlanes(const CrossbarConfig &config) {
  unsigned bx = config.inputBits;
  SmallVector<Plane> cycles;
  unsigned xBits = config.inputSign == InputSign::twos_complement ? bx - 1 : bx;
  for (unsigned at = 0; at < xBits; at += config.dacBits)
    cycles.push_back({at, std::min(config.dacBits, xBits - at), +1, 0});
  if (config.inputSign == InputSign::twos_complement)
    cycles.push_back({bx - 1, 1, -1, 0});
  return cycles;
}

/// The unsigned code the DACs drive for input code `x`.
static int64_t drivenCode(const CrossbarConfig &config, int64_t x) {
  unsigned bx = config.inputBits;
  if (config.inputSign == InputSign::twos_complement)
    return x & ((int64_t(1) << bx) - 1);
  if (config.inputSign == InputSign::offset)
    return x + (int64_t(1) << (bx - 1));
  return x;
}

/// Checks that weight and input codes lie in the configuration's ranges.
static llvm::Error checkCodes(const CrossbarConfig &config,
                              llvm::ArrayRef<int64_t> weights,
                              llvm::ArrayRef<int64_t> inputs) {
  const CodeRange xRange = inputCodeRange(config);
  for (int64_t w : weights)
    if (!isAllowedWeight(config, w)) {
      std::string codebook = config.weightMaxOnes
                                 ? " of codes with at most " +
                                       std::to_string(config.weightMaxOnes) +
                                       " '1' bits"
                                 : "";
      return configError("weight " + llvm::Twine(w) + " is outside the " +
                         llvm::Twine(config.weightBits) +
                         "-bit symmetric range" + codebook);
    }
  for (int64_t x : inputs)
    if (x < xRange.min || x > xRange.max)
      return configError("input " + llvm::Twine(x) + " is outside the " +
                         llvm::Twine(config.inputBits) + "-bit input range");
  return llvm::Error::success();
}

static int64_t weightOffset(const CrossbarConfig &config) {
  return config.weightSign == WeightSign::offset
             ? int64_t(1) << (config.weightBits - 1)
             : 0;
}

/// The weight planes of `config` (slices of the positive array, of the
/// negative one for differential schemes, the two's-complement sign plane)
/// and the unsigned code each array holds: codes[array][k * cols + n].
static SmallVector<Plane> weightPlanes(const CrossbarConfig &config,
                                       llvm::ArrayRef<int64_t> weights,
                                       SmallVector<int64_t> (&codes)[2]) {
  const unsigned bw = config.weightBits;
  const int64_t oW = weightOffset(config);
  bool differential = config.weightSign == WeightSign::differential_columns ||
                      config.weightSign == WeightSign::differential_rows;
  SmallVector<Plane> wPlanes;
  unsigned offset = 0;
  for (unsigned width : weightSliceWidths(config)) {
    wPlanes.push_back({offset, width, +1, 0});
    if (differential)
      wPlanes.push_back({offset, width, -1, 1});
    offset += width;
  }
  if (config.weightSign == WeightSign::twos_complement)
    wPlanes.push_back({bw - 1, 1, -1, 0}); // The sign bit weighs -2^(B-1).
  codes[0].resize(weights.size());
  if (differential)
    codes[1].resize(weights.size());
  for (size_t i = 0; i < weights.size(); ++i) {
    int64_t q = weights[i];
    switch (config.weightSign) {
    case WeightSign::offset:
      codes[0][i] = q + oW;
      break;
    case WeightSign::twos_complement:
      codes[0][i] = q & ((int64_t(1) << bw) - 1);
      break;
    default:
      codes[0][i] = std::max<int64_t>(q, 0);
      codes[1][i] = std::max<int64_t>(-q, 0);
    }
  }
  return wPlanes;
}

/// The zero-bit layout of planes `wPlanes` holding `codes` (see
/// `ZeroBitLayout`).
static ZeroBitLayout layoutOf(const CrossbarConfig &config,
                              llvm::ArrayRef<Plane> wPlanes,
                              const SmallVector<int64_t> (&codes)[2],
                              int64_t rows, int64_t cols) {
  ZeroBitLayout layout;
  layout.rows = rows;
  layout.cols = cols;
  layout.flipped.assign(wPlanes.size() * cols, 0);
  layout.empty.assign(wPlanes.size() * cols, 0);
  // Analog subtraction of differential rows leaves no column to complement.
  const bool canFlip = config.zeroBitLayout &&
                       config.weightSign != WeightSign::differential_rows;
  std::vector<uint8_t> mapped(rows, !config.zeroBitLayout);
  for (auto [p, plane] : llvm::enumerate(wPlanes)) {
    int64_t mask = (int64_t(1) << plane.width) - 1;
    for (int64_t n = 0; n < cols; ++n) {
      int64_t nonzero = 0, full = 0;
      for (int64_t k = 0; k < rows; ++k) {
        int64_t cell =
            (codes[plane.array][k * cols + n] >> plane.offset) & mask;
        nonzero += cell != 0;
        full += cell == mask;
      }
      // The complement's non-zero cells are the ones not at full level.
      bool flip = canFlip && rows - full < nonzero;
      int64_t stored = flip ? rows - full : nonzero;
      layout.flipped[p * cols + n] = flip;
      layout.empty[p * cols + n] = stored == 0;
      layout.nonzeroCells += uint64_t(stored);
      if (!config.zeroBitLayout || !stored)
        continue;
      for (int64_t k = 0; k < rows; ++k) {
        int64_t cell =
            (codes[plane.array][k * cols + n] >> plane.offset) & mask;
        if ((flip ? mask - cell : cell) != 0)
          mapped[k] = 1;
      }
    }
  }
  for (int64_t k = 0; k < rows; ++k)
    if (mapped[k])
      layout.mappedRows.push_back(k);
  const bool diffRows = config.weightSign == WeightSign::differential_rows;
  for (auto [p, plane] : llvm::enumerate(wPlanes)) {
    if (diffRows && plane.array == 1)
      continue;
    for (int64_t n = 0; n < cols; ++n) {
      size_t at = p * cols + n;
      bool empty = layout.empty[at] && (!diffRows || layout.empty[at + cols]);
      layout.convertedColumns += !config.zeroBitLayout || !empty;
    }
  }
  return layout;
}

ZeroBitLayout numerics::zeroBitLayout(const CrossbarConfig &config,
                                      llvm::ArrayRef<int64_t> weights,
                                      int64_t rows, int64_t cols) {
  SmallVector<int64_t> codes[2];
  SmallVector<Plane> wPlanes = weightPlanes(config, weights, codes);
  return layoutOf(config, wPlanes, codes, rows, cols);
}

void numerics::countInputActivity(const CrossbarConfig &config,
                                  llvm::ArrayRef<int64_t> inputs, int64_t batch,
                                  int64_t rows, InputActivity &activity) {
  SmallVector<Plane> cycles = inputCyclePlanes(config);
  int64_t groupRows = groupRowCount(config);
  for (int64_t p = 0; p < batch; ++p) {
    for (int64_t g0 = 0; g0 < rows; g0 += groupRows) {
      int64_t g1 = std::min(rows, g0 + groupRows);
      for (const Plane &cycle : cycles) {
        int64_t mask = (int64_t(1) << cycle.width) - 1;
        bool any = false;
        for (int64_t k = g0; k < g1; ++k) {
          int64_t digit =
              (drivenCode(config, inputs[p * rows + k]) >> cycle.offset) & mask;
          if (digit) {
            any = true;
            activity.ones += llvm::popcount(uint64_t(digit));
            ++activity.nonzeroDigits;
          }
        }
        ++activity.cycles;
        activity.bits += uint64_t(g1 - g0) * cycle.width;
        if (!any)
          ++activity.zeroCycles;
      }
    }
  }
}

llvm::Error numerics::crossbarMVM(const CrossbarConfig &config,
                                  llvm::ArrayRef<int64_t> weights, int64_t rows,
                                  int64_t cols, llvm::ArrayRef<int64_t> input,
                                  llvm::MutableArrayRef<int64_t> out,
                                  CrossbarStats *stats) {
  if (llvm::Error error = verifyConfig(config))
    return error;
  if (int64_t(weights.size()) != rows * cols || int64_t(input.size()) != rows ||
      int64_t(out.size()) != cols)
    return configError("operand sizes do not match a " + llvm::Twine(rows) +
                       "x" + llvm::Twine(cols) + " matrix");
  if (llvm::Error error = checkCodes(config, weights, input))
    return error;
  const unsigned bx = config.inputBits;
  const int64_t oW = weightOffset(config);
  SmallVector<int64_t> codes[2];
  SmallVector<Plane> wPlanes = weightPlanes(config, weights, codes);

  // Input cycles and driven codes.
  const int64_t oX =
      config.inputSign == InputSign::offset ? int64_t(1) << (bx - 1) : 0;
  SmallVector<Plane> xCycles = inputCyclePlanes(config);
  SmallVector<int64_t> driven(rows);
  for (int64_t k = 0; k < rows; ++k)
    driven[k] = drivenCode(config, input[k]);

  unsigned lossless = losslessAdcBits(config);
  int64_t groupRows = groupRowCount(config);

  // Noise: programming variation of every cell of every plane (both arrays),
  // a function of (seed, stream) and the shape only, drawn plane by plane,
  // row by row; then one Gaussian per conversion, in conversion order.
  const NoiseConfig &noise = config.noise;
  const bool noisy = noise.enabled();
  SmallVector<SmallVector<double>> variation;
  if (noisy && noise.programming > 0) {
    NoiseRng programmingRng(noise.seed, noise.stream, kProgrammingDomain);
    double cellSigma =
        noise.programming * double((int64_t(1) << config.cellBits) - 1);
    variation.resize(wPlanes.size());
    for (SmallVector<double> &planeVariation : variation) {
      planeVariation.resize(weights.size());
      for (double &e : planeVariation)
        e = cellSigma * programmingRng.gaussian();
    }
  }
  std::optional<NoiseRng> conversionRng;
  if (noisy)
    conversionRng.emplace(noise.seed,
                          noiseSubstream(noise.stream, noise.invocation),
                          kConversionDomain);
  const double fullScale = double(fullScaleColumnSum(config));
  const double thermalSigma = noise.thermalLsb * converterLsb(config, lossless);
  const double readSigma = noise.read * fullScale;
  // Independent Gaussians add up to one of the summed variance.
  const double conversionSigma =
      std::sqrt(thermalSigma * thermalSigma + readSigma * readSigma);

  // The zero-bit layout: rows not mapped, columns stored complemented or
  // not converted at all (without it, every row and column as it is).
  const bool zebra = config.zeroBitLayout;
  const bool diffRows = config.weightSign == WeightSign::differential_rows;
  ZeroBitLayout layout = layoutOf(config, wPlanes, codes, rows, cols);
  const std::vector<int64_t> &mapped = layout.mappedRows;
  const int64_t mappedCount = int64_t(mapped.size());
  if (stats)
    stats->unmappedRows += uint64_t(rows - mappedCount);
  const double activeSigma =
      noise.activeCell * double((int64_t(1) << config.cellBits) - 1);

  std::fill(out.begin(), out.end(), 0);
  SmallVector<int64_t> digits(rows);
  for (const Plane &cycle : xCycles) {
    int64_t dMask = (int64_t(1) << cycle.width) - 1;
    int64_t digitSum = 0;
    for (int64_t k = 0; k < rows; ++k) {
      digits[k] = (driven[k] >> cycle.offset) & dMask;
      digitSum += digits[k];
    }
    // A complemented column converts sum d (m - c): the digital unit adds
    // m * sum d over all rows (mapped or not) and subtracts the conversion.
    if (zebra)
      for (auto [p, plane] : llvm::enumerate(wPlanes)) {
        int64_t cMask = (int64_t(1) << plane.width) - 1;
        for (int64_t n = 0; n < cols; ++n)
          if (layout.flipped[p * cols + n])
            out[n] += int64_t(plane.sign * cycle.sign) *
                      shiftLeft(cMask * digitSum, plane.offset + cycle.offset);
      }
    for (int64_t g0 = 0; g0 < mappedCount; g0 += groupRows) {
      int64_t g1 = std::min(mappedCount, g0 + groupRows);
      if (stats)
        stats->dacCycles += 1;
      // Differential rows subtract in analog: one signed conversion per
      // slice; otherwise every array's plane is converted on its own.
      for (auto [p, plane] : llvm::enumerate(wPlanes)) {
        if (diffRows && plane.array == 1)
          continue;
        int64_t cMask = (int64_t(1) << plane.width) - 1;
        for (int64_t n = 0; n < cols; ++n) {
          size_t at = p * cols + n;
          // Differential rows: the negative array's plane follows.
          if (zebra && layout.empty[at] &&
              (!diffRows || layout.empty[at + cols])) {
            if (stats)
              ++stats->skippedConversions;
            continue;
          }
          const bool flip = layout.flipped[at];
          int64_t sum = 0, active = 0;
          for (int64_t i = g0; i < g1; ++i) {
            int64_t k = mapped[i];
            int64_t cell =
                (codes[plane.array][k * cols + n] >> plane.offset) & cMask;
            if (flip)
              cell = cMask - cell;
            active += digits[k] != 0 && cell != 0;
            if (diffRows) {
              int64_t negative =
                  (codes[1][k * cols + n] >> plane.offset) & cMask;
              active += digits[k] != 0 && negative != 0;
              cell -= negative;
            }
            sum += digits[k] * cell;
          }
          if (stats) {
            stats->activeCells += uint64_t(active);
            if (stats->columnSums)
              stats->columnSums->add(sum, plane.offset + cycle.offset);
          }
          int64_t converted;
          if (!noisy) {
            converted = convert(config, sum, lossless, stats);
          } else {
            double analog = double(sum);
            if (!variation.empty()) {
              for (int64_t i = g0; i < g1; ++i) {
                int64_t k = mapped[i];
                double e = variation[p][k * cols + n];
                if (diffRows)
                  e -= variation[p + 1][k * cols + n];
                analog += double(digits[k]) * e;
              }
            }
            if (conversionSigma > 0)
              analog += conversionSigma * conversionRng->gaussian();
            if (activeSigma > 0)
              analog += activeSigma * std::sqrt(double(active)) *
                        conversionRng->gaussian();
            analog =
                compressColumnSum(analog, fullScale, noise.adcNonlinearity);
            converted = convertReal(config, analog, lossless, fullScale, stats);
            if (stats)
              ++stats->noisyConversions;
          }
          if (stats)
            ++stats->conversions;
          out[n] += int64_t(plane.sign * cycle.sign) * (flip ? -1 : 1) *
                    shiftLeft(converted, plane.offset + cycle.offset);
        }
      }
    }
  }

  // Digital corrections for offset-encoded weights and inputs.
  if (oW || oX) {
    // The value the cycles represent is x + o_x (two's-complement cycles
    // represent x itself, whatever bit pattern drives them).
    int64_t sumDriven = 0;
    for (int64_t x : input)
      sumDriven += x + oX;
    for (int64_t n = 0; n < cols; ++n) {
      int64_t sumCodes = 0;
      for (int64_t k = 0; k < rows; ++k)
        sumCodes += weights[k * cols + n] + oW;
      out[n] += -oW * sumDriven - oX * sumCodes + rows * oW * oX;
    }
  }
  return llvm::Error::success();
}

/// roundShift without branches (the same ties-to-even rounding), so the
/// loops over a batch's conversions vectorize.
static inline int64_t roundShiftFast(int64_t value, unsigned shift) {
  if (shift == 0)
    return value;
  int64_t quotient = value >> shift;
  // value mod 2^shift; a mask, as left-shifting a negative quotient is
  // undefined before C++20 (found by make check-asan).
  int64_t remainder = value & ((int64_t(1) << shift) - 1);
  int64_t half = int64_t(1) << (shift - 1);
  return quotient + int64_t((remainder > half) |
                            ((remainder == half) & int(quotient & 1)));
}

/// out[i] += sign * (ADC(sums[i]) << shift) for n exact integer-valued
/// column sums: `convert` with the mode decided once, so the loop over a
/// batch's conversions stays tight. Returns the number of clipped sums.
template <typename T>
static uint64_t convertAll(const CrossbarConfig &config, unsigned lossless,
                           const T *sums, int64_t n, int64_t sign,
                           unsigned shift, int64_t *out) {
  uint64_t clipped = 0;
  switch (config.adcMode) {
  case AdcMode::ideal:
  case AdcMode::adder_tree:
    for (int64_t i = 0; i < n; ++i)
      out[i] += sign * shiftLeft(int64_t(sums[i]), shift);
    break;
  case AdcMode::full_range: {
    unsigned drop = lossless > config.adcBits ? lossless - config.adcBits : 0;
    for (int64_t i = 0; i < n; ++i)
      out[i] += sign *
                shiftLeft(roundShiftFast(int64_t(sums[i]), drop), drop + shift);
    break;
  }
  case AdcMode::clipped: {
    const int64_t low = config.clipLow, high = config.clipHigh;
    uint64_t range = uint64_t(high - low);
    unsigned needed = llvm::Log2_64_Ceil(range + 1);
    unsigned drop = needed > config.adcBits ? needed - config.adcBits : 0;
    for (int64_t i = 0; i < n; ++i) {
      int64_t sum = int64_t(sums[i]);
      int64_t clamped = std::min(std::max(sum, low), high);
      clipped += uint64_t(clamped != sum);
      int64_t level = shiftLeft(roundShiftFast(clamped - low, drop), drop);
      out[i] += sign * shiftLeft(std::min(low + level, high), shift);
    }
    break;
  }
  }
  return clipped;
}

/// convertAll for float sums of magnitude below 2^22, accumulating
/// coef * ADC(sum) into double accumulators: the same integers (ties to even
/// through the float rounding of 1.5 * 2^23 + x), in arithmetic the compiler
/// vectorizes. Exact: every value is an integer far below 2^53.
static uint64_t convertAllFloat(const CrossbarConfig &config, unsigned lossless,
                                const float *sums, int64_t n, double coef,
                                double *acc) {
  const float magic = 12582912.0f; // 1.5 * 2^23
  uint64_t clipped = 0;
  switch (config.adcMode) {
  case AdcMode::ideal:
  case AdcMode::adder_tree:
    for (int64_t i = 0; i < n; ++i)
      acc[i] += coef * double(sums[i]);
    break;
  case AdcMode::full_range: {
    unsigned drop = lossless > config.adcBits ? lossless - config.adcBits : 0;
    const float down = std::ldexp(1.0f, -int(drop)),
                up = std::ldexp(1.0f, int(drop));
    for (int64_t i = 0; i < n; ++i) {
      float q = (sums[i] * down + magic) - magic;
      acc[i] += coef * double(q * up);
    }
    break;
  }
  case AdcMode::clipped: {
    const float low = float(config.clipLow), high = float(config.clipHigh);
    uint64_t range = uint64_t(config.clipHigh - config.clipLow);
    unsigned needed = llvm::Log2_64_Ceil(range + 1);
    unsigned drop = needed > config.adcBits ? needed - config.adcBits : 0;
    const float down = std::ldexp(1.0f, -int(drop)),
                up = std::ldexp(1.0f, int(drop));
    for (int64_t i = 0; i < n; ++i) {
      float sum = sums[i];
      float clamped = std::min(std::max(sum, low), high);
      clipped += uint64_t(clamped != sum);
      float level = ((clamped - low) * down + magic) - magic;
      acc[i] += coef * double(std::min(low + level * up, high));
    }
    break;
  }
  }
  return clipped;
}

llvm::Error numerics::crossbarMVMBatch(
    const CrossbarConfig &config, llvm::ArrayRef<int64_t> weights, int64_t rows,
    int64_t cols, int64_t batch, llvm::ArrayRef<int64_t> inputs,
    llvm::MutableArrayRef<int64_t> outs, CrossbarStats *stats) {
  if (llvm::Error error = verifyConfig(config))
    return error;
  if (batch < 0 || int64_t(weights.size()) != rows * cols ||
      int64_t(inputs.size()) != batch * rows ||
      int64_t(outs.size()) != batch * cols)
    return configError("operand sizes do not match " + llvm::Twine(batch) +
                       " vectors times a " + llvm::Twine(rows) + "x" +
                       llvm::Twine(cols) + " matrix");
  // Noise, the zero-bit layout and active-cell counts take the per-vector
  // path, which implements them once.
  if (config.noise.enabled() || config.zeroBitLayout ||
      (stats && stats->countActiveCells)) {
    // Every vector is its own read: fresh conversion noise.
    CrossbarConfig vectorConfig = config;
    for (int64_t p = 0; p < batch; ++p) {
      vectorConfig.noise.invocation = config.noise.invocation + uint64_t(p);
      if (llvm::Error error = crossbarMVM(vectorConfig, weights, rows, cols,
                                          inputs.slice(p * rows, rows),
                                          outs.slice(p * cols, cols), stats))
        return error;
    }
    return llvm::Error::success();
  }
  if (llvm::Error error = checkCodes(config, weights, inputs))
    return error;
  const unsigned bx = config.inputBits;
  const int64_t oW = weightOffset(config);
  const int64_t oX =
      config.inputSign == InputSign::offset ? int64_t(1) << (bx - 1) : 0;
  SmallVector<int64_t> codes[2];
  SmallVector<Plane> wPlanes = weightPlanes(config, weights, codes);
  SmallVector<Plane> xCycles = inputCyclePlanes(config);
  const unsigned lossless = losslessAdcBits(config);
  const int64_t groupRows = groupRowCount(config);
  const bool diffRows = config.weightSign == WeightSign::differential_rows;

  // Column sums are integers of magnitude at most the full-scale sum: exact
  // in float below 2^24 (whatever the order of the additions), else in
  // double below 2^53 (verifyConfig bounds the widths).
  const bool useFloat = double(fullScaleColumnSum(config)) < kFloatExactBound;
  std::vector<float> fCells, fDigits, fSums;
  std::vector<double> dCells, dDigits, dSums;
  auto cellsOf = [&](const Plane &plane, auto &out) {
    int64_t mask = (int64_t(1) << plane.width) - 1;
    out.resize(rows * cols);
    for (int64_t i = 0; i < rows * cols; ++i) {
      int64_t cell = (codes[plane.array][i] >> plane.offset) & mask;
      if (diffRows)
        cell -= (codes[1][i] >> plane.offset) & mask;
      out[i] = cell;
    }
  };
  // Cell planes, converted once (differential rows: one signed plane per
  // slice, the analog difference of the two arrays).
  SmallVector<const Plane *> converted;
  std::vector<std::vector<float>> fPlanes;
  std::vector<std::vector<double>> dPlanes;
  for (const Plane &plane : wPlanes) {
    if (diffRows && plane.array == 1)
      continue;
    converted.push_back(&plane);
    if (useFloat) {
      cellsOf(plane, fCells);
      fPlanes.push_back(fCells);
    } else {
      cellsOf(plane, dCells);
      dPlanes.push_back(dCells);
    }
  }

  std::fill(outs.begin(), outs.end(), 0);
  uint64_t clipped = 0;
  // Small sums (and clip bounds) convert in vectorized float arithmetic and
  // accumulate in double, exactly.
  const bool fastFloat =
      fullScaleColumnSum(config) < (int64_t(1) << 22) &&
      std::max(std::abs(config.clipLow), std::abs(config.clipHigh)) <
          (int64_t(1) << 22);
  std::vector<double> dAcc(fastFloat ? batch * cols : 0, 0.0);
  std::vector<int64_t> driven(batch * rows);
  for (int64_t i = 0; i < batch * rows; ++i)
    driven[i] = drivenCode(config, inputs[i]);
  if (useFloat) {
    fDigits.resize(batch * rows);
    fSums.resize(batch * cols);
  } else {
    dDigits.resize(batch * rows);
    dSums.resize(batch * cols);
  }
  for (const Plane &cycle : xCycles) {
    int64_t dMask = (int64_t(1) << cycle.width) - 1;
    for (int64_t i = 0; i < batch * rows; ++i) {
      int64_t digit = (driven[i] >> cycle.offset) & dMask;
      if (useFloat)
        fDigits[i] = float(digit);
      else
        dDigits[i] = double(digit);
    }
    for (int64_t g0 = 0; g0 < rows; g0 += groupRows) {
      int64_t g = std::min(rows, g0 + groupRows) - g0;
      if (stats)
        stats->dacCycles += uint64_t(batch);
      for (auto [p, plane] : llvm::enumerate(converted)) {
        // sums[b][n] = sum over the group's rows of digit * cell.
        if (useFloat)
          sgemm(batch, cols, g, fDigits.data() + g0, rows,
                fPlanes[p].data() + g0 * cols, cols, /*transB=*/false,
                fSums.data(), cols);
        else
          dgemm(batch, cols, g, dDigits.data() + g0, rows,
                dPlanes[p].data() + g0 * cols, cols, dSums.data(), cols);
        int64_t sign = int64_t(plane->sign * cycle.sign);
        unsigned shift = plane->offset + cycle.offset;
        if (stats && stats->columnSums)
          for (int64_t i = 0; i < batch * cols; ++i)
            stats->columnSums->add(int64_t(useFloat ? fSums[i] : dSums[i]),
                                   shift);
        int64_t *out = outs.data();
        if (fastFloat)
          clipped += convertAllFloat(
              config, lossless, fSums.data(), batch * cols,
              double(sign) * std::ldexp(1.0, int(shift)), dAcc.data());
        else if (useFloat)
          clipped += convertAll(config, lossless, fSums.data(), batch * cols,
                                sign, shift, out);
        else
          clipped += convertAll(config, lossless, dSums.data(), batch * cols,
                                sign, shift, out);
        if (stats)
          stats->conversions += uint64_t(batch * cols);
      }
    }
  }

  if (stats)
    stats->clippedConversions += clipped;
  for (size_t i = 0; i < dAcc.size(); ++i)
    outs[i] += int64_t(dAcc[i]);

  // Digital corrections for offset-encoded weights and inputs (as in
  // crossbarMVM).
  if (oW || oX) {
    std::vector<int64_t> sumCodes(cols, 0);
    for (int64_t k = 0; k < rows; ++k)
      for (int64_t n = 0; n < cols; ++n)
        sumCodes[n] += weights[k * cols + n] + oW;
    for (int64_t b = 0; b < batch; ++b) {
      int64_t sumDriven = 0;
      for (int64_t k = 0; k < rows; ++k)
        sumDriven += inputs[b * rows + k] + oX;
      for (int64_t n = 0; n < cols; ++n)
        outs[b * cols + n] +=
            -oW * sumDriven - oX * sumCodes[n] + rows * oW * oX;
    }
  }
  return llvm::Error::success();
}
