//===- CimDynamicOps.cpp - Ops with run-time parameters -------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Verifiers of the ops in CimDynamicOps.td: what can be checked without the
// parameters' values (ranks, element types, operand lengths); the shapes
// the values imply are checked when they are known, by the interpreter.
//
//===----------------------------------------------------------------------===//

#include "CimOpsCommon.h"
#include "cim/Dialect/Cim/CimOps.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::detail;

/// A scalar operand: rank 0, or one element.
static LogicalResult checkScalar(Operation *op, StringRef name, Value v) {
  RankedTensorType type = tensorType(v);
  if (type.getRank() == 0 ||
      (type.hasStaticShape() && type.getNumElements() == 1))
    return success();
  return op->emitOpError() << "expects '" << name
                           << "' to be a scalar (rank 0 or one element), got "
                           << type;
}

/// A vector operand of `size` entries when both are known.
static LogicalResult checkLength(Operation *op, StringRef name, Value v,
                                 int64_t size) {
  int64_t n = tensorType(v).getDimSize(0);
  if (isStatic(n) && isStatic(size) && n != size)
    return op->emitOpError() << "expects '" << name << "' to have " << size
                             << " entries, got " << n;
  return success();
}

static LogicalResult checkSameRank(Operation *op, Value input, Value output) {
  int64_t in = tensorType(input).getRank(), out = tensorType(output).getRank();
  if (in != out)
    return op->emitOpError() << "expects the output rank to equal the input "
                                "rank "
                             << in << ", got " << out;
  return success();
}

LogicalResult DynamicSliceOp::verify() {
  Operation *op = getOperation();
  int64_t n = tensorType(getStarts()).getDimSize(0);
  if (failed(checkSameRank(op, getInput(), getOutput())) ||
      failed(checkSameElementType(op, getInput(), getOutput(), "input",
                                  "output")) ||
      failed(checkLength(op, "ends", getEnds(), n)) ||
      failed(checkLength(op, "axes", getAxes(), n)) ||
      failed(checkLength(op, "steps", getSteps(), n)))
    return failure();
  int64_t rank = tensorType(getInput()).getRank();
  if (isStatic(n) && n > rank)
    return emitOpError() << "slices " << n << " axes of a rank-" << rank
                         << " tensor";
  return success();
}

LogicalResult DynamicReduceOp::verify() {
  if (failed(checkSameElementType(*this, getInput(), getOutput(), "input",
                                  "output")))
    return failure();
  int64_t in = tensorType(getInput()).getRank(),
          out = tensorType(getOutput()).getRank();
  int64_t n = tensorType(getAxes()).getDimSize(0);
  if (isStatic(n) && n > in)
    return emitOpError() << "reduces " << n << " axes of a rank-" << in
                         << " tensor";
  // keepdims (or a no-op on empty axes) keeps the rank; otherwise each
  // reduced axis drops one.
  bool sameRank = getKeepdims() || (getNoopWithEmptyAxes() && n == 0);
  if (sameRank && out != in)
    return emitOpError() << "expects the output rank to equal the input rank "
                         << in << ", got " << out;
  if (!sameRank && isStatic(n) && out != in - (n ? n : in))
    return emitOpError() << "expects rank " << in - (n ? n : in)
                         << " after reducing " << (n ? n : in)
                         << " axes without keepdims, got " << out;
  return success();
}

LogicalResult DynamicCumSumOp::verify() {
  return checkScalar(*this, "axis", getAxis());
}

LogicalResult DynamicPadOp::verify() {
  Operation *op = getOperation();
  int64_t rank = tensorType(getInput()).getRank();
  if (failed(checkSameRank(op, getInput(), getOutput())) ||
      failed(checkSameElementType(op, getInput(), getOutput(), "input",
                                  "output")) ||
      failed(
          checkSameElementType(op, getInput(), getValue(), "input", "value")) ||
      failed(checkScalar(op, "value", getValue())) ||
      failed(checkLength(op, "pads", getPads(), 2 * rank)))
    return failure();
  return success();
}

LogicalResult DynamicRepeatOp::verify() {
  Operation *op = getOperation();
  int64_t rank = tensorType(getInput()).getRank();
  if (failed(checkSameRank(op, getInput(), getOutput())) ||
      failed(checkSameElementType(op, getInput(), getOutput(), "input",
                                  "output")) ||
      failed(checkLength(op, "repeats", getRepeats(), rank)))
    return failure();
  return success();
}

LogicalResult RangeOp::verify() {
  Operation *op = getOperation();
  for (auto [name, v] : {std::pair<StringRef, Value>{"start", getStart()},
                         {"limit", getLimit()},
                         {"delta", getDelta()}})
    if (failed(checkScalar(op, name, v)) ||
        failed(checkSameElementType(op, v, getOutput(), name, "output")))
      return failure();
  return success();
}

/// Shared by the two quantization ops: `scale` and `zero_point` hold one
/// element, or with `axis` one per slice along it.
static LogicalResult verifyDynamicQdq(Operation *op, Value input, Value scale,
                                      Value zeroPoint, Value integer,
                                      std::optional<int64_t> axis) {
  RankedTensorType in = tensorType(input);
  if (failed(checkShape(op, "output", tensorType(op->getResult(0)),
                        in.getShape())) ||
      failed(checkSameElementType(op, integer, zeroPoint,
                                  integer == input ? "input" : "output",
                                  "zero_point")))
    return failure();
  if (tensorType(scale).getRank() > 1 || tensorType(zeroPoint).getRank() > 1)
    return op->emitOpError() << "expects 'scale' and 'zero_point' of rank 0 "
                                "or 1";
  if (!axis)
    return success(succeeded(checkScalar(op, "scale", scale)) &&
                   succeeded(checkScalar(op, "zero_point", zeroPoint)));
  FailureOr<int64_t> a = normalizeAxis(op, "axis", *axis, in.getRank());
  if (failed(a))
    return failure();
  int64_t channels = in.getDimSize(*a);
  for (auto [name, v] :
       {std::pair<StringRef, Value>{"scale", scale}, {"zero_point", zeroPoint}})
    if (tensorType(v).getRank() == 1 &&
        failed(checkLength(op, name, v, channels)))
      return failure();
  return success();
}

LogicalResult DynamicQuantizeOp::verify() {
  return verifyDynamicQdq(*this, getInput(), getScale(), getZeroPoint(),
                          getOutput(), getAxis());
}

LogicalResult DynamicDequantizeOp::verify() {
  return verifyDynamicQdq(*this, getInput(), getScale(), getZeroPoint(),
                          getInput(), getAxis());
}
