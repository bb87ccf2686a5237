//===- ImportVolume.cpp - 3-D convolution and pooling ---------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A 3-D window is a sum (convolution, average) or maximum over its depth of
// 2-D windows: for each kernel depth kd, the input planes at depth
// od * stride - pad + kd * dilation of every output depth od form a batch of
// 2-D images ([N * OD, C, H, W]) that a 2-D op with the kernel's kd-th
// plane handles. So a Conv3d maps onto crossbars as KD ordinary 2-D
// convolutions whose results the digital side adds, as a CIM chip would
// run it. A 3-D transposed convolution is one crossbar product per group,
// as in 2-D, scattered by two cim.col2im: over height and width, then over
// depth. MaxPool's Indices come from cim.max_pool_indices, which is 1- to
// 3-D itself.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include <limits>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::onnx_import;

/// Strides, dilations and pads (explicit or auto_pad) of a 3-D window.
FailureOr<ONNXImporter::Window3D>
ONNXImporter::window3D(const onnx::NodeProto &node, RankedTensorType input,
                       ArrayRef<int64_t> kernel) {
  Window3D w;
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = attrInts(node, "strides", {1, 1, 1});
  w.dilations = attrInts(node, "dilations", {1, 1, 1});
  if (w.strides.size() != 3 || w.dilations.size() != 3)
    return nodeError(node) << "expected three strides and "
                              "dilations for a 3-D window",
           failure();
  std::string autoPad = attrString(node, "auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    w.pads = attrInts(node, "pads", {0, 0, 0, 0, 0, 0});
  } else if (autoPad == "VALID") {
    w.pads.assign(6, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    w.pads.assign(6, 0);
    for (int i = 0; i < 3; ++i) {
      int64_t in = input.getDimSize(2 + i), s = w.strides[i];
      int64_t out = (in + s - 1) / s;
      int64_t total = std::max<int64_t>(
          0, (out - 1) * s + w.dilations[i] * (kernel[i] - 1) + 1 - in);
      int64_t small = total / 2, large = total - small;
      w.pads[i] = autoPad == "SAME_UPPER" ? small : large;
      w.pads[3 + i] = autoPad == "SAME_UPPER" ? large : small;
    }
  } else {
    return nodeError(node) << "unsupported auto_pad '" << autoPad << "'",
           failure();
  }
  if (w.pads.size() != 6 ||
      llvm::any_of(w.pads, [](int64_t p) { return p < 0; }) ||
      llvm::any_of(w.strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(w.dilations, [](int64_t d) { return d < 1; }))
    return nodeError(node) << "expected 6 non-negative pads and "
                              "positive strides and dilations",
           failure();
  return w;
}

/// The input planes kernel depth `kd` meets, for every output depth, as a
/// batch of 2-D images [N * OD, C, H, W]. `x` is already padded in depth.
Value ONNXImporter::depthPlanes(Location loc, Value x, int64_t kd,
                                int64_t stride, int64_t dilation,
                                int64_t outDepth) {
  RankedTensorType type = typeOf(x);
  int64_t n = type.getDimSize(0), c = type.getDimSize(1),
          h = type.getDimSize(3), w = type.getDimSize(4);
  Value planes = builder.createOrFold<SliceOp>(
      loc, withShape(type, {n, c, outDepth, h, w}), x,
      builder.getDenseI64ArrayAttr({0, 0, kd * dilation, 0, 0}),
      builder.getDenseI64ArrayAttr({1, 1, stride, 1, 1}));
  planes = TransposeOp::create(builder, loc,
                               withShape(type, {n, outDepth, c, h, w}), planes,
                               builder.getDenseI64ArrayAttr({0, 2, 1, 3, 4}));
  return ReshapeOp::create(builder, loc,
                           withShape(type, {n * outDepth, c, h, w}), planes);
}

/// [N * OD, M, OH, OW] back to [N, M, OD, OH, OW].
Value ONNXImporter::fromDepthBatch(Location loc, Value y,
                                   RankedTensorType outType) {
  ArrayRef<int64_t> s = outType.getShape();
  y = ReshapeOp::create(builder, loc,
                        withShape(outType, {s[0], s[2], s[1], s[3], s[4]}), y);
  return TransposeOp::create(builder, loc, outType, y,
                             builder.getDenseI64ArrayAttr({0, 2, 1, 3, 4}));
}

/// Pads `x` in depth only (the 2-D ops pad height and width themselves).
static Value padDepth(OpBuilder &builder, Location loc, Value x, int64_t begin,
                      int64_t end, float value) {
  if (!begin && !end)
    return x;
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape[2] += begin + end;
  return PadOp::create(
      builder, loc, withShape(type, shape), x,
      builder.getDenseI64ArrayAttr({0, 0, begin, 0, 0, 0, 0, end, 0, 0}),
      PadModeAttr::get(builder.getContext(), PadMode::constant),
      builder.getF32FloatAttr(value));
}

/// Checks the declared output depth against the window and returns the
/// extra end padding the last window needs (ceil mode).
FailureOr<int64_t> ONNXImporter::depthCheck(const onnx::NodeProto &node,
                                            int64_t depth, const Window3D &w,
                                            int64_t outDepth) {
  int64_t padded = depth + w.pads[0] + w.pads[3];
  int64_t needed =
      (outDepth - 1) * w.strides[0] + w.dilations[0] * (w.kernel[0] - 1) + 1;
  if (outDepth < 1 || needed - padded >= w.strides[0])
    return nodeError(node) << "the declared output depth " << outDepth
                           << " does not match the window over depth " << depth,
           failure();
  return std::max<int64_t>(0, needed - padded);
}

LogicalResult ONNXImporter::importConv3D(const onnx::NodeProto &node, Value x,
                                         Value w, Value bias) {
  Location loc = nodeLoc(node);
  RankedTensorType xType = typeOf(x), wType = typeOf(w);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(outType))
    return failure();
  if (!xType.hasStaticShape() || !wType.hasStaticShape() ||
      outType->getRank() != 5)
    return nodeError(node) << "a 3-D convolution needs static shapes, got "
                           << xType << " and " << wType;
  FailureOr<Window3D> win =
      window3D(node, xType,
               {wType.getDimSize(2), wType.getDimSize(3), wType.getDimSize(4)});
  if (failed(win))
    return failure();
  int64_t outDepth = outType->getDimSize(2);
  FailureOr<int64_t> extra =
      depthCheck(node, xType.getDimSize(2), *win, outDepth);
  if (failed(extra))
    return failure();
  if (*extra)
    return nodeError(node) << "the declared output depth " << outDepth
                           << " is too large for the window";
  Value padded = padDepth(builder, loc, x, win->pads[0], win->pads[3], 0.0f);
  int64_t m = wType.getDimSize(0), cg = wType.getDimSize(1);
  ArrayRef<int64_t> out = outType->getShape();
  auto planeType =
      withShape(*outType, {out[0] * outDepth, out[1], out[3], out[4]});
  auto kernelType =
      withShape(wType, {m, cg, wType.getDimSize(3), wType.getDimSize(4)});
  Value sum;
  for (int64_t kd = 0; kd < win->kernel[0]; ++kd) {
    Value planes = depthPlanes(loc, padded, kd, win->strides[0],
                               win->dilations[0], outDepth);
    // The kernel's kd-th plane: a constant slice, which folds.
    Value kernel = builder.createOrFold<SliceOp>(
        loc,
        withShape(wType, {m, cg, 1, kernelType.getDimSize(2),
                          kernelType.getDimSize(3)}),
        w, builder.getDenseI64ArrayAttr({0, 0, kd, 0, 0}),
        builder.getDenseI64ArrayAttr({1, 1, 1, 1, 1}));
    kernel = builder.createOrFold<ReshapeOp>(loc, kernelType, kernel);
    Value y = Conv2dOp::create(
        builder, loc, planeType, planes, kernel, /*bias=*/Value(),
        builder.getDenseI64ArrayAttr({win->strides[1], win->strides[2]}),
        builder.getDenseI64ArrayAttr(
            {win->pads[1], win->pads[2], win->pads[4], win->pads[5]}),
        builder.getDenseI64ArrayAttr({win->dilations[1], win->dilations[2]}),
        builder.getI64IntegerAttr(attrInt(node, "group", 1)),
        /*precision=*/nullptr);
    sum = sum ? AddOp::create(builder, loc, planeType, sum, y).getResult() : y;
  }
  Value result = fromDepthBatch(loc, sum, *outType);
  if (bias) {
    RankedTensorType bType = typeOf(bias);
    Value b = builder.createOrFold<ReshapeOp>(
        loc, withShape(bType, {m, 1, 1, 1}), bias);
    result = AddOp::create(builder, loc, *outType, result, b);
  }
  return define(node, 0, result);
}

LogicalResult ONNXImporter::importPool3D(const onnx::NodeProto &node, Value x,
                                         ArrayRef<int64_t> kernel) {
  Location loc = nodeLoc(node);
  RankedTensorType xType = typeOf(x);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(outType))
    return failure();
  if (!xType.hasStaticShape() || outType->getRank() != 5 ||
      !isa<FloatType>(xType.getElementType()))
    return nodeError(node) << "3-D pooling needs a static float input, got "
                           << xType;
  FailureOr<Window3D> win = window3D(node, xType, kernel);
  if (failed(win))
    return failure();
  bool isMax = node.op_type() == "MaxPool";
  bool ceilMode = attrInt(node, "ceil_mode", 0);
  bool includePad = attrInt(node, "count_include_pad", 0);
  int64_t depth = xType.getDimSize(2), outDepth = outType->getDimSize(2);
  FailureOr<int64_t> extra = depthCheck(node, depth, *win, outDepth);
  if (failed(extra))
    return failure();
  if (*extra && !ceilMode)
    return nodeError(node) << "the declared output depth needs ceil_mode";
  if (!isMax && llvm::any_of(win->dilations, [](int64_t d) { return d != 1; }))
    return nodeError(node) << "dilated average pooling is not supported";
  if (isMax && failed(importPoolIndices(node, x, kernel, win->strides,
                                        win->pads, win->dilations, ceilMode,
                                        /*lifted=*/false)))
    return failure();
  // Depth padding: never the maximum; zero in a sum (counted or not below).
  float fill = isMax ? std::numeric_limits<float>::lowest() : 0.0f;
  Value padded =
      padDepth(builder, loc, x, win->pads[0], win->pads[3] + *extra, fill);
  ArrayRef<int64_t> out = outType->getShape();
  auto planeType =
      withShape(*outType, {out[0] * outDepth, out[1], out[3], out[4]});
  auto attr = [&](ArrayRef<int64_t> v) {
    return builder.getDenseI64ArrayAttr(v);
  };
  SmallVector<int64_t> kernel2 = {kernel[1], kernel[2]},
                       strides2 = {win->strides[1], win->strides[2]},
                       pads2 = {win->pads[1], win->pads[2], win->pads[4],
                                win->pads[5]},
                       dilations2 = {win->dilations[1], win->dilations[2]};
  Value acc;
  for (int64_t kd = 0; kd < kernel[0]; ++kd) {
    Value planes = depthPlanes(loc, padded, kd, win->strides[0],
                               win->dilations[0], outDepth);
    Value y;
    if (isMax) {
      y = MaxPool2dOp::create(builder, loc, planeType, planes, attr(kernel2),
                              attr(strides2), attr(pads2), attr(dilations2),
                              builder.getBoolAttr(ceilMode));
      acc =
          acc ? MaxOp::create(builder, loc, planeType, acc, y).getResult() : y;
    } else {
      y = AvgPool2dOp::create(builder, loc, planeType, planes, attr(kernel2),
                              attr(strides2), attr(pads2),
                              builder.getBoolAttr(ceilMode),
                              builder.getBoolAttr(includePad));
      acc =
          acc ? AddOp::create(builder, loc, planeType, acc, y).getResult() : y;
    }
  }
  Value result = fromDepthBatch(loc, acc, *outType);
  if (!isMax) {
    // Divide by the depths each window counts: the whole kernel with
    // count_include_pad (but never the ceil-mode overhang), else the ones
    // inside the input.
    SmallVector<double> scale;
    for (int64_t od = 0; od < outDepth; ++od) {
      int64_t count = 0;
      for (int64_t kd = 0; kd < kernel[0]; ++kd) {
        int64_t z = od * win->strides[0] - win->pads[0] + kd;
        bool inside = z >= 0 && z < depth;
        bool inPad = z >= -win->pads[0] && z < depth + win->pads[3];
        count += includePad ? inPad : inside;
      }
      scale.push_back(count ? 1.0 / double(count) : 0.0);
    }
    Type element = outType->getElementType();
    SmallVector<Attribute> values;
    for (double v : scale)
      values.push_back(FloatAttr::get(element, v));
    Value s = constant(
        loc,
        DenseElementsAttr::get(
            RankedTensorType::get({1, 1, outDepth, 1, 1}, element), values));
    result = MulOp::create(builder, loc, *outType, result, s);
  }
  return define(node, 0, result);
}

/// A 3-D transposed convolution as ConvTranspose's 2-D form twice over: one
/// matrix product per group (on crossbars, as in 2-D) gives every input
/// voxel's [M, KD, KH, KW] block; a 2-D cim.col2im scatters the KH x KW
/// taps of every (input depth, kernel depth) pair into an output plane, and
/// a second cim.col2im scatters those planes along depth, treating each
/// whole [M, OH, OW] plane as one channel and KD as a kernel height (output
/// depth = input depth * stride - pad + kd * dilation).
Value ONNXImporter::transposedConv3D(Location loc, Value x, Value w,
                                     int64_t group, ArrayRef<int64_t> strides,
                                     ArrayRef<int64_t> pads,
                                     ArrayRef<int64_t> dilations,
                                     RankedTensorType resultType) {
  RankedTensorType xType = typeOf(x), wType = typeOf(w);
  Type element = xType.getElementType();
  auto type = [&](ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, element);
  };
  auto attr = [&](ArrayRef<int64_t> v) {
    return builder.getDenseI64ArrayAttr(v);
  };
  int64_t n = xType.getDimSize(0), c = xType.getDimSize(1),
          d = xType.getDimSize(2), h = xType.getDimSize(3),
          wd = xType.getDimSize(4);
  int64_t mg = wType.getDimSize(1), kd = wType.getDimSize(2),
          kh = wType.getDimSize(3), kw = wType.getDimSize(4);
  int64_t m = mg * group, cg = c / group, taps = kd * kh * kw;
  int64_t voxels = n * d * h * wd;
  int64_t od = resultType.getDimSize(2), oh = resultType.getDimSize(3),
          ow = resultType.getDimSize(4);

  Value pixels = builder.createOrFold<TransposeOp>(loc, type({n, d, h, wd, c}),
                                                   x, attr({0, 2, 3, 4, 1}));
  pixels = builder.createOrFold<ReshapeOp>(loc, type({voxels, c}), pixels);
  Value flatWeight =
      builder.createOrFold<ReshapeOp>(loc, type({c, mg * taps}), w);
  SmallVector<Value> products;
  for (int64_t g = 0; g < group; ++g) {
    Value lhs = pixels, rhs = flatWeight;
    if (group > 1) {
      lhs = builder.createOrFold<SliceOp>(loc, type({voxels, cg}), pixels,
                                          attr({0, g * cg}), attr({1, 1}));
      rhs =
          builder.createOrFold<SliceOp>(loc, type({cg, mg * taps}), flatWeight,
                                        attr({g * cg, 0}), attr({1, 1}));
    }
    products.push_back(MatmulOp::create(builder, loc, type({voxels, mg * taps}),
                                        lhs, rhs,
                                        /*precision=*/nullptr));
  }
  Value columns = products.front();
  if (group > 1)
    columns = ConcatOp::create(builder, loc, type({voxels, m * taps}), products,
                               builder.getI64IntegerAttr(1));
  // [N, D, H, W, M, KD, KH, KW] -> [N * D * KD, H, W, M, KH, KW]: one 2-D
  // scatter per (input depth, kernel depth) pair.
  columns = ReshapeOp::create(builder, loc, type({n, d, h, wd, m, kd, kh, kw}),
                              columns);
  columns =
      TransposeOp::create(builder, loc, type({n, d, kd, h, wd, m, kh, kw}),
                          columns, attr({0, 1, 5, 2, 3, 4, 6, 7}));
  columns = ReshapeOp::create(builder, loc,
                              type({n * d * kd, h, wd, m, kh, kw}), columns);
  Value planes = Col2imOp::create(builder, loc, type({n * d * kd, m, oh, ow}),
                                  columns, attr({strides[1], strides[2]}),
                                  attr({pads[1], pads[2], pads[4], pads[5]}),
                                  attr({dilations[1], dilations[2]}));
  // Depth: [N, D, 1, M * OH * OW, KD, 1] scattered to [N, M * OH * OW, OD, 1].
  int64_t plane = m * oh * ow;
  planes = ReshapeOp::create(builder, loc, type({n, d, kd, plane}), planes);
  planes = TransposeOp::create(builder, loc, type({n, d, plane, kd}), planes,
                               attr({0, 1, 3, 2}));
  planes =
      ReshapeOp::create(builder, loc, type({n, d, 1, plane, kd, 1}), planes);
  Value volume = Col2imOp::create(
      builder, loc, type({n, plane, od, 1}), planes, attr({strides[0], 1}),
      attr({pads[0], 0, pads[3], 0}), attr({dilations[0], 1}));
  volume = ReshapeOp::create(builder, loc, type({n, m, oh, ow, od}), volume);
  return TransposeOp::create(builder, loc, resultType, volume,
                             attr({0, 1, 4, 2, 3}));
}
