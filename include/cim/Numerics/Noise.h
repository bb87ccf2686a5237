//===- Noise.h - Analog non-idealities of a crossbar MVM --------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The noise model of `numerics::crossbarMVM` (docs/numerics.md, "Noise";
// research notes section 1.8), off by default. With noise on, every column
// sum becomes a real number before the ADC:
//
//   I = sum_k d_k * (c_k + e_k)       e_k: programming variation of the cell
//     + N(0, sigma_read^2 + sigma_thermal^2)         one draw per conversion
//   I <- I / (1 + n |I| / FS)         ADC / bit-line compression
//   ADC(I)                            quantizes the real value
//
// Draws come from this file's own generator (std::mt19937_64 and a
// Box-Muller transform written here), so results are reproducible bit for
// bit from (seed, stream, invocation) on every standard library.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_NUMERICS_NOISE_H
#define CIM_NUMERICS_NOISE_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <random>

namespace mlir::cim::numerics {

/// Analog non-idealities of one crossbar MVM. All sigmas 0: noiseless, and
/// `crossbarMVM` takes its exact integer path.
struct NoiseConfig {
  /// Sigma of Gaussian noise added to each column sum before conversion, in
  /// LSBs of the converter: 2^(L - b) column-sum units for a full-range ADC
  /// (L the lossless width, b the ADC bits), (hi - lo + 1) / 2^b for a
  /// clipped one, 1 column-sum unit for `ideal` and `adder_tree`.
  double thermalLsb = 0;
  /// Sigma of Gaussian read noise per column sum, relative to the full-scale
  /// column sum FS = groupRows * (2^dac - 1) * (2^cell - 1).
  double read = 0;
  /// Sigma of per-cell programming variation, relative to the cell range:
  /// every programmed cell value c becomes c + N(0, (sigma * (2^cell - 1))^2).
  double programming = 0;
  /// aihwkit-style compression coefficient n in [0, 1): a column sum I
  /// becomes FS * y / (1 + n |y|) with y = I / FS.
  double adcNonlinearity = 0;
  /// Sigma of the read noise of each conducting cell (non-zero level, non-zero
  /// input digit), relative to the cell range: a conversion with n such cells
  /// gets N(0, n (sigma * (2^cell - 1))^2) (ZEBRA's per-active-cell model).
  double activeCell = 0;
  /// Seed of all draws (`cim-run --noise-seed`).
  uint64_t seed = 0;
  /// Which crossbar (layer, tile): programming variation is a function of
  /// (seed, stream) and the array shape, so a crossbar keeps its variation
  /// over repeated calls. Give each programmed crossbar its own stream (see
  /// `noiseSubstream`).
  uint64_t stream = 0;
  /// Which read of that crossbar (e.g. the input vector's index): read and
  /// thermal noise are drawn from (seed, stream, invocation).
  uint64_t invocation = 0;

  /// True if any non-ideality is on.
  bool enabled() const {
    return thermalLsb != 0 || read != 0 || programming != 0 ||
           adcNonlinearity != 0 || activeCell != 0;
  }
};

/// Checks the sigmas (finite, >= 0) and the nonlinearity (in [0, 1)); the
/// message names the offending field.
llvm::Error verifyNoise(const NoiseConfig &noise);

/// A stream id derived from `stream` and `index` (a tile, layer or batch
/// index), distinct for distinct inputs with overwhelming probability.
uint64_t noiseSubstream(uint64_t stream, uint64_t index);

/// aihwkit's output nonlinearity on a column sum: FS * y / (1 + n |y|) with
/// y = sum / FS. Identity for n = 0.
double compressColumnSum(double sum, double fullScale, double n);

/// A reproducible source of uniform and standard normal numbers: a
/// std::mt19937_64 (whose output the standard fixes) seeded from a hash of
/// (seed, stream, domain), and a Box-Muller transform.
class NoiseRng {
public:
  NoiseRng(uint64_t seed, uint64_t stream, uint64_t domain);

  /// A uniform number in (0, 1], with 53 random bits.
  double uniformOpenLow();
  /// A standard normal number.
  double gaussian();

private:
  std::mt19937_64 engine;
  double spare = 0;
  bool hasSpare = false;
};

} // namespace mlir::cim::numerics

#endif // CIM_NUMERICS_NOISE_H
