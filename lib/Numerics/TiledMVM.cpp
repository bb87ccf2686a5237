//===- TiledMVM.cpp - Matrix-vector products over crossbar tiles ----------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Coverage is checked on the grid spanned by the blocks' own boundaries: every
// cell of that grid lies entirely inside or outside each block, so counting
// blocks per grid cell decides "exactly once" without a K x N bitmap. For a
// regular tiling the grid has one cell per block.
//
//===----------------------------------------------------------------------===//

#include "cim/Numerics/TiledMVM.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <algorithm>

using namespace mlir::cim;
using namespace mlir::cim::numerics;

static llvm::Error tiledError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "tiled MVM: " + message);
}

static std::string describe(const Block &b) {
  return ("rows [" + llvm::Twine(b.rowBegin) + ", " + llvm::Twine(b.rowEnd) +
          ") x cols [" + llvm::Twine(b.colBegin) + ", " +
          llvm::Twine(b.colEnd) + ")")
      .str();
}

/// Sorted, unique boundaries along one axis, from 0 to `extent`.
static llvm::SmallVector<int64_t> boundaries(llvm::ArrayRef<Block> blocks,
                                             int64_t extent, bool rowAxis) {
  llvm::SmallVector<int64_t> cuts = {0, extent};
  for (const Block &b : blocks) {
    cuts.push_back(rowAxis ? b.rowBegin : b.colBegin);
    cuts.push_back(rowAxis ? b.rowEnd : b.colEnd);
  }
  llvm::sort(cuts);
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  return cuts;
}

static size_t indexOf(llvm::ArrayRef<int64_t> cuts, int64_t value) {
  return std::lower_bound(cuts.begin(), cuts.end(), value) - cuts.begin();
}

llvm::Error numerics::verifyBlocks(llvm::ArrayRef<Block> blocks, int64_t rows,
                                   int64_t cols) {
  if (rows < 1 || cols < 1)
    return tiledError("a " + llvm::Twine(rows) + "x" + llvm::Twine(cols) +
                      " matrix is empty");
  for (auto [i, b] : llvm::enumerate(blocks)) {
    if (b.rowBegin < 0 || b.rowEnd > rows || b.colBegin < 0 ||
        b.colEnd > cols || b.rowBegin >= b.rowEnd || b.colBegin >= b.colEnd)
      return tiledError("block " + llvm::Twine(i) + " (" + describe(b) +
                        ") is empty or outside the " + llvm::Twine(rows) + "x" +
                        llvm::Twine(cols) + " matrix");
  }
  llvm::SmallVector<int64_t> rowCuts = boundaries(blocks, rows, true);
  llvm::SmallVector<int64_t> colCuts = boundaries(blocks, cols, false);
  size_t gridCols = colCuts.size() - 1;
  // owner[r * gridCols + c]: index of the block covering grid cell (r, c),
  // or -1.
  llvm::SmallVector<int64_t> owner((rowCuts.size() - 1) * gridCols, -1);
  for (auto [i, b] : llvm::enumerate(blocks)) {
    for (size_t r = indexOf(rowCuts, b.rowBegin),
                re = indexOf(rowCuts, b.rowEnd);
         r < re; ++r)
      for (size_t c = indexOf(colCuts, b.colBegin),
                  ce = indexOf(colCuts, b.colEnd);
           c < ce; ++c) {
        int64_t &slot = owner[r * gridCols + c];
        if (slot >= 0)
          return tiledError("blocks " + llvm::Twine(slot) + " (" +
                            describe(blocks[slot]) + ") and " + llvm::Twine(i) +
                            " (" + describe(b) + ") overlap at rows [" +
                            llvm::Twine(rowCuts[r]) + ", " +
                            llvm::Twine(rowCuts[r + 1]) + ") x cols [" +
                            llvm::Twine(colCuts[c]) + ", " +
                            llvm::Twine(colCuts[c + 1]) + ")");
        slot = int64_t(i);
      }
  }
  for (size_t r = 0; r + 1 < rowCuts.size(); ++r)
    for (size_t c = 0; c < gridCols; ++c)
      if (owner[r * gridCols + c] < 0)
        return tiledError("rows [" + llvm::Twine(rowCuts[r]) + ", " +
                          llvm::Twine(rowCuts[r + 1]) + ") x cols [" +
                          llvm::Twine(colCuts[c]) + ", " +
                          llvm::Twine(colCuts[c + 1]) +
                          ") are not covered by any block");
  return llvm::Error::success();
}

llvm::Error numerics::tiledMVMBatch(const CrossbarConfig &config,
                                    llvm::ArrayRef<int64_t> weights,
                                    int64_t rows, int64_t cols,
                                    llvm::ArrayRef<Block> blocks, int64_t batch,
                                    llvm::ArrayRef<int64_t> inputs,
                                    llvm::MutableArrayRef<int64_t> outs,
                                    CrossbarStats *stats) {
  if (llvm::Error error = verifyConfig(config))
    return error;
  std::string mismatch = batchOperandMismatch(rows, cols, batch, weights.size(),
                                              inputs.size(), outs.size());
  if (!mismatch.empty())
    return tiledError(mismatch);
  if (llvm::Error error = verifyBlocks(blocks, rows, cols))
    return error;

  std::fill(outs.begin(), outs.end(), 0);
  std::vector<int64_t> sub, x, partial;
  // Each block is its own crossbar (its own programming variation) and each
  // input vector its own read (fresh read and thermal noise).
  CrossbarConfig blockConfig = config;
  for (auto [i, b] : llvm::enumerate(blocks)) {
    blockConfig.noise.stream = noiseSubstream(config.noise.stream, i);
    int64_t bRows = b.rowEnd - b.rowBegin, bCols = b.colEnd - b.colBegin;
    // The block's sub-matrix, as its crossbar holds it (row-major), and the
    // inputs it sees.
    sub.resize(bRows * bCols);
    for (int64_t k = 0; k < bRows; ++k)
      std::copy_n(weights.begin() + (b.rowBegin + k) * cols + b.colBegin, bCols,
                  sub.begin() + k * bCols);
    x.resize(batch * bRows);
    for (int64_t p = 0; p < batch; ++p)
      std::copy_n(inputs.begin() + p * rows + b.rowBegin, bRows,
                  x.begin() + p * bRows);
    partial.resize(batch * bCols);
    if (llvm::Error error = crossbarMVMBatch(blockConfig, sub, bRows, bCols,
                                             batch, x, partial, stats))
      return tiledError("block " + llvm::Twine(i) + " (" + describe(b) +
                        "): " + llvm::toString(std::move(error)));
    // Row blocks of the same columns are added digitally.
    for (int64_t p = 0; p < batch; ++p) {
      int64_t *y = outs.data() + p * cols + b.colBegin;
      for (int64_t n = 0; n < bCols; ++n)
        y[n] += partial[p * bCols + n];
    }
  }
  return llvm::Error::success();
}

llvm::Error numerics::tiledMVM(const CrossbarConfig &config,
                               llvm::ArrayRef<int64_t> weights, int64_t rows,
                               int64_t cols, llvm::ArrayRef<Block> blocks,
                               llvm::ArrayRef<int64_t> input,
                               llvm::MutableArrayRef<int64_t> out,
                               CrossbarStats *stats) {
  if (int64_t(input.size()) != rows || int64_t(out.size()) != cols)
    return tiledError("operand sizes do not match a " + llvm::Twine(rows) +
                      "x" + llvm::Twine(cols) + " matrix");
  return tiledMVMBatch(config, weights, rows, cols, blocks, 1, input, out,
                       stats);
}
