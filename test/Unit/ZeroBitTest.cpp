//===- ZeroBitTest.cpp - ZEBRA's zero-bit patterns ------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The zero-bit-pattern weight encoding of lib/Numerics (docs/techniques.md,
// "Zero-bit patterns"): the codebook and its quantizer, the layout
// (complemented columns, unmapped zero rows, unconverted zero columns) that
// must leave the integer result exact, and the per-active-cell noise
// sigma_col^2 = sigma_cell^2 n_active + sigma_adc^2. References are computed
// here, independently of the code under test.
//
//===----------------------------------------------------------------------===//

#include "cim/Numerics/CrossbarMVM.h"
#include "cim/Numerics/Quantize.h"

#include "CrossbarTestSupport.h"

#include "llvm/ADT/bit.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace mlir::cim::numerics;
using namespace cimtest;

namespace {

unsigned ones(int64_t v) { return llvm::popcount(uint64_t(v < 0 ? -v : v)); }

CrossbarConfig zebraConfig(unsigned bits, unsigned maxOnes, WeightSign sign) {
  CrossbarConfig config;
  config.weightBits = bits;
  config.inputBits = 4;
  config.cellBits = 2;
  config.dacBits = 1;
  config.parallelRows = 16;
  config.weightSign = sign;
  config.weightMaxOnes = maxOnes;
  config.zeroBitLayout = true;
  return config;
}

/// Random weights drawn from the codebook (about a third zero, as pruned or
/// ReLU-trained layers have), with a few all-zero rows.
std::vector<int64_t> codebookWeights(std::mt19937 &rng,
                                     const std::vector<int64_t> &codebook,
                                     int64_t rows, int64_t cols) {
  std::uniform_int_distribution<size_t> pick(0, codebook.size() - 1);
  std::uniform_int_distribution<int> zero(0, 2);
  std::vector<int64_t> w(rows * cols);
  for (int64_t k = 0; k < rows; ++k)
    for (int64_t n = 0; n < cols; ++n)
      w[k * cols + n] =
          (k % 5 == 3 || zero(rng) == 0) ? 0 : codebook[pick(rng)];
  return w;
}

TEST(ZeroBit, CodebookIsThePopcountLimitedCodes) {
  for (unsigned bits : {4u, 6u, 8u})
    for (unsigned maxOnes : {1u, 2u, 3u}) {
      CrossbarConfig config =
          zebraConfig(bits, maxOnes, WeightSign::differential_columns);
      std::vector<int64_t> expected;
      int64_t max = (int64_t(1) << (bits - 1)) - 1;
      for (int64_t q = -max; q <= max; ++q)
        if (ones(q) <= maxOnes)
          expected.push_back(q);
      EXPECT_EQ(allowedWeightCodes(config), expected);
      EXPECT_EQ(weightCodeRange(config).max, expected.back());
      EXPECT_EQ(weightCodeRange(config).min, expected.front());
      EXPECT_EQ(weightCodebook(config), expected);
    }
  // At 8 bits and 2 ones the largest magnitude is 0b1100000.
  EXPECT_EQ(weightCodeRange(zebraConfig(8, 2, WeightSign::offset)).max, 96);
  // Off: no codebook, the full symmetric range.
  CrossbarConfig off = zebraConfig(8, 0, WeightSign::offset);
  EXPECT_TRUE(weightCodebook(off).empty());
  EXPECT_EQ(weightCodeRange(off).max, 127);
}

TEST(ZeroBit, QuantizerTakesTheNearestCode) {
  CrossbarConfig config = zebraConfig(8, 2, WeightSign::differential_columns);
  std::vector<int64_t> codebook = weightCodebook(config);
  std::mt19937 rng(3);
  std::normal_distribution<double> normal(0.0, 0.4);
  const int64_t k = 40, n = 6;
  std::vector<double> w(k * n);
  for (double &v : w)
    v = normal(rng);
  WeightCodes codes = quantizeWeights([&](int64_t e) { return w[e]; }, k, n, 0,
                                      k, 0, n, ScaleGranularity::channel,
                                      weightCodeRange(config), {}, codebook);
  for (int64_t j = 0; j < n; ++j) {
    double colMax = 0;
    for (int64_t r = 0; r < k; ++r)
      colMax = std::max(colMax, std::fabs(w[r * n + j]));
    // The largest weight maps to the largest code (96), not to 127.
    EXPECT_NEAR(codes.scales[j], colMax / 96.0, 1e-15);
    for (int64_t r = 0; r < k; ++r) {
      double v = w[r * n + j] / codes.scales[j];
      int64_t best = codebook.front();
      for (int64_t c : codebook)
        if (std::fabs(double(c) - v) < std::fabs(double(best) - v))
          best = c;
      EXPECT_EQ(codes.codes[r * n + j], best) << "value " << v;
      EXPECT_LE(ones(codes.codes[r * n + j]), 2u);
    }
  }
}

TEST(ZeroBit, LayoutIsExactWithLosslessReadout) {
  std::mt19937 rng(11);
  for (WeightSign sign : kWeightSigns)
    for (InputSign inputSign : kInputSigns)
      for (AdcMode mode :
           {AdcMode::ideal, AdcMode::adder_tree, AdcMode::full_range}) {
        CrossbarConfig config = zebraConfig(8, 2, sign);
        config.inputSign = inputSign;
        config.adcMode = mode;
        config.adcBits = losslessAdcBits(config);
        Case c;
        c.rows = 37;
        c.cols = 9;
        c.w = codebookWeights(rng, allowedWeightCodes(config), c.rows, c.cols);
        CodeRange xr = inputCodeRange(config);
        std::uniform_int_distribution<int64_t> xd(xr.min, xr.max);
        for (int64_t k = 0; k < c.rows; ++k)
          c.x.push_back(xd(rng));
        CrossbarStats stats;
        EXPECT_EQ(run(config, c, &stats),
                  referenceGemv(c.w, c.x, c.rows, c.cols))
            << stringifyWeightSign(sign).str() << " "
            << stringifyInputSign(inputSign).str() << " "
            << stringifyAdcMode(mode).str();
        // Rows 3, 8, .. are zero: differential arrays store them as zero
        // cells and leave them unmapped (offset and two's-complement codes
        // of 0 may not be zero cells).
        if (sign == WeightSign::differential_columns ||
            sign == WeightSign::differential_rows)
          EXPECT_GE(stats.unmappedRows, 7u) << stringifyWeightSign(sign).str();
        // The batched entry point computes the same.
        std::vector<int64_t> xs = c.x;
        xs.insert(xs.end(), c.x.begin(), c.x.end());
        std::vector<int64_t> outs(2 * c.cols);
        ASSERT_FALSE(static_cast<bool>(
            crossbarMVMBatch(config, c.w, c.rows, c.cols, 2, xs, outs)));
        std::vector<int64_t> ref = referenceGemv(c.w, c.x, c.rows, c.cols);
        for (int64_t n = 0; n < c.cols; ++n) {
          EXPECT_EQ(outs[n], ref[n]);
          EXPECT_EQ(outs[c.cols + n], ref[n]);
        }
      }
}

// Offset encoding stores q + 128: zero weights are 0b10000000, one conducting
// cell each. Complemented, the all-ones top plane is empty, so an all-zero
// matrix maps no row and converts nothing, and still computes 0.
TEST(ZeroBit, ComplementEmptiesTheOffsetPlane) {
  CrossbarConfig config = zebraConfig(8, 2, WeightSign::offset);
  config.cellBits = 1;
  config.adcMode = AdcMode::full_range;
  config.adcBits = 3;
  Case c;
  c.rows = 20;
  c.cols = 3;
  c.w.assign(c.rows * c.cols, 0);
  for (int64_t k = 0; k < c.rows; ++k)
    c.x.push_back(k % 16);
  CrossbarStats stats;
  EXPECT_EQ(run(config, c, &stats), std::vector<int64_t>(3, 0));
  EXPECT_EQ(stats.conversions, 0u);
  EXPECT_EQ(stats.dacCycles, 0u);
  EXPECT_EQ(stats.unmappedRows, 20u);
  EXPECT_EQ(stats.skippedConversions, 0u); // No row group, nothing to skip.
  ZeroBitLayout layout = zeroBitLayout(config, c.w, c.rows, c.cols);
  EXPECT_TRUE(layout.mappedRows.empty());
  EXPECT_EQ(layout.nonzeroCells, 0u);
  EXPECT_EQ(layout.convertedColumns, 0u);
  // The same matrix without the layout: 20 conducting cells per column.
  config.zeroBitLayout = false;
  config.weightMaxOnes = 0;
  ZeroBitLayout plain = zeroBitLayout(config, c.w, c.rows, c.cols);
  EXPECT_EQ(plain.nonzeroCells, 60u);
  EXPECT_EQ(plain.mappedRows.size(), 20u);
  EXPECT_EQ(plain.convertedColumns, 8u * 3u);
}

// Counts against a reference layout computed here: differential columns, 1-bit
// cells, so plane b of column n (positive array) is bit b of max(q, 0).
TEST(ZeroBit, CountsConversionsAndActiveCells) {
  CrossbarConfig config = zebraConfig(6, 2, WeightSign::differential_columns);
  config.cellBits = 1;
  config.inputBits = 1;
  config.parallelRows = 8;
  std::mt19937 rng(5);
  Case c;
  c.rows = 19;
  c.cols = 4;
  c.w = codebookWeights(rng, allowedWeightCodes(config), c.rows, c.cols);
  std::bernoulli_distribution bit(0.6);
  for (int64_t k = 0; k < c.rows; ++k)
    c.x.push_back(bit(rng));
  // Reference: stored bit of (array, plane b, row k, column n), complemented
  // when the column has more ones than zeros.
  const int64_t planes = 5; // 6-bit codes: 5 magnitude bits.
  auto raw = [&](int array, int64_t b, int64_t k, int64_t n) {
    int64_t q = c.w[k * c.cols + n];
    int64_t m = array == 0 ? std::max<int64_t>(q, 0) : std::max<int64_t>(-q, 0);
    return (m >> b) & 1;
  };
  std::vector<int> flip(2 * planes * c.cols);
  std::vector<int> rowMapped(c.rows, 0);
  for (int array = 0; array < 2; ++array)
    for (int64_t b = 0; b < planes; ++b)
      for (int64_t n = 0; n < c.cols; ++n) {
        int64_t onesCount = 0;
        for (int64_t k = 0; k < c.rows; ++k)
          onesCount += raw(array, b, k, n);
        int f = c.rows - onesCount < onesCount;
        flip[(array * planes + b) * c.cols + n] = f;
        for (int64_t k = 0; k < c.rows; ++k)
          if (raw(array, b, k, n) ^ f)
            rowMapped[k] = 1;
      }
  std::vector<int64_t> mapped;
  for (int64_t k = 0; k < c.rows; ++k)
    if (rowMapped[k])
      mapped.push_back(k);
  uint64_t conversions = 0, skipped = 0, active = 0;
  for (size_t g0 = 0; g0 < mapped.size(); g0 += 8)
    for (int array = 0; array < 2; ++array)
      for (int64_t b = 0; b < planes; ++b)
        for (int64_t n = 0; n < c.cols; ++n) {
          int f = flip[(array * planes + b) * c.cols + n];
          bool empty = true;
          for (int64_t k = 0; k < c.rows; ++k)
            empty &= (raw(array, b, k, n) ^ f) == 0;
          if (empty) {
            ++skipped;
            continue;
          }
          ++conversions;
          for (size_t i = g0; i < std::min(mapped.size(), g0 + 8); ++i)
            active += c.x[mapped[i]] && (raw(array, b, mapped[i], n) ^ f);
        }
  CrossbarStats stats;
  EXPECT_EQ(run(config, c, &stats), referenceGemv(c.w, c.x, c.rows, c.cols));
  EXPECT_EQ(stats.conversions, conversions);
  EXPECT_EQ(stats.skippedConversions, skipped);
  EXPECT_EQ(stats.activeCells, active);
  EXPECT_EQ(stats.unmappedRows, uint64_t(c.rows) - mapped.size());
  EXPECT_EQ(stats.dacCycles, (mapped.size() + 7) / 8);
}

// sigma_col^2 = sigma_cell^2 n_active: with one conversion per output (1-bit
// input, one plane, one row group) the output variance is sigma^2 times the
// column's conducting cells.
TEST(ZeroBit, ActiveCellNoiseScalesWithConductingCells) {
  CrossbarConfig config;
  config.weightBits = 2; // One magnitude bit per array.
  config.inputBits = 1;
  config.cellBits = 1;
  config.dacBits = 1;
  config.parallelRows = 64;
  config.weightSign = WeightSign::differential_columns;
  config.adcMode = AdcMode::ideal;
  config.noise.activeCell = 0.5;
  config.noise.seed = 9;
  const int64_t rows = 64, cols = 3;
  // Column 0: 4 conducting cells, column 1: 36, column 2: none.
  std::vector<int64_t> w(rows * cols, 0);
  for (int64_t k = 0; k < rows; ++k) {
    w[k * cols + 0] = k < 4 ? 1 : 0;
    w[k * cols + 1] = k < 36 ? 1 : 0;
  }
  std::vector<int64_t> x(rows, 1);
  const int64_t trials = 4000;
  std::vector<int64_t> xs, outs(trials * cols);
  for (int64_t t = 0; t < trials; ++t)
    xs.insert(xs.end(), x.begin(), x.end());
  CrossbarStats stats;
  ASSERT_FALSE(static_cast<bool>(
      crossbarMVMBatch(config, w, rows, cols, trials, xs, outs, &stats)));
  for (int64_t n = 0; n < cols; ++n) {
    double mean = 0, sq = 0;
    for (int64_t t = 0; t < trials; ++t)
      mean += double(outs[t * cols + n]);
    mean /= trials;
    for (int64_t t = 0; t < trials; ++t)
      sq += std::pow(double(outs[t * cols + n]) - mean, 2);
    double variance = sq / (trials - 1);
    double nActive = n == 0 ? 4 : n == 1 ? 36 : 0;
    // Rounding the noisy sum to an integer adds about 1/12.
    double expected = 0.25 * nActive + (nActive ? 1.0 / 12.0 : 0.0);
    EXPECT_NEAR(variance, expected, 0.1 * expected + 0.05) << "column " << n;
    EXPECT_NEAR(mean, nActive, 0.15 * std::sqrt(expected) + 0.05);
  }
  // Conducting cells: (4 + 36) per vector.
  EXPECT_EQ(stats.activeCells, uint64_t(40 * trials));
}

TEST(ZeroBit, RejectsCodesOutsideTheCodebook) {
  CrossbarConfig config = zebraConfig(8, 2, WeightSign::offset);
  Case c;
  c.rows = 2;
  c.cols = 1;
  c.w = {7, 0}; // 0b111: three ones.
  c.x = {1, 1};
  std::vector<int64_t> out(1);
  llvm::Error error = crossbarMVM(config, c.w, 2, 1, c.x, out);
  ASSERT_TRUE(static_cast<bool>(error));
  EXPECT_NE(llvm::toString(std::move(error)).find("at most 2 '1' bits"),
            std::string::npos);
}

} // namespace
