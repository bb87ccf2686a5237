//===- ImportONNX.h - ONNX models into the cim graph level ------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TARGET_IMPORTONNX_H
#define CIM_TARGET_IMPORTONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <utility>
#include <vector>

namespace mlir::cim {

struct ImportONNXOptions {
  /// Static shapes for graph inputs, by name (`--input-shape
  /// NAME:1x3x224x224`).
  std::vector<std::pair<std::string, llvm::SmallVector<int64_t>>> inputShapes;
  /// Graph inputs fixed to constants, by name (`--input-value NAME=V,V,...`):
  /// a sample rate or a mode flag that an exporter's `If` tests, so that
  /// the branch taken folds at import.
  std::vector<std::pair<std::string, std::vector<double>>> inputValues;
  /// Value of a symbolic leading (batch) dimension not given above.
  int64_t defaultBatch = 1;
  /// Directory that external-data initializers are relative to; defaults to
  /// the model file's directory.
  std::string externalDataDir;
};

/// Imports an ONNX model (binary protobuf, or the ONNX text format when the
/// bytes start with '<' after comment lines) into a module with
/// `func.func @main`. Errors are emitted as diagnostics on `context` naming
/// `sourceName`, the node and the op; returns null on failure. Never throws.
OwningOpRef<ModuleOp> importONNX(llvm::StringRef bytes,
                                 llvm::StringRef sourceName,
                                 MLIRContext *context,
                                 const ImportONNXOptions &options = {});

/// Reads and imports the model file at `path` (external data is looked up
/// beside it). Errors are emitted as diagnostics; returns null on failure.
OwningOpRef<ModuleOp> importONNXFile(llvm::StringRef path, MLIRContext *context,
                                     const ImportONNXOptions &options = {});

/// Parses "NAME:1x3x224x224" into `options.inputShapes`.
LogicalResult parseInputShape(llvm::StringRef spec, ImportONNXOptions &options,
                              std::string &error);

/// Registers `--import-onnx` (with `--input-shape`) for cim-translate.
/// Parses `NAME=V[,V...]` into options.inputValues.
LogicalResult parseInputValue(llvm::StringRef spec, ImportONNXOptions &options,
                              std::string &error);

void registerImportONNXTranslation();

/// `cim-translate --import-onnx FILE`: mlirTranslateMain copies its whole
/// input into memory before translating, which doubles the footprint of a
/// large model, so a named file is imported by this driver instead (same
/// options and output). Returns the process exit code.
int importONNXMain(int argc, char **argv);

} // namespace mlir::cim

#endif // CIM_TARGET_IMPORTONNX_H
