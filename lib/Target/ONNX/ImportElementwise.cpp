//===- ImportElementwise.cpp - Elementwise ops
//------------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Unary and binary elementwise ops and their integer folding.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::onnx_import;

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

/// numpy-broadcast evaluation of an integer binary op on constants (shape
/// arithmetic). Returns nullopt if the shapes do not broadcast simply.
static std::optional<SmallVector<int64_t>>
foldIntBinary(StringRef op, ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  size_t n = std::max(a.size(), b.size());
  if ((a.size() != n && a.size() != 1) || (b.size() != n && b.size() != 1))
    return std::nullopt;
  SmallVector<int64_t> result;
  for (size_t i = 0; i < n; ++i) {
    int64_t x = a[a.size() == 1 ? 0 : i], y = b[b.size() == 1 ? 0 : i];
    if (op == "Add")
      result.push_back(x + y);
    else if (op == "Sub")
      result.push_back(x - y);
    else if (op == "Mul")
      result.push_back(x * y);
    else if (op == "Div" && y != 0)
      result.push_back(x / y);
    else
      return std::nullopt;
  }
  return result;
}

LogicalResult ONNXImporter::importBinary(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value a = input(node, 0), b = input(node, 1);
  if (!a || !b)
    return failure();
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(outType))
    return failure();
  if (isa<IntegerType>(outType->getElementType())) {
    std::optional<SmallVector<int64_t>> x = intsOf(a), y = intsOf(b);
    if (x && y)
      if (auto folded = foldIntBinary(node.op_type(), *x, *y))
        if (int64_t(folded->size()) == outType->getNumElements())
          return define(
              node, 0,
              constant(loc, DenseElementsAttr::get(
                                RankedTensorType::get(outType->getShape(),
                                                      builder.getI64Type()),
                                ArrayRef<int64_t>(*folded))));
  }
  // Pow's exponent may have another element type; a constant one converts.
  auto elementTypeOf = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getElementType();
  };
  if (elementTypeOf(b) != elementTypeOf(a)) {
    DenseElementsAttr attr = constantOf(b);
    if (!attr) {
      // Pow of mixed types (ONNX allows it): the exponent converts to the
      // base's type at run time.
      if (node.op_type() != "Pow")
        return nodeError(node)
               << "operands of different element types (" << elementTypeOf(a)
               << ", " << elementTypeOf(b) << ")";
      auto bType = cast<RankedTensorType>(b.getType());
      b = CastOp::create(builder, loc, bType.clone(elementTypeOf(a)), b);
      return define(node, 0, PowOp::create(builder, loc, *outType, a, b));
    }
    if (!isa<FloatType>(elementTypeOf(a)))
      return nodeError(node) << "operands of different element types ("
                             << elementTypeOf(a) << ", " << elementTypeOf(b)
                             << ") are only supported for a float lhs";
    auto floatType = cast<FloatType>(elementTypeOf(a));
    SmallVector<APFloat> converted;
    bool isUnsigned = attr.getElementType().isUnsignedInteger();
    if (isa<IntegerType>(attr.getElementType())) {
      for (const APInt &v : attr.getValues<APInt>())
        converted.push_back(APFloat(isUnsigned ? double(v.getZExtValue())
                                               : double(v.getSExtValue())));
    } else {
      for (APFloat v : attr.getValues<APFloat>())
        converted.push_back(v);
    }
    for (APFloat &v : converted) {
      bool lost;
      v.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &lost);
    }
    b = constant(
        loc, DenseElementsAttr::get(
                 RankedTensorType::get(attr.getType().getShape(), floatType),
                 converted));
  }
  StringRef type = node.op_type();
  Value result;
  if (type == "Add")
    result = AddOp::create(builder, loc, *outType, a, b);
  else if (type == "Sub")
    result = SubOp::create(builder, loc, *outType, a, b);
  else if (type == "Mul")
    result = MulOp::create(builder, loc, *outType, a, b);
  else if (type == "Div")
    result = DivOp::create(builder, loc, *outType, a, b);
  else
    result = PowOp::create(builder, loc, *outType, a, b);
  return define(node, 0, result);
}

LogicalResult ONNXImporter::importUnary(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value x = input(node, 0);
  if (!x)
    return failure();
  if (!isa<FloatType>(cast<RankedTensorType>(x.getType()).getElementType()))
    return nodeError(node) << "expected a floating-point input, got "
                           << x.getType();
  StringRef type = node.op_type();
  Value result;
  if (type == "Relu")
    result = ReluOp::create(builder, loc, x);
  else if (type == "Sigmoid")
    result = SigmoidOp::create(builder, loc, x);
  else if (type == "Tanh")
    result = TanhOp::create(builder, loc, x);
  else if (type == "Erf")
    result = ErfOp::create(builder, loc, x);
  else if (type == "Sqrt")
    result = SqrtOp::create(builder, loc, x);
  else if (type == "Exp")
    result = ExpOp::create(builder, loc, x);
  else
    result = HardSwishOp::create(builder, loc, x);
  return define(node, 0, result);
}

LogicalResult ONNXImporter::importLeakyRelu(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  if (!x)
    return failure();
  auto op = LeakyReluOp::create(
      builder, nodeLoc(node), x.getType(), x,
      builder.getF32FloatAttr(attrFloat(node, "alpha", 0.01f)));
  return define(node, 0, op);
}

LogicalResult ONNXImporter::importHardSigmoid(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  if (!x)
    return failure();
  auto op = HardSigmoidOp::create(
      builder, nodeLoc(node), x.getType(), x,
      builder.getF32FloatAttr(attrFloat(node, "alpha", 0.2f)),
      builder.getF32FloatAttr(attrFloat(node, "beta", 0.5f)));
  return define(node, 0, op);
}

LogicalResult ONNXImporter::importClip(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  if (!x)
    return failure();
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
  if (opset < 11) {
    lo = attrFloat(node, "min", lo);
    hi = attrFloat(node, "max", hi);
  } else {
    // Bounds computed at run time: max(x, lo) then min(., hi), which is
    // ONNX's Clip for any element type.
    bool runtimeBound = false;
    for (int i : {1, 2})
      if (hasInput(node, i))
        if (Value b = input(node, i); b && !constantOf(b))
          runtimeBound = true;
    if (runtimeBound) {
      Value result = x;
      for (int i : {1, 2}) {
        if (!hasInput(node, i))
          continue;
        Value bound = input(node, i);
        if (!bound || failed(sameElementTypes(node, result, bound)))
          return failure();
        result = i == 1 ? Value(MaxOp::create(builder, nodeLoc(node),
                                              x.getType(), result, bound))
                        : Value(MinOp::create(builder, nodeLoc(node),
                                              x.getType(), result, bound));
      }
      return define(node, 0, result);
    }
    for (int i : {1, 2}) {
      if (!hasInput(node, i))
        continue;
      DenseElementsAttr bound = constantOf(input(node, i));
      if (!bound || bound.getNumElements() != 1 ||
          !isa<FloatType>(bound.getElementType()))
        return nodeError(node) << "the " << (i == 1 ? "min" : "max")
                               << " bound must be a float scalar";
      float v = (*bound.getValues<APFloat>().begin()).convertToFloat();
      (i == 1 ? lo : hi) = v;
    }
  }
  if (lo > hi)
    return nodeError(node) << "min (" << lo << ") exceeds max (" << hi << ")";
  auto op =
      ClipOp::create(builder, nodeLoc(node), x.getType(), x,
                     builder.getF32FloatAttr(lo), builder.getF32FloatAttr(hi));
  return define(node, 0, op);
}
