//===- CimAttrs.h - Attributes of the cim dialect ---------------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMATTRS_H
#define CIM_DIALECT_CIM_CIMATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "cim/Dialect/Cim/CimEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "cim/Dialect/Cim/CimAttrs.h.inc"

namespace mlir::cim {

/// The target of the module enclosing \p op (the nearest ancestor carrying a
/// `cim.target` attribute), or null.
TargetAttr lookupTarget(Operation *op);

/// The target of \p op's module, or an error on \p op saying that \p user
/// (a pass or analysis) needs one and how to attach it.
FailureOr<TargetAttr> requireTarget(Operation *op, StringRef user);

} // namespace mlir::cim

#endif // CIM_DIALECT_CIM_CIMATTRS_H
