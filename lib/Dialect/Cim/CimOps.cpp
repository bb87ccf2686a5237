//===- CimOps.cpp - Operations of the cim dialect -------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The generated definitions of the ops of all three levels, and the checks
// their verifiers share (CimOpsCommon.h). The verifiers, one file per level
// like the ODS files: CimGraphOps.cpp, CimMappedOps.cpp, CimIsaOps.cpp.
//
//===----------------------------------------------------------------------===//

#include "CimOpsCommon.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::cim;

//===----------------------------------------------------------------------===//
// Shared checks
//===----------------------------------------------------------------------===//

namespace mlir::cim::detail {

LogicalResult checkDim(Operation *op, const Twine &what, int64_t actual,
                       int64_t expected) {
  if (isStatic(actual) && isStatic(expected) && actual != expected)
    return op->emitOpError()
           << "expects " << what << " to be " << expected << ", got " << actual;
  return success();
}

LogicalResult checkRank(Operation *op, StringRef what, Value v, int64_t rank,
                        StringRef layout) {
  int64_t actual = tensorType(v).getRank();
  if (actual == rank)
    return success();
  auto diag = op->emitOpError() << "expects " << what << " of rank " << rank;
  if (!layout.empty())
    diag << " (" << layout << ")";
  return diag << ", got rank " << actual;
}

LogicalResult checkSameElementType(Operation *op, Value a, Value b,
                                   StringRef aName, StringRef bName) {
  Type ea = tensorType(a).getElementType(), eb = tensorType(b).getElementType();
  if (ea == eb)
    return success();
  return op->emitOpError() << "expects " << aName << " and " << bName
                           << " to have the same element type, got " << ea
                           << " and " << eb;
}

LogicalResult checkArray(Operation *op, StringRef name,
                         ArrayRef<int64_t> values, size_t size,
                         int64_t minValue) {
  if (values.size() != size)
    return op->emitOpError() << "expects '" << name << "' to have " << size
                             << " entries, got " << values.size();
  for (int64_t v : values)
    if (v < minValue)
      return op->emitOpError()
             << "expects every entry of '" << name << "' to be at least "
             << minValue << ", got " << v;
  return success();
}

int64_t windowedSize(int64_t in, int64_t kernel, int64_t stride,
                     int64_t dilation, int64_t padBegin, int64_t padEnd,
                     bool ceilMode) {
  if (!isStatic(in))
    return ShapedType::kDynamic;
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t room = in + padBegin + padEnd - span;
  if (room < 0)
    return 0;
  int64_t out = (ceilMode ? llvm::divideCeil(room, stride) : room / stride) + 1;
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

static void printShape(InFlightDiagnostic &diag, ArrayRef<int64_t> shape) {
  diag << "[";
  llvm::interleave(
      shape, diag,
      [&](int64_t d) {
        if (isStatic(d))
          diag << d;
        else
          diag << "?";
      },
      ", ");
  diag << "]";
}

LogicalResult checkShape(Operation *op, StringRef what, RankedTensorType result,
                         ArrayRef<int64_t> expected) {
  bool ok = result.getRank() == static_cast<int64_t>(expected.size());
  for (size_t i = 0; ok && i < expected.size(); ++i)
    ok = !isStatic(expected[i]) || !isStatic(result.getDimSize(i)) ||
         expected[i] == result.getDimSize(i);
  if (ok)
    return success();
  auto diag = op->emitOpError() << "expects " << what << " of shape ";
  printShape(diag, expected);
  diag << ", got ";
  printShape(diag, result.getShape());
  return diag;
}

int64_t product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims) {
    if (!isStatic(d))
      return ShapedType::kDynamic;
    p *= d;
  }
  return p;
}

/// Checks an op's precision against the enclosing module's target.
static LogicalResult verifyPrecision(Operation *op,
                                     std::optional<PrecisionAttr> precision) {
  if (!precision)
    return success();
  TargetAttr target = lookupTarget(op);
  if (!target)
    return success();
  return precision->verifyAgainst(target, [&] { return op->emitOpError(); });
}

LogicalResult verifyCrossbarOperands(Operation *op, Value input, Value weight,
                                     Value output,
                                     std::optional<PrecisionAttr> precision) {
  if (isa<FloatType>(tensorType(input).getElementType()) &&
      (failed(checkSameElementType(op, input, weight, "input", "weight")) ||
       failed(checkSameElementType(op, input, output, "input", "output"))))
    return failure();
  return verifyPrecision(op, precision);
}

LogicalResult checkRange(Operation *op, StringRef name, ArrayRef<int64_t> range,
                         int64_t limit) {
  if (range.size() != 2)
    return op->emitOpError()
           << "expects '" << name << "' to be [begin, end), got "
           << range.size() << " entries";
  if (range[0] < 0 || range[1] <= range[0] ||
      (isStatic(limit) && range[1] > limit))
    return op->emitOpError() << "expects '" << name << "' [" << range[0] << ", "
                             << range[1] << ") to be a non-empty "
                             << "range within [0, " << limit << ")";
  return success();
}

LogicalResult verifyPlacement(Operation *op, ArrayRef<int64_t> footprint,
                              int64_t copies,
                              std::optional<ArrayRef<int64_t>> crossbars,
                              std::optional<ArrayRef<int64_t>> origin,
                              std::optional<PrecisionAttr> precision) {
  if (footprint.size() != 2 || footprint[0] < 1 || footprint[1] < 1)
    return op->emitOpError()
           << "expects 'footprint' to be [rows, columns], both at least 1";
  SmallVector<int64_t, 2> extent(footprint);
  if (origin) {
    if (origin->size() != 2 || (*origin)[0] < 0 || (*origin)[1] < 0)
      return op->emitOpError()
             << "expects 'origin' to be [row, column], both at least 0";
    extent[0] += (*origin)[0];
    extent[1] += (*origin)[1];
  }
  if (copies < 1)
    return op->emitOpError()
           << "expects 'copies' to be at least 1, got " << copies;
  if (crossbars && int64_t(crossbars->size()) != copies)
    return op->emitOpError() << "expects one crossbar per copy (" << copies
                             << "), got " << crossbars->size();
  if (TargetAttr target = lookupTarget(op)) {
    if (extent[0] > target.getRows() || extent[1] > target.getCols())
      return op->emitOpError()
             << "footprint " << footprint[0] << "x" << footprint[1]
             << (origin ? " at its origin" : "") << " does not fit a "
             << target.getRows() << "x" << target.getCols()
             << " crossbar of target '" << target.getName() << "'";
    if (crossbars)
      for (int64_t id : *crossbars)
        if (id < 0 || uint64_t(id) >= target.getNumCrossbars())
          return op->emitOpError()
                 << "crossbar " << id << " does not exist: target '"
                 << target.getName() << "' has " << target.getNumCrossbars();
  }
  return verifyPrecision(op, precision);
}

} // namespace mlir::cim::detail

//===----------------------------------------------------------------------===//
// Generated op definitions
//===----------------------------------------------------------------------===//

#define GET_OP_CLASSES
#include "cim/Dialect/Cim/CimOps.cpp.inc"
