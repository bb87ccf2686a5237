//===- Noise.cpp - Analog non-idealities of a crossbar MVM ----------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Seeds, the Gaussian generator and the nonlinearity. std::normal_distribution
// is not used: its algorithm, and so its output, differs between standard
// libraries, whereas std::mt19937_64's output sequence is fixed by the
// standard.
//
//===----------------------------------------------------------------------===//

#include "cim/Numerics/Noise.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <cstdio>

using namespace llvm;
using namespace mlir::cim;
using namespace mlir::cim::numerics;

/// SplitMix64's finalizer: a bijective 64-bit mix.
static uint64_t splitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t numerics::noiseSubstream(uint64_t stream, uint64_t index) {
  return splitMix64(splitMix64(stream) ^ index);
}

/// `value` in the shortest usual notation ("0.5", "-0.001", "nan").
static std::string formatDouble(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", value);
  return buffer;
}

llvm::Error numerics::verifyNoise(const NoiseConfig &noise) {
  struct Field {
    const char *name;
    double value;
  };
  for (Field field :
       {Field{"thermalLsb", noise.thermalLsb}, Field{"read", noise.read},
        Field{"programming", noise.programming},
        Field{"adcNonlinearity", noise.adcNonlinearity},
        Field{"activeCell", noise.activeCell}}) {
    // Written so that NaN fails too.
    if (!(field.value >= 0) || !std::isfinite(field.value))
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "noise." + llvm::Twine(field.name) +
              " must be a finite non-negative number, got " +
              formatDouble(field.value));
  }
  // y / (1 + n|y|) on |y| <= 1 must stay monotonic and invertible.
  if (noise.adcNonlinearity >= 1)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "noise.adcNonlinearity must be below 1, got " +
            formatDouble(noise.adcNonlinearity));
  return llvm::Error::success();
}

double numerics::compressColumnSum(double sum, double fullScale, double n) {
  if (n == 0 || fullScale <= 0)
    return sum;
  return sum / (1 + n * std::fabs(sum) / fullScale);
}

NoiseRng::NoiseRng(uint64_t seed, uint64_t stream, uint64_t domain)
    : engine(splitMix64(splitMix64(splitMix64(seed) ^ stream) ^ domain)) {}

double NoiseRng::uniformOpenLow() {
  // The top 53 bits, plus one: (0, 2^53], scaled exactly to (0, 1].
  return double((engine() >> 11) + 1) * 0x1.0p-53;
}

double NoiseRng::gaussian() {
  if (hasSpare) {
    hasSpare = false;
    return spare;
  }
  // Box-Muller: u1 > 0 keeps the logarithm finite.
  double u1 = uniformOpenLow(), u2 = uniformOpenLow();
  double radius = std::sqrt(-2.0 * std::log(u1));
  double angle = 2.0 * llvm::numbers::pi * u2;
  spare = radius * std::sin(angle);
  hasSpare = true;
  return radius * std::cos(angle);
}
