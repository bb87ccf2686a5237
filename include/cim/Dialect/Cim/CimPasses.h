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

} // namespace mlir::cim

#endif // CIM_DIALECT_CIM_CIMPASSES_H
