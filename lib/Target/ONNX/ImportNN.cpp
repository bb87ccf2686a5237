//===- ImportNN.cpp - Crossbar, normalization and pooling ops
//---------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The ops that carry weights (Conv, Gemm, MatMul) and the normalization,
// pooling (with MaxPool's indices and MaxUnpool) and softmax family.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::onnx_import;

//===----------------------------------------------------------------------===//
// Crossbar ops
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<int64_t>>
ONNXImporter::windowPads(const onnx::NodeProto &node, RankedTensorType input,
                         ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                         ArrayRef<int64_t> dilations, bool lifted1D) {
  std::string autoPad = attrString(node, "auto_pad", "NOTSET");
  if (autoPad == "NOTSET" && lifted1D) {
    SmallVector<int64_t> pads = attrInts(node, "pads", {0, 0});
    if (pads.size() != 2)
      return nodeError(node)
                 << "expected 2 pads for a 1-D window, got " << pads.size(),
             failure();
    return SmallVector<int64_t>{0, pads[0], 0, pads[1]};
  }
  if (autoPad == "NOTSET") {
    SmallVector<int64_t> pads = attrInts(node, "pads", {0, 0, 0, 0});
    if (pads.size() != 4)
      return nodeError(node)
                 << "expected 4 pads for a 2-D window, got " << pads.size(),
             failure();
    return pads;
  }
  if (autoPad == "VALID")
    return SmallVector<int64_t>{0, 0, 0, 0};
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return nodeError(node) << "unsupported auto_pad '" << autoPad
                           << "' (expected NOTSET, VALID, SAME_UPPER or "
                              "SAME_LOWER)",
           failure();
  SmallVector<int64_t> pads(4);
  for (int i = 0; i < 2; ++i) {
    int64_t in = input.getDimSize(2 + i);
    int64_t out = (in + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>(
        0, (out - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 - in);
    int64_t small = total / 2, large = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[2 + i] = autoPad == "SAME_UPPER" ? large : small;
  }
  return pads;
}

/// A 1-D window op runs as 2-D with a height of 1: [N, C, W] becomes
/// [N, C, 1, W] (and a weight [M, C/g, K] becomes [M, C/g, 1, K]).
Value ONNXImporter::liftTo2D(Location loc, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(type.getShape());
  shape.insert(shape.begin() + 2, 1);
  return builder.createOrFold<ReshapeOp>(
      loc, RankedTensorType::get(shape, type.getElementType()), v);
}

/// The 2-D form of a 1-D window attribute: `def1D` is its default, `pad2D`
/// what the height gets.
static SmallVector<int64_t> lift1DAttr(ArrayRef<int64_t> values,
                                       int64_t pad2D) {
  SmallVector<int64_t> result = {pad2D};
  result.append(values.begin(), values.end());
  return result;
}

FailureOr<ONNXImporter::Window2D>
ONNXImporter::window2D(const onnx::NodeProto &node, RankedTensorType input,
                       ArrayRef<int64_t> kernel, bool lifted) {
  Window2D window;
  if (lifted) {
    window.strides = lift1DAttr(attrInts(node, "strides", {1}), 1);
    window.dilations = lift1DAttr(attrInts(node, "dilations", {1}), 1);
  } else {
    window.strides = attrInts(node, "strides", {1, 1});
    window.dilations = attrInts(node, "dilations", {1, 1});
  }
  if (window.strides.size() != 2 || window.dilations.size() != 2)
    return nodeError(node) << "expected one stride and one dilation per "
                              "spatial dimension",
           failure();
  FailureOr<SmallVector<int64_t>> pads =
      windowPads(node, input, kernel, window.strides, window.dilations, lifted);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(pads) || failed(outType))
    return failure();
  window.pads = *pads;
  window.resultType = *outType;
  if (lifted) {
    SmallVector<int64_t> shape(outType->getShape());
    shape.insert(shape.begin() + 2, 1);
    window.resultType = RankedTensorType::get(shape, outType->getElementType());
  }
  return window;
}

LogicalResult ONNXImporter::importConv(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value x = input(node, 0), w = input(node, 1);
  if (!x || !w)
    return failure();
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  Value bias = hasInput(node, 2) ? input(node, 2) : Value();
  if (hasInput(node, 2) && !bias)
    return failure();
  if (xType.getRank() == 5 && wType.getRank() == 5)
    return importConv3D(node, x, w, bias);
  bool lifted = xType.getRank() == 3 && wType.getRank() == 3;
  if (!lifted && (xType.getRank() != 4 || wType.getRank() != 4))
    return nodeError(node) << "only 1-D, 2-D and 3-D convolutions (rank-3, "
                              "4 or 5 input and weight) are supported, got "
                              "input "
                           << xType << " and weight " << wType;
  if (lifted) {
    x = liftTo2D(loc, x);
    w = liftTo2D(loc, w);
    xType = cast<RankedTensorType>(x.getType());
    wType = cast<RankedTensorType>(w.getType());
  }
  SmallVector<int64_t> kernel = {wType.getDimSize(2), wType.getDimSize(3)};
  FailureOr<Window2D> window = window2D(node, xType, kernel, lifted);
  if (failed(window))
    return failure();
  auto [strides, dilations, pads, convType] = *window;
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(outType))
    return failure();
  Value result = Conv2dOp::create(
      builder, loc, convType, x, w, bias, builder.getDenseI64ArrayAttr(strides),
      builder.getDenseI64ArrayAttr(pads),
      builder.getDenseI64ArrayAttr(dilations),
      builder.getI64IntegerAttr(attrInt(node, "group", 1)),
      /*precision=*/nullptr);
  if (lifted)
    result = ReshapeOp::create(builder, loc, *outType, result);
  return define(node, 0, result);
}

LogicalResult ONNXImporter::importGemm(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value transposedB;
  if (attrInt(node, "transB", 0) && node.input_size() > 1 &&
      pending.count(node.input(1)))
    if (!(transposedB = materialize(node.input(1), /*transposed=*/true)))
      return failure();
  Value a = input(node, 0), b = transposedB ? transposedB : input(node, 1);
  if (!a || !b)
    return failure();
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(outType))
    return failure();
  auto transpose = [&](Value v) -> Value {
    auto type = cast<RankedTensorType>(v.getType());
    auto transposed = RankedTensorType::get(
        {type.getDimSize(1), type.getDimSize(0)}, type.getElementType());
    // Folds to a constant when v is one (a weight in transB layout).
    return builder.createOrFold<TransposeOp>(
        loc, transposed, v, builder.getDenseI64ArrayAttr({1, 0}));
  };
  auto scale = [&](Value v, float factor) -> Value {
    if (factor == 1.0f)
      return v;
    auto type = cast<RankedTensorType>(v.getType());
    // A constant (the usual weight or bias) is scaled at import.
    if (auto dense = dyn_cast_or_null<DenseFPElementsAttr>(constantOf(v))) {
      APFloat f(factor);
      bool lost;
      f.convert(cast<FloatType>(type.getElementType()).getFloatSemantics(),
                APFloat::rmNearestTiesToEven, &lost);
      return constant(
          loc, dense.mapValues(type.getElementType(), [&](const APFloat &x) {
            return (x * f).bitcastToAPInt();
          }));
    }
    auto scalarType = RankedTensorType::get({}, type.getElementType());
    Value s = constant(
        loc,
        DenseElementsAttr::get(
            scalarType,
            builder.getFloatAttr(type.getElementType(), factor).getValue()));
    return MulOp::create(builder, loc, type, v, s);
  };
  if (cast<RankedTensorType>(a.getType()).getRank() != 2 ||
      cast<RankedTensorType>(b.getType()).getRank() != 2)
    return nodeError(node) << "expected rank-2 operands";
  if (attrInt(node, "transA", 0))
    a = transpose(a);
  if (attrInt(node, "transB", 0))
    b = transposedB ? transposedB : transpose(b);
  // alpha scales the (usually constant) weight so the product stays one gemm.
  b = scale(b, attrFloat(node, "alpha", 1.0f));
  Value c;
  if (hasInput(node, 2)) {
    c = input(node, 2);
    if (!c)
      return failure();
    c = scale(c, attrFloat(node, "beta", 1.0f));
  }
  auto op = GemmOp::create(builder, loc, *outType, a, b, c, nullptr);
  return define(node, 0, op);
}

LogicalResult ONNXImporter::importMatMul(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value a = input(node, 0), b = input(node, 1);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!a || !b || failed(outType))
    return failure();
  auto aType = cast<RankedTensorType>(a.getType());
  auto bType = cast<RankedTensorType>(b.getType());
  // numpy promotes 1-D operands to matrices and drops the added dimension.
  auto promote = [&](Value v, RankedTensorType t, bool asRow) -> Value {
    if (t.getRank() != 1)
      return v;
    SmallVector<int64_t> shape = asRow
                                     ? SmallVector<int64_t>{1, t.getDimSize(0)}
                                     : SmallVector<int64_t>{t.getDimSize(0), 1};
    return builder.createOrFold<ReshapeOp>(
        loc, RankedTensorType::get(shape, t.getElementType()), v);
  };
  Value lhs = promote(a, aType, /*asRow=*/true);
  Value rhs = promote(b, bType, /*asRow=*/false);
  if (lhs == a && rhs == b) {
    auto op = MatmulOp::create(builder, loc, *outType, a, b, nullptr);
    return define(node, 0, op);
  }
  auto lt = cast<RankedTensorType>(lhs.getType());
  auto rt = cast<RankedTensorType>(rhs.getType());
  SmallVector<int64_t> batch;
  ArrayRef<int64_t> lb = lt.getShape().drop_back(2),
                    rb = rt.getShape().drop_back(2);
  batch.append(lb.size() >= rb.size() ? lb.begin() : rb.begin(),
               lb.size() >= rb.size() ? lb.end() : rb.end());
  batch.push_back(lt.getDimSize(lt.getRank() - 2));
  batch.push_back(rt.getDimSize(rt.getRank() - 1));
  Value product = MatmulOp::create(
      builder, loc, RankedTensorType::get(batch, outType->getElementType()),
      lhs, rhs, nullptr);
  return define(node, 0,
                builder.createOrFold<ReshapeOp>(loc, *outType, product));
}

//===----------------------------------------------------------------------===//
// Normalization and pooling
//===----------------------------------------------------------------------===//

LogicalResult ONNXImporter::importBatchNorm(const onnx::NodeProto &node) {
  if (attrInt(node, "training_mode", 0) || failed(checkOutputs(node, 1)))
    return nodeError(node) << "only inference batch normalization is "
                              "supported (training_mode = 0, one output)";
  SmallVector<Value> in;
  for (int i = 0; i < 5; ++i)
    if (!in.emplace_back(input(node, i)))
      return failure();
  auto op = BatchNormOp::create(
      builder, nodeLoc(node), in[0].getType(), in[0], in[1], in[2], in[3],
      in[4], builder.getF32FloatAttr(attrFloat(node, "epsilon", 1e-5f)));
  return define(node, 0, op);
}

LogicalResult ONNXImporter::importPool(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value x = input(node, 0);
  // MaxPool's second output is its Indices (cim.max_pool_indices).
  bool isMax = node.op_type() == "MaxPool";
  if (!x || failed(checkOutputs(node, isMax ? 2 : 1)))
    return failure();
  auto xType = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> kernel = attrInts(node, "kernel_shape");
  if (xType.getRank() == 5 && kernel.size() == 3)
    return importPool3D(node, x, kernel);
  bool lifted = xType.getRank() == 3 && kernel.size() == 1;
  if (!lifted && (xType.getRank() != 4 || kernel.size() != 2))
    return nodeError(node) << "only 1-D, 2-D and 3-D pooling over NCW, NCHW "
                              "or NCDHW is supported";
  if (lifted) {
    x = liftTo2D(loc, x);
    xType = cast<RankedTensorType>(x.getType());
    kernel = lift1DAttr(kernel, 1);
  }
  FailureOr<Window2D> window = window2D(node, xType, kernel, lifted);
  if (failed(window))
    return failure();
  auto [strides, dilations, pads, poolType] = *window;
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(outType))
    return failure();
  bool ceilMode = attrInt(node, "ceil_mode", 0);
  Value result;
  if (isMax) {
    if (failed(importPoolIndices(node, x, kernel, strides, pads, dilations,
                                 ceilMode, lifted)))
      return failure();
    result = MaxPool2dOp::create(
        builder, loc, poolType, x, builder.getDenseI64ArrayAttr(kernel),
        builder.getDenseI64ArrayAttr(strides),
        builder.getDenseI64ArrayAttr(pads),
        builder.getDenseI64ArrayAttr(dilations), builder.getBoolAttr(ceilMode));
  } else {
    if (llvm::any_of(dilations, [](int64_t d) { return d != 1; }))
      return nodeError(node) << "dilated average pooling is not supported";
    result = AvgPool2dOp::create(
        builder, loc, poolType, x, builder.getDenseI64ArrayAttr(kernel),
        builder.getDenseI64ArrayAttr(strides),
        builder.getDenseI64ArrayAttr(pads), builder.getBoolAttr(ceilMode),
        builder.getBoolAttr(attrInt(node, "count_include_pad", 0)));
  }
  if (lifted)
    result = ReshapeOp::create(builder, loc, *outType, result);
  return define(node, 0, result);
}

LogicalResult ONNXImporter::importPoolIndices(const onnx::NodeProto &node,
                                              Value x, ArrayRef<int64_t> kernel,
                                              ArrayRef<int64_t> strides,
                                              ArrayRef<int64_t> pads,
                                              ArrayRef<int64_t> dilations,
                                              bool ceilMode, bool lifted) {
  if (node.output_size() < 2 || node.output(1).empty())
    return success();
  int64_t storageOrder = attrInt(node, "storage_order", 0);
  if (storageOrder != 0 && storageOrder != 1)
    return nodeError(node) << "expected storage_order 0 (row major) or 1 "
                              "(column major), got "
                           << storageOrder;
  FailureOr<RankedTensorType> outType = outputType(node, 1);
  if (failed(outType))
    return failure();
  if (!outType->getElementType().isInteger(64))
    return nodeError(node) << "expected int64 indices, got " << *outType;
  // A 1-D pool runs lifted to [N, C, 1, W]; with a height of 1 both storage
  // orders number the positions as the 1-D pool does.
  RankedTensorType type = *outType;
  if (lifted) {
    SmallVector<int64_t> shape(outType->getShape());
    shape.insert(shape.begin() + 2, 1);
    type = withShape(*outType, shape);
  }
  Location loc = nodeLoc(node);
  Value indices = MaxPoolIndicesOp::create(
      builder, loc, type, x, builder.getDenseI64ArrayAttr(kernel),
      builder.getDenseI64ArrayAttr(strides), builder.getDenseI64ArrayAttr(pads),
      builder.getDenseI64ArrayAttr(dilations), builder.getBoolAttr(ceilMode),
      builder.getBoolAttr(storageOrder == 1));
  if (lifted)
    indices = ReshapeOp::create(builder, loc, *outType, indices);
  return define(node, 1, indices);
}

LogicalResult ONNXImporter::importMaxUnpool(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value x = input(node, 0), indices = input(node, 1);
  if (!x || !indices || failed(checkOutputs(node, 1)))
    return failure();
  RankedTensorType xType = typeOf(x), iType = typeOf(indices);
  int64_t rank = xType.getRank(), k = rank - 2;
  if (rank < 3 || rank > 5 || !isa<FloatType>(xType.getElementType()) ||
      !xType.hasStaticShape())
    return nodeError(node) << "expected a static float input of rank 3 to 5, "
                              "got "
                           << xType;
  if (iType != RankedTensorType::get(xType.getShape(), builder.getI64Type()))
    return nodeError(node) << "expected int64 indices of the input's shape, "
                              "got "
                           << iType;
  SmallVector<int64_t> kernel = attrInts(node, "kernel_shape");
  SmallVector<int64_t> strides =
      attrInts(node, "strides", SmallVector<int64_t>(k, 1));
  SmallVector<int64_t> pads =
      attrInts(node, "pads", SmallVector<int64_t>(2 * k, 0));
  if (int64_t(kernel.size()) != k || int64_t(strides.size()) != k ||
      int64_t(pads.size()) != 2 * k)
    return nodeError(node) << "expected " << k << " kernel_shape and strides "
                           << "entries and " << 2 * k << " pads";
  if (llvm::any_of(kernel, [](int64_t v) { return v < 1; }) ||
      llvm::any_of(strides, [](int64_t v) { return v < 1; }) ||
      llvm::any_of(pads, [](int64_t v) { return v < 0; }))
    return nodeError(node) << "expected a positive kernel_shape and strides "
                              "and non-negative pads";
  Value shape;
  FailureOr<RankedTensorType> outType = failure();
  if (hasInput(node, 2)) {
    if (!(shape = input(node, 2)))
      return failure();
    RankedTensorType sType = typeOf(shape);
    if (sType.getRank() != 1 || sType.getDimSize(0) != rank ||
        !sType.getElementType().isInteger(64))
      return nodeError(node) << "expected an int64 output_shape of " << rank
                             << " elements, got " << sType;
    // ONNX's output_shape settles the size, so pads no longer count.
    pads.assign(2 * k, 0);
    outType = declaredOutputType(node, 0);
    if (failed(outType))
      return failure();
    // A constant is checked now; cim-run checks one computed at run time.
    if (std::optional<SmallVector<int64_t>> values = intsOf(shape))
      if (ArrayRef<int64_t>(*values) != outType->getShape())
        return nodeError(node)
               << "output_shape does not match the output " << *outType;
  } else {
    outType = outputType(node, 0);
    if (failed(outType))
      return failure();
  }
  if (outType->getRank() != rank ||
      outType->getElementType() != xType.getElementType() ||
      outType->getDimSize(0) != xType.getDimSize(0) ||
      outType->getDimSize(1) != xType.getDimSize(1))
    return nodeError(node) << "unexpected output type " << *outType;
  for (int64_t i = 0; i < k; ++i) {
    int64_t unpooled = (xType.getDimSize(2 + i) - 1) * strides[i] - pads[i] -
                       pads[k + i] + kernel[i];
    int64_t got = outType->getDimSize(2 + i);
    if (unpooled < 1 || (hasInput(node, 2) ? got < unpooled : got != unpooled))
      return nodeError(node)
             << "output " << *outType << " does not fit the unpooled size "
             << unpooled << " of spatial axis " << i;
  }
  return define(node, 0,
                MaxUnpoolOp::create(builder, loc, *outType, x, indices, shape,
                                    builder.getDenseI64ArrayAttr(kernel),
                                    builder.getDenseI64ArrayAttr(strides),
                                    builder.getDenseI64ArrayAttr(pads)));
}

LogicalResult
ONNXImporter::importGlobalAveragePool(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!x || failed(outType))
    return failure();
  if (cast<RankedTensorType>(x.getType()).getRank() != 4)
    return nodeError(node) << "only 2-D global pooling (NCHW) is supported";
  return define(node, 0,
                GlobalAvgPool2dOp::create(builder, nodeLoc(node), *outType, x));
}

LogicalResult ONNXImporter::importSoftmax(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  if (!x)
    return failure();
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  int64_t axis = attrInt(node, "axis", opset < 13 ? 1 : -1);
  if (axis < 0)
    axis += rank;
  // Before opset 13 Softmax flattened from `axis` on; same thing only when
  // the axis is the last one.
  if (opset < 13 && axis != rank - 1)
    return nodeError(node) << "opset " << opset << " Softmax over axes " << axis
                           << ".. of a rank-" << rank
                           << " tensor is not supported (only the last axis)";
  return define(node, 0,
                SoftmaxOp::create(builder, nodeLoc(node), x.getType(), x,
                                  builder.getI64IntegerAttr(axis)));
}

LogicalResult ONNXImporter::importLayerNorm(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value x = input(node, 0), scale = input(node, 1);
  if (!x || !scale || failed(checkOutputs(node, 3)))
    return failure();
  Value bias = hasInput(node, 2) ? input(node, 2) : Value();
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank(), axis = attrInt(node, "axis", -1);
  float epsilon = attrFloat(node, "epsilon", 1e-5f);
  if (axis < -rank || axis >= rank)
    return nodeError(node) << "axis " << axis << " is out of range for rank "
                           << rank;
  if (axis < 0)
    axis += rank;
  (void)define(node, 0,
               LayerNormOp::create(builder, loc, x.getType(), x, scale, bias,
                                   builder.getI64IntegerAttr(axis),
                                   builder.getF32FloatAttr(epsilon)));
  bool wantMean = node.output_size() > 1 && !node.output(1).empty();
  bool wantInvStdDev = node.output_size() > 2 && !node.output(2).empty();
  if (!wantMean && !wantInvStdDev)
    return success();
  // The optional statistics: mean and 1/sqrt(var + epsilon) over the
  // normalized axes, kept as size-1 dimensions (ONNX's shapes).
  if (!type.getElementType().isF32())
    return nodeError(node) << "the Mean/InvStdDev outputs need a float32 "
                              "input, got "
                           << x.getType();
  SmallVector<int64_t> axes, statShape(type.getShape());
  for (int64_t i = axis; i < rank; ++i) {
    axes.push_back(i);
    statShape[i] = 1;
  }
  auto statType = RankedTensorType::get(statShape, type.getElementType());
  auto mean = [&](Value v) -> Value {
    return ReduceMeanOp::create(builder, loc, statType, v,
                                builder.getDenseI64ArrayAttr(axes),
                                builder.getBoolAttr(true));
  };
  Value mu = mean(x);
  Value centered = SubOp::create(builder, loc, type, x, mu);
  Value variance = mean(MulOp::create(builder, loc, type, centered, centered));
  auto scalar = RankedTensorType::get({}, type.getElementType());
  Value eps = constant(loc, DenseElementsAttr::get(scalar, epsilon));
  Value invStdDev = ReciprocalOp::create(
      builder, loc,
      SqrtOp::create(builder, loc,
                     AddOp::create(builder, loc, statType, variance, eps)));
  if (wantMean)
    (void)define(node, 1, mu);
  if (wantInvStdDev)
    (void)define(node, 2, invStdDev);
  return success();
}
