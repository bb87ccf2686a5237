//===- BitSparsityTest.cpp - Input bit activity and sparse input codes ----===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// CIMQ's bit-level sparsity in lib/Numerics: the DAC-cycle activity counts
// (ones, bits, all-zero row-group cycles) against a direct bit loop, the
// bit-sparse activation quantizer against a brute-force nearest-code search,
// and the cost model's all-zero cycle probability against its definition.
//
//===----------------------------------------------------------------------===//

#include "cim/Analysis/CostModel.h"
#include "cim/Numerics/CrossbarMVM.h"
#include "cim/Numerics/Quantize.h"

#include "gtest/gtest.h"

#include <cmath>
#include <random>

using namespace mlir::cim;
using namespace mlir::cim::numerics;

namespace {

/// '1' bits of v, one at a time (independent of llvm::popcount).
unsigned onesOf(uint64_t v) {
  unsigned n = 0;
  for (; v; v >>= 1)
    n += v & 1;
  return n;
}

} // namespace

TEST(BitSparsity, ActivityMatchesDirectBitLoop) {
  std::mt19937 rng(77);
  for (int trial = 0; trial < 300; ++trial) {
    CrossbarConfig config;
    config.inputBits = std::uniform_int_distribution<unsigned>(2, 8)(rng);
    config.dacBits = std::uniform_int_distribution<unsigned>(1, 3)(rng);
    config.parallelRows = std::uniform_int_distribution<unsigned>(1, 9)(rng);
    config.weightSign = numerics::WeightSign::offset;
    config.inputSign = trial % 2 ? numerics::InputSign::offset
                                 : numerics::InputSign::unsigned_;
    int64_t rows = std::uniform_int_distribution<int64_t>(1, 40)(rng);
    int64_t batch = std::uniform_int_distribution<int64_t>(1, 4)(rng);
    CodeRange range = inputCodeRange(config);
    // Mostly zeros (as after a ReLU), so all-zero cycles occur.
    std::vector<int64_t> x(rows * batch);
    for (int64_t &v : x)
      v = std::uniform_int_distribution<int>(0, 3)(rng)
              ? 0
              : std::uniform_int_distribution<int64_t>(range.min,
                                                       range.max)(rng);
    InputActivity got;
    countInputActivity(config, x, batch, rows, got);

    // Reference: offset inputs drive x + 2^(B-1); cycles of dacBits bits,
    // least significant first; groups of parallelRows consecutive rows.
    InputActivity want;
    unsigned bits = config.inputBits;
    int64_t shift = config.inputSign == numerics::InputSign::offset
                        ? int64_t(1) << (bits - 1)
                        : 0;
    for (int64_t p = 0; p < batch; ++p)
      for (int64_t g0 = 0; g0 < rows; g0 += config.parallelRows) {
        int64_t g1 = std::min<int64_t>(rows, g0 + config.parallelRows);
        for (unsigned lo = 0; lo < bits; lo += config.dacBits) {
          unsigned width = std::min(config.dacBits, bits - lo);
          bool any = false;
          for (int64_t k = g0; k < g1; ++k) {
            uint64_t digit = (uint64_t(x[p * rows + k] + shift) >> lo) &
                             ((uint64_t(1) << width) - 1);
            want.ones += onesOf(digit);
            want.nonzeroDigits += digit != 0;
            any = any || digit;
          }
          want.bits += uint64_t(g1 - g0) * width;
          ++want.cycles;
          want.zeroCycles += !any;
        }
      }
    ASSERT_EQ(got.cycles, want.cycles) << "trial " << trial;
    EXPECT_EQ(got.zeroCycles, want.zeroCycles) << "trial " << trial;
    EXPECT_EQ(got.ones, want.ones) << "trial " << trial;
    EXPECT_EQ(got.nonzeroDigits, want.nonzeroDigits) << "trial " << trial;
    EXPECT_EQ(got.bits, want.bits) << "trial " << trial;
  }
}

TEST(BitSparsity, SparseCodesAreTheNearestWithFewOnes) {
  std::mt19937 rng(5);
  for (unsigned bits = 1; bits <= 8; ++bits)
    for (unsigned maxOnes = 1; maxOnes <= bits; ++maxOnes) {
      CodeRange range{0, (int64_t(1) << bits) - 1};
      double clip = std::uniform_real_distribution<double>(0.5, 4.0)(rng);
      std::vector<float> values;
      for (int i = 0; i < 400; ++i)
        values.push_back(
            std::uniform_real_distribution<float>(-0.5f, 1.2f * clip)(rng));
      values.push_back(std::nanf(""));
      values.push_back(float(clip));
      InputCodes got = quantizeInputs(values, range, clip, maxOnes);

      // Brute force: every code with at most maxOnes ones; the clip maps to
      // the largest; the nearest code wins, ties to the lower.
      std::vector<int64_t> allowed;
      for (int64_t c = 0; c <= range.max; ++c)
        if (onesOf(uint64_t(c)) <= maxOnes)
          allowed.push_back(c);
      double scale = clip / double(allowed.back());
      EXPECT_DOUBLE_EQ(got.scale, scale);
      EXPECT_EQ(allowedInputCodes(range, maxOnes), allowed);
      for (size_t e = 0; e < values.size(); ++e) {
        double v = double(values[e]) / scale;
        int64_t best = 0;
        if (!std::isnan(v)) {
          best = allowed.front();
          for (int64_t c : allowed)
            if (std::fabs(double(c) - v) < std::fabs(double(best) - v))
              best = c;
        }
        ASSERT_EQ(got.codes[e], best) << "bits " << bits << " max ones "
                                      << maxOnes << " value " << values[e];
      }
      // At or above the code width nothing is restricted: the plain grid.
      if (maxOnes == bits) {
        InputCodes dense = quantizeInputs(values, range, clip);
        EXPECT_EQ(got.codes, dense.codes);
        EXPECT_DOUBLE_EQ(got.scale, dense.scale);
      }
    }
}

TEST(BitSparsity, SignedRangesAreNotRestricted) {
  std::vector<float> values = {-1.0f, -0.3f, 0.2f, 0.9f};
  CodeRange range{-127, 127};
  InputCodes sparse = quantizeInputs(values, range, 1.0, 2);
  InputCodes dense = quantizeInputs(values, range, 1.0);
  EXPECT_EQ(sparse.codes, dense.codes);
}

TEST(BitSparsity, SparseCodesDriveFewerOnes) {
  std::mt19937 rng(9);
  std::vector<float> values(5000);
  for (float &v : values)
    v = std::exponential_distribution<float>(3.0f)(rng);
  CodeRange range{0, 255};
  uint64_t dense = 0, sparse = 0;
  for (int64_t c : quantizeInputs(values, range, 1.0).codes)
    dense += onesOf(uint64_t(c));
  for (int64_t c : quantizeInputs(values, range, 1.0, 2).codes) {
    EXPECT_LE(onesOf(uint64_t(c)), 2u);
    sparse += onesOf(uint64_t(c));
  }
  EXPECT_LT(sparse, dense);
}

TEST(BitSparsity, ZeroCycleProbability) {
  // (1 - p1)^(rows * dacBits), by repeated multiplication.
  for (double p1 : {0.0, 0.1, 0.5, 0.9, 1.0})
    for (int64_t rows : {1, 3, 16})
      for (unsigned dac : {1u, 2u}) {
        double want = 1.0;
        for (int64_t i = 0; i < rows * int64_t(dac); ++i)
          want *= 1.0 - p1;
        EXPECT_NEAR(cost::zeroCycleProbability(p1, rows, dac), want, 1e-12);
      }
}
