//===- SetTarget.cpp - Attach a hardware description ----------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimPasses.h"
#include "cim/Hardware/Target.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringExtras.h"

namespace mlir::cim {
#define GEN_PASS_DEF_CIMSETTARGET
#include "cim/Dialect/Cim/CimPasses.h.inc"
} // namespace mlir::cim

using namespace mlir;
using namespace mlir::cim;

namespace {
struct CimSetTargetPass
    : public mlir::cim::impl::CimSetTargetBase<CimSetTargetPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (target.empty()) {
      emitError(module.getLoc())
          << "cim-set-target needs a target: a preset ("
          << llvm::join(getTargetPresetNames(), ", ") << ") or a JSON file";
      return signalPassFailure();
    }
    llvm::Expected<TargetAttr> loaded = loadTarget(target, &getContext());
    if (!loaded) {
      emitError(module.getLoc()) << llvm::toString(loaded.takeError());
      return signalPassFailure();
    }
    StringRef attrName = CimDialect::getTargetAttrName();
    if (auto existing = module->getAttrOfType<TargetAttr>(attrName);
        existing && existing != *loaded && !force) {
      emitError(module.getLoc())
          << "module is already compiled for target '" << existing.getName()
          << "'; pass force=true to retarget it to '" << loaded->getName()
          << "'";
      return signalPassFailure();
    }
    module->setAttr(attrName, *loaded);
  }
};
} // namespace
