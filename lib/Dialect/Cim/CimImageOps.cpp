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

//===----------------------------------------------------------------------===//
// MaxPoolIndicesOp, MaxUnpoolOp
//===----------------------------------------------------------------------===//

/// Rank 3 to 5 (`[N, C, D1, ..., Dk]`); the number k of spatial axes.
static FailureOr<int64_t> spatialAxes(Operation *op, StringRef what, Value v) {
  int64_t rank = tensorType(v).getRank();
  if (rank < 3 || rank > 5)
    return op->emitOpError()
               << "expects '" << what
               << "' of rank 3 to 5 ([N, C, D1, ..., Dk]), got " << v.getType(),
           failure();
  return rank - 2;
}

LogicalResult MaxPoolIndicesOp::verify() {
  Operation *op = getOperation();
  FailureOr<int64_t> k = spatialAxes(op, "input", getInput());
  if (failed(k))
    return failure();
  ArrayRef<int64_t> kernel = getKernel(), strides = getStrides(),
                    pads = getPads(), dilations = getDilations();
  if (failed(checkArray(op, "kernel", kernel, *k, 1)) ||
      failed(checkArray(op, "strides", strides, *k, 1)) ||
      failed(checkArray(op, "dilations", dilations, *k, 1)) ||
      failed(checkArray(op, "pads", pads, 2 * *k, 0)))
    return failure();
  // A window wholly in the padding would have no maximum to point at.
  for (int64_t i = 0; i < *k; ++i)
    if (pads[i] >= kernel[i] * dilations[i] ||
        pads[*k + i] >= kernel[i] * dilations[i])
      return emitOpError() << "expects pads smaller than the window along "
                              "spatial axis "
                           << i;
  RankedTensorType in = tensorType(getInput()), out = tensorType(getOutput());
  SmallVector<int64_t> expected = {in.getDimSize(0), in.getDimSize(1)};
  for (int64_t i = 0; i < *k; ++i) {
    int64_t size =
        windowedSize(in.getDimSize(2 + i), kernel[i], strides[i], dilations[i],
                     pads[i], pads[*k + i], getCeilMode());
    if (size == 0)
      return emitOpError() << "window along spatial axis " << i
                           << " does not fit the padded input";
    expected.push_back(size);
  }
  return checkShape(op, "output", out, expected);
}

LogicalResult MaxUnpoolOp::verify() {
  Operation *op = getOperation();
  FailureOr<int64_t> k = spatialAxes(op, "input", getInput());
  if (failed(k) || failed(checkSameElementType(op, getInput(), getOutput(),
                                               "input", "output")))
    return failure();
  ArrayRef<int64_t> kernel = getKernel(), strides = getStrides(),
                    pads = getPads();
  if (failed(checkArray(op, "kernel", kernel, *k, 1)) ||
      failed(checkArray(op, "strides", strides, *k, 1)) ||
      failed(checkArray(op, "pads", pads, 2 * *k, 0)))
    return failure();
  RankedTensorType in = tensorType(getInput()), out = tensorType(getOutput());
  if (failed(
          checkShape(op, "indices", tensorType(getIndices()), in.getShape())))
    return failure();
  if (out.getRank() != in.getRank())
    return emitOpError() << "expects the output rank (" << out.getRank()
                         << ") to be the input's (" << in.getRank() << ")";
  if (failed(
          checkDim(op, "output batch", out.getDimSize(0), in.getDimSize(0))) ||
      failed(
          checkDim(op, "output channels", out.getDimSize(1), in.getDimSize(1))))
    return failure();
  for (int64_t i = 0; i < *k; ++i) {
    int64_t size = in.getDimSize(2 + i), got = out.getDimSize(2 + i);
    if (!isStatic(size) || !isStatic(got))
      continue;
    int64_t unpooled =
        (size - 1) * strides[i] - pads[i] - pads[*k + i] + kernel[i];
    if (unpooled < 1)
      return emitOpError() << "pads leave nothing of spatial axis " << i;
    // Only ONNX's output_shape may enlarge the result.
    if (getOutputShape() ? got < unpooled : got != unpooled)
      return emitOpError() << "expects output size "
                           << (getOutputShape() ? "at least " : "") << unpooled
                           << " along spatial axis " << i << ", got " << got;
  }
  if (Value shape = getOutputShape()) {
    RankedTensorType t = tensorType(shape);
    if (t.getRank() != 1 || t.getDimSize(0) != in.getRank())
      return emitOpError() << "expects 'output_shape' of " << in.getRank()
                           << " elements, got " << t;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// RoiAlignOp
//===----------------------------------------------------------------------===//

LogicalResult RoiAlignOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 4, "NCHW")) ||
      failed(checkRank(op, "rois", getRois(), 2, "[R, 4]")) ||
      failed(checkRank(op, "batch_indices", getBatchIndices(), 1, "[R]")) ||
      failed(checkRank(op, "output", getOutput(), 4, "[R, C, OH, OW]")) ||
      failed(
          checkSameElementType(op, getInput(), getOutput(), "input", "output")))
    return failure();
  if (getMode() != "avg" && getMode() != "max")
    return emitOpError() << "unsupported mode '" << getMode()
                         << "' (expected avg or max)";
  StringRef transform = getCoordinateTransformationMode();
  if (transform != "half_pixel" && transform != "output_half_pixel")
    return emitOpError() << "unsupported coordinate_transformation_mode '"
                         << transform
                         << "' (expected half_pixel or output_half_pixel)";
  // The generated getter is unsigned; the attribute is a signed i64.
  int64_t ratio = getSamplingRatioAttr().getInt();
  if (ratio < 0)
    return emitOpError() << "expects a non-negative sampling_ratio, got "
                         << ratio;
  float scale = getSpatialScale().convertToFloat();
  if (!(scale > 0) || !std::isfinite(scale))
    return emitOpError() << "expects a positive finite spatial_scale, got "
                         << scale;
  RankedTensorType in = tensorType(getInput()), rois = tensorType(getRois()),
                   out = tensorType(getOutput());
  if (failed(checkDim(op, "rois' last dimension", rois.getDimSize(1), 4)) ||
      failed(checkDim(op, "batch_indices size",
                      tensorType(getBatchIndices()).getDimSize(0),
                      rois.getDimSize(0))) ||
      failed(checkDim(op, "output region count", out.getDimSize(0),
                      rois.getDimSize(0))) ||
      failed(
          checkDim(op, "output channels", out.getDimSize(1), in.getDimSize(1))))
    return failure();
  for (int i = 0; i < 2; ++i)
    if (out.getDimSize(2 + i) == 0)
      return emitOpError() << "expects at least one bin per region axis";
  return success();
}
