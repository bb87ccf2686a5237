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

#include "cim/Target/ImportONNX.h"
#include "cim/Dialect/Cim/CimOps.h"
#include "cim/Support/Limits.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/checker.h>
#include <onnx/defs/parser.h>
#include <onnx/defs/shape_inference.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <deque>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>

using namespace mlir;
using namespace mlir::cim;

/// Opsets of the default domain that the handlers follow. libonnx 1.12 knows
/// schemas up to 17.
static constexpr int64_t kMinOpset = 7;
static constexpr int64_t kMaxOpset = 17;
/// No single tensor may have more elements (--max-tensor-elements): larger
/// declarations are corrupt or hostile, and fail before any allocation.
static int64_t maxElements() {
  return int64_t(std::min<uint64_t>(getResourceLimits().maxTensorElements,
                                    std::numeric_limits<int64_t>::max()));
}

/// libonnx 1.12's convolution and pooling shape inference indexes its
/// attribute lists by the weight's spatial rank without checking them
/// against the input's rank, and reads out of bounds on inconsistent
/// models (found by fuzz-onnx; test/Regression/fuzz/onnx-conv-rank.onnxtext).
/// This registry hands out copies of those schemas whose inference checks
/// the ranks first and fails the way libonnx fails (an InferenceError).
namespace {
class GuardedSchemaRegistry : public onnx::ISchemaRegistry {
public:
  const onnx::OpSchema *GetSchema(const std::string &key, int maxVersion,
                                  const std::string &domain) const override {
    const onnx::OpSchema *schema =
        onnx::OpSchemaRegistry::Instance()->GetSchema(key, maxVersion, domain);
    if (!schema || !(domain.empty() || domain == "ai.onnx"))
      return schema;
    // Input index of the data and of the weight (-1: none).
    static const llvm::StringMap<std::pair<int, int>> guarded = {
        {"Conv", {0, 1}},        {"ConvInteger", {0, 1}},
        {"QLinearConv", {0, 3}}, {"ConvTranspose", {0, 1}},
        {"MaxPool", {0, -1}},    {"AveragePool", {0, -1}},
        {"LpPool", {0, -1}},     {"MaxRoiPool", {0, -1}},
        {"MaxUnpool", {0, -1}},
    };
    auto it = guarded.find(key);
    if (it == guarded.end())
      return schema;
    std::lock_guard<std::mutex> lock(mutex);
    auto &copy = copies[{schema->Name(), schema->SinceVersion()}];
    if (!copy) {
      copy = std::make_unique<onnx::OpSchema>(*schema);
      auto [dataIndex, weightIndex] = it->second;
      onnx::InferenceFunction original =
          schema->GetTypeAndShapeInferenceFunction();
      copy->TypeAndShapeInferenceFunction(
          [original, dataIndex = dataIndex,
           weightIndex = weightIndex](onnx::InferenceContext &ctx) {
            checkConvPoolRanks(ctx, dataIndex, weightIndex);
            if (original)
              original(ctx);
          });
    }
    return copy.get();
  }

private:
  static void checkConvPoolRanks(onnx::InferenceContext &ctx, int data,
                                 int weight) {
    if (size_t(data) >= ctx.getNumInputs() || !onnx::hasInputShape(ctx, data))
      return;
    int rank = onnx::getInputShape(ctx, data).dim_size();
    if (rank < 2)
      fail_shape_inference("input ", data, " has rank ", rank,
                           " (expected at least 2: batch, channels, ...)");
    int spatial = rank - 2;
    if (weight >= 0 && size_t(weight) < ctx.getNumInputs() &&
        onnx::hasInputShape(ctx, weight) &&
        onnx::getInputShape(ctx, weight).dim_size() != rank)
      fail_shape_inference("the weight (input ", weight, ") has rank ",
                           onnx::getInputShape(ctx, weight).dim_size(),
                           ", the data ", rank, " (expected equal ranks)");
    for (const char *name :
         {"kernel_shape", "strides", "dilations", "output_padding"})
      if (const onnx::AttributeProto *a = ctx.getAttribute(name))
        if (a->ints_size() != spatial)
          fail_shape_inference("attribute '", name, "' has ", a->ints_size(),
                               " values (expected ", spatial,
                               ", one per spatial dimension)");
    if (const onnx::AttributeProto *a = ctx.getAttribute("pads"))
      if (a->ints_size() != 2 * spatial)
        fail_shape_inference("attribute 'pads' has ", a->ints_size(),
                             " values (expected ", 2 * spatial, ")");
    // libonnx divides by strides and dilations (a zero stride was an FPE,
    // found by fuzz-onnx; test/Regression/fuzz/onnx-zero-stride.onnxtext).
    for (const char *name : {"kernel_shape", "strides", "dilations"})
      if (const onnx::AttributeProto *a = ctx.getAttribute(name))
        for (int64_t v : a->ints())
          if (v < 1)
            fail_shape_inference("attribute '", name, "' holds ", v,
                                 " (expected positive values)");
    if (const onnx::AttributeProto *a = ctx.getAttribute("pads"))
      for (int64_t v : a->ints())
        if (v < 0)
          fail_shape_inference("attribute 'pads' holds ", v,
                               " (expected non-negative values)");
    if (const onnx::AttributeProto *a = ctx.getAttribute("group"))
      if (a->i() < 1)
        fail_shape_inference("attribute 'group' is ", a->i(),
                             " (expected a positive value)");
  }

  mutable std::mutex mutex;
  mutable std::map<std::pair<std::string, int>, std::unique_ptr<onnx::OpSchema>>
      copies;
};
} // namespace

static const onnx::ISchemaRegistry *schemaRegistry() {
  static GuardedSchemaRegistry registry;
  return &registry;
}

/// "[1, 3, 224, 224]".
static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text = "[";
  llvm::raw_string_ostream os(text);
  llvm::interleaveComma(shape, os);
  os << "]";
  return text;
}

namespace {

class ONNXImporter {
public:
  ONNXImporter(MLIRContext *context, StringRef sourceName,
               const ImportONNXOptions &options)
      : context(context), builder(context), sourceName(sourceName.str()),
        options(options),
        fileLoc(FileLineColLoc::get(context, sourceName, 0, 0)) {}

  OwningOpRef<ModuleOp> importModel(onnx::ModelProto &model);

private:
  using Handler = LogicalResult (ONNXImporter::*)(const onnx::NodeProto &);
  static const llvm::StringMap<Handler> &handlers();

  //===--------------------------------------------------------------------===//
  // Diagnostics and locations
  //===--------------------------------------------------------------------===//

  /// Errors about the model as a whole; the location names the file.
  InFlightDiagnostic error() { return emitError(fileLoc); }

  Location nodeLoc(const onnx::NodeProto &node) {
    std::string name =
        node.name().empty() ? "#" + std::to_string(nodeIndex) : node.name();
    return NameLoc::get(StringAttr::get(context, name + ":" + node.op_type()),
                        fileLoc);
  }

  InFlightDiagnostic nodeError(const onnx::NodeProto &node) {
    std::string name = node.name().empty() ? "#" + std::to_string(nodeIndex)
                                           : "'" + node.name() + "'";
    return emitError(nodeLoc(node))
           << "node " << name << " (" << node.op_type() << "): ";
  }

  //===--------------------------------------------------------------------===//
  // Types and tensors
  //===--------------------------------------------------------------------===//

  Type elementType(int32_t onnxType) {
    switch (onnxType) {
    case onnx::TensorProto::FLOAT:
      return builder.getF32Type();
    case onnx::TensorProto::FLOAT16:
      return builder.getF16Type();
    case onnx::TensorProto::BFLOAT16:
      return builder.getBF16Type();
    case onnx::TensorProto::DOUBLE:
      return builder.getF64Type();
    case onnx::TensorProto::INT8:
      return builder.getIntegerType(8);
    case onnx::TensorProto::UINT8:
      return builder.getIntegerType(8, /*isSigned=*/false);
    case onnx::TensorProto::INT16:
      return builder.getIntegerType(16);
    case onnx::TensorProto::INT32:
      return builder.getIntegerType(32);
    case onnx::TensorProto::INT64:
      return builder.getIntegerType(64);
    case onnx::TensorProto::BOOL:
      return builder.getI1Type();
    default:
      return {};
    }
  }

  /// Static tensor type of `type`; `what` names it in errors.
  FailureOr<RankedTensorType> tensorType(const onnx::TypeProto &type,
                                         const Twine &what) {
    if (!type.has_tensor_type())
      return error() << what << " is not a tensor", failure();
    const onnx::TypeProto::Tensor &tensor = type.tensor_type();
    Type element = elementType(tensor.elem_type());
    if (!element)
      return error() << what << " has unsupported element type "
                     << onnx::TensorProto::DataType_Name(
                            static_cast<onnx::TensorProto::DataType>(
                                tensor.elem_type())),
             failure();
    if (!tensor.has_shape())
      return error() << "cannot infer the shape of " << what, failure();
    SmallVector<int64_t> shape;
    for (const auto &dim : tensor.shape().dim()) {
      if (!dim.has_dim_value() || dim.dim_value() < 0)
        return error() << "cannot infer the shape of " << what << " (dimension "
                       << shape.size() << " is "
                       << (dim.has_dim_param() ? "'" + dim.dim_param() + "'"
                                               : std::string("unknown"))
                       << ")",
               failure();
      shape.push_back(dim.dim_value());
    }
    int64_t count = checkedProduct(shape);
    if (count < 0 || count > maxElements())
      return error() << what << " has shape " << formatShape(shape)
                     << ", more than the limit of " << maxElements()
                     << " elements (--max-tensor-elements)",
             failure();
    return RankedTensorType::get(shape, element);
  }

  /// The contents of `tensor`; with `transposed`, those of its 2-D
  /// transpose (Gemm's transB weights go straight to crossbar layout without
  /// a second copy living in the context).
  FailureOr<DenseElementsAttr> tensorAttr(const onnx::TensorProto &tensor,
                                          bool transposed = false);

  /// Creates the constant of initializer `name` on first use. Initializers are
  /// materialized lazily and their protobuf data is released after the last
  /// use, so the import holds about one copy of the weights.
  Value materialize(StringRef name, bool transposed = false);

  //===--------------------------------------------------------------------===//
  // Values
  //===--------------------------------------------------------------------===//

  /// The value of input `i` of `node`; null (and an error) if absent.
  Value input(const onnx::NodeProto &node, int i) {
    if (i >= node.input_size() || node.input(i).empty()) {
      nodeError(node) << "missing input " << i;
      return {};
    }
    auto it = values.find(node.input(i));
    if (it == values.end() && pending.count(node.input(i))) {
      if (!materialize(node.input(i)))
        return {};
      it = values.find(node.input(i));
    }
    if (it == values.end()) {
      nodeError(node) << "input '" << node.input(i)
                      << "' is neither a graph input, an initializer nor "
                         "the output of an earlier node";
      return {};
    }
    return it->second;
  }

  bool hasInput(const onnx::NodeProto &node, int i) {
    return i < node.input_size() && !node.input(i).empty();
  }

  static bool isStaticTensor(const onnx::TypeProto &type) {
    if (!type.has_tensor_type() || !type.tensor_type().has_shape())
      return false;
    return llvm::all_of(type.tensor_type().shape().dim(), [](auto &dim) {
      return dim.has_dim_value() && dim.dim_value() >= 0;
    });
  }

  /// Reruns ONNX shape inference on `node` alone, with the types (and small
  /// integer constants) of its inputs as imported. Whole-graph inference
  /// stops at shapes computed by shape arithmetic (e.g. Slice ends from
  /// Shape -> Mul), which the importer has already evaluated.
  void inferNode(const onnx::NodeProto &node);

  /// Result type of output `i` from shape inference.
  FailureOr<RankedTensorType> outputType(const onnx::NodeProto &node, int i) {
    auto it = valueTypes.find(node.output(i));
    if (it == valueTypes.end() || !isStaticTensor(*it->second)) {
      inferNode(node);
      it = valueTypes.find(node.output(i));
    }
    if (it == valueTypes.end()) {
      nodeError(node) << "cannot infer the shape of output '" << node.output(i)
                      << "'";
      return failure();
    }
    return tensorType(*it->second, "output '" + node.output(i) + "' of node '" +
                                       node.name() + "'");
  }

  LogicalResult define(const onnx::NodeProto &node, int i, Value value) {
    if (i < node.output_size() && !node.output(i).empty())
      values[node.output(i)] = value;
    return success();
  }

  /// Fails if `node` produces more outputs than the first `count`.
  LogicalResult checkOutputs(const onnx::NodeProto &node, int count) {
    for (int i = count; i < node.output_size(); ++i)
      if (!node.output(i).empty())
        return nodeError(node) << "output " << i << " ('" << node.output(i)
                               << "') is not supported (inference only)";
    return success();
  }

  static DenseElementsAttr constantOf(Value v) {
    DenseElementsAttr attr;
    if (v && matchPattern(v, m_Constant(&attr)))
      return attr;
    return {};
  }

  /// Integer contents of a constant, flattened.
  static std::optional<SmallVector<int64_t>> intsOf(Value v) {
    DenseElementsAttr attr = constantOf(v);
    if (!attr || !isa<IntegerType>(attr.getElementType()))
      return std::nullopt;
    SmallVector<int64_t> result;
    bool isUnsigned = attr.getElementType().isUnsignedInteger();
    for (const APInt &x : attr.getValues<APInt>())
      result.push_back(isUnsigned ? int64_t(x.getZExtValue())
                                  : x.getSExtValue());
    return result;
  }

  Value constant(Location loc, DenseElementsAttr attr) {
    return ConstantOp::create(builder, loc, attr);
  }

  Value intConstant(Location loc, ArrayRef<int64_t> shape,
                    ArrayRef<int64_t> data) {
    auto type = RankedTensorType::get(shape, builder.getI64Type());
    return constant(loc, DenseElementsAttr::get(type, data));
  }

  //===--------------------------------------------------------------------===//
  // Attributes
  //===--------------------------------------------------------------------===//

  static const onnx::AttributeProto *attr(const onnx::NodeProto &node,
                                          StringRef name) {
    for (const auto &a : node.attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }
  static int64_t attrInt(const onnx::NodeProto &node, StringRef name,
                         int64_t def) {
    const auto *a = attr(node, name);
    return a ? a->i() : def;
  }
  static float attrFloat(const onnx::NodeProto &node, StringRef name,
                         float def) {
    const auto *a = attr(node, name);
    return a ? a->f() : def;
  }
  static std::string attrString(const onnx::NodeProto &node, StringRef name,
                                StringRef def) {
    const auto *a = attr(node, name);
    return a ? a->s() : def.str();
  }
  static SmallVector<int64_t> attrInts(const onnx::NodeProto &node,
                                       StringRef name,
                                       ArrayRef<int64_t> def = {}) {
    const auto *a = attr(node, name);
    if (!a)
      return SmallVector<int64_t>(def);
    return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
  }

  //===--------------------------------------------------------------------===//
  // Handlers (one per ONNX op type or family)
  //===--------------------------------------------------------------------===//

  LogicalResult importConv(const onnx::NodeProto &node);
  LogicalResult importGemm(const onnx::NodeProto &node);
  LogicalResult importMatMul(const onnx::NodeProto &node);
  LogicalResult importBinary(const onnx::NodeProto &node);
  LogicalResult importUnary(const onnx::NodeProto &node);
  LogicalResult importLeakyRelu(const onnx::NodeProto &node);
  LogicalResult importHardSigmoid(const onnx::NodeProto &node);
  LogicalResult importClip(const onnx::NodeProto &node);
  LogicalResult importBatchNorm(const onnx::NodeProto &node);
  LogicalResult importPool(const onnx::NodeProto &node);
  LogicalResult importGlobalAveragePool(const onnx::NodeProto &node);
  LogicalResult importFlatten(const onnx::NodeProto &node);
  LogicalResult importReshapeLike(const onnx::NodeProto &node);
  LogicalResult importTranspose(const onnx::NodeProto &node);
  LogicalResult importConcat(const onnx::NodeProto &node);
  LogicalResult importSplit(const onnx::NodeProto &node);
  LogicalResult importPad(const onnx::NodeProto &node);
  LogicalResult importSoftmax(const onnx::NodeProto &node);
  LogicalResult importReduceMean(const onnx::NodeProto &node);
  LogicalResult importLayerNorm(const onnx::NodeProto &node);
  LogicalResult importIdentity(const onnx::NodeProto &node);
  LogicalResult importConstant(const onnx::NodeProto &node);
  LogicalResult importShape(const onnx::NodeProto &node);
  LogicalResult importGather(const onnx::NodeProto &node);
  LogicalResult importSlice(const onnx::NodeProto &node);
  LogicalResult importCast(const onnx::NodeProto &node);
  LogicalResult importConstantOfShape(const onnx::NodeProto &node);
  LogicalResult importRange(const onnx::NodeProto &node);
  LogicalResult importQuantize(const onnx::NodeProto &node);

  /// Explicit pads [top, left, bottom, right] of a 2-D window op, from `pads`
  /// or `auto_pad`.
  FailureOr<SmallVector<int64_t>> windowPads(const onnx::NodeProto &node,
                                             RankedTensorType input,
                                             ArrayRef<int64_t> kernel,
                                             ArrayRef<int64_t> strides,
                                             ArrayRef<int64_t> dilations);

  MLIRContext *context;
  OpBuilder builder;
  std::string sourceName;
  const ImportONNXOptions &options;
  Location fileLoc;
  std::string modelDir;
  int64_t opset = 0;
  /// Position of the node being imported, for unnamed nodes.
  int nodeIndex = 0;
  llvm::StringMap<Value> values;
  llvm::StringMap<const onnx::TypeProto *> valueTypes;
  /// Types found by per-node inference (stable addresses for valueTypes).
  std::deque<onnx::TypeProto> inferredTypes;
  int64_t irVersion = 8;
  /// Initializers not yet materialized, and how many uses each has left.
  llvm::StringMap<onnx::TensorProto *> pending;
  llvm::StringMap<int> remainingUses;
  /// The function body, and the last initializer constant placed at its top.
  Block *body = nullptr;
  Operation *lastConstant = nullptr;
};

/// ONNX element type of a builtin type, or UNDEFINED.
static int32_t onnxElementType(Type type) {
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
    Value value = values.lookup(name);
    if (!value)
      continue;
    auto type = cast<RankedTensorType>(value.getType());
    int32_t elementType = onnxElementType(type.getElementType());
    DenseElementsAttr attr = constantOf(value);
    if (attr && type.getElementType().isInteger(64) &&
        attr.getNumElements() <= 1024) {
      onnx::TensorProto *tensor = graph->add_initializer();
      tensor->set_name(name);
      tensor->set_data_type(elementType);
      for (int64_t d : type.getShape())
        tensor->add_dims(d);
      for (const APInt &v : attr.getValues<APInt>())
        tensor->add_int64_data(v.getSExtValue());
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

} // namespace

const llvm::StringMap<ONNXImporter::Handler> &ONNXImporter::handlers() {
  static const llvm::StringMap<Handler> table = {
      {"Conv", &ONNXImporter::importConv},
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
      {"ReduceMean", &ONNXImporter::importReduceMean},
      {"LayerNormalization", &ONNXImporter::importLayerNorm},
      {"Identity", &ONNXImporter::importIdentity},
      {"Dropout", &ONNXImporter::importIdentity},
      {"Constant", &ONNXImporter::importConstant},
      {"Shape", &ONNXImporter::importShape},
      {"Gather", &ONNXImporter::importGather},
      {"Slice", &ONNXImporter::importSlice},
      {"Cast", &ONNXImporter::importCast},
      {"ConstantOfShape", &ONNXImporter::importConstantOfShape},
      {"Range", &ONNXImporter::importRange},
      {"QuantizeLinear", &ONNXImporter::importQuantize},
      {"DequantizeLinear", &ONNXImporter::importQuantize},
  };
  return table;
}

//===----------------------------------------------------------------------===//
// Initializers
//===----------------------------------------------------------------------===//

Value ONNXImporter::materialize(StringRef name, bool transposed) {
  auto it = pending.find(name);
  if (it == pending.end())
    return {};
  onnx::TensorProto *tensor = it->second;
  FailureOr<DenseElementsAttr> attr = tensorAttr(*tensor, transposed);
  if (failed(attr))
    return {};
  // Constants go to the top of the body, in creation order.
  OpBuilder constantBuilder(context);
  if (lastConstant)
    constantBuilder.setInsertionPointAfter(lastConstant);
  else
    constantBuilder.setInsertionPointToStart(body);
  auto op = ConstantOp::create(
      constantBuilder, NameLoc::get(builder.getStringAttr(name), fileLoc),
      *attr);
  lastConstant = op;
  Value value = op;
  if (transposed) {
    // Later uses may want the plain layout: keep the bytes until the last.
    if (--remainingUses[name] > 0)
      return value;
  } else {
    // Every later plain use shares this constant (and a later transB use
    // transposes it by folding), so the bytes are no longer needed.
    values[name] = value;
  }
  std::string().swap(*tensor->mutable_raw_data());
  pending.erase(name);
  return value;
}

FailureOr<DenseElementsAttr>
ONNXImporter::tensorAttr(const onnx::TensorProto &tensor, bool transposed) {
  std::string what = "tensor '" + tensor.name() + "'";
  Type element = elementType(tensor.data_type());
  if (!element)
    return error() << what << " has unsupported element type "
                   << onnx::TensorProto::DataType_Name(
                          static_cast<onnx::TensorProto::DataType>(
                              tensor.data_type())),
           failure();
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  int64_t count = checkedProduct(shape);
  if (count < 0 || count > maxElements())
    return error() << what << " declares shape " << formatShape(shape)
                   << " (expected non-negative dimensions and at most "
                   << maxElements() << " elements, --max-tensor-elements)",
           failure();
  auto type = RankedTensorType::get(shape, element);
  size_t width = (element.getIntOrFloatBitWidth() + 7) / 8;
  size_t bytes = size_t(count) * width;

  if (transposed && shape.size() != 2)
    return error() << what << " must be 2-D to be transposed", failure();
  auto fromRaw = [&](StringRef raw) -> FailureOr<DenseElementsAttr> {
    if (raw.size() != bytes)
      return error() << what << " declares " << count << " elements (" << bytes
                     << " bytes) but holds " << raw.size() << " bytes",
             failure();
    if (transposed && !element.isInteger(1)) {
      int64_t rows = shape[0], cols = shape[1];
      std::vector<char> buffer(bytes);
      // Blocked, so that both sides stay in cache for large FC weights.
      constexpr int64_t kBlock = 64;
      for (int64_t r0 = 0; r0 < rows; r0 += kBlock)
        for (int64_t c0 = 0; c0 < cols; c0 += kBlock)
          for (int64_t r = r0; r < std::min(rows, r0 + kBlock); ++r)
            for (int64_t c = c0; c < std::min(cols, c0 + kBlock); ++c)
              std::memcpy(&buffer[(c * rows + r) * width],
                          &raw.data()[(r * cols + c) * width], width);
      return DenseElementsAttr::getFromRawBuffer(
          RankedTensorType::get({cols, rows}, element), buffer);
    }
    if (element.isInteger(1)) {
      SmallVector<bool> bits;
      for (char c : raw)
        bits.push_back(c != 0);
      return DenseElementsAttr::get(type, bits);
    }
    return DenseElementsAttr::getFromRawBuffer(
        type, ArrayRef<char>(raw.data(), raw.size()));
  };

  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    int64_t offset = 0, length = -1;
    for (const auto &entry : tensor.external_data()) {
      if (entry.key() == "location")
        location = entry.value();
      else if (entry.key() == "offset")
        offset = std::strtoll(entry.value().c_str(), nullptr, 10);
      else if (entry.key() == "length")
        length = std::strtoll(entry.value().c_str(), nullptr, 10);
    }
    if (location.empty() || llvm::sys::path::is_absolute(location) ||
        StringRef(location).contains(".."))
      return error() << what << " has an invalid external data location '"
                     << location << "' (expected a file beside the model)",
             failure();
    SmallString<256> path(
        options.externalDataDir.empty() ? modelDir : options.externalDataDir);
    llvm::sys::path::append(path, location);
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    if (!buffer)
      return error() << what << ": cannot read external data file '" << path
                     << "': " << buffer.getError().message(),
             failure();
    StringRef data = (*buffer)->getBuffer();
    if (offset < 0 || size_t(offset) > data.size())
      return error() << what << ": external data offset " << offset
                     << " is beyond the end of '" << path << "'",
             failure();
    data = data.drop_front(offset);
    if (length >= 0) {
      if (size_t(length) > data.size())
        return error() << what << ": external data of " << length
                       << " bytes runs past the end of '" << path << "'",
               failure();
      data = data.take_front(length);
    }
    return fromRaw(data);
  }

  if (tensor.has_raw_data())
    return fromRaw(tensor.raw_data());
  if (transposed) {
    FailureOr<DenseElementsAttr> plain = tensorAttr(tensor);
    if (failed(plain))
      return failure();
    auto t = RankedTensorType::get({shape[1], shape[0]}, element);
    SmallVector<Attribute> data(plain->getValues<Attribute>());
    SmallVector<Attribute> result;
    for (int64_t c = 0; c < shape[1]; ++c)
      for (int64_t r = 0; r < shape[0]; ++r)
        result.push_back(data[r * shape[1] + c]);
    return DenseElementsAttr::get(t, result);
  }

  auto checkCount = [&](int64_t have) -> LogicalResult {
    if (have != count)
      return error() << what << " declares " << count << " elements but holds "
                     << have,
             failure();
    return success();
  };
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (failed(checkCount(tensor.float_data_size())))
      return failure();
    return DenseElementsAttr::get(
        type,
        ArrayRef<float>(tensor.float_data().data(), tensor.float_data_size()));
  case onnx::TensorProto::DOUBLE:
    if (failed(checkCount(tensor.double_data_size())))
      return failure();
    return DenseElementsAttr::get(type,
                                  ArrayRef<double>(tensor.double_data().data(),
                                                   tensor.double_data_size()));
  case onnx::TensorProto::INT64:
    if (failed(checkCount(tensor.int64_data_size())))
      return failure();
    return DenseElementsAttr::get(type,
                                  ArrayRef<int64_t>(tensor.int64_data().data(),
                                                    tensor.int64_data_size()));
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16: {
    if (failed(checkCount(tensor.int32_data_size())))
      return failure();
    SmallVector<APFloat> data;
    const llvm::fltSemantics &sem =
        cast<FloatType>(element).getFloatSemantics();
    for (int32_t bits : tensor.int32_data())
      data.emplace_back(sem, APInt(16, uint16_t(bits)));
    return DenseElementsAttr::get(type, data);
  }
  default: {
    // int8/uint8/int16/int32/bool are stored widened in int32_data.
    if (failed(checkCount(tensor.int32_data_size())))
      return failure();
    unsigned bitWidth = element.getIntOrFloatBitWidth();
    SmallVector<APInt> data;
    for (int32_t v : tensor.int32_data())
      data.push_back(APInt(bitWidth, uint64_t(int64_t(v)), /*isSigned=*/true,
                           /*implicitTrunc=*/true));
    return DenseElementsAttr::get(type, data);
  }
  }
}

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> ONNXImporter::importModel(onnx::ModelProto &model) {
  modelDir = llvm::sys::path::parent_path(sourceName).str();
  irVersion = model.ir_version();
  for (const auto &entry : model.opset_import())
    if (entry.domain().empty() || entry.domain() == "ai.onnx")
      opset = entry.version();
  if (opset < kMinOpset || opset > kMaxOpset)
    return error() << "unsupported opset " << opset
                   << " of the default ONNX domain (expected " << kMinOpset
                   << " to " << kMaxOpset << ")",
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
  SmallVector<Type> resultTypes;
  for (const auto &info : graph->output()) {
    FailureOr<RankedTensorType> type =
        tensorType(info.type(), "graph output '" + info.name() + "'");
    if (failed(type))
      return nullptr;
    resultTypes.push_back(*type);
  }

  auto func = func::FuncOp::create(
      builder, fileLoc, "main", builder.getFunctionType(argTypes, resultTypes));
  Block *entry = func.addEntryBlock();
  for (auto [i, info] : llvm::enumerate(args)) {
    func.setArgAttr(i, "onnx.name", builder.getStringAttr(info->name()));
    values[info->name()] = entry->getArgument(i);
  }
  for (auto [i, info] : llvm::enumerate(graph->output()))
    func.setResultAttr(i, "onnx.name", builder.getStringAttr(info.name()));
  builder.setInsertionPointToStart(entry);

  body = entry;
  for (auto &init : *graph->mutable_initializer())
    if (!values.count(init.name())) // A graph input overrides its default.
      pending[init.name()] = &init;
  for (const auto &node : graph->node())
    for (const std::string &name : node.input())
      if (pending.count(name))
        ++remainingUses[name];
  for (const auto &info : graph->output())
    if (pending.count(info.name()))
      ++remainingUses[info.name()];

  for (const auto &node : graph->node()) {
    ++nodeIndex;
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      return nodeError(node)
                 << "unsupported operator domain '" << node.domain() << "'",
             nullptr;
    auto it = handlers().find(node.op_type());
    if (it == handlers().end())
      return nodeError(node)
                 << "unsupported ONNX op '" << node.op_type() << "'",
             nullptr;
    OpBuilder::InsertionGuard guard(builder);
    if (failed((this->*(it->second))(node)))
      return nullptr;
  }

  SmallVector<Value> results;
  for (const auto &info : graph->output()) {
    if (pending.count(info.name()) && !materialize(info.name()))
      return nullptr;
    auto it = values.find(info.name());
    if (it == values.end())
      return error() << "graph output '" << info.name()
                     << "' is not produced by any node",
             nullptr;
    results.push_back(it->second);
  }
  func::ReturnOp::create(builder, fileLoc, results);
  // Folding (transposed or scaled weights) leaves the originals unused.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*entry)))
    if (isa<ConstantOp>(op) && op.use_empty())
      op.erase();
  return module;
}

//===----------------------------------------------------------------------===//
// Crossbar ops
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<int64_t>>
ONNXImporter::windowPads(const onnx::NodeProto &node, RankedTensorType input,
                         ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                         ArrayRef<int64_t> dilations) {
  std::string autoPad = attrString(node, "auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    SmallVector<int64_t> pads = attrInts(node, "pads", {0, 0, 0, 0});
    if (pads.size() != 4)
      return nodeError(node)
                 << "expected 4 pads for a 2-D window, got " << pads.size(),
             failure();
    return pads;
  }
  if (autoPad == "VALID")
    return SmallVector<int64_t>{0, 0, 0, 0};
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return nodeError(node) << "unsupported auto_pad '" << autoPad
                           << "' (expected NOTSET, VALID, SAME_UPPER or "
                              "SAME_LOWER)",
           failure();
  SmallVector<int64_t> pads(4);
  for (int i = 0; i < 2; ++i) {
    int64_t in = input.getDimSize(2 + i);
    int64_t out = (in + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>(
        0, (out - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 - in);
    int64_t small = total / 2, large = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[2 + i] = autoPad == "SAME_UPPER" ? large : small;
  }
  return pads;
}

LogicalResult ONNXImporter::importConv(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value x = input(node, 0), w = input(node, 1);
  if (!x || !w)
    return failure();
  auto xType = cast<RankedTensorType>(x.getType());
  auto wType = cast<RankedTensorType>(w.getType());
  if (xType.getRank() != 4 || wType.getRank() != 4)
    return nodeError(node) << "only 2-D convolutions (rank-4 input and "
                              "weight) are supported, got input "
                           << xType << " and weight " << wType;
  Value bias = hasInput(node, 2) ? input(node, 2) : Value();
  if (hasInput(node, 2) && !bias)
    return failure();
  SmallVector<int64_t> kernel = {wType.getDimSize(2), wType.getDimSize(3)};
  SmallVector<int64_t> strides = attrInts(node, "strides", {1, 1});
  SmallVector<int64_t> dilations = attrInts(node, "dilations", {1, 1});
  if (strides.size() != 2 || dilations.size() != 2)
    return nodeError(node) << "expected 2 strides and 2 dilations";
  FailureOr<SmallVector<int64_t>> pads =
      windowPads(node, xType, kernel, strides, dilations);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(pads) || failed(outType))
    return failure();
  auto op = Conv2dOp::create(
      builder, loc, *outType, x, w, bias, builder.getDenseI64ArrayAttr(strides),
      builder.getDenseI64ArrayAttr(*pads),
      builder.getDenseI64ArrayAttr(dilations),
      builder.getI64IntegerAttr(attrInt(node, "group", 1)),
      /*precision=*/nullptr);
  return define(node, 0, op);
}

LogicalResult ONNXImporter::importGemm(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value transposedB;
  if (attrInt(node, "transB", 0) && node.input_size() > 1 &&
      pending.count(node.input(1)))
    if (!(transposedB = materialize(node.input(1), /*transposed=*/true)))
      return failure();
  Value a = input(node, 0), b = transposedB ? transposedB : input(node, 1);
  if (!a || !b)
    return failure();
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(outType))
    return failure();
  auto transpose = [&](Value v) -> Value {
    auto type = cast<RankedTensorType>(v.getType());
    auto transposed = RankedTensorType::get(
        {type.getDimSize(1), type.getDimSize(0)}, type.getElementType());
    // Folds to a constant when v is one (a weight in transB layout).
    return builder.createOrFold<TransposeOp>(
        loc, transposed, v, builder.getDenseI64ArrayAttr({1, 0}));
  };
  auto scale = [&](Value v, float factor) -> Value {
    if (factor == 1.0f)
      return v;
    auto type = cast<RankedTensorType>(v.getType());
    // A constant (the usual weight or bias) is scaled at import.
    if (auto dense = dyn_cast_or_null<DenseFPElementsAttr>(constantOf(v))) {
      APFloat f(factor);
      bool lost;
      f.convert(cast<FloatType>(type.getElementType()).getFloatSemantics(),
                APFloat::rmNearestTiesToEven, &lost);
      return constant(
          loc, dense.mapValues(type.getElementType(), [&](const APFloat &x) {
            return (x * f).bitcastToAPInt();
          }));
    }
    auto scalarType = RankedTensorType::get({}, type.getElementType());
    Value s = constant(
        loc,
        DenseElementsAttr::get(
            scalarType,
            builder.getFloatAttr(type.getElementType(), factor).getValue()));
    return MulOp::create(builder, loc, type, v, s);
  };
  if (cast<RankedTensorType>(a.getType()).getRank() != 2 ||
      cast<RankedTensorType>(b.getType()).getRank() != 2)
    return nodeError(node) << "expected rank-2 operands";
  if (attrInt(node, "transA", 0))
    a = transpose(a);
  if (attrInt(node, "transB", 0))
    b = transposedB ? transposedB : transpose(b);
  // alpha scales the (usually constant) weight so the product stays one gemm.
  b = scale(b, attrFloat(node, "alpha", 1.0f));
  Value c;
  if (hasInput(node, 2)) {
    c = input(node, 2);
    if (!c)
      return failure();
    c = scale(c, attrFloat(node, "beta", 1.0f));
  }
  auto op = GemmOp::create(builder, loc, *outType, a, b, c, nullptr);
  return define(node, 0, op);
}

LogicalResult ONNXImporter::importMatMul(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value a = input(node, 0), b = input(node, 1);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!a || !b || failed(outType))
    return failure();
  auto aType = cast<RankedTensorType>(a.getType());
  auto bType = cast<RankedTensorType>(b.getType());
  // numpy promotes 1-D operands to matrices and drops the added dimension.
  auto promote = [&](Value v, RankedTensorType t, bool asRow) -> Value {
    if (t.getRank() != 1)
      return v;
    SmallVector<int64_t> shape = asRow
                                     ? SmallVector<int64_t>{1, t.getDimSize(0)}
                                     : SmallVector<int64_t>{t.getDimSize(0), 1};
    return builder.createOrFold<ReshapeOp>(
        loc, RankedTensorType::get(shape, t.getElementType()), v);
  };
  Value lhs = promote(a, aType, /*asRow=*/true);
  Value rhs = promote(b, bType, /*asRow=*/false);
  if (lhs == a && rhs == b) {
    auto op = MatmulOp::create(builder, loc, *outType, a, b, nullptr);
    return define(node, 0, op);
  }
  auto lt = cast<RankedTensorType>(lhs.getType());
  auto rt = cast<RankedTensorType>(rhs.getType());
  SmallVector<int64_t> batch;
  ArrayRef<int64_t> lb = lt.getShape().drop_back(2),
                    rb = rt.getShape().drop_back(2);
  batch.append(lb.size() >= rb.size() ? lb.begin() : rb.begin(),
               lb.size() >= rb.size() ? lb.end() : rb.end());
  batch.push_back(lt.getDimSize(lt.getRank() - 2));
  batch.push_back(rt.getDimSize(rt.getRank() - 1));
  Value product = MatmulOp::create(
      builder, loc, RankedTensorType::get(batch, outType->getElementType()),
      lhs, rhs, nullptr);
  return define(node, 0,
                builder.createOrFold<ReshapeOp>(loc, *outType, product));
}

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
    if (!attr || !isa<FloatType>(elementTypeOf(a)))
      return nodeError(node) << "operands of different element types ("
                             << elementTypeOf(a) << ", " << elementTypeOf(b)
                             << ") are only supported for a constant rhs";
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
    for (int i : {1, 2}) {
      if (!hasInput(node, i))
        continue;
      DenseElementsAttr bound = constantOf(input(node, i));
      if (!bound || bound.getNumElements() != 1 ||
          !isa<FloatType>(bound.getElementType()))
        return nodeError(node) << "the " << (i == 1 ? "min" : "max")
                               << " bound must be a constant float scalar";
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

//===----------------------------------------------------------------------===//
// Normalization and pooling
//===----------------------------------------------------------------------===//

LogicalResult ONNXImporter::importBatchNorm(const onnx::NodeProto &node) {
  if (attrInt(node, "training_mode", 0) || failed(checkOutputs(node, 1)))
    return nodeError(node) << "only inference batch normalization is "
                              "supported (training_mode = 0, one output)";
  SmallVector<Value> in;
  for (int i = 0; i < 5; ++i)
    if (!in.emplace_back(input(node, i)))
      return failure();
  auto op = BatchNormOp::create(
      builder, nodeLoc(node), in[0].getType(), in[0], in[1], in[2], in[3],
      in[4], builder.getF32FloatAttr(attrFloat(node, "epsilon", 1e-5f)));
  return define(node, 0, op);
}

LogicalResult ONNXImporter::importPool(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  if (!x || failed(checkOutputs(node, 1)))
    return failure();
  auto xType = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> kernel = attrInts(node, "kernel_shape");
  if (xType.getRank() != 4 || kernel.size() != 2)
    return nodeError(node) << "only 2-D pooling over NCHW is supported";
  SmallVector<int64_t> strides = attrInts(node, "strides", {1, 1});
  SmallVector<int64_t> dilations = attrInts(node, "dilations", {1, 1});
  FailureOr<SmallVector<int64_t>> pads =
      windowPads(node, xType, kernel, strides, dilations);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (failed(pads) || failed(outType))
    return failure();
  bool ceilMode = attrInt(node, "ceil_mode", 0);
  Value result;
  if (node.op_type() == "MaxPool") {
    result = MaxPool2dOp::create(builder, nodeLoc(node), *outType, x,
                                 builder.getDenseI64ArrayAttr(kernel),
                                 builder.getDenseI64ArrayAttr(strides),
                                 builder.getDenseI64ArrayAttr(*pads),
                                 builder.getDenseI64ArrayAttr(dilations),
                                 builder.getBoolAttr(ceilMode));
  } else {
    if (llvm::any_of(dilations, [](int64_t d) { return d != 1; }))
      return nodeError(node) << "dilated average pooling is not supported";
    result = AvgPool2dOp::create(
        builder, nodeLoc(node), *outType, x,
        builder.getDenseI64ArrayAttr(kernel),
        builder.getDenseI64ArrayAttr(strides),
        builder.getDenseI64ArrayAttr(*pads), builder.getBoolAttr(ceilMode),
        builder.getBoolAttr(attrInt(node, "count_include_pad", 0)));
  }
  return define(node, 0, result);
}

LogicalResult
ONNXImporter::importGlobalAveragePool(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!x || failed(outType))
    return failure();
  if (cast<RankedTensorType>(x.getType()).getRank() != 4)
    return nodeError(node) << "only 2-D global pooling (NCHW) is supported";
  return define(node, 0,
                GlobalAvgPool2dOp::create(builder, nodeLoc(node), *outType, x));
}

LogicalResult ONNXImporter::importSoftmax(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  if (!x)
    return failure();
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  int64_t axis = attrInt(node, "axis", opset < 13 ? 1 : -1);
  if (axis < 0)
    axis += rank;
  // Before opset 13 Softmax flattened from `axis` on; same thing only when
  // the axis is the last one.
  if (opset < 13 && axis != rank - 1)
    return nodeError(node) << "opset " << opset << " Softmax over axes " << axis
                           << ".. of a rank-" << rank
                           << " tensor is not supported (only the last axis)";
  return define(node, 0,
                SoftmaxOp::create(builder, nodeLoc(node), x.getType(), x,
                                  builder.getI64IntegerAttr(axis)));
}

LogicalResult ONNXImporter::importReduceMean(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!x || failed(outType))
    return failure();
  SmallVector<int64_t> axes = attrInts(node, "axes");
  if (axes.empty())
    for (int64_t i = 0; i < cast<RankedTensorType>(x.getType()).getRank(); ++i)
      axes.push_back(i);
  return define(
      node, 0,
      ReduceMeanOp::create(builder, nodeLoc(node), *outType, x,
                           builder.getDenseI64ArrayAttr(axes),
                           builder.getBoolAttr(attrInt(node, "keepdims", 1))));
}

LogicalResult ONNXImporter::importLayerNorm(const onnx::NodeProto &node) {
  Value x = input(node, 0), scale = input(node, 1);
  if (!x || !scale || failed(checkOutputs(node, 1)))
    return failure();
  Value bias = hasInput(node, 2) ? input(node, 2) : Value();
  return define(
      node, 0,
      LayerNormOp::create(
          builder, nodeLoc(node), x.getType(), x, scale, bias,
          builder.getI64IntegerAttr(attrInt(node, "axis", -1)),
          builder.getF32FloatAttr(attrFloat(node, "epsilon", 1e-5f))));
}

//===----------------------------------------------------------------------===//
// Layout ops
//===----------------------------------------------------------------------===//

LogicalResult ONNXImporter::importFlatten(const onnx::NodeProto &node) {
  Value x = input(node, 0);
  FailureOr<RankedTensorType> outType = outputType(node, 0);
  if (!x || failed(outType))
    return failure();
  int64_t axis = attrInt(node, "axis", 1);
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
  if (!x || failed(checkOutputs(node, 1)))
    return failure();
  return define(node, 0, x);
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
  if (!d || !idx || dataType.getRank() != 1)
    return nodeError(node) << "Gather is supported only on constant 1-D "
                              "integer data (shape arithmetic), got "
                           << data.getType();
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
    return nodeError(node) << "Cast of a non-constant tensor from "
                           << x.getType() << " to " << *outType
                           << " is not supported";
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
