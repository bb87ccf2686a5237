//===- Accuracy.h - cimc's measured accuracy and its interval ---*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The accuracy section of report.json/report.md (private to CIMCompiler).
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_PIPELINES_COMPILER_ACCURACY_H
#define CIM_LIB_PIPELINES_COMPILER_ACCURACY_H

#include "cim/Pipelines/Compiler.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <optional>
#include <string>

namespace mlir::cim {

struct AccuracyReport {
  /// With labels: report.json's "accuracy" (empty without labels).
  llvm::json::Object accuracy;
  /// Without labels: the relative L2 error on all measured inputs, and its
  /// search/verify parts ("output_error_split", empty without a split).
  std::optional<double> outputError;
  llvm::json::Object outputErrorSplit;
  /// The same for report.md.
  std::string markdown;
};

/// Float against the compiled module on the measured inputs (and the
/// verify images): top-1 with labels, the output error without. The split
/// is the one cim-assign-precision made (same fraction, seed and labels),
/// so the search and verify figures are those of the images each part had.
llvm::Expected<AccuracyReport> measureAccuracy(ModuleOp floatModule,
                                               ModuleOp compiled,
                                               const CompilerOptions &o);

} // namespace mlir::cim

#endif // CIM_LIB_PIPELINES_COMPILER_ACCURACY_H
