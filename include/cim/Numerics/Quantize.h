//===- Quantize.h - Layer configuration and code quantization --*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// How a crossbar layer's real values become the codes lib/Numerics computes
// on: the layer's CrossbarConfig on a target, symmetric weight codes with
// their scales, and input codes with one scale per tensor. The graph
// evaluator (simulated quantization) and `cim-lower-to-isa` (codes compiled
// into the program) both call these, so the interpreter and the evaluator
// quantize identically.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_NUMERICS_QUANTIZE_H
#define CIM_NUMERICS_QUANTIZE_H

#include "cim/Numerics/CrossbarMVM.h"
#include "cim/Numerics/FloatingPoint.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>
#include <vector>

namespace mlir::cim::numerics {

/// What calibration adds to a crossbar layer's arithmetic (read from its
/// op's attributes by lib/Hardware/LayerConfig): a clipped ADC's range
/// (`cim.adc_range`), and inputs never seen negative
/// (`cim.nonnegative_inputs`).
struct LayerCalibration {
  std::optional<AdcRange> adcRange;
  bool nonnegativeInputs = false;
  /// Inputs seen negative (`cim.signed_inputs`).
  bool signedInputs = false;
  /// Unsigned input codes restricted to at most this many '1' bits
  /// (`cim.act_max_ones`, set by cim-quantize's `act-max-ones`); 0: all.
  unsigned actMaxOnes = 0;
  /// ZEBRA's zero-bit patterns (`cim.weight_max_ones`, set by cim-quantize's
  /// `weight-max-ones`): weight magnitudes with at most this many '1' bits,
  /// stored in the zero-bit layout; 0: off.
  unsigned weightMaxOnes = 0;
};
/// Adjusts a layer's `config` (filled from its target and precision) to
/// its calibration. A clipped ADC spans every column sum unless calibration
/// narrows it; inputs follow the target's sign scheme, except non-negative
/// inputs on a two's-complement target, which become unsigned codes (the
/// sign cycle carries magnitude, added instead of subtracted by the
/// shift-add) when the DAC is 1-bit or that saves a cycle; and signed inputs
/// on an unsigned target, which are driven offset by 2^(B-1) and corrected
/// digitally (`InputSign::offset`), instead of losing their negative part.
/// `alignedInputs` (floating-point layers): the aligned mantissas carry the
/// inputs' signs.
void applyLayerCalibration(CrossbarConfig &config,
                           const LayerCalibration &calibration,
                           bool alignedInputs);

/// The block-floating-point weights of rows [r0, r1) x columns [c0, c1) of
/// a k x n matrix read through `at` (alignment groups from row r0).
FpWeights fpWeightsOf(llvm::function_ref<double(int64_t)> at, int64_t n,
                      int64_t r0, int64_t r1, int64_t c0, int64_t c1,
                      const FpCimConfig &fp);

/// True when the read-out loses nothing (ideal, adder tree, or an ADC with
/// enough bits for every sum), so without noise the tile's result equals
/// the integer GEMM of its codes.
bool isLosslessReadout(const CrossbarConfig &config);

struct WeightCodes {
  /// rows x cols codes of the block, row-major.
  std::vector<int64_t> codes;
  /// One scale per column of the block.
  std::vector<double> scales;
};

/// Symmetric codes of block [r0, r1) x [c0, c1) of a k x n matrix `w`
/// (row-major, read through `at`). Channel and tensor scales span the whole
/// matrix, so every tile of a layer shares them; tile and tile-column
/// scales span the block. `fixedScales` (one per column of the whole
/// matrix, or one for all) replaces the derived scales: a pre-quantized
/// layer keeps its own (`cim.weight_scales`). A non-empty `codebook` (the
/// ascending codes a ZEBRA layer may hold, `allowedWeightCodes`; `range` is
/// then its extent) makes every weight its nearest code, ties to the lower.
WeightCodes quantizeWeights(llvm::function_ref<double(int64_t)> at, int64_t k,
                            int64_t n, int64_t r0, int64_t r1, int64_t c0,
                            int64_t c1, ScaleGranularity granularity,
                            CodeRange range,
                            llvm::ArrayRef<double> fixedScales = {},
                            llvm::ArrayRef<int64_t> codebook = {});

/// The codebook `quantizeWeights` takes for `config`: empty unless its
/// weights are restricted to zero-bit patterns.
std::vector<int64_t> weightCodebook(const CrossbarConfig &config);

struct InputCodes {
  double scale = 1;
  std::vector<int64_t> codes;
};

/// Codes of `count` values with one scale: `clip / range.max` for a
/// calibrated clip (values beyond it saturate), else the largest value seen
/// (magnitude, for a signed range).
///
/// `maxOnes` > 0 restricts unsigned ranges to the codes with at most that
/// many '1' bits (CIMQ's bit-sparsity activation quantizer: fewer bits
/// driven, more all-zero DAC cycles): the scale maps the clip to the
/// largest such code and each value takes the nearest one (ties to the
/// lower). Signed ranges, and `maxOnes` at or above the code width, are
/// not restricted.
InputCodes quantizeInputs(llvm::function_ref<double(int64_t)> at, int64_t count,
                          CodeRange range, std::optional<double> clip,
                          unsigned maxOnes = 0);
/// The same for float32 values (no call per element).
InputCodes quantizeInputs(llvm::ArrayRef<float> values, CodeRange range,
                          std::optional<double> clip, unsigned maxOnes = 0);

/// The codes quantizeInputs may produce for `range` and `maxOnes`,
/// ascending: every code of the range when unrestricted.
std::vector<int64_t> allowedInputCodes(CodeRange range, unsigned maxOnes);

} // namespace mlir::cim::numerics

#endif // CIM_NUMERICS_QUANTIZE_H
