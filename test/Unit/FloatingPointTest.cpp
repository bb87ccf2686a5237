//===- FloatingPointTest.cpp - The FP-CIM number model --------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The floating-point CIM model of lib/Numerics/FloatingPoint.cpp (research
// notes section 5). References are computed here, independently of the code
// under test: rounding by exhaustive enumeration of each format's values
// (decoded from the bit patterns) and by float32 bit manipulation for bf16,
// pre-alignment in integer arithmetic on the decoded significands, and the
// MVM as a plain sum of aligned products.
//
//===----------------------------------------------------------------------===//

#include "cim/Numerics/FloatingPoint.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace mlir::cim::numerics;

namespace {

//===----------------------------------------------------------------------===//
// Independent references
//===----------------------------------------------------------------------===//

/// Every non-negative value of a format, indexed by its encoding (which
/// orders them ascending), decoded here from the bit fields.
struct Enumerated {
  FloatFormat format;
  int bias;
  std::vector<double> values;

  explicit Enumerated(FloatFormat f) : format(f) {
    bias = (1 << (f.expBits - 1)) - 1;
    uint32_t count = uint32_t(1) << (f.expBits + f.manBits);
    values.reserve(count);
    for (uint32_t code = 0; code < count; ++code)
      values.push_back(
          std::ldexp(double(significand(code)), binade(code) - int(f.manBits)));
  }

  uint32_t expField(uint32_t code) const { return code >> format.manBits; }
  /// The integer significand: the stored mantissa with the hidden bit.
  int64_t significand(uint32_t code) const {
    int64_t man = code & ((uint32_t(1) << format.manBits) - 1);
    return expField(code) == 0 ? man : (int64_t(1) << format.manBits) + man;
  }
  /// The exponent of the value's binade; subnormals share field 1's.
  int binade(uint32_t code) const {
    return expField(code) == 0 ? 1 - bias : int(expField(code)) - bias;
  }
  uint32_t maxCode() const { return uint32_t(values.size() - 1); }

  /// The code nearest to a >= 0, ties to the even code, saturating.
  uint32_t nearestCode(double a) const {
    if (std::isnan(a))
      return 0;
    if (a >= values.back())
      return maxCode();
    size_t hi =
        std::upper_bound(values.begin(), values.end(), a) - values.begin();
    size_t lo = hi - 1;
    if (values[lo] == a)
      return uint32_t(lo);
    // Neighbours have at most manBits + 2 significant bits: exact.
    double mid = (values[lo] + values[hi]) / 2;
    if (a < mid)
      return uint32_t(lo);
    if (a > mid)
      return uint32_t(hi);
    return uint32_t(lo % 2 == 0 ? lo : hi);
  }

  double round(double v) const {
    if (std::isnan(v))
      return 0.0;
    return std::copysign(values[nearestCode(std::fabs(v))], v);
  }
};

/// bf16 by float32 bit manipulation: round to nearest even into the top 16
/// bits. Field 255 is finite in the model, so float's inf pattern is 2^128.
double bf16ByBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  u += 0x7fffu + ((u >> 16) & 1u);
  u &= 0xffff0000u;
  if ((u & 0x7fffffffu) == 0x7f800000u)
    return std::copysign(std::ldexp(1.0, 128), f);
  float r;
  std::memcpy(&r, &u, sizeof(r));
  return r;
}

/// Pre-alignment in integer arithmetic on the decoded codes.
struct RefAligned {
  int exponent;
  std::vector<int64_t> mantissas;
};

RefAligned refAlign(const Enumerated &fmt, const std::vector<double> &values,
                    unsigned bits, bool truncate) {
  std::vector<uint32_t> codes;
  RefAligned out{1 - fmt.bias, {}};
  bool any = false;
  for (double v : values) {
    uint32_t code = fmt.nearestCode(std::fabs(v));
    codes.push_back(code);
    if (code != 0) {
      out.exponent =
          any ? std::max(out.exponent, fmt.binade(code)) : fmt.binade(code);
      any = true;
    }
  }
  int64_t codeMax = (int64_t(1) << bits) - 1;
  for (size_t i = 0; i < values.size(); ++i) {
    uint32_t code = codes[i];
    int64_t s = fmt.significand(code);
    // value = s * 2^q; M = R(s * 2^(q + L - 1 - E)).
    int shift = fmt.binade(code) - int(fmt.format.manBits) + int(bits) - 1 -
                out.exponent;
    int64_t m;
    if (shift >= 0) {
      m = s << shift;
    } else if (-shift >= 40) {
      m = 0; // s < 2^11: far below half a unit.
    } else {
      int k = -shift;
      int64_t quotient = s >> k, remainder = s & ((int64_t(1) << k) - 1);
      int64_t half = int64_t(1) << (k - 1);
      if (!truncate &&
          (remainder > half || (remainder == half && (quotient & 1))))
        ++quotient;
      m = quotient;
    }
    m = std::min(m, codeMax);
    out.mantissas.push_back(
        std::signbit(values[i]) && !std::isnan(values[i]) ? -m : m);
  }
  return out;
}

/// A value of random sign and magnitude 2^u, u uniform in
/// [lowExp, lowExp + spread), sometimes zero or an exact format value.
double randomValue(std::mt19937 &rng, const Enumerated &fmt, int lowExp,
                   int spread) {
  std::uniform_int_distribution<int> kind(0, 19);
  std::uniform_real_distribution<double> unit(1.0, 2.0);
  std::uniform_int_distribution<int> exp(lowExp, lowExp + spread - 1);
  std::bernoulli_distribution negative(0.5);
  double sign = negative(rng) ? -1.0 : 1.0;
  int k = kind(rng);
  if (k < 3)
    return 0.0;
  if (k < 7) {
    // An exact value near the top of a binade (e.g. 1.875 for e4m3) is what
    // rounds up to 2^L and needs the clamp.
    uint32_t first =
        uint32_t(std::lower_bound(fmt.values.begin(), fmt.values.end(),
                                  std::ldexp(1.0, lowExp)) -
                 fmt.values.begin());
    std::uniform_int_distribution<uint32_t> code(std::min(first, fmt.maxCode()),
                                                 fmt.maxCode());
    return sign * fmt.values[code(rng)];
  }
  return sign * std::ldexp(unit(rng), exp(rng));
}

const FloatFormat kFormats[] = {fp8E4M3(), fp8E5M2(), fp16(),
                                bf16(),    {2, 1},    {3, 0}};

//===----------------------------------------------------------------------===//
// Formats
//===----------------------------------------------------------------------===//

TEST(FloatingPointFormat, NamedFormatsAndLimits) {
  EXPECT_EQ(fp8E4M3(), (FloatFormat{4, 3}));
  EXPECT_EQ(fp8E5M2(), (FloatFormat{5, 2}));
  EXPECT_EQ(bf16(), (FloatFormat{8, 7}));
  EXPECT_EQ(fp16(), (FloatFormat{5, 10}));
  EXPECT_EQ(storageBits(fp8E4M3()), 8u);
  EXPECT_EQ(storageBits(fp8E5M2()), 8u);
  EXPECT_EQ(storageBits(bf16()), 16u);
  EXPECT_EQ(storageBits(fp16()), 16u);
  // No inf/NaN encodings: the top exponent field is finite.
  EXPECT_EQ(maxFinite(fp8E4M3()), 480.0);
  EXPECT_EQ(maxFinite(fp8E5M2()), 114688.0);
  EXPECT_EQ(maxFinite(fp16()), 131008.0);
  EXPECT_EQ(maxFinite(bf16()), (2.0 - 1.0 / 128) * std::ldexp(1.0, 128));
  EXPECT_EQ(minSubnormal(fp8E4M3()), std::ldexp(1.0, -9));
  EXPECT_EQ(minSubnormal(fp16()), std::ldexp(1.0, -24));
  EXPECT_EQ(exponentBias(bf16()), 127);
  EXPECT_EQ(minExponent(fp8E4M3()), -6);
  EXPECT_EQ(maxExponent(fp8E4M3()), 8);
  for (FloatFormat f : kFormats) {
    Enumerated fmt(f);
    EXPECT_EQ(maxFinite(f), fmt.values.back()) << formatName(f);
    EXPECT_EQ(minSubnormal(f), fmt.values[1]) << formatName(f);
  }
}

TEST(FloatingPointFormat, ParseAcceptsAndNames) {
  struct Good {
    const char *text;
    FloatFormat format;
  };
  for (Good good :
       {Good{"e4m3", {4, 3}}, Good{"E5M2", {5, 2}}, Good{"bf16", {8, 7}},
        Good{"BF16", {8, 7}}, Good{"fp16", {5, 10}}, Good{"Fp16", {5, 10}},
        Good{"e2m0", {2, 0}}, Good{"e8m10", {8, 10}}, Good{"e8m7", {8, 7}},
        Good{"e05m02", {5, 2}}}) {
    llvm::Expected<FloatFormat> parsed = parseFloatFormat(good.text);
    ASSERT_TRUE(static_cast<bool>(parsed))
        << good.text << ": " << llvm::toString(parsed.takeError());
    EXPECT_EQ(*parsed, good.format) << good.text;
  }
  EXPECT_EQ(formatName(fp8E4M3()), "e4m3");
  EXPECT_EQ(formatName(fp8E5M2()), "e5m2");
  EXPECT_EQ(formatName(bf16()), "e8m7");
  EXPECT_EQ(formatName(fp16()), "e5m10");
  for (unsigned e = kMinExpBits; e <= kMaxExpBits; ++e)
    for (unsigned m = 0; m <= kMaxManBits; ++m) {
      llvm::Expected<FloatFormat> back =
          parseFloatFormat(formatName(FloatFormat{e, m}));
      ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
      EXPECT_EQ(*back, (FloatFormat{e, m}));
    }
}

TEST(FloatingPointFormat, ParseRejects) {
  struct Bad {
    const char *text;
    const char *message;
  };
  for (Bad bad :
       {Bad{"e9m3", "expBits must be in [2, 8], got 9"},
        Bad{"e1m3", "expBits must be in [2, 8], got 1"}, Bad{"e0m0", "expBits"},
        Bad{"e4m11", "manBits must be in [0, 10], got 11"},
        Bad{"x", "invalid float format 'x'"},
        Bad{"", "invalid float format ''"}, Bad{"e4", "invalid"},
        Bad{"m3", "invalid"}, Bad{"e4m", "invalid"}, Bad{"em3", "invalid"},
        Bad{"e4m3fn", "invalid"}, Bad{"e-4m3", "invalid"},
        Bad{"e+4m3", "invalid"}, Bad{" e4m3", "invalid"}, Bad{"fp8", "invalid"},
        Bad{"bf16x", "invalid"}, Bad{"e99999999999m3", "invalid"}}) {
    llvm::Expected<FloatFormat> parsed = parseFloatFormat(bad.text);
    ASSERT_FALSE(static_cast<bool>(parsed)) << bad.text;
    std::string message = llvm::toString(parsed.takeError());
    EXPECT_NE(message.find(bad.message), std::string::npos)
        << bad.text << ": " << message;
  }
  std::string message = llvm::toString(verifyFloatFormat({4, 12}));
  EXPECT_NE(message.find("manBits"), std::string::npos) << message;
  message = llvm::toString(verifyFloatFormat({9, 3}));
  EXPECT_NE(message.find("expBits"), std::string::npos) << message;
  EXPECT_FALSE(static_cast<bool>(verifyFloatFormat(fp16())));
}

//===----------------------------------------------------------------------===//
// Rounding
//===----------------------------------------------------------------------===//

// Every gap between neighbouring values, probed at its ends, its midpoint
// (a tie), just either side of it and at a random point, both signs.
TEST(FloatingPointRound, MatchesExhaustiveEnumeration) {
  std::mt19937 rng(3);
  const FloatFormat formats[] = {fp8E4M3(), fp8E5M2(), fp16(), bf16(),
                                 {2, 0},    {3, 0},    {2, 1}, {8, 10}};
  for (FloatFormat f : formats) {
    Enumerated fmt(f);
    size_t mismatches = 0;
    auto check = [&](double v) {
      double got = roundToFormat(v, f), want = fmt.round(v);
      if (got != want && ++mismatches <= 10)
        ADD_FAILURE() << formatName(f) << ": round(" << v << ") = " << got
                      << ", want " << want;
    };
    for (size_t i = 0; i + 1 < fmt.values.size(); ++i) {
      double lo = fmt.values[i], hi = fmt.values[i + 1];
      double mid = (lo + hi) / 2;
      std::uniform_real_distribution<double> inside(lo, hi);
      for (double v : {lo, hi, mid, std::nextafter(mid, 0.0),
                       std::nextafter(mid, hi), inside(rng)}) {
        check(v);
        check(-v);
      }
    }
    EXPECT_EQ(mismatches, 0u) << formatName(f);
  }
}

TEST(FloatingPointRound, SaturatesAndHandlesSpecials) {
  for (FloatFormat f : kFormats) {
    double max = maxFinite(f), tiny = minSubnormal(f);
    double inf = std::numeric_limits<double>::infinity();
    for (double v :
         {std::nextafter(max, inf), max * 1.01, 2 * max, 1e300, inf}) {
      EXPECT_EQ(roundToFormat(v, f), max) << formatName(f) << " " << v;
      EXPECT_EQ(roundToFormat(-v, f), -max) << formatName(f) << " " << v;
    }
    EXPECT_EQ(roundToFormat(max, f), max);
    EXPECT_EQ(roundToFormat(std::numeric_limits<double>::quiet_NaN(), f), 0.0);
    EXPECT_EQ(roundToFormat(0.0, f), 0.0);
    EXPECT_EQ(roundToFormat(-0.0, f), 0.0);
    // Half the smallest subnormal ties to 0 (the even code); above it, up.
    EXPECT_EQ(roundToFormat(tiny / 2, f), 0.0) << formatName(f);
    EXPECT_EQ(roundToFormat(std::nextafter(tiny / 2, 1.0), f), tiny);
    EXPECT_EQ(roundToFormat(-tiny * 0.75, f), -tiny);
    EXPECT_EQ(roundToFormat(tiny / 4, f), 0.0);
    EXPECT_EQ(roundToFormat(std::numeric_limits<double>::denorm_min(), f), 0.0);
    if (f.manBits >= 1) {
      EXPECT_EQ(roundToFormat(tiny * 3, f), tiny * 3) << formatName(f);
    }
  }
  // Subnormals of e4m3: 0.m * 2^-6, step 2^-9.
  EXPECT_EQ(roundToFormat(5.4 * std::ldexp(1.0, -9), fp8E4M3()),
            5 * std::ldexp(1.0, -9));
  EXPECT_EQ(roundToFormat(2.5 * std::ldexp(1.0, -9), fp8E4M3()),
            2 * std::ldexp(1.0, -9));
  // e4m3 ties: 1.0625 lies between 1 and 1.125 -> 1 (even); 1.1875 -> 1.25.
  EXPECT_EQ(roundToFormat(1.0625, fp8E4M3()), 1.0);
  EXPECT_EQ(roundToFormat(1.1875, fp8E4M3()), 1.25);
  // 464 ties between 448 (mantissa 110) and 480 (111).
  EXPECT_EQ(roundToFormat(464.0, fp8E4M3()), 448.0);
  EXPECT_EQ(roundToFormat(465.0, fp8E4M3()), 480.0);
}

// bf16 against float32 bit manipulation, over random finite bit patterns
// (normal and subnormal floats, both signs) and exact ties.
TEST(FloatingPointRound, Bf16MatchesFloat32Bits) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> bits;
  size_t mismatches = 0, checked = 0;
  for (int i = 0; i < 400000; ++i) {
    uint32_t u = bits(rng);
    if ((u & 0x7f800000u) == 0x7f800000u)
      continue; // inf or NaN
    if (i % 4 == 1)
      u = (u & 0xffff0000u) | 0x8000u; // a tie
    else if (i % 8 == 2)
      u &= 0x807fffffu; // a subnormal
    float f;
    std::memcpy(&f, &u, sizeof(f));
    double got = roundToFormat(f, bf16()), want = bf16ByBits(f);
    ++checked;
    if (got != want && ++mismatches <= 10)
      ADD_FAILURE() << "bits " << std::hex << u << ": " << got << " want "
                    << want;
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_GT(checked, 390000u);
  // The largest float rounds to 2^128, which is finite here.
  EXPECT_EQ(roundToFormat(std::numeric_limits<float>::max(), bf16()),
            std::ldexp(1.0, 128));
}

// ONNX Cast's bfloat16 (truncation, IEEE specials kept), against values
// worked out from the bit patterns by hand.
TEST(FloatingPointRound, TruncateToBFloat16) {
  auto fromBits = [](uint32_t u) {
    float f;
    std::memcpy(&f, &u, sizeof(f));
    return f;
  };
  // 1 + 2^-8 + 2^-9 (0x3f80c000): rounding would give 1 + 2^-7.
  EXPECT_EQ(truncateToBFloat16(fromBits(0x3f80c000u)), 1.0f);
  EXPECT_EQ(truncateToBFloat16(fromBits(0xbf80c000u)), -1.0f);
  EXPECT_EQ(truncateToBFloat16(std::numeric_limits<float>::max()),
            fromBits(0x7f7f0000u));
  EXPECT_EQ(truncateToBFloat16(std::numeric_limits<float>::infinity()),
            std::numeric_limits<float>::infinity());
  // A NaN whose payload is all in the low bits stays a NaN, with its sign.
  float nan = truncateToBFloat16(fromBits(0xff800001u));
  EXPECT_TRUE(std::isnan(nan));
  EXPECT_TRUE(std::signbit(nan));
  // Subnormals truncate too: 0x0001ffff keeps 0x00010000.
  EXPECT_EQ(truncateToBFloat16(fromBits(0x0001ffffu)), fromBits(0x00010000u));
}

//===----------------------------------------------------------------------===//
// Pre-alignment
//===----------------------------------------------------------------------===//

TEST(FloatingPointAlign, MatchesIntegerReference) {
  std::mt19937 rng(5);
  const unsigned widths[] = {1, 2, 3, 4, 8, 11, 16, 24};
  std::uniform_int_distribution<int> size(1, 40), spread(1, 25);
  int cases = 0;
  for (FloatFormat f : kFormats) {
    Enumerated fmt(f);
    std::uniform_int_distribution<int> low(minExponent(f) - 12,
                                           maxExponent(f) + 1);
    for (unsigned bits : widths)
      for (bool truncate : {false, true})
        for (int rep = 0; rep < 40; ++rep) {
          std::vector<double> values(size(rng));
          int lowExp = low(rng), span = spread(rng);
          for (double &v : values)
            v = randomValue(rng, fmt, lowExp, span);
          if (rep == 0)
            values.push_back(std::numeric_limits<double>::infinity());
          if (rep == 1)
            values.push_back(std::numeric_limits<double>::quiet_NaN());
          AlignedGroup got = alignGroup(values, f, bits, truncate);
          RefAligned want = refAlign(fmt, values, bits, truncate);
          std::string what = formatName(f) + " L=" + std::to_string(bits) +
                             (truncate ? " truncate" : " round");
          ASSERT_EQ(got.exponent, want.exponent) << what;
          ASSERT_EQ(got.mantissas, want.mantissas) << what;
          for (size_t i = 0; i < values.size(); ++i) {
            EXPECT_LE(std::abs(got.mantissas[i]), alignedCodeMax(bits));
            EXPECT_EQ(alignedValue(got, i, bits),
                      std::ldexp(double(want.mantissas[i]),
                                 want.exponent - int(bits) + 1))
                << what;
          }
          ++cases;
        }
  }
  EXPECT_EQ(cases, 6 * 8 * 2 * 40);
}

TEST(FloatingPointAlign, SmallValuesUnderflow) {
  double two = 2.0;
  std::vector<double> values = {1.0, std::pow(two, -7), std::pow(two, -8),
                                3 * std::pow(two, -9), -std::pow(two, -10)};
  // L = 8: one unit is 2^-7 of the group's exponent 2^0.
  AlignedGroup rounded = alignGroup(values, bf16(), 8, false);
  EXPECT_EQ(rounded.exponent, 0);
  EXPECT_EQ(rounded.mantissas, (std::vector<int64_t>{128, 1, 0, 1, 0}));
  AlignedGroup truncated = alignGroup(values, bf16(), 8, true);
  EXPECT_EQ(truncated.mantissas, (std::vector<int64_t>{128, 1, 0, 0, 0}));
  EXPECT_EQ(alignedValue(rounded, 3, 8), std::pow(two, -7));
  EXPECT_EQ(alignedValue(rounded, 2, 8), 0.0);
  // With a wide enough L nothing is lost.
  AlignedGroup wide = alignGroup(values, bf16(), 11, false);
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(alignedValue(wide, i, 11), values[i]);
}

TEST(FloatingPointAlign, ClampsAtCodeMax) {
  // 1.875 * 2^(L-1) = 7.5 at L = 3 rounds to 8 = 2^L: clamped to 7.
  AlignedGroup g = alignGroup({1.875, -1.875, 0.5}, fp8E4M3(), 3, false);
  EXPECT_EQ(g.exponent, 0);
  EXPECT_EQ(g.mantissas, (std::vector<int64_t>{7, -7, 2}));
  EXPECT_EQ(alignedCodeMax(3), 7);
  EXPECT_EQ(alignedCodeBits(3), 4u);
  EXPECT_EQ(alignGroup({1.875}, fp8E4M3(), 3, true).mantissas,
            (std::vector<int64_t>{7}));
  EXPECT_EQ(alignGroup({1.875}, fp8E4M3(), 4, false).mantissas,
            (std::vector<int64_t>{15}));
  EXPECT_EQ(alignGroup({1.75}, fp8E4M3(), 2, false).mantissas,
            (std::vector<int64_t>{3}));
  EXPECT_EQ(alignGroup({1.75}, fp8E4M3(), 1, false).mantissas,
            (std::vector<int64_t>{1}));
  EXPECT_EQ(alignedCodeMax(24), (int64_t(1) << 24) - 1);
}

TEST(FloatingPointAlign, ZeroAndSubnormalGroups) {
  for (FloatFormat f : kFormats) {
    // Zeros, and values that round to zero in the format.
    AlignedGroup zero =
        alignGroup({0.0, -0.0, minSubnormal(f) / 4}, f, 8, false);
    EXPECT_EQ(zero.exponent, minExponent(f));
    EXPECT_EQ(zero.mantissas, (std::vector<int64_t>{0, 0, 0}));
    AlignedGroup empty = alignGroup({}, f, 8, false);
    EXPECT_EQ(empty.exponent, minExponent(f));
    EXPECT_TRUE(empty.mantissas.empty());
  }
  // Only subnormals: E is the smallest normal exponent, -6 for e4m3.
  double sub = std::ldexp(1.0, -9);
  AlignedGroup g = alignGroup({sub, -3 * sub, 7 * sub}, fp8E4M3(), 4, false);
  EXPECT_EQ(g.exponent, -6);
  EXPECT_EQ(g.mantissas, (std::vector<int64_t>{1, -3, 7}));
  // NaN drives 0, infinity the largest value.
  g = alignGroup({std::numeric_limits<double>::quiet_NaN(),
                  -std::numeric_limits<double>::infinity()},
                 fp8E4M3(), 4, false);
  EXPECT_EQ(g.exponent, 8);
  EXPECT_EQ(g.mantissas, (std::vector<int64_t>{0, -15}));
}

//===----------------------------------------------------------------------===//
// FP-CIM MVM
//===----------------------------------------------------------------------===//

/// The aligned operands of a tile and the MVM they define, computed with
/// the references above.
struct RefTile {
  std::vector<int> weightExponents;
  std::vector<int64_t> weightMantissas;
  std::vector<double> y;
  /// Per column: sum of |terms| (a scale for tolerances).
  std::vector<double> magnitude;
};

RefTile refTile(const FpCimConfig &config, const std::vector<double> &w,
                const std::vector<double> &x, int64_t rows, int64_t cols) {
  Enumerated in(config.input), wf(config.weight);
  unsigned L = config.inputAlignedBits, Lw = config.weightAlignedBits;
  int64_t groupRows = config.groupRows;
  int64_t groups = (rows + groupRows - 1) / groupRows;
  RefTile out;
  out.weightExponents.assign(groups * cols, 0);
  out.weightMantissas.assign(rows * cols, 0);
  std::vector<long double> acc(cols, 0.0L);
  out.magnitude.assign(cols, 0.0);
  for (int64_t g = 0; g < groups; ++g) {
    int64_t r0 = g * groupRows, r1 = std::min(rows, r0 + groupRows);
    RefAligned xa =
        refAlign(in, std::vector<double>(x.begin() + r0, x.begin() + r1), L,
                 config.truncate);
    for (int64_t n = 0; n < cols; ++n) {
      std::vector<double> column;
      for (int64_t k = r0; k < r1; ++k)
        column.push_back(w[k * cols + n]);
      RefAligned wa = refAlign(wf, column, Lw, config.truncate);
      out.weightExponents[g * cols + n] = wa.exponent;
      for (int64_t k = r0; k < r1; ++k) {
        out.weightMantissas[k * cols + n] = wa.mantissas[k - r0];
        double xv =
            std::ldexp(double(xa.mantissas[k - r0]), xa.exponent - int(L) + 1);
        double wv =
            std::ldexp(double(wa.mantissas[k - r0]), wa.exponent - int(Lw) + 1);
        acc[n] += (long double)xv * wv;
        out.magnitude[n] += std::fabs(xv * wv);
      }
    }
  }
  for (long double a : acc)
    out.y.push_back(double(a));
  return out;
}

TEST(FloatingPointMVM, MatchesAlignedProducts) {
  std::mt19937 rng(13);
  const FloatFormat formats[] = {fp8E4M3(), fp8E5M2(), fp16(), bf16()};
  const unsigned groupSizes[] = {1, 7, 16, 128, 1000};
  std::uniform_int_distribution<int> rowDist(1, 300), colDist(1, 12),
      widthDist(1, 12), formatDist(0, 3), spreadDist(1, 12);
  std::bernoulli_distribution coin(0.5);
  int exactChecks = 0;
  for (unsigned groupRows : groupSizes)
    for (int rep = 0; rep < 12; ++rep) {
      FpCimConfig config;
      config.input = formats[formatDist(rng)];
      config.weight = formats[formatDist(rng)];
      config.inputAlignedBits = widthDist(rng);
      config.weightAlignedBits = widthDist(rng);
      config.truncate = coin(rng);
      config.groupRows = groupRows;
      ASSERT_FALSE(static_cast<bool>(verifyFpCimConfig(config)));
      int64_t rows = rowDist(rng), cols = colDist(rng);
      Enumerated in(config.input), wf(config.weight);
      std::vector<double> x(rows), w(rows * cols);
      int span = spreadDist(rng);
      for (double &v : x)
        v = randomValue(rng, in, -span / 2, span);
      for (double &v : w)
        v = randomValue(rng, wf, -span / 2 - 2, span);

      FpWeights weights = alignWeights(w, rows, cols, config);
      std::vector<double> y(cols, -1.0);
      fpCimMVM(config, weights, x, y);
      RefTile want = refTile(config, w, x, rows, cols);

      EXPECT_EQ(weights.rows, rows);
      EXPECT_EQ(weights.cols, cols);
      EXPECT_EQ(weights.groups, (rows + groupRows - 1) / groupRows);
      EXPECT_EQ(weights.exponents, want.weightExponents);
      EXPECT_EQ(weights.mantissas, want.weightMantissas);
      bool oneGroup = rows <= int64_t(groupRows);
      for (int64_t n = 0; n < cols; ++n) {
        if (oneGroup) {
          // One integer MAC scaled once: exact.
          EXPECT_EQ(y[n], want.y[n]) << "column " << n;
          ++exactChecks;
        } else {
          EXPECT_NEAR(y[n], want.y[n], 1e-13 * want.magnitude[n])
              << "column " << n;
        }
      }
    }
  EXPECT_GT(exactChecks, 0);
}

// Narrow operands of similar magnitude: the cross-group sum is exact too.
TEST(FloatingPointMVM, ExactForSmallSums) {
  std::mt19937 rng(17);
  std::uniform_real_distribution<double> value(-2.0, 2.0);
  FpCimConfig config;
  config.input = fp8E4M3();
  config.weight = fp8E4M3();
  config.inputAlignedBits = 6;
  config.weightAlignedBits = 4;
  config.groupRows = 16;
  int64_t rows = 100, cols = 5;
  for (int rep = 0; rep < 20; ++rep) {
    std::vector<double> x(rows), w(rows * cols);
    for (double &v : x)
      v = value(rng);
    for (double &v : w)
      v = value(rng);
    std::vector<double> y(cols);
    fpCimMVM(config, alignWeights(w, rows, cols, config), x, y);
    RefTile want = refTile(config, w, x, rows, cols);
    for (int64_t n = 0; n < cols; ++n)
      EXPECT_EQ(y[n], want.y[n]);
  }
}

// With 24 aligned bits, bf16 operands lose almost nothing to alignment:
// each aligned value is within 2^-23 of its group's largest magnitude.
TEST(FloatingPointMVM, WideAlignmentMatchesBf16DotProduct) {
  std::mt19937 rng(19);
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::uniform_real_distribution<double> positive(0.1, 1.0);
  std::uniform_int_distribution<int> scale(-20, 20);
  FpCimConfig config;
  config.input = bf16();
  config.weight = bf16();
  config.inputAlignedBits = 24;
  config.weightAlignedBits = 24;
  config.groupRows = 32;
  ASSERT_FALSE(static_cast<bool>(verifyFpCimConfig(config)));
  int64_t rows = 256, cols = 8;
  for (int rep = 0; rep < 20; ++rep) {
    bool signedCase = rep % 2 == 0;
    std::vector<double> x(rows), w(rows * cols);
    double xScale = std::ldexp(1.0, scale(rng)),
           wScale = std::ldexp(1.0, scale(rng));
    // Floats, so that bf16ByBits rounds once, as roundToFormat does.
    for (double &v : x)
      v = float(xScale * (signedCase ? gauss(rng) : positive(rng)));
    for (double &v : w)
      v = float(wScale * (signedCase ? gauss(rng) : positive(rng)));
    std::vector<double> y(cols);
    fpCimMVM(config, alignWeights(w, rows, cols, config), x, y);
    for (int64_t n = 0; n < cols; ++n) {
      long double dot = 0;
      double bound = 0;
      for (int64_t g = 0; g < rows / 32; ++g) {
        double maxX = 0, maxW = 0;
        for (int64_t k = g * 32; k < (g + 1) * 32; ++k) {
          double xb = bf16ByBits(float(x[k]));
          double wb = bf16ByBits(float(w[k * cols + n]));
          dot += (long double)xb * wb;
          maxX = std::max(maxX, std::fabs(xb));
          maxW = std::max(maxW, std::fabs(wb));
        }
        bound += 32 * maxX * maxW;
      }
      // Per product at most (2^-23 + 2^-23 + 2^-46) maxX maxW.
      EXPECT_NEAR(y[n], double(dot), std::ldexp(bound, -21)) << "column " << n;
      if (!signedCase) {
        EXPECT_NEAR(y[n] / double(dot), 1.0, 2e-6) << "column " << n;
      }
    }
  }
}

TEST(FloatingPointMVM, StorageBits) {
  FpCimConfig config; // bf16, Lw = 8, groups of 128
  EXPECT_EQ(weightStorageBits(config, 256), 9.0 + 8.0 / 128);
  EXPECT_EQ(weightStorageBits(config, 128), 9.0 + 8.0 / 128);
  EXPECT_EQ(weightStorageBits(config, 64), 9.0 + 8.0 / 64);
  EXPECT_EQ(weightStorageBits(config, 1), 9.0 + 8.0);
  // A partial last group stores its own exponents.
  EXPECT_EQ(weightStorageBits(config, 200), 9.0 + 16.0 / 200);
  config.weight = fp8E4M3();
  config.weightAlignedBits = 4;
  config.groupRows = 16;
  EXPECT_EQ(weightStorageBits(config, 512), 5.0 + 4.0 / 16);
}

TEST(FloatingPointMVM, VerifyConfigNamesField) {
  struct Bad {
    void (*set)(FpCimConfig &);
    const char *message;
  };
  const Bad bads[] = {
      {[](FpCimConfig &c) { c.input.expBits = 9; },
       "input.expBits must be in [2, 8], got 9"},
      {[](FpCimConfig &c) { c.input.manBits = 11; },
       "input.manBits must be in [0, 10], got 11"},
      {[](FpCimConfig &c) { c.weight.expBits = 1; },
       "weight.expBits must be in [2, 8], got 1"},
      {[](FpCimConfig &c) { c.weight.manBits = 16; },
       "weight.manBits must be in [0, 10], got 16"},
      {[](FpCimConfig &c) { c.inputAlignedBits = 0; },
       "inputAlignedBits must be in [1, 24], got 0"},
      {[](FpCimConfig &c) { c.inputAlignedBits = 25; },
       "inputAlignedBits must be in [1, 24], got 25"},
      {[](FpCimConfig &c) { c.weightAlignedBits = 0; },
       "weightAlignedBits must be in [1, 24], got 0"},
      {[](FpCimConfig &c) { c.weightAlignedBits = 40; },
       "weightAlignedBits must be in [1, 24], got 40"},
      {[](FpCimConfig &c) { c.groupRows = 0; }, "groupRows must be at least 1"},
      {[](FpCimConfig &c) {
         c.inputAlignedBits = c.weightAlignedBits = 24;
         c.groupRows = 1 << 16;
       },
       "groupRows 65536 overflows the int64 group MAC"},
  };
  for (const Bad &bad : bads) {
    FpCimConfig config;
    bad.set(config);
    llvm::Error error = verifyFpCimConfig(config);
    ASSERT_TRUE(static_cast<bool>(error)) << bad.message;
    std::string message = llvm::toString(std::move(error));
    EXPECT_NE(message.find("fp-cim config: "), std::string::npos) << message;
    EXPECT_NE(message.find(bad.message), std::string::npos) << message;
  }
  FpCimConfig good;
  EXPECT_FALSE(static_cast<bool>(verifyFpCimConfig(good)));
  good.inputAlignedBits = good.weightAlignedBits = 24;
  good.groupRows = 32767; // (2^24 - 1)^2 * 32767 < 2^63
  EXPECT_FALSE(static_cast<bool>(verifyFpCimConfig(good)));
  good.input = {2, 0};
  good.weight = {8, 10};
  EXPECT_FALSE(static_cast<bool>(verifyFpCimConfig(good)));
}

// The crossbar path (pre-alignment, the bit-sliced integer MAC per row
// group through a lossless read-out, the digital scaling) computes what the
// reference model fpCimMVM defines, on every signed-number scheme, through
// both the exact-GEMM shortcut and the bit-sliced kernel.
TEST(FloatingPointCrossbar, MatchesTheReferenceModel) {
  using mlir::cim::numerics::AdcMode;
  using mlir::cim::numerics::InputSign;
  using mlir::cim::numerics::WeightSign;
  std::mt19937 rng(21);
  std::lognormal_distribution<double> magnitude(-2.0, 1.5);
  std::bernoulli_distribution negative(0.4);
  FpCimConfig fp;
  fp.input = fp8E4M3();
  fp.weight = fp8E5M2();
  fp.inputAlignedBits = 6;
  fp.weightAlignedBits = fp.weight.manBits + 1;
  fp.groupRows = 16;
  const int64_t rows = 45, cols = 5, batch = 7;
  std::vector<double> w(rows * cols);
  for (double &v : w)
    v = (negative(rng) ? -1 : 1) * magnitude(rng);
  std::vector<float> x(batch * rows);
  for (float &v : x)
    v = float((negative(rng) ? -1 : 1) * magnitude(rng));
  FpWeights weights = alignWeights(w, rows, cols, fp);
  for (WeightSign sign :
       {WeightSign::offset, WeightSign::differential_columns,
        WeightSign::differential_rows, WeightSign::twos_complement})
    for (AdcMode mode : {AdcMode::adder_tree, AdcMode::full_range})
      for (bool sliced : {false, true}) {
        CrossbarConfig config;
        config.weightBits = fp.weightAlignedBits + 1;
        config.inputBits = alignedCodeBits(fp.inputAlignedBits);
        config.cellBits = mode == AdcMode::adder_tree ? 1 : 2;
        config.dacBits = 1;
        config.parallelRows = sign == WeightSign::differential_rows
                                  ? 2 * fp.groupRows
                                  : fp.groupRows;
        config.weightSign = sign;
        config.inputSign = InputSign::twos_complement;
        config.adcMode = mode;
        config.adcBits = losslessAdcBits(config);
        std::vector<float> out(batch * cols);
        CrossbarStats stats;
        stats.countActiveCells = sliced; // Forces the bit-sliced kernel.
        llvm::Error error =
            fpCrossbarMVMBatch(config, fp, weights, batch, x, out, &stats);
        ASSERT_FALSE(static_cast<bool>(error))
            << llvm::toString(std::move(error));
        for (int64_t p = 0; p < batch; ++p) {
          std::vector<double> xp(x.begin() + p * rows,
                                 x.begin() + (p + 1) * rows),
              ref(cols);
          fpCimMVM(fp, weights, xp, ref);
          for (int64_t n = 0; n < cols; ++n)
            EXPECT_EQ(out[p * cols + n], float(ref[n]))
                << "vector " << p << " column " << n << " scheme " << int(sign)
                << " sliced " << sliced;
        }
        EXPECT_GT(stats.conversions, 0u);
      }
}

} // namespace
