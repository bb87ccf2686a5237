//===- CimOpsCommon.h - Helpers shared by the cim op verifiers --*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Private to lib/Dialect/Cim: the shape and placement checks that the
// verifiers of more than one IR level use (CimGraphOps.cpp, CimMappedOps.cpp,
// CimIsaOps.cpp). They are defined once, in CimOps.cpp. Dynamic dimensions
// are accepted and skip the checks that need their value.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_DIALECT_CIM_CIMOPSCOMMON_H
#define CIM_LIB_DIALECT_CIM_CIMOPSCOMMON_H

#include "cim/Dialect/Cim/CimOps.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"

#include <optional>

namespace mlir::cim::detail {

inline RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

inline bool isStatic(int64_t dim) { return !ShapedType::isDynamic(dim); }

/// Normalizes a possibly negative axis into [0, rank); `rank` is the number of
/// valid positions (rank + 1 for ops that may insert at the end).
FailureOr<int64_t> normalizeAxis(Operation *op, StringRef name, int64_t axis,
                                 int64_t rank);

/// numpy broadcasting of two shapes; failure if incompatible.
FailureOr<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> a,
                                                ArrayRef<int64_t> b);

/// Verifier of the reductions over `axes` (none: all) with `keepdims`.
LogicalResult verifyReduction(Operation *op, Value input, Value output,
                              ArrayRef<int64_t> axes, bool keepdims);

/// Verifier of the elementwise binary ops: one element type, broadcast shape.
LogicalResult verifyBroadcastBinary(Operation *op);

/// Reports `what` if both sizes are known and differ.
LogicalResult checkDim(Operation *op, const Twine &what, int64_t actual,
                       int64_t expected);

LogicalResult checkRank(Operation *op, StringRef what, Value v, int64_t rank,
                        StringRef layout = "");

LogicalResult checkSameElementType(Operation *op, Value a, Value b,
                                   StringRef aName, StringRef bName);

/// Checks that `values` has `size` entries, each at least `minValue`.
LogicalResult checkArray(Operation *op, StringRef name,
                         ArrayRef<int64_t> values, size_t size,
                         int64_t minValue);

/// Output size of a sliding window (conv, pooling) along one dimension, or
/// dynamic if the input size is unknown. `ceilMode` follows PyTorch: the last
/// window must start inside the input or its leading padding.
int64_t windowedSize(int64_t in, int64_t kernel, int64_t stride,
                     int64_t dilation, int64_t padBegin, int64_t padEnd,
                     bool ceilMode = false);

/// Checks that `result` has exactly `expected` (dynamic entries match).
LogicalResult checkShape(Operation *op, StringRef what, RankedTensorType result,
                         ArrayRef<int64_t> expected);

/// Product of `dims`, dynamic if any is.
int64_t product(ArrayRef<int64_t> dims);

/// Common tail of the crossbar-capable ops: a float op computes in one float
/// type (integer ops may accumulate wider), and its precision must suit the
/// target.
LogicalResult verifyCrossbarOperands(Operation *op, Value input, Value weight,
                                     Value output,
                                     std::optional<PrecisionAttr> precision);

/// Checks a half-open range attribute `[begin, end)` within `[0, limit)`.
LogicalResult checkRange(Operation *op, StringRef name, ArrayRef<int64_t> range,
                         int64_t limit);

/// Placement attributes shared by cim.tile, cim.crossbar_mvm and cim.isa.mvm:
/// the footprint must fit one crossbar of the target, and every copy needs a
/// crossbar that exists.
LogicalResult verifyPlacement(Operation *op, ArrayRef<int64_t> footprint,
                              int64_t copies,
                              std::optional<ArrayRef<int64_t>> crossbars,
                              std::optional<ArrayRef<int64_t>> origin,
                              std::optional<PrecisionAttr> precision);

} // namespace mlir::cim::detail

#endif // CIM_LIB_DIALECT_CIM_CIMOPSCOMMON_H
