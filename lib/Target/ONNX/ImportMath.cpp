//===- ImportMath.cpp - Elementwise math, logic and reductions
//-------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// ONNX's digital-side math into CimMathOps.td: elementwise functions and
// activations, variadic Max/Min/Sum/Mean, comparisons and logic on masks,
// Where, Mod, the Reduce family, ArgMax/ArgMin, LogSoftmax/Hardmax, CumSum,
// Trilu and Size. Axes and other bounds given as inputs must be constant (or
// computable at import).
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::onnx_import;

/// numpy broadcasting of two static shapes; failure if incompatible.
static FailureOr<SmallVector<int64_t>> broadcast(ArrayRef<int64_t> a,
                                                 ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return failure();
    result[i] = da == 1 ? db : da;
  }
  return result;
}

LogicalResult ONNXImporter::importMathUnary(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value x = input(node, 0);
  if (!x || failed(checkOutputs(node, 1)))
    return failure();
  StringRef type = node.op_type();
  bool isFloat = isa<FloatType>(typeOf(x).getElementType());
  // Abs, Neg and Sign also take integers; the rest are float functions.
  // On integer constants (shape arithmetic) they fold here.
  if (std::optional<SmallVector<int64_t>> ints = intsOf(x);
      ints && typeOf(x).getElementType().isSignlessInteger(64) &&
      (type == "Abs" || type == "Neg" || type == "Sign")) {
    for (int64_t &v : *ints)
      v = type == "Abs" ? std::abs(v) : type == "Neg" ? -v : (v > 0) - (v < 0);
    return define(node, 0,
                  constant(loc, DenseElementsAttr::get(
                                    RankedTensorType::get(typeOf(x).getShape(),
                                                          builder.getI64Type()),
                                    ArrayRef<int64_t>(*ints))));
  }
  if (type == "Abs")
    return define(node, 0, AbsOp::create(builder, loc, x));
  if (type == "Neg")
    return define(node, 0, NegOp::create(builder, loc, x));
  if (type == "Sign")
    return define(node, 0, SignOp::create(builder, loc, x));
  if (type == "Not") {
    if (!typeOf(x).getElementType().isInteger(1))
      return nodeError(node) << "expected a boolean input, got " << x.getType();
    return define(node, 0, NotOp::create(builder, loc, x));
  }
  if (!isFloat)
    return nodeError(node) << "expected a floating-point input, got "
                           << x.getType();
  using Create = Value (*)(OpBuilder &, Location, Value);
  static const llvm::StringMap<Create> table = {
#define CIM_UNARY(NAME, OP)                                                    \
  {                                                                            \
    NAME, [](OpBuilder &b, Location l, Value v) -> Value {                     \
      return OP::create(b, l, v);                                              \
    }                                                                          \
  }
      CIM_UNARY("Floor", FloorOp),       CIM_UNARY("Ceil", CeilOp),
      CIM_UNARY("Round", RoundOp),       CIM_UNARY("Reciprocal", ReciprocalOp),
      CIM_UNARY("Log", LogOp),           CIM_UNARY("Sin", SinOp),
      CIM_UNARY("Cos", CosOp),           CIM_UNARY("Tan", TanOp),
      CIM_UNARY("Asin", AsinOp),         CIM_UNARY("Acos", AcosOp),
      CIM_UNARY("Atan", AtanOp),         CIM_UNARY("Sinh", SinhOp),
      CIM_UNARY("Cosh", CoshOp),         CIM_UNARY("Asinh", AsinhOp),
      CIM_UNARY("Acosh", AcoshOp),       CIM_UNARY("Atanh", AtanhOp),
      CIM_UNARY("Softplus", SoftplusOp), CIM_UNARY("Softsign", SoftsignOp),
      CIM_UNARY("Mish", MishOp),
#undef CIM_UNARY
  };
  auto it = table.find(type);
  if (it == table.end())
    return nodeError(node) << "no elementwise function for this op";
  return define(node, 0, it->second(builder, loc, x));
}

LogicalResult ONNXImporter::importActivation(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value x = input(node, 0);
  if (!x || failed(checkOutputs(node, 1)))
    return failure();
  if (!isa<FloatType>(typeOf(x).getElementType()))
    return nodeError(node) << "expected a floating-point input, got "
                           << x.getType();
  StringRef type = node.op_type();
  auto f32 = [&](StringRef name, float def) {
    return builder.getF32FloatAttr(attrFloat(node, name, def));
  };
  Value result;
  if (type == "Elu")
    result = EluOp::create(builder, loc, x.getType(), x, f32("alpha", 1.0f));
  else if (type == "Selu")
    result = SeluOp::create(builder, loc, x.getType(), x,
                            f32("alpha", 1.67326319217681884765625f),
                            f32("gamma", 1.05070102214813232421875f));
  else if (type == "Celu") {
    if (attrFloat(node, "alpha", 1.0f) == 0.0f)
      return nodeError(node) << "alpha must not be 0";
    result = CeluOp::create(builder, loc, x.getType(), x, f32("alpha", 1.0f));
  } else if (type == "ThresholdedRelu")
    result = ThresholdedReluOp::create(builder, loc, x.getType(), x,
                                       f32("alpha", 1.0f));
  else
    result = ShrinkOp::create(builder, loc, x.getType(), x, f32("bias", 0.0f),
                              f32("lambd", 0.5f));
  return define(node, 0, result);
}

/// The operands of a binary op in one element type: a constant of another
/// type converts (ONNX graphs mix float and integer constants rarely, but
/// exporters do), anything else is an error.
LogicalResult ONNXImporter::sameElementTypes(const onnx::NodeProto &node,
                                             Value &a, Value &b) {
  if (typeOf(a).getElementType() == typeOf(b).getElementType())
    return success();
  return nodeError(node) << "operands of different element types ("
                         << typeOf(a).getElementType() << ", "
                         << typeOf(b).getElementType() << ")";
}

LogicalResult ONNXImporter::importVariadic(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(outType) || node.input_size() < 1)
    return nodeError(node) << "expected at least one input", failure();
  StringRef type = node.op_type();
  Value acc = input(node, 0);
  if (!acc)
    return failure();
  for (int i = 1; i < node.input_size(); ++i) {
    Value next = input(node, i);
    if (!next || failed(sameElementTypes(node, acc, next)))
      return failure();
    FailureOr<SmallVector<int64_t>> shape =
        broadcast(typeOf(acc).getShape(), typeOf(next).getShape());
    if (failed(shape))
      return nodeError(node) << "inputs " << acc.getType() << " and "
                             << next.getType() << " do not broadcast";
    auto stepType = RankedTensorType::get(*shape, typeOf(acc).getElementType());
    if (type == "Max")
      acc = MaxOp::create(builder, loc, stepType, acc, next);
    else if (type == "Min")
      acc = MinOp::create(builder, loc, stepType, acc, next);
    else
      acc = AddOp::create(builder, loc, stepType, acc, next);
  }
  if (type == "Mean" && node.input_size() > 1) {
    auto elementType = typeOf(acc).getElementType();
    if (!isa<FloatType>(elementType))
      return nodeError(node) << "Mean of integer tensors is not supported";
    APFloat n(double(node.input_size()));
    bool lost;
    n.convert(cast<FloatType>(elementType).getFloatSemantics(),
              APFloat::rmNearestTiesToEven, &lost);
    Value count = constant(
        loc, DenseElementsAttr::get(RankedTensorType::get({}, elementType),
                                    ArrayRef<APFloat>(n)));
    acc = DivOp::create(builder, loc, acc.getType(), acc, count);
  }
  if (acc.getType() != *outType)
    return nodeError(node) << "result type " << acc.getType()
                           << " differs from the inferred " << *outType;
  return define(node, 0, acc);
}

LogicalResult ONNXImporter::importLogic(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value a = input(node, 0), b = input(node, 1);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!a || !b || failed(outType) || failed(sameElementTypes(node, a, b)))
    return failure();
  StringRef type = node.op_type();
  Value result;
  if (type == "And" || type == "Or" || type == "Xor") {
    if (!typeOf(a).getElementType().isInteger(1))
      return nodeError(node) << "expected boolean inputs, got " << a.getType();
    if (type == "And")
      result = AndOp::create(builder, loc, *outType, a, b);
    else if (type == "Or")
      result = OrOp::create(builder, loc, *outType, a, b);
    else
      result = XorOp::create(builder, loc, *outType, a, b);
    return define(node, 0, result);
  }
  if (type == "PRelu") {
    // Opsets before 7 applied a 1-D slope per channel (dim 1); the version
    // converter keeps the node as it is, so the slope is reshaped to
    // [C, 1, ..., 1] where numpy broadcasting would not apply.
    RankedTensorType xType = typeOf(a), slopeType = typeOf(b);
    if (slopeType.getRank() == 1 && xType.getRank() > 2 &&
        slopeType.getDimSize(0) == xType.getDimSize(1) &&
        failed(broadcast(xType.getShape(), slopeType.getShape()))) {
      SmallVector<int64_t> shape(xType.getRank() - 1, 1);
      shape[0] = slopeType.getDimSize(0);
      b = builder.createOrFold<ReshapeOp>(loc, slopeType.clone(shape), b);
    }
    return define(node, 0, PReluOp::create(builder, loc, *outType, a, b));
  }
  if (type == "Mod") {
    bool fmod = attrInt(node, "fmod", 0) != 0;
    if (!fmod && isa<FloatType>(typeOf(a).getElementType()))
      return nodeError(node) << "fmod must be 1 for floating-point inputs";
    return define(
        node, 0,
        ModOp::create(builder, loc, *outType, a, b, builder.getBoolAttr(fmod)));
  }
  static const llvm::StringMap<ComparePredicate> predicates = {
      {"Equal", ComparePredicate::eq},
      {"Less", ComparePredicate::lt},
      {"LessOrEqual", ComparePredicate::le},
      {"Greater", ComparePredicate::gt},
      {"GreaterOrEqual", ComparePredicate::ge}};
  auto it = predicates.find(type);
  if (it == predicates.end())
    return nodeError(node) << "no elementwise relation for this op";
  // Comparisons of integer constants (shape and sample-rate checks that an
  // exporter guards `If` with) fold, so that the `If` folds too.
  std::optional<SmallVector<int64_t>> x = intsOf(a), y = intsOf(b);
  size_t n = x && y ? std::max(x->size(), y->size()) : 0;
  if (x && y && (x->size() == n || x->size() == 1) &&
      (y->size() == n || y->size() == 1) &&
      int64_t(n) == outType->getNumElements()) {
    SmallVector<bool> folded;
    for (size_t i = 0; i < n; ++i) {
      int64_t l = (*x)[x->size() == 1 ? 0 : i],
              r = (*y)[y->size() == 1 ? 0 : i];
      switch (it->second) {
      case ComparePredicate::eq:
        folded.push_back(l == r);
        break;
      case ComparePredicate::lt:
        folded.push_back(l < r);
        break;
      case ComparePredicate::le:
        folded.push_back(l <= r);
        break;
      case ComparePredicate::gt:
        folded.push_back(l > r);
        break;
      case ComparePredicate::ge:
        folded.push_back(l >= r);
        break;
      default:
        return nodeError(node) << "no integer relation for this op";
      }
    }
    return define(node, 0,
                  constant(loc, DenseElementsAttr::get(*outType, folded)));
  }
  return define(node, 0,
                CmpOp::create(builder, loc, *outType,
                              ComparePredicateAttr::get(context, it->second), a,
                              b));
}

LogicalResult ONNXImporter::importWhere(const onnx::NodeProto &node) {
  Value c = input(node, 0), a = input(node, 1), b = input(node, 2);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!c || !a || !b || failed(outType) || failed(sameElementTypes(node, a, b)))
    return failure();
  return define(node, 0,
                SelectOp::create(builder, nodeLoc(node), *outType, c, a, b));
}

/// Axes from the `axes` input (opset 13+ ReduceSum, 18+ the rest) or
/// attribute; nullopt (and an error) when the input is not constant.
std::optional<SmallVector<int64_t>>
ONNXImporter::axesOf(const onnx::NodeProto &node, int inputIndex) {
  if (hasInput(node, inputIndex)) {
    Value axes = input(node, inputIndex);
    if (!axes)
      return std::nullopt;
    std::optional<SmallVector<int64_t>> values = intsOf(axes);
    if (!values)
      nodeError(node) << "axes must be a constant integer tensor (or "
                         "computable at import)";
    return values;
  }
  return attrInts(node, "axes");
}

LogicalResult ONNXImporter::importReduce(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value x = input(node, 0);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!x || failed(outType) || failed(checkOutputs(node, 1)))
    return failure();
  bool keepdims = attrInt(node, "keepdims", 1) != 0;
  bool noop = attrInt(node, "noop_with_empty_axes", 0) != 0;
  StringRef type = node.op_type();
  static const llvm::StringMap<ReduceKind> kinds = {
      {"ReduceSum", ReduceKind::sum},
      {"ReduceMean", ReduceKind::mean},
      {"ReduceMax", ReduceKind::max},
      {"ReduceMin", ReduceKind::min},
      {"ReduceProd", ReduceKind::prod},
      {"ReduceL1", ReduceKind::l1},
      {"ReduceL2", ReduceKind::l2},
      {"ReduceLogSum", ReduceKind::log_sum},
      {"ReduceLogSumExp", ReduceKind::log_sum_exp},
      {"ReduceSumSquare", ReduceKind::sum_square}};
  ReduceKind kind = kinds.lookup(type);
  // Axes known only at run time: the declared output shape stands.
  if (hasInput(node, 1) && input(node, 1) && !constantOf(input(node, 1)))
    return define(node, 0,
                  DynamicReduceOp::create(builder, loc, *outType,
                                          ReduceKindAttr::get(context, kind), x,
                                          input(node, 1),
                                          builder.getBoolAttr(keepdims),
                                          builder.getBoolAttr(noop)));
  std::optional<SmallVector<int64_t>> axes = axesOf(node, 1);
  if (!axes)
    return failure();
  if (axes->empty() && noop)
    return define(node, 0, x);
  // ReduceMean of floats keeps its own op, which the crossbar pipeline
  // recognizes as global pooling.
  if (kind == ReduceKind::mean && isa<FloatType>(typeOf(x).getElementType())) {
    SmallVector<int64_t> all = *axes;
    if (all.empty())
      for (int64_t i = 0; i < typeOf(x).getRank(); ++i)
        all.push_back(i);
    return define(node, 0,
                  ReduceMeanOp::create(builder, loc, *outType, x,
                                       builder.getDenseI64ArrayAttr(all),
                                       builder.getBoolAttr(keepdims)));
  }
  return define(node, 0,
                ReduceOp::create(builder, loc, *outType,
                                 ReduceKindAttr::get(context, kind), x,
                                 builder.getDenseI64ArrayAttr(*axes),
                                 builder.getBoolAttr(keepdims)));
}

LogicalResult ONNXImporter::importArgReduce(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value x = input(node, 0);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!x || failed(outType))
    return failure();
  auto axis = builder.getI64IntegerAttr(attrInt(node, "axis", 0));
  auto keepdims = builder.getBoolAttr(attrInt(node, "keepdims", 1) != 0);
  auto last = builder.getBoolAttr(attrInt(node, "select_last_index", 0) != 0);
  if (node.op_type() == "ArgMax")
    return define(
        node, 0,
        ArgMaxOp::create(builder, loc, *outType, x, axis, keepdims, last));
  return define(
      node, 0,
      ArgMinOp::create(builder, loc, *outType, x, axis, keepdims, last));
}

LogicalResult ONNXImporter::importAxisOp(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value x = input(node, 0);
  if (!x)
    return failure();
  int64_t rank = typeOf(x).getRank();
  StringRef type = node.op_type();
  if (type == "CumSum") {
    Value a = input(node, 1);
    if (!a)
      return failure();
    auto aType = typeOf(a);
    if (!isa<IntegerType>(aType.getElementType()) || !aType.hasStaticShape() ||
        aType.getNumElements() != 1)
      return nodeError(node)
             << "axis must be an integer scalar, got " << a.getType();
    BoolAttr exclusive = builder.getBoolAttr(attrInt(node, "exclusive", 0));
    BoolAttr reverse = builder.getBoolAttr(attrInt(node, "reverse", 0));
    std::optional<SmallVector<int64_t>> axis = intsOf(a);
    if (!axis) // Known only at run time.
      return define(node, 0,
                    DynamicCumSumOp::create(builder, loc, x.getType(), x, a,
                                            exclusive, reverse));
    return define(node, 0,
                  CumSumOp::create(builder, loc, x.getType(), x,
                                   builder.getI64IntegerAttr((*axis)[0]),
                                   exclusive, reverse));
  }
  if (type == "Trilu") {
    int64_t k = 0;
    if (hasInput(node, 1)) {
      Value kValue = input(node, 1);
      if (!kValue)
        return failure();
      auto kType = typeOf(kValue);
      if (kType.getNumElements() != 1 ||
          !kType.getElementType().isSignlessInteger(64))
        return nodeError(node)
               << "k must be an int64 scalar, got " << kValue.getType();
      std::optional<SmallVector<int64_t>> values = intsOf(kValue);
      if (!values) {
        // k known only at run time: keep x where (col - row) >= k (upper)
        // or <= k (lower), i.e. a constant diagonal index against k.
        if (rank < 2)
          return nodeError(node) << "expected a tensor of rank 2 or more";
        int64_t rows = typeOf(x).getDimSize(rank - 2),
                cols = typeOf(x).getDimSize(rank - 1);
        SmallVector<int64_t> diagonal;
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t c = 0; c < cols; ++c)
            diagonal.push_back(c - r);
        Value offsets = intConstant(loc, {rows, cols}, diagonal);
        bool upper = attrInt(node, "upper", 1) != 0;
        Value mask = CmpOp::create(
            builder, loc,
            RankedTensorType::get({rows, cols}, builder.getI1Type()),
            ComparePredicateAttr::get(context, upper ? ComparePredicate::ge
                                                     : ComparePredicate::le),
            offsets, kValue);
        auto elementType = typeOf(x).getElementType();
        auto scalar = RankedTensorType::get({}, elementType);
        Value zero = constant(
            loc,
            isa<FloatType>(elementType)
                ? DenseElementsAttr::get(
                      scalar,
                      APFloat::getZero(
                          cast<FloatType>(elementType).getFloatSemantics()))
                : DenseElementsAttr::get(
                      scalar, APInt(elementType.getIntOrFloatBitWidth(), 0)));
        return define(
            node, 0,
            SelectOp::create(builder, loc, x.getType(), mask, x, zero));
      }
      if (values->size() != 1)
        return nodeError(node) << "k must be a scalar";
      k = (*values)[0];
    }
    return define(
        node, 0,
        TriluOp::create(builder, loc, x.getType(), x,
                        builder.getBoolAttr(attrInt(node, "upper", 1) != 0),
                        builder.getI64IntegerAttr(k)));
  }
  // LogSoftmax and Hardmax: before opset 13 they worked on the input
  // flattened to 2-D at `axis`; the same only when `axis` is the last one.
  int64_t axis = attrInt(node, "axis", opset < 13 ? 1 : -1);
  if (axis < -rank || axis >= rank)
    return nodeError(node) << "axis " << axis << " is out of range for rank "
                           << rank;
  if (axis < 0)
    axis += rank;
  if (opset < 13 && axis != rank - 1)
    return nodeError(node) << "opset " << opset << " " << type << " over axes "
                           << axis << ".. of a rank-" << rank
                           << " tensor is not supported (only the last axis)";
  auto axisAttr = builder.getI64IntegerAttr(axis);
  if (type == "LogSoftmax")
    return define(node, 0,
                  LogSoftmaxOp::create(builder, loc, x.getType(), x, axisAttr));
  return define(node, 0,
                HardmaxOp::create(builder, loc, x.getType(), x, axisAttr));
}

LogicalResult ONNXImporter::importSize(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  if (!x)
    return failure();
  return define(node, 0,
                intConstant(nodeLoc(node), {}, {typeOf(x).getNumElements()}));
}
