//===- CimPasses.h - Passes of the cim dialect ------------------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMPASSES_H
#define CIM_DIALECT_CIM_CIMPASSES_H

#include "cim/Dialect/Cim/CimOps.h"

#include "mlir/Pass/Pass.h"

namespace mlir::cim {

#define GEN_PASS_DECL
#include "cim/Dialect/Cim/CimPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "cim/Dialect/Cim/CimPasses.h.inc"

/// Reads a uniform integer precision "wXaY" (e.g. "w8a8") into its weight
/// and activation bits; false when `spec` is not of that form.
bool parseUniformPrecision(llvm::StringRef spec, unsigned &weightBits,
                           unsigned &actBits);

/// The floating-point precision `spec` names, `fp:IN[/W][:L=N][:truncate]`
/// (formats `e4m3`, `e5m2`, `bf16`, `fp16` or `eXmY`; W defaults to IN, N to
/// IN's mantissa + 4), or failure with `error` saying what is wrong.
FailureOr<PrecisionAttr> parseFloatPrecision(llvm::StringRef spec,
                                             MLIRContext *context,
                                             std::string &error);

/// The spec of `fp` that parseFloatPrecision reads back
/// ("fp:e4m3/e5m2:L=7[:truncate]").
std::string floatPrecisionSpec(FpAttr fp);

/// True when `spec` asks for a floating-point precision (starts with "fp:").
inline bool isFloatPrecisionSpec(llvm::StringRef spec) {
  return spec.starts_with("fp:");
}

} // namespace mlir::cim

#endif // CIM_DIALECT_CIM_CIMPASSES_H
