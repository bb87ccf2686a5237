//===- NoiseTest.cpp - Analog non-idealities of the crossbar MVM ----------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The noise model of lib/Numerics (docs/numerics.md, "Noise"): off means the
// exact integer path, draws are reproducible from (seed, stream, invocation),
// thermal noise propagates through the shift-add as the research notes'
// Var(acc) = sum_{t,k} 4^(o_t + o_k) sigma^2 predicts, programming variation
// belongs to the crossbar, the nonlinearity compresses, and bad parameters
// are rejected. References are computed here, independently of the code
// under test.
//
//===----------------------------------------------------------------------===//

#include "cim/Numerics/Noise.h"
#include "cim/Numerics/CrossbarMVM.h"

#include "CrossbarTestSupport.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <random>

using namespace mlir::cim::numerics;

namespace {

using namespace cimtest;

const AdcMode kAdcModes[] = {AdcMode::ideal, AdcMode::adder_tree,
                             AdcMode::full_range, AdcMode::clipped};

/// A small config of the given schemes; lossy for converting ADC modes.
CrossbarConfig makeConfig(WeightSign ws, InputSign is, AdcMode mode) {
  CrossbarConfig config;
  config.weightBits = 6;
  config.inputBits = 5;
  config.cellBits = 2;
  config.dacBits = 2;
  config.parallelRows = 16;
  config.weightSign = ws;
  config.inputSign = is;
  config.adcMode = mode;
  config.adcBits = losslessAdcBits(config) - 2;
  int64_t maxSum = 16 * 3 * 3 / (ws == WeightSign::differential_rows ? 2 : 1);
  config.clipLow = ws == WeightSign::differential_rows ? -maxSum / 3 : 0;
  config.clipHigh = maxSum / 2;
  return config;
}

std::string describe(const CrossbarConfig &config) {
  return (stringifyWeightSign(config.weightSign) + "/" +
          stringifyInputSign(config.inputSign) + "/" +
          stringifyAdcMode(config.adcMode))
      .str();
}

//===----------------------------------------------------------------------===//
// Off means off
//===----------------------------------------------------------------------===//

// All sigmas zero: the integer path, whatever the seed, stream and invocation.
TEST(Noise, ZeroConfigIsNoiselessForEveryScheme) {
  std::mt19937 rng(11);
  int checked = 0;
  for (WeightSign ws : kWeightSigns)
    for (InputSign is : kInputSigns)
      for (AdcMode mode : kAdcModes)
        for (int i = 0; i < 3; ++i) {
          CrossbarConfig quiet = makeConfig(ws, is, mode);
          Case c = randomCase(rng, quiet, 40, 7);
          CrossbarConfig seeded = quiet;
          seeded.noise.seed = 12345;
          seeded.noise.stream = 67;
          seeded.noise.invocation = 8;
          ASSERT_FALSE(seeded.noise.enabled());
          CrossbarStats quietStats, seededStats;
          EXPECT_EQ(run(quiet, c, &quietStats), run(seeded, c, &seededStats))
              << describe(quiet);
          EXPECT_EQ(quietStats.conversions, seededStats.conversions);
          EXPECT_EQ(quietStats.clippedConversions,
                    seededStats.clippedConversions);
          EXPECT_EQ(seededStats.noisyConversions, 0u);
          ++checked;
        }
  EXPECT_EQ(checked, 5 * 3 * 4 * 3);
}

// The real-valued ADC agrees with the integer one: noise far below half an
// LSB leaves an exact configuration exact, for every scheme.
TEST(Noise, NegligibleNoiseKeepsExactConfigsExact) {
  std::mt19937 rng(12);
  for (WeightSign ws : kWeightSigns)
    for (InputSign is : kInputSigns)
      for (AdcMode mode : kAdcModes) {
        CrossbarConfig config = makeConfig(ws, is, mode);
        // Converting modes at full resolution over the whole range.
        config.adcBits = losslessAdcBits(config);
        int64_t maxSum = fullScaleColumnSum(config);
        config.clipLow = ws == WeightSign::differential_rows ? -maxSum : 0;
        config.clipHigh = maxSum;
        config.noise.thermalLsb = 1e-6;
        config.noise.seed = 5;
        Case c = randomCase(rng, config, 50, 6);
        CrossbarStats stats;
        EXPECT_EQ(run(config, c, &stats),
                  referenceGemv(c.w, c.x, c.rows, c.cols))
            << describe(config);
        EXPECT_GT(stats.noisyConversions, 0u);
        EXPECT_EQ(stats.noisyConversions, stats.conversions);
      }
}

//===----------------------------------------------------------------------===//
// Reproducibility
//===----------------------------------------------------------------------===//

TEST(Noise, SameSeedSameResultOtherSeedOtherResult) {
  std::mt19937 rng(13);
  for (WeightSign ws : kWeightSigns) {
    CrossbarConfig config =
        makeConfig(ws, InputSign::unsigned_, AdcMode::full_range);
    config.noise.thermalLsb = 0.7;
    config.noise.read = 0.01;
    config.noise.programming = 0.02;
    config.noise.seed = 42;
    config.noise.stream = 3;
    Case c = randomCase(rng, config, 64, 16);
    std::vector<int64_t> first = run(config, c);
    EXPECT_EQ(run(config, c), first) << describe(config);
    EXPECT_NE(first, referenceGemv(c.w, c.x, c.rows, c.cols));

    CrossbarConfig otherSeed = config;
    otherSeed.noise.seed = 43;
    EXPECT_NE(run(otherSeed, c), first) << describe(config);
    CrossbarConfig otherStream = config;
    otherStream.noise.stream = 4;
    EXPECT_NE(run(otherStream, c), first) << describe(config);
    CrossbarConfig otherInvocation = config;
    otherInvocation.noise.invocation = 1;
    EXPECT_NE(run(otherInvocation, c), first) << describe(config);
  }
}

TEST(Noise, GeneratorIsReproducibleAndStandardNormal) {
  NoiseRng a(1, 2, 3), b(1, 2, 3), c(1, 2, 4), d(2, 2, 3);
  bool cDiffers = false, dDiffers = false;
  const int n = 200000;
  double sum = 0, sumSq = 0, sumFourth = 0;
  for (int i = 0; i < n; ++i) {
    double z = a.gaussian();
    ASSERT_EQ(z, b.gaussian());
    cDiffers |= z != c.gaussian();
    dDiffers |= z != d.gaussian();
    sum += z;
    sumSq += z * z;
    sumFourth += z * z * z * z;
  }
  EXPECT_TRUE(cDiffers);
  EXPECT_TRUE(dDiffers);
  double mean = sum / n, var = sumSq / n - mean * mean;
  // Standard errors: 1/sqrt(n) = 0.0022 for the mean, sqrt(2/n) = 0.0032 for
  // the variance, sqrt(96/n) = 0.022 for the fourth moment (3 for a normal).
  EXPECT_NEAR(mean, 0.0, 0.01);
  EXPECT_NEAR(var, 1.0, 0.015);
  EXPECT_NEAR(sumFourth / n, 3.0, 0.1);

  NoiseRng u(7, 0, 0);
  for (int i = 0; i < 1000; ++i) {
    double x = u.uniformOpenLow();
    EXPECT_GT(x, 0.0);
    EXPECT_LE(x, 1.0);
  }
}

//===----------------------------------------------------------------------===//
// Thermal noise through the shift-add
//===----------------------------------------------------------------------===//

/// Bit offsets of the weight planes converted on their own (both arrays of
/// differential columns) and of the input cycles, derived from the schemes'
/// definitions (docs/numerics.md) with uniform slices.
std::vector<unsigned> weightPlaneOffsets(const CrossbarConfig &config) {
  bool offsetCode = isOffsetWeights(config.weightSign);
  unsigned bits = offsetCode ? config.weightBits : config.weightBits - 1;
  std::vector<unsigned> offsets;
  for (unsigned at = 0; at < bits; at += config.cellBits) {
    offsets.push_back(at);
    if (config.weightSign == WeightSign::differential_columns)
      offsets.push_back(at);
  }
  if (config.weightSign == WeightSign::twos_complement)
    offsets.push_back(config.weightBits - 1);
  return offsets;
}

std::vector<unsigned> inputCycleOffsets(const CrossbarConfig &config) {
  bool twos = config.inputSign == InputSign::twos_complement;
  unsigned bits = twos ? config.inputBits - 1 : config.inputBits;
  std::vector<unsigned> offsets;
  for (unsigned at = 0; at < bits; at += config.dacBits)
    offsets.push_back(at);
  if (twos)
    offsets.push_back(config.inputBits - 1);
  return offsets;
}

// Var(acc) = sum_{t,k} 4^(o_t + o_k) sigma^2 (research notes 1.8), with
// sigma^2 = s^2 + 1/12: the ideal ADC rounds the noisy sum to an integer,
// adding (nearly independent, uniform) rounding noise of a 1-unit step.
TEST(Noise, ThermalNoisePropagatesThroughShiftAdd) {
  struct Scheme {
    WeightSign ws;
    InputSign is;
  };
  std::mt19937 rng(14);
  for (Scheme scheme :
       {Scheme{WeightSign::offset, InputSign::unsigned_},
        Scheme{WeightSign::differential_columns, InputSign::offset},
        Scheme{WeightSign::twos_complement, InputSign::twos_complement}}) {
    CrossbarConfig config;
    config.weightBits = 5;
    config.inputBits = 4;
    config.cellBits = 2;
    config.dacBits = 2;
    config.parallelRows = 32;
    config.weightSign = scheme.ws;
    config.inputSign = scheme.is;
    config.adcMode = AdcMode::ideal;
    const double s = 3.0;
    config.noise.thermalLsb = s;
    config.noise.seed = 2024;
    // One row group: every column result is one sum over cycles and planes.
    Case c = randomCase(rng, config, 20, 32);
    std::vector<int64_t> exact = referenceGemv(c.w, c.x, c.rows, c.cols);

    double gain2 = 0;
    for (unsigned ot : inputCycleOffsets(config))
      for (unsigned ok : weightPlaneOffsets(config))
        gain2 += std::ldexp(1.0, 2 * int(ot + ok));
    double expectedStd = std::sqrt(gain2 * (s * s + 1.0 / 12));

    const int trials = 300;
    double sum = 0, sumSq = 0;
    int64_t samples = 0;
    for (int trial = 0; trial < trials; ++trial) {
      config.noise.invocation = trial;
      std::vector<int64_t> out = run(config, c);
      for (int64_t n = 0; n < c.cols; ++n) {
        double error = double(out[n] - exact[n]);
        sum += error;
        sumSq += error * error;
        ++samples;
      }
    }
    double mean = sum / samples;
    double measuredStd = std::sqrt(sumSq / samples - mean * mean);
    SCOPED_TRACE(describe(config));
    // 9600 samples: the mean's standard error is std / 98, the std's is
    // about 0.7 %.
    EXPECT_LT(std::fabs(mean), 4 * expectedStd / std::sqrt(double(samples)));
    EXPECT_NEAR(measuredStd / expectedStd, 1.0, 0.03)
        << "measured " << measuredStd << ", expected " << expectedStd;
  }
}

// Thermal sigma is in converter LSBs: on a full-range ADC 2 bits below the
// lossless width one LSB is 4 column-sum units. Sums on a level stay there
// under 0.05 LSB (0.2 units, 10 sigma from the threshold) and usually move
// under 1 LSB (4 units, threshold at 0.5 sigma).
TEST(Noise, ThermalSigmaIsInConverterLsbs) {
  CrossbarConfig config;
  config.weightBits = 4;
  config.inputBits = 1;
  config.cellBits = 4;
  config.dacBits = 1;
  config.parallelRows = 64;
  config.weightSign = WeightSign::offset;
  config.adcMode = AdcMode::full_range;
  config.adcBits = losslessAdcBits(config) - 2;
  // Column sums on LSB centres (multiples of 4) far from the range ends.
  Case c;
  c.rows = 64;
  c.cols = 64;
  c.w.assign(c.rows * c.cols, 0); // code 8 in every cell
  c.x.assign(c.rows, 0);
  for (int64_t k = 0; k < 32; ++k)
    c.x[k] = 1; // sum 256 per column
  std::vector<int64_t> exact = referenceGemv(c.w, c.x, c.rows, c.cols);
  ASSERT_EQ(run(config, c), exact);
  config.noise.thermalLsb = 0.05; // 0.2 units: never crosses a threshold
  EXPECT_EQ(run(config, c), exact);
  config.noise.thermalLsb = 1.0; // 4 units: usually does
  int moved = 0;
  std::vector<int64_t> out = run(config, c);
  for (int64_t n = 0; n < c.cols; ++n)
    moved += out[n] != exact[n];
  // P(|N(0, 1)| > 0.5) = 0.62.
  EXPECT_GT(moved, 25);
}

//===----------------------------------------------------------------------===//
// Programming variation
//===----------------------------------------------------------------------===//

TEST(Noise, ProgrammingVariationBelongsToTheCrossbar) {
  std::mt19937 rng(15);
  for (WeightSign ws : kWeightSigns) {
    CrossbarConfig config =
        makeConfig(ws, InputSign::unsigned_, AdcMode::ideal);
    config.noise.programming = 0.05;
    config.noise.seed = 9;
    config.noise.stream = 1;
    Case c = randomCase(rng, config, 48, 12);
    std::vector<int64_t> exact = referenceGemv(c.w, c.x, c.rows, c.cols);
    std::vector<int64_t> first = run(config, c);
    EXPECT_NE(first, exact) << describe(config);
    EXPECT_EQ(run(config, c), first) << describe(config);
    // Another read of the same programmed crossbar: same cells.
    CrossbarConfig reread = config;
    reread.noise.invocation = 17;
    EXPECT_EQ(run(reread, c), first) << describe(config);
    // Another crossbar, or another seed: other cells.
    CrossbarConfig otherStream = config;
    otherStream.noise.stream = 2;
    EXPECT_NE(run(otherStream, c), first) << describe(config);
    CrossbarConfig otherSeed = config;
    otherSeed.noise.seed = 10;
    EXPECT_NE(run(otherSeed, c), first) << describe(config);
    // Variation scales the driven inputs: a zero input reads exactly.
    Case zero = c;
    std::fill(zero.x.begin(), zero.x.end(), 0);
    EXPECT_EQ(run(config, zero), referenceGemv(zero.w, zero.x, c.rows, c.cols))
        << describe(config);
  }
}

//===----------------------------------------------------------------------===//
// Nonlinearity
//===----------------------------------------------------------------------===//

TEST(Noise, CompressionIsIdentityAtZeroAndOdd) {
  for (double x : {-100.0, -3.5, 0.0, 1.0, 47.25, 1e6})
    EXPECT_EQ(compressColumnSum(x, 64, 0), x);
  EXPECT_DOUBLE_EQ(compressColumnSum(64, 64, 0.5), 64 / 1.5);
  EXPECT_DOUBLE_EQ(compressColumnSum(-64, 64, 0.5), -64 / 1.5);
  EXPECT_DOUBLE_EQ(compressColumnSum(16, 64, 0.2), 16 / 1.05);
}

// All-ones cells and inputs: every conversion sees the full-scale sum, which
// the nonlinearity compresses; the test recomputes the expected result.
TEST(Noise, NonlinearityCompressesLargeSums) {
  CrossbarConfig config;
  config.weightBits = 4; // magnitudes of 3 bits, 3 one-bit slices
  config.inputBits = 3;  // 3 one-bit cycles
  config.cellBits = 1;
  config.dacBits = 1;
  config.parallelRows = 16;
  config.weightSign = WeightSign::differential_columns;
  config.inputSign = InputSign::unsigned_;
  config.adcMode = AdcMode::ideal;
  Case c;
  c.rows = 16;
  c.cols = 3;
  c.w.assign(c.rows * c.cols, 7);
  c.x.assign(c.rows, 7);
  std::vector<int64_t> exact = referenceGemv(c.w, c.x, c.rows, c.cols);
  ASSERT_EQ(exact[0], 16 * 49);

  int64_t previous = exact[0];
  for (double n : {0.1, 0.5, 0.9}) {
    config.noise.adcNonlinearity = n;
    std::vector<int64_t> out = run(config, c);
    // Positive array: I = 16 = FS in each of 3 x 3 conversions, compressed
    // to 16 / (1 + n); the negative array's sums are 0 and stay 0.
    int64_t converted = std::llround(16 / (1 + n));
    int64_t expected = 0;
    for (int t = 0; t < 3; ++t)
      for (int k = 0; k < 3; ++k)
        expected += converted << (t + k);
    for (int64_t value : out)
      EXPECT_EQ(value, expected) << "n = " << n;
    EXPECT_GT(out[0], 0);
    EXPECT_LT(out[0], previous) << "n = " << n;
    previous = out[0];
  }
}

//===----------------------------------------------------------------------===//
// Validation and the target attribute
//===----------------------------------------------------------------------===//

TEST(Noise, InvalidConfigsAreRejected) {
  struct Bad {
    const char *field;
    void (*set)(NoiseConfig &);
    const char *message;
  };
  const Bad bads[] = {
      {"thermalLsb", [](NoiseConfig &n) { n.thermalLsb = -0.5; },
       "noise.thermalLsb must be a finite non-negative number"},
      {"read", [](NoiseConfig &n) { n.read = -1e-3; },
       "noise.read must be a finite non-negative number"},
      {"programming",
       [](NoiseConfig &n) {
         n.programming = std::numeric_limits<double>::quiet_NaN();
       },
       "noise.programming must be a finite non-negative number"},
      {"read",
       [](NoiseConfig &n) { n.read = std::numeric_limits<double>::infinity(); },
       "noise.read must be a finite non-negative number"},
      {"adcNonlinearity", [](NoiseConfig &n) { n.adcNonlinearity = -0.1; },
       "noise.adcNonlinearity must be a finite non-negative number"},
      {"adcNonlinearity", [](NoiseConfig &n) { n.adcNonlinearity = 1.0; },
       "noise.adcNonlinearity must be below 1"},
      {"adcNonlinearity", [](NoiseConfig &n) { n.adcNonlinearity = 2.5; },
       "noise.adcNonlinearity must be below 1"},
  };
  for (const Bad &bad : bads) {
    CrossbarConfig config;
    bad.set(config.noise);
    llvm::Error error = verifyConfig(config);
    ASSERT_TRUE(static_cast<bool>(error)) << bad.field;
    std::string message = llvm::toString(std::move(error));
    EXPECT_NE(message.find("crossbar config: "), std::string::npos) << message;
    EXPECT_NE(message.find(bad.message), std::string::npos) << message;
    // crossbarMVM refuses it too.
    std::vector<int64_t> w(4, 1), x(2, 1), out(2);
    llvm::Error mvmError = crossbarMVM(config, w, 2, 2, x, out);
    EXPECT_TRUE(static_cast<bool>(mvmError)) << bad.field;
    llvm::consumeError(std::move(mvmError));
  }
  CrossbarConfig good;
  good.noise.thermalLsb = 0.5;
  good.noise.read = 0.01;
  good.noise.programming = 0.02;
  good.noise.adcNonlinearity = 0.99;
  EXPECT_FALSE(static_cast<bool>(verifyConfig(good)));
}

TEST(Noise, Substreams) {
  EXPECT_NE(noiseSubstream(0, 1), noiseSubstream(0, 2));
  EXPECT_NE(noiseSubstream(1, 0), noiseSubstream(2, 0));
}

} // namespace

// Effective bits under read and thermal noise: b - log2(sqrt(1 + 12 s^2)),
// s the noise in LSBs of a full-range converter, computed here from the
// config's fields (FS = 64 rows * 1 * 3 = 192, lossless width 8).
TEST(Noise, EffectiveAdcBits) {
  CrossbarConfig config;
  config.parallelRows = 64;
  config.cellBits = 2;
  config.dacBits = 1;
  config.weightSign = WeightSign::offset;
  config.adcMode = AdcMode::full_range;
  const double fullScale = 64 * 1 * 3;
  const unsigned lossless = 8;
  auto expected = [&](unsigned bits, double read, double thermal) {
    double lsb = std::ldexp(1.0, int(lossless) - int(std::min(bits, lossless)));
    double s2 = thermal * thermal + std::pow(read * fullScale / lsb, 2);
    return double(std::min(bits, lossless)) - 0.5 * std::log2(1 + 12 * s2);
  };
  // Noiseless: every bit up to the lossless width counts.
  for (unsigned b = 1; b <= 10; ++b)
    EXPECT_DOUBLE_EQ(effectiveAdcBits(config, b), double(std::min(b, 8u)));
  EXPECT_EQ(usefulAdcBits(config, 2, 8), 8u);

  config.noise.read = 0.01;
  config.noise.thermalLsb = 0.25;
  for (unsigned b = 1; b <= 10; ++b)
    EXPECT_NEAR(effectiveAdcBits(config, b), expected(b, 0.01, 0.25), 1e-12)
        << b << " bits";
  // 1.92 column-sum units of read noise: at 8 bits (LSB 1) it costs about
  // 2.75 bits, at 4 bits (LSB 16) the quarter-LSB thermal noise dominates.
  EXPECT_NEAR(effectiveAdcBits(config, 8), 5.24, 0.01);
  EXPECT_NEAR(effectiveAdcBits(config, 4), 3.53, 0.01);
  // The widest width whose every extra bit still buys half a bit.
  unsigned useful = 2;
  while (useful < 8 &&
         expected(useful + 1, 0.01, 0.25) - expected(useful, 0.01, 0.25) >= 0.5)
    ++useful;
  EXPECT_EQ(usefulAdcBits(config, 2, 8), useful);
  EXPECT_LT(useful, 8u);
  EXPECT_EQ(usefulAdcBits(config, 8, 8), 8u);
}
