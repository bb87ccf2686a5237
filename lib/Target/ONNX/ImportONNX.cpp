//===- ImportONNX.cpp - ONNX models into the cim graph level --------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Shaped like Toy's MLIRGen and onnx-mlir's FrontendGenImpl: a class holding
// the builder and a name -> Value table walks the graph in order and calls one
// handler per ONNX op type. Result types come from ONNX shape inference after
// the graph inputs were made static. Shape arithmetic on constants (Shape,
// Gather, Slice, Cast, Range, ...) is evaluated here, so the graph level only
// sees tensors that carry data. libonnx throws; every exception is caught in
// importONNX and becomes one diagnostic.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::onnx_import;

/// "[1, 3, 224, 224]".
std::string mlir::cim::onnx_import::formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(shape, os);
  os << "]";
  return text;
}

/// ONNX element type of a builtin type, or UNDEFINED.
int32_t mlir::cim::onnx_import::onnxElementType(Type type) {
  if (type.isF32())
    return onnx::TensorProto::FLOAT;
  if (type.isF16())
    return onnx::TensorProto::FLOAT16;
  if (type.isBF16())
    return onnx::TensorProto::BFLOAT16;
  if (type.isF64())
    return onnx::TensorProto::DOUBLE;
  if (type.isInteger(1))
    return onnx::TensorProto::BOOL;
  if (type.isUnsignedInteger(16))
    return onnx::TensorProto::UINT16;
  if (type.isUnsignedInteger(32))
    return onnx::TensorProto::UINT32;
  if (type.isUnsignedInteger(64))
    return onnx::TensorProto::UINT64;
  if (type.isUnsignedInteger(8))
    return onnx::TensorProto::UINT8;
  if (type.isInteger(8))
    return onnx::TensorProto::INT8;
  if (type.isInteger(16))
    return onnx::TensorProto::INT16;
  if (type.isInteger(32))
    return onnx::TensorProto::INT32;
  if (type.isInteger(64))
    return onnx::TensorProto::INT64;
  return onnx::TensorProto::UNDEFINED;
}

void ONNXImporter::inferNode(const onnx::NodeProto &node) {
  onnx::ModelProto mini;
  mini.set_ir_version(irVersion);
  auto *opsetId = mini.add_opset_import();
  opsetId->set_domain("");
  opsetId->set_version(opset);
  onnx::GraphProto *graph = mini.mutable_graph();
  graph->set_name("node");
  *graph->add_node() = node;
  llvm::StringSet<> seen;
  for (const std::string &name : node.input()) {
    if (name.empty() || !seen.insert(name).second)
      continue;
    // A small integer initializer not used before (a branch's axes or
    // shape) carries the value shape inference needs.
    if (auto it = pending.find(name);
        it != pending.end() && it->second->dims_size() <= 1 &&
        (it->second->data_type() == onnx::TensorProto::INT64 ||
         it->second->data_type() == onnx::TensorProto::INT32))
      materialize(name);
    Value value = values.lookup(name);
    if (!value)
      continue;
    auto type = cast<RankedTensorType>(value.getType());
    int32_t elementType = onnxElementType(type.getElementType());
    DenseElementsAttr attr = constantOf(value);
    // Small integer constants (shapes, axes) and float scalars (Range's
    // bounds in float) are passed by value.
    bool smallInts = attr && type.getElementType().isInteger(64) &&
                     attr.getNumElements() <= 1024;
    bool smallFloats =
        attr && type.getElementType().isF32() && attr.getNumElements() <= 16;
    if (smallInts || smallFloats) {
      onnx::TensorProto *tensor = graph->add_initializer();
      tensor->set_name(name);
      tensor->set_data_type(elementType);
      for (int64_t d : type.getShape())
        tensor->add_dims(d);
      if (smallInts)
        for (const APInt &v : attr.getValues<APInt>())
          tensor->add_int64_data(v.getSExtValue());
      else
        for (const APFloat &v : attr.getValues<APFloat>())
          tensor->add_float_data(v.convertToFloat());
      continue;
    }
    onnx::ValueInfoProto *info = graph->add_input();
    info->set_name(name);
    auto *tensorType = info->mutable_type()->mutable_tensor_type();
    tensorType->set_elem_type(elementType);
    auto *shape = tensorType->mutable_shape();
    for (int64_t d : type.getShape())
      shape->add_dim()->set_dim_value(d);
  }
  for (const std::string &name : node.output())
    if (!name.empty())
      graph->add_output()->set_name(name);
  onnx::ShapeInferenceOptions options{/*check_type=*/false, /*error_mode=*/0,
                                      /*enable_data_propagation=*/true};
  onnx::shape_inference::InferShapes(mini, schemaRegistry(), options);
  auto record = [&](const onnx::ValueInfoProto &info) {
    if (info.has_type() && isStaticTensor(info.type())) {
      inferredTypes.push_back(info.type());
      valueTypes[info.name()] = &inferredTypes.back();
    }
  };
  for (const auto &info : graph->output())
    record(info);
  for (const auto &info : graph->value_info())
    record(info);
}

const llvm::StringMap<ONNXImporter::Handler> &ONNXImporter::handlers() {
  static const llvm::StringMap<Handler> table = {
      {"Conv", &ONNXImporter::importConv},
      {"If", &ONNXImporter::importIf},
      {"Gemm", &ONNXImporter::importGemm},
      {"MatMul", &ONNXImporter::importMatMul},
      {"Add", &ONNXImporter::importBinary},
      {"Sub", &ONNXImporter::importBinary},
      {"Mul", &ONNXImporter::importBinary},
      {"Div", &ONNXImporter::importBinary},
      {"Pow", &ONNXImporter::importBinary},
      {"Relu", &ONNXImporter::importUnary},
      {"Sigmoid", &ONNXImporter::importUnary},
      {"Tanh", &ONNXImporter::importUnary},
      {"Erf", &ONNXImporter::importUnary},
      {"Sqrt", &ONNXImporter::importUnary},
      {"Exp", &ONNXImporter::importUnary},
      {"HardSwish", &ONNXImporter::importUnary},
      {"LeakyRelu", &ONNXImporter::importLeakyRelu},
      {"HardSigmoid", &ONNXImporter::importHardSigmoid},
      {"Clip", &ONNXImporter::importClip},
      {"BatchNormalization", &ONNXImporter::importBatchNorm},
      {"MaxPool", &ONNXImporter::importPool},
      {"MaxUnpool", &ONNXImporter::importMaxUnpool},
      {"AveragePool", &ONNXImporter::importPool},
      {"GlobalAveragePool", &ONNXImporter::importGlobalAveragePool},
      {"Flatten", &ONNXImporter::importFlatten},
      {"Reshape", &ONNXImporter::importReshapeLike},
      {"Squeeze", &ONNXImporter::importReshapeLike},
      {"Unsqueeze", &ONNXImporter::importReshapeLike},
      {"Transpose", &ONNXImporter::importTranspose},
      {"Concat", &ONNXImporter::importConcat},
      {"Split", &ONNXImporter::importSplit},
      {"Pad", &ONNXImporter::importPad},
      {"Softmax", &ONNXImporter::importSoftmax},
      {"LayerNormalization", &ONNXImporter::importLayerNorm},
      {"Identity", &ONNXImporter::importIdentity},
      {"Dropout", &ONNXImporter::importIdentity},
      {"Constant", &ONNXImporter::importConstant},
      {"Shape", &ONNXImporter::importShape},
      {"Gather", &ONNXImporter::importGather},
      {"Slice", &ONNXImporter::importSlice},
      {"Cast", &ONNXImporter::importCast},
      {"CastLike", &ONNXImporter::importCast},
      {"ConstantOfShape", &ONNXImporter::importConstantOfShape},
      {"Range", &ONNXImporter::importRange},
      {"QuantizeLinear", &ONNXImporter::importQuantize},
      {"DequantizeLinear", &ONNXImporter::importQuantize},
      {"DynamicQuantizeLinear", &ONNXImporter::importDynamicQuantizeLinear},
      {"MatMulInteger", &ONNXImporter::importIntegerProduct},
      {"ConvInteger", &ONNXImporter::importIntegerProduct},
      {"QLinearMatMul", &ONNXImporter::importIntegerProduct},
      {"QLinearConv", &ONNXImporter::importIntegerProduct},
      {"GridSample", &ONNXImporter::importGridSample},
      {"NonMaxSuppression", &ONNXImporter::importNonMaxSuppression},
      {"RoiAlign", &ONNXImporter::importRoiAlign},
      // ImportMath.cpp
      {"Abs", &ONNXImporter::importMathUnary},
      {"Neg", &ONNXImporter::importMathUnary},
      {"Sign", &ONNXImporter::importMathUnary},
      {"Not", &ONNXImporter::importMathUnary},
      {"Floor", &ONNXImporter::importMathUnary},
      {"Ceil", &ONNXImporter::importMathUnary},
      {"Round", &ONNXImporter::importMathUnary},
      {"Reciprocal", &ONNXImporter::importMathUnary},
      {"Log", &ONNXImporter::importMathUnary},
      {"Sin", &ONNXImporter::importMathUnary},
      {"Cos", &ONNXImporter::importMathUnary},
      {"Tan", &ONNXImporter::importMathUnary},
      {"Asin", &ONNXImporter::importMathUnary},
      {"Acos", &ONNXImporter::importMathUnary},
      {"Atan", &ONNXImporter::importMathUnary},
      {"Sinh", &ONNXImporter::importMathUnary},
      {"Cosh", &ONNXImporter::importMathUnary},
      {"Asinh", &ONNXImporter::importMathUnary},
      {"Acosh", &ONNXImporter::importMathUnary},
      {"Atanh", &ONNXImporter::importMathUnary},
      {"Softplus", &ONNXImporter::importMathUnary},
      {"Softsign", &ONNXImporter::importMathUnary},
      {"Mish", &ONNXImporter::importMathUnary},
      {"Elu", &ONNXImporter::importActivation},
      {"Selu", &ONNXImporter::importActivation},
      {"Celu", &ONNXImporter::importActivation},
      {"ThresholdedRelu", &ONNXImporter::importActivation},
      {"Shrink", &ONNXImporter::importActivation},
      {"Max", &ONNXImporter::importVariadic},
      {"Min", &ONNXImporter::importVariadic},
      {"Sum", &ONNXImporter::importVariadic},
      {"Mean", &ONNXImporter::importVariadic},
      {"And", &ONNXImporter::importLogic},
      {"Or", &ONNXImporter::importLogic},
      {"Xor", &ONNXImporter::importLogic},
      {"PRelu", &ONNXImporter::importLogic},
      {"Mod", &ONNXImporter::importLogic},
      {"Equal", &ONNXImporter::importLogic},
      {"Less", &ONNXImporter::importLogic},
      {"LessOrEqual", &ONNXImporter::importLogic},
      {"Greater", &ONNXImporter::importLogic},
      {"GreaterOrEqual", &ONNXImporter::importLogic},
      {"Where", &ONNXImporter::importWhere},
      {"ReduceSum", &ONNXImporter::importReduce},
      {"ReduceMean", &ONNXImporter::importReduce},
      {"ReduceMax", &ONNXImporter::importReduce},
      {"ReduceMin", &ONNXImporter::importReduce},
      {"ReduceProd", &ONNXImporter::importReduce},
      {"ReduceL1", &ONNXImporter::importReduce},
      {"ReduceL2", &ONNXImporter::importReduce},
      {"ReduceLogSum", &ONNXImporter::importReduce},
      {"ReduceLogSumExp", &ONNXImporter::importReduce},
      {"ReduceSumSquare", &ONNXImporter::importReduce},
      {"ArgMax", &ONNXImporter::importArgReduce},
      {"ArgMin", &ONNXImporter::importArgReduce},
      {"CumSum", &ONNXImporter::importAxisOp},
      {"Trilu", &ONNXImporter::importAxisOp},
      {"LogSoftmax", &ONNXImporter::importAxisOp},
      {"Hardmax", &ONNXImporter::importAxisOp},
      {"Size", &ONNXImporter::importSize},
      {"Expand", &ONNXImporter::importIndexing},
      {"Tile", &ONNXImporter::importIndexing},
      {"IsNaN", &ONNXImporter::importIndexing},
      {"IsInf", &ONNXImporter::importIndexing},
      {"GatherElements", &ONNXImporter::importIndexing},
      // ImportNormalization.cpp
      {"InstanceNormalization", &ONNXImporter::importNormalization},
      {"MeanVarianceNormalization", &ONNXImporter::importNormalization},
      {"LpNormalization", &ONNXImporter::importNormalization},
      {"LRN", &ONNXImporter::importNormalization},
      {"GlobalMaxPool", &ONNXImporter::importNormalization},
      {"EyeLike", &ONNXImporter::importNormalization},
      // ImportRNN.cpp
      {"RNN", &ONNXImporter::importRecurrent},
      {"GRU", &ONNXImporter::importRecurrent},
      {"LSTM", &ONNXImporter::importRecurrent},
      // ImportImage.cpp
      {"ConvTranspose", &ONNXImporter::importConvTranspose},
      {"Resize", &ONNXImporter::importResize},
      {"Upsample", &ONNXImporter::importResize},
      {"DepthToSpace", &ONNXImporter::importDepthSpace},
      {"SpaceToDepth", &ONNXImporter::importDepthSpace},
      // ImportScatter.cpp
      {"ScatterElements", &ONNXImporter::importScatterGather},
      {"Scatter", &ONNXImporter::importScatterGather},
      {"ScatterND", &ONNXImporter::importScatterGather},
      {"GatherND", &ONNXImporter::importScatterGather},
      {"ReverseSequence", &ONNXImporter::importReverseSequence},
      {"Compress", &ONNXImporter::importSelection},
      {"NonZero", &ONNXImporter::importSelection},
      {"Unique", &ONNXImporter::importSelection},
      {"TopK", &ONNXImporter::importSelection},
      {"BitShift", &ONNXImporter::importBitShift},
      {"OneHot", &ONNXImporter::importOneHot},
      {"Einsum", &ONNXImporter::importEinsum},
      {"HannWindow", &ONNXImporter::importWindow},
      {"HammingWindow", &ONNXImporter::importWindow},
      {"BlackmanWindow", &ONNXImporter::importWindow},
      {"Det", &ONNXImporter::importDet},
      // ImportSignal.cpp
      {"DFT", &ONNXImporter::importDft},
      {"STFT", &ONNXImporter::importStft},
      {"MelWeightMatrix", &ONNXImporter::importMelWeightMatrix},
  };
  return table;
}

LogicalResult ONNXImporter::importNode(const onnx::NodeProto &node) {
  for (const std::string &name : node.output())
    if (!name.empty())
      producers[name] = {&node, nodeIndex};
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return nodeError(node) << "unsupported operator domain '" << node.domain()
                           << "'";
  auto it = handlers().find(node.op_type());
  if (it == handlers().end()) {
    if (node.op_type() == "Loop" || node.op_type() == "Scan")
      return nodeError(node)
             << node.op_type()
             << " is not supported: cim compiles static graphs, and only an "
                "If whose condition is known at import folds";
    return nodeError(node) << "unsupported ONNX op '" << node.op_type() << "'";
  }
  OpBuilder::InsertionGuard guard(builder);
  return (this->*(it->second))(node);
}

void ONNXImporter::countUses(const onnx::GraphProto &graph) {
  for (const auto &node : graph.node()) {
    for (const std::string &name : node.input())
      if (pending.count(name))
        ++remainingUses[name];
    // A branch reads outer values by name.
    for (const auto &a : node.attribute())
      if (a.has_g())
        countUses(a.g());
  }
  for (const auto &info : graph.output())
    if (pending.count(info.name()))
      ++remainingUses[info.name()];
}

LogicalResult ONNXImporter::checkDeclared(const onnx::ValueInfoProto &info,
                                          RankedTensorType type) {
  if (!info.type().has_tensor_type())
    return error() << "graph output '" << info.name() << "' is not a tensor";
  const auto &tensor = info.type().tensor_type();
  Type declared = elementType(tensor.elem_type());
  if (tensor.elem_type() != onnx::TensorProto::UNDEFINED &&
      declared != type.getElementType())
    return error() << "graph output '" << info.name() << "' is computed as "
                   << type << " but the model declares element type "
                   << onnx::TensorProto::DataType_Name(
                          static_cast<onnx::TensorProto::DataType>(
                              tensor.elem_type()));
  if (!tensor.has_shape())
    return success();
  const auto &dims = tensor.shape().dim();
  bool mismatch = dims.size() != type.getRank();
  for (int i = 0; !mismatch && i < dims.size(); ++i)
    mismatch =
        dims[i].has_dim_value() && dims[i].dim_value() != type.getDimSize(i);
  if (mismatch)
    return error() << "graph output '" << info.name() << "' is computed as "
                   << type << " but the model declares another shape";
  return success();
}

void ONNXImporter::unknownShape(const onnx::NodeProto &node, int i) {
  InFlightDiagnostic diag = nodeError(node);
  diag << "cannot infer the shape of output '" << node.output(i) << "'";
  // Ops whose first input is itself a shape or a count; the rest take
  // their shape-giving values (sizes, bounds, axes, repeats) from later
  // inputs.
  static const llvm::StringSet<> shapeFirst = {"ConstantOfShape", "Range",
                                               "NonZero", "Unique", "Compress"};
  int first = shapeFirst.contains(node.op_type()) ? 0 : 1;
  for (int j = first; j < node.input_size(); ++j) {
    if (node.input(j).empty())
      continue;
    if (isKnownAtImport(node.input(j)))
      continue;
    diag << ": it depends on the value of input " << j << ", and "
         << unknownValueReason(node.input(j));
    return;
  }
  diag << ": ONNX shape inference gives it no static shape from the "
          "inputs' shapes";
}

std::string ONNXImporter::unknownValueReason(const std::string &name) {
  // Follow the first input that is not constant back to where the unknown
  // value enters: a graph input, or an op whose result is not constant.
  std::string path = "'" + name + "'";
  std::string current = name;
  for (int depth = 0; depth < 64; ++depth) {
    auto it = producers.find(current);
    if (it == producers.end())
      return path + " is a graph input; fix its value with --input-value " +
             current + "=... if the model is meant for one value";
    const auto &[node, index] = it->second;
    std::string label = node->name().empty() ? "#" + std::to_string(index)
                                             : "'" + node->name() + "'";
    path += " is computed by node " + label + " (" + node->op_type() + ")";
    const std::string *next = nullptr;
    for (const std::string &in : node->input()) {
      if (!in.empty() && !isKnownAtImport(in)) {
        next = &in;
        break;
      }
    }
    if (!next)
      return path + ", whose result is not a constant at import";
    current = *next;
    path += " from '" + current + "', which";
  }
  return path;
}

LogicalResult ONNXImporter::bindInputValues(
    onnx::GraphProto &graph,
    llvm::StringMap<const onnx::TensorProto *> &inits) {
  for (const auto &[name, data] : options.inputValues) {
    auto *inputs = graph.mutable_input();
    auto it = llvm::find_if(
        *inputs, [&, &name = name](auto &info) { return info.name() == name; });
    if (it == inputs->end())
      return error() << "--input-value names '" << name
                     << "', which is not a graph input";
    const onnx::TypeProto &type = it->type();
    if (!type.has_tensor_type())
      return error() << "graph input '" << name << "' is not a tensor";
    int32_t elem = type.tensor_type().elem_type();
    onnx::TensorProto tensor;
    tensor.set_name(name);
    tensor.set_data_type(elem);
    // The declared shape where it is static; a scalar or a vector where
    // the model leaves it open.
    SmallVector<int64_t> shape;
    int64_t n = data.size();
    if (!type.tensor_type().has_shape()) {
      if (n != 1)
        shape.push_back(n);
    } else {
      const auto &dims = type.tensor_type().shape().dim();
      bool open = dims.size() == 1 && !dims[0].has_dim_value();
      int64_t count = 1;
      for (const auto &d : dims) {
        shape.push_back(d.dim_value());
        count *= d.has_dim_value() ? d.dim_value() : 0;
      }
      if (open)
        shape.assign({n});
      else if (count != n)
        return error() << "--input-value " << name << " gives " << n
                       << " values, but the input's declared shape holds "
                          "another number";
    }
    for (int64_t d : shape)
      tensor.add_dims(d);
    for (double v : data) {
      switch (elem) {
      case onnx::TensorProto::FLOAT:
      case onnx::TensorProto::FLOAT16:
        if (elem == onnx::TensorProto::FLOAT16)
          return error() << "--input-value " << name
                         << ": float16 inputs cannot be fixed";
        tensor.add_float_data(float(v));
        break;
      case onnx::TensorProto::DOUBLE:
        tensor.add_double_data(v);
        break;
      case onnx::TensorProto::INT64:
        tensor.add_int64_data(int64_t(v));
        break;
      case onnx::TensorProto::INT32:
      case onnx::TensorProto::INT16:
      case onnx::TensorProto::INT8:
      case onnx::TensorProto::UINT16:
      case onnx::TensorProto::UINT8:
      case onnx::TensorProto::BOOL:
        tensor.add_int32_data(int32_t(v));
        break;
      default:
        return error() << "--input-value " << name
                       << ": unsupported element type of the input";
      }
      if (elem != onnx::TensorProto::FLOAT &&
          elem != onnx::TensorProto::DOUBLE && v != std::trunc(v))
        return error() << "--input-value " << name << ": " << [&] {
          std::string text;
          llvm::raw_string_ostream(text) << llvm::format("%g", v);
          return text;
        }() << " is not an integer, and the input is";
    }
    *graph.add_initializer() = std::move(tensor);
    inputs->erase(it);
  }
  // The new initializers live at the end of the repeated field; index all
  // of them again (adding may have moved them).
  inits.clear();
  for (const auto &init : graph.initializer())
    inits[init.name()] = &init;
  return success();
}

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

/// The first output of `graph` or of a subgraph that is neither an input,
/// an initializer, a node's output nor a value of an enclosing graph; empty
/// if there is none.
static std::string undefinedOutput(const onnx::GraphProto &graph,
                                   llvm::StringSet<> outer) {
  for (const auto &info : graph.input())
    outer.insert(info.name());
  for (const auto &init : graph.initializer())
    outer.insert(init.name());
  for (const auto &node : graph.node()) {
    for (const auto &a : node.attribute()) {
      if (a.has_g())
        if (std::string missing = undefinedOutput(a.g(), outer);
            !missing.empty())
          return missing;
      for (const auto &g : a.graphs())
        if (std::string missing = undefinedOutput(g, outer); !missing.empty())
          return missing;
    }
    for (const std::string &name : node.output())
      outer.insert(name);
  }
  for (const auto &info : graph.output())
    if (!outer.contains(info.name()))
      return info.name();
  return {};
}

OwningOpRef<ModuleOp> ONNXImporter::importModel(onnx::ModelProto &model) {
  modelDir = llvm::sys::path::parent_path(sourceName).str();
  irVersion = model.ir_version();
  for (const auto &entry : model.opset_import())
    if (entry.domain().empty() || entry.domain() == "ai.onnx")
      opset = entry.version();
  if (opset >= 1 && opset < kMinOpset) {
    // libonnx's version converter throws (caught at the boundary) or leaves
    // a node it has no adapter for; either way the error names the opset.
    // libonnx's converter builds its IR from the graph and dereferences
    // null for an output no node produces (found by fuzz-onnx;
    // test/Regression/fuzz/onnx-convert-undefined-output.onnxtext).
    if (std::string missing = undefinedOutput(model.graph(), {});
        !missing.empty())
      return error() << "graph output '" << missing
                     << "' is not produced by any node",
             nullptr;
    onnx::ModelProto converted;
    try {
      // The adapters need every value's shape (Gemm 6→7, broadcasting).
      onnx::shape_inference::InferShapes(model, schemaRegistry());
      converted =
          onnx::version_conversion::ConvertVersion(model, kConvertToOpset);
    } catch (const std::exception &e) {
      return error() << "opset " << opset
                     << " model: the ONNX version converter cannot bring it "
                        "to opset "
                     << kConvertToOpset << ": "
                     << StringRef(e.what()).trim().take_front(500),
             nullptr;
    }
    model = std::move(converted);
    opset = 0;
    for (const auto &entry : model.opset_import())
      if (entry.domain().empty() || entry.domain() == "ai.onnx")
        opset = entry.version();
  }
  if (opset < kMinOpset || opset > kMaxOpset)
    return error() << "unsupported opset " << opset
                   << " of the default ONNX domain (expected 1 to "
                   << kMaxNewerOpset << "; opsets before " << kMinOpset
                   << " are converted to " << kConvertToOpset << ")",
           nullptr;

  onnx::GraphProto *graph = model.mutable_graph();
  llvm::StringMap<const onnx::TensorProto *> initializers;
  for (const auto &init : graph->initializer())
    initializers[init.name()] = &init;

  for (const auto &[name, shape] : options.inputShapes)
    if (llvm::none_of(graph->input(),
                      [&](auto &info) { return info.name() == name; }))
      return error() << "--input-shape names '" << name
                     << "', which is not a graph input",
             nullptr;

  if (failed(bindInputValues(*graph, initializers)))
    return nullptr;

  // Make every real graph input static before shape inference.
  for (auto &inputInfo : *graph->mutable_input()) {
    if (initializers.count(inputInfo.name()))
      continue;
    if (!inputInfo.type().has_tensor_type())
      return error() << "graph input '" << inputInfo.name()
                     << "' is not a tensor",
             nullptr;
    auto *shape =
        inputInfo.mutable_type()->mutable_tensor_type()->mutable_shape();
    auto given = llvm::find_if(options.inputShapes, [&](auto &entry) {
      return entry.first == inputInfo.name();
    });
    if (given != options.inputShapes.end()) {
      if (shape->dim_size() != 0 &&
          shape->dim_size() != static_cast<int>(given->second.size()))
        return error() << "--input-shape " << inputInfo.name() << " has rank "
                       << given->second.size() << " but the model's input has "
                       << "rank " << shape->dim_size(),
               nullptr;
      shape->clear_dim();
      for (int64_t d : given->second)
        shape->add_dim()->set_dim_value(d);
      continue;
    }
    for (int i = 0; i < shape->dim_size(); ++i) {
      auto *dim = shape->mutable_dim(i);
      if (dim->has_dim_value() && dim->dim_value() >= 0)
        continue;
      if (i == 0) {
        dim->set_dim_value(options.defaultBatch);
        continue;
      }
      return error() << "graph input '" << inputInfo.name() << "' has "
                     << "unknown dimension " << i
                     << (dim->has_dim_param() ? " ('" + dim->dim_param() + "')"
                                              : std::string())
                     << "; give its shape with --input-shape "
                     << inputInfo.name() << ":1x...",
             nullptr;
    }
  }

  onnx::ShapeInferenceOptions inferOptions{/*check_type=*/true,
                                           /*error_mode=*/1,
                                           /*enable_data_propagation=*/true};
  onnx::shape_inference::InferShapes(model, schemaRegistry(), inferOptions);

  for (const auto &info : graph->input())
    valueTypes[info.name()] = &info.type();
  for (const auto &info : graph->value_info())
    valueTypes[info.name()] = &info.type();
  for (const auto &info : graph->output())
    valueTypes[info.name()] = &info.type();

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());

  SmallVector<Type> argTypes;
  SmallVector<const onnx::ValueInfoProto *> args;
  for (const auto &info : graph->input()) {
    if (initializers.count(info.name()))
      continue;
    FailureOr<RankedTensorType> type =
        tensorType(info.type(), "graph input '" + info.name() + "'");
    if (failed(type))
      return nullptr;
    argTypes.push_back(*type);
    args.push_back(&info);
  }
  // The results' types are those of the values computed for them: a graph
  // output behind a folded If or a shape chain has no static type in the
  // model.
  auto func = func::FuncOp::create(builder, fileLoc, "main",
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, info] : llvm::enumerate(args)) {
    func.setArgAttr(i, "onnx.name", builder.getStringAttr(info->name()));
    values[info->name()] = entry->getArgument(i);
  }
  builder.setInsertionPointToStart(entry);

  body = entry;
  for (auto &init : *graph->mutable_initializer())
    if (!values.count(init.name())) // A graph input overrides its default.
      pending[init.name()] = &init;
  countUses(*graph);

  for (const auto &node : graph->node()) {
    ++nodeIndex;
    if (failed(importNode(node)))
      return nullptr;
  }

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const auto &info : graph->output()) {
    if (pending.count(info.name()) && !materialize(info.name()))
      return nullptr;
    auto it = values.find(info.name());
    if (it == values.end())
      return error() << "graph output '" << info.name()
                     << "' is not produced by any node",
             nullptr;
    if (failed(checkDeclared(info, typeOf(it->second))))
      return nullptr;
    results.push_back(it->second);
    resultTypes.push_back(it->second.getType());
  }
  func.setFunctionType(builder.getFunctionType(argTypes, resultTypes));
  for (auto [i, info] : llvm::enumerate(graph->output()))
    func.setResultAttr(i, "onnx.name", builder.getStringAttr(info.name()));
  func::ReturnOp::create(builder, fileLoc, results);
  // Folding (transposed or scaled weights) leaves the originals unused.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*entry)))
    if (isa<ConstantOp>(op) && op.use_empty())
      op.erase();
  return module;
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

/// The text format, with `//` comment lines (lit RUN lines) blanked so that
/// the parser's line numbers still match the file.
static std::string stripComments(StringRef text) {
  std::string result;
  for (StringRef line : llvm::split(text, '\n')) {
    if (!line.ltrim().starts_with("//"))
      result += line.str();
    result += '\n';
  }
  return result;
}

static bool looksLikeText(StringRef bytes) {
  std::string stripped = stripComments(bytes.take_front(1 << 16));
  StringRef s = StringRef(stripped).ltrim();
  return s.starts_with("<");
}

/// Runs `parse` and the import behind one exception boundary: libonnx reports
/// invalid models and failed inference by throwing. `parse` emits its own
/// error and returns false when the input is not a model.
template <typename ParseFn>
static OwningOpRef<ModuleOp>
guardedImport(StringRef sourceName, MLIRContext *context,
              const ImportONNXOptions &options, ParseFn parse) {
  context->loadDialect<CimDialect, func::FuncDialect>();
  Location fileLoc = FileLineColLoc::get(context, sourceName, 0, 0);
  try {
    onnx::ModelProto model;
    if (!parse(model, fileLoc))
      return nullptr;
    if (!model.has_graph()) {
      emitError(fileLoc) << "not an ONNX model (no graph)";
      return nullptr;
    }
    if (failed(adaptNewerOpset(model, fileLoc)))
      return nullptr;
    // The checker resolves external data relative to the model's directory,
    // which only its file-based entry point knows.
    bool external = llvm::any_of(model.graph().initializer(), [](auto &t) {
      return t.data_location() == onnx::TensorProto::EXTERNAL;
    });
    if (external && llvm::sys::fs::exists(sourceName))
      onnx::checker::check_model(sourceName.str());
    else
      onnx::checker::check_model(model);
    ONNXImporter importer(context, sourceName, options);
    OwningOpRef<ModuleOp> module = importer.importModel(model);
    if (module && failed(verify(*module)))
      return nullptr;
    return module;
  } catch (const std::exception &e) {
    StringRef what = StringRef(e.what()).trim();
    emitError(fileLoc) << "invalid ONNX model: " << what.take_front(2000);
    return nullptr;
  }
}

static bool parseText(StringRef bytes, onnx::ModelProto &model, Location loc) {
  std::string text = stripComments(bytes);
  onnx::OnnxParser parser(text.c_str());
  auto status = parser.Parse(model);
  if (!status.IsOK()) {
    emitError(loc) << "cannot parse the ONNX text format: "
                   << status.ErrorMessage();
    return false;
  }
  return true;
}

/// The model file must fit --max-model-bytes before protobuf reads it.
static bool checkModelSize(uint64_t bytes, Location loc) {
  if (llvm::Error e =
          checkLimit(bytes, getResourceLimits().maxModelBytes, "the ONNX model",
                     "bytes", "max-model-bytes")) {
    emitError(loc) << llvm::toString(std::move(e));
    return false;
  }
  return true;
}

static void reportNotAModel(Location loc) {
  emitError(loc) << "not an ONNX model (the file is truncated, corrupt or of "
                    "another format)";
}

OwningOpRef<ModuleOp> mlir::cim::importONNX(StringRef bytes,
                                            StringRef sourceName,
                                            MLIRContext *context,
                                            const ImportONNXOptions &options) {
  return guardedImport(
      sourceName, context, options, [&](onnx::ModelProto &model, Location loc) {
        if (!checkModelSize(bytes.size(), loc))
          return false;
        if (looksLikeText(bytes))
          return parseText(bytes, model, loc);
        if (bytes.size() > size_t(std::numeric_limits<int>::max()) ||
            !model.ParseFromArray(bytes.data(), int(bytes.size()))) {
          reportNotAModel(loc);
          return false;
        }
        return true;
      });
}

OwningOpRef<ModuleOp>
mlir::cim::importONNXFile(StringRef path, MLIRContext *context,
                          const ImportONNXOptions &options) {
  std::ifstream stream(path.str(), std::ios::binary);
  if (!stream) {
    emitError(FileLineColLoc::get(context, path, 0, 0))
        << "cannot read ONNX model: " << std::strerror(errno);
    return nullptr;
  }
  // Binary models stream into protobuf, so the file's bytes are never held
  // in memory beside the parsed model.
  std::string head(1 << 16, '\0');
  stream.read(head.data(), head.size());
  head.resize(stream.gcount());
  bool text = looksLikeText(head);
  stream.clear();
  stream.seekg(0);
  return guardedImport(
      path, context, options, [&](onnx::ModelProto &model, Location loc) {
        uint64_t size = 0;
        if (!llvm::sys::fs::file_size(path, size) && !checkModelSize(size, loc))
          return false;
        if (text) {
          std::string all((std::istreambuf_iterator<char>(stream)),
                          std::istreambuf_iterator<char>());
          return parseText(all, model, loc);
        }
        if (!model.ParseFromIstream(&stream)) {
          reportNotAModel(loc);
          return false;
        }
        return true;
      });
}

LogicalResult mlir::cim::parseInputShape(StringRef spec,
                                         ImportONNXOptions &options,
                                         std::string &error) {
  auto [name, dims] = spec.rsplit(':');
  if (name.empty() || dims.empty() || name == spec) {
    error = ("--input-shape '" + spec +
             "': expected NAME:DxDx... (e.g. input:1x3x224x224)")
                .str();
    return failure();
  }
  SmallVector<int64_t> shape;
  for (StringRef d : llvm::split(dims, 'x')) {
    int64_t v;
    if (d.getAsInteger(10, v) || v < 0 || v > maxElements()) {
      error =
          ("--input-shape '" + spec + "': '" + d + "' is not a dimension size")
              .str();
      return failure();
    }
    shape.push_back(v);
  }
  options.inputShapes.emplace_back(name.str(), shape);
  return success();
}

LogicalResult mlir::cim::parseInputValue(StringRef spec,
                                         ImportONNXOptions &options,
                                         std::string &error) {
  auto [name, list] = spec.split('=');
  if (name.empty() || list.empty() || name == spec) {
    error =
        ("--input-value '" + spec + "': expected NAME=V[,V...] (e.g. sr=16000)")
            .str();
    return failure();
  }
  std::vector<double> data;
  for (StringRef v : llvm::split(list, ',')) {
    double d;
    if (v.trim().getAsDouble(d) || !std::isfinite(d)) {
      error =
          ("--input-value '" + spec + "': '" + v + "' is not a number").str();
      return failure();
    }
    data.push_back(d);
  }
  options.inputValues.emplace_back(name.str(), std::move(data));
  return success();
}
