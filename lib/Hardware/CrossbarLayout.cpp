//===- CrossbarLayout.cpp - Weight matrices on crossbar tiles -------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Hardware/CrossbarLayout.h"
#include "cim/Hardware/LayerConfig.h"
#include "cim/Numerics/CrossbarMVM.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir::cim;
using namespace mlir::cim::layout;

static llvm::Error layoutError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

Geometry Geometry::fromTarget(TargetAttr target) {
  Geometry g;
  g.rows = target.getRows();
  g.cols = target.getCols();
  g.parallelRows = target.getParallelRows();
  g.cellBits = target.getCellBits();
  g.dacBits = target.getDacBits();
  g.weightSign = target.getWeightSign();
  g.inputSign = target.getInputSign();
  return g;
}

llvm::Expected<Encoding> layout::encode(const Geometry &geometry,
                                        unsigned weightBits, unsigned actBits,
                                        llvm::ArrayRef<unsigned> sliceWidths) {
  // The slicing rules are the numerics' own, so the layout and the arithmetic
  // cannot disagree.
  numerics::CrossbarConfig config;
  config.weightBits = weightBits;
  config.inputBits = actBits;
  config.cellBits = geometry.cellBits;
  config.dacBits = geometry.dacBits;
  config.sliceWidths.assign(sliceWidths.begin(), sliceWidths.end());
  config.parallelRows = geometry.parallelRows;
  config.weightSign = toNumerics(geometry.weightSign);
  config.inputSign = toNumerics(geometry.inputSign);
  if (llvm::Error error = numerics::verifyConfig(config))
    return std::move(error);
  Encoding e;
  e.sliceWidths = numerics::weightSliceWidths(config);
  e.planes = numerics::weightPlaneCount(config);
  e.columnsPerOutput =
      e.planes *
      (geometry.weightSign == WeightSign::differential_columns ? 2 : 1);
  e.rowsPerInput = geometry.weightSign == WeightSign::differential_rows ? 2 : 1;
  e.cycles = numerics::inputCycleCount(config);
  e.groupRows = numerics::groupRowCount(config);
  return e;
}

llvm::Expected<Tiling> layout::tileMatrix(const Geometry &geometry, int64_t k,
                                          int64_t n, unsigned weightBits,
                                          unsigned actBits,
                                          const Options &options) {
  if (k < 1 || n < 1)
    return layoutError("a " + llvm::Twine(k) + "x" + llvm::Twine(n) +
                       " weight matrix has nothing to place");
  llvm::Expected<Encoding> encoding =
      encode(geometry, weightBits, actBits, options.sliceWidths);
  if (!encoding)
    return encoding.takeError();
  Tiling t;
  t.encoding = std::move(*encoding);
  const Encoding &e = t.encoding;

  int64_t reference =
      numerics::isOffsetWeights(toNumerics(geometry.weightSign)) &&
              options.referenceColumn
          ? 1
          : 0;
  if (int64_t(geometry.cols) < e.columnsPerOutput + reference)
    return layoutError("one output column needs " +
                       llvm::Twine(e.columnsPerOutput + reference) +
                       " crossbar columns, the crossbar has " +
                       llvm::Twine(geometry.cols));
  if (geometry.rows < e.rowsPerInput)
    return layoutError("one input row needs " + llvm::Twine(e.rowsPerInput) +
                       " crossbar rows, the crossbar has " +
                       llvm::Twine(geometry.rows));
  t.rowsPerTile = geometry.rows / e.rowsPerInput;
  if (options.channelAligned && options.kernelArea > 1 &&
      t.rowsPerTile >= options.kernelArea)
    t.rowsPerTile -= t.rowsPerTile % options.kernelArea;
  t.outputsPerTile = (geometry.cols - reference) / e.columnsPerOutput;
  t.rowTiles = llvm::divideCeil(k, t.rowsPerTile);
  t.colTiles = llvm::divideCeil(n, t.outputsPerTile);

  for (int64_t r = 0; r < t.rowTiles; ++r) {
    for (int64_t c = 0; c < t.colTiles; ++c) {
      Tile tile;
      tile.rowBegin = r * t.rowsPerTile;
      tile.rowEnd = std::min(k, tile.rowBegin + t.rowsPerTile);
      tile.colBegin = c * t.outputsPerTile;
      tile.colEnd = std::min(n, tile.colBegin + t.outputsPerTile);
      tile.reference = reference != 0;
      tile.physRows = tile.numRows() * e.rowsPerInput;
      tile.physCols = tile.numCols() * e.columnsPerOutput + reference;
      tile.groups = llvm::divideCeil(tile.numRows(), e.groupRows);
      t.tiles.push_back(tile);
    }
  }
  return t;
}

double Tiling::utilization(const Geometry &geometry) const {
  if (tiles.empty())
    return 0.0;
  double used = 0;
  for (const Tile &tile : tiles)
    used += double(tile.physRows) * double(tile.physCols);
  return used / (double(tiles.size()) * geometry.rows * geometry.cols);
}
