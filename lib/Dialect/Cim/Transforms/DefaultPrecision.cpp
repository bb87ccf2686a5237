//===- DefaultPrecision.cpp - Default precision of crossbar layers --------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Makes the pipeline's default precision explicit before the passes that
// measure the quantized model, so that they measure the bits the layers
// will be tiled with.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimOps.h"
#include "cim/Dialect/Cim/CimPasses.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::cim {
#define GEN_PASS_DEF_CIMDEFAULTPRECISION
#include "cim/Dialect/Cim/CimPasses.h.inc"
} // namespace mlir::cim

using namespace mlir;
using namespace mlir::cim;

namespace {
struct CimDefaultPrecisionPass
    : public mlir::cim::impl::CimDefaultPrecisionBase<CimDefaultPrecisionPass> {
  using Base::Base;

  void runOnOperation() override {
    WalkResult result = getOperation().walk([&](MvmOp mvm) {
      if (mvm.getPrecisionAttr())
        return WalkResult::advance();
      PrecisionAttr precision = getDefaultPrecision(mvm, weightBits, actBits);
      if (!precision)
        return WalkResult::interrupt();
      mvm.setPrecisionAttr(precision);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
