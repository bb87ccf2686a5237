//===- NewerOpsets.cpp - Opsets 18 to 21 as opset 17 ----------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// libonnx 1.12 knows the default domain's schemas up to opset 17, and its
// checker and shape inference read a newer model with the opset-17 schemas:
// a ReduceMax-18 with its axes as an input is "a node with too many inputs",
// and a Gelu-20 is an unknown op. Most of what changed in opsets 18 to 21
// adds element types (float8, int4) or moves an attribute to an input; such
// nodes are rewritten here, before the checker, into their opset-17 form.
// Ops new since 17 that cim supports (Gelu, Mish, GroupNormalization) expand
// into opset-17 ops the way their ONNX function bodies do. Everything else
// whose meaning differs from 17 is an error naming the node and the change.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include <onnx/defs/tensor_proto_util.h>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::onnx_import;

namespace {

/// Rewrites the nodes of one graph (and, recursively, its subgraphs).
class OpsetAdapter {
public:
  OpsetAdapter(int64_t opset, Location loc) : opset(opset), loc(loc) {}

  LogicalResult adaptGraph(onnx::GraphProto &graph);

private:
  /// Names a node as the importer does: by name, else by its position.
  InFlightDiagnostic nodeError(const onnx::NodeProto &node) {
    std::string name = node.name().empty() ? "#" + std::to_string(index)
                                           : "'" + node.name() + "'";
    return emitError(loc) << "node " << name << " (" << node.op_type()
                          << ", opset " << opset << ")"
                          << (scopes.size() > 1 ? " in a subgraph" : "")
                          << ": ";
  }

  static onnx::AttributeProto *findAttr(onnx::NodeProto &node, StringRef name) {
    for (auto &a : *node.mutable_attribute())
      if (a.name() == name)
        return &a;
    return nullptr;
  }
  static void eraseAttr(onnx::NodeProto &node, StringRef name) {
    auto *attrs = node.mutable_attribute();
    for (int i = attrs->size() - 1; i >= 0; --i)
      if (attrs->Get(i).name() == name)
        attrs->DeleteSubrange(i, 1);
  }
  static void dropInputsFrom(onnx::NodeProto &node, int first) {
    while (node.input_size() > first)
      node.mutable_input()->RemoveLast();
  }
  static bool hasInput(const onnx::NodeProto &node, int i) {
    return i < node.input_size() && !node.input(i).empty();
  }

  /// The constant tensor named `name` in this graph or an enclosing one (an
  /// initializer or a Constant node's `value`), or null.
  const onnx::TensorProto *findConstant(const std::string &name) const {
    for (const onnx::GraphProto *graph : llvm::reverse(scopes)) {
      for (const auto &init : graph->initializer())
        if (init.name() == name)
          return &init;
      for (const auto &node : graph->node())
        if (node.op_type() == "Constant" && node.output_size() == 1 &&
            node.output(0) == name)
          for (const auto &a : node.attribute())
            if (a.name() == "value" && a.has_t())
              return &a.t();
    }
    return nullptr;
  }

  /// The integers of constant input `i` (axes and the like), or nullopt.
  std::optional<std::vector<int64_t>> constInts(const onnx::NodeProto &node,
                                                int i) const {
    const onnx::TensorProto *t = findConstant(node.input(i));
    if (!t || t->data_location() == onnx::TensorProto::EXTERNAL)
      return std::nullopt;
    if (t->data_type() == onnx::TensorProto::INT64)
      return onnx::ParseData<int64_t>(t);
    if (t->data_type() == onnx::TensorProto::INT32) {
      std::vector<int32_t> v = onnx::ParseData<int32_t>(t);
      return std::vector<int64_t>(v.begin(), v.end());
    }
    return std::nullopt;
  }

  /// A fresh value name derived from `node`'s first output.
  std::string fresh(const onnx::NodeProto &node, StringRef what) {
    return (node.output(0) + "__" + what + "_" + Twine(counter++)).str();
  }
  onnx::NodeProto &emit(StringRef op, ArrayRef<std::string> inputs,
                        ArrayRef<std::string> outputs,
                        const onnx::NodeProto &from) {
    onnx::NodeProto &n = *out.Add();
    n.set_op_type(op.str());
    if (!from.name().empty())
      n.set_name(from.name() + "/" + op.str() + "_" + std::to_string(counter));
    for (const std::string &i : inputs)
      n.add_input(i);
    for (const std::string &o : outputs)
      n.add_output(o);
    return n;
  }
  static void setInts(onnx::NodeProto &n, StringRef name,
                      ArrayRef<int64_t> values) {
    onnx::AttributeProto *a = n.add_attribute();
    a->set_name(name.str());
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : values)
      a->add_ints(v);
  }
  static void setInt(onnx::NodeProto &n, StringRef name, int64_t value) {
    onnx::AttributeProto *a = n.add_attribute();
    a->set_name(name.str());
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
  }
  /// A scalar Constant of `type` (the type of the value it combines with is
  /// not known before shape inference, so expansions ask CastLike for it).
  std::string scalar(const onnx::NodeProto &from, float value,
                     const std::string &like) {
    std::string raw = fresh(from, "c"), name = fresh(from, "c");
    onnx::NodeProto &c = emit("Constant", {}, {raw}, from);
    onnx::AttributeProto *a = c.add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    a->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
    a->mutable_t()->add_float_data(value);
    emit("CastLike", {raw, like}, {name}, from);
    return name;
  }
  std::string intsConstant(const onnx::NodeProto &from,
                           ArrayRef<int64_t> values) {
    std::string name = fresh(from, "shape");
    onnx::NodeProto &c = emit("Constant", {}, {name}, from);
    onnx::AttributeProto *a = c.add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    a->mutable_t()->set_data_type(onnx::TensorProto::INT64);
    a->mutable_t()->add_dims(values.size());
    for (int64_t v : values)
      a->mutable_t()->add_int64_data(v);
    return name;
  }

  LogicalResult adaptNode(onnx::NodeProto &node);
  LogicalResult expandGelu(const onnx::NodeProto &node);
  LogicalResult expandMish(const onnx::NodeProto &node);
  LogicalResult expandGroupNorm(const onnx::NodeProto &node);

  int64_t opset;
  Location loc;
  SmallVector<onnx::GraphProto *> scopes;
  /// The rewritten node list of the graph being adapted.
  google::protobuf::RepeatedPtrField<onnx::NodeProto> out;
  int counter = 0;
  /// 1-based position of the node being adapted in its graph.
  int index = 0;
};

} // namespace

LogicalResult OpsetAdapter::adaptGraph(onnx::GraphProto &graph) {
  scopes.push_back(&graph);
  google::protobuf::RepeatedPtrField<onnx::NodeProto> saved;
  saved.Swap(&out);
  int outerIndex = index;
  index = 0;
  for (onnx::NodeProto &node : *graph.mutable_node()) {
    ++index;
    if (!node.domain().empty() && node.domain() != "ai.onnx") {
      *out.Add() = node;
      continue;
    }
    for (auto &a : *node.mutable_attribute()) {
      if (a.has_g() && failed(adaptGraph(*a.mutable_g())))
        return failure();
      for (auto &g : *a.mutable_graphs())
        if (failed(adaptGraph(g)))
          return failure();
    }
    int position = index;
    if (failed(adaptNode(node)))
      return failure();
    index = position;
  }
  index = outerIndex;
  graph.mutable_node()->Swap(&out);
  out.Swap(&saved);
  scopes.pop_back();
  return success();
}

LogicalResult OpsetAdapter::adaptNode(onnx::NodeProto &node) {
  StringRef op = node.op_type();
  if (op == "Gelu")
    return expandGelu(node);
  if (op == "Mish")
    return expandMish(node);
  if (op == "GroupNormalization")
    return expandGroupNorm(node);

  static const llvm::StringSet<> newOps = {
      "BitwiseAnd",    "BitwiseOr",      "BitwiseXor",   "BitwiseNot",
      "CenterCropPad", "Col2Im",         "DeformConv",   "AffineGrid",
      "ImageDecoder",  "RegexFullMatch", "StringConcat", "StringSplit"};
  if (newOps.contains(op))
    return nodeError(node) << "op new since opset 17 that cim does not import";

  // Reductions (18): axes moved from an attribute to an input, and
  // noop_with_empty_axes (ReduceSum's since 13) came with it.
  static const llvm::StringSet<> reductions = {
      "ReduceL1",   "ReduceL2",  "ReduceLogSum", "ReduceLogSumExp", "ReduceMax",
      "ReduceMean", "ReduceMin", "ReduceProd",   "ReduceSumSquare"};
  if (reductions.contains(op)) {
    std::optional<std::vector<int64_t>> axes;
    if (hasInput(node, 1)) {
      axes = constInts(node, 1);
      if (!axes)
        return nodeError(node) << "axes (input 1) must be a constant";
    }
    bool noop = findAttr(node, "noop_with_empty_axes") &&
                findAttr(node, "noop_with_empty_axes")->i() != 0;
    eraseAttr(node, "noop_with_empty_axes");
    dropInputsFrom(node, 1);
    if ((!axes || axes->empty()) && noop) {
      node.set_op_type("Identity");
      node.clear_attribute();
    } else if (axes && !axes->empty()) {
      setInts(node, "axes", *axes);
    }
  } else if (op == "Split") {
    // num_outputs (18) is implied by the number of outputs; 17 needs equal
    // parts, and its shape inference says so when they are not.
    eraseAttr(node, "num_outputs");
  } else if (op == "Pad") {
    if (hasInput(node, 3)) {
      std::optional<std::vector<int64_t>> axes = constInts(node, 3);
      if (!axes || !axes->empty())
        return nodeError(node) << "pads for a subset of axes (input 3, "
                                  "'axes') are not supported; give pads for "
                                  "every axis";
      dropInputsFrom(node, 3);
    }
    if (auto *mode = findAttr(node, "mode"); mode && mode->s() == "wrap")
      return nodeError(node) << "mode 'wrap' (opset 19) is not supported";
  } else if (op == "Resize") {
    if (auto *a = findAttr(node, "antialias"); a && a->i() != 0)
      return nodeError(node) << "antialias (opset 18) is not supported";
    if (findAttr(node, "axes"))
      return nodeError(node)
             << "'axes' (opset 18) is not supported; give scales or sizes "
                "for every axis";
    if (auto *a = findAttr(node, "keep_aspect_ratio_policy");
        a && a->s() != "stretch")
      return nodeError(node) << "keep_aspect_ratio_policy '" << a->s()
                             << "' (opset 18) is not supported";
    if (auto *a = findAttr(node, "coordinate_transformation_mode");
        a && a->s() == "half_pixel_symmetric")
      return nodeError(node) << "coordinate_transformation_mode "
                                "'half_pixel_symmetric' (opset 19) is not "
                                "supported";
    for (StringRef name : {"antialias", "keep_aspect_ratio_policy"})
      eraseAttr(node, name);
  } else if (op == "AveragePool" || op == "LpPool") {
    if (auto *a = findAttr(node, "dilations")) {
      if (llvm::any_of(a->ints(), [](int64_t d) { return d != 1; }))
        return nodeError(node) << "dilations (opset 19) are not supported";
      eraseAttr(node, "dilations");
    }
    if (op == "LpPool") {
      if (auto *a = findAttr(node, "ceil_mode"); a && a->i() != 0)
        return nodeError(node) << "ceil_mode (opset 18) is not supported";
      eraseAttr(node, "ceil_mode");
    }
  } else if (op == "Cast" || op == "CastLike") {
    // saturate (19) only affects float8 targets, which cim rejects anyway.
    eraseAttr(node, "saturate");
  } else if (op == "QuantizeLinear" || op == "DequantizeLinear") {
    eraseAttr(node, "saturate");
    if (auto *a = findAttr(node, "block_size"); a && a->i() != 0)
      return nodeError(node)
             << "blocked quantization (block_size, opset 21) is not "
                "supported";
    eraseAttr(node, "block_size");
    if (auto *a = findAttr(node, "output_dtype")) {
      // QuantizeLinear-21 may name its type instead of passing a zero
      // point; an explicit zero point of that type says the same in 17.
      int32_t type = static_cast<int32_t>(a->i());
      if (type != onnx::TensorProto::UINT8 && type != onnx::TensorProto::INT8)
        return nodeError(node)
               << "output_dtype "
               << onnx::TensorProto::DataType_Name(
                      static_cast<onnx::TensorProto::DataType>(type))
               << " is not supported (int8 and uint8 are)";
      eraseAttr(node, "output_dtype");
      if (!hasInput(node, 2)) {
        std::string zero = fresh(node, "zero_point");
        onnx::NodeProto &c = emit("Constant", {}, {zero}, node);
        onnx::AttributeProto *v = c.add_attribute();
        v->set_name("value");
        v->set_type(onnx::AttributeProto::TENSOR);
        v->mutable_t()->set_data_type(type);
        v->mutable_t()->add_int32_data(0);
        while (node.input_size() < 2)
          node.add_input("");
        if (node.input_size() == 2)
          node.add_input(zero);
        else
          node.set_input(2, zero);
      }
    }
  } else if (op == "GridSample") {
    // 20 renamed the modes and allowed N-D grids (cim's are 2-D).
    if (auto *mode = findAttr(node, "mode")) {
      if (mode->s() == "linear")
        mode->set_s("bilinear");
      else if (mode->s() == "cubic")
        mode->set_s("bicubic");
    }
  } else if (op == "DFT" && opset >= 20) {
    // 20 moved axis from an attribute (default 1) to input 2 (default -2).
    int64_t axis = -2;
    if (hasInput(node, 2)) {
      std::optional<std::vector<int64_t>> value = constInts(node, 2);
      if (!value || value->size() != 1)
        return nodeError(node) << "axis (input 2) must be a constant scalar";
      axis = value->front();
    }
    dropInputsFrom(node, 2);
    setInt(node, "axis", axis);
  }
  *out.Add() = node;
  return success();
}

/// Gelu-20: x/2 (1 + erf(x/sqrt 2)), or its tanh approximation.
LogicalResult OpsetAdapter::expandGelu(const onnx::NodeProto &node) {
  if (node.input_size() != 1 || node.output_size() != 1)
    return nodeError(node) << "expected 1 input and 1 output";
  std::string approximate = "none";
  for (const auto &a : node.attribute())
    if (a.name() == "approximate")
      approximate = a.s();
  const std::string &x = node.input(0);
  std::string inner = fresh(node, "inner"), t = fresh(node, "t"),
              onePlus = fresh(node, "one_plus"), half = fresh(node, "half");
  if (approximate == "none") {
    emit("Mul", {x, scalar(node, float(M_SQRT1_2), x)}, {inner}, node);
    emit("Erf", {inner}, {t}, node);
  } else if (approximate == "tanh") {
    // sqrt(2/pi) (x + 0.044715 x^3)
    std::string x3 = fresh(node, "x3"), x2 = fresh(node, "x2"),
                cubic = fresh(node, "cubic"), sum = fresh(node, "sum");
    emit("Mul", {x, x}, {x2}, node);
    emit("Mul", {x2, x}, {x3}, node);
    emit("Mul", {x3, scalar(node, 0.044715f, x)}, {cubic}, node);
    emit("Add", {x, cubic}, {sum}, node);
    emit("Mul", {sum, scalar(node, float(std::sqrt(2.0 / M_PI)), x)}, {inner},
         node);
    emit("Tanh", {inner}, {t}, node);
  } else {
    return nodeError(node) << "approximate must be 'none' or 'tanh', got '"
                           << approximate << "'";
  }
  emit("Add", {t, scalar(node, 1.0f, x)}, {onePlus}, node);
  emit("Mul", {x, scalar(node, 0.5f, x)}, {half}, node);
  emit("Mul", {half, onePlus}, {node.output(0)}, node);
  return success();
}

/// Mish-18: x tanh(softplus(x)).
LogicalResult OpsetAdapter::expandMish(const onnx::NodeProto &node) {
  if (node.input_size() != 1 || node.output_size() != 1)
    return nodeError(node) << "expected 1 input and 1 output";
  std::string sp = fresh(node, "softplus"), t = fresh(node, "tanh");
  emit("Softplus", {node.input(0)}, {sp}, node);
  emit("Tanh", {sp}, {t}, node);
  emit("Mul", {node.input(0), t}, {node.output(0)}, node);
  return success();
}

/// GroupNormalization-18 (scale and bias per group) and -21 (per channel):
/// [N, C, ...] viewed as [N, G, C/G * spatial], standardized over the last
/// axis, scaled, and viewed back.
LogicalResult OpsetAdapter::expandGroupNorm(const onnx::NodeProto &node) {
  if (node.input_size() != 3 || node.output_size() != 1)
    return nodeError(node) << "expected 3 inputs (X, scale, bias) and 1 output";
  int64_t groups = 0;
  float epsilon = 1e-5f;
  bool hasGroups = false;
  for (const auto &a : node.attribute()) {
    if (a.name() == "num_groups")
      groups = a.i(), hasGroups = true;
    else if (a.name() == "epsilon")
      epsilon = a.f();
  }
  if (!hasGroups || groups < 1)
    return nodeError(node) << "num_groups must be a positive integer";
  const std::string &x = node.input(0), &scale = node.input(1),
                    &bias = node.input(2);
  std::string x3 = fresh(node, "x3"), shape3 = fresh(node, "shape3"),
              grouped = fresh(node, "grouped"), mean = fresh(node, "mean"),
              centered = fresh(node, "centered"), sq = fresh(node, "sq"),
              var = fresh(node, "var"), varEps = fresh(node, "var_eps"),
              stddev = fresh(node, "std"), normed = fresh(node, "normed");
  // [N, C, S] first, so that the per-channel form needs no rank.
  emit("Reshape", {x, intsConstant(node, {0, 0, -1})}, {x3}, node);
  emit("Shape", {x3}, {shape3}, node);
  emit("Reshape", {x3, intsConstant(node, {0, groups, -1})}, {grouped}, node);
  setInts(emit("ReduceMean", {grouped}, {mean}, node), "axes", {2});
  emit("Sub", {grouped, mean}, {centered}, node);
  emit("Mul", {centered, centered}, {sq}, node);
  setInts(emit("ReduceMean", {sq}, {var}, node), "axes", {2});
  emit("Add", {var, scalar(node, epsilon, x)}, {varEps}, node);
  emit("Sqrt", {varEps}, {stddev}, node);
  emit("Div", {centered, stddev}, {normed}, node);
  // Scale and bias as [1, K, 1] over [N, K, *]: K = G (18) or C (21).
  std::string axes = intsConstant(node, {0, 2});
  std::string scale3 = fresh(node, "scale"), bias3 = fresh(node, "bias"),
              scaled = fresh(node, "scaled"), shifted = fresh(node, "shifted"),
              shapeX = fresh(node, "shape");
  emit("Unsqueeze", {scale, axes}, {scale3}, node);
  emit("Unsqueeze", {bias, axes}, {bias3}, node);
  std::string y3 = fresh(node, "y3");
  if (opset >= 21) {
    std::string perChannel = fresh(node, "per_channel");
    emit("Reshape", {normed, shape3}, {perChannel}, node);
    emit("Mul", {perChannel, scale3}, {scaled}, node);
    emit("Add", {scaled, bias3}, {y3}, node);
  } else {
    emit("Mul", {normed, scale3}, {scaled}, node);
    emit("Add", {scaled, bias3}, {shifted}, node);
    emit("Reshape", {shifted, shape3}, {y3}, node);
  }
  emit("Shape", {x}, {shapeX}, node);
  emit("Reshape", {y3, shapeX}, {node.output(0)}, node);
  return success();
}

LogicalResult mlir::cim::onnx_import::adaptNewerOpset(onnx::ModelProto &model,
                                                      Location loc) {
  onnx::OperatorSetIdProto *defaultOpset = nullptr;
  for (auto &entry : *model.mutable_opset_import())
    if (entry.domain().empty() || entry.domain() == "ai.onnx")
      defaultOpset = &entry;
  if (!defaultOpset || defaultOpset->version() <= kMaxOpset)
    return success();
  int64_t opset = defaultOpset->version();
  if (opset > kMaxNewerOpset)
    return emitError(loc) << "unsupported opset " << opset
                          << " of the default ONNX domain (cim imports 1 to "
                          << kMaxNewerOpset << ")",
           failure();
  OpsetAdapter adapter(opset, loc);
  if (failed(adapter.adaptGraph(*model.mutable_graph())))
    return failure();
  defaultOpset->set_version(kMaxOpset);
  // IR 9 and 10 added float8 and 4-bit element types, which cim rejects by
  // type; libonnx 1.12's checker knows IR 8.
  if (model.ir_version() > 8)
    model.set_ir_version(8);
  return success();
}
