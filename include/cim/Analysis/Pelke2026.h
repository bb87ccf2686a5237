//===- Pelke2026.h - The CIM-AQ latency model -------------------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The latency model published with Pelke, Klein et al., "Mixed-Precision
// Training and Compilation for RRAM-based Computing-in-Memory Accelerators"
// (DATE 2026), so that our cost figures compare 1:1 with their policies:
//
//   slices  = ceil(w / cell_bits); cols = out_dim * slices; rows = in_dim
//             (x2 cols differential columns, +1 col offset, x2 rows
//              differential rows)
//   n_write = ceil(cols / xbar_cols) * ceil(rows / xbar_rows)
//   n_exec  = invocations * n_write * ceil(a / input_bits)
//   latency = repeat * (n_write * t_write + n_exec * t_exec)
//
//===----------------------------------------------------------------------===//

#ifndef CIM_HARDWARE_PELKE2026_H
#define CIM_HARDWARE_PELKE2026_H

#include "cim/Dialect/Cim/CimAttrs.h"

#include <cstdint>

namespace mlir::cim::pelke2026 {

/// One crossbar layer as the model sees it.
struct Layer {
  int64_t inDim = 0;       ///< Crossbar rows before sign handling (K).
  int64_t outDim = 0;      ///< Crossbar columns before slicing (N).
  int64_t invocations = 1; ///< MVMs per inference (output pixels, tokens).
  int64_t repeat = 1;      ///< Repetitions (attention heads).
};

/// The hardware of the model; defaults are the authors' configuration.
struct Params {
  unsigned cellBits = 4;
  unsigned inputBits = 1;
  int64_t crossbarRows = 256, crossbarCols = 256;
  double writeUs = 56.0;
  double execUs = 1.4;
  /// `differential_columns` is their `dc`, `offset` their `of`,
  /// `differential_rows` their `dr`.
  WeightSign mapping = WeightSign::differential_columns;
};

/// Crossbar tiles the layer occupies at `weightBits` (each written once).
int64_t writes(const Layer &layer, unsigned weightBits, const Params &params);

/// Latency of one inference of the layer, in microseconds.
double latencyUs(const Layer &layer, unsigned weightBits, unsigned actBits,
                 const Params &params);

} // namespace mlir::cim::pelke2026

#endif // CIM_HARDWARE_PELKE2026_H
