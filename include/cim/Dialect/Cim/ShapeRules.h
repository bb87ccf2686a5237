//===- ShapeRules.h - ONNX's rules for parameter-dependent shapes -*- C++ -*-=//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// How slice bounds, reduction axes, pads, repeats and ranges determine a
// result's shape, in one place: the importer applies them to constant
// parameters (static ops) and the interpreter to run-time ones (the ops of
// CimDynamicOps.td), so both agree on clamping and negative indices.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_SHAPERULES_H
#define CIM_DIALECT_CIM_SHAPERULES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <string>

namespace mlir::cim::shape {

/// A strided window of every dimension: element `i` of dimension `d` is
/// input index `offsets[d] + i * strides[d]` (strides may be negative).
struct SliceBounds {
  llvm::SmallVector<int64_t> offsets, strides, sizes;
};

/// ONNX Slice (opset 10+): `starts`, `ends`, `axes` (empty = 0, 1, ...) and
/// `steps` (empty = 1s) over a tensor of `shape`, clamped as ONNX does.
llvm::Expected<SliceBounds> resolveSlice(llvm::ArrayRef<int64_t> shape,
                                         llvm::ArrayRef<int64_t> starts,
                                         llvm::ArrayRef<int64_t> ends,
                                         llvm::ArrayRef<int64_t> axes,
                                         llvm::ArrayRef<int64_t> steps);

/// Normalized, sorted, distinct axes (negative count from the end) of a
/// rank-`rank` tensor; an axis out of range or repeated is an error.
llvm::Expected<llvm::SmallVector<int64_t>>
normalizeAxes(llvm::ArrayRef<int64_t> axes, int64_t rank);

/// The shape left after reducing `axes` (normalized; empty = every axis).
llvm::SmallVector<int64_t> reducedShape(llvm::ArrayRef<int64_t> shape,
                                        llvm::ArrayRef<int64_t> axes,
                                        bool keepdims);

/// The shape after ONNX Pad's `pads` (all begins, then all ends).
llvm::Expected<llvm::SmallVector<int64_t>>
paddedShape(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int64_t> pads);

/// The shape after ONNX Tile's `repeats` (one per dimension, >= 0).
llvm::Expected<llvm::SmallVector<int64_t>>
repeatedShape(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int64_t> repeats);

/// ONNX Range's length: max(ceil((limit - start) / delta), 0).
llvm::Expected<int64_t> rangeLength(double start, double limit, double delta);

/// "[2, 3]", for messages.
std::string format(llvm::ArrayRef<int64_t> shape);

} // namespace mlir::cim::shape

#endif // CIM_DIALECT_CIM_SHAPERULES_H
