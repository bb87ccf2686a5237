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
#include "cim/Numerics/FloatingPoint.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::cim {
#define GEN_PASS_DEF_CIMDEFAULTPRECISION
#include "cim/Dialect/Cim/CimPasses.h.inc"
} // namespace mlir::cim

using namespace mlir;
using namespace mlir::cim;

bool mlir::cim::parseUniformPrecision(StringRef spec, unsigned &weightBits,
                                      unsigned &actBits) {
  return spec.consume_front("w") && !spec.consumeInteger(10, weightBits) &&
         spec.consume_front("a") && !spec.consumeInteger(10, actBits) &&
         spec.empty();
}

FailureOr<PrecisionAttr> mlir::cim::parseFloatPrecision(StringRef spec,
                                                        MLIRContext *context,
                                                        std::string &error) {
  StringRef rest = spec;
  if (!rest.consume_front("fp:")) {
    error = "a floating-point precision starts with 'fp:', got '" + spec.str() +
            "'";
    return failure();
  }
  SmallVector<StringRef> parts;
  rest.split(parts, ':');
  auto [inText, wText] = parts.front().split('/');
  llvm::Expected<numerics::FloatFormat> in = numerics::parseFloatFormat(inText);
  if (!in) {
    error = "input format: " + llvm::toString(in.takeError());
    return failure();
  }
  numerics::FloatFormat weight = *in;
  if (!wText.empty()) {
    llvm::Expected<numerics::FloatFormat> w = numerics::parseFloatFormat(wText);
    if (!w) {
      error = "weight format: " + llvm::toString(w.takeError());
      return failure();
    }
    weight = *w;
  }
  unsigned aligned = in->manBits + 4;
  bool truncate = false;
  for (StringRef part : llvm::drop_begin(parts)) {
    if (part == "truncate") {
      truncate = true;
    } else if (part.consume_front("L=")) {
      if (part.getAsInteger(10, aligned)) {
        error = "L= takes the aligned mantissa bits, got '" + part.str() + "'";
        return failure();
      }
    } else {
      error = "unknown part '" + part.str() +
              "' of a floating-point precision (expected L=N or truncate)";
      return failure();
    }
  }
  std::string diagnostic;
  auto emitError = [&] {
    return mlir::emitError(UnknownLoc::get(context), "");
  };
  // Report through the attribute verifiers, captured into `error`.
  ScopedDiagnosticHandler handler(context, [&](Diagnostic &diag) {
    diagnostic = diag.str();
    return success();
  });
  FpAttr fp =
      FpAttr::getChecked(emitError, context, in->expBits, in->manBits,
                         weight.expBits, weight.manBits, aligned, truncate);
  PrecisionAttr precision;
  if (fp)
    precision = PrecisionAttr::getChecked(emitError, context,
                                          weight.manBits + 2, aligned + 1, 0u,
                                          ScaleGranularity::channel, fp);
  if (!precision) {
    error = "'" + spec.str() + "': " + diagnostic;
    return failure();
  }
  return precision;
}

std::string mlir::cim::floatPrecisionSpec(FpAttr fp) {
  std::string spec =
      "fp:" + numerics::formatName({fp.getInputExp(), fp.getInputMan()}) + "/" +
      numerics::formatName({fp.getWeightExp(), fp.getWeightMan()}) +
      ":L=" + std::to_string(fp.getAlignedBits());
  if (fp.getTruncate())
    spec += ":truncate";
  return spec;
}

namespace {
struct CimDefaultPrecisionPass
    : public mlir::cim::impl::CimDefaultPrecisionBase<CimDefaultPrecisionPass> {
  using Base::Base;

  void runOnOperation() override {
    PrecisionAttr floating;
    if (!floatSpec.empty()) {
      std::string error;
      FailureOr<PrecisionAttr> parsed =
          parseFloatPrecision(floatSpec, &getContext(), error);
      if (failed(parsed)) {
        getOperation().emitError() << "cim-default-precision: " << error;
        return signalPassFailure();
      }
      floating = *parsed;
    }
    WalkResult result = getOperation().walk([&](MvmOp mvm) {
      if (mvm.getPrecisionAttr())
        return WalkResult::advance();
      PrecisionAttr precision =
          floating ? floating : getDefaultPrecision(mvm, weightBits, actBits);
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
