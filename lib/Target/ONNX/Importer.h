//===- Importer.h - The ONNX importer, shared by its files
//------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The importer class and the helpers its handler files share. Each file
// defines the handlers of one op family; ImportONNX.cpp walks the graph.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_TARGET_ONNX_IMPORTER_H
#define CIM_LIB_TARGET_ONNX_IMPORTER_H

#include "cim/Dialect/Cim/CimOps.h"
#include "cim/Support/Limits.h"
#include "cim/Target/ImportONNX.h"

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
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/checker.h>
#include <onnx/defs/parser.h>
#include <onnx/defs/shape_inference.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>

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

namespace mlir::cim::onnx_import {

/// The type of an imported value (every value the importer makes is a
/// ranked tensor).
inline RankedTensorType typeOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// `type`'s element type with another shape.
inline RankedTensorType withShape(RankedTensorType type,
                                  ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, type.getElementType());
}

/// Opsets of the default domain that the handlers follow. libonnx 1.12 knows
/// schemas up to 17.
inline constexpr int64_t kMinOpset = 7;
inline constexpr int64_t kMaxOpset = 17;
/// Newer opsets are rewritten to kMaxOpset where their ops mean the same
/// (NewerOpsets.cpp).
inline constexpr int64_t kMaxNewerOpset = 21;
/// Older models are first converted to this opset by libonnx's version
/// converter: 13 is where the axis semantics of Softmax and friends and the
/// Split/Squeeze inputs settled, so the adapters carry the old meaning over.
inline constexpr int64_t kConvertToOpset = 13;
/// No single tensor may have more elements (--max-tensor-elements): larger
/// declarations are corrupt or hostile, and fail before any allocation.
inline int64_t maxElements() {
  return int64_t(std::min<uint64_t>(getResourceLimits().maxTensorElements,
                                    std::numeric_limits<int64_t>::max()));
}

/// Rewrites a model of opset kMaxOpset+1 to kMaxNewerOpset into opset
/// kMaxOpset, before the checker; an error at `loc` names the first node
/// whose meaning changed (NewerOpsets.cpp).
LogicalResult adaptNewerOpset(onnx::ModelProto &model, Location loc);

/// The schema registry used for shape inference (SchemaRegistry.cpp).
const onnx::ISchemaRegistry *schemaRegistry();

/// "[1, 3, 224, 224]".
std::string formatShape(ArrayRef<int64_t> shape);

/// ONNX element type of a builtin type, or UNDEFINED.
int32_t onnxElementType(Type type);

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
           << "node " << name << " (" << node.op_type() << ")" << scope << ": ";
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
    case onnx::TensorProto::UINT16:
      return builder.getIntegerType(16, /*isSigned=*/false);
    case onnx::TensorProto::UINT32:
      return builder.getIntegerType(32, /*isSigned=*/false);
    case onnx::TensorProto::UINT64:
      return builder.getIntegerType(64, /*isSigned=*/false);
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
    if (it == valueTypes.end() || !isStaticTensor(*it->second))
      return unknownShape(node, i), failure();
    return tensorType(*it->second, "output '" + node.output(i) + "' of node '" +
                                       node.name() + "'");
  }

  /// The error for output `i` of `node` whose shape is not known at import,
  /// with the reason: the input whose value it depends on, and where that
  /// value comes from.
  void unknownShape(const onnx::NodeProto &node, int i);
  /// Whether value `name` is a constant (an initializer not yet
  /// materialized, or a folded value).
  bool isKnownAtImport(const std::string &name) {
    if (pending.count(name))
      return true;
    Value v = values.lookup(name);
    return v && constantOf(v);
  }
  /// Why the value `name` is not known at import: a graph input, or which
  /// node computes it.
  std::string unknownValueReason(const std::string &name);

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

  /// Imports one node through its handler.
  LogicalResult importNode(const onnx::NodeProto &node);
  /// Counts the uses of pending initializers in `graph` and its branches.
  void countUses(const onnx::GraphProto &graph);
  /// Fails unless `type` agrees with graph output `info`'s declaration.
  LogicalResult checkDeclared(const onnx::ValueInfoProto &info,
                              RankedTensorType type);
  /// Turns the graph inputs of --input-value into initializers.
  LogicalResult
  bindInputValues(onnx::GraphProto &graph,
                  llvm::StringMap<const onnx::TensorProto *> &initializers);
  // ImportControlFlow.cpp
  LogicalResult importIf(const onnx::NodeProto &node);

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
  /// MaxPool's optional Indices output (k begins then k ends in `pads`).
  LogicalResult importPoolIndices(const onnx::NodeProto &node, Value x,
                                  ArrayRef<int64_t> kernel,
                                  ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> pads,
                                  ArrayRef<int64_t> dilations, bool ceilMode,
                                  bool lifted);
  LogicalResult importMaxUnpool(const onnx::NodeProto &node);
  LogicalResult importGlobalAveragePool(const onnx::NodeProto &node);
  LogicalResult importFlatten(const onnx::NodeProto &node);
  LogicalResult importReshapeLike(const onnx::NodeProto &node);
  LogicalResult importTranspose(const onnx::NodeProto &node);
  LogicalResult importConcat(const onnx::NodeProto &node);
  LogicalResult importSplit(const onnx::NodeProto &node);
  LogicalResult importPad(const onnx::NodeProto &node);
  LogicalResult importSoftmax(const onnx::NodeProto &node);
  LogicalResult importLayerNorm(const onnx::NodeProto &node);
  LogicalResult importIdentity(const onnx::NodeProto &node);
  LogicalResult importConstant(const onnx::NodeProto &node);
  LogicalResult importShape(const onnx::NodeProto &node);
  LogicalResult importGather(const onnx::NodeProto &node);
  LogicalResult importSlice(const onnx::NodeProto &node);
  LogicalResult importDynamicQuantizeLinear(const onnx::NodeProto &node);
  LogicalResult importGridSample(const onnx::NodeProto &node);
  LogicalResult importNonMaxSuppression(const onnx::NodeProto &node);
  LogicalResult importIntegerProduct(const onnx::NodeProto &node);
  FailureOr<Value> integerProduct(const onnx::NodeProto &node, int xi, int xzi,
                                  int wi, int wzi);
  Value zeroCorrected(Location loc, Value v, Value zero, int64_t axis);
  Value alongAxis(Location loc, Value v, int64_t axis, int64_t rank);
  LogicalResult importDynamicQuantize(const onnx::NodeProto &node, Value x,
                                      RankedTensorType outType, Value scale,
                                      Value zero);
  LogicalResult importDynamicSlice(const onnx::NodeProto &node, Value data,
                                   ArrayRef<Value> params);
  LogicalResult importDynamicPad(const onnx::NodeProto &node, Value x,
                                 RankedTensorType outType, Value pads,
                                 Value value);
  LogicalResult importCast(const onnx::NodeProto &node);
  LogicalResult importConstantOfShape(const onnx::NodeProto &node);
  LogicalResult importRange(const onnx::NodeProto &node);
  LogicalResult importQuantize(const onnx::NodeProto &node);
  // ImportMath.cpp
  LogicalResult importMathUnary(const onnx::NodeProto &node);
  LogicalResult importActivation(const onnx::NodeProto &node);
  LogicalResult importVariadic(const onnx::NodeProto &node);
  LogicalResult importLogic(const onnx::NodeProto &node);
  LogicalResult importWhere(const onnx::NodeProto &node);
  LogicalResult importReduce(const onnx::NodeProto &node);
  LogicalResult importArgReduce(const onnx::NodeProto &node);
  LogicalResult importAxisOp(const onnx::NodeProto &node);
  LogicalResult importSize(const onnx::NodeProto &node);
  // ImportShape.cpp
  LogicalResult importIndexing(const onnx::NodeProto &node);
  // ImportNormalization.cpp
  LogicalResult importNormalization(const onnx::NodeProto &node);
  /// A float scalar constant of `v`'s element type.
  Value scalarLike(Location loc, Value v, double value);
  /// (x - mean) / sqrt(var + epsilon) over `axes`.
  Value standardize(Location loc, Value x, ArrayRef<int64_t> axes,
                    double epsilon);
  // ImportRNN.cpp
  LogicalResult importRecurrent(const onnx::NodeProto &node);
  // ImportImage.cpp
  LogicalResult importConvTranspose(const onnx::NodeProto &node);
  LogicalResult importRoiAlign(const onnx::NodeProto &node);
  LogicalResult importResize(const onnx::NodeProto &node);
  LogicalResult importDepthSpace(const onnx::NodeProto &node);
  // ImportScatter.cpp (issue 20: indexing ops)
  LogicalResult importScatterGather(const onnx::NodeProto &node);
  LogicalResult importReverseSequence(const onnx::NodeProto &node);
  LogicalResult importSelection(const onnx::NodeProto &node);
  LogicalResult importBitShift(const onnx::NodeProto &node);
  LogicalResult importOneHot(const onnx::NodeProto &node);
  LogicalResult importEinsum(const onnx::NodeProto &node);
  LogicalResult importWindow(const onnx::NodeProto &node);
  LogicalResult importDet(const onnx::NodeProto &node);
  /// Type of output `i` whose shape depends on input values: as inferred
  /// (from constant inputs) or as the model declares it; an error naming
  /// the node if neither is static.
  FailureOr<RankedTensorType> declaredOutputType(const onnx::NodeProto &node,
                                                 int i);
  // End of ImportScatter.cpp.
  // ImportSignal.cpp (issue 20: signal ops)
  LogicalResult importDft(const onnx::NodeProto &node);
  LogicalResult importStft(const onnx::NodeProto &node);
  LogicalResult importMelWeightMatrix(const onnx::NodeProto &node);
  /// Fails (naming the node) unless `v` is a one-element integer (or float)
  /// tensor and, if constant, at least `min`.
  LogicalResult checkScalarInput(const onnx::NodeProto &node, StringRef name,
                                 Value v, bool integer,
                                 std::optional<int64_t> min = std::nullopt);

  /// Fails (with an error) unless `a` and `b` have one element type.
  LogicalResult sameElementTypes(const onnx::NodeProto &node, Value &a,
                                 Value &b);
  /// Axes from input `inputIndex` if present (must be constant), else from
  /// the `axes` attribute.
  std::optional<SmallVector<int64_t>> axesOf(const onnx::NodeProto &node,
                                             int inputIndex);

  /// Explicit pads [top, left, bottom, right] of a 2-D window op, from `pads`
  /// or `auto_pad`.
  FailureOr<SmallVector<int64_t>>
  windowPads(const onnx::NodeProto &node, RankedTensorType input,
             ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
             ArrayRef<int64_t> dilations, bool lifted1D = false);
  /// The 2-D window of a Conv or pooling node (1-D ones lifted): strides,
  /// dilations, pads and the 2-D result type.
  struct Window2D {
    SmallVector<int64_t> strides, dilations, pads;
    RankedTensorType resultType;
  };
  FailureOr<Window2D> window2D(const onnx::NodeProto &node,
                               RankedTensorType input, ArrayRef<int64_t> kernel,
                               bool lifted);
  /// [N, C, W] as [N, C, 1, W], for 1-D window ops run as 2-D.
  Value liftTo2D(Location loc, Value v);

  // 3-D windows as sums or maxima of 2-D ones (ImportVolume.cpp).
  struct Window3D {
    SmallVector<int64_t> kernel, strides, dilations;
    SmallVector<int64_t> pads; // 3 begins, then 3 ends
  };
  FailureOr<Window3D> window3D(const onnx::NodeProto &node,
                               RankedTensorType input,
                               ArrayRef<int64_t> kernel);
  FailureOr<int64_t> depthCheck(const onnx::NodeProto &node, int64_t depth,
                                const Window3D &w, int64_t outDepth);
  Value depthPlanes(Location loc, Value x, int64_t kd, int64_t stride,
                    int64_t dilation, int64_t outDepth);
  Value fromDepthBatch(Location loc, Value y, RankedTensorType outType);
  LogicalResult importConv3D(const onnx::NodeProto &node, Value x, Value w,
                             Value bias);
  LogicalResult importPool3D(const onnx::NodeProto &node, Value x,
                             ArrayRef<int64_t> kernel);
  /// ConvTranspose's product and scatter over NCDHW, with ONNX's pads
  /// already resolved (3 begins, then 3 ends; an end may be negative).
  Value transposedConv3D(Location loc, Value x, Value w, int64_t group,
                         ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                         ArrayRef<int64_t> dilations,
                         RankedTensorType resultType);

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
  /// The node that computes each value, for errors about unknown values.
  /// (With the node's position, for unnamed nodes.)
  llvm::StringMap<std::pair<const onnx::NodeProto *, int>> producers;
  /// " in the then_branch of node #3 (If)" while a branch is imported.
  std::string scope;
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

} // namespace mlir::cim::onnx_import

#endif // CIM_LIB_TARGET_ONNX_IMPORTER_H
