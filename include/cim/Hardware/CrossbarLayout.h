//===- CrossbarLayout.h - Weight matrices on crossbar tiles -----*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// How a K x N weight matrix is cut into crossbar tiles, the one place that
// decides it (used by cim-tile-crossbar, the cost model and the tests):
//
//   columns per output  = weight planes x (2 for differential columns)
//   rows per input row  = 2 for differential rows, else 1
//   rows per tile       = floor(R / rows per input row), optionally rounded
//                         down to whole kh*kw kernels (channel alignment)
//   outputs per tile    = floor((C - reference) / columns per output),
//                         reference = 1 for offset weights with a reference
//                         column
//   row groups per tile = ceil(rows of the tile / rows per conversion)
//
// A tile keeps every plane of an output column together, so shift-add
// recombination never crosses crossbars; partial sums of row tiles are added
// digitally.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_HARDWARE_CROSSBARLAYOUT_H
#define CIM_HARDWARE_CROSSBARLAYOUT_H

#include "cim/Dialect/Cim/CimAttrs.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <cstdint>

namespace mlir::cim::layout {

/// The crossbar facts tiling needs, taken from a `#cim.target`.
struct Geometry {
  unsigned rows = 128, cols = 128, parallelRows = 128;
  unsigned cellBits = 2, dacBits = 1;
  WeightSign weightSign = WeightSign::offset;
  InputSign inputSign = InputSign::unsigned_;

  static Geometry fromTarget(TargetAttr target);
};

/// How one layer's numbers are encoded on the crossbar.
struct Encoding {
  /// Widths of the weight cell slices, least significant first (the
  /// two's-complement sign slice is counted in `planes`, not here).
  llvm::SmallVector<unsigned> sliceWidths;
  /// Cell columns per weight per array: slices (+1 sign slice for two's
  /// complement).
  unsigned planes = 0;
  /// Physical columns per output column (planes x 2 for differential
  /// columns).
  unsigned columnsPerOutput = 0;
  /// Physical rows per input row (2 for differential rows).
  unsigned rowsPerInput = 1;
  /// DAC cycles per input vector (T; the two's-complement sign cycle
  /// included).
  unsigned cycles = 0;
  /// Logical rows summed in one conversion.
  unsigned groupRows = 0;
};

/// Options of the tiling.
struct Options {
  /// Offset weights: reserve one reference column per tile.
  bool referenceColumn = true;
  /// Keep whole kernels (kernelArea consecutive rows) in one tile.
  bool channelAligned = false;
  int64_t kernelArea = 1;
  /// Explicit slice widths, least significant first; empty = uniform.
  llvm::SmallVector<unsigned> sliceWidths;
};

/// One crossbar's share of a weight matrix: logical rows [rowBegin, rowEnd)
/// and output columns [colBegin, colEnd).
struct Tile {
  int64_t rowBegin = 0, rowEnd = 0, colBegin = 0, colEnd = 0;
  /// Physical rows and columns it occupies (reference column included).
  int64_t physRows = 0, physCols = 0;
  /// Row groups converted one after the other.
  int64_t groups = 0;
  bool reference = false;

  int64_t numRows() const { return rowEnd - rowBegin; }
  int64_t numCols() const { return colEnd - colBegin; }
};

struct Tiling {
  Encoding encoding;
  int64_t rowsPerTile = 0, outputsPerTile = 0;
  int64_t rowTiles = 0, colTiles = 0;
  /// Row-major over (row tile, column tile).
  llvm::SmallVector<Tile> tiles;

  /// Cells holding weights (reference columns included) over all cells of the
  /// tiles' crossbars.
  double utilization(const Geometry &geometry) const;
};

/// The encoding of `weightBits`/`actBits` numbers on `geometry`.
llvm::Expected<Encoding> encode(const Geometry &geometry, unsigned weightBits,
                                unsigned actBits,
                                llvm::ArrayRef<unsigned> sliceWidths = {});

/// Cuts a K x N matrix into tiles. Errors (a weight wider than a crossbar,
/// bad slice widths) name what does not fit.
llvm::Expected<Tiling> tileMatrix(const Geometry &geometry, int64_t k,
                                  int64_t n, unsigned weightBits,
                                  unsigned actBits, const Options &options);

} // namespace mlir::cim::layout

#endif // CIM_HARDWARE_CROSSBARLAYOUT_H
