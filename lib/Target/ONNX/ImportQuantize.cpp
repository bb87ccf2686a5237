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

//===----------------------------------------------------------------------===//
// Integer products: MatMulInteger, ConvInteger, QLinearMatMul, QLinearConv
//===----------------------------------------------------------------------===//

/// `v - zero` as int32 codes. A zero point (or a scale, for `perAxis`) with
/// one entry per slice along `axis` is reshaped to broadcast along it.
Value ONNXImporter::alongAxis(Location loc, Value v, int64_t axis,
                              int64_t rank) {
  RankedTensorType type = typeOf(v);
  if (type.getRank() != 1 || type.getDimSize(0) == 1)
    return v;
  SmallVector<int64_t> shape(rank - axis, 1);
  shape[0] = type.getDimSize(0);
  return builder.createOrFold<ReshapeOp>(
      loc, RankedTensorType::get(shape, type.getElementType()), v);
}

Value ONNXImporter::zeroCorrected(Location loc, Value v, Value zero,
                                  int64_t axis) {
  RankedTensorType type = typeOf(v);
  Type i32 = builder.getI32Type();
  auto wide = RankedTensorType::get(type.getShape(), i32);
  Value codes = builder.createOrFold<CastOp>(loc, wide, v);
  if (!zero)
    return codes;
  zero = alongAxis(loc, zero, axis, type.getRank());
  RankedTensorType zType = typeOf(zero);
  zero = builder.createOrFold<CastOp>(
      loc, RankedTensorType::get(zType.getShape(), i32), zero);
  return SubOp::create(builder, loc, wide, codes, zero);
}

/// The integer product of a MatMulInteger/QLinearMatMul or
/// ConvInteger/QLinearConv node, in int32: `x`, `w` and their zero points
/// at the given input indices (-1: none).
FailureOr<Value> ONNXImporter::integerProduct(const onnx::NodeProto &node,
                                              int xi, int xzi, int wi,
                                              int wzi) {
  Location loc = nodeLoc(node);
  auto optional = [&](int i) -> FailureOr<Value> {
    if (i < 0 || !hasInput(node, i))
      return Value();
    Value v = input(node, i);
    if (!v)
      return failure();
    return v;
  };
  Value x = input(node, xi), w = input(node, wi);
  FailureOr<Value> xz = optional(xzi), wz = optional(wzi);
  if (!x || !w || failed(xz) || failed(wz))
    return failure();
  for (Value v : {x, w, *xz, *wz})
    if (v && !isa<IntegerType>(typeOf(v).getElementType()))
      return nodeError(node) << "expected 8-bit integer operands and zero "
                                "points, got "
                             << v.getType(),
             failure();
  bool conv = StringRef(node.op_type()).contains("Conv");
  RankedTensorType xType = typeOf(x), wType = typeOf(w);
  if (conv && (xType.getRank() != 4 || wType.getRank() != 4))
    return nodeError(node) << "only 2-D integer convolutions are supported, "
                              "got "
                           << xType << " and " << wType,
           failure();
  if (!conv && (xType.getRank() < 2 || wType.getRank() < 2))
    return nodeError(node) << "expected operands of rank >= 2", failure();
  // Per-row zero points of a (axis -2), per-column of b (last axis), per
  // output channel of a convolution's weight (axis 0).
  Value xc = zeroCorrected(loc, x, *xz, conv ? 1 : xType.getRank() - 2);
  Value wc = zeroCorrected(loc, w, *wz, conv ? 0 : wType.getRank() - 1);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(outType))
    return failure();
  auto accType =
      RankedTensorType::get(outType->getShape(), builder.getI32Type());
  if (!conv)
    return Value(MatmulOp::create(builder, loc, accType, xc, wc,
                                  /*precision=*/nullptr));
  FailureOr<Window2D> window =
      window2D(node, xType, {wType.getDimSize(2), wType.getDimSize(3)}, false);
  if (failed(window))
    return failure();
  return Value(
      Conv2dOp::create(builder, loc, accType, xc, wc, /*bias=*/Value(),
                       builder.getDenseI64ArrayAttr(window->strides),
                       builder.getDenseI64ArrayAttr(window->pads),
                       builder.getDenseI64ArrayAttr(window->dilations),
                       builder.getI64IntegerAttr(attrInt(node, "group", 1)),
                       /*precision=*/nullptr));
}

LogicalResult ONNXImporter::importIntegerProduct(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  StringRef type = node.op_type();
  if (type == "MatMulInteger" || type == "ConvInteger") {
    FailureOr<Value> acc = integerProduct(node, 0, 2, 1, 3);
    if (failed(acc) || failed(checkOutputs(node, 1)))
      return failure();
    return define(node, 0, *acc);
  }
  // QLinearMatMul (a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp) and
  // QLinearConv (x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, [B]):
  // the integer product (plus the int32 bias) rescaled by
  // a_scale * b_scale, then quantized with y_scale and y_zp.
  FailureOr<Value> acc = integerProduct(node, 0, 2, 3, 5);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(acc) || failed(outType) || failed(checkOutputs(node, 1)))
    return failure();
  bool conv = type == "QLinearConv";
  RankedTensorType accType = typeOf(*acc);
  int64_t rank = accType.getRank();
  Value sum = *acc;
  if (conv && hasInput(node, 8)) {
    Value bias = input(node, 8);
    if (!bias)
      return failure();
    bias = alongAxis(loc, bias, 1, rank);
    sum = AddOp::create(builder, loc, accType, sum,
                        builder.createOrFold<CastOp>(
                            loc,
                            RankedTensorType::get(typeOf(bias).getShape(),
                                                  builder.getI32Type()),
                            bias));
  }
  Value xs = input(node, 1), ws = input(node, 4), ys = input(node, 6),
        yz = input(node, 7);
  if (!xs || !ws || !ys || !yz)
    return failure();
  auto fType = RankedTensorType::get(accType.getShape(), builder.getF32Type());
  Value real = builder.createOrFold<CastOp>(loc, fType, sum);
  // Per-row (matmul) / per-output-channel (conv) scales broadcast.
  xs = alongAxis(loc, xs, conv ? 1 : rank - 2, rank);
  ws = alongAxis(loc, ws, conv ? 1 : rank - 1, rank);
  real = MulOp::create(builder, loc, fType, real, xs);
  real = MulOp::create(builder, loc, fType, real, ws);
  if (typeOf(ys).getNumElements() != 1)
    return nodeError(node) << "expected a per-tensor output scale";
  return define(node, 0,
                DynamicQuantizeOp::create(builder, loc, *outType, real, ys, yz,
                                          IntegerAttr()));
}
