//===- TiledMVM.h - Matrix-vector products over crossbar tiles --*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A K x N weight matrix too large for one crossbar is cut into blocks (the
// tiles of the crossbar layout). Each block is one crossbar computing
// `crossbarMVM` on its sub-matrix; blocks sharing output columns but holding
// different rows produce partial sums that are added digitally:
//
//   out[n] = sum_{blocks b with n in cols(b)} crossbarMVM(W_b, x[rows(b)])[n]
//
// The blocks must cover every (row, column) of the matrix exactly once. The
// tiling rule itself lives in lib/Hardware (layout::tileMatrix); this library
// only executes a given block list, so it does not depend on lib/Hardware.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_NUMERICS_TILEDMVM_H
#define CIM_NUMERICS_TILEDMVM_H

#include "cim/Numerics/CrossbarMVM.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>

namespace mlir::cim::numerics {

/// One crossbar's share of a weight matrix: rows [rowBegin, rowEnd) and
/// output columns [colBegin, colEnd).
struct Block {
  int64_t rowBegin = 0, rowEnd = 0, colBegin = 0, colEnd = 0;
};

/// Checks that `blocks` are non-empty, inside a rows x cols matrix, and cover
/// every element exactly once; the message names the offending blocks or an
/// uncovered region.
llvm::Error verifyBlocks(llvm::ArrayRef<Block> blocks, int64_t rows,
                         int64_t cols);

/// out[n] = sum_k weights[k * cols + n] * input[k], each block computed on
/// its own simulated crossbar and the row blocks' partial sums added
/// digitally. `weights` is the full rows x cols matrix (K x N, crossbar
/// layout). `stats`, if given, accumulates the events of all blocks.
llvm::Error tiledMVM(const CrossbarConfig &config,
                     llvm::ArrayRef<int64_t> weights, int64_t rows,
                     int64_t cols, llvm::ArrayRef<Block> blocks,
                     llvm::ArrayRef<int64_t> input,
                     llvm::MutableArrayRef<int64_t> out,
                     CrossbarStats *stats = nullptr);

/// `tiledMVM` for `batch` input vectors: `inputs` is batch x rows and `outs`
/// batch x cols, both row-major.
llvm::Error tiledMVMBatch(const CrossbarConfig &config,
                          llvm::ArrayRef<int64_t> weights, int64_t rows,
                          int64_t cols, llvm::ArrayRef<Block> blocks,
                          int64_t batch, llvm::ArrayRef<int64_t> inputs,
                          llvm::MutableArrayRef<int64_t> outs,
                          CrossbarStats *stats = nullptr);

} // namespace mlir::cim::numerics

#endif // CIM_NUMERICS_TILEDMVM_H
