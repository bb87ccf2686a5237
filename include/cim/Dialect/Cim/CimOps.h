//===- CimOps.h - Operations of the cim dialect -----------------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMOPS_H
#define CIM_DIALECT_CIM_CIMOPS_H

#include "cim/Dialect/Cim/CimAttrs.h"
#include "cim/Dialect/Cim/CimDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "cim/Dialect/Cim/CimOps.h.inc"

#endif // CIM_DIALECT_CIM_CIMOPS_H
