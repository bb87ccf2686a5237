//===- Schemes.h - Sign schemes, ADC modes, scale granularities -*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The numerics' own names for how a crossbar stores and reads numbers. They
// mirror the dialect's enums case for case (docs/numerics.md), so Numerics
// builds and is tested without MLIR; lib/Hardware/LayerConfig converts
// (the IR <-> numerics bridge, above the dialect).
//
//===----------------------------------------------------------------------===//

#ifndef CIM_NUMERICS_SCHEMES_H
#define CIM_NUMERICS_SCHEMES_H

#include "llvm/ADT/StringRef.h"

namespace mlir::cim::numerics {

/// How column sums are digitized.
enum class AdcMode {
  /// An infinitely precise converter (reference model).
  ideal,
  /// A uniform ADC spanning the largest possible column sum.
  full_range,
  /// A uniform ADC over a calibrated range [lo, hi].
  clipped,
  /// No ADC: a digital adder tree, exact by construction.
  adder_tree,
};

/// How signed weights are stored in cells.
enum class WeightSign {
  /// Biased by 2^(B-1); the digital unit subtracts the bias times sum(x).
  offset,
  /// Positive and negative parts in two columns, subtracted digitally.
  differential_columns,
  /// Positive and negative parts on two rows driven with opposite signs.
  differential_rows,
  /// Two's-complement slices; the sign slice is subtracted.
  twos_complement,
  /// `offset`, with ISAAC's flipped columns: in every row group, a plane's
  /// column whose cells sum to more than half their largest total stores
  /// the complements (2^w - 1 - c), and the digital unit adds back
  /// (2^w - 1) * sum(d) minus the conversion. Halves the largest column
  /// sum, so the ADC needs one bit less.
  offset_flipped,
};

/// True for the schemes that store biased weight codes.
inline bool isOffsetWeights(WeightSign sign) {
  return sign == WeightSign::offset || sign == WeightSign::offset_flipped;
}

/// How signed inputs are driven.
enum class InputSign {
  /// Only non-negative codes.
  unsigned_,
  /// Two's-complement digits; the sign cycle is subtracted.
  twos_complement,
  /// Biased by 2^(B-1); the digital unit subtracts the bias times sum(w).
  offset,
};

/// Which weights share one quantization scale.
enum class ScaleGranularity { tensor, channel, tile, tile_column };

/// The names the target JSON and the IR spell these with.
inline llvm::StringRef stringifyAdcMode(AdcMode mode) {
  switch (mode) {
  case AdcMode::ideal:
    return "ideal";
  case AdcMode::full_range:
    return "full_range";
  case AdcMode::clipped:
    return "clipped";
  case AdcMode::adder_tree:
    return "adder_tree";
  }
  return "";
}
inline llvm::StringRef stringifyWeightSign(WeightSign sign) {
  switch (sign) {
  case WeightSign::offset:
    return "offset";
  case WeightSign::differential_columns:
    return "differential_columns";
  case WeightSign::differential_rows:
    return "differential_rows";
  case WeightSign::twos_complement:
    return "twos_complement";
  case WeightSign::offset_flipped:
    return "offset_flipped";
  }
  return "";
}
inline llvm::StringRef stringifyInputSign(InputSign sign) {
  switch (sign) {
  case InputSign::unsigned_:
    return "unsigned";
  case InputSign::twos_complement:
    return "twos_complement";
  case InputSign::offset:
    return "offset";
  }
  return "";
}

} // namespace mlir::cim::numerics

#endif // CIM_NUMERICS_SCHEMES_H
