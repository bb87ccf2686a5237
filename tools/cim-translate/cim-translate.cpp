//===- cim-translate.cpp - Translations into and out of cim ---------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// mlir-translate for cim: the ONNX importer, target descriptions (JSON),
// and the instruction stream (.cimbin and cim assembly, both ways).
//
//===----------------------------------------------------------------------===//

#include "cim/Support/Limits.h"
#include "cim/Target/ISA.h"
#include "cim/Target/ImportONNX.h"
#include "cim/Target/TargetJSON.h"

#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"

/// True for `--import-onnx` of a named model file (not stdin, not a split
/// input), which goes to the streaming importer.
static bool isFileImport(int argc, char **argv) {
  bool import = false, file = false;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    if (arg == "--import-onnx" || arg == "-import-onnx")
      import = true;
    else if (arg.starts_with("--split-input-file") ||
             arg.starts_with("-split-input-file") ||
             arg.starts_with("--verify-diagnostics"))
      return false;
    else if (!arg.starts_with("-") && i > 0 &&
             llvm::StringRef(argv[i - 1]) != "-o" &&
             llvm::StringRef(argv[i - 1]) != "--input-shape" &&
             llvm::sys::fs::is_regular_file(arg))
      file = true;
  }
  return import && file;
}

int main(int argc, char **argv) {
  // --max-tensor-elements, --max-model-bytes, ... (docs/reliability.md).
  mlir::cim::registerResourceLimitOptions();
  if (isFileImport(argc, argv))
    return mlir::cim::importONNXMain(argc, argv);
  mlir::cim::registerImportONNXTranslation();
  mlir::cim::registerTargetJSONTranslations();
  mlir::cim::isa::registerISATranslations();
  return mlir::failed(mlir::mlirTranslateMain(
      argc, argv, "cim translation driver: model and target formats\n"));
}
