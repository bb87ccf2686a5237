//===- CimDialect.h - The cim dialect ---------------------------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMDIALECT_H
#define CIM_DIALECT_CIM_CIMDIALECT_H

#include "mlir/IR/Dialect.h"

#include "cim/Dialect/Cim/CimOpsDialect.h.inc"

#endif // CIM_DIALECT_CIM_CIMDIALECT_H
