//===- cim-translate.cpp - Translations into and out of cim ---------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// mlir-translate for cim. Importers (ONNX) and emitters (CIM assembly and
// binary) register here as they land.
//
//===----------------------------------------------------------------------===//

#include "cim/Target/ImportONNX.h"
#include "cim/Target/TargetJSON.h"

#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::cim::registerImportONNXTranslation();
  mlir::cim::registerTargetJSONTranslations();
  return mlir::failed(mlir::mlirTranslateMain(
      argc, argv, "cim translation driver: model and target formats\n"));
}
