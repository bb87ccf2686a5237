//===- ImportNormalization.cpp - Normalizations composed of graph ops -----===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// ONNX's remaining normalizations, written with the graph level's own ops
// (reductions, elementwise arithmetic, pad and pooling) so that nothing new
// needs a kernel: InstanceNormalization, MeanVarianceNormalization,
// LpNormalization, LRN and GlobalMaxPool; EyeLike folds to a constant.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::onnx_import;

/// A float scalar constant of `v`'s element type.
Value ONNXImporter::scalarLike(Location loc, Value v, double value) {
  auto elementType = cast<FloatType>(typeOf(v).getElementType());
  APFloat f(value);
  bool lost;
  f.convert(elementType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
            &lost);
  return constant(loc,
                  DenseElementsAttr::get(RankedTensorType::get({}, elementType),
                                         ArrayRef<APFloat>(f)));
}

/// (x - mean) / sqrt(var + epsilon) over `axes`, kept as size-1 dims.
Value ONNXImporter::standardize(Location loc, Value x, ArrayRef<int64_t> axes,
                                double epsilon) {
  RankedTensorType type = typeOf(x);
  SmallVector<int64_t> statShape(type.getShape());
  for (int64_t a : axes)
    statShape[a] = 1;
  auto statType = RankedTensorType::get(statShape, type.getElementType());
  auto mean = [&](Value v) -> Value {
    return ReduceMeanOp::create(builder, loc, statType, v,
                                builder.getDenseI64ArrayAttr(axes),
                                builder.getBoolAttr(true));
  };
  Value centered = SubOp::create(builder, loc, type, x, mean(x));
  Value variance = mean(MulOp::create(builder, loc, type, centered, centered));
  Value stddev = SqrtOp::create(builder, loc,
                                AddOp::create(builder, loc, statType, variance,
                                              scalarLike(loc, x, epsilon)));
  return DivOp::create(builder, loc, type, centered, stddev);
}

LogicalResult ONNXImporter::importNormalization(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value x = input(node, 0);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!x || failed(outType) || failed(checkOutputs(node, 1)))
    return failure();
  RankedTensorType type = typeOf(x);
  int64_t rank = type.getRank();
  StringRef op = node.op_type();
  if (op == "EyeLike") {
    if (rank != 2)
      return nodeError(node) << "expected a 2-D input, got " << x.getType();
    int64_t k = attrInt(node, "k", 0), rows = outType->getDimSize(0),
            cols = outType->getDimSize(1);
    Type elementType = outType->getElementType();
    if (isa<FloatType>(elementType)) {
      SmallVector<APFloat> values;
      auto semantics = &cast<FloatType>(elementType).getFloatSemantics();
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c)
          values.push_back(c - r == k ? APFloat::getOne(*semantics)
                                      : APFloat::getZero(*semantics));
      return define(node, 0,
                    constant(loc, DenseElementsAttr::get(*outType, values)));
    }
    SmallVector<APInt> values;
    unsigned width = elementType.getIntOrFloatBitWidth();
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        values.push_back(APInt(width, c - r == k ? 1 : 0));
    return define(node, 0,
                  constant(loc, DenseElementsAttr::get(*outType, values)));
  }
  if (!isa<FloatType>(type.getElementType()))
    return nodeError(node) << "expected a floating-point input, got "
                           << x.getType();
  SmallVector<int64_t> spatial;
  for (int64_t d = 2; d < rank; ++d)
    spatial.push_back(d);
  if (op == "GlobalMaxPool") {
    if (rank < 3)
      return nodeError(node) << "expected an input of rank 3 or more";
    return define(
        node, 0,
        ReduceOp::create(builder, loc, *outType,
                         ReduceKindAttr::get(context, ReduceKind::max), x,
                         builder.getDenseI64ArrayAttr(spatial),
                         builder.getBoolAttr(true)));
  }
  if (op == "InstanceNormalization") {
    Value scale = input(node, 1), bias = input(node, 2);
    if (!scale || !bias)
      return failure();
    if (rank < 3)
      return nodeError(node) << "expected an input of rank 3 or more";
    // scale and bias are per channel: [C] -> [C, 1, ..., 1].
    SmallVector<int64_t> channelShape(rank - 1, 1);
    channelShape[0] = type.getDimSize(1);
    auto channelType = [&](Value v) {
      return RankedTensorType::get(channelShape, typeOf(v).getElementType());
    };
    Value y = standardize(loc, x, spatial, attrFloat(node, "epsilon", 1e-5f));
    y = MulOp::create(
        builder, loc, type, y,
        builder.createOrFold<ReshapeOp>(loc, channelType(scale), scale));
    y = AddOp::create(
        builder, loc, type, y,
        builder.createOrFold<ReshapeOp>(loc, channelType(bias), bias));
    return define(node, 0, y);
  }
  if (op == "MeanVarianceNormalization") {
    SmallVector<int64_t> axes = attrInts(node, "axes", {0, 2, 3});
    for (int64_t &a : axes) {
      if (a < -rank || a >= rank)
        return nodeError(node)
               << "axis " << a << " is out of range for rank " << rank;
      if (a < 0)
        a += rank;
    }
    // ONNX's function body divides by sqrt(var) + 1e-9; as epsilon inside
    // the root it differs far below the test tolerance.
    return define(node, 0, standardize(loc, x, axes, 0.0));
  }
  if (op == "LpNormalization") {
    int64_t axis = attrInt(node, "axis", -1), p = attrInt(node, "p", 2);
    if (axis < -rank || axis >= rank)
      return nodeError(node)
             << "axis " << axis << " is out of range for rank " << rank;
    if (p != 1 && p != 2)
      return nodeError(node) << "p must be 1 or 2, got " << p;
    if (axis < 0)
      axis += rank;
    SmallVector<int64_t> normShape(type.getShape());
    normShape[axis] = 1;
    Value norm = ReduceOp::create(
        builder, loc, RankedTensorType::get(normShape, type.getElementType()),
        ReduceKindAttr::get(context, p == 1 ? ReduceKind::l1 : ReduceKind::l2),
        x, builder.getDenseI64ArrayAttr({axis}), builder.getBoolAttr(true));
    return define(node, 0, DivOp::create(builder, loc, type, x, norm));
  }
  // LRN: y = x / (bias + alpha / size * sum of x^2 over the channel window
  // [c - floor((size-1)/2), c + ceil((size-1)/2)])^beta, as an average pool
  // of x^2 over channels (the padded zeros count: count_include_pad).
  if (rank != 4)
    return nodeError(node) << "LRN is supported on NCHW inputs";
  int64_t size = attrInt(node, "size", 0);
  if (size < 1)
    return nodeError(node) << "size must be positive, got " << size;
  float alpha = attrFloat(node, "alpha", 1e-4f),
        beta = attrFloat(node, "beta", 0.75f),
        bias = attrFloat(node, "bias", 1.0f);
  int64_t n = type.getDimSize(0), c = type.getDimSize(1),
          hw = type.getDimSize(2) * type.getDimSize(3);
  int64_t before = (size - 1) / 2, after = size - 1 - before;
  Type f = type.getElementType();
  Value square = MulOp::create(builder, loc, type, x, x);
  Value planes = builder.createOrFold<ReshapeOp>(
      loc, RankedTensorType::get({n, 1, c, hw}, f), square);
  Value padded = PadOp::create(
      builder, loc, RankedTensorType::get({n, 1, c + size - 1, hw}, f), planes,
      builder.getDenseI64ArrayAttr({0, 0, before, 0, 0, 0, after, 0}),
      PadModeAttr::get(context, PadMode::constant),
      builder.getF32FloatAttr(0.0f));
  Value average = AvgPool2dOp::create(
      builder, loc, RankedTensorType::get({n, 1, c, hw}, f), padded,
      builder.getDenseI64ArrayAttr({size, 1}),
      builder.getDenseI64ArrayAttr({1, 1}),
      builder.getDenseI64ArrayAttr({0, 0, 0, 0}), builder.getBoolAttr(false),
      builder.getBoolAttr(true));
  Value sum = builder.createOrFold<ReshapeOp>(loc, type, average);
  // bias + alpha * average (alpha / size * sum = alpha * average).
  Value scaled = AddOp::create(
      builder, loc, type,
      MulOp::create(builder, loc, type, sum, scalarLike(loc, x, alpha)),
      scalarLike(loc, x, bias));
  Value denominator =
      PowOp::create(builder, loc, type, scaled, scalarLike(loc, x, beta));
  return define(node, 0, DivOp::create(builder, loc, type, x, denominator));
}
