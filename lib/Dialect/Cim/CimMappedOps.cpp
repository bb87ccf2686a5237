//===- CimMappedOps.cpp - Mapped-level ops of the cim dialect -------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Verifiers of the mapped-level ops (CimMappedOps.td): crossbar tiles and
// their bit-sliced form. Tiles are placed hardware and need static shapes.
//
//===----------------------------------------------------------------------===//

#include "CimOpsCommon.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::detail;

//===----------------------------------------------------------------------===//
// Mapped level: Im2ColOp, MvmOp
//===----------------------------------------------------------------------===//

LogicalResult Im2ColOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 4, "NCHW")) ||
      failed(checkRank(op, "output", getOutput(), 2)) ||
      failed(checkArray(op, "kernel", getKernel(), 2, 1)) ||
      failed(checkArray(op, "strides", getStrides(), 2, 1)) ||
      failed(checkArray(op, "dilations", getDilations(), 2, 1)) ||
      failed(checkArray(op, "pads", getPads(), 4, 0)) ||
      failed(
          checkSameElementType(op, getInput(), getOutput(), "input", "output")))
    return failure();
  RankedTensorType in = tensorType(getInput());
  int64_t c0 = getChannelOffset(), cg = getChannels();
  if (c0 < 0 || cg < 1 ||
      (isStatic(in.getDimSize(1)) && c0 + cg > in.getDimSize(1)))
    return emitOpError() << "expects channels [" << c0 << ", " << c0 + cg
                         << ") within the input's " << in.getDimSize(1);
  SmallVector<int64_t> spatial;
  for (int i = 0; i < 2; ++i) {
    int64_t size =
        windowedSize(in.getDimSize(2 + i), getKernel()[i], getStrides()[i],
                     getDilations()[i], getPads()[i], getPads()[2 + i]);
    if (size == 0)
      return emitOpError() << "window does not fit the padded input";
    spatial.push_back(size);
  }
  int64_t pixels = product({in.getDimSize(0), spatial[0], spatial[1]});
  return checkShape(op, "output", tensorType(getOutput()),
                    {pixels, cg * getKernel()[0] * getKernel()[1]});
}

LogicalResult MvmOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 2)) ||
      failed(checkRank(op, "weight", getWeight(), 2)))
    return failure();
  RankedTensorType in = tensorType(getInput()), w = tensorType(getWeight());
  if (failed(
          checkDim(op, "weight rows (K)", w.getDimSize(0), in.getDimSize(1))) ||
      failed(checkShape(op, "output", tensorType(getOutput()),
                        {in.getDimSize(0), w.getDimSize(1)})))
    return failure();
  return verifyCrossbarOperands(op, getInput(), getWeight(), getOutput(),
                                getPrecision());
}

//===----------------------------------------------------------------------===//
// Mapped level: tiles and the bit-sliced form
//===----------------------------------------------------------------------===//

LogicalResult TileOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 2)) ||
      failed(checkRank(op, "weight", getWeight(), 2)) ||
      failed(checkRank(op, "output", getOutput(), 2)))
    return failure();
  RankedTensorType in = tensorType(getInput()), w = tensorType(getWeight());
  if (failed(
          checkDim(op, "weight rows (K)", w.getDimSize(0), in.getDimSize(1))) ||
      failed(checkRange(op, "rows", getRows(), w.getDimSize(0))) ||
      failed(checkRange(op, "columns", getColumns(), w.getDimSize(1))) ||
      failed(checkShape(op, "output", tensorType(getOutput()),
                        {in.getDimSize(0), getColumns()[1] - getColumns()[0]})))
    return failure();
  if (!in.hasStaticShape() || !w.hasStaticShape())
    return emitOpError() << "expects static shapes: a tile is placed hardware";
  // I64Attr accessors are unsigned; compare as signed so negatives fail.
  int64_t groups = int64_t(getGroups());
  int64_t rows = getRows()[1] - getRows()[0];
  if (groups < 1)
    return emitOpError() << "expects 'groups' to be at least 1, got " << groups;
  if (getFootprint().size() == 2 && rows > getFootprint()[0])
    return emitOpError() << "expects the footprint to hold its " << rows
                         << " rows, got " << getFootprint()[0];
  if (TargetAttr target = lookupTarget(op)) {
    bool dr = target.getWeightSign() == WeightSign::differential_rows;
    int64_t perConversion =
        dr ? target.getParallelRows() / 2 : target.getParallelRows();
    if (dr && getFootprint().size() == 2 && 2 * rows > getFootprint()[0])
      return emitOpError() << "expects the footprint to hold 2 x " << rows
                           << " rows (differential rows), got "
                           << getFootprint()[0];
    if (perConversion >= 1 &&
        groups != int64_t(llvm::divideCeil(rows, perConversion)))
      return emitOpError() << "expects "
                           << llvm::divideCeil(rows, perConversion)
                           << " row groups for " << rows << " rows ("
                           << perConversion << " per conversion on target '"
                           << target.getName() << "'), got " << groups;
  }
  if (isa<FloatType>(in.getElementType()) &&
      (failed(checkSameElementType(op, getInput(), getWeight(), "input",
                                   "weight")) ||
       failed(checkSameElementType(op, getInput(), getOutput(), "input",
                                   "output"))))
    return failure();
  return verifyPlacement(op, getFootprint(), int64_t(getCopies()),
                         getCrossbars(), getOrigin(), getPrecision());
}

LogicalResult EncodeOp::verify() {
  if (getBits() < 1 || getBits() > 16)
    return emitOpError() << "expects 'bits' in [1, 16], got " << getBits();
  if (getScale() && !(getScale()->convertToDouble() > 0.0))
    return emitOpError() << "expects a positive 'scale', got "
                         << getScale()->convertToDouble();
  return checkShape(getOperation(), "output", tensorType(getOutput()),
                    tensorType(getInput()).getShape());
}

LogicalResult DecodeOp::verify() {
  if (getScale() && !(getScale()->convertToDouble() > 0.0))
    return emitOpError() << "expects a positive 'scale', got "
                         << getScale()->convertToDouble();
  return checkShape(getOperation(), "output", tensorType(getOutput()),
                    tensorType(getInput()).getShape());
}

/// DAC cycles of a `bits`-bit input driven `dacBits` at a time.
static int64_t dacCycleCount(int64_t bits, int64_t dacBits, InputSign sign) {
  if (sign == InputSign::twos_complement)
    return llvm::divideCeil(bits - 1, dacBits) + 1;
  return llvm::divideCeil(bits, dacBits);
}

LogicalResult DacCyclesOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 2)) ||
      failed(checkRank(op, "output", getOutput(), 3)))
    return failure();
  // A DAC may be wider than the input: the input then takes one cycle.
  if (getBits() < 1 || getBits() > 16 || getDacBits() < 1 || getDacBits() > 16)
    return emitOpError() << "expects bits and dac_bits in [1, 16], got "
                         << int64_t(getBits()) << " and "
                         << int64_t(getDacBits());
  RankedTensorType in = tensorType(getInput());
  if (failed(checkRange(op, "rows", getRows(), in.getDimSize(1))))
    return failure();
  return checkShape(op, "output", tensorType(getOutput()),
                    {dacCycleCount(getBits(), getDacBits(), getSign()),
                     in.getDimSize(0), getRows()[1] - getRows()[0]});
}

int64_t CellSlicesOp::getNumPlanes() {
  int64_t slices = getWidths().size();
  switch (getSign()) {
  case WeightSign::differential_columns:
    return 2 * slices;
  case WeightSign::twos_complement:
    return slices + 1;
  default:
    return slices;
  }
}

LogicalResult CellSlicesOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "weight", getWeight(), 2)) ||
      failed(checkRank(op, "output", getOutput(), 3)))
    return failure();
  if (getBits() < 2 || getBits() > 16)
    return emitOpError() << "expects 'bits' in [2, 16], got " << getBits();
  // Offset codes are `bits` wide; the other schemes keep the sign apart.
  int64_t encoded =
      getSign() == WeightSign::offset || getSign() == WeightSign::offset_flipped
          ? getBits()
          : getBits() - 1;
  int64_t total = 0;
  for (int64_t w : getWidths()) {
    if (w < 1 || w > 8)
      return emitOpError() << "expects every slice width in [1, 8], got " << w;
    total += w;
  }
  if (total != encoded)
    return emitOpError() << "expects slice widths adding up to the " << encoded
                         << " encoded bits, got " << total;
  RankedTensorType w = tensorType(getWeight());
  if (failed(checkRange(op, "rows", getRows(), w.getDimSize(0))) ||
      failed(checkRange(op, "columns", getColumns(), w.getDimSize(1))))
    return failure();
  return checkShape(op, "output", tensorType(getOutput()),
                    {getNumPlanes(), getRows()[1] - getRows()[0],
                     getColumns()[1] - getColumns()[0]});
}

LogicalResult CrossbarMvmOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "digits", getDigits(), 3)) ||
      failed(checkRank(op, "cells", getCells(), 3)) ||
      failed(checkRank(op, "output", getOutput(), 5)))
    return failure();
  RankedTensorType d = tensorType(getDigits()), c = tensorType(getCells());
  if (failed(checkDim(op, "cell rows", c.getDimSize(1), d.getDimSize(2))))
    return failure();
  if (!d.hasStaticShape() || !c.hasStaticShape())
    return emitOpError() << "expects static shapes: a tile is placed hardware";
  int64_t groupRows = int64_t(getGroupRows());
  if (groupRows < 1)
    return emitOpError() << "expects 'group_rows' to be at least 1, got "
                         << groupRows;
  if (TargetAttr target = lookupTarget(op)) {
    // Differential rows drive two physical rows per weight row.
    int64_t physical = target.getWeightSign() == WeightSign::differential_rows
                           ? 2 * groupRows
                           : groupRows;
    if (physical > target.getParallelRows())
      return emitOpError() << "group of " << physical
                           << " physical rows exceeds the "
                           << target.getParallelRows()
                           << " parallel rows of target '" << target.getName()
                           << "'";
  }
  int64_t groups = llvm::divideCeil(d.getDimSize(2), groupRows);
  if (failed(checkShape(op, "output", tensorType(getOutput()),
                        {groups, d.getDimSize(0), c.getDimSize(0),
                         d.getDimSize(1), c.getDimSize(2)})))
    return failure();
  return verifyPlacement(op, getFootprint(), int64_t(getCopies()),
                         getCrossbars(), getOrigin(), getPrecision());
}

LogicalResult AdcOp::verify() {
  bool converting =
      getMode() == AdcMode::full_range || getMode() == AdcMode::clipped;
  if (converting && (getBits() < 1 || getBits() > 32))
    return emitOpError() << "expects 'bits' in [1, 32] for a converting ADC, "
                         << "got " << getBits();
  if (!converting && getBits() != 0)
    return emitOpError() << "expects no 'bits' for mode '"
                         << stringifyAdcMode(getMode()) << "'";
  if (getMode() == AdcMode::full_range &&
      (int64_t(getLosslessBits()) < 1 || getLosslessBits() > 64))
    return emitOpError() << "expects 'lossless_bits' in [1, 64] for a "
                            "full-range ADC";
  bool clipped = getMode() == AdcMode::clipped;
  if (getClipLow().has_value() != clipped ||
      getClipHigh().has_value() != clipped)
    return emitOpError() << "expects 'clip_low' and 'clip_high' exactly when "
                         << "the mode is 'clipped'";
  // The range is signed (differential rows subtract in analog).
  if (clipped && getClipLowAttr().getInt() > getClipHighAttr().getInt())
    return emitOpError() << "expects clip_low <= clip_high, got "
                         << getClipLowAttr().getInt() << " > "
                         << getClipHighAttr().getInt();
  return success();
}

LogicalResult ShiftAddOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 5)) ||
      failed(checkRank(op, "output", getOutput(), 2)))
    return failure();
  RankedTensorType in = tensorType(getInput());
  if (failed(checkDim(op, "number of cycle shifts", getCycleShifts().size(),
                      in.getDimSize(1))) ||
      failed(checkDim(op, "number of cycle signs", getCycleSigns().size(),
                      in.getDimSize(1))) ||
      failed(checkDim(op, "number of plane shifts", getPlaneShifts().size(),
                      in.getDimSize(2))) ||
      failed(checkDim(op, "number of plane signs", getPlaneSigns().size(),
                      in.getDimSize(2))))
    return failure();
  for (ArrayRef<int64_t> signs : {getCycleSigns(), getPlaneSigns()})
    for (int64_t s : signs)
      if (s != 1 && s != -1)
        return emitOpError() << "expects signs of +1 or -1, got " << s;
  for (ArrayRef<int64_t> shifts : {getCycleShifts(), getPlaneShifts()})
    for (int64_t s : shifts)
      if (s < 0 || s > 32)
        return emitOpError() << "expects shifts in [0, 32], got " << s;
  return checkShape(op, "output", tensorType(getOutput()),
                    {in.getDimSize(3), in.getDimSize(4)});
}

LogicalResult OffsetCorrectOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "acc", getAcc(), 2)) ||
      failed(checkRank(op, "input", getInput(), 2)) ||
      failed(checkRank(op, "weight", getWeight(), 2)))
    return failure();
  RankedTensorType in = tensorType(getInput()), w = tensorType(getWeight());
  if (failed(checkRange(op, "rows", getRows(), w.getDimSize(0))) ||
      failed(checkRange(op, "columns", getColumns(), w.getDimSize(1))) ||
      failed(
          checkDim(op, "weight rows (K)", w.getDimSize(0), in.getDimSize(1))) ||
      failed(checkShape(op, "acc", tensorType(getAcc()),
                        {in.getDimSize(0), getColumns()[1] - getColumns()[0]})))
    return failure();
  return checkShape(op, "output", tensorType(getOutput()),
                    tensorType(getAcc()).getShape());
}

PrecisionAttr mlir::cim::getDefaultPrecision(MvmOp mvm, unsigned weightBits,
                                             unsigned actBits) {
  return PrecisionAttr::getChecked(
      [&] {
        return mvm.emitOpError()
               << "cannot take the default precision (weight-bits="
               << weightBits << ", act-bits=" << actBits << "): ";
      },
      mvm.getContext(), weightBits, actBits, /*adc=*/0u,
      ScaleGranularity::channel);
}
