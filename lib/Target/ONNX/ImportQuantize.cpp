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
  DenseElementsAttr scale = constantOf(scaleValue);
  if (!scale || !isa<FloatType>(scale.getElementType()))
    return nodeError(node) << "the scale must be a constant float tensor";
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
