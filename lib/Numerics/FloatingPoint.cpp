//===- FloatingPoint.cpp - Floating-point CIM number model ----------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Numerics/FloatingPoint.h"
#include "cim/Numerics/Gemm.h"
#include "cim/Numerics/Quantize.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>

using namespace llvm;
using namespace mlir::cim;
using namespace mlir::cim::numerics;

//===----------------------------------------------------------------------===//
// Float formats
//===----------------------------------------------------------------------===//

/// Checks one format; `prefix` qualifies the field names ("input.").
static llvm::Error checkFormat(FloatFormat format, const llvm::Twine &prefix,
                               const llvm::Twine &context) {
  if (format.expBits < kMinExpBits || format.expBits > kMaxExpBits)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   context + prefix + "expBits must be in [" +
                                       llvm::Twine(kMinExpBits) + ", " +
                                       llvm::Twine(kMaxExpBits) + "], got " +
                                       llvm::Twine(format.expBits));
  if (format.manBits > kMaxManBits)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        context + prefix + "manBits must be in [0, " +
            llvm::Twine(kMaxManBits) + "], got " + llvm::Twine(format.manBits));
  return llvm::Error::success();
}

llvm::Error numerics::verifyFloatFormat(FloatFormat format) {
  return checkFormat(format, "", "float format: ");
}

llvm::Expected<FloatFormat> numerics::parseFloatFormat(llvm::StringRef text) {
  std::string lower = text.lower();
  llvm::StringRef rest = lower;
  FloatFormat format;
  if (rest == "bf16") {
    format = bf16();
  } else if (rest == "fp16") {
    format = fp16();
  } else {
    // consumeInteger also takes a sign or a radix prefix only with radix 0;
    // requiring a leading digit keeps "e-1m2" and "e m2" out.
    auto digitNext = [&] { return !rest.empty() && llvm::isDigit(rest[0]); };
    bool ok = rest.consume_front("e") && digitNext() &&
              !rest.consumeInteger(10, format.expBits) &&
              rest.consume_front("m") && digitNext() &&
              !rest.consumeInteger(10, format.manBits) && rest.empty();
    if (!ok)
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "invalid float format '" + text +
              "': expected bf16, fp16 or eXmY (e.g. e4m3, e5m2)");
  }
  if (llvm::Error error =
          checkFormat(format, "", "float format '" + text + "': "))
    return std::move(error);
  return format;
}

std::string numerics::formatName(FloatFormat format) {
  return "e" + std::to_string(format.expBits) + "m" +
         std::to_string(format.manBits);
}

unsigned numerics::storageBits(FloatFormat format) {
  return 1 + format.expBits + format.manBits;
}

int numerics::exponentBias(FloatFormat format) {
  return (1 << (format.expBits - 1)) - 1;
}

int numerics::minExponent(FloatFormat format) {
  return 1 - exponentBias(format);
}

int numerics::maxExponent(FloatFormat format) {
  return (1 << format.expBits) - 1 - exponentBias(format);
}

double numerics::maxFinite(FloatFormat format) {
  return std::ldexp(2.0 - std::ldexp(1.0, -int(format.manBits)),
                    maxExponent(format));
}

double numerics::minSubnormal(FloatFormat format) {
  return std::ldexp(1.0, minExponent(format) - int(format.manBits));
}

/// floor(log2 a) for a finite a > 0, exactly (frexp does not round).
static int floorLog2(double a) {
  int e;
  std::frexp(a, &e);
  return e - 1;
}

/// `s` (>= 0) rounded to an integer, ties to even, whatever the FPU's
/// rounding mode. `s - floor(s)` is exact for doubles.
static double roundHalfEven(double s) {
  double r = std::floor(s);
  double frac = s - r;
  if (frac > 0.5 || (frac == 0.5 && std::fmod(r, 2.0) != 0.0))
    r += 1.0;
  return r;
}

/// Whether c * 2^(e - manBits) has an even encoding, for the two candidates
/// c of a rounding at exponent e (c <= 2^(manBits+1)).
static bool isEvenEncoding(double c, int e, FloatFormat format) {
  if (format.manBits > 0)
    // The mantissa field's last bit; c = 2^(m+1) is the next binade's
    // mantissa 0.
    return std::fmod(c, 2.0) == 0.0;
  // No mantissa bits: the last encoded bit is the exponent field's.
  if (c == 0.0)
    return true;
  int field = e + (c == 2.0 ? 1 : 0) + exponentBias(format);
  return field % 2 == 0;
}

double numerics::roundToFormat(double v, FloatFormat format) {
  if (std::isnan(v) || v == 0.0)
    return 0.0;
  double maxValue = maxFinite(format);
  double a = std::fabs(v);
  if (a >= maxValue)
    return std::copysign(maxValue, v);
  // The quantum is 2^(e - m) in e's binade; subnormals share the smallest
  // normal binade's quantum. Scaling by powers of two is exact here.
  int e = std::max(floorLog2(a), minExponent(format));
  int shift = int(format.manBits) - e;
  double s = std::ldexp(a, shift);
  double lo = std::floor(s);
  double frac = s - lo;
  double c = lo;
  if (frac > 0.5 || (frac == 0.5 && !isEvenEncoding(lo, e, format)))
    c = lo + 1.0;
  double rounded = std::min(std::ldexp(c, -shift), maxValue);
  return std::copysign(rounded, v);
}

float numerics::truncateToBFloat16(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  if (std::isnan(v))
    bits = (bits & 0x80000000u) | 0x7fc00000u;
  else
    bits &= 0xffff0000u;
  float out;
  std::memcpy(&out, &bits, sizeof(out));
  return out;
}

//===----------------------------------------------------------------------===//
// Pre-alignment
//===----------------------------------------------------------------------===//

int64_t numerics::alignedCodeMax(unsigned alignedBits) {
  return (int64_t(1) << alignedBits) - 1;
}

unsigned numerics::alignedCodeBits(unsigned alignedBits) {
  return alignedBits + 1;
}

AlignedGroup numerics::alignGroup(llvm::ArrayRef<double> values,
                                  FloatFormat format, unsigned alignedBits,
                                  bool truncate) {
  assert(alignedBits >= 1 && alignedBits <= 62 && "aligned bits out of range");
  std::vector<double> rounded(values.size());
  int emin = minExponent(format);
  bool anyNonZero = false;
  int exponent = emin;
  for (size_t i = 0; i < values.size(); ++i) {
    rounded[i] = roundToFormat(values[i], format);
    if (rounded[i] == 0.0)
      continue;
    int e = std::max(floorLog2(std::fabs(rounded[i])), emin);
    exponent = anyNonZero ? std::max(exponent, e) : e;
    anyNonZero = true;
  }
  AlignedGroup group;
  group.exponent = exponent;
  group.mantissas.assign(values.size(), 0);
  int64_t codeMax = alignedCodeMax(alignedBits);
  for (size_t i = 0; i < values.size(); ++i) {
    if (rounded[i] == 0.0)
      continue;
    // Exact: |x| has at most manBits + 1 significant bits and the result
    // stays far inside the double range.
    double s =
        std::ldexp(std::fabs(rounded[i]), int(alignedBits) - 1 - exponent);
    double r = truncate ? std::floor(s) : roundHalfEven(s);
    int64_t m = std::min(int64_t(r), codeMax);
    group.mantissas[i] = rounded[i] < 0 ? -m : m;
  }
  return group;
}

double numerics::alignedValue(const AlignedGroup &group, size_t i,
                              unsigned alignedBits) {
  return std::ldexp(double(group.mantissas[i]),
                    group.exponent - (int(alignedBits) - 1));
}

//===----------------------------------------------------------------------===//
// FP-CIM matrix-vector product
//===----------------------------------------------------------------------===//

static llvm::Error fpConfigError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "fp-cim config: " + message);
}

llvm::Error numerics::verifyFpCimConfig(const FpCimConfig &config) {
  if (llvm::Error error =
          checkFormat(config.input, "input.", "fp-cim config: "))
    return error;
  if (llvm::Error error =
          checkFormat(config.weight, "weight.", "fp-cim config: "))
    return error;
  struct Width {
    const char *name;
    unsigned value;
  };
  for (Width width : {Width{"inputAlignedBits", config.inputAlignedBits},
                      Width{"weightAlignedBits", config.weightAlignedBits}})
    if (width.value < 1 || width.value > kMaxAlignedBits)
      return fpConfigError(llvm::Twine(width.name) + " must be in [1, " +
                           llvm::Twine(kMaxAlignedBits) + "], got " +
                           llvm::Twine(width.value));
  if (config.groupRows < 1)
    return fpConfigError("groupRows must be at least 1, got 0");
  // The group MAC is exact int64 arithmetic; the product of the two code
  // maxima is below 2^48, so this bounds groupRows to about 2^15 at 24 bits.
  int64_t product = alignedCodeMax(config.inputAlignedBits) *
                    alignedCodeMax(config.weightAlignedBits);
  if (int64_t(config.groupRows) > std::numeric_limits<int64_t>::max() / product)
    return fpConfigError("groupRows " + llvm::Twine(config.groupRows) +
                         " overflows the int64 group MAC at inputAlignedBits " +
                         llvm::Twine(config.inputAlignedBits) +
                         " and weightAlignedBits " +
                         llvm::Twine(config.weightAlignedBits));
  return llvm::Error::success();
}

FpWeights numerics::alignWeights(llvm::ArrayRef<double> w, int64_t rows,
                                 int64_t cols, const FpCimConfig &config) {
  assert(rows >= 0 && cols >= 0 && int64_t(w.size()) == rows * cols &&
         "weight shape mismatch");
  int64_t groupRows = config.groupRows;
  FpWeights out;
  out.rows = rows;
  out.cols = cols;
  out.groups = (rows + groupRows - 1) / groupRows;
  out.exponents.assign(out.groups * cols, 0);
  out.mantissas.assign(rows * cols, 0);
  std::vector<double> column;
  for (int64_t g = 0; g < out.groups; ++g) {
    int64_t r0 = g * groupRows, r1 = std::min(rows, r0 + groupRows);
    for (int64_t n = 0; n < cols; ++n) {
      column.clear();
      for (int64_t k = r0; k < r1; ++k)
        column.push_back(w[k * cols + n]);
      AlignedGroup group = alignGroup(
          column, config.weight, config.weightAlignedBits, config.truncate);
      out.exponents[g * cols + n] = group.exponent;
      for (int64_t k = r0; k < r1; ++k)
        out.mantissas[k * cols + n] = group.mantissas[k - r0];
    }
  }
  return out;
}

void numerics::fpCimMVM(const FpCimConfig &config, const FpWeights &weights,
                        llvm::ArrayRef<double> x,
                        llvm::MutableArrayRef<double> y) {
  assert(int64_t(x.size()) == weights.rows && "input size mismatch");
  assert(int64_t(y.size()) == weights.cols && "output size mismatch");
  int64_t rows = weights.rows, cols = weights.cols;
  int64_t groupRows = config.groupRows;
  int scaleBias =
      -(int(config.inputAlignedBits) - 1) - (int(config.weightAlignedBits) - 1);
  std::fill(y.begin(), y.end(), 0.0);
  std::vector<int64_t> partial(cols);
  for (int64_t g = 0; g * groupRows < rows; ++g) {
    int64_t r0 = g * groupRows, r1 = std::min(rows, r0 + groupRows);
    AlignedGroup in = alignGroup(x.slice(r0, r1 - r0), config.input,
                                 config.inputAlignedBits, config.truncate);
    std::fill(partial.begin(), partial.end(), 0);
    for (int64_t k = r0; k < r1; ++k) {
      int64_t m = in.mantissas[k - r0];
      if (m == 0)
        continue;
      const int64_t *row = weights.mantissas.data() + k * cols;
      for (int64_t n = 0; n < cols; ++n)
        partial[n] += m * row[n];
    }
    // |P| < 2^53 converts exactly; beyond, the conversion rounds like the
    // double accumulator would.
    for (int64_t n = 0; n < cols; ++n)
      y[n] +=
          std::ldexp(double(partial[n]),
                     in.exponent + weights.exponents[g * cols + n] + scaleBias);
  }
}

double numerics::weightStorageBits(const FpCimConfig &config, int64_t rows) {
  assert(rows >= 1 && "empty tile");
  int64_t groups = (rows + config.groupRows - 1) / config.groupRows;
  return double(config.weightAlignedBits + 1) +
         double(config.weight.expBits) * double(groups) / double(rows);
}

numerics::AlignedInputs numerics::alignInputs(const FpCimConfig &fp,
                                              int64_t batch, int64_t rows,
                                              llvm::ArrayRef<float> inputs) {
  AlignedInputs out;
  out.groups = (rows + fp.groupRows - 1) / fp.groupRows;
  out.mantissas.assign(batch * rows, 0);
  out.exponents.assign(batch * out.groups, 0);
  std::vector<double> values;
  for (int64_t p = 0; p < batch; ++p)
    for (int64_t g = 0; g < out.groups; ++g) {
      int64_t r0 = g * fp.groupRows,
              r1 = std::min<int64_t>(rows, r0 + fp.groupRows);
      values.assign(inputs.begin() + p * rows + r0,
                    inputs.begin() + p * rows + r1);
      AlignedGroup aligned =
          alignGroup(values, fp.input, fp.inputAlignedBits, fp.truncate);
      out.exponents[p * out.groups + g] = aligned.exponent;
      std::copy(aligned.mantissas.begin(), aligned.mantissas.end(),
                out.mantissas.begin() + p * rows + r0);
    }
  return out;
}

llvm::Error numerics::groupSumsBatch(const CrossbarConfig &config,
                                     const FpCimConfig &fp,
                                     llvm::ArrayRef<int64_t> weights,
                                     int64_t rows, int64_t cols, int64_t batch,
                                     llvm::ArrayRef<int64_t> mantissas,
                                     llvm::MutableArrayRef<int64_t> sums,
                                     CrossbarStats *stats) {
  if (llvm::Error error = verifyFpCimConfig(fp))
    return error;
  const int64_t groups = (rows + fp.groupRows - 1) / fp.groupRows;
  if (batch < 0 || int64_t(weights.size()) != rows * cols ||
      int64_t(mantissas.size()) != batch * rows ||
      int64_t(sums.size()) != batch * groups * cols)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "fp-cim: operand sizes do not match " + llvm::Twine(batch) +
            " vectors times a " + llvm::Twine(rows) + "x" + llvm::Twine(cols) +
            " matrix in " + llvm::Twine(groups) + " row groups");
  if (config.inputBits != alignedCodeBits(fp.inputAlignedBits) ||
      config.weightBits != fp.weightAlignedBits + 1)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "fp-cim: the crossbar computes on " + llvm::Twine(config.inputBits) +
            "-bit inputs and " + llvm::Twine(config.weightBits) +
            "-bit weights, the aligned mantissas need " +
            llvm::Twine(alignedCodeBits(fp.inputAlignedBits)) + " and " +
            llvm::Twine(fp.weightAlignedBits + 1));
  // A double GEMM is exact while every group sum stays below 2^53.
  const double bound = double(fp.groupRows) *
                       double(alignedCodeMax(fp.inputAlignedBits)) *
                       double(alignedCodeMax(fp.weightAlignedBits));
  const bool exact = isLosslessReadout(config) && !config.noise.enabled() &&
                     bound < 9.0e15 &&
                     !(stats && (stats->columnSums || stats->countActiveCells));
  std::vector<int64_t> xm, wm, gs;
  std::vector<double> xd, wd, sd;
  for (int64_t g = 0; g < groups; ++g) {
    const int64_t r0 = g * fp.groupRows,
                  r1 = std::min<int64_t>(rows, r0 + fp.groupRows);
    const int64_t gr = r1 - r0;
    xm.resize(batch * gr);
    for (int64_t p = 0; p < batch; ++p)
      std::copy_n(mantissas.begin() + p * rows + r0, gr, xm.begin() + p * gr);
    wm.assign(weights.begin() + r0 * cols, weights.begin() + r1 * cols);
    gs.assign(batch * cols, 0);
    if (exact) {
      xd.assign(xm.begin(), xm.end());
      wd.assign(wm.begin(), wm.end());
      sd.assign(batch * cols, 0.0);
      if (batch && cols && gr)
        dgemm(batch, cols, gr, xd.data(), gr, wd.data(), cols, sd.data(), cols);
      for (int64_t i = 0; i < batch * cols; ++i)
        gs[i] = int64_t(sd[i]);
      if (stats) {
        // What the crossbar converts: every cycle and plane of the group.
        uint64_t cycles = inputCycleCount(config);
        stats->dacCycles += uint64_t(batch) * cycles;
        stats->conversions +=
            uint64_t(batch) * cycles * weightPlaneCount(config) * cols;
      }
    } else {
      CrossbarConfig groupConfig = config;
      groupConfig.noise.stream = noiseSubstream(config.noise.stream, g);
      if (llvm::Error error =
              crossbarMVMBatch(groupConfig, wm, gr, cols, batch, xm, gs, stats))
        return error;
    }
    for (int64_t p = 0; p < batch; ++p)
      std::copy_n(gs.begin() + p * cols, cols,
                  sums.begin() + (p * groups + g) * cols);
  }
  return llvm::Error::success();
}

void numerics::scaleGroupSums(const FpCimConfig &fp, int64_t batch,
                              int64_t groups, int64_t cols,
                              llvm::ArrayRef<int64_t> sums,
                              llvm::ArrayRef<int> inputExponents,
                              int64_t inputGroups, int64_t firstGroup,
                              llvm::ArrayRef<int> weightExponents,
                              llvm::MutableArrayRef<float> outs) {
  const int scaleBias =
      -(int(fp.inputAlignedBits) - 1) - (int(fp.weightAlignedBits) - 1);
  for (int64_t p = 0; p < batch; ++p)
    for (int64_t n = 0; n < cols; ++n) {
      // The digital accumulator, modeled in double, adds the groups in order.
      double acc = 0;
      for (int64_t g = 0; g < groups; ++g)
        acc += std::ldexp(double(sums[(p * groups + g) * cols + n]),
                          inputExponents[p * inputGroups + firstGroup + g] +
                              weightExponents[g * cols + n] + scaleBias);
      outs[p * cols + n] = float(acc);
    }
}

llvm::Error numerics::fpCrossbarMVMBatch(
    const CrossbarConfig &config, const FpCimConfig &fp,
    const FpWeights &weights, int64_t batch, llvm::ArrayRef<float> inputs,
    llvm::MutableArrayRef<float> outs, CrossbarStats *stats) {
  const int64_t rows = weights.rows, cols = weights.cols;
  if (batch < 0 || int64_t(inputs.size()) != batch * rows ||
      int64_t(outs.size()) != batch * cols ||
      int64_t(weights.exponents.size()) != weights.groups * cols)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "fp-cim: operand sizes do not match " +
                                       llvm::Twine(batch) +
                                       " vectors times a " + llvm::Twine(rows) +
                                       "x" + llvm::Twine(cols) + " matrix");
  if (llvm::Error error = verifyFpCimConfig(fp))
    return error;
  AlignedInputs aligned = alignInputs(fp, batch, rows, inputs);
  std::vector<int64_t> sums(batch * aligned.groups * cols);
  if (llvm::Error error =
          groupSumsBatch(config, fp, weights.mantissas, rows, cols, batch,
                         aligned.mantissas, sums, stats))
    return error;
  scaleGroupSums(fp, batch, aligned.groups, cols, sums, aligned.exponents,
                 aligned.groups, 0, weights.exponents, outs);
  return llvm::Error::success();
}
