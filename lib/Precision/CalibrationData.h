//===- CalibrationData.h - Reading calibration batches ----------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The passes that run the graph evaluator on data (cim-calibrate,
// cim-quantize) read it the same way: a `.npy` whose leading dimension holds
// whole batches of the model's one input.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_DIALECT_CIM_TRANSFORMS_CALIBRATIONDATA_H
#define CIM_LIB_DIALECT_CIM_TRANSFORMS_CALIBRATIONDATA_H

#include "cim/Interpreter/GraphEvaluator.h"

#include "llvm/Support/Error.h"

#include <vector>

namespace mlir::cim {

struct CalibrationData {
  std::vector<float> values;
  /// Whole batches of the model's input in `values`.
  int64_t batches = 0;
  /// Elements of one batch.
  int64_t batchSize = 0;
};

/// Reads `path` for `evaluator`'s single input, keeping the first `samples`
/// batches (0 = all). Errors name the file and the shapes.
llvm::Expected<CalibrationData>
readCalibrationData(const eval::GraphEvaluator &evaluator, llvm::StringRef path,
                    unsigned samples);

/// Runs `evaluator` on every batch of `data` in order, on one thread (what
/// observers collect may depend on the order), `observer` seeing every op's
/// results and `onInput` (if given) each batch's input, which is an
/// argument, not an op result. With `stats`, the runs' counts are added
/// there. `numberedInvocations`: batch b runs as invocation b (its own
/// noise draws), else every batch as invocation 0.
llvm::Error runCalibrationBatches(
    const eval::GraphEvaluator &evaluator, const CalibrationData &data,
    const eval::GraphEvaluator::Observer &observer,
    llvm::function_ref<void(const eval::Tensor &)> onInput = nullptr,
    eval::Stats *stats = nullptr, bool numberedInvocations = false);

} // namespace mlir::cim

#endif // CIM_LIB_DIALECT_CIM_TRANSFORMS_CALIBRATIONDATA_H
