//===- ImportQuantize.cpp - QuantizeLinear and DequantizeLinear
//-------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// ONNX QDQ pairs into cim.quantize / cim.dequantize.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::onnx_import;

LogicalResult ONNXImporter::importQuantize(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value x = input(node, 0), scaleValue = input(node, 1);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!x || !scaleValue || failed(outType))
    return failure();
  Value zeroValue = hasInput(node, 2) ? input(node, 2) : Value();
  if (hasInput(node, 2) && !zeroValue)
    return failure();
  if (!constantOf(scaleValue) || (zeroValue && !constantOf(zeroValue)))
    return importDynamicQuantize(node, x, *outType, scaleValue, zeroValue);
  DenseElementsAttr scale = constantOf(scaleValue);
  if (!isa<FloatType>(scale.getElementType()))
    return nodeError(node) << "the scale must be a float tensor";
  SmallVector<float> scales;
  for (const APFloat &s : scale.getValues<APFloat>())
    scales.push_back(s.convertToFloat());
  SmallVector<int64_t> zeroPoints(scales.size(), 0);
  if (hasInput(node, 2)) {
    std::optional<SmallVector<int64_t>> z = intsOf(input(node, 2));
    if (!z || z->size() != scales.size())
      return nodeError(node) << "the zero point must be a constant integer "
                                "tensor with one entry per scale";
    zeroPoints = *z;
  }
  std::optional<int64_t> axis;
  if (scale.getType().getRank() == 1 && scales.size() > 1)
    axis = attrInt(node, "axis", 1);
  bool quantize = node.op_type() == "QuantizeLinear";
  auto intType = quantize ? *outType : cast<RankedTensorType>(x.getType());
  if (!isa<IntegerType>(intType.getElementType()) ||
      intType.getElementType().getIntOrFloatBitWidth() != 8)
    return nodeError(node) << "only int8 and uint8 quantization is supported, "
                              "got "
                           << intType;
  auto bits = builder.getI64IntegerAttr(8);
  auto axisAttr = axis ? builder.getI64IntegerAttr(*axis) : IntegerAttr();
  Value result;
  if (quantize)
    result = QuantizeOp::create(
        builder, loc, *outType, x, builder.getDenseF32ArrayAttr(scales),
        builder.getDenseI64ArrayAttr(zeroPoints), axisAttr, bits);
  else
    result = DequantizeOp::create(
        builder, loc, *outType, x, builder.getDenseF32ArrayAttr(scales),
        builder.getDenseI64ArrayAttr(zeroPoints), axisAttr, bits);
  return define(node, 0, result);
}

/// Scale or zero point known only at run time (the full range of the
/// integer type is used, as ONNX does).
LogicalResult ONNXImporter::importDynamicQuantize(const onnx::NodeProto &node,
                                                  Value x,
                                                  RankedTensorType outType,
                                                  Value scale, Value zero) {
  Location loc = nodeLoc(node);
  bool quantize = node.op_type() == "QuantizeLinear";
  RankedTensorType intType = quantize ? outType : typeOf(x);
  RankedTensorType scaleType = typeOf(scale);
  if (!isa<IntegerType>(intType.getElementType()) ||
      !isa<FloatType>(scaleType.getElementType()) || scaleType.getRank() > 1)
    return nodeError(node) << "expected a float scale of rank 0 or 1 and an "
                              "integer "
                           << (quantize ? "output" : "input") << ", got "
                           << scale.getType() << " and " << intType;
  if (!zero) {
    auto zeroType = RankedTensorType::get({}, intType.getElementType());
    zero = constant(
        loc, DenseElementsAttr::get(
                 zeroType, IntegerAttr::get(intType.getElementType(), 0)));
  }
  IntegerAttr axis;
  if (scaleType.getRank() == 1 && scaleType.getDimSize(0) != 1)
    axis = builder.getI64IntegerAttr(attrInt(node, "axis", 1));
  if (quantize)
    return define(
        node, 0,
        DynamicQuantizeOp::create(builder, loc, outType, x, scale, zero, axis));
  return define(
      node, 0,
      DynamicDequantizeOp::create(builder, loc, outType, x, scale, zero, axis));
}

/// DynamicQuantizeLinear, composed as ONNX defines it: a uint8 scale and
/// zero point from the range of x extended to include 0,
///   scale = (max(x, 0) - min(x, 0)) / 255,
///   zero_point = saturate(round(-min(x, 0) / scale)),
/// then QuantizeLinear with them.
LogicalResult
ONNXImporter::importDynamicQuantizeLinear(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value x = input(node, 0);
  if (!x)
    return failure();
  RankedTensorType xType = typeOf(x);
  if (!xType.getElementType().isF32())
    return nodeError(node) << "expected a float32 input, got " << xType;
  auto scalar = RankedTensorType::get({}, xType.getElementType());
  auto u8 = RankedTensorType::get({}, builder.getIntegerType(8, false));
  auto splat = [&](float v) {
    return constant(loc, DenseElementsAttr::get(scalar, v));
  };
  auto reduceAll = [&](ReduceKind kind) -> Value {
    return ReduceOp::create(
        builder, loc, scalar, ReduceKindAttr::get(context, kind), x,
        builder.getDenseI64ArrayAttr({}), builder.getBoolAttr(false));
  };
  Value zero = splat(0.0f);
  Value hi =
      MaxOp::create(builder, loc, scalar, reduceAll(ReduceKind::max), zero);
  Value lo =
      MinOp::create(builder, loc, scalar, reduceAll(ReduceKind::min), zero);
  Value scale =
      DivOp::create(builder, loc, scalar,
                    SubOp::create(builder, loc, scalar, hi, lo), splat(255.0f));
  Value zp =
      DivOp::create(builder, loc, scalar,
                    SubOp::create(builder, loc, scalar, zero, lo), scale);
  zp = RoundOp::create(builder, loc, scalar, zp);
  zp = ClipOp::create(builder, loc, scalar, zp, builder.getF32FloatAttr(0.0f),
                      builder.getF32FloatAttr(255.0f));
  zp = CastOp::create(builder, loc, u8, zp);
  auto yType = RankedTensorType::get(xType.getShape(), u8.getElementType());
  Value y = DynamicQuantizeOp::create(builder, loc, yType, x, scale, zp,
                                      IntegerAttr());
  if (failed(define(node, 0, y)))
    return failure();
  if (node.output_size() > 1 && failed(define(node, 1, scale)))
    return failure();
  if (node.output_size() > 2 && failed(define(node, 2, zp)))
    return failure();
  return success();
}
