//===- Passes.h - Conversions into the cim dialect --------------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef CIM_CONVERSION_PASSES_H
#define CIM_CONVERSION_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::cim {

#define GEN_PASS_DECL
#include "cim/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "cim/Conversion/Passes.h.inc"

} // namespace mlir::cim

#endif // CIM_CONVERSION_PASSES_H
