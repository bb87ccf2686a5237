//===- CimInterfaces.h - Op interfaces of the cim dialect -------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The crossbar-layer op interface (dialects/Cim/CimInterfaces.td).
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMINTERFACES_H
#define CIM_DIALECT_CIM_CIMINTERFACES_H

#include "cim/Dialect/Cim/CimAttrs.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"

#include <utility>

#include "cim/Dialect/Cim/CimInterfaces.h.inc"

#endif // CIM_DIALECT_CIM_CIMINTERFACES_H
