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

#include "CrossbarInternal.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

using namespace llvm;
using namespace mlir::cim;
using namespace mlir::cim::numerics;
using namespace mlir::cim::numerics::crossbar;

/// Random-number domains, so programming and conversion draws never share a
/// sequence.
enum : uint64_t { kProgrammingDomain = 1, kConversionDomain = 2 };

SmallVector<Plane> crossbar::inputCyclePlanes(const CrossbarConfig &config) {
  unsigned bx = config.inputBits;
  SmallVector<Plane> cycles;
  unsigned xBits = config.inputSign == InputSign::twos_complement ? bx - 1 : bx;
  for (unsigned at = 0; at < xBits; at += config.dacBits)
    cycles.push_back({at, std::min(config.dacBits, xBits - at), +1, 0});
  if (config.inputSign == InputSign::twos_complement)
    cycles.push_back({bx - 1, 1, -1, 0});
  return cycles;
}

int64_t crossbar::drivenCode(const CrossbarConfig &config, int64_t x) {
  unsigned bx = config.inputBits;
  if (config.inputSign == InputSign::twos_complement)
    return x & ((int64_t(1) << bx) - 1);
  if (config.inputSign == InputSign::offset)
    return x + (int64_t(1) << (bx - 1));
  return x;
}

int64_t crossbar::weightOffset(const CrossbarConfig &config) {
  return isOffsetWeights(config.weightSign)
             ? int64_t(1) << (config.weightBits - 1)
             : 0;
}

SmallVector<Plane> crossbar::weightPlanes(const CrossbarConfig &config,
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
    case WeightSign::offset_flipped:
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

std::vector<uint8_t> crossbar::groupFlips(
    const CrossbarConfig &config, llvm::ArrayRef<Plane> wPlanes,
    const SmallVector<int64_t> (&codes)[2], int64_t rows, int64_t cols) {
  if (!flipsColumns(config))
    return {};
  const int64_t groupRows = groupRowCount(config);
  const int64_t groups = llvm::divideCeil(rows, groupRows);
  const int64_t planes = int64_t(wPlanes.size());
  std::vector<uint8_t> flips(groups * planes * cols, 0);
  for (int64_t g = 0; g < groups; ++g) {
    int64_t g0 = g * groupRows, g1 = std::min(rows, g0 + groupRows);
    for (auto [p, plane] : llvm::enumerate(wPlanes)) {
      int64_t mask = (int64_t(1) << plane.width) - 1;
      for (int64_t n = 0; n < cols; ++n) {
        int64_t sum = 0;
        for (int64_t k = g0; k < g1; ++k)
          sum += (codes[plane.array][k * cols + n] >> plane.offset) & mask;
        // Storing m - c leaves (g1 - g0) * m - sum: flip when that is less.
        flips[(g * planes + int64_t(p)) * cols + n] =
            2 * sum > (g1 - g0) * mask;
      }
    }
  }
  return flips;
}

std::vector<uint8_t> numerics::columnFlips(const CrossbarConfig &config,
                                           llvm::ArrayRef<int64_t> weights,
                                           int64_t rows, int64_t cols) {
  SmallVector<int64_t> codes[2];
  SmallVector<Plane> wPlanes = weightPlanes(config, weights, codes);
  std::vector<uint8_t> flips = groupFlips(config, wPlanes, codes, rows, cols);
  if (flips.empty())
    flips.assign(llvm::divideCeil(rows, groupRowCount(config)) *
                     wPlanes.size() * cols,
                 0);
  return flips;
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
  const std::vector<uint8_t> flips =
      groupFlips(config, wPlanes, codes, rows, cols);
  const int64_t planeCount = int64_t(wPlanes.size());
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
      // ISAAC's flips: the group's own digit sum undoes its complements.
      const uint8_t *groupFlip =
          flips.empty() ? nullptr
                        : flips.data() + (g0 / groupRows) * planeCount * cols;
      int64_t groupDigitSum = 0;
      if (groupFlip)
        for (int64_t i = g0; i < g1; ++i)
          groupDigitSum += digits[mapped[i]];
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
          bool flip = layout.flipped[at];
          if (groupFlip && groupFlip[at]) {
            flip = true;
            out[n] +=
                int64_t(plane.sign * cycle.sign) *
                shiftLeft(cMask * groupDigitSum, plane.offset + cycle.offset);
          }
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
