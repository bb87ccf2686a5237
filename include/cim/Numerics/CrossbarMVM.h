//===- CrossbarMVM.h - Bit-sliced crossbar MVMs -----------------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The one implementation of CIM arithmetic (docs/numerics.md): an integer
// matrix-vector product computed the way a crossbar does it. Weights are
// encoded by the sign scheme and split into cell slices, inputs into DAC
// cycles, rows into groups of at most `parallelRows`; every group x cycle x
// slice x column sum goes through the ADC model and the results are shifted and
// added back together.
//
//   x = sum_t 2^(t*b_dac) d_t,   u = sum_k 2^(offset_k) c_k
//   I = sum_{rows in group} d_t * c_k          (one conversion)
//   acc = sum_groups sum_t sum_k sigma_t sigma_k 2^(t*b_dac + offset_k) ADC(I)
//
// With an ideal ADC (or one at least as wide as the lossless width) the result
// equals the integer GEMM bit-exactly for every scheme; unit tests hold the
// implementation to that. Analog non-idealities (Noise.h) are off by default;
// when on, I becomes a real number and the ADC quantizes it.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_NUMERICS_CROSSBARMVM_H
#define CIM_NUMERICS_CROSSBARMVM_H

#include "cim/Numerics/Noise.h"
#include "cim/Numerics/Schemes.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::cim::numerics {

/// How one crossbar MVM is carried out.
struct CrossbarConfig {
  /// Integer widths: weights are symmetric signed, |q_w| <= 2^(B_w-1) - 1;
  /// inputs are unsigned [0, 2^B_x) for `InputSign::unsigned_`, else signed.
  unsigned weightBits = 8;
  unsigned inputBits = 8;
  unsigned cellBits = 2;
  unsigned dacBits = 1;
  /// Explicit slice widths, least significant first (e.g. {4, 3, 1} for an
  /// 8-bit code). Empty: uniform slices of `cellBits`. Each width must not
  /// exceed `cellBits`, and they must add up to the encoded width.
  llvm::SmallVector<unsigned> sliceWidths;
  /// Rows summed in one conversion.
  unsigned parallelRows = 128;
  WeightSign weightSign = WeightSign::offset;
  InputSign inputSign = InputSign::unsigned_;
  AdcMode adcMode = AdcMode::ideal;
  /// Resolution of converting modes.
  unsigned adcBits = 8;
  /// Range of `AdcMode::clipped`, in column-sum units.
  int64_t clipLow = 0, clipHigh = 0;
  /// ZEBRA's zero-bit patterns: weight magnitudes have at most this many
  /// '1' bits (0: any code). See `allowedWeightCodes`.
  unsigned weightMaxOnes = 0;
  /// Zero-bit layout (ZEBRA; on with `weightMaxOnes`): every physical column
  /// (plane x column) stores the complement of its cells when that has fewer
  /// non-zero cells (ISAAC's flip; the digital unit adds back
  /// (2^width - 1) * sum of the digits), rows whose stored cells are all
  /// zero are not mapped (row groups are formed from the mapped rows only)
  /// and columns whose stored cells are all zero are not converted. Exact
  /// with a lossless read-out; with a lossy or noisy one it changes what the
  /// ADC sees: fewer conducting cells, smaller sums.
  bool zeroBitLayout = false;
  /// Analog non-idealities; all zero (the default) is the exact integer
  /// model.
  NoiseConfig noise;
};

/// The column sums a crossbar converts, before the ADC: moments and extremes
/// of all of them, and a bounded sample for calibrating clipped ADC ranges.
/// Sampling is deterministic (a hash of each sum's position decides), so the
/// same runs give the same sample; each sample keeps its sum's shift in the
/// shift-add, since an error in a more significant cycle or slice weighs
/// more in the result.
struct ColumnSums {
  struct Sample {
    uint64_t key;
    int64_t sum;
    unsigned shift;
  };
  uint64_t count = 0;
  double total = 0, totalSquares = 0;
  int64_t min = 0, max = 0;
  /// Samples are the sums whose key is a multiple of `stride` (a power of
  /// two that doubles whenever the sample would exceed `kCapacity`).
  uint64_t stride = 1;
  std::vector<Sample> samples;
  static constexpr size_t kCapacity = size_t(1) << 16;

  void add(int64_t sum, unsigned shift);
  /// Adds another collection (another run).
  void merge(const ColumnSums &other);
  double mean() const { return count ? total / double(count) : 0.0; }
  double stddev() const;
};

/// Event counts of one or more MVMs (inputs to the cost model and `cim-run`).
struct CrossbarStats {
  uint64_t conversions = 0;
  uint64_t dacCycles = 0;
  /// Conversions clamped to the ADC's range (clipped mode; with noise, also
  /// full-range conversions saturated at the full-scale sum).
  uint64_t clippedConversions = 0;
  /// Conversions of a noisy (real-valued) column sum.
  uint64_t noisyConversions = 0;
  /// Conducting cells summed over conversions (a non-zero stored cell on a
  /// row driven by a non-zero digit): what per-active-cell noise and array
  /// read energy scale with. Counted on the per-vector path (noise or the
  /// zero-bit layout on, or `countActiveCells`).
  uint64_t activeCells = 0;
  /// Zero-bit layout: conversions not done (all-zero stored columns) and
  /// rows not mapped (per MVM).
  uint64_t skippedConversions = 0, unmappedRows = 0;
  /// Count `activeCells` on every path (slower: no batched GEMM).
  bool countActiveCells = false;
  /// When set, every column sum (the noise-free value) is recorded here.
  ColumnSums *columnSums = nullptr;
};

/// What the ADC of `config` makes of the noise-free column sum `sum`.
int64_t convertColumnSum(const CrossbarConfig &config, int64_t sum);

/// A clipped ADC's range [low, high] in column-sum units.
struct AdcRange {
  int64_t low = 0, high = 0;
};

/// How `chooseAdcRange` picks a clipped ADC's range from column sums.
enum class AdcClipMethod {
  /// The sums' extremes.
  max,
  /// mu +- k sigma with k from the OCC table for the ADC's bits.
  sigma,
  /// The window minimizing the shift-weighted squared conversion error of
  /// the sampled sums, among power-of-two windows anchored at the lowest
  /// possible sum and the mu +- k sigma windows for k = 1, 1.25, .., 8.
  mse,
};

/// The OCC clip multiplier k for a `bits`-bit ADC (Sakr & Shanbhag):
/// 1.71 at 2 bits .. 4.49 at 10, extrapolated beyond.
double occSigmaMultiplier(unsigned bits);

/// A range for `config`'s clipped ADC (its `clipLow`/`clipHigh` are the
/// widest legal range) from the sums seen; within that range, never empty.
AdcRange chooseAdcRange(const CrossbarConfig &config, const ColumnSums &sums,
                        AdcClipMethod method);

/// A closed range of integer codes.
struct CodeRange {
  int64_t min = 0, max = 0;
};

/// Weight codes `config` accepts: symmetric, |q_w| <= 2^(B_w-1) - 1.
CodeRange weightCodeRange(const CrossbarConfig &config);

/// The weight codes `config` accepts, ascending: the symmetric range, only
/// those whose magnitude has at most `weightMaxOnes` '1' bits when set
/// (ZEBRA's codebook).
std::vector<int64_t> allowedWeightCodes(const CrossbarConfig &config);

/// ZEBRA's layout of one crossbar's weights (`CrossbarConfig::zeroBitLayout`),
/// per weight plane (the order of the cell planes: slices least significant
/// first, differential arrays interleaved, the two's-complement sign plane
/// last) and column.
struct ZeroBitLayout {
  int64_t rows = 0, cols = 0;
  /// planes x cols: the column stores complemented cells.
  std::vector<uint8_t> flipped;
  /// planes x cols: every stored cell is zero (not converted).
  std::vector<uint8_t> empty;
  /// Rows with a non-zero stored cell, ascending (the mapped rows).
  std::vector<int64_t> mappedRows;
  /// Non-zero stored cells (programmed, conducting when driven).
  uint64_t nonzeroCells = 0;
  /// Columns converted per row group and DAC cycle (of the planes converted
  /// on their own; differential rows convert both arrays' difference once).
  uint64_t convertedColumns = 0;
};

/// The zero-bit layout of a rows x cols block of weight codes on `config`
/// (without `zeroBitLayout`: nothing flipped, every row mapped).
ZeroBitLayout zeroBitLayout(const CrossbarConfig &config,
                            llvm::ArrayRef<int64_t> weights, int64_t rows,
                            int64_t cols);

/// Input codes `config` accepts: [0, 2^B_x) unsigned, else B_x-bit signed.
CodeRange inputCodeRange(const CrossbarConfig &config);

/// Checks a configuration; the message names the offending field.
llvm::Error verifyConfig(const CrossbarConfig &config);

/// Width in bits of the unsigned codes stored in cells for `config`'s weight
/// scheme (B_w for offset and two's complement, B_w - 1 for differential).
unsigned encodedWeightBits(const CrossbarConfig &config);

/// Slice widths, least significant first, of the encoded weights.
llvm::SmallVector<unsigned> weightSliceWidths(const CrossbarConfig &config);

/// Cell planes per array: the slices, plus the sign slice of two's-complement
/// weights.
unsigned weightPlaneCount(const CrossbarConfig &config);

/// DAC cycles per input vector (T), the two's-complement sign cycle included.
unsigned inputCycleCount(const CrossbarConfig &config);

/// Logical rows summed in one conversion (differential rows use two physical
/// rows per weight).
unsigned groupRowCount(const CrossbarConfig &config);

/// True when `config` stores ISAAC's flipped columns: `offset_flipped`
/// weights without the zero-bit layout (which flips by its own rule).
bool flipsColumns(const CrossbarConfig &config);

/// ISAAC's flip decisions for a rows x cols block of weight codes: entry
/// (g * planes + p) * cols + n is 1 when row group g (of `groupRowCount`
/// rows) stores the complement of plane p's column n, i.e. when those
/// cells sum to more than half of rows_g * (2^width_p - 1). All zero unless
/// `flipsColumns(config)`.
std::vector<uint8_t> columnFlips(const CrossbarConfig &config,
                                 llvm::ArrayRef<int64_t> weights, int64_t rows,
                                 int64_t cols);

/// ADC width that converts every column sum of `config` exactly:
/// ceil(log2(FS + 1)), plus a sign bit for differential rows (the one
/// formula; `TargetAttr::getLosslessAdcBits` calls it).
unsigned losslessAdcBits(const CrossbarConfig &config);

/// The LSBs `config`'s ADC drops from a column sum: the bits of its window
/// (the lossless width for `full_range`, ceil(log2(clipHigh - clipLow + 1))
/// for `clipped`) beyond `adcBits`; 0 when every sum in the window converts
/// exactly (and for ideal and adder-tree read-outs).
unsigned adcDroppedBits(const CrossbarConfig &config);

/// Largest column sum of one conversion, FS = groupRows * (2^dac - 1) *
/// (2^cell - 1) (differential rows reach -FS too); with flipped columns
/// FS = (2^dac - 1) * floor(groupRows * (2^cell - 1) / 2).
int64_t fullScaleColumnSum(const CrossbarConfig &config);

/// Effective bits of `config`'s converter at `bits` bits under its thermal
/// and read noise (`config.noise`): min(bits, L) - log2(sqrt(1 + 12 s^2)),
/// s the noise per conversion in full-range LSBs (2^(L - bits) column-sum
/// units; an ideal converter's own quantization noise is LSB^2 / 12). Read
/// noise is relative to the full scale, so it costs more effective bits
/// the finer the LSB: past some width an extra bit buys almost nothing.
double effectiveAdcBits(const CrossbarConfig &config, unsigned bits);

/// The widest ADC in [lo, hi] whose every bit above `lo` still gains at
/// least half an effective bit under `config.noise` (hi without noise).
unsigned usefulAdcBits(const CrossbarConfig &config, unsigned lo, unsigned hi);

/// Bit-level activity of the inputs of one crossbar (CIMQ's bit sparsity):
/// row-group activations per DAC cycle, those whose digits are all zero
/// (which hardware can skip), non-zero digits driven and '1' bits driven.
struct InputActivity {
  uint64_t cycles = 0, zeroCycles = 0, nonzeroDigits = 0, ones = 0;
  /// Digit bits driven, zeros included: ones / bits is the probability that
  /// an input bit is 1 (the cost model's p1).
  uint64_t bits = 0;
  InputActivity &operator+=(const InputActivity &o) {
    cycles += o.cycles;
    zeroCycles += o.zeroCycles;
    nonzeroDigits += o.nonzeroDigits;
    ones += o.ones;
    bits += o.bits;
    return *this;
  }
};

/// Adds the activity of `batch` input vectors of `rows` codes each (row-major)
/// on a crossbar configured by `config` to `activity`.
void countInputActivity(const CrossbarConfig &config,
                        llvm::ArrayRef<int64_t> inputs, int64_t batch,
                        int64_t rows, InputActivity &activity);

/// out[n] = sum_k weights[k * cols + n] * input[k], computed on a simulated
/// crossbar. `weights` is rows x cols (K x N, crossbar layout). With
/// `config.noise` enabled the column sums carry the non-idealities of
/// Noise.h, drawn reproducibly from the noise seed, stream and invocation.
llvm::Error crossbarMVM(const CrossbarConfig &config,
                        llvm::ArrayRef<int64_t> weights, int64_t rows,
                        int64_t cols, llvm::ArrayRef<int64_t> input,
                        llvm::MutableArrayRef<int64_t> out,
                        CrossbarStats *stats = nullptr);

/// crossbarMVM for `batch` input vectors (rows x batch codes, row-major,
/// one vector per row of `inputs`) on one crossbar: outs is batch x cols.
/// Results and counts equal `batch` calls of crossbarMVM, vector p drawing
/// the noise of invocation `config.noise.invocation + p`. Without noise the
/// column sums of each cycle, row group and plane are one exact GEMM
/// (OpenBLAS) instead of a loop per vector.
llvm::Error crossbarMVMBatch(const CrossbarConfig &config,
                             llvm::ArrayRef<int64_t> weights, int64_t rows,
                             int64_t cols, int64_t batch,
                             llvm::ArrayRef<int64_t> inputs,
                             llvm::MutableArrayRef<int64_t> outs,
                             CrossbarStats *stats = nullptr);

/// Why operands of `weights`, `inputs` and `outs` elements are not `batch`
/// vectors times a `rows` x `cols` matrix (the shapes of crossbarMVMBatch
/// and tiledMVMBatch); empty when they are.
std::string batchOperandMismatch(int64_t rows, int64_t cols, int64_t batch,
                                 size_t weights, size_t inputs, size_t outs);

} // namespace mlir::cim::numerics

#endif // CIM_NUMERICS_CROSSBARMVM_H
