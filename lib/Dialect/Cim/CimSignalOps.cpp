//===- CimSignalOps.cpp - Signal ops of the cim dialect -------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Verifiers of the ops in CimSignalOps.td. Scalar operands that are
// constants are checked against the result shape here; the others at run
// time by the evaluator.
//
//===----------------------------------------------------------------------===//

#include "CimOpsCommon.h"
#include "cim/Dialect/Cim/CimOps.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::detail;

/// Fails unless `v` (if present) has one element; `name` names it.
static LogicalResult checkOneElement(Operation *op, StringRef name, Value v) {
  if (!v)
    return success();
  RankedTensorType type = tensorType(v);
  if (!type.hasStaticShape() || type.getNumElements() != 1)
    return op->emitOpError() << "expects '" << name
                             << "' to be a one-element tensor, got " << type;
  return success();
}

/// The value of a one-element integer constant, if `v` is one.
static std::optional<int64_t> constantInt(Value v) {
  DenseIntElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)) || attr.getNumElements() != 1)
    return std::nullopt;
  APInt x = *attr.getValues<APInt>().begin();
  return attr.getElementType().isUnsignedInteger() ? int64_t(x.getZExtValue())
                                                   : x.getSExtValue();
}

/// Fails unless the known value of `name` is at least `min`.
static LogicalResult checkAtLeast(Operation *op, StringRef name,
                                  std::optional<int64_t> value, int64_t min) {
  if (value && *value < min)
    return op->emitOpError() << "expects '" << name << "' to be at least "
                             << min << ", got " << *value;
  return success();
}

//===----------------------------------------------------------------------===//
// DftOp
//===----------------------------------------------------------------------===//

LogicalResult DftOp::verify() {
  Operation *op = getOperation();
  RankedTensorType in = tensorType(getInput()), out = tensorType(getOutput());
  if (failed(checkSameElementType(op, getInput(), getOutput(), "input",
                                  "output")) ||
      failed(checkOneElement(op, "dft_length", getDftLength())))
    return failure();
  int64_t rank = in.getRank();
  if (rank < 3)
    return emitOpError() << "expects an input [batch, signal dims..., 1 or 2] "
                            "of rank 3 or more, got "
                         << in;
  int64_t parts = in.getShape().back();
  if (isStatic(parts) && parts != 1 && parts != 2)
    return emitOpError() << "expects the input's last dimension to be 1 "
                            "(real) or 2 (complex), got "
                         << parts;
  if (getInverse() && getOnesided())
    return emitOpError() << "expects onesided and inverse not both set (as "
                            "ONNX DFT-17)";
  int64_t axis = getAxis();
  if (axis < 0 || axis > rank - 2)
    return emitOpError() << "expects an axis in [0, " << rank - 2
                         << "] (not the trailing real/imaginary one), got "
                         << axis;
  std::optional<int64_t> length = constantInt(getDftLength());
  if (failed(checkAtLeast(op, "dft_length", length, 1)))
    return failure();
  if (!getDftLength())
    length = in.getDimSize(axis);
  SmallVector<int64_t> expected(in.getShape());
  expected.back() = 2;
  expected[axis] = ShapedType::kDynamic;
  if (length && isStatic(*length))
    expected[axis] = getOnesided() ? *length / 2 + 1 : *length;
  return checkShape(op, "output", out, expected);
}

//===----------------------------------------------------------------------===//
// StftOp
//===----------------------------------------------------------------------===//

LogicalResult StftOp::verify() {
  Operation *op = getOperation();
  if (failed(
          checkRank(op, "signal", getSignal(), 3, "[batch, length, 1 or 2]")) ||
      failed(checkRank(op, "output", getOutput(), 4,
                       "[batch, frames, bins, 2]")) ||
      failed(checkSameElementType(op, getSignal(), getOutput(), "signal",
                                  "output")) ||
      failed(checkOneElement(op, "frame_step", getFrameStep())) ||
      failed(checkOneElement(op, "frame_length", getFrameLength())))
    return failure();
  RankedTensorType signal = tensorType(getSignal()),
                   out = tensorType(getOutput());
  int64_t parts = signal.getDimSize(2);
  if (isStatic(parts) && parts != 1 && parts != 2)
    return emitOpError() << "expects the signal's last dimension to be 1 "
                            "(real) or 2 (complex), got "
                         << parts;
  std::optional<int64_t> length;
  if (Value window = getWindow()) {
    if (failed(checkRank(op, "window", window, 1)) ||
        failed(
            checkSameElementType(op, getSignal(), window, "signal", "window")))
      return failure();
    length = tensorType(window).getDimSize(0);
  }
  std::optional<int64_t> step = constantInt(getFrameStep());
  std::optional<int64_t> frameLength = constantInt(getFrameLength());
  if (failed(checkAtLeast(op, "frame_step", step, 1)) ||
      failed(checkAtLeast(op, "frame_length", frameLength, 1)))
    return failure();
  if (frameLength && length && *frameLength != *length)
    return emitOpError() << "expects the window's size (" << *length
                         << ") to be the frame_length (" << *frameLength << ")";
  if (frameLength)
    length = frameLength;
  if (!getWindow() && !getFrameLength())
    return emitOpError() << "expects a window or a frame_length";
  int64_t signalLength = signal.getDimSize(1);
  SmallVector<int64_t> expected = {signal.getDimSize(0), ShapedType::kDynamic,
                                   ShapedType::kDynamic, 2};
  if (length && isStatic(signalLength)) {
    if (*length < 1 || *length > signalLength)
      return emitOpError() << "expects a frame length in [1, " << signalLength
                           << "] (the signal's), got " << *length;
    expected[2] = getOnesided() ? *length / 2 + 1 : *length;
    if (step)
      expected[1] = 1 + (signalLength - *length) / *step;
  }
  return checkShape(op, "output", out, expected);
}

//===----------------------------------------------------------------------===//
// MelWeightMatrixOp
//===----------------------------------------------------------------------===//

LogicalResult MelWeightMatrixOp::verify() {
  Operation *op = getOperation();
  for (auto [name, v] :
       {std::pair<StringRef, Value>{"num_mel_bins", getNumMelBins()},
        {"dft_length", getDftLength()},
        {"sample_rate", getSampleRate()},
        {"lower_edge_hertz", getLowerEdgeHertz()},
        {"upper_edge_hertz", getUpperEdgeHertz()}})
    if (failed(checkOneElement(op, name, v)))
      return failure();
  if (failed(checkRank(op, "output", getOutput(), 2,
                       "[dft_length / 2 + 1, num_mel_bins]")))
    return failure();
  std::optional<int64_t> bins = constantInt(getNumMelBins()),
                         length = constantInt(getDftLength()),
                         rate = constantInt(getSampleRate());
  if (failed(checkAtLeast(op, "num_mel_bins", bins, 1)) ||
      failed(checkAtLeast(op, "dft_length", length, 1)) ||
      failed(checkAtLeast(op, "sample_rate", rate, 1)))
    return failure();
  return checkShape(op, "output", tensorType(getOutput()),
                    {length ? *length / 2 + 1 : ShapedType::kDynamic,
                     bins ? *bins : ShapedType::kDynamic});
}
