//===- ImportImage.cpp - ConvTranspose, Resize, DepthToSpace --------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// ConvTranspose (a matrix product with the constant weight, which maps onto
// crossbars, then cim.col2im), Resize and Upsample (cim.resize), and
// DepthToSpace/SpaceToDepth (cim.reshape + cim.transpose).
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::onnx_import;

/// Float contents of a constant, flattened, as doubles.
static std::optional<SmallVector<double>> floatsOfConstant(Value v) {
  DenseElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)) ||
      !isa<FloatType>(attr.getElementType()))
    return std::nullopt;
  SmallVector<double> result;
  for (APFloat x : attr.getValues<APFloat>()) {
    bool lost;
    x.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    result.push_back(x.convertToDouble());
  }
  return result;
}

//===----------------------------------------------------------------------===//
// ConvTranspose
//===----------------------------------------------------------------------===//

LogicalResult ONNXImporter::importConvTranspose(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value x = input(node, 0), w = input(node, 1);
  if (!x || !w || failed(checkOutputs(node, 1)))
    return failure();
  Value bias = hasInput(node, 2) ? input(node, 2) : Value();
  if (hasInput(node, 2) && !bias)
    return failure();
  RankedTensorType xType = typeOf(x), wType = typeOf(w);
  bool lifted = xType.getRank() == 3 && wType.getRank() == 3;
  bool volume = xType.getRank() == 5 && wType.getRank() == 5;
  if (!lifted && !volume && (xType.getRank() != 4 || wType.getRank() != 4))
    return nodeError(node) << "only 1-D, 2-D and 3-D transposed convolutions "
                              "(rank-3, 4 or 5 input and weight) are "
                              "supported, got input "
                           << xType << " and weight " << wType;
  if (!isa<FloatType>(xType.getElementType()) ||
      xType.getElementType() != wType.getElementType())
    return nodeError(node) << "expected float input and weight of one type, "
                              "got "
                           << xType << " and " << wType;
  // Spatial axes in ONNX, and after lifting 1-D to 2-D.
  int64_t spatial = lifted ? 1 : volume ? 3 : 2;
  int64_t axes = volume ? 3 : 2;
  auto spatialAttr = [&](StringRef name, int64_t def,
                         SmallVector<int64_t> &out) -> LogicalResult {
    out = attrInts(node, name, SmallVector<int64_t>(spatial, def));
    if (int64_t(out.size()) != spatial)
      return nodeError(node) << "expected " << spatial << " entries in '"
                             << name << "', got " << out.size();
    if (lifted)
      out.insert(out.begin(), name == "output_padding" ? 0 : 1);
    return success();
  };
  SmallVector<int64_t> strides, dilations, outputPadding;
  if (failed(spatialAttr("strides", 1, strides)) ||
      failed(spatialAttr("dilations", 1, dilations)) ||
      failed(spatialAttr("output_padding", 0, outputPadding)))
    return failure();
  for (int64_t i = 0; i < axes; ++i)
    if (strides[i] < 1 || dilations[i] < 1 || outputPadding[i] < 0)
      return nodeError(node) << "expected positive strides and dilations and "
                                "non-negative output_padding";
  if (lifted) {
    x = liftTo2D(loc, x);
    w = liftTo2D(loc, w);
    xType = typeOf(x);
    wType = typeOf(w);
  }
  if (volume && (!xType.hasStaticShape() || !wType.hasStaticShape()))
    return nodeError(node) << "a 3-D transposed convolution needs static "
                              "shapes, got input "
                           << xType << " and weight " << wType;
  int64_t n = xType.getDimSize(0), c = xType.getDimSize(1);
  // The last two spatial axes (a 3-D one also has a depth in front).
  int64_t h = xType.getDimSize(axes), wd = xType.getDimSize(axes + 1);
  int64_t group = attrInt(node, "group", 1);
  int64_t kh = wType.getDimSize(axes), kw = wType.getDimSize(axes + 1);
  if (group < 1 || c % group != 0 || wType.getDimSize(0) != c)
    return nodeError(node) << "expected the weight's first dimension ("
                           << wType.getDimSize(0)
                           << ") to be the input channels (" << c
                           << ") and the group (" << group
                           << ") to divide them";
  SmallVector<int64_t> kernelShape = attrInts(node, "kernel_shape");
  if (!kernelShape.empty()) {
    if (lifted)
      kernelShape.insert(kernelShape.begin(), 1);
    if (ArrayRef<int64_t>(kernelShape) != wType.getShape().drop_front(2))
      return nodeError(node)
             << "kernel_shape does not match the weight " << wType;
  }
  int64_t cg = c / group, mg = wType.getDimSize(1), m = mg * group;

  // The output shape, and from it the pads of cim.col2im: the begin pads
  // follow ONNX's rules, the end pads make the rest (output_padding appears
  // as a negative end pad).
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(outType))
    return failure();
  RankedTensorType resultType = *outType;
  if (lifted) {
    SmallVector<int64_t> shape(outType->getShape());
    shape.insert(shape.begin() + 2, 1);
    resultType = withShape(*outType, shape);
  }
  if (resultType.getRank() != axes + 2 || resultType.getDimSize(0) != n ||
      resultType.getDimSize(1) != m)
    return nodeError(node) << "unexpected output type " << *outType;
  std::string autoPad = attrString(node, "auto_pad", "NOTSET");
  SmallVector<int64_t> outputShape = attrInts(node, "output_shape");
  if (lifted && outputShape.size() == 1)
    outputShape.insert(outputShape.begin(), 1);
  if (int64_t(outputShape.size()) == axes + 2)
    outputShape.erase(outputShape.begin(), outputShape.begin() + 2);
  if (!outputShape.empty() && int64_t(outputShape.size()) != axes)
    return nodeError(node) << "expected one output_shape entry per spatial "
                              "dimension";
  SmallVector<int64_t> explicitPads;
  if (autoPad == "NOTSET" && outputShape.empty()) {
    explicitPads = attrInts(node, "pads", SmallVector<int64_t>(2 * spatial, 0));
    if (int64_t(explicitPads.size()) != 2 * spatial)
      return nodeError(node) << "expected " << 2 * spatial << " pads, got "
                             << explicitPads.size();
    if (lifted)
      explicitPads = {0, explicitPads[0], 0, explicitPads[1]};
  } else if (autoPad != "NOTSET" && autoPad != "VALID" &&
             autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER") {
    return nodeError(node) << "unsupported auto_pad '" << autoPad
                           << "' (expected NOTSET, VALID, SAME_UPPER or "
                              "SAME_LOWER)";
  }
  SmallVector<int64_t> pads(2 * axes);
  ArrayRef<int64_t> inSizes = xType.getShape().drop_front(2),
                    kernel = wType.getShape().drop_front(2);
  for (int64_t i = 0; i < axes; ++i) {
    int64_t full =
        strides[i] * (inSizes[i] - 1) + dilations[i] * (kernel[i] - 1) + 1;
    int64_t out = resultType.getDimSize(2 + i);
    int64_t begin = 0;
    if (!explicitPads.empty()) {
      begin = explicitPads[i];
    } else if (autoPad != "VALID" || !outputShape.empty()) {
      int64_t target =
          !outputShape.empty() ? outputShape[i] : inSizes[i] * strides[i];
      // An output_shape larger than the full result makes the total
      // negative: halve it rounding down (as ONNX's Python reference does).
      int64_t total = full + outputPadding[i] - target;
      int64_t half = llvm::divideFloorSigned(total, 2);
      begin = autoPad == "SAME_UPPER" ? half : total - half;
    }
    pads[i] = begin;
    pads[axes + i] = full - begin - out;
  }
  if (volume) {
    Value result = transposedConv3D(loc, x, w, group, strides, pads, dilations,
                                    resultType);
    if (bias) {
      RankedTensorType biasType = typeOf(bias);
      if (biasType.getRank() != 1 || biasType.getDimSize(0) != m ||
          biasType.getElementType() != xType.getElementType())
        return nodeError(node)
               << "expected a bias of " << m << " elements, got " << biasType;
      bias = builder.createOrFold<ReshapeOp>(
          loc, withShape(biasType, {m, 1, 1, 1}), bias);
      result = AddOp::create(builder, loc, resultType, result, bias);
    }
    return define(node, 0, result);
  }

  // x [N, C, H, W] -> [N * H * W, C], times the weight [C/g, M/g * kh * kw]
  // of each group, into [N, H, W, M, kh, kw].
  Type element = xType.getElementType();
  Value pixels = builder.createOrFold<TransposeOp>(
      loc, RankedTensorType::get({n, h, wd, c}, element), x,
      builder.getDenseI64ArrayAttr({0, 2, 3, 1}));
  pixels = builder.createOrFold<ReshapeOp>(
      loc, RankedTensorType::get({n * h * wd, c}, element), pixels);
  Value flatWeight = builder.createOrFold<ReshapeOp>(
      loc, RankedTensorType::get({c, mg * kh * kw}, element), w);
  SmallVector<Value> products;
  for (int64_t g = 0; g < group; ++g) {
    Value lhs = pixels, rhs = flatWeight;
    if (group > 1) {
      lhs = builder.createOrFold<SliceOp>(
          loc, RankedTensorType::get({n * h * wd, cg}, element), pixels,
          builder.getDenseI64ArrayAttr({0, g * cg}),
          builder.getDenseI64ArrayAttr({1, 1}));
      rhs = builder.createOrFold<SliceOp>(
          loc, RankedTensorType::get({cg, mg * kh * kw}, element), flatWeight,
          builder.getDenseI64ArrayAttr({g * cg, 0}),
          builder.getDenseI64ArrayAttr({1, 1}));
    }
    products.push_back(MatmulOp::create(
        builder, loc,
        RankedTensorType::get({n * h * wd, mg * kh * kw}, element), lhs, rhs,
        /*precision=*/nullptr));
  }
  Value columns = products.front();
  if (group > 1)
    columns = ConcatOp::create(
        builder, loc, RankedTensorType::get({n * h * wd, m * kh * kw}, element),
        products, builder.getI64IntegerAttr(1));
  columns = ReshapeOp::create(
      builder, loc, RankedTensorType::get({n, h, wd, m, kh, kw}, element),
      columns);
  Value result = Col2imOp::create(builder, loc, resultType, columns,
                                  builder.getDenseI64ArrayAttr(strides),
                                  builder.getDenseI64ArrayAttr(pads),
                                  builder.getDenseI64ArrayAttr(dilations));
  if (bias) {
    RankedTensorType biasType = typeOf(bias);
    if (biasType.getRank() != 1 || biasType.getDimSize(0) != m ||
        biasType.getElementType() != element)
      return nodeError(node) << "expected a bias of " << m << " elements of "
                             << element << ", got " << biasType;
    bias = builder.createOrFold<ReshapeOp>(
        loc, RankedTensorType::get({m, 1, 1}, element), bias);
    result = AddOp::create(builder, loc, resultType, result, bias);
  }
  if (lifted)
    result = ReshapeOp::create(builder, loc, *outType, result);
  return define(node, 0, result);
}

//===----------------------------------------------------------------------===//
// Resize and Upsample
//===----------------------------------------------------------------------===//

LogicalResult ONNXImporter::importResize(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value x = input(node, 0);
  if (!x || failed(checkOutputs(node, 1)))
    return failure();
  RankedTensorType xType = typeOf(x);
  if (!isa<FloatType>(xType.getElementType()))
    return nodeError(node) << "only float tensors can be resized, got "
                           << xType;
  int64_t rank = xType.getRank();
  bool upsample = node.op_type() == "Upsample";
  for (StringRef unsupported :
       {"axes", "keep_aspect_ratio_policy", "antialias"})
    if (attr(node, unsupported))
      return nodeError(node)
             << "attribute '" << unsupported << "' (opset 18) is not supported";
  std::string mode = attrString(node, "mode", "nearest");
  // Upsample and Resize-10: asymmetric coordinates; Upsample's nearest
  // neighbour repeats (floor).
  bool legacy = upsample || opset < 11;
  std::string transform =
      legacy ? "asymmetric"
             : attrString(node, "coordinate_transformation_mode", "half_pixel");
  std::string nearestMode =
      upsample ? "floor"
      : legacy ? "round_prefer_floor"
               : attrString(node, "nearest_mode", "round_prefer_floor");
  if (mode != "nearest" && mode != "linear" && mode != "cubic" &&
      !(legacy && mode == "bilinear"))
    return nodeError(node) << "unsupported mode '" << mode
                           << "' (expected nearest, linear or cubic)";
  if (mode == "bilinear")
    mode = "linear";
  if (legacy && mode == "cubic")
    return nodeError(node) << "mode cubic needs opset 11";

  // Scales (a constant input, or Upsample-7's attribute) or sizes. Where
  // they are computed at run time, the output shape comes from shape
  // inference and the scales (and roi) are operands.
  std::optional<SmallVector<double>> scales;
  std::optional<SmallVector<int64_t>> sizes;
  std::optional<SmallVector<double>> roi;
  Value scalesInput, roiInput;
  bool hasSizes = !legacy && hasInput(node, 3);
  int scalesIndex = legacy ? 1 : 2;
  if (upsample && opset < 9) {
    const auto *a = attr(node, "scales");
    if (!a)
      return nodeError(node) << "missing attribute 'scales'";
    scales = SmallVector<double>(a->floats().begin(), a->floats().end());
  } else if (hasInput(node, scalesIndex)) {
    Value s = input(node, scalesIndex);
    if (!s)
      return failure();
    RankedTensorType sType = typeOf(s);
    if (!isa<FloatType>(sType.getElementType()) || sType.getRank() != 1)
      return nodeError(node) << "expected 1-D float scales, got " << sType;
    // An empty scales tensor stands for "use sizes" (opset 11-12).
    if (sType.getDimSize(0) != 0) {
      scales = floatsOfConstant(s);
      if (!scales)
        scalesInput = s;
    }
  }
  if (hasSizes) {
    Value s = input(node, 3);
    if (!s)
      return failure();
    sizes = intsOf(s);
  }
  if ((scales || scalesInput) && hasSizes)
    return nodeError(node) << "expected scales or sizes, not both";
  if (!scales && !scalesInput && !hasSizes)
    return nodeError(node) << "expected scales or sizes";
  if ((scales && int64_t(scales->size()) != rank) ||
      (sizes && int64_t(sizes->size()) != rank) ||
      (scalesInput && typeOf(scalesInput).getDimSize(0) != rank))
    return nodeError(node) << "expected one scale or size per axis (" << rank
                           << ")";
  if (transform == "tf_crop_and_resize") {
    Value r = hasInput(node, 1) ? input(node, 1) : Value();
    if (!r)
      return nodeError(node) << "tf_crop_and_resize needs a roi input";
    RankedTensorType rType = typeOf(r);
    if (!isa<FloatType>(rType.getElementType()) || rType.getRank() != 1 ||
        rType.getDimSize(0) != 2 * rank)
      return nodeError(node) << "expected a 1-D float roi of " << 2 * rank
                             << " entries, got " << rType;
    roi = floatsOfConstant(r);
    if (!roi)
      roiInput = r;
  }
  SmallVector<int64_t> outShape;
  SmallVector<double> factors;
  if (scales) {
    for (int64_t i = 0; i < rank; ++i) {
      double s = (*scales)[i];
      if (!(s > 0) || !std::isfinite(s))
        return nodeError(node) << "expected positive scales, got " << s;
      double out = std::floor(double(xType.getDimSize(i)) * s);
      if (out < 1 || out > double(maxElements()))
        return nodeError(node) << "scale " << s << " of axis " << i
                               << " gives an output size of " << out;
      outShape.push_back(int64_t(out));
    }
    factors = *scales;
  } else {
    if (sizes) {
      outShape = *sizes;
    } else {
      FailureOr<RankedTensorType> outType = outputType(node, 0);
      if (failed(outType))
        return failure();
      outShape = SmallVector<int64_t>(outType->getShape());
      if (int64_t(outShape.size()) != rank)
        return nodeError(node) << "unexpected output type " << *outType;
    }
    for (int64_t i = 0; i < rank; ++i) {
      if (outShape[i] < 1 || xType.getDimSize(i) < 1)
        return nodeError(node) << "expected positive sizes and input "
                                  "dimensions, got "
                               << formatShape(outShape) << " from "
                               << formatShape(xType.getShape());
      factors.push_back(double(outShape[i]) / double(xType.getDimSize(i)));
    }
  }
  if (checkedProduct(outShape) < 0 || checkedProduct(outShape) > maxElements())
    return nodeError(node) << "the output " << formatShape(outShape)
                           << " has more than " << maxElements()
                           << " elements (--max-tensor-elements)";
  auto op = ResizeOp::create(
      builder, loc, withShape(xType, outShape), x, scalesInput, roiInput,
      builder.getDenseF64ArrayAttr(factors), builder.getStringAttr(mode),
      builder.getStringAttr(transform), builder.getStringAttr(nearestMode),
      builder.getF32FloatAttr(attrFloat(node, "cubic_coeff_a", -0.75f)),
      builder.getBoolAttr(attrInt(node, "exclude_outside", 0)),
      builder.getF32FloatAttr(attrFloat(node, "extrapolation_value", 0.0f)),
      roi ? builder.getDenseF64ArrayAttr(*roi) : DenseF64ArrayAttr());
  return define(node, 0, op);
}

//===----------------------------------------------------------------------===//
// DepthToSpace and SpaceToDepth
//===----------------------------------------------------------------------===//

LogicalResult ONNXImporter::importDepthSpace(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value x = input(node, 0);
  if (!x || failed(checkOutputs(node, 1)))
    return failure();
  RankedTensorType type = typeOf(x);
  if (type.getRank() != 4)
    return nodeError(node) << "expected a rank-4 (NCHW) input, got " << type;
  int64_t b = attrInt(node, "blocksize", 0);
  if (b < 1)
    return nodeError(node) << "expected a positive blocksize, got " << b;
  int64_t n = type.getDimSize(0), c = type.getDimSize(1),
          h = type.getDimSize(2), w = type.getDimSize(3);
  SmallVector<int64_t> split, permutation, outShape;
  if (node.op_type() == "DepthToSpace") {
    if (c % (b * b) != 0)
      return nodeError(node) << "blocksize " << b << " squared does not divide "
                             << c << " channels";
    std::string mode = attrString(node, "mode", "DCR");
    if (mode == "DCR") {
      split = {n, b, b, c / (b * b), h, w};
      permutation = {0, 3, 4, 1, 5, 2};
    } else if (mode == "CRD") {
      split = {n, c / (b * b), b, b, h, w};
      permutation = {0, 1, 4, 2, 5, 3};
    } else {
      return nodeError(node)
             << "unsupported mode '" << mode << "' (expected DCR or CRD)";
    }
    outShape = {n, c / (b * b), h * b, w * b};
  } else {
    if (h % b != 0 || w % b != 0)
      return nodeError(node)
             << "blocksize " << b << " does not divide the spatial size " << h
             << "x" << w;
    split = {n, c, h / b, b, w / b, b};
    permutation = {0, 3, 5, 1, 2, 4};
    outShape = {n, c * b * b, h / b, w / b};
  }
  SmallVector<int64_t> permuted;
  for (int64_t p : permutation)
    permuted.push_back(split[p]);
  Value v = builder.createOrFold<ReshapeOp>(loc, withShape(type, split), x);
  v = builder.createOrFold<TransposeOp>(
      loc, withShape(type, permuted), v,
      builder.getDenseI64ArrayAttr(permutation));
  return define(
      node, 0,
      builder.createOrFold<ReshapeOp>(loc, withShape(type, outShape), v));
}

//===----------------------------------------------------------------------===//
// GridSample and NonMaxSuppression
//===----------------------------------------------------------------------===//

LogicalResult ONNXImporter::importGridSample(const onnx::NodeProto &node) {
  Value x = input(node, 0), grid = input(node, 1);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!x || !grid || failed(outType) || failed(checkOutputs(node, 1)))
    return failure();
  if (typeOf(x).getRank() != 4)
    return nodeError(node) << "only 2-D sampling (NCHW input) is supported, "
                              "got "
                           << x.getType();
  return define(
      node, 0,
      GridSampleOp::create(
          builder, nodeLoc(node), *outType, x, grid,
          builder.getStringAttr(attrString(node, "mode", "bilinear")),
          builder.getStringAttr(attrString(node, "padding_mode", "zeros")),
          builder.getBoolAttr(attrInt(node, "align_corners", 0))));
}

LogicalResult
ONNXImporter::importNonMaxSuppression(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value boxes = input(node, 0), scores = input(node, 1);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!boxes || !scores || failed(outType))
    return failure();
  // Absent limits: no boxes, no overlap limit, every score.
  auto limit = [&](int i, Attribute fallback) -> Value {
    if (hasInput(node, i))
      return input(node, i);
    auto type = RankedTensorType::get({1}, cast<TypedAttr>(fallback).getType());
    return constant(loc, DenseElementsAttr::get(type, fallback));
  };
  Value maxBoxes = limit(2, builder.getI64IntegerAttr(0));
  Value iou = limit(3, builder.getF32FloatAttr(0.0f));
  Value score = limit(
      4, builder.getF32FloatAttr(-std::numeric_limits<float>::infinity()));
  if (!maxBoxes || !iou || !score)
    return failure();
  return define(node, 0,
                NonMaxSuppressionOp::create(
                    builder, loc, *outType, boxes, scores, maxBoxes, iou, score,
                    builder.getBoolAttr(attrInt(node, "center_point_box", 0))));
}

//===----------------------------------------------------------------------===//
// RoiAlign
//===----------------------------------------------------------------------===//

LogicalResult ONNXImporter::importRoiAlign(const onnx::NodeProto &node) {
  Value x = input(node, 0), rois = input(node, 1), batch = input(node, 2);
  if (!x || !rois || !batch || failed(checkOutputs(node, 1)))
    return failure();
  RankedTensorType xType = typeOf(x), rType = typeOf(rois),
                   bType = typeOf(batch);
  if (xType.getRank() != 4 || !isa<FloatType>(xType.getElementType()))
    return nodeError(node) << "expected a float NCHW input, got " << xType;
  if (rType.getRank() != 2 || rType.getDimSize(1) != 4 ||
      rType.getElementType() != xType.getElementType())
    return nodeError(node) << "expected rois [R, 4] of the input's element "
                              "type, got "
                           << rType;
  if (bType.getRank() != 1 || !isa<IntegerType>(bType.getElementType()) ||
      bType.getDimSize(0) != rType.getDimSize(0))
    return nodeError(node) << "expected integer batch_indices [R] for "
                           << rType.getDimSize(0) << " rois, got " << bType;
  std::string mode = attrString(node, "mode", "avg");
  if (mode != "avg" && mode != "max")
    return nodeError(node) << "unsupported mode '" << mode
                           << "' (expected avg or max)";
  // Opset 16 added the attribute, with a new default; before, regions were
  // not shifted by half a pixel.
  std::string transform =
      attrString(node, "coordinate_transformation_mode",
                 opset >= 16 ? "half_pixel" : "output_half_pixel");
  if (transform != "half_pixel" && transform != "output_half_pixel")
    return nodeError(node) << "unsupported coordinate_transformation_mode '"
                           << transform
                           << "' (expected half_pixel or output_half_pixel)";
  int64_t samplingRatio = attrInt(node, "sampling_ratio", 0);
  float spatialScale = attrFloat(node, "spatial_scale", 1.0f);
  int64_t outH = attrInt(node, "output_height", 1),
          outW = attrInt(node, "output_width", 1);
  if (samplingRatio < 0 || !(spatialScale > 0) ||
      !std::isfinite(spatialScale) || outH < 1 || outW < 1)
    return nodeError(node) << "expected a non-negative sampling_ratio, a "
                              "positive finite spatial_scale and positive "
                              "output_height and output_width";
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(outType))
    return failure();
  SmallVector<int64_t> expected = {rType.getDimSize(0), xType.getDimSize(1),
                                   outH, outW};
  if (outType->getShape() != ArrayRef<int64_t>(expected) ||
      outType->getElementType() != xType.getElementType())
    return nodeError(node) << "unexpected output type " << *outType;
  return define(node, 0,
                RoiAlignOp::create(builder, nodeLoc(node), *outType, x, rois,
                                   batch, builder.getStringAttr(mode),
                                   builder.getI64IntegerAttr(samplingRatio),
                                   builder.getF32FloatAttr(spatialScale),
                                   builder.getStringAttr(transform)));
}
