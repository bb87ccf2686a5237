//===- ImportScatter.cpp - Scatters, N-D gathers, value-sized ops ---------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The ops of CimIndexingOps.td: ScatterElements/Scatter, ScatterND,
// GatherND, ReverseSequence, Compress, NonZero, Unique, TopK, BitShift,
// OneHot, Einsum, the spectral windows and Det.
//
// Where an output's shape depends on input values (NonZero, Unique,
// Compress, a run-time TopK k, OneHot depth or window size), the op gets the
// shape the model declares (inferred when the deciding input is a constant)
// and the interpreter checks the values against it.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::onnx_import;

/// The single value of a one-element constant, as a double.
static std::optional<double> scalarOf(Value v) {
  DenseElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)) || attr.getNumElements() != 1)
    return std::nullopt;
  if (isa<FloatType>(attr.getElementType()))
    return (*attr.getValues<APFloat>().begin()).convertToDouble();
  if (auto type = dyn_cast<IntegerType>(attr.getElementType())) {
    APInt x = *attr.getValues<APInt>().begin();
    return type.isUnsigned() || type.getWidth() == 1 ? double(x.getZExtValue())
                                                     : double(x.getSExtValue());
  }
  return std::nullopt;
}

FailureOr<RankedTensorType>
ONNXImporter::declaredOutputType(const onnx::NodeProto &node, int i) {
  auto it = valueTypes.find(node.output(i));
  if (it == valueTypes.end() || !isStaticTensor(*it->second)) {
    inferNode(node);
    it = valueTypes.find(node.output(i));
  }
  if (it == valueTypes.end() || !isStaticTensor(*it->second))
    return nodeError(node) << "the shape of output '" << node.output(i)
                           << "' depends on the input values, and the model "
                              "declares no static shape for it (give one in "
                              "value_info or the graph outputs)",
           failure();
  return tensorType(*it->second, "output '" + node.output(i) + "' of node '" +
                                     node.name() + "'");
}

LogicalResult ONNXImporter::importScatterGather(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  StringRef type = node.op_type();
  bool isGather = type == "GatherND";
  Value data = input(node, 0), indices = input(node, 1);
  Value updates = isGather ? Value() : input(node, 2);
  if (!data || !indices || (!isGather && !updates) ||
      failed(checkOutputs(node, 1)))
    return failure();
  if (!isa<IntegerType>(typeOf(indices).getElementType()))
    return nodeError(node) << "indices must be integers, got "
                           << indices.getType();
  int64_t rank = typeOf(data).getRank();
  if (isGather) {
    FailureOr<RankedTensorType> outType = outputType(node, 0);
    if (failed(outType))
      return failure();
    int64_t batchDims = attrInt(node, "batch_dims", 0);
    int64_t k =
        typeOf(indices).getRank() ? typeOf(indices).getShape().back() : 0;
    if (batchDims < 0 || batchDims >= std::min(rank, typeOf(indices).getRank()))
      return nodeError(node)
             << "batch_dims " << batchDims
             << " is out of range for data of rank " << rank
             << " and indices of rank " << typeOf(indices).getRank();
    if (k < 1 || k > rank - batchDims)
      return nodeError(node)
             << "index vectors of size " << k << " do not fit data of rank "
             << rank << " past " << batchDims << " batch dimensions";
    return define(node, 0,
                  GatherNdOp::create(builder, loc, *outType, data, indices,
                                     builder.getI64IntegerAttr(batchDims)));
  }
  std::string reduction = attrString(node, "reduction", "none");
  if (!llvm::is_contained({"none", "add", "mul", "max", "min"}, reduction))
    return nodeError(node) << "unsupported reduction '" << reduction << "'";
  if (typeOf(updates).getElementType() != typeOf(data).getElementType())
    return nodeError(node) << "updates (" << updates.getType() << ") and data ("
                           << data.getType() << ") differ in element type";
  if (type == "ScatterND") {
    RankedTensorType idx = typeOf(indices);
    if (idx.getRank() < 1 || idx.getShape().back() > rank)
      return nodeError(node) << "indices " << indices.getType()
                             << " do not address data of rank " << rank;
    SmallVector<int64_t> expected(idx.getShape().drop_back());
    llvm::append_range(
        expected, typeOf(data).getShape().drop_front(idx.getShape().back()));
    if (typeOf(updates).getShape() != ArrayRef<int64_t>(expected))
      return nodeError(node)
             << "updates have shape " << formatShape(typeOf(updates).getShape())
             << ", expected " << formatShape(expected);
    return define(node, 0,
                  ScatterNdOp::create(builder, loc, data.getType(), data,
                                      indices, updates,
                                      builder.getStringAttr(reduction)));
  }
  // ScatterElements, and Scatter (its name in opsets 9 and 10).
  int64_t axis = attrInt(node, "axis", 0);
  if (axis < -rank || axis >= rank)
    return nodeError(node) << "axis " << axis << " is out of range for rank "
                           << rank;
  if (typeOf(indices).getShape() != typeOf(updates).getShape() ||
      typeOf(indices).getRank() != rank)
    return nodeError(node) << "indices " << indices.getType() << " and updates "
                           << updates.getType()
                           << " must have one shape, of the data's rank "
                           << rank;
  return define(node, 0,
                ScatterElementsOp::create(builder, loc, data.getType(), data,
                                          indices, updates,
                                          builder.getI64IntegerAttr(axis),
                                          builder.getStringAttr(reduction)));
}

LogicalResult ONNXImporter::importReverseSequence(const onnx::NodeProto &node) {
  Value x = input(node, 0), lens = input(node, 1);
  if (!x || !lens || failed(checkOutputs(node, 1)))
    return failure();
  int64_t batchAxis = attrInt(node, "batch_axis", 1),
          timeAxis = attrInt(node, "time_axis", 0);
  if (!((batchAxis == 0 && timeAxis == 1) || (batchAxis == 1 && timeAxis == 0)))
    return nodeError(node) << "batch_axis and time_axis must be 0 and 1 in "
                              "some order, got "
                           << batchAxis << " and " << timeAxis;
  if (typeOf(x).getRank() < 2 || typeOf(lens).getRank() != 1 ||
      typeOf(lens).getDimSize(0) != typeOf(x).getDimSize(batchAxis) ||
      !isa<IntegerType>(typeOf(lens).getElementType()))
    return nodeError(node) << "expects an input of rank 2 or more and one "
                              "integer sequence length per batch, got "
                           << x.getType() << " and " << lens.getType();
  return define(node, 0,
                ReverseSequenceOp::create(builder, nodeLoc(node), x.getType(),
                                          x, lens,
                                          builder.getI64IntegerAttr(batchAxis),
                                          builder.getI64IntegerAttr(timeAxis)));
}

LogicalResult ONNXImporter::importSelection(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  StringRef type = node.op_type();
  Value x = input(node, 0);
  if (!x)
    return failure();
  int64_t rank = typeOf(x).getRank();
  auto axisAttr = [&]() -> FailureOr<IntegerAttr> {
    if (!attr(node, "axis"))
      return IntegerAttr();
    int64_t axis = attrInt(node, "axis", 0);
    if (axis < -rank || axis >= rank)
      return nodeError(node)
                 << "axis " << axis << " is out of range for rank " << rank,
             failure();
    return builder.getI64IntegerAttr(axis);
  };
  if (type == "NonZero") {
    FailureOr<RankedTensorType> outType = declaredOutputType(node, 0);
    if (failed(outType) || failed(checkOutputs(node, 1)))
      return failure();
    if (outType->getRank() != 2 || outType->getDimSize(0) != rank)
      return nodeError(node) << "declared output type " << *outType
                             << " is not [" << rank << ", count]";
    return define(node, 0, NonZeroOp::create(builder, loc, *outType, x));
  }
  if (type == "Compress") {
    Value condition = input(node, 1);
    FailureOr<RankedTensorType> outType = declaredOutputType(node, 0);
    FailureOr<IntegerAttr> axis = axisAttr();
    if (!condition || failed(outType) || failed(axis) ||
        failed(checkOutputs(node, 1)))
      return failure();
    if (typeOf(condition).getRank() != 1)
      return nodeError(node)
             << "condition must be 1-D, got " << condition.getType();
    return define(
        node, 0,
        CompressOp::create(builder, loc, *outType, x, condition, *axis));
  }
  if (type == "Unique") {
    FailureOr<RankedTensorType> outType = declaredOutputType(node, 0);
    FailureOr<IntegerAttr> axis = axisAttr();
    if (failed(outType) || failed(axis))
      return failure();
    int64_t a = *axis ? (axis->getInt() + rank) % rank : 0;
    if (*axis ? outType->getRank() != rank : outType->getRank() != 1)
      return nodeError(node) << "declared output type " << *outType
                             << " does not have the rank " << (*axis ? rank : 1)
                             << " Unique gives";
    int64_t unique = outType->getDimSize(*axis ? a : 0);
    int64_t total =
        *axis ? typeOf(x).getDimSize(a) : typeOf(x).getNumElements();
    Type i64 = builder.getI64Type();
    auto op = UniqueOp::create(
        builder, loc, *outType, RankedTensorType::get({unique}, i64),
        RankedTensorType::get({total}, i64),
        RankedTensorType::get({unique}, i64), x, *axis,
        builder.getBoolAttr(attrInt(node, "sorted", 1) != 0));
    for (int i = 0; i < 4; ++i)
      (void)define(node, i, op->getResult(i));
    return success();
  }
  // TopK: k is an input from opset 10, an attribute before.
  FailureOr<RankedTensorType> outType = declaredOutputType(node, 0);
  if (failed(outType) || failed(checkOutputs(node, 2)))
    return failure();
  int64_t axis = attrInt(node, "axis", -1);
  if (axis < -rank || axis >= rank)
    return nodeError(node) << "axis " << axis << " is out of range for rank "
                           << rank;
  int64_t a = axis < 0 ? axis + rank : axis;
  if (outType->getRank() != rank)
    return nodeError(node) << "declared output type " << *outType
                           << " does not have the input's rank " << rank;
  int64_t declared = outType->getDimSize(a);
  Value k;
  std::optional<int64_t> constantK;
  if (opset < 10) {
    constantK = attrInt(node, "k", -1);
  } else {
    k = input(node, 1);
    if (!k)
      return failure();
    if (!isa<IntegerType>(typeOf(k).getElementType()) ||
        typeOf(k).getNumElements() != 1)
      return nodeError(node)
             << "k must be a one-element integer tensor, got " << k.getType();
    if (std::optional<SmallVector<int64_t>> ks = intsOf(k))
      constantK = ks->front();
  }
  if (constantK) {
    if (*constantK != declared)
      return nodeError(node) << "k is " << *constantK
                             << ", but the output's declared size along axis "
                             << a << " is " << declared;
    k = Value();
  }
  auto op = TopKOp::create(
      builder, loc, *outType,
      RankedTensorType::get(outType->getShape(), builder.getI64Type()), x, k,
      builder.getI64IntegerAttr(axis),
      builder.getBoolAttr(attrInt(node, "largest", 1) != 0),
      builder.getBoolAttr(attrInt(node, "sorted", 1) != 0));
  (void)define(node, 1, op.getIndices());
  return define(node, 0, op.getValues());
}

LogicalResult ONNXImporter::importBitShift(const onnx::NodeProto &node) {
  Value x = input(node, 0), y = input(node, 1);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!x || !y || failed(outType) || failed(checkOutputs(node, 1)))
    return failure();
  std::string direction = attrString(node, "direction", "");
  if (direction != "LEFT" && direction != "RIGHT")
    return nodeError(node) << "direction must be LEFT or RIGHT, got '"
                           << direction << "'";
  if (!typeOf(x).getElementType().isUnsignedInteger() ||
      typeOf(x).getElementType() != typeOf(y).getElementType())
    return nodeError(node) << "expects two unsigned integer tensors of one "
                              "type, got "
                           << x.getType() << " and " << y.getType();
  return define(
      node, 0,
      BitShiftOp::create(
          builder, nodeLoc(node), *outType, x, y,
          builder.getStringAttr(direction == "LEFT" ? "left" : "right")));
}

LogicalResult ONNXImporter::importOneHot(const onnx::NodeProto &node) {
  Value indices = input(node, 0), depth = input(node, 1),
        values = input(node, 2);
  if (!indices || !depth || !values || failed(checkOutputs(node, 1)))
    return failure();
  FailureOr<RankedTensorType> outType = declaredOutputType(node, 0);
  if (failed(outType))
    return failure();
  int64_t rank = typeOf(indices).getRank();
  int64_t axis = attrInt(node, "axis", -1);
  if (axis < -rank - 1 || axis > rank)
    return nodeError(node) << "axis " << axis << " is out of range for rank "
                           << rank + 1;
  if (typeOf(values).getNumElements() != 2 ||
      typeOf(depth).getNumElements() != 1)
    return nodeError(node) << "expects a one-element depth and two values, "
                              "got "
                           << depth.getType() << " and " << values.getType();
  if (outType->getRank() != rank + 1)
    return nodeError(node) << "declared output type " << *outType
                           << " is not of rank " << rank + 1;
  int64_t declared = outType->getDimSize(axis < 0 ? axis + rank + 1 : axis);
  // ONNX casts a float depth to int64 (truncating).
  if (std::optional<double> d = scalarOf(depth)) {
    if (std::trunc(*d) != double(declared))
      return nodeError(node)
             << "depth is " << *d << ", but the output's declared size is "
             << declared;
    depth = Value();
  }
  return define(node, 0,
                OneHotOp::create(builder, nodeLoc(node), *outType, indices,
                                 values, depth,
                                 builder.getI64IntegerAttr(axis)));
}

LogicalResult ONNXImporter::importEinsum(const onnx::NodeProto &node) {
  SmallVector<Value> inputs;
  for (int i = 0; i < node.input_size(); ++i) {
    Value v = input(node, i);
    if (!v)
      return failure();
    inputs.push_back(v);
  }
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(outType) || failed(checkOutputs(node, 1)))
    return failure();
  if (inputs.empty())
    return nodeError(node) << "expects at least one input";
  auto op =
      EinsumOp::create(builder, nodeLoc(node), *outType, inputs,
                       builder.getStringAttr(attrString(node, "equation", "")));
  SmallVector<std::string> subscripts;
  std::string output;
  if (failed(op.getSubscripts(subscripts, output)))
    return nodeError(node) << "cannot parse equation '"
                           << attrString(node, "equation", "")
                           << "' for the inputs' ranks";
  return define(node, 0, op);
}

LogicalResult ONNXImporter::importWindow(const onnx::NodeProto &node) {
  Value size = input(node, 0);
  FailureOr<RankedTensorType> outType = declaredOutputType(node, 0);
  if (!size || failed(outType) || failed(checkOutputs(node, 1)))
    return failure();
  if (!isa<IntegerType>(typeOf(size).getElementType()) ||
      typeOf(size).getNumElements() != 1)
    return nodeError(node) << "size must be a one-element integer tensor, got "
                           << size.getType();
  if (outType->getRank() != 1)
    return nodeError(node) << "declared output type " << *outType
                           << " is not 1-D";
  if (std::optional<SmallVector<int64_t>> s = intsOf(size)) {
    if (s->front() != outType->getDimSize(0))
      return nodeError(node) << "size is " << s->front()
                             << ", but the output's declared size is "
                             << outType->getDimSize(0);
    size = Value();
  }
  StringRef kind = llvm::StringSwitch<StringRef>(node.op_type())
                       .Case("HammingWindow", "hamming")
                       .Case("BlackmanWindow", "blackman")
                       .Default("hann");
  return define(
      node, 0,
      WindowOp::create(builder, nodeLoc(node), *outType, size,
                       builder.getStringAttr(kind),
                       builder.getBoolAttr(attrInt(node, "periodic", 1) != 0)));
}

LogicalResult ONNXImporter::importDet(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!x || failed(outType) || failed(checkOutputs(node, 1)))
    return failure();
  RankedTensorType type = typeOf(x);
  if (!isa<FloatType>(type.getElementType()) || type.getRank() < 2 ||
      type.getShape().back() != type.getShape()[type.getRank() - 2])
    return nodeError(node) << "expects float square matrices [..., M, M], got "
                           << x.getType();
  return define(node, 0, DetOp::create(builder, nodeLoc(node), *outType, x));
}
