//===- CrossbarMVMBatch.cpp - Crossbar MVMs of a batch as GEMMs -----------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// `crossbarMVMBatch` without noise: the column sums of every DAC cycle, row
// group and cell plane for the whole batch are one exact GEMM (OpenBLAS,
// float below 2^24, else double), and the ADC is applied to a batch's
// sums at once in loops the compiler vectorizes. With noise, the zero-bit
// layout or active-cell counts it runs `crossbarMVM` per vector, which
// implements those once.
//
//===----------------------------------------------------------------------===//

#include "CrossbarInternal.h"
#include "cim/Numerics/Gemm.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

using namespace llvm;
using namespace mlir::cim;
using namespace mlir::cim::numerics;
using namespace mlir::cim::numerics::crossbar;

std::string numerics::batchOperandMismatch(int64_t rows, int64_t cols,
                                           int64_t batch, size_t weights,
                                           size_t inputs, size_t outs) {
  if (batch >= 0 && int64_t(weights) == rows * cols &&
      int64_t(inputs) == batch * rows && int64_t(outs) == batch * cols)
    return "";
  return ("operand sizes do not match " + llvm::Twine(batch) +
          " vectors times a " + llvm::Twine(rows) + "x" + llvm::Twine(cols) +
          " matrix")
      .str();
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
    unsigned drop = droppedBits(config, lossless);
    for (int64_t i = 0; i < n; ++i)
      out[i] += sign *
                shiftLeft(roundShiftFast(int64_t(sums[i]), drop), drop + shift);
    break;
  }
  case AdcMode::clipped: {
    const int64_t low = config.clipLow, high = config.clipHigh;
    unsigned drop = droppedBits(config, lossless);
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
    unsigned drop = droppedBits(config, lossless);
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
    unsigned drop = droppedBits(config, lossless);
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

/// Adds one group-plane's conversions, converted into the scratch
/// `flippedOut` (integer) or `flippedAcc` (double, sign and shift applied),
/// to `outs` / `dAcc`: negated in flipped columns, which also get
/// sign * 2^shift * (2^width - 1) * (the group's digit sum) back.
static void addFlippedConversions(
    const uint8_t *flip, int64_t width, int64_t batch, int64_t cols,
    int64_t sign, unsigned shift, llvm::ArrayRef<int64_t> groupDigitSums,
    llvm::ArrayRef<int64_t> flippedOut, llvm::ArrayRef<double> flippedAcc,
    llvm::MutableArrayRef<int64_t> outs, llvm::MutableArrayRef<double> dAcc) {
  const int64_t mask = (int64_t(1) << width) - 1;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t n = 0; n < cols; ++n) {
      int64_t i = b * cols + n;
      int64_t s = flip[n] ? -1 : 1;
      if (!flippedAcc.empty())
        dAcc[i] += double(s) * flippedAcc[i];
      else
        outs[i] += s * flippedOut[i];
      if (flip[n])
        outs[i] += sign * shiftLeft(mask * groupDigitSums[b], shift);
    }
}

llvm::Error numerics::crossbarMVMBatch(
    const CrossbarConfig &config, llvm::ArrayRef<int64_t> weights, int64_t rows,
    int64_t cols, int64_t batch, llvm::ArrayRef<int64_t> inputs,
    llvm::MutableArrayRef<int64_t> outs, CrossbarStats *stats) {
  if (llvm::Error error = verifyConfig(config))
    return error;
  std::string mismatch = batchOperandMismatch(rows, cols, batch, weights.size(),
                                              inputs.size(), outs.size());
  if (!mismatch.empty())
    return configError(mismatch);
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

  // ISAAC's flips: the complemented cells go into the GEMM operands; their
  // conversions are subtracted and m * sum(d) over the group added below.
  const std::vector<uint8_t> flips =
      groupFlips(config, wPlanes, codes, rows, cols);
  const int64_t planeCount = int64_t(converted.size());
  if (!flips.empty())
    for (int64_t k = 0; k < rows; ++k)
      for (int64_t p = 0; p < planeCount; ++p) {
        const uint8_t *flip =
            flips.data() + ((k / groupRows) * planeCount + p) * cols;
        double mask = double((int64_t(1) << converted[p]->width) - 1);
        for (int64_t n = 0; n < cols; ++n) {
          if (!flip[n])
            continue;
          if (useFloat)
            fPlanes[p][k * cols + n] = float(mask) - fPlanes[p][k * cols + n];
          else
            dPlanes[p][k * cols + n] = mask - dPlanes[p][k * cols + n];
        }
      }
  std::vector<int64_t> flippedOut, groupDigitSums;
  std::vector<double> flippedAcc;

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
      const uint8_t *groupFlip =
          flips.empty() ? nullptr
                        : flips.data() + (g0 / groupRows) * planeCount * cols;
      if (groupFlip) {
        groupDigitSums.assign(batch, 0);
        for (int64_t b = 0; b < batch; ++b)
          for (int64_t k = g0; k < g0 + g; ++k)
            groupDigitSums[b] += (driven[b * rows + k] >> cycle.offset) & dMask;
      }
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
        const uint8_t *flip = groupFlip ? groupFlip + p * cols : nullptr;
        const bool anyFlip = flip && llvm::any_of(llvm::ArrayRef(flip, cols),
                                                  [](uint8_t f) { return f; });
        // Flipped columns convert into scratch first, to subtract.
        int64_t *out = outs.data();
        double *acc = dAcc.data();
        if (anyFlip) {
          flippedOut.assign(fastFloat ? 0 : batch * cols, 0);
          flippedAcc.assign(fastFloat ? batch * cols : 0, 0.0);
          out = flippedOut.data();
          acc = flippedAcc.data();
        }
        if (fastFloat)
          clipped +=
              convertAllFloat(config, lossless, fSums.data(), batch * cols,
                              double(sign) * std::ldexp(1.0, int(shift)), acc);
        else if (useFloat)
          clipped += convertAll(config, lossless, fSums.data(), batch * cols,
                                sign, shift, out);
        else
          clipped += convertAll(config, lossless, dSums.data(), batch * cols,
                                sign, shift, out);
        if (anyFlip)
          addFlippedConversions(flip, int64_t(plane->width), batch, cols, sign,
                                shift, groupDigitSums, flippedOut, flippedAcc,
                                outs, dAcc);
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
