//===- cim-opt.cpp - The cim optimizer driver -----------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// mlir-opt for cim: our dialect and passes plus only the upstream dialects
// and passes the pipeline uses, which keeps the binary and its link small.
//
//===----------------------------------------------------------------------===//

#include "cim/InitAll.h"
#include "cim/Support/Limits.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::cim::registerAllDialects(registry);
  mlir::cim::registerInputDialects(registry);

  mlir::cim::registerAllPasses();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerSymbolDCEPass();
  mlir::registerInlinerPass();
  // --max-tensor-elements bounds the constants a module may declare (the
  // cim.constant verifier), as for every other input of cim.
  mlir::cim::registerResourceLimitOptions();

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "cim optimizer driver: passes for computing-in-memory\n",
      registry));
}
