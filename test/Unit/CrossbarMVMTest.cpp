//===- CrossbarMVMTest.cpp - Bit-sliced MVM against integer GEMM ----------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The identity docs/numerics.md requires of lib/Numerics: with an ideal ADC (or
// one at the lossless width) the crossbar computation reproduces the integer
// GEMM bit-exactly, for every sign scheme, slicing and row grouping. The
// reference is a plain triple loop, independent of the code under test.
//
//===----------------------------------------------------------------------===//

#include "cim/Numerics/CrossbarMVM.h"

#include "CrossbarTestSupport.h"

#include "gtest/gtest.h"

#include <random>

using namespace mlir::cim::numerics;

namespace {

using namespace cimtest;

/// A random case of random shape (up to 300 x 12).
Case randomCase(std::mt19937 &rng, const CrossbarConfig &config) {
  int64_t rows = std::uniform_int_distribution<int64_t>(1, 300)(rng);
  int64_t cols = std::uniform_int_distribution<int64_t>(1, 12)(rng);
  return cimtest::randomCase(rng, config, rows, cols);
}

TEST(CrossbarMVM, IdealAdcIsExactGemmForEveryScheme) {
  std::mt19937 rng(1234);
  int checked = 0;
  for (WeightSign ws : kWeightSigns)
    for (InputSign is : kInputSigns)
      for (unsigned cellBits : {1u, 2u, 4u})
        for (unsigned dacBits : {1u, 2u, 3u})
          for (unsigned parallelRows : {1u, 7u, 128u}) {
            CrossbarConfig config;
            config.weightBits =
                std::uniform_int_distribution<unsigned>(2, 8)(rng);
            config.inputBits =
                std::uniform_int_distribution<unsigned>(1, 8)(rng);
            if (is != InputSign::unsigned_)
              config.inputBits = std::max(config.inputBits, 2u);
            config.cellBits = cellBits;
            config.dacBits = dacBits;
            // Differential rows drive a pair of rows: at least 2.
            config.parallelRows =
                ws == WeightSign::differential_rows && parallelRows == 1
                    ? 2
                    : parallelRows;
            config.weightSign = ws;
            config.inputSign = is;
            Case c = randomCase(rng, config);
            EXPECT_EQ(run(config, c), referenceGemv(c.w, c.x, c.rows, c.cols))
                << "weight scheme " << stringifyWeightSign(ws).str()
                << ", input scheme " << stringifyInputSign(is).str()
                << ", B_w=" << config.weightBits << ", B_x=" << config.inputBits
                << ", cell=" << cellBits << ", dac=" << dacBits
                << ", rows/group=" << parallelRows;
            ++checked;
          }
  EXPECT_EQ(checked, 5 * 3 * 3 * 3 * 3);
}

TEST(CrossbarMVM, NonUniformSlicesAreExact) {
  std::mt19937 rng(99);
  for (WeightSign ws : kWeightSigns) {
    CrossbarConfig config;
    config.weightBits = 8;
    config.inputBits = 8;
    config.cellBits = 4;
    config.weightSign = ws;
    config.inputSign = InputSign::twos_complement;
    // analog-cim-sim's SPLIT [1, 3, 4] for the 8-bit offset code, and a
    // 7-bit magnitude split otherwise; least significant slice first.
    config.sliceWidths = isOffsetWeights(ws)
                             ? llvm::SmallVector<unsigned>{4, 3, 1}
                             : llvm::SmallVector<unsigned>{3, 3, 1};
    for (int i = 0; i < 5; ++i) {
      Case c = randomCase(rng, config);
      EXPECT_EQ(run(config, c), referenceGemv(c.w, c.x, c.rows, c.cols))
          << stringifyWeightSign(ws).str();
    }
  }
}

TEST(CrossbarMVM, FullRangeAdcAtLosslessWidthIsExact) {
  std::mt19937 rng(7);
  for (WeightSign ws : kWeightSigns) {
    CrossbarConfig config;
    config.weightSign = ws;
    config.inputSign = InputSign::offset;
    config.cellBits = 2;
    config.dacBits = 1;
    config.parallelRows = 128;
    config.adcMode = AdcMode::full_range;
    config.adcBits = losslessAdcBits(config);
    Case c = randomCase(rng, config);
    EXPECT_EQ(run(config, c), referenceGemv(c.w, c.x, c.rows, c.cols))
        << stringifyWeightSign(ws).str();
  }
}

TEST(CrossbarMVM, NarrowAdcLosesLowBits) {
  std::mt19937 rng(8);
  CrossbarConfig config;
  config.cellBits = 2;
  config.parallelRows = 128;
  config.adcMode = AdcMode::full_range;
  config.adcBits = losslessAdcBits(config) - 3;
  bool differs = false;
  for (int i = 0; i < 5 && !differs; ++i) {
    Case c = randomCase(rng, config);
    differs = run(config, c) != referenceGemv(c.w, c.x, c.rows, c.cols);
  }
  EXPECT_TRUE(differs);
}

TEST(CrossbarMVM, ClippedAdc) {
  std::mt19937 rng(9);
  CrossbarConfig config;
  config.cellBits = 2;
  config.parallelRows = 64;
  config.adcMode = AdcMode::clipped;
  // A range that holds every possible sum, at full resolution: exact.
  config.clipLow = 0;
  config.clipHigh = 64 * 3;
  config.adcBits = 8;
  Case c = randomCase(rng, config);
  CrossbarStats stats;
  EXPECT_EQ(run(config, c, &stats), referenceGemv(c.w, c.x, c.rows, c.cols));
  EXPECT_EQ(stats.clippedConversions, 0u);
  // A narrow range clips.
  config.clipHigh = 4;
  CrossbarStats clipped;
  (void)run(config, c, &clipped);
  EXPECT_GT(clipped.clippedConversions, 0u);
}

// Conversions = input cycles x row groups x weight planes x columns.
TEST(CrossbarMVM, EventCounts) {
  CrossbarConfig config;
  config.weightBits = 8; // offset code: 8 bits in 4 two-bit slices
  config.inputBits = 6;  // 6 one-bit cycles
  config.cellBits = 2;
  config.dacBits = 1;
  config.parallelRows = 100;
  Case c;
  c.rows = 250; // 3 row groups
  c.cols = 5;
  c.w.assign(c.rows * c.cols, 3);
  c.x.assign(c.rows, 17);
  CrossbarStats stats;
  EXPECT_EQ(run(config, c, &stats), referenceGemv(c.w, c.x, c.rows, c.cols));
  EXPECT_EQ(stats.dacCycles, 6u * 3u);
  EXPECT_EQ(stats.conversions, 6u * 3u * 4u * 5u);
  // Differential columns double the planes.
  config.weightSign = WeightSign::differential_columns;
  CrossbarStats diff;
  (void)run(config, c, &diff);
  EXPECT_EQ(diff.conversions, 6u * 3u * (2u * 4u) * 5u);
}

TEST(CrossbarMVM, LosslessWidth) {
  CrossbarConfig isaac; // 128 rows, 1-bit DAC, 2-bit cells: 384 -> 9 bits
  isaac.parallelRows = 128;
  isaac.cellBits = 2;
  isaac.dacBits = 1;
  EXPECT_EQ(losslessAdcBits(isaac), 9u);
  CrossbarConfig rwth; // 256 rows, 1-bit inputs, 4-bit cells: 3840 -> 12
  rwth.parallelRows = 256;
  rwth.cellBits = 4;
  rwth.weightSign = WeightSign::differential_columns;
  EXPECT_EQ(losslessAdcBits(rwth), 12u);
}

TEST(CrossbarMVM, RejectsBadConfigAndOperands) {
  CrossbarConfig config;
  config.sliceWidths = {4, 4, 1};
  std::vector<int64_t> w(4, 1), x(2, 1), out(2);
  llvm::Error e = crossbarMVM(config, w, 2, 2, x, out);
  ASSERT_TRUE(static_cast<bool>(e));
  EXPECT_NE(llvm::toString(std::move(e))
                .find("slice width 4 is not in [1, "
                      "cellBits = 2]"),
            std::string::npos);
  config.sliceWidths.clear();
  w[0] = 200; // outside 8-bit symmetric range
  llvm::Error range = crossbarMVM(config, w, 2, 2, x, out);
  ASSERT_TRUE(static_cast<bool>(range));
  EXPECT_NE(llvm::toString(std::move(range)).find("weight 200"),
            std::string::npos);
  w[0] = 1;
  llvm::Error shape = crossbarMVM(config, w, 3, 2, x, out);
  EXPECT_TRUE(static_cast<bool>(shape));
  llvm::consumeError(std::move(shape));
}

} // namespace

TEST(CrossbarMVM, InputActivityCountsCyclesZerosAndOnes) {
  // 4-bit unsigned inputs on a 2-bit DAC (2 cycles), 2 rows per group.
  CrossbarConfig config;
  config.inputBits = 4;
  config.dacBits = 2;
  config.parallelRows = 2;
  config.weightSign = WeightSign::twos_complement;
  // Rows {5, 0 | 0, 0}; 5 = 0b0101:
  // cycle 0 digit 1, cycle 1 digit 1; group 1 is all zero in both cycles.
  std::vector<int64_t> x = {5, 0, 0, 0};
  InputActivity a;
  countInputActivity(config, x, /*batch=*/1, /*rows=*/4, a);
  EXPECT_EQ(a.cycles, 4u);     // 2 groups x 2 cycles
  EXPECT_EQ(a.zeroCycles, 2u); // group 1 in both cycles
  EXPECT_EQ(a.nonzeroDigits, 2u);
  EXPECT_EQ(a.ones, 2u);
  // Two's-complement inputs: -1 drives all bits, the sign bit in its own
  // cycle: 3 magnitude bits in 2 cycles (2 + 1 bits) + the sign cycle.
  config.inputSign = InputSign::twos_complement;
  InputActivity b;
  std::vector<int64_t> minusOne = {-1, 0};
  countInputActivity(config, minusOne, 1, 2, b);
  EXPECT_EQ(b.cycles, 3u);
  EXPECT_EQ(b.zeroCycles, 0u);
  EXPECT_EQ(b.ones, 4u);
}

namespace {

/// crossbarMVMBatch (exact GEMMs per cycle, group and plane) must equal the
/// per-vector crossbarMVM conversion for conversion, for every sign scheme,
/// lossy and clipped read-outs, several group sizes, wide cells and DACs
/// (the double-precision path), and count the same events.
TEST(CrossbarMVM, BatchEqualsVectorByVector) {
  std::mt19937 rng(2026);
  struct Shape {
    unsigned cellBits, dacBits, parallelRows;
  };
  const Shape shapes[] = {{2, 1, 16}, {1, 2, 7}, {3, 3, 64}, {8, 8, 512}};
  int checked = 0;
  for (const Shape &shape : shapes)
    for (WeightSign ws : kWeightSigns)
      for (InputSign is : kInputSigns)
        for (int adc = 0; adc < 3; ++adc) {
          CrossbarConfig config;
          config.weightBits = 6;
          config.inputBits = 5;
          config.cellBits = shape.cellBits;
          config.dacBits = shape.dacBits;
          config.parallelRows = shape.parallelRows;
          config.weightSign = ws;
          config.inputSign = is;
          int64_t full = fullScaleColumnSum(config);
          if (adc == 0) {
            config.adcMode = AdcMode::full_range;
            config.adcBits = std::max(1u, losslessAdcBits(config) - 3);
          } else if (adc == 1) {
            config.adcMode = AdcMode::clipped;
            config.adcBits = 3;
            config.clipLow =
                ws == WeightSign::differential_rows ? -full / 4 : 0;
            config.clipHigh = full / 3 + 1;
          } else {
            config.adcMode = AdcMode::ideal;
          }
          if (llvm::Error error = verifyConfig(config)) {
            llvm::consumeError(std::move(error));
            continue;
          }
          const int64_t rows = 37, cols = 5, batch = 4;
          std::vector<int64_t> inputs;
          Case c;
          for (int64_t b = 0; b < batch; ++b) {
            c = cimtest::randomCase(rng, config, rows, cols);
            inputs.insert(inputs.end(), c.x.begin(), c.x.end());
          }
          std::vector<int64_t> expected;
          CrossbarStats vectorStats;
          for (int64_t b = 0; b < batch; ++b) {
            Case one = c;
            one.x.assign(inputs.begin() + b * rows,
                         inputs.begin() + (b + 1) * rows);
            std::vector<int64_t> y = run(config, one, &vectorStats);
            expected.insert(expected.end(), y.begin(), y.end());
          }
          std::vector<int64_t> outs(batch * cols);
          CrossbarStats batchStats;
          llvm::Error error = crossbarMVMBatch(config, c.w, rows, cols, batch,
                                               inputs, outs, &batchStats);
          ASSERT_FALSE(static_cast<bool>(error))
              << llvm::toString(std::move(error));
          EXPECT_EQ(outs, expected) << "cells " << shape.cellBits << ", dac "
                                    << shape.dacBits << ", adc mode " << adc;
          EXPECT_EQ(batchStats.conversions, vectorStats.conversions);
          EXPECT_EQ(batchStats.clippedConversions,
                    vectorStats.clippedConversions);
          EXPECT_EQ(batchStats.dacCycles, vectorStats.dacCycles);
          ++checked;
        }
  EXPECT_GT(checked, 100);
}

} // namespace

// Column-sum statistics: exact moments and extremes, a bounded sample that
// is the same for the same sums, and the sums' shifts kept.
TEST(ColumnSums, MomentsAndDeterministicSample) {
  std::mt19937_64 rng(5);
  std::vector<int64_t> values(300000);
  for (int64_t &v : values)
    v = int64_t(rng() % 1000) - 100;
  ColumnSums a, b, half1, half2;
  for (size_t i = 0; i < values.size(); ++i) {
    a.add(values[i], unsigned(i % 3));
    b.add(values[i], unsigned(i % 3));
    (i < values.size() / 2 ? half1 : half2).add(values[i], unsigned(i % 3));
  }
  double sum = 0, squares = 0;
  for (int64_t v : values) {
    sum += double(v);
    squares += double(v) * double(v);
  }
  double n = double(values.size()), mean = sum / n;
  EXPECT_EQ(a.count, values.size());
  EXPECT_NEAR(a.mean(), mean, 1e-9);
  EXPECT_NEAR(a.stddev(), std::sqrt(squares / n - mean * mean), 1e-6);
  EXPECT_EQ(a.min, *std::min_element(values.begin(), values.end()));
  EXPECT_EQ(a.max, *std::max_element(values.begin(), values.end()));
  EXPECT_LE(a.samples.size(), ColumnSums::kCapacity);
  EXPECT_GT(a.samples.size(), ColumnSums::kCapacity / 4);
  ASSERT_EQ(a.samples.size(), b.samples.size());
  for (size_t i = 0; i < a.samples.size(); ++i)
    EXPECT_EQ(a.samples[i].sum, b.samples[i].sum);
  half1.merge(half2);
  EXPECT_EQ(half1.count, a.count);
  EXPECT_NEAR(half1.mean(), a.mean(), 1e-9);
  EXPECT_EQ(half1.min, a.min);
  EXPECT_EQ(half1.max, a.max);
  EXPECT_LE(half1.samples.size(), ColumnSums::kCapacity);
}

// ADC ranges from column sums: the extremes, the OCC mu +- k sigma window
// (k = 3.92 at 8 bits), and an MSE choice no worse than either, all inside
// the widest legal range.
TEST(ColumnSums, ChooseAdcRange) {
  CrossbarConfig config;
  config.adcMode = AdcMode::clipped;
  config.adcBits = 8;
  config.clipLow = 0;
  config.clipHigh = 100000;
  std::mt19937_64 rng(9);
  std::normal_distribution<double> normal(2000.0, 300.0);
  ColumnSums sums;
  for (int i = 0; i < 50000; ++i)
    sums.add(std::max<int64_t>(0, int64_t(std::llround(normal(rng)))), 0);

  AdcRange max = chooseAdcRange(config, sums, AdcClipMethod::max);
  EXPECT_EQ(max.low, sums.min);
  EXPECT_EQ(max.high, sums.max);

  AdcRange sigma = chooseAdcRange(config, sums, AdcClipMethod::sigma);
  double mu = sums.mean(), s = sums.stddev();
  EXPECT_EQ(sigma.low, int64_t(std::floor(mu - 3.92 * s)));
  EXPECT_EQ(sigma.high, int64_t(std::ceil(mu + 3.92 * s)));

  auto error = [&](AdcRange r) {
    CrossbarConfig c = config;
    c.clipLow = r.low;
    c.clipHigh = r.high;
    double e = 0;
    for (const ColumnSums::Sample &x : sums.samples) {
      double d = double(convertColumnSum(c, x.sum) - x.sum);
      e += d * d;
    }
    return e;
  };
  AdcRange mse = chooseAdcRange(config, sums, AdcClipMethod::mse);
  EXPECT_GE(mse.low, config.clipLow);
  EXPECT_LE(mse.high, config.clipHigh);
  EXPECT_LE(error(mse), error(max));
  EXPECT_LE(error(mse), error(sigma));
  EXPECT_LT(error(mse), error({config.clipLow, config.clipHigh}) / 10);

  // Signed sums (differential rows) get signed windows; with no sums the
  // range stays the widest.
  config.clipLow = -100000;
  ColumnSums none;
  AdcRange widest = chooseAdcRange(config, none, AdcClipMethod::mse);
  EXPECT_EQ(widest.low, -100000);
  EXPECT_EQ(widest.high, 100000);
  EXPECT_EQ(occSigmaMultiplier(2), 1.71);
  EXPECT_EQ(occSigmaMultiplier(10), 4.49);
}
