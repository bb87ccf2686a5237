//===- SchemaRegistry.cpp - Guarded ONNX schemas
//----------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// ONNX shape inference through a registry that hardens libonnx's own
// convolution and pooling inference, and corrects STFT's.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::onnx_import;

/// The value of a one-element integer input known at inference time.
static std::optional<int64_t> scalarInput(onnx::InferenceContext &ctx,
                                          size_t i) {
  const onnx::TensorProto *t =
      i < ctx.getNumInputs() ? ctx.getInputData(i) : nullptr;
  if (!t)
    return std::nullopt;
  const std::string &raw = t->raw_data();
  if (t->data_type() == onnx::TensorProto::INT64) {
    if (t->int64_data_size() == 1)
      return t->int64_data(0);
    int64_t v;
    if (raw.size() == sizeof(v))
      return std::memcpy(&v, raw.data(), sizeof(v)), v;
  } else if (t->data_type() == onnx::TensorProto::INT32) {
    if (t->int32_data_size() == 1)
      return t->int32_data(0);
    int32_t v;
    if (raw.size() == sizeof(v))
      return std::memcpy(&v, raw.data(), sizeof(v)), v;
  }
  return std::nullopt;
}

/// STFT-17's shape inference. libonnx 1.12's takes a missing `onesided`
/// as 0 (the schema's default is 1) and divides by frame_step unchecked;
/// this one leaves what it cannot know (or what is invalid: the importer
/// reports that, naming the node) unknown.
static void inferStft(onnx::InferenceContext &ctx) {
  onnx::propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (!onnx::hasInputShape(ctx, 0) ||
      onnx::getInputShape(ctx, 0).dim_size() != 3)
    return;
  const onnx::TensorShapeProto &signal = onnx::getInputShape(ctx, 0);
  auto given = [&](size_t i) {
    return i < ctx.getNumInputs() && ctx.getInputType(i);
  };
  // -1: unknown (plain integers: GCC sees optionals as maybe-uninitialized).
  int64_t samples =
      signal.dim(1).has_dim_value() ? signal.dim(1).dim_value() : -1;
  int64_t length = scalarInput(ctx, 3).value_or(-1);
  if (length < 0 && given(2) && onnx::hasInputShape(ctx, 2) &&
      onnx::getInputShape(ctx, 2).dim_size() == 1 &&
      onnx::getInputShape(ctx, 2).dim(0).has_dim_value())
    length = onnx::getInputShape(ctx, 2).dim(0).dim_value();
  if (!given(2) && !given(3))
    length = samples;
  if (length < 1 || (samples >= 0 && length > samples))
    length = -1;
  int64_t step = scalarInput(ctx, 1).value_or(-1);
  onnx::TensorShapeProto out;
  *out.add_dim() = signal.dim(0);
  onnx::TensorShapeProto::Dimension *frames = out.add_dim();
  onnx::TensorShapeProto::Dimension *bins = out.add_dim();
  out.add_dim()->set_dim_value(2);
  if (length > 0) {
    bins->set_dim_value(onnx::getAttribute(ctx, "onesided", 1) ? length / 2 + 1
                                                               : length);
    if (step > 0 && samples >= 0)
      frames->set_dim_value(1 + (samples - length) / step);
  }
  onnx::updateOutputShape(ctx, 0, out);
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
    if (key == "STFT" && schema->SinceVersion() == 17) {
      std::lock_guard<std::mutex> lock(mutex);
      auto &copy = copies[{schema->Name(), schema->SinceVersion()}];
      if (!copy) {
        copy = std::make_unique<onnx::OpSchema>(*schema);
        copy->TypeAndShapeInferenceFunction(inferStft);
      }
      return copy.get();
    }
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

const onnx::ISchemaRegistry *mlir::cim::onnx_import::schemaRegistry() {
  static GuardedSchemaRegistry registry;
  return &registry;
}
