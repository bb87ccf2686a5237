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
    std::optional<SmallVector<int64_t>> p =
        hasInput(node, 1) ? intsOf(input(node, 1)) : std::nullopt;
    if (!p)
      return nodeError(node) << "pads must be a constant integer tensor";
    pads = *p;
    if (hasInput(node, 2)) {
      DenseElementsAttr v = constantOf(input(node, 2));
      if (!v || v.getNumElements() != 1 || !isa<FloatType>(v.getElementType()))
        return nodeError(node) << "constant_value must be a constant float "
                                  "scalar";
      value = (*v.getValues<APFloat>().begin()).convertToFloat();
    }
    if (hasInput(node, 3))
      return nodeError(node) << "the 'axes' input is not supported";
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
    std::optional<SmallVector<int64_t>> repeats = r ? intsOf(r) : std::nullopt;
    if (!repeats)
      return nodeError(node) << "repeats must be a constant integer tensor "
                                "(or computable at import)";
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
  int64_t rank = dataType.getRank();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (opset < 10) {
    starts = attrInts(node, "starts");
    ends = attrInts(node, "ends");
    axes = attrInts(node, "axes");
  } else {
    auto ints = [&](int i) -> std::optional<SmallVector<int64_t>> {
      if (!hasInput(node, i))
        return SmallVector<int64_t>();
      return intsOf(input(node, i));
    };
    auto s = ints(1), e = ints(2), a = ints(3), st = ints(4);
    if (!s || !e || !a || !st)
      return nodeError(node) << "starts, ends, axes and steps must be "
                                "constant (or computable at import)";
    starts = *s;
    ends = *e;
    axes = *a;
    steps = *st;
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return nodeError(node) << "starts, ends, axes and steps differ in length";

  // Per dimension: first index, stride and count, clamped as ONNX does.
  SmallVector<int64_t> offsets(rank, 0), strides(rank, 1),
      sizes(dataType.getShape());
  bool reversed = false;
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t axis = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (axis < 0 || axis >= rank)
      return nodeError(node) << "axis " << axes[i] << " is out of range";
    int64_t dim = dataType.getDimSize(axis), step = steps[i];
    if (step == 0)
      return nodeError(node) << "a step of 0 is invalid";
    auto norm = [&](int64_t v, int64_t lo, int64_t hi) {
      if (v < 0)
        v += dim;
      return std::clamp(v, lo, hi);
    };
    int64_t first, count;
    if (step > 0) {
      first = norm(starts[i], 0, dim);
      int64_t last = norm(ends[i], 0, dim);
      count = last > first ? (last - first + step - 1) / step : 0;
    } else {
      reversed = true;
      first = norm(starts[i], -1, dim - 1);
      int64_t last = norm(ends[i], -1, dim - 1);
      count = first > last ? (first - last - step - 1) / -step : 0;
    }
    offsets[axis] = first;
    strides[axis] = step;
    sizes[axis] = count;
  }
  auto resultType = RankedTensorType::get(sizes, dataType.getElementType());

  if (reversed) {
    // Negative steps only occur in shape arithmetic on constant vectors.
    std::optional<SmallVector<int64_t>> d = intsOf(data);
    if (!d || rank != 1)
      return nodeError(node) << "negative steps are supported only on "
                                "constant 1-D integer data";
    SmallVector<int64_t> result;
    for (int64_t k = 0; k < sizes[0]; ++k)
      result.push_back((*d)[offsets[0] + k * strides[0]]);
    return define(node, 0, intConstant(loc, sizes, result));
  }
  return define(
      node, 0,
      builder.createOrFold<SliceOp>(loc, resultType, data,
                                    builder.getDenseI64ArrayAttr(offsets),
                                    builder.getDenseI64ArrayAttr(strides)));
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
      f.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &lost);
      data.push_back(f);
    }
    result = DenseElementsAttr::get(*outType, data);
  } else {
    SmallVector<APInt> data;
    unsigned width = to.getIntOrFloatBitWidth();
    for (double v : numbers)
      data.push_back(APInt(width, uint64_t(int64_t(std::trunc(v))),
                           /*isSigned=*/true, /*implicitTrunc=*/true));
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
  std::optional<SmallVector<int64_t>> s = intsOf(input(node, 0)),
                                      l = intsOf(input(node, 1)),
                                      d = intsOf(input(node, 2));
  if (!s || !l || !d || s->size() != 1 || l->size() != 1 || d->size() != 1 ||
      (*d)[0] == 0)
    return nodeError(node) << "Range is supported only on constant integer "
                              "scalars with a non-zero delta";
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
