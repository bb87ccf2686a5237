//===- CrossbarConfig.cpp - Widths, codes and checks of a crossbar --------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What a `CrossbarConfig` implies before any product is computed: encoded
// widths, slices, planes, cycles, row groups, the lossless ADC width (the
// one formula; `TargetAttr` and the bit-slicing pass call it), the codes it
// may hold, and the checks of a configuration and of codes against it.
//
//===----------------------------------------------------------------------===//

#include "CrossbarInternal.h"

#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <string>
#include <vector>

using namespace llvm;
using namespace mlir::cim;
using namespace mlir::cim::numerics;
using namespace mlir::cim::numerics::crossbar;

unsigned numerics::encodedWeightBits(const CrossbarConfig &config) {
  // Differential and two's-complement codes carry the sign elsewhere (the
  // negative array, or a separate sign slice); offset codes are B_w wide.
  return isOffsetWeights(config.weightSign) ? config.weightBits
                                            : config.weightBits - 1;
}

bool numerics::flipsColumns(const CrossbarConfig &config) {
  // The zero-bit layout flips whole columns by its own rule (fewer
  // conducting cells), which does not bound a row group's sum.
  return config.weightSign == WeightSign::offset_flipped &&
         !config.zeroBitLayout;
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
  int64_t cells =
      int64_t(groupRowCount(config)) * ((int64_t(1) << config.cellBits) - 1);
  // A flipped column's cells sum to at most half their largest total.
  if (flipsColumns(config))
    cells /= 2;
  return cells * ((int64_t(1) << config.dacBits) - 1);
}

unsigned numerics::losslessAdcBits(const CrossbarConfig &config) {
  uint64_t maxSum = uint64_t(fullScaleColumnSum(config));
  unsigned bits = llvm::Log2_64_Ceil(maxSum + 1);
  // Analog subtraction makes the column sum signed.
  return config.weightSign == WeightSign::differential_rows ? bits + 1 : bits;
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

/// Checks that weight and input codes lie in the configuration's ranges.
llvm::Error crossbar::checkCodes(const CrossbarConfig &config,
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
