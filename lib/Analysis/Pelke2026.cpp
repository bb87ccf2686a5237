//===- Pelke2026.cpp - The CIM-AQ latency model ---------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Analysis/Pelke2026.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir::cim;

int64_t pelke2026::writes(const Layer &layer, unsigned weightBits,
                          const Params &params) {
  int64_t slices = llvm::divideCeil(weightBits, params.cellBits);
  int64_t cols = layer.outDim * slices;
  int64_t rows = layer.inDim;
  switch (params.mapping) {
  case WeightSign::differential_columns:
    cols *= 2;
    break;
  case WeightSign::offset:
  case WeightSign::offset_flipped: // Their `of` mapping, flips are digital.
    cols += 1;
    break;
  case WeightSign::differential_rows:
    rows *= 2;
    break;
  case WeightSign::twos_complement:
    break; // Not one of their mappings: one column set, no reference.
  }
  return llvm::divideCeil(cols, params.crossbarCols) *
         llvm::divideCeil(rows, params.crossbarRows);
}

double pelke2026::latencyUs(const Layer &layer, unsigned weightBits,
                            unsigned actBits, const Params &params) {
  int64_t nWrite = writes(layer, weightBits, params);
  int64_t nExec = layer.invocations * nWrite *
                  int64_t(llvm::divideCeil(actBits, params.inputBits));
  return double(layer.repeat) *
         (double(nWrite) * params.writeUs + double(nExec) * params.execUs);
}
