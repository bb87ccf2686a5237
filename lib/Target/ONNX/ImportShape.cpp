//===- ImportShape.cpp - Layout ops and shape arithmetic
//--------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Layout ops (reshape, transpose, concat, split, pad) and the shape
// arithmetic that folds at import (Shape, Gather, Slice, Cast, Range).
//
//===----------------------------------------------------------------------===//

#include "Importer.h"
#include "cim/Dialect/Cim/ShapeRules.h"
#include "cim/Numerics/FloatingPoint.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::onnx_import;

//===----------------------------------------------------------------------===//
// Layout ops
//===----------------------------------------------------------------------===//

LogicalResult ONNXImporter::importFlatten(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!x || failed(outType))
    return failure();
  int64_t axis = attrInt(node, "axis", 1);
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  if (axis < -rank || axis > rank)
    return nodeError(node) << "axis " << axis << " is out of range for rank "
                           << rank;
  if (axis < 0)
    axis += rank;
  return define(node, 0,
                FlattenOp::create(builder, nodeLoc(node), *outType, x,
                                  builder.getI64IntegerAttr(axis)));
}

LogicalResult ONNXImporter::importReshapeLike(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!x || failed(outType))
    return failure();
  // The target shape is in the inferred type; folds for constants.
  return define(node, 0,
                builder.createOrFold<ReshapeOp>(nodeLoc(node), *outType, x));
}

LogicalResult ONNXImporter::importTranspose(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!x || failed(outType))
    return failure();
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  SmallVector<int64_t> perm = attrInts(node, "perm");
  if (perm.empty())
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  return define(
      node, 0,
      builder.createOrFold<TransposeOp>(nodeLoc(node), *outType, x,
                                        builder.getDenseI64ArrayAttr(perm)));
}

LogicalResult ONNXImporter::importConcat(const onnx::NodeProto &node) {
  SmallVector<Value> inputs;
  for (int i = 0; i < node.input_size(); ++i)
    if (!inputs.emplace_back(input(node, i)))
      return failure();
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(outType))
    return failure();
  // Shape arithmetic: concatenating constant integer vectors.
  if (outType->getRank() == 1 && isa<IntegerType>(outType->getElementType())) {
    SmallVector<int64_t> folded;
    bool allConstant = true;
    for (Value v : inputs) {
      std::optional<SmallVector<int64_t>> ints = intsOf(v);
      if (!ints) {
        allConstant = false;
        break;
      }
      folded.append(*ints);
    }
    if (allConstant)
      return define(
          node, 0,
          intConstant(nodeLoc(node), {int64_t(folded.size())}, folded));
  }
  return define(node, 0,
                builder.createOrFold<ConcatOp>(
                    nodeLoc(node), *outType, inputs,
                    builder.getI64IntegerAttr(attrInt(node, "axis", 0))));
}

LogicalResult ONNXImporter::importSplit(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  if (!x)
    return failure();
  SmallVector<Type> types;
  for (int i = 0; i < node.output_size(); ++i) {
    FailureOr<RankedTensorType> t = outputType(node, i);
    if (failed(t))
      return failure();
    types.push_back(*t);
  }
  auto op =
      SplitOp::create(builder, nodeLoc(node), types, x,
                      builder.getI64IntegerAttr(attrInt(node, "axis", 0)));
  for (int i = 0; i < node.output_size(); ++i)
    (void)define(node, i, op.getResult(i));
  return success();
}

LogicalResult ONNXImporter::importPad(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!x || failed(outType))
    return failure();
  SmallVector<int64_t> pads;
  float value = 0.0f;
  if (opset < 11) {
    pads = attrInts(node, "pads");
    value = attrFloat(node, "value", 0.0f);
  } else {
    if (hasInput(node, 3))
      return nodeError(node) << "the 'axes' input is not supported";
    Value padsValue = hasInput(node, 1) ? input(node, 1) : Value();
    if (!padsValue)
      return nodeError(node) << "expected the 'pads' input";
    Value valueInput = hasInput(node, 2) ? input(node, 2) : Value();
    if (hasInput(node, 2) && !valueInput)
      return failure();
    if (!constantOf(padsValue) || (valueInput && !constantOf(valueInput)))
      return importDynamicPad(node, x, *outType, padsValue, valueInput);
    std::optional<SmallVector<int64_t>> p = intsOf(padsValue);
    if (!p)
      return nodeError(node) << "pads must be an integer tensor";
    pads = *p;
    if (hasInput(node, 2)) {
      DenseElementsAttr v = constantOf(input(node, 2));
      if (!v || v.getNumElements() != 1 || !isa<FloatType>(v.getElementType()))
        return nodeError(node) << "constant_value must be a constant float "
                                  "scalar";
      value = (*v.getValues<APFloat>().begin()).convertToFloat();
    }
  }
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return nodeError(node) << "negative pads (cropping) are not supported";
  std::string mode = attrString(node, "mode", "constant");
  std::optional<PadMode> padMode = symbolizePadMode(mode);
  if (!padMode)
    return nodeError(node) << "unsupported pad mode '" << mode
                           << "' (expected constant, reflect or edge)";
  return define(node, 0,
                PadOp::create(builder, nodeLoc(node), *outType, x,
                              builder.getDenseI64ArrayAttr(pads),
                              PadModeAttr::get(context, *padMode),
                              builder.getF32FloatAttr(value)));
}

LogicalResult ONNXImporter::importIdentity(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  if (!x)
    return failure();
  // Inference-mode Dropout: its optional mask output is all true.
  if (node.op_type() == "Dropout" && node.output_size() > 1 &&
      !node.output(1).empty()) {
    auto maskType = RankedTensorType::get(
        cast<RankedTensorType>(x.getType()).getShape(), builder.getI1Type());
    (void)define(
        node, 1,
        constant(nodeLoc(node), DenseElementsAttr::get(maskType, true)));
    if (failed(checkOutputs(node, 2)))
      return failure();
    return define(node, 0, x);
  }
  if (failed(checkOutputs(node, 1)))
    return failure();
  return define(node, 0, x);
}

LogicalResult ONNXImporter::importIndexing(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value x = input(node, 0);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!x || failed(outType))
    return failure();
  StringRef type = node.op_type();
  if (type == "Expand")
    return define(node, 0, BroadcastOp::create(builder, loc, *outType, x));
  if (type == "Tile") {
    Value r = input(node, 1);
    if (!r)
      return failure();
    if (!constantOf(r)) // Known only at run time.
      return define(node, 0,
                    DynamicRepeatOp::create(builder, loc, *outType, x, r));
    std::optional<SmallVector<int64_t>> repeats = intsOf(r);
    if (!repeats)
      return nodeError(node) << "repeats must be an integer tensor";
    return define(node, 0,
                  RepeatOp::create(builder, loc, *outType, x,
                                   builder.getDenseI64ArrayAttr(*repeats)));
  }
  if (type == "IsNaN")
    return define(node, 0, IsNanOp::create(builder, loc, *outType, x));
  if (type == "IsInf")
    return define(
        node, 0,
        IsInfOp::create(
            builder, loc, *outType, x,
            builder.getBoolAttr(attrInt(node, "detect_positive", 1) != 0),
            builder.getBoolAttr(attrInt(node, "detect_negative", 1) != 0)));
  // GatherElements.
  Value indices = input(node, 1);
  if (!indices)
    return failure();
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  int64_t axis = attrInt(node, "axis", 0);
  if (axis < -rank || axis >= rank)
    return nodeError(node) << "axis " << axis << " is out of range for rank "
                           << rank;
  return define(node, 0,
                GatherElementsOp::create(builder, loc, *outType, x, indices,
                                         builder.getI64IntegerAttr(axis)));
}

//===----------------------------------------------------------------------===//
// Constants and shape arithmetic
//===----------------------------------------------------------------------===//

LogicalResult ONNXImporter::importConstant(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  if (const auto *a = attr(node, "value")) {
    FailureOr<DenseElementsAttr> value = tensorAttr(a->t());
    if (failed(value))
      return failure();
    return define(node, 0, constant(loc, *value));
  }
  if (const auto *a = attr(node, "value_float"))
    return define(
        node, 0,
        constant(loc,
                 DenseElementsAttr::get(
                     RankedTensorType::get({}, builder.getF32Type()), a->f())));
  if (const auto *a = attr(node, "value_floats")) {
    SmallVector<float> data(a->floats().begin(), a->floats().end());
    return define(
        node, 0,
        constant(loc, DenseElementsAttr::get(
                          RankedTensorType::get({int64_t(data.size())},
                                                builder.getF32Type()),
                          ArrayRef<float>(data))));
  }
  if (const auto *a = attr(node, "value_int"))
    return define(node, 0, intConstant(loc, {}, {a->i()}));
  if (const auto *a = attr(node, "value_ints")) {
    SmallVector<int64_t> data(a->ints().begin(), a->ints().end());
    return define(node, 0, intConstant(loc, {int64_t(data.size())}, data));
  }
  return nodeError(node) << "unsupported Constant form (expected value, "
                            "value_float(s) or value_int(s))";
}

LogicalResult ONNXImporter::importShape(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  if (!x)
    return failure();
  ArrayRef<int64_t> shape = cast<RankedTensorType>(x.getType()).getShape();
  int64_t rank = shape.size();
  int64_t start = attrInt(node, "start", 0), end = attrInt(node, "end", rank);
  start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
  end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
  SmallVector<int64_t> dims(shape.begin() + start,
                            shape.begin() + std::max(start, end));
  return define(node, 0,
                intConstant(nodeLoc(node), {int64_t(dims.size())}, dims));
}

LogicalResult ONNXImporter::importGather(const onnx::NodeProto &node) {
  Value data = input(node, 0), indices = input(node, 1);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!data || !indices || failed(outType))
    return failure();
  std::optional<SmallVector<int64_t>> d = intsOf(data), idx = intsOf(indices);
  auto dataType = cast<RankedTensorType>(data.getType());
  int64_t axis = attrInt(node, "axis", 0);
  if (!isa<IntegerType>(
          cast<RankedTensorType>(indices.getType()).getElementType()))
    return nodeError(node) << "indices must be integers, got "
                           << indices.getType();
  if (axis < -dataType.getRank() || axis >= dataType.getRank())
    return nodeError(node) << "axis " << axis << " is out of range for rank "
                           << dataType.getRank();
  if (!d || !idx || dataType.getRank() != 1) {
    // Data of any kind at run time (embedding lookups); constant indices
    // are checked here.
    if (idx) {
      int64_t size =
          dataType.getDimSize(axis < 0 ? axis + dataType.getRank() : axis);
      for (int64_t i : *idx)
        if (i < -size || i >= size)
          return nodeError(node) << "index " << i << " is out of range for "
                                 << size << " elements";
    }
    return define(node, 0,
                  GatherOp::create(builder, nodeLoc(node), *outType, data,
                                   indices, builder.getI64IntegerAttr(axis)));
  }
  SmallVector<int64_t> result;
  int64_t n = d->size();
  for (int64_t i : *idx) {
    if (i < -n || i >= n)
      return nodeError(node)
             << "index " << i << " is out of range for " << n << " elements";
    result.push_back((*d)[i < 0 ? i + n : i]);
  }
  return define(node, 0,
                intConstant(nodeLoc(node), outType->getShape(), result));
}

LogicalResult ONNXImporter::importSlice(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value data = input(node, 0);
  if (!data)
    return failure();
  auto dataType = cast<RankedTensorType>(data.getType());
  SmallVector<int64_t> starts, ends, axes, steps;
  SmallVector<Value> params;
  if (opset < 10) {
    starts = attrInts(node, "starts");
    ends = attrInts(node, "ends");
    axes = attrInts(node, "axes");
  } else {
    for (int i = 1; i <= 4; ++i) {
      params.push_back(hasInput(node, i) ? input(node, i) : Value());
      if (hasInput(node, i) && !params.back())
        return failure();
    }
    if (!params[0] || !params[1])
      return nodeError(node) << "expected the 'starts' and 'ends' inputs";
    if (llvm::any_of(params, [&](Value v) { return v && !constantOf(v); }))
      return importDynamicSlice(node, data, params);
    auto ints = [&](Value v, SmallVector<int64_t> &out) {
      if (!v)
        return true;
      std::optional<SmallVector<int64_t>> values = intsOf(v);
      if (values)
        out = *values;
      return values.has_value();
    };
    if (!ints(params[0], starts) || !ints(params[1], ends) ||
        !ints(params[2], axes) || !ints(params[3], steps))
      return nodeError(node) << "starts, ends, axes and steps must be "
                                "integer tensors";
  }
  llvm::Expected<shape::SliceBounds> bounds =
      shape::resolveSlice(dataType.getShape(), starts, ends, axes, steps);
  if (!bounds)
    return nodeError(node) << llvm::toString(bounds.takeError());
  auto resultType =
      RankedTensorType::get(bounds->sizes, dataType.getElementType());
  if (llvm::any_of(bounds->strides, [](int64_t s) { return s < 0; })) {
    // Negative steps on constant vectors (shape arithmetic) fold here.
    // On activations (a reflection pad's flip) they run as a slice with
    // run-time bounds, which walks backwards.
    std::optional<SmallVector<int64_t>> d = intsOf(data);
    if (!d || dataType.getRank() != 1) {
      if (params.empty())
        return nodeError(node) << "negative steps need opset 10 or later";
      return importDynamicSlice(node, data, params);
    }
    SmallVector<int64_t> result;
    for (int64_t k = 0; k < bounds->sizes[0]; ++k)
      result.push_back((*d)[bounds->offsets[0] + k * bounds->strides[0]]);
    return define(node, 0, intConstant(loc, bounds->sizes, result));
  }
  return define(node, 0,
                builder.createOrFold<SliceOp>(
                    loc, resultType, data,
                    builder.getDenseI64ArrayAttr(bounds->offsets),
                    builder.getDenseI64ArrayAttr(bounds->strides)));
}

/// Slice bounds known only at run time: missing axes and steps become
/// constants (0, 1, ... and ones) so the op always has all four.
LogicalResult ONNXImporter::importDynamicSlice(const onnx::NodeProto &node,
                                               Value data,
                                               ArrayRef<Value> params) {
  Location loc = nodeLoc(node);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(outType))
    return failure();
  auto startsType = typeOf(params[0]);
  if (startsType.getRank() != 1 || !startsType.hasStaticShape())
    return nodeError(node) << "starts must be a 1-D tensor of known length, "
                              "got "
                           << params[0].getType();
  int64_t n = startsType.getDimSize(0);
  SmallVector<Value> operands(params);
  for (int i = 0; i < 4; ++i) {
    if (operands[i])
      continue;
    SmallVector<int64_t> fill;
    for (int64_t k = 0; k < n; ++k)
      fill.push_back(i == 2 ? k : 1);
    operands[i] = intConstant(loc, {n}, fill);
  }
  return define(node, 0,
                DynamicSliceOp::create(builder, loc, *outType, data,
                                       operands[0], operands[1], operands[2],
                                       operands[3]));
}

LogicalResult ONNXImporter::importDynamicPad(const onnx::NodeProto &node,
                                             Value x, RankedTensorType outType,
                                             Value pads, Value value) {
  Location loc = nodeLoc(node);
  std::string mode = attrString(node, "mode", "constant");
  std::optional<PadMode> padMode = symbolizePadMode(mode);
  if (!padMode)
    return nodeError(node) << "unsupported pad mode '" << mode
                           << "' (expected constant, reflect or edge)";
  Type element = typeOf(x).getElementType();
  if (!value) {
    auto scalar = RankedTensorType::get({}, element);
    value =
        constant(loc, DenseElementsAttr::get(
                          scalar, isa<FloatType>(element)
                                      ? Attribute(FloatAttr::get(element, 0))
                                      : IntegerAttr::get(element, 0)));
  }
  return define(node, 0,
                DynamicPadOp::create(builder, loc, outType, x, pads, value,
                                     PadModeAttr::get(context, *padMode)));
}

LogicalResult ONNXImporter::importCast(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!x || failed(outType))
    return failure();
  if (x.getType() == *outType)
    return define(node, 0, x);
  DenseElementsAttr attr = constantOf(x);
  if (!attr)
    return define(node, 0, CastOp::create(builder, nodeLoc(node), *outType, x));
  Type to = outType->getElementType();
  SmallVector<double> numbers;
  if (isa<IntegerType>(attr.getElementType())) {
    bool isUnsigned = attr.getElementType().isUnsignedInteger();
    for (const APInt &v : attr.getValues<APInt>())
      numbers.push_back(isUnsigned ? double(v.getZExtValue())
                                   : double(v.getSExtValue()));
  } else {
    for (const APFloat &v : attr.getValues<APFloat>())
      numbers.push_back(v.convertToDouble());
  }
  DenseElementsAttr result;
  if (auto floatType = dyn_cast<FloatType>(to)) {
    SmallVector<APFloat> data;
    for (double v : numbers) {
      APFloat f(v);
      bool lost;
      // Folded like cim-run's cast: bfloat16 truncates a float32
      // (lib/Numerics), the other types round to nearest even.
      if (floatType.isBF16()) {
        f.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
        f = APFloat(numerics::truncateToBFloat16(f.convertToFloat()));
      }
      f.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &lost);
      data.push_back(f);
    }
    result = DenseElementsAttr::get(*outType, data);
  } else {
    SmallVector<APInt> data;
    unsigned width = to.getIntOrFloatBitWidth();
    for (double v : numbers)
      // To bool, every nonzero value (and NaN) is true, not its low bit.
      data.push_back(width == 1 ? APInt(1, v != 0)
                                : APInt(width, uint64_t(int64_t(std::trunc(v))),
                                        /*isSigned=*/true,
                                        /*implicitTrunc=*/true));
    result = DenseElementsAttr::get(*outType, data);
  }
  return define(node, 0, constant(nodeLoc(node), result));
}

LogicalResult ONNXImporter::importConstantOfShape(const onnx::NodeProto &node) {
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(outType))
    return failure();
  Attribute fill;
  if (const auto *a = attr(node, "value")) {
    FailureOr<DenseElementsAttr> value = tensorAttr(a->t());
    if (failed(value) || value->getNumElements() != 1)
      return nodeError(node) << "value must be a one-element tensor";
    fill = *value->value_begin<Attribute>();
  } else {
    fill = builder.getF32FloatAttr(0.0f);
  }
  return define(
      node, 0, constant(nodeLoc(node), DenseElementsAttr::get(*outType, fill)));
}

LogicalResult ONNXImporter::importRange(const onnx::NodeProto &node) {
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(outType))
    return failure();
  Value start = input(node, 0), limit = input(node, 1), delta = input(node, 2);
  if (!start || !limit || !delta)
    return failure();
  std::optional<SmallVector<int64_t>> s = intsOf(start), l = intsOf(limit),
                                      d = intsOf(delta);
  // Float or run-time bounds: computed when run, to the declared length.
  if (!s || !l || !d)
    return define(
        node, 0,
        RangeOp::create(builder, nodeLoc(node), *outType, start, limit, delta));
  if (s->size() != 1 || l->size() != 1 || d->size() != 1 || (*d)[0] == 0)
    return nodeError(node) << "Range needs scalar bounds and a non-zero delta";
  SmallVector<int64_t> result;
  for (int64_t v = (*s)[0]; (*d)[0] > 0 ? v < (*l)[0] : v > (*l)[0];
       v += (*d)[0]) {
    if (int64_t(result.size()) >= maxElements())
      return nodeError(node) << "Range produces too many elements";
    result.push_back(v);
  }
  return define(node, 0,
                intConstant(nodeLoc(node), {int64_t(result.size())}, result));
}
