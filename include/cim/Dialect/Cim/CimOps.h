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
#include "cim/Dialect/Cim/CimInterfaces.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "cim/Dialect/Cim/CimOps.h.inc"

namespace mlir::cim {

/// The precision of a crossbar layer without `#cim.precision`: `weightBits`
/// and `actBits` with per-channel scales, as cim-default-precision and
/// cim-tile-crossbar give it; null, with an error on `mvm`, if the bits are
/// not a valid precision.
PrecisionAttr getDefaultPrecision(MvmOp mvm, unsigned weightBits,
                                  unsigned actBits);

} // namespace mlir::cim

#endif // CIM_DIALECT_CIM_CIMOPS_H
