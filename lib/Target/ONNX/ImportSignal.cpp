//===- ImportSignal.cpp - DFT, STFT, MelWeightMatrix ----------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// ONNX opset 17's signal ops (issue 20): DFT and STFT import as cim.dft and
// cim.stft; MelWeightMatrix folds to a constant when its five scalars are
// constants, else imports as cim.mel_weight_matrix. Result shapes are
// computed here from the constant scalars (libonnx 1.12's inference gets
// STFT's default onesided wrong), else taken as the model declares them.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "cim/Numerics/Signal.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::onnx_import;

/// The value of a one-element float constant, if `v` is one.
static std::optional<double> floatConstant(Value v) {
  DenseElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)) ||
      !isa<FloatType>(attr.getElementType()) || attr.getNumElements() != 1)
    return std::nullopt;
  APFloat x = *attr.getValues<APFloat>().begin();
  bool lost;
  x.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  return x.convertToDouble();
}

/// Input `i` of `node` if given (null and no error if absent); `ok` is
/// cleared when it is given but cannot be read (the error is out).
static Value optionalInput(const onnx::NodeProto &node, int i, bool &ok,
                           llvm::function_ref<Value(int)> input) {
  if (i >= node.input_size() || node.input(i).empty())
    return {};
  Value v = input(i);
  ok &= bool(v);
  return v;
}

/// A 0/1 attribute; other values are an error naming the node.
static FailureOr<bool> flag(StringRef name, int64_t value,
                            llvm::function_ref<InFlightDiagnostic()> error) {
  if (value != 0 && value != 1)
    return error() << "attribute '" << name << "' must be 0 or 1, got "
                   << value,
           failure();
  return value == 1;
}

LogicalResult ONNXImporter::checkScalarInput(const onnx::NodeProto &node,
                                             StringRef name, Value v,
                                             bool integer,
                                             std::optional<int64_t> min) {
  RankedTensorType type = typeOf(v);
  Type element = type.getElementType();
  if (type.getNumElements() != 1 ||
      (integer ? !isa<IntegerType>(element) : !isa<FloatType>(element)))
    return nodeError(node) << name << " must be a one-element "
                           << (integer ? "integer" : "float") << " tensor, got "
                           << type;
  if (min)
    if (std::optional<SmallVector<int64_t>> value = intsOf(v))
      if (value->front() < *min)
        return nodeError(node) << name << " must be at least " << *min
                               << ", got " << value->front();
  return success();
}

//===----------------------------------------------------------------------===//
// DFT
//===----------------------------------------------------------------------===//

LogicalResult ONNXImporter::importDft(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value x = input(node, 0);
  if (!x || failed(checkOutputs(node, 1)))
    return failure();
  bool ok = true;
  Value length =
      optionalInput(node, 1, ok, [&](int i) { return input(node, i); });
  if (!ok)
    return failure();
  RankedTensorType type = typeOf(x);
  int64_t rank = type.getRank();
  if (!isa<FloatType>(type.getElementType()) || rank < 3 ||
      (type.getShape().back() != 1 && type.getShape().back() != 2))
    return nodeError(node) << "expects a float input [batch, signal dims..., "
                              "1 or 2] of rank 3 or more, got "
                           << type;
  auto error = [&] { return nodeError(node); };
  FailureOr<bool> inverse = flag("inverse", attrInt(node, "inverse", 0), error);
  FailureOr<bool> onesided =
      flag("onesided", attrInt(node, "onesided", 0), error);
  if (failed(inverse) || failed(onesided))
    return failure();
  if (*inverse && *onesided)
    return nodeError(node) << "onesided and inverse cannot both be set";
  // Negative axes count from the back, the trailing real/imaginary
  // dimension included (as DFT-20 spells out).
  int64_t axis = attrInt(node, "axis", 1);
  if (axis < -rank || axis > rank - 2 || (axis < 0 && axis + rank > rank - 2))
    return nodeError(node) << "axis " << axis << " is out of range for an "
                           << "input of rank " << rank << " (expected [0, "
                           << rank - 2 << "] or [" << -rank << ", -2])";
  if (axis < 0)
    axis += rank;
  if (length && failed(checkScalarInput(node, "dft_length", length,
                                        /*integer=*/true, 1)))
    return failure();

  std::optional<int64_t> n = type.getDimSize(axis);
  if (length) {
    n = std::nullopt;
    if (std::optional<SmallVector<int64_t>> value = intsOf(length))
      n = value->front();
  }
  RankedTensorType outType;
  if (n) {
    SmallVector<int64_t> shape(type.getShape());
    shape.back() = 2;
    shape[axis] = *onesided ? *n / 2 + 1 : *n;
    int64_t count = checkedProduct(shape);
    if (count < 0 || count > maxElements())
      return nodeError(node) << "the result " << formatShape(shape)
                             << " has more than the limit of " << maxElements()
                             << " elements (--max-tensor-elements)";
    outType = withShape(type, shape);
  } else {
    FailureOr<RankedTensorType> declared = declaredOutputType(node, 0);
    if (failed(declared))
      return failure();
    outType = withShape(type, declared->getShape());
  }
  return define(node, 0,
                DftOp::create(builder, loc, outType, x, length,
                              builder.getI64IntegerAttr(axis),
                              builder.getBoolAttr(*inverse),
                              builder.getBoolAttr(*onesided)));
}

//===----------------------------------------------------------------------===//
// STFT
//===----------------------------------------------------------------------===//

LogicalResult ONNXImporter::importStft(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  Value signal = input(node, 0), step = input(node, 1);
  if (!signal || !step || failed(checkOutputs(node, 1)))
    return failure();
  bool ok = true;
  auto get = [&](int i) { return input(node, i); };
  Value window = optionalInput(node, 2, ok, get);
  Value frameLength = optionalInput(node, 3, ok, get);
  if (!ok)
    return failure();
  RankedTensorType type = typeOf(signal);
  if (!isa<FloatType>(type.getElementType()) || type.getRank() != 3 ||
      (type.getDimSize(2) != 1 && type.getDimSize(2) != 2))
    return nodeError(node) << "expects a float signal [batch, length, 1 or "
                              "2], got "
                           << type;
  auto error = [&] { return nodeError(node); };
  FailureOr<bool> onesided =
      flag("onesided", attrInt(node, "onesided", 1), error);
  if (failed(onesided) ||
      failed(checkScalarInput(node, "frame_step", step, true, 1)) ||
      (frameLength &&
       failed(checkScalarInput(node, "frame_length", frameLength, true, 1))))
    return failure();
  if (window && (typeOf(window).getRank() != 1 ||
                 typeOf(window).getElementType() != type.getElementType()))
    return nodeError(node) << "expects a 1-D window of the signal's element "
                              "type ("
                           << type.getElementType() << "), got "
                           << window.getType();

  int64_t samples = type.getDimSize(1);
  std::optional<int64_t> length;
  if (window)
    length = typeOf(window).getDimSize(0);
  if (frameLength) {
    std::optional<SmallVector<int64_t>> value = intsOf(frameLength);
    if (value && length && value->front() != *length)
      return nodeError(node)
             << "frame_length is " << value->front() << ", but the window has "
             << *length << " samples";
    length = value ? std::optional(value->front()) : std::nullopt;
  }
  if (!window && !frameLength) {
    // As ONNX's reference: one frame of the whole signal.
    frameLength = intConstant(loc, {}, {samples});
    length = samples;
  }
  if (length && (*length < 1 || *length > samples))
    return nodeError(node) << "the frame length " << *length
                           << " is not in [1, " << samples
                           << "] (the signal's length)";

  std::optional<SmallVector<int64_t>> stepValue = intsOf(step);
  RankedTensorType outType;
  if (length && stepValue) {
    outType = withShape(type, {type.getDimSize(0),
                               1 + (samples - *length) / stepValue->front(),
                               *onesided ? *length / 2 + 1 : *length, 2});
  } else {
    FailureOr<RankedTensorType> declared = declaredOutputType(node, 0);
    if (failed(declared))
      return failure();
    outType = withShape(type, declared->getShape());
  }
  return define(node, 0,
                StftOp::create(builder, loc, outType, signal, step, window,
                               frameLength, builder.getBoolAttr(*onesided)));
}

//===----------------------------------------------------------------------===//
// MelWeightMatrix
//===----------------------------------------------------------------------===//

LogicalResult ONNXImporter::importMelWeightMatrix(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  SmallVector<Value, 5> in;
  for (int i = 0; i < 5; ++i)
    if (!in.emplace_back(input(node, i)))
      return failure();
  if (failed(checkOutputs(node, 1)) ||
      failed(checkScalarInput(node, "num_mel_bins", in[0], true, 1)) ||
      failed(checkScalarInput(node, "dft_length", in[1], true, 1)) ||
      failed(checkScalarInput(node, "sample_rate", in[2], true, 1)) ||
      failed(checkScalarInput(node, "lower_edge_hertz", in[3], false)) ||
      failed(checkScalarInput(node, "upper_edge_hertz", in[4], false)))
    return failure();
  int64_t datatype = attrInt(node, "output_datatype", onnx::TensorProto::FLOAT);
  Type element = elementType(int32_t(datatype));
  if (!element || element.isInteger(1))
    return nodeError(node) << "unsupported output_datatype " << datatype
                           << " (expected a float or integer type)";

  std::optional<SmallVector<int64_t>> bins = intsOf(in[0]),
                                      length = intsOf(in[1]),
                                      rate = intsOf(in[2]);
  std::optional<double> lower = floatConstant(in[3]),
                        upper = floatConstant(in[4]);
  if (!bins || !length || !rate || !lower || !upper) {
    FailureOr<RankedTensorType> declared = declaredOutputType(node, 0);
    if (failed(declared))
      return failure();
    return define(node, 0,
                  MelWeightMatrixOp::create(
                      builder, loc,
                      RankedTensorType::get(declared->getShape(), element),
                      in[0], in[1], in[2], in[3], in[4]));
  }

  // A pure function of constants: fold it here.
  SmallVector<int64_t> shape = {length->front() / 2 + 1, bins->front()};
  int64_t count = checkedProduct(shape);
  if (count < 0 || count > maxElements())
    return nodeError(node) << "the result " << formatShape(shape)
                           << " has more than the limit of " << maxElements()
                           << " elements (--max-tensor-elements)";
  llvm::Expected<std::vector<double>> weights = numerics::melWeightMatrix(
      bins->front(), length->front(), rate->front(), *lower, *upper);
  if (!weights)
    return nodeError(node) << llvm::toString(weights.takeError());
  auto type = RankedTensorType::get(shape, element);
  if (auto floatType = dyn_cast<FloatType>(element)) {
    SmallVector<APFloat> values;
    for (double w : *weights) {
      APFloat v(w);
      bool lost;
      v.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &lost);
      values.push_back(v);
    }
    return define(node, 0, constant(loc, DenseElementsAttr::get(type, values)));
  }
  // Integer results truncate, as numpy's astype does.
  SmallVector<APInt> values;
  for (double w : *weights)
    values.push_back(APInt(element.getIntOrFloatBitWidth(), uint64_t(w)));
  return define(node, 0, constant(loc, DenseElementsAttr::get(type, values)));
}
