//===- CimPatterns.h - Rewrite patterns shared by cim passes ----*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMPATTERNS_H
#define CIM_DIALECT_CIM_CIMPATTERNS_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::cim {

/// `shape` permuted by `perm` (result[i] = shape[perm[i]]).
SmallVector<int64_t> permuteShape(ArrayRef<int64_t> shape,
                                  ArrayRef<int64_t> perm);

/// A cim.transpose of `value` by `perm`, or `value` for the identity.
/// Transposes of constants fold, so weights come out in the new layout.
Value createTranspose(OpBuilder &builder, Location loc, Value value,
                      ArrayRef<int64_t> perm);

/// Layout cleanup for graphs converted from NHWC front ends (TOSA, Linalg):
/// moves cim.transpose ops past elementwise unary and binary ops (and past
/// binary ops with a constant operand, transposing the constant), and turns
/// transposes that only move unit dimensions into reshapes, so that the
/// NHWC<->NCHW pairs around convolutions and pools meet and cancel (with
/// TransposeOp's folder).
void populateLayoutCleanupPatterns(RewritePatternSet &patterns);

} // namespace mlir::cim

#endif // CIM_DIALECT_CIM_CIMPATTERNS_H
