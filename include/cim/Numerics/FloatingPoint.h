//===- FloatingPoint.h - Floating-point CIM number model --------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The floating-point CIM (FP-CIM) number model (research notes section 5):
// pre-alignment, i.e. block floating point. A group of values that
// accumulate together (the rows of one conversion, or a weight group) is
// rounded to a small float format, aligned to the group's largest exponent
// E, and each value becomes a signed L-bit mantissa M with
//
//   x ~= M * 2^(E - (L - 1)),   |M| <= 2^L - 1.
//
// The integer crossbar then multiplies the mantissas as signed (L + 1)-bit
// codes, and the digital periphery scales each group's integer sum by
// 2^(E_g + F_gn - (L - 1) - (Lw - 1)) and accumulates:
//
//   y[n] = sum_g ( sum_{k in g} M_k * Mw_kn ) * 2^(E_g + F_gn - (L-1) - (Lw-1))
//
// Small values of a group underflow to 0; that loss is what the model is
// for. Everything here is deterministic and independent of the FPU rounding
// mode.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_NUMERICS_FLOATINGPOINT_H
#define CIM_NUMERICS_FLOATINGPOINT_H

#include "cim/Numerics/CrossbarMVM.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::cim::numerics {

//===----------------------------------------------------------------------===//
// Float formats
//===----------------------------------------------------------------------===//

/// A sign bit, `expBits` exponent bits (bias 2^(expBits-1) - 1) and
/// `manBits` stored mantissa bits. There is no inf or NaN: every exponent
/// field 1 .. 2^expBits - 1 is a normal number and field 0 is subnormal
/// (0.m * 2^(1 - bias)). Hence "fp16" here reaches 131008, not IEEE half's
/// 65504, and "e4m3" reaches 480, not OCP E4M3FN's 448: the model is about
/// the arithmetic, not one vendor's special encodings.
struct FloatFormat {
  unsigned expBits = 8;
  unsigned manBits = 7;

  bool operator==(const FloatFormat &other) const {
    return expBits == other.expBits && manBits == other.manBits;
  }
  bool operator!=(const FloatFormat &other) const { return !(*this == other); }
};

inline constexpr FloatFormat fp8E4M3() { return {4, 3}; }
inline constexpr FloatFormat fp8E5M2() { return {5, 2}; }
inline constexpr FloatFormat bf16() { return {8, 7}; }
inline constexpr FloatFormat fp16() { return {5, 10}; }

/// Limits of `verifyFloatFormat`: wide enough for bf16 and fp16, narrow
/// enough that every value and every aligned mantissa is exact in a double.
inline constexpr unsigned kMinExpBits = 2, kMaxExpBits = 8;
inline constexpr unsigned kMaxManBits = 10;

/// Checks expBits in [2, 8] and manBits in [0, 10]; the message names the
/// offending field.
llvm::Error verifyFloatFormat(FloatFormat format);

/// Parses "bf16", "fp16" or "eXmY" (e.g. "e4m3", "e5m2"), case-insensitive,
/// and verifies the result.
llvm::Expected<FloatFormat> parseFloatFormat(llvm::StringRef text);

/// "eXmY", e.g. "e8m7" for bf16; `parseFloatFormat` reads it back.
std::string formatName(FloatFormat format);

/// Bits of one stored value: 1 + expBits + manBits.
unsigned storageBits(FloatFormat format);

/// The exponent bias 2^(expBits-1) - 1.
int exponentBias(FloatFormat format);
/// The smallest normal exponent, 1 - bias (also the exponent of subnormals).
int minExponent(FloatFormat format);
/// The largest exponent, 2^expBits - 1 - bias.
int maxExponent(FloatFormat format);
/// The largest finite value, (2 - 2^-manBits) * 2^maxExponent.
double maxFinite(FloatFormat format);
/// The smallest positive value, 2^(minExponent - manBits).
double minSubnormal(FloatFormat format);

/// `v` rounded to `format`: to nearest, ties to the even encoding (the even
/// mantissa; with manBits = 0, the even exponent field), with subnormals.
/// Values beyond the largest finite value, infinities included, saturate to
/// it (there is no inf); NaN becomes 0, as a NaN input must still drive some
/// code. The sign of zero is not kept.
double roundToFormat(double v, FloatFormat format);

/// `v` converted to IEEE-style bfloat16 the way ONNX 1.12's Cast
/// conformance data does it: the float32's low 16 bits dropped (truncation
/// toward zero), so infinities stay infinite. A NaN stays a (quiet) NaN with
/// its sign, where plain truncation could turn a low-payload NaN into an
/// infinity. Returned as the float32 the bfloat16 encodes. This is the one
/// float -> bfloat16 conversion of the project's graph semantics; the FP-CIM
/// model's `roundToFormat(v, bf16())` is a hardware number model (rounds to
/// nearest, saturates) and deliberately differs.
float truncateToBFloat16(float v);

//===----------------------------------------------------------------------===//
// Pre-alignment
//===----------------------------------------------------------------------===//

/// One group aligned to a shared exponent: value i is
/// mantissas[i] * 2^(exponent - (L - 1)).
struct AlignedGroup {
  /// The group's shared (unbiased) exponent E.
  int exponent = 0;
  /// Signed, |M| <= 2^L - 1.
  std::vector<int64_t> mantissas;
};

/// The largest aligned mantissa magnitude, 2^L - 1.
int64_t alignedCodeMax(unsigned alignedBits);
/// Width of the signed code the integer crossbar computes on: L + 1.
unsigned alignedCodeBits(unsigned alignedBits);

/// Aligns `values` to `alignedBits` (L) mantissa bits. Each value is first
/// rounded to `format`; E is the largest exponent of the non-zero rounded
/// values (floor(log2 |x|), subnormals counting as minExponent), and
/// M_i = sign_i * R(|x_i| * 2^(L-1-E)) with R rounding half to even, or
/// flooring if `truncate`, clamped to 2^L - 1 (rounding can reach 2^L).
/// An all-zero group gets E = minExponent(format) and all mantissas 0 (any
/// E would represent it). Requires a valid format and L in [1, 62].
AlignedGroup alignGroup(llvm::ArrayRef<double> values, FloatFormat format,
                        unsigned alignedBits, bool truncate);

/// The value `group` represents at index `i`: M_i * 2^(E - (L - 1)).
double alignedValue(const AlignedGroup &group, size_t i, unsigned alignedBits);

//===----------------------------------------------------------------------===//
// FP-CIM matrix-vector product
//===----------------------------------------------------------------------===//

/// How one FP-CIM crossbar tile computes.
struct FpCimConfig {
  FloatFormat input = bf16(), weight = bf16();
  /// L: aligned input mantissa bits (the input codes are L + 1 bits signed,
  /// driven bit-serially).
  unsigned inputAlignedBits = 8;
  /// Lw: aligned weight mantissa bits; weight.manBits + 1 keeps each
  /// group's largest weight exact.
  unsigned weightAlignedBits = 8;
  /// Truncate (floor) aligned mantissas instead of rounding half to even.
  bool truncate = false;
  /// Rows of one alignment group: consecutive runs of this many rows share
  /// the input exponent E_g and, per column, the weight exponent F_gn.
  unsigned groupRows = 128;
};

/// The largest accepted aligned width: aligned codes of both operands and
/// their products stay exact in int64 and double.
inline constexpr unsigned kMaxAlignedBits = 24;

/// Checks the formats, L and Lw in [1, 24], groupRows >= 1, and that a
/// group's integer MAC, groupRows * (2^L - 1) * (2^Lw - 1), fits in int64;
/// the message names the offending field.
llvm::Error verifyFpCimConfig(const FpCimConfig &config);

/// Weights (rows x cols, row-major, crossbar layout K x N) in block floating
/// point: per (row group g, column n) a shared exponent F[g][n] and signed
/// mantissas |Mw| <= 2^Lw - 1.
struct FpWeights {
  int64_t rows = 0, cols = 0, groups = 0;
  /// groups x cols, row-major.
  std::vector<int> exponents;
  /// rows x cols, row-major.
  std::vector<int64_t> mantissas;
};

/// Aligns `w` (rows x cols, row-major) per (row group, column) with
/// `config.weight`, Lw and `config.truncate`. Requires a verified config.
FpWeights alignWeights(llvm::ArrayRef<double> w, int64_t rows, int64_t cols,
                       const FpCimConfig &config);

/// What the FP-CIM tile computes for the input vector `x` (rows values):
/// each row group of `x` is aligned (config.input, L, config.truncate), the
/// group's integer MAC sum_{k in g} M_k * Mw_kn is exact in int64, and the
/// digital accumulator, modeled as a double, adds the scaled group sums in
/// group order:
///   y[n] = sum_g P_gn * 2^(E_g + F_gn - (L - 1) - (Lw - 1)).
/// Requires a verified config, x.size() == weights.rows and
/// y.size() == weights.cols.
void fpCimMVM(const FpCimConfig &config, const FpWeights &weights,
              llvm::ArrayRef<double> x, llvm::MutableArrayRef<double> y);

/// Stored bits per weight of a `rows`-row tile: the Lw + 1 bit signed
/// mantissa plus the shared exponents (expBits per row group and column)
/// amortized over the rows, i.e.
///   (Lw + 1) + weight.expBits * ceil(rows / groupRows) / rows,
/// which is (Lw + 1) + expBits / min(groupRows, rows) when the groups are
/// full. Requires rows >= 1.
double weightStorageBits(const FpCimConfig &config, int64_t rows);

/// Inputs pre-aligned per row group (the exponent comparison tree and
/// mantissa shifters of an FP-CIM macro): `mantissas` batch x rows signed
/// codes of L + 1 bits, `exponents` batch x groups (E per vector and group
/// of `groupRows` consecutive rows from row 0).
struct AlignedInputs {
  int64_t groups = 0;
  std::vector<int64_t> mantissas;
  std::vector<int> exponents;
};
AlignedInputs alignInputs(const FpCimConfig &fp, int64_t batch, int64_t rows,
                          llvm::ArrayRef<float> inputs);

/// The crossbar's part: per row group, the integer MAC of the aligned input
/// mantissas (batch x rows) with the weight mantissas (rows x cols), done by
/// the crossbar of `config` (its inputBits = L + 1, weightBits = Lw + 1)
/// bit-sliced through its read-out and noise (`crossbarMVMBatch`; an exact
/// integer GEMM when the read-out is lossless and noiseless). `sums` is
/// batch x groups x cols. Row group g draws noise stream
/// noiseSubstream(config.noise.stream, g).
llvm::Error groupSumsBatch(const CrossbarConfig &config, const FpCimConfig &fp,
                           llvm::ArrayRef<int64_t> weights, int64_t rows,
                           int64_t cols, int64_t batch,
                           llvm::ArrayRef<int64_t> mantissas,
                           llvm::MutableArrayRef<int64_t> sums,
                           CrossbarStats *stats = nullptr);

/// The digital unit's part: outs[p][n] = sum_g sums[p][g][n] *
/// 2^(E[p][firstGroup + g] + F[g][n] - (L - 1) - (Lw - 1)), accumulated in
/// double in group order and rounded to float. `inputExponents` is batch x
/// inputGroups (a tile's groups start at `firstGroup` of its input's);
/// `weightExponents` is groups x cols.
void scaleGroupSums(const FpCimConfig &fp, int64_t batch, int64_t groups,
                    int64_t cols, llvm::ArrayRef<int64_t> sums,
                    llvm::ArrayRef<int> inputExponents, int64_t inputGroups,
                    int64_t firstGroup, llvm::ArrayRef<int> weightExponents,
                    llvm::MutableArrayRef<float> outs);

/// An FP-CIM tile as the hardware runs it, for `batch` input vectors
/// (`inputs` batch x rows, `outs` batch x cols, row-major): `alignInputs`,
/// `groupSumsBatch` and `scaleGroupSums`.
llvm::Error fpCrossbarMVMBatch(const CrossbarConfig &config,
                               const FpCimConfig &fp, const FpWeights &weights,
                               int64_t batch, llvm::ArrayRef<float> inputs,
                               llvm::MutableArrayRef<float> outs,
                               CrossbarStats *stats = nullptr);

} // namespace mlir::cim::numerics

#endif // CIM_NUMERICS_FLOATINGPOINT_H
