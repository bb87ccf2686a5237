//===- CimIsaOps.cpp - Instruction-level ops of the cim dialect -----------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Verifiers of the instruction-level ops (CimIsaOps.td), the form
// cim-lower-to-isa produces and the ISA emitter translates.
//
//===----------------------------------------------------------------------===//

#include "CimOpsCommon.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <string>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::detail;

//===----------------------------------------------------------------------===//
// Instruction level
//===----------------------------------------------------------------------===//

/// Every crossbar an instruction names must exist on the target.
static LogicalResult checkCrossbars(Operation *op, ArrayRef<int64_t> ids) {
  if (ids.empty())
    return op->emitOpError() << "expects at least one crossbar";
  TargetAttr target = lookupTarget(op);
  for (int64_t id : ids)
    if (id < 0 || (target && uint64_t(id) >= target.getNumCrossbars()))
      return op->emitOpError()
             << "crossbar " << id << " does not exist"
             << (target ? ": target '" + target.getName().str() + "' has " +
                              std::to_string(target.getNumCrossbars())
                        : std::string());
  return success();
}

LogicalResult IsaProgramOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "codes", getCodes(), 2)) ||
      failed(checkShape(op, "result", tensorType(getProgrammed()),
                        tensorType(getCodes()).getShape())))
    return failure();
  RankedTensorType codes = tensorType(getCodes());
  if (!codes.hasStaticShape())
    return emitOpError() << "expects static shapes: a tile is placed hardware";
  if (TargetAttr target = lookupTarget(op))
    if (codes.getDimSize(0) > target.getRows() ||
        codes.getDimSize(1) > target.getCols())
      return emitOpError() << "tile of " << codes.getDimSize(0) << "x"
                           << codes.getDimSize(1) << " weights does not fit a "
                           << target.getRows() << "x" << target.getCols()
                           << " crossbar of target '" << target.getName()
                           << "'";
  if (int64_t(getEpoch()) < 0)
    return emitOpError() << "expects a non-negative 'epoch'";
  return checkCrossbars(op, getCrossbars());
}

LogicalResult IsaEncodeOp::verify() {
  int64_t lo = int64_t(getMin()), hi = int64_t(getMax());
  if (hi < 1 || lo > 0 || lo < -(int64_t(1) << 31) || hi > (int64_t(1) << 31))
    return emitOpError() << "expects a code range with min <= 0 < max within "
                            "32 bits, got ["
                         << lo << ", " << hi << "]";
  if (getClip() && !(getClip()->convertToDouble() > 0.0))
    return emitOpError() << "expects a positive 'clip', got "
                         << getClip()->convertToDouble();
  if (bool(getFp()) != bool(getGroupRows()))
    return emitOpError() << "expects 'fp' and 'group_rows' together (the "
                            "alignment unit's format and group)";
  if (getGroupRows() &&
      (int64_t(*getGroupRows()) < 1 || int64_t(*getGroupRows()) > 65536))
    return emitOpError() << "expects 'group_rows' in [1, 65536], got "
                         << int64_t(*getGroupRows());
  if (getFp() && failed(checkRank(getOperation(), "input", getInput(), 2)))
    return failure();
  return checkShape(getOperation(), "output", tensorType(getOutput()),
                    tensorType(getInput()).getShape());
}

LogicalResult IsaMvmOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "codes", getCodes(), 2)) ||
      failed(checkRank(op, "weights", getWeights(), 2)) ||
      failed(checkRank(op, "output", getOutput(), 2)))
    return failure();
  RankedTensorType x = tensorType(getCodes()), w = tensorType(getWeights());
  if (!x.hasStaticShape() || !w.hasStaticShape())
    return emitOpError() << "expects static shapes: a tile is placed hardware";
  // Floating-point layers keep each row group's sums apart.
  int64_t outCols = w.getDimSize(1);
  if (getPrecision().getFp())
    outCols *= int64_t(getGroups());
  if (failed(checkRange(op, "rows", getRows(), x.getDimSize(1))) ||
      failed(checkDim(op, "weight rows", w.getDimSize(0),
                      getRows()[1] - getRows()[0])) ||
      failed(checkShape(op, "output", tensorType(getOutput()),
                        {x.getDimSize(0), outCols})))
    return failure();
  if (getPrecision().getFp()) {
    if (TargetAttr target = lookupTarget(op)) {
      int64_t rows = getRows()[1] - getRows()[0];
      int64_t expected = llvm::divideCeil(rows, target.getParallelRows());
      if (int64_t(getGroups()) != expected)
        return emitOpError()
               << "expects " << expected << " row groups of "
               << target.getParallelRows() << " for " << rows
               << " rows of a floating-point layer, got " << getGroups();
    }
    if (getCodes().getDefiningOp<IsaEncodeOp>() &&
        !getCodes().getDefiningOp<IsaEncodeOp>().getFp())
      return emitOpError() << "has a floating-point precision but reads codes "
                              "of an integer ENCODE (no 'fp')";
  }
  if (!getWeights().getDefiningOp<IsaProgramOp>() &&
      !isa<BlockArgument>(getWeights()))
    return emitOpError() << "expects weights programmed by cim.isa.program";
  if (int64_t(getStream()) < 0)
    return emitOpError() << "expects a non-negative noise 'stream'";
  if (int64_t(getGroups()) < 1)
    return emitOpError() << "expects at least one row group";
  if (failed(checkCrossbars(op, getCrossbars())))
    return failure();
  return verifyPlacement(op, getFootprint(), getCrossbars().size(),
                         getCrossbars(), getOrigin(), getPrecision());
}

LogicalResult IsaDecodeOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 2)))
    return failure();
  if (getFp() || getExponents() || getFirstGroup()) {
    // Normalize and accumulate the row groups of a floating-point MVM.
    if (!getFp() || !getExponents() || !getFirstGroup())
      return emitOpError() << "expects 'fp', 'exponents' and 'first_group' "
                              "together (a floating-point DECODE)";
    if (failed(checkRank(op, "output", getOutput(), 2)))
      return failure();
    RankedTensorType in = tensorType(getInput()), out = tensorType(getOutput());
    if (!in.hasStaticShape() || !out.hasStaticShape())
      return emitOpError() << "expects static shapes";
    int64_t cols = out.getDimSize(1);
    if (in.getDimSize(0) != out.getDimSize(0) || cols < 1 ||
        in.getDimSize(1) % cols != 0)
      return emitOpError() << "expects the input to hold whole row groups of "
                              "the output's "
                           << cols << " columns, got " << in << " -> " << out;
    int64_t groups = in.getDimSize(1) / cols;
    // A named ArrayRef: ranging over *getExponents() would read a dead
    // temporary.
    ArrayRef<int64_t> exponents = getExponentsAttr().asArrayRef();
    if (int64_t(exponents.size()) != groups * cols)
      return emitOpError() << "expects " << groups * cols
                           << " weight exponents (" << groups << " groups x "
                           << cols << " columns), got " << exponents.size();
    for (int64_t e : exponents)
      if (e < -1100 || e > 1100)
        return emitOpError() << "expects weight exponents within the double "
                                "range, got "
                             << e;
    if (int64_t(*getFirstGroup()) < 0)
      return emitOpError() << "expects a non-negative 'first_group'";
    auto encode = getCodes().getDefiningOp<IsaEncodeOp>();
    if (!encode && !isa<BlockArgument>(getCodes()))
      return emitOpError() << "expects 'codes' produced by cim.isa.encode (it "
                              "carries the input exponents)";
    if (encode && !encode.getFp())
      return emitOpError() << "is a floating-point DECODE of codes an "
                              "integer ENCODE produced";
    return success();
  }
  if (failed(checkShape(op, "output", tensorType(getOutput()),
                        tensorType(getInput()).getShape())))
    return failure();
  int64_t cols = tensorType(getInput()).getDimSize(1);
  if (isStatic(cols) && int64_t(getScales().size()) != cols)
    return emitOpError() << "expects one scale per column (" << cols
                         << "), got " << getScales().size();
  for (double s : getScales())
    if (!(s > 0.0) || !std::isfinite(s))
      return emitOpError() << "expects positive finite scales, got " << s;
  if (!getCodes().getDefiningOp<IsaEncodeOp>() &&
      !isa<BlockArgument>(getCodes()))
    return emitOpError() << "expects 'codes' produced by cim.isa.encode (it "
                            "carries the input scale)";
  return success();
}

LogicalResult IsaSyncOp::verify() {
  if (getCores().empty())
    return emitOpError() << "expects at least one core";
  TargetAttr target = lookupTarget(getOperation());
  for (int64_t core : getCores())
    if (core < 0 || (target && core >= int64_t(target.getCores())))
      return emitOpError() << "core " << core << " does not exist";
  return success();
}
