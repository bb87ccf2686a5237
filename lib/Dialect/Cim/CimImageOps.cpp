//===- CimImageOps.cpp - Image ops of the cim dialect ---------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Verifiers of the ops in CimImageOps.td.
//
//===----------------------------------------------------------------------===//

#include "CimOpsCommon.h"
#include "cim/Dialect/Cim/CimOps.h"

#include <cmath>
#include <limits>
#include <tuple>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::detail;

//===----------------------------------------------------------------------===//
// Col2imOp
//===----------------------------------------------------------------------===//

LogicalResult Col2imOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 6, "[N, H, W, M, kh, kw]")) ||
      failed(checkRank(op, "output", getOutput(), 4, "NCHW")) ||
      failed(checkSameElementType(op, getInput(), getOutput(), "input",
                                  "output")) ||
      failed(checkArray(op, "strides", getStrides(), 2, 1)) ||
      failed(checkArray(op, "dilations", getDilations(), 2, 1)) ||
      failed(checkArray(op, "pads", getPads(), 4,
                        std::numeric_limits<int64_t>::min())))
    return failure();
  RankedTensorType in = tensorType(getInput()), out = tensorType(getOutput());
  if (failed(
          checkDim(op, "output batch", out.getDimSize(0), in.getDimSize(0))) ||
      failed(
          checkDim(op, "output channels", out.getDimSize(1), in.getDimSize(3))))
    return failure();
  ArrayRef<int64_t> strides = getStrides(), dilations = getDilations(),
                    pads = getPads();
  for (int i = 0; i < 2; ++i) {
    int64_t size = in.getDimSize(1 + i), kernel = in.getDimSize(4 + i);
    if (!isStatic(size) || !isStatic(kernel))
      continue;
    int64_t full = (size - 1) * strides[i] + (kernel - 1) * dilations[i] + 1;
    int64_t expected = full - pads[i] - pads[2 + i];
    if (expected < 0)
      return emitOpError() << "pads remove more than the full "
                           << (i ? "width" : "height") << " (" << full << ")";
    if (failed(checkDim(op, Twine("output ") + (i ? "width" : "height"),
                        out.getDimSize(2 + i), expected)))
      return failure();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ResizeOp
//===----------------------------------------------------------------------===//

LogicalResult ResizeOp::verify() {
  RankedTensorType in = tensorType(getInput()), out = tensorType(getOutput());
  if (failed(checkSameElementType(*this, getInput(), getOutput(), "input",
                                  "output")))
    return failure();
  if (in.getRank() != out.getRank())
    return emitOpError() << "expects the output rank (" << out.getRank()
                         << ") to be the input's (" << in.getRank() << ")";
  if (int64_t(getScales().size()) != in.getRank())
    return emitOpError() << "expects one scale per axis (" << in.getRank()
                         << "), got " << getScales().size();
  for (double scale : getScales())
    if (!(scale > 0) || !std::isfinite(scale))
      return emitOpError() << "expects positive scales, got " << scale;
  for (int64_t d : out.getShape())
    if (d == 0)
      return emitOpError() << "expects a non-empty output, got "
                           << getOutput().getType();
  StringRef mode = getMode();
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return emitOpError() << "expects mode nearest, linear or cubic, got '"
                         << mode << "'";
  StringRef transform = getCoordinateTransformationMode();
  if (!llvm::is_contained({"half_pixel", "pytorch_half_pixel", "align_corners",
                           "asymmetric", "tf_half_pixel_for_nn",
                           "tf_crop_and_resize"},
                          transform))
    return emitOpError() << "unknown coordinate_transformation_mode '"
                         << transform << "'";
  StringRef nearest = getNearestMode();
  if (!llvm::is_contained(
          {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"},
          nearest))
    return emitOpError() << "unknown nearest_mode '" << nearest << "'";
  for (auto [operand, name, size] :
       {std::tuple(getScalesInput(), "scales_input", in.getRank()),
        std::tuple(getRoiInput(), "roi_input", 2 * in.getRank())}) {
    if (!operand)
      continue;
    RankedTensorType type = tensorType(operand);
    if (type.getRank() != 1 || type.getDimSize(0) != size)
      return emitOpError() << "expects '" << name << "' of " << size
                           << " elements, got " << type;
  }
  if (getRoiInput() && transform != "tf_crop_and_resize")
    return emitOpError() << "expects a roi only with tf_crop_and_resize";
  std::optional<ArrayRef<double>> roi = getRoi();
  if (transform == "tf_crop_and_resize" && !getRoiInput()) {
    if (!roi || int64_t(roi->size()) != 2 * in.getRank())
      return emitOpError() << "expects a roi of " << 2 * in.getRank()
                           << " entries (starts, then ends) with "
                              "tf_crop_and_resize";
  } else if (roi) {
    return emitOpError() << "expects the roi attribute only with "
                            "tf_crop_and_resize and no roi_input";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// GridSampleOp
//===----------------------------------------------------------------------===//

LogicalResult GridSampleOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 4, "NCHW")) ||
      failed(checkRank(op, "grid", getGrid(), 4, "[N, Ho, Wo, 2]")) ||
      failed(
          checkSameElementType(op, getInput(), getOutput(), "input", "output")))
    return failure();
  if (!llvm::is_contained({"bilinear", "nearest", "bicubic"}, getMode()))
    return emitOpError() << "unsupported mode '" << getMode()
                         << "' (expected bilinear, nearest or bicubic)";
  if (!llvm::is_contained({"zeros", "border", "reflection"}, getPaddingMode()))
    return emitOpError() << "unsupported padding_mode '" << getPaddingMode()
                         << "' (expected zeros, border or reflection)";
  RankedTensorType in = tensorType(getInput()), grid = tensorType(getGrid());
  if (failed(
          checkDim(op, "grid batch", grid.getDimSize(0), in.getDimSize(0))) ||
      failed(checkDim(op, "grid's last dimension", grid.getDimSize(3), 2)))
    return failure();
  return checkShape(op, "output", tensorType(getOutput()),
                    {in.getDimSize(0), in.getDimSize(1), grid.getDimSize(1),
                     grid.getDimSize(2)});
}

//===----------------------------------------------------------------------===//
// NonMaxSuppressionOp
//===----------------------------------------------------------------------===//

LogicalResult NonMaxSuppressionOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "boxes", getBoxes(), 3, "[B, N, 4]")) ||
      failed(checkRank(op, "scores", getScores(), 3, "[B, C, N]")))
    return failure();
  RankedTensorType boxes = tensorType(getBoxes()),
                   scores = tensorType(getScores());
  if (failed(checkDim(op, "boxes' last dimension", boxes.getDimSize(2), 4)) ||
      failed(checkDim(op, "scores batch", scores.getDimSize(0),
                      boxes.getDimSize(0))) ||
      failed(checkDim(op, "scores' box count", scores.getDimSize(2),
                      boxes.getDimSize(1))) ||
      failed(checkDim(op, "output's last dimension",
                      tensorType(getOutput()).getDimSize(1), 3)))
    return failure();
  for (auto [name, v] :
       {std::pair<StringRef, Value>{"max_output_boxes_per_class",
                                    getMaxOutputBoxesPerClass()},
        {"iou_threshold", getIouThreshold()},
        {"score_threshold", getScoreThreshold()}}) {
    RankedTensorType t = tensorType(v);
    if (!t.hasStaticShape() || t.getNumElements() != 1)
      return emitOpError() << "expects '" << name
                           << "' to be a one-element tensor, got " << t;
  }
  return success();
}
