//===- CimGraphOps.cpp - Graph-level ops of the cim dialect ---------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Verifiers of the graph-level ops (CimGraphOps.td). Dynamic dimensions are
// accepted and skip the checks that need their value; the importer resolves
// them before the mapping passes, which require static shapes.
//
//===----------------------------------------------------------------------===//

#include "CimOpsCommon.h"
#include "cim/Support/Limits.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::detail;

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

FailureOr<int64_t> mlir::cim::detail::normalizeAxis(Operation *op,
                                                    StringRef name,
                                                    int64_t axis,
                                                    int64_t rank) {
  if (axis < -rank || axis >= rank)
    return op->emitOpError() << "expects '" << name << "' in [" << -rank << ", "
                             << rank - 1 << "], got " << axis;
  return axis < 0 ? axis + rank : axis;
}

/// Checks the spatial output sizes of an NCHW windowed op.
static LogicalResult
checkWindowedOutput(Operation *op, RankedTensorType in, RankedTensorType out,
                    ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                    ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads,
                    bool ceilMode) {
  static constexpr StringLiteral names[] = {"height", "width"};
  for (int i = 0; i < 2; ++i) {
    int64_t expected =
        windowedSize(in.getDimSize(2 + i), kernel[i], strides[i], dilations[i],
                     pads[i], pads[2 + i], ceilMode);
    if (expected == 0)
      return op->emitOpError()
             << "window of size " << kernel[i] << " (dilation " << dilations[i]
             << ") does not fit the padded input " << names[i] << " "
             << in.getDimSize(2 + i) + pads[i] + pads[2 + i];
    if (failed(checkDim(op, Twine("output ") + names[i], out.getDimSize(2 + i),
                        expected)))
      return failure();
  }
  return success();
}

FailureOr<SmallVector<int64_t>>
mlir::cim::detail::broadcastShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == 1)
      result[i] = db;
    else if (db == 1)
      result[i] = da;
    else if (!isStatic(da))
      result[i] = db;
    else if (!isStatic(db) || da == db)
      result[i] = da;
    else
      return failure();
  }
  return result;
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult
ConstantOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                             Adaptor adaptor,
                             SmallVectorImpl<Type> &inferredReturnTypes) {
  auto type = dyn_cast_if_present<RankedTensorType>(
      cast<TypedAttr>(adaptor.getValue()).getType());
  if (!type)
    return failure();
  inferredReturnTypes.push_back(type);
  return success();
}

// A splat or resource constant is a few bytes of text however many elements
// it declares, and passes and emitters materialize every element: bound it
// like any other declared tensor (docs/reliability.md).
LogicalResult ConstantOp::verify() {
  uint64_t limit = getResourceLimits().maxTensorElements;
  int64_t elements = checkedProduct(getType().getShape());
  if (elements >= 0 && uint64_t(elements) <= limit)
    return success();
  InFlightDiagnostic diag = emitOpError() << "declares " << getType() << " (";
  if (elements < 0)
    diag << "more elements than int64 holds";
  else
    diag << elements << " elements";
  return diag << "), more than the limit of " << limit
              << " elements (--max-tensor-elements)";
}

//===----------------------------------------------------------------------===//
// Conv2dOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2dOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 4, "NCHW")) ||
      failed(checkRank(op, "weight", getWeight(), 4, "FCHW")) ||
      failed(checkRank(op, "output", getOutput(), 4, "NCHW")) ||
      failed(checkArray(op, "strides", getStrides(), 2, 1)) ||
      failed(checkArray(op, "dilations", getDilations(), 2, 1)) ||
      failed(checkArray(op, "pads", getPads(), 4, 0)))
    return failure();
  RankedTensorType in = tensorType(getInput()), w = tensorType(getWeight()),
                   out = tensorType(getOutput());
  int64_t groups = getGroups();
  int64_t channels = in.getDimSize(1), filters = w.getDimSize(0);
  if (isStatic(channels) && channels % groups != 0)
    return emitOpError() << "expects groups (" << groups
                         << ") to divide the input channels (" << channels
                         << ")";
  if (isStatic(filters) && filters % groups != 0)
    return emitOpError() << "expects groups (" << groups
                         << ") to divide the output channels (" << filters
                         << ")";
  if (isStatic(channels) &&
      failed(checkDim(op, "weight dimension 1 (input channels per group)",
                      w.getDimSize(1), channels / groups)))
    return failure();
  if (getBias()) {
    if (failed(checkRank(op, "bias", getBias(), 1)) ||
        failed(checkDim(op, "bias size", tensorType(getBias()).getDimSize(0),
                        filters)))
      return failure();
  }
  if (failed(
          checkDim(op, "output batch", out.getDimSize(0), in.getDimSize(0))) ||
      failed(checkDim(op, "output channels", out.getDimSize(1), filters)))
    return failure();
  SmallVector<int64_t> kernel = {w.getDimSize(2), w.getDimSize(3)};
  if (isStatic(kernel[0]) && isStatic(kernel[1]) &&
      failed(checkWindowedOutput(op, in, out, kernel, getStrides(),
                                 getDilations(), getPads(),
                                 /*ceilMode=*/false)))
    return failure();
  return verifyCrossbarOperands(op, getInput(), getWeight(), getOutput(),
                                getPrecision());
}

//===----------------------------------------------------------------------===//
// GemmOp, MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult GemmOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 2)) ||
      failed(checkRank(op, "weight", getWeight(), 2)) ||
      failed(checkRank(op, "output", getOutput(), 2)))
    return failure();
  RankedTensorType in = tensorType(getInput()), w = tensorType(getWeight()),
                   out = tensorType(getOutput());
  if (failed(
          checkDim(op, "weight rows (K)", w.getDimSize(0), in.getDimSize(1))) ||
      failed(
          checkShape(op, "output", out, {in.getDimSize(0), w.getDimSize(1)})))
    return failure();
  if (Value bias = getBias()) {
    RankedTensorType b = tensorType(bias);
    FailureOr<SmallVector<int64_t>> shape =
        broadcastShapes(b.getShape(), out.getShape());
    // The bias may broadcast up to the output, never the output up to it.
    if (b.getRank() > 2 || failed(shape) ||
        !llvm::equal(*shape, out.getShape(), [](int64_t a, int64_t b) {
          return a == b || !isStatic(a) || !isStatic(b);
        }))
      return emitOpError() << "expects a bias broadcastable to " << out;
  }
  return verifyCrossbarOperands(op, getInput(), getWeight(), getOutput(),
                                getPrecision());
}

LogicalResult MatmulOp::verify() {
  RankedTensorType lhs = tensorType(getLhs()), rhs = tensorType(getRhs()),
                   out = tensorType(getOutput());
  if (lhs.getRank() < 2 || rhs.getRank() < 2)
    return emitOpError() << "expects operands of rank >= 2, got ranks "
                         << lhs.getRank() << " and " << rhs.getRank();
  if (failed(checkDim(getOperation(), "rhs dimension -2 (K)",
                      rhs.getDimSize(rhs.getRank() - 2),
                      lhs.getDimSize(lhs.getRank() - 1))))
    return failure();
  FailureOr<SmallVector<int64_t>> batch =
      broadcastShapes(lhs.getShape().drop_back(2), rhs.getShape().drop_back(2));
  if (failed(batch))
    return emitOpError() << "expects broadcast-compatible batch dimensions, "
                            "got "
                         << lhs << " and " << rhs;
  batch->push_back(lhs.getDimSize(lhs.getRank() - 2));
  batch->push_back(rhs.getDimSize(rhs.getRank() - 1));
  if (failed(checkShape(getOperation(), "output", out, *batch)))
    return failure();
  return verifyCrossbarOperands(getOperation(), getLhs(), getRhs(), getOutput(),
                                getPrecision());
}

//===----------------------------------------------------------------------===//
// Binary elementwise ops
//===----------------------------------------------------------------------===//

LogicalResult mlir::cim::detail::verifyBroadcastBinary(Operation *op) {
  Value lhs = op->getOperand(0), rhs = op->getOperand(1),
        out = op->getResult(0);
  if (failed(checkSameElementType(op, lhs, rhs, "lhs", "rhs")) ||
      failed(checkSameElementType(op, lhs, out, "lhs", "output")))
    return failure();
  FailureOr<SmallVector<int64_t>> shape =
      broadcastShapes(tensorType(lhs).getShape(), tensorType(rhs).getShape());
  if (failed(shape))
    return op->emitOpError() << "expects broadcast-compatible operands, got "
                             << lhs.getType() << " and " << rhs.getType();
  return checkShape(op, "output", tensorType(out), *shape);
}

LogicalResult AddOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult SubOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult MulOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult DivOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult PowOp::verify() { return verifyBroadcastBinary(*this); }

//===----------------------------------------------------------------------===//
// ClipOp
//===----------------------------------------------------------------------===//

LogicalResult ClipOp::verify() {
  float lo = getMin().convertToFloat(), hi = getMax().convertToFloat();
  if (std::isnan(lo) || std::isnan(hi) || lo > hi)
    return emitOpError() << "expects min <= max, got min = " << lo
                         << " and max = " << hi;
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

static LogicalResult verifyPool(Operation *op, Value input, Value output,
                                ArrayRef<int64_t> kernel,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> dilations,
                                ArrayRef<int64_t> pads, bool ceilMode) {
  if (failed(checkRank(op, "input", input, 4, "NCHW")) ||
      failed(checkRank(op, "output", output, 4, "NCHW")) ||
      failed(checkArray(op, "kernel", kernel, 2, 1)) ||
      failed(checkArray(op, "strides", strides, 2, 1)) ||
      failed(checkArray(op, "dilations", dilations, 2, 1)) ||
      failed(checkArray(op, "pads", pads, 4, 0)) ||
      failed(checkSameElementType(op, input, output, "input", "output")))
    return failure();
  RankedTensorType in = tensorType(input), out = tensorType(output);
  for (int i = 0; i < 2; ++i)
    if (pads[i] >= kernel[i] * dilations[i] ||
        pads[2 + i] >= kernel[i] * dilations[i])
      return op->emitOpError()
             << "expects pads smaller than the window, got pads = [" << pads[0]
             << ", " << pads[1] << ", " << pads[2] << ", " << pads[3]
             << "] for kernel [" << kernel[0] << ", " << kernel[1] << "]";
  if (failed(
          checkDim(op, "output batch", out.getDimSize(0), in.getDimSize(0))) ||
      failed(
          checkDim(op, "output channels", out.getDimSize(1), in.getDimSize(1))))
    return failure();
  return checkWindowedOutput(op, in, out, kernel, strides, dilations, pads,
                             ceilMode);
}

LogicalResult MaxPool2dOp::verify() {
  return verifyPool(*this, getInput(), getOutput(), getKernel(), getStrides(),
                    getDilations(), getPads(), getCeilMode());
}

LogicalResult AvgPool2dOp::verify() {
  SmallVector<int64_t> noDilation = {1, 1};
  return verifyPool(*this, getInput(), getOutput(), getKernel(), getStrides(),
                    noDilation, getPads(), getCeilMode());
}

LogicalResult GlobalAvgPool2dOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 4, "NCHW")) ||
      failed(
          checkSameElementType(op, getInput(), getOutput(), "input", "output")))
    return failure();
  RankedTensorType in = tensorType(getInput());
  return checkShape(op, "output", tensorType(getOutput()),
                    {in.getDimSize(0), in.getDimSize(1), 1, 1});
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

/// Rules shared by the normalizations: they keep the input's type and add a
/// non-negative epsilon to the variance.
static LogicalResult verifyNormalization(Operation *op, const APFloat &epsilon,
                                         Value input, Value output) {
  if (epsilon.isNegative())
    return op->emitOpError() << "expects a non-negative epsilon";
  if (input.getType() != output.getType())
    return op->emitOpError()
           << "expects the output type to equal the input type";
  return success();
}

LogicalResult BatchNormOp::verify() {
  Operation *op = getOperation();
  RankedTensorType in = tensorType(getInput());
  if (in.getRank() < 2)
    return emitOpError() << "expects input of rank >= 2 (N, C, ...), got rank "
                         << in.getRank();
  std::pair<Value, StringRef> params[] = {{getScale(), "scale"},
                                          {getBias(), "bias"},
                                          {getMean(), "mean"},
                                          {getVariance(), "variance"}};
  for (auto [value, name] : params) {
    if (failed(checkRank(op, name, value, 1)) ||
        failed(checkDim(op, Twine(name) + " size",
                        tensorType(value).getDimSize(0), in.getDimSize(1))) ||
        failed(checkSameElementType(op, getInput(), value, "input", name)))
      return failure();
  }
  return verifyNormalization(*this, getEpsilon(), getInput(), getOutput());
}

LogicalResult LayerNormOp::verify() {
  RankedTensorType in = tensorType(getInput());
  FailureOr<int64_t> axis =
      normalizeAxis(*this, "axis", getAxis(), in.getRank());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> normalized = in.getShape().drop_front(*axis);
  if (failed(checkShape(*this, "scale", tensorType(getScale()), normalized)))
    return failure();
  if (getBias() &&
      failed(checkShape(*this, "bias", tensorType(getBias()), normalized)))
    return failure();
  return verifyNormalization(*this, getEpsilon(), getInput(), getOutput());
}

LogicalResult SoftmaxOp::verify() {
  return normalizeAxis(*this, "axis", getAxis(),
                       tensorType(getInput()).getRank());
}

LogicalResult mlir::cim::detail::verifyReduction(Operation *op, Value input,
                                                 Value output,
                                                 ArrayRef<int64_t> axes,
                                                 bool keepdims) {
  RankedTensorType in = tensorType(input);
  // No axes reduces every axis (cim.reduce; cim.reduce_mean lists them).
  llvm::SmallBitVector reduced(in.getRank(), axes.empty());
  for (int64_t axis : axes) {
    FailureOr<int64_t> a = normalizeAxis(op, "axes", axis, in.getRank());
    if (failed(a))
      return failure();
    if (reduced.test(*a))
      return op->emitOpError()
             << "expects distinct axes, got " << *a << " twice";
    reduced.set(*a);
  }
  SmallVector<int64_t> expected;
  for (int64_t i = 0; i < in.getRank(); ++i) {
    if (!reduced.test(i))
      expected.push_back(in.getDimSize(i));
    else if (keepdims)
      expected.push_back(1);
  }
  if (failed(checkSameElementType(op, input, output, "input", "output")))
    return failure();
  return checkShape(op, "output", tensorType(output), expected);
}

LogicalResult ReduceMeanOp::verify() {
  return verifyReduction(*this, getInput(), getOutput(), getAxes(),
                         getKeepdims());
}

//===----------------------------------------------------------------------===//
// Data layout ops
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  RankedTensorType in = tensorType(getInput()), out = tensorType(getOutput());
  if (failed(checkSameElementType(*this, getInput(), getOutput(), "input",
                                  "output")))
    return failure();
  if (in.hasStaticShape() && out.hasStaticShape() &&
      in.getNumElements() != out.getNumElements())
    return emitOpError() << "expects the same number of elements, got "
                         << in.getNumElements() << " and "
                         << out.getNumElements();
  return success();
}

LogicalResult FlattenOp::verify() {
  RankedTensorType in = tensorType(getInput());
  FailureOr<int64_t> axis =
      normalizeAxis(*this, "axis", getAxis(), in.getRank() + 1);
  if (failed(axis) || failed(checkSameElementType(
                          *this, getInput(), getOutput(), "input", "output")))
    return failure();
  return checkShape(*this, "output", tensorType(getOutput()),
                    {product(in.getShape().take_front(*axis)),
                     product(in.getShape().drop_front(*axis))});
}

LogicalResult TransposeOp::verify() {
  RankedTensorType in = tensorType(getInput());
  ArrayRef<int64_t> perm = getPermutation();
  if (static_cast<int64_t>(perm.size()) != in.getRank())
    return emitOpError() << "expects a permutation of " << in.getRank()
                         << " entries, got " << perm.size();
  llvm::SmallBitVector seen(perm.size());
  SmallVector<int64_t> expected;
  for (int64_t p : perm) {
    if (p < 0 || p >= in.getRank() || seen.test(p))
      return emitOpError()
             << "expects 'permutation' to be a permutation of [0, "
             << in.getRank() << ")";
    seen.set(p);
    expected.push_back(in.getDimSize(p));
  }
  if (failed(checkSameElementType(*this, getInput(), getOutput(), "input",
                                  "output")))
    return failure();
  return checkShape(*this, "output", tensorType(getOutput()), expected);
}

LogicalResult SliceOp::verify() {
  RankedTensorType in = tensorType(getInput()), out = tensorType(getOutput());
  int64_t rank = in.getRank();
  if (out.getRank() != rank)
    return emitOpError() << "expects the output rank to equal the input rank "
                         << rank << ", got " << out.getRank();
  if (failed(checkArray(*this, "offsets", getOffsets(), rank, 0)) ||
      failed(checkArray(*this, "strides", getStrides(), rank, 1)) ||
      failed(checkSameElementType(*this, getInput(), getOutput(), "input",
                                  "output")))
    return failure();
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = out.getDimSize(d), dim = in.getDimSize(d);
    if (!isStatic(size) || !isStatic(dim) || size == 0)
      continue;
    int64_t last = getOffsets()[d] + (size - 1) * getStrides()[d];
    if (last >= dim)
      return emitOpError() << "slice of " << size << " elements from offset "
                           << getOffsets()[d] << " with stride "
                           << getStrides()[d] << " runs past dimension " << d
                           << " of size " << dim;
  }
  return success();
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError() << "expects at least one input";
  RankedTensorType first = tensorType(getInputs().front());
  FailureOr<int64_t> axis =
      normalizeAxis(*this, "axis", getAxis(), first.getRank());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> expected(first.getShape());
  expected[*axis] = 0;
  for (auto [i, input] : llvm::enumerate(getInputs())) {
    RankedTensorType t = tensorType(input);
    if (t.getRank() != first.getRank())
      return emitOpError() << "expects inputs of equal rank, input " << i
                           << " has rank " << t.getRank();
    if (failed(checkSameElementType(*this, getInputs().front(), input,
                                    "input 0", "input " + std::to_string(i))))
      return failure();
    for (int64_t d = 0; d < t.getRank(); ++d) {
      if (d == *axis) {
        expected[d] = isStatic(expected[d]) && isStatic(t.getDimSize(d))
                          ? expected[d] + t.getDimSize(d)
                          : ShapedType::kDynamic;
      } else if (failed(checkDim(
                     *this, "dimension " + Twine(d) + " of input " + Twine(i),
                     t.getDimSize(d), first.getDimSize(d)))) {
        return failure();
      }
    }
  }
  if (failed(checkSameElementType(*this, getInputs().front(), getOutput(),
                                  "inputs", "output")))
    return failure();
  return checkShape(*this, "output", tensorType(getOutput()), expected);
}

LogicalResult SplitOp::verify() {
  if (getOutputs().empty())
    return emitOpError() << "expects at least one result";
  RankedTensorType in = tensorType(getInput());
  FailureOr<int64_t> axis =
      normalizeAxis(*this, "axis", getAxis(), in.getRank());
  if (failed(axis))
    return failure();
  int64_t total = 0;
  for (auto [i, output] : llvm::enumerate(getOutputs())) {
    RankedTensorType t = tensorType(output);
    if (failed(checkSameElementType(*this, getInput(), output, "input",
                                    "result " + std::to_string(i))))
      return failure();
    if (t.getRank() != in.getRank())
      return emitOpError() << "expects results of the input's rank, result "
                           << i << " has rank " << t.getRank();
    for (int64_t d = 0; d < t.getRank(); ++d)
      if (d != *axis &&
          failed(checkDim(*this,
                          "dimension " + Twine(d) + " of result " + Twine(i),
                          t.getDimSize(d), in.getDimSize(d))))
        return failure();
    int64_t size = t.getDimSize(*axis);
    total =
        isStatic(total) && isStatic(size) ? total + size : ShapedType::kDynamic;
  }
  return checkDim(*this, "the sum of the result sizes along the axis", total,
                  in.getDimSize(*axis));
}

LogicalResult PadOp::verify() {
  RankedTensorType in = tensorType(getInput());
  int64_t rank = in.getRank();
  if (failed(checkArray(*this, "pads", getPads(), 2 * rank, 0)) ||
      failed(checkSameElementType(*this, getInput(), getOutput(), "input",
                                  "output")))
    return failure();
  ArrayRef<int64_t> pads = getPads();
  SmallVector<int64_t> expected;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = in.getDimSize(d);
    if (getMode() == PadMode::reflect && isStatic(size) &&
        (pads[d] >= size || pads[rank + d] >= size))
      return emitOpError() << "expects reflect pads smaller than dimension "
                           << d << " (" << size << ")";
    if (getMode() == PadMode::edge && size == 0 &&
        (pads[d] > 0 || pads[rank + d] > 0))
      return emitOpError() << "cannot edge-pad the empty dimension " << d;
    expected.push_back(isStatic(size) ? size + pads[d] + pads[rank + d]
                                      : ShapedType::kDynamic);
  }
  return checkShape(*this, "output", tensorType(getOutput()), expected);
}

//===----------------------------------------------------------------------===//
// QuantizeOp, DequantizeOp
//===----------------------------------------------------------------------===//

static LogicalResult verifyQuantParams(Operation *op, RankedTensorType floatTy,
                                       RankedTensorType intTy,
                                       ArrayRef<float> scale,
                                       ArrayRef<int64_t> zeroPoint,
                                       std::optional<int64_t> axis,
                                       int64_t bits) {
  if (floatTy.getShape() != intTy.getShape())
    return op->emitOpError()
           << "expects the float and integer tensors to have the same shape";
  auto intElt = cast<IntegerType>(intTy.getElementType());
  if (bits > static_cast<int64_t>(intElt.getWidth()))
    return op->emitOpError()
           << "expects bits (" << bits
           << ") not to exceed the storage width of " << intElt;
  int64_t expectedCount = 1;
  if (axis) {
    FailureOr<int64_t> a = normalizeAxis(op, "axis", *axis, floatTy.getRank());
    if (failed(a))
      return failure();
    expectedCount = floatTy.getDimSize(*a);
  }
  if (isStatic(expectedCount) &&
      static_cast<int64_t>(scale.size()) != expectedCount)
    return op->emitOpError() << "expects " << expectedCount
                             << " scale entries, got " << scale.size();
  if (zeroPoint.size() != scale.size())
    return op->emitOpError() << "expects as many zero points as scales, got "
                             << zeroPoint.size() << " and " << scale.size();
  for (float s : scale)
    if (!std::isfinite(s) || s <= 0.0f)
      return op->emitOpError() << "expects finite positive scales, got " << s;
  bool isUnsigned = intElt.isUnsigned();
  int64_t lo = isUnsigned ? 0 : -(int64_t(1) << (bits - 1));
  int64_t hi =
      isUnsigned ? (int64_t(1) << bits) - 1 : (int64_t(1) << (bits - 1)) - 1;
  for (int64_t z : zeroPoint)
    if (z < lo || z > hi)
      return op->emitOpError()
             << "expects zero points in [" << lo << ", " << hi << "] for "
             << bits << "-bit " << (isUnsigned ? "unsigned" : "signed")
             << " values, got " << z;
  return success();
}

LogicalResult QuantizeOp::verify() {
  return verifyQuantParams(*this, tensorType(getInput()),
                           tensorType(getOutput()), getScale(), getZeroPoint(),
                           getAxis(), getBits());
}

LogicalResult DequantizeOp::verify() {
  return verifyQuantParams(*this, tensorType(getOutput()),
                           tensorType(getInput()), getScale(), getZeroPoint(),
                           getAxis(), getBits());
}
