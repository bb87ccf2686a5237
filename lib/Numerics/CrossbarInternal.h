//===- CrossbarInternal.h - Shared pieces of the crossbar MVMs --*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What CrossbarConfig.cpp, AdcTransfer.cpp, CrossbarMVM.cpp and
// CrossbarMVMBatch.cpp share beyond the public header: the planes every
// scheme reduces to, the integer ADC transfer function (inline, as the
// per-conversion loops call it) and its window arithmetic, and the checks
// of codes against a configuration.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_NUMERICS_CROSSBARINTERNAL_H
#define CIM_LIB_NUMERICS_CROSSBARINTERNAL_H

#include "cim/Numerics/CrossbarMVM.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace mlir::cim::numerics::crossbar {

inline llvm::Error configError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "crossbar config: " + message);
}

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
inline int64_t roundShift(int64_t value, unsigned shift) {
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

/// The LSBs `config`'s ADC drops from a column sum, `lossless` being
/// `losslessAdcBits(config)`: the bits of its window (the lossless width
/// for a full-range converter, ceil(log2(clipHigh - clipLow + 1)) for a
/// clipped one) beyond `adcBits`. 0 for converters that keep every sum
/// (ideal, adder tree). The one place the ADC's range arithmetic lives:
/// every conversion path below and `adcDroppedBits` use it.
inline unsigned droppedBits(const CrossbarConfig &config, unsigned lossless) {
  unsigned window = 0;
  if (config.adcMode == AdcMode::full_range)
    window = lossless;
  else if (config.adcMode == AdcMode::clipped)
    window = llvm::Log2_64_Ceil(uint64_t(config.clipHigh - config.clipLow) + 1);
  return window > config.adcBits ? window - config.adcBits : 0;
}

/// The ADC applied to one column sum.
inline int64_t convert(const CrossbarConfig &config, int64_t sum,
                       unsigned lossless, CrossbarStats *stats) {
  switch (config.adcMode) {
  case AdcMode::ideal:
  case AdcMode::adder_tree:
    return sum;
  case AdcMode::full_range: {
    // A uniform ADC over the largest possible sum drops LSBs: exact when it
    // is at least as wide as the lossless width.
    unsigned shift = droppedBits(config, lossless);
    return shiftLeft(roundShift(sum, shift), shift);
  }
  case AdcMode::clipped: {
    int64_t clamped = std::clamp(sum, config.clipLow, config.clipHigh);
    if (stats && clamped != sum)
      ++stats->clippedConversions;
    unsigned shift = droppedBits(config, lossless);
    int64_t level =
        shiftLeft(roundShift(clamped - config.clipLow, shift), shift);
    return std::min(config.clipLow + level, config.clipHigh);
  }
  }
  return sum;
}

/// One LSB of the converter, in column-sum units (the unit of
/// `NoiseConfig::thermalLsb`).
double converterLsb(const CrossbarConfig &config, unsigned lossless);

/// The ADC applied to a real-valued (noisy) column sum: `convert` with
/// rounding of a real number, and saturation of full-range converters at
/// the full-scale sum. For an integer sum it returns what `convert` does.
int64_t convertReal(const CrossbarConfig &config, double sum, unsigned lossless,
                    double fullScale, CrossbarStats *stats);

/// Checks that weight and input codes lie in the configuration's ranges.
llvm::Error checkCodes(const CrossbarConfig &config,
                       llvm::ArrayRef<int64_t> weights,
                       llvm::ArrayRef<int64_t> inputs);

/// The DAC cycles of an input, least significant first; a two's-complement
/// sign bit is a cycle of its own with sign -1.
llvm::SmallVector<Plane> inputCyclePlanes(const CrossbarConfig &config);

/// The unsigned code the DACs drive for input code `x`.
int64_t drivenCode(const CrossbarConfig &config, int64_t x);

/// The offset o_w of offset-encoded weights (0 for the other schemes).
int64_t weightOffset(const CrossbarConfig &config);

/// The weight planes of `config` (slices of the positive array, of the
/// negative one for differential schemes, the two's-complement sign plane)
/// and the unsigned code each array holds: codes[array][k * cols + n].
llvm::SmallVector<Plane> weightPlanes(const CrossbarConfig &config,
                                      llvm::ArrayRef<int64_t> weights,
                                      llvm::SmallVector<int64_t> (&codes)[2]);

/// ISAAC's flips of `codes` held in planes `wPlanes` (see `columnFlips`):
/// groups x planes x cols flags, or empty when `config` does not flip.
std::vector<uint8_t> groupFlips(const CrossbarConfig &config,
                                llvm::ArrayRef<Plane> wPlanes,
                                const llvm::SmallVector<int64_t> (&codes)[2],
                                int64_t rows, int64_t cols);

} // namespace mlir::cim::numerics::crossbar

#endif // CIM_LIB_NUMERICS_CROSSBARINTERNAL_H
