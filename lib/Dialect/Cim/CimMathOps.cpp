//===- CimMathOps.cpp - Graph-level math of the cim dialect ---------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Verifiers of the ops in CimMathOps.td.
//
//===----------------------------------------------------------------------===//

#include "CimOpsCommon.h"
#include "cim/Dialect/Cim/CimOps.h"

#include "llvm/ADT/SmallBitVector.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::detail;

LogicalResult MaxOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult MinOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult PReluOp::verify() { return verifyBroadcastBinary(*this); }

static LogicalResult verifyLogical(Operation *op) {
  if (!tensorType(op->getOperand(0)).getElementType().isInteger(1))
    return op->emitOpError() << "expects boolean (i1) operands, got "
                             << op->getOperand(0).getType();
  return verifyBroadcastBinary(op);
}
LogicalResult AndOp::verify() { return verifyLogical(*this); }
LogicalResult OrOp::verify() { return verifyLogical(*this); }
LogicalResult XorOp::verify() { return verifyLogical(*this); }

LogicalResult ModOp::verify() {
  if (!getFmod() && isa<FloatType>(tensorType(getLhs()).getElementType()))
    return emitOpError() << "expects fmod = true for float operands (ONNX)";
  return verifyBroadcastBinary(*this);
}

/// Shape of the broadcast of `values`, checked against `out`'s.
static LogicalResult checkBroadcastResult(Operation *op, ValueRange values,
                                          Value out) {
  SmallVector<int64_t> shape;
  for (Value v : values) {
    FailureOr<SmallVector<int64_t>> next =
        broadcastShapes(shape, tensorType(v).getShape());
    if (failed(next))
      return op->emitOpError()
             << "expects broadcast-compatible operands, got " << v.getType();
    shape = *next;
  }
  return checkShape(op, "output", tensorType(out), shape);
}

LogicalResult CmpOp::verify() {
  if (failed(checkSameElementType(*this, getLhs(), getRhs(), "lhs", "rhs")))
    return failure();
  return checkBroadcastResult(*this, {getLhs(), getRhs()}, getOutput());
}

LogicalResult SelectOp::verify() {
  if (failed(checkSameElementType(*this, getLhs(), getRhs(), "lhs", "rhs")) ||
      failed(
          checkSameElementType(*this, getLhs(), getOutput(), "lhs", "output")))
    return failure();
  return checkBroadcastResult(*this, {getCondition(), getLhs(), getRhs()},
                              getOutput());
}

LogicalResult CastOp::verify() {
  return checkShape(*this, "output", tensorType(getOutput()),
                    tensorType(getInput()).getShape());
}

LogicalResult ReduceOp::verify() {
  return verifyReduction(*this, getInput(), getOutput(), getAxes(),
                         getKeepdims());
}

static LogicalResult verifyArgReduce(Operation *op, Value input, Value output,
                                     int64_t axis, bool keepdims) {
  RankedTensorType in = tensorType(input);
  FailureOr<int64_t> a = normalizeAxis(op, "axis", axis, in.getRank());
  if (failed(a))
    return failure();
  SmallVector<int64_t> expected;
  for (int64_t i = 0; i < in.getRank(); ++i) {
    if (i != *a)
      expected.push_back(in.getDimSize(i));
    else if (keepdims)
      expected.push_back(1);
  }
  return checkShape(op, "output", tensorType(output), expected);
}

LogicalResult ArgMaxOp::verify() {
  return verifyArgReduce(*this, getInput(), getOutput(), getAxis(),
                         getKeepdims());
}
LogicalResult ArgMinOp::verify() {
  return verifyArgReduce(*this, getInput(), getOutput(), getAxis(),
                         getKeepdims());
}

LogicalResult LogSoftmaxOp::verify() {
  return normalizeAxis(*this, "axis", getAxis(),
                       tensorType(getInput()).getRank());
}
LogicalResult HardmaxOp::verify() {
  return normalizeAxis(*this, "axis", getAxis(),
                       tensorType(getInput()).getRank());
}
LogicalResult CumSumOp::verify() {
  return normalizeAxis(*this, "axis", getAxis(),
                       tensorType(getInput()).getRank());
}

LogicalResult TriluOp::verify() {
  if (tensorType(getInput()).getRank() < 2)
    return emitOpError() << "expects a tensor of rank 2 or more, got "
                         << getInput().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Indexing and broadcasting
//===----------------------------------------------------------------------===//

LogicalResult GatherOp::verify() {
  RankedTensorType in = tensorType(getInput());
  FailureOr<int64_t> axis =
      normalizeAxis(*this, "axis", getAxis(), in.getRank());
  if (failed(axis) || failed(checkSameElementType(
                          *this, getInput(), getOutput(), "input", "output")))
    return failure();
  SmallVector<int64_t> expected(in.getShape().take_front(*axis));
  llvm::append_range(expected, tensorType(getIndices()).getShape());
  llvm::append_range(expected, in.getShape().drop_front(*axis + 1));
  return checkShape(*this, "output", tensorType(getOutput()), expected);
}

LogicalResult GatherElementsOp::verify() {
  RankedTensorType in = tensorType(getInput());
  if (failed(normalizeAxis(*this, "axis", getAxis(), in.getRank())))
    return failure();
  if (tensorType(getIndices()).getRank() != in.getRank())
    return emitOpError() << "expects indices of the input's rank "
                         << in.getRank() << ", got " << getIndices().getType();
  return checkShape(*this, "output", tensorType(getOutput()),
                    tensorType(getIndices()).getShape());
}

LogicalResult BroadcastOp::verify() {
  ArrayRef<int64_t> out = tensorType(getOutput()).getShape();
  FailureOr<SmallVector<int64_t>> shape =
      broadcastShapes(tensorType(getInput()).getShape(), out);
  if (failed(shape) || ArrayRef<int64_t>(*shape) != out)
    return emitOpError() << "cannot broadcast " << getInput().getType()
                         << " to " << getOutput().getType();
  return checkSameElementType(*this, getInput(), getOutput(), "input",
                              "output");
}

LogicalResult RepeatOp::verify() {
  RankedTensorType in = tensorType(getInput());
  if (int64_t(getRepeats().size()) != in.getRank())
    return emitOpError() << "expects " << in.getRank() << " repeats, got "
                         << getRepeats().size();
  SmallVector<int64_t> expected;
  for (auto [d, r] : llvm::zip(in.getShape(), getRepeats())) {
    if (r < 0)
      return emitOpError() << "expects non-negative repeats, got " << r;
    expected.push_back(d * r);
  }
  return checkShape(*this, "output", tensorType(getOutput()), expected);
}

LogicalResult IsInfOp::verify() {
  return checkShape(*this, "output", tensorType(getOutput()),
                    tensorType(getInput()).getShape());
}

LogicalResult IsNanOp::verify() {
  return checkShape(*this, "output", tensorType(getOutput()),
                    tensorType(getInput()).getShape());
}
