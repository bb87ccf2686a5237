//===- FlippedColumnsTest.cpp - ISAAC's flipped columns against GEMM ------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// `offset_flipped` weights (ISAAC, ISCA 2016): a row group's plane column
// whose cells sum to more than half their maximum stores the complements,
// which halves the largest column sum. On the isaac configuration (128 rows,
// 8-bit full-range ADC) W8A8 is then bit-exact against a plain integer GEMM
// for every slicing whose lossless width, derived here independently of the
// code under test, fits 8 bits; the others must actually lose bits.
//
//===----------------------------------------------------------------------===//

#include "cim/Numerics/CrossbarMVM.h"

#include "CrossbarTestSupport.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace mlir::cim::numerics;

namespace {

using namespace cimtest;

/// The isaac preset at W8A8 with `cellBits` cells and `dacBits` DACs.
CrossbarConfig isaacConfig(unsigned cellBits, unsigned dacBits,
                           InputSign inputSign = InputSign::unsigned_) {
  CrossbarConfig config;
  config.weightBits = 8;
  config.inputBits = 8;
  config.cellBits = cellBits;
  config.dacBits = dacBits;
  config.parallelRows = 128;
  config.weightSign = WeightSign::offset_flipped;
  config.inputSign = inputSign;
  config.adcMode = AdcMode::full_range;
  config.adcBits = 8;
  return config;
}

/// ISAAC's bound, written out: after flipping, a column of r cells of
/// m = 2^c - 1 sums to at most floor(r * m / 2), each driven by a digit of
/// at most 2^d - 1.
unsigned expectedLosslessBits(unsigned cellBits, unsigned dacBits,
                              int64_t rows) {
  int64_t maxSum = ((int64_t(1) << dacBits) - 1) *
                   (rows * ((int64_t(1) << cellBits) - 1) / 2);
  return unsigned(std::ceil(std::log2(double(maxSum + 1))));
}

/// Weight matrices that stress the flip: all codes at the top (every offset
/// cell at its maximum: every column flips), at the bottom, alternating,
/// and random.
std::vector<Case> stressCases(std::mt19937 &rng, const CrossbarConfig &config,
                              int64_t rows, int64_t cols) {
  std::vector<Case> cases;
  int64_t wMax = weightCodeRange(config).max;
  CodeRange x = inputCodeRange(config);
  for (int kind = 0; kind < 4; ++kind) {
    Case c = randomCase(rng, config, rows, cols);
    for (int64_t i = 0; i < rows * cols; ++i) {
      if (kind == 0)
        c.w[i] = wMax;
      else if (kind == 1)
        c.w[i] = -wMax;
      else if (kind == 2)
        c.w[i] = (i / cols) % 2 ? wMax : -wMax;
    }
    // Every input at its largest code drives every digit.
    if (kind < 3)
      c.x.assign(rows, x.max);
    cases.push_back(std::move(c));
  }
  return cases;
}

std::vector<int64_t> runBatch(const CrossbarConfig &config, const Case &c) {
  std::vector<int64_t> out(c.cols);
  llvm::Error error =
      crossbarMVMBatch(config, c.w, c.rows, c.cols, 1, c.x, out, nullptr);
  EXPECT_FALSE(static_cast<bool>(error)) << llvm::toString(std::move(error));
  return out;
}

TEST(FlippedColumns, LosslessWidthHalvesTheRange) {
  for (unsigned cell : {1u, 2u, 4u})
    for (unsigned dac : {1u, 2u}) {
      CrossbarConfig config = isaacConfig(cell, dac);
      EXPECT_EQ(losslessAdcBits(config), expectedLosslessBits(cell, dac, 128))
          << "cell " << cell << " dac " << dac;
      EXPECT_EQ(fullScaleColumnSum(config),
                ((int64_t(1) << dac) - 1) * (128 * ((1 << cell) - 1) / 2));
    }
  // The isaac preset: 192 -> 8 bits, where plain offset weights need 9.
  CrossbarConfig isaac = isaacConfig(2, 1);
  EXPECT_EQ(losslessAdcBits(isaac), 8u);
  EXPECT_EQ(adcDroppedBits(isaac), 0u);
  isaac.weightSign = WeightSign::offset;
  EXPECT_EQ(losslessAdcBits(isaac), 9u);
  EXPECT_EQ(adcDroppedBits(isaac), 1u);
  // The zero-bit layout flips by its own rule: no halving.
  CrossbarConfig zebra = isaacConfig(2, 1);
  zebra.zeroBitLayout = true;
  EXPECT_FALSE(flipsColumns(zebra));
  EXPECT_EQ(losslessAdcBits(zebra), 9u);
}

// W8A8 on isaac's 8-bit ADC: exact exactly for the slicings the formula
// calls lossless, for whole 128-row groups, several groups and a partial
// last group, on the per-vector and the batched path.
TEST(FlippedColumns, IsaacW8A8IsExactWhereLossless) {
  std::mt19937 rng(21);
  int lossless = 0, lossy = 0;
  for (unsigned cell : {1u, 2u, 4u})
    for (unsigned dac : {1u, 2u})
      for (InputSign xs : {InputSign::unsigned_, InputSign::offset}) {
        CrossbarConfig config = isaacConfig(cell, dac, xs);
        bool exactExpected = expectedLosslessBits(cell, dac, 128) <= 8;
        bool anyDiffers = false;
        for (int64_t rows : {128, 256, 300})
          for (const Case &c : stressCases(rng, config, rows, 9)) {
            std::vector<int64_t> want = referenceGemv(c.w, c.x, c.rows, c.cols);
            std::vector<int64_t> got = run(config, c);
            EXPECT_EQ(got, runBatch(config, c))
                << "cell " << cell << " dac " << dac << " rows " << rows;
            if (exactExpected)
              EXPECT_EQ(got, want)
                  << "cell " << cell << " dac " << dac << " rows " << rows;
            anyDiffers = anyDiffers || got != want;
          }
        // A lossy slicing really drops bits.
        if (!exactExpected)
          EXPECT_TRUE(anyDiffers) << "cell " << cell << " dac " << dac;
        (exactExpected ? lossless : lossy) += 1;
      }
  // Cells of 1 bit (DAC 1 or 2) and 2 bits (DAC 1) fit 8 bits.
  EXPECT_EQ(lossless, 3 * 2);
  EXPECT_EQ(lossy, 3 * 2);
}

// Without the flip the same 8-bit ADC is one bit short on the isaac
// slicing, and loses accuracy on the same cases.
TEST(FlippedColumns, PlainOffsetIsLossyOnIsaac) {
  std::mt19937 rng(22);
  CrossbarConfig config = isaacConfig(2, 1);
  config.weightSign = WeightSign::offset;
  bool differs = false;
  for (const Case &c : stressCases(rng, config, 128, 9))
    differs =
        differs || run(config, c) != referenceGemv(c.w, c.x, c.rows, c.cols);
  EXPECT_TRUE(differs);
}

// The flags follow ISAAC's rule, and every converted sum stays within the
// halved full scale.
TEST(FlippedColumns, FlipsBoundEveryColumnSum) {
  std::mt19937 rng(23);
  CrossbarConfig config = isaacConfig(2, 1);
  config.adcMode = AdcMode::ideal;
  for (const Case &c : stressCases(rng, config, 300, 7)) {
    ColumnSums sums;
    CrossbarStats stats;
    stats.columnSums = &sums;
    EXPECT_EQ(run(config, c, &stats), referenceGemv(c.w, c.x, c.rows, c.cols));
    EXPECT_GE(sums.min, 0);
    EXPECT_LE(sums.max, fullScaleColumnSum(config));
  }
  // All codes at +127: offset code 255, every cell 3: every column flips.
  Case top = stressCases(rng, config, 130, 3)[0];
  std::vector<uint8_t> flips = columnFlips(config, top.w, top.rows, top.cols);
  ASSERT_EQ(flips.size(), size_t(2 * 4 * 3)); // 2 groups x 4 planes x 3
  for (uint8_t f : flips)
    EXPECT_EQ(f, 1);
  // Code -127 is offset code 1: only the lowest plane holds ones, never
  // more than half.
  Case bottom = stressCases(rng, config, 130, 3)[1];
  for (uint8_t f : columnFlips(config, bottom.w, bottom.rows, bottom.cols))
    EXPECT_EQ(f, 0);
  // Exactly half is not flipped.
  Case half;
  half.rows = 128;
  half.cols = 1;
  for (int64_t k = 0; k < 128; ++k)
    half.w.push_back(k < 64 ? 127 : -127);
  // Offset codes 255 and 1: plane 0 sums 64 x 3 + 64 x 1 = 256 > 192 and
  // flips; planes 1..3 sum exactly 192 and do not.
  std::vector<uint8_t> halfFlips =
      columnFlips(config, half.w, half.rows, half.cols);
  ASSERT_EQ(halfFlips.size(), 4u);
  EXPECT_EQ(halfFlips[0], 1);
  EXPECT_EQ(halfFlips[1], 0);
  EXPECT_EQ(halfFlips[2], 0);
  EXPECT_EQ(halfFlips[3], 0);
  // Other schemes flip nothing.
  config.weightSign = WeightSign::offset;
  for (uint8_t f : columnFlips(config, top.w, top.rows, top.cols))
    EXPECT_EQ(f, 0);
}

// A clipped ADC defaults to the halved range; noise of zero sigma and the
// zero-bit layout keep the result exact where the read-out is lossless.
TEST(FlippedColumns, ClippedNoisyAndZeroBitPaths) {
  std::mt19937 rng(24);
  CrossbarConfig config = isaacConfig(2, 1, InputSign::offset);
  config.adcMode = AdcMode::clipped;
  config.clipLow = 0;
  config.clipHigh = fullScaleColumnSum(config);
  for (const Case &c : stressCases(rng, config, 200, 5)) {
    CrossbarStats stats;
    EXPECT_EQ(run(config, c, &stats), referenceGemv(c.w, c.x, c.rows, c.cols));
    EXPECT_EQ(stats.clippedConversions, 0u);
    EXPECT_EQ(runBatch(config, c), referenceGemv(c.w, c.x, c.rows, c.cols));
  }
  // A range narrower than the flipped sums clips: alternating codes 255
  // and 1 flip plane 0 and leave 64 cells of 2 (128 > 100) in it.
  config.clipHigh = 100;
  Case alternating = stressCases(rng, config, 128, 5)[2];
  CrossbarStats clipped;
  (void)run(config, alternating, &clipped);
  EXPECT_GT(clipped.clippedConversions, 0u);

  CrossbarConfig noisy = isaacConfig(2, 1);
  noisy.noise.seed = 5;
  noisy.noise.thermalLsb = 1e-6;
  for (const Case &c : stressCases(rng, noisy, 128, 5))
    EXPECT_EQ(run(noisy, c), referenceGemv(c.w, c.x, c.rows, c.cols));

  CrossbarConfig zebra = isaacConfig(2, 1);
  zebra.zeroBitLayout = true;
  zebra.adcBits = losslessAdcBits(zebra);
  for (const Case &c : stressCases(rng, zebra, 128, 5))
    EXPECT_EQ(run(zebra, c), referenceGemv(c.w, c.x, c.rows, c.cols));
}

} // namespace
