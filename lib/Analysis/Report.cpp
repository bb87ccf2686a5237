//===- Report.cpp - Print the cost model ----------------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Analysis/CostModel.h"
#include "cim/Analysis/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

namespace mlir::cim {
#define GEN_PASS_DEF_CIMREPORT
#include "cim/Analysis/Passes.h.inc"
} // namespace mlir::cim

using namespace mlir;
using namespace mlir::cim;

namespace {

struct CimReportPass : public mlir::cim::impl::CimReportBase<CimReportPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    cost::CostOptions costOptions;
    costOptions.skipZeroCycles = skipZeroCycles;
    FailureOr<cost::ModelCost> cost =
        cost::computeCost(module, model, costOptions);
    if (failed(cost))
      return signalPassFailure();

    std::string error;
    std::unique_ptr<llvm::ToolOutputFile> file = openOutputFile(output, &error);
    if (!file) {
      emitError(module.getLoc()) << "cim-report: " << error;
      return signalPassFailure();
    }
    if (json)
      file->os() << llvm::formatv("{0:2}", cost::toJSON(*cost)) << "\n";
    else
      cost::printTable(*cost, file->os());
    file->keep();
    markAllAnalysesPreserved();
  }
};

} // namespace
