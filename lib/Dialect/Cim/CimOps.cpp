//===- CimOps.cpp - Operations of the cim dialect -------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Verifiers of the graph-level ops. Dynamic dimensions are accepted and skip
// the checks that need their value; the importer resolves them before the
// mapping passes, which require static shapes.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimOps.h"
#include "cim/Support/Limits.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::cim;

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

static RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

static bool isStatic(int64_t dim) { return !ShapedType::isDynamic(dim); }

/// Reports `what` if both sizes are known and differ.
static LogicalResult checkDim(Operation *op, const Twine &what, int64_t actual,
                              int64_t expected) {
  if (isStatic(actual) && isStatic(expected) && actual != expected)
    return op->emitOpError()
           << "expects " << what << " to be " << expected << ", got " << actual;
  return success();
}

static LogicalResult checkRank(Operation *op, StringRef what, Value v,
                               int64_t rank, StringRef layout = "") {
  int64_t actual = tensorType(v).getRank();
  if (actual == rank)
    return success();
  auto diag = op->emitOpError() << "expects " << what << " of rank " << rank;
  if (!layout.empty())
    diag << " (" << layout << ")";
  return diag << ", got rank " << actual;
}

static LogicalResult checkSameElementType(Operation *op, Value a, Value b,
                                          StringRef aName, StringRef bName) {
  Type ea = tensorType(a).getElementType(), eb = tensorType(b).getElementType();
  if (ea == eb)
    return success();
  return op->emitOpError() << "expects " << aName << " and " << bName
                           << " to have the same element type, got " << ea
                           << " and " << eb;
}

/// Checks that `values` has `size` entries, each at least `minValue`.
static LogicalResult checkArray(Operation *op, StringRef name,
                                ArrayRef<int64_t> values, size_t size,
                                int64_t minValue) {
  if (values.size() != size)
    return op->emitOpError() << "expects '" << name << "' to have " << size
                             << " entries, got " << values.size();
  for (int64_t v : values)
    if (v < minValue)
      return op->emitOpError()
             << "expects every entry of '" << name << "' to be at least "
             << minValue << ", got " << v;
  return success();
}

/// Normalizes a possibly negative axis into [0, rank); `rank` is the number of
/// valid positions (rank + 1 for ops that may insert at the end).
static FailureOr<int64_t> normalizeAxis(Operation *op, StringRef name,
                                        int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return op->emitOpError() << "expects '" << name << "' in [" << -rank << ", "
                             << rank - 1 << "], got " << axis;
  return axis < 0 ? axis + rank : axis;
}

/// Output size of a sliding window (conv, pooling) along one dimension, or
/// dynamic if the input size is unknown. `ceilMode` follows PyTorch: the last
/// window must start inside the input or its leading padding.
static int64_t windowedSize(int64_t in, int64_t kernel, int64_t stride,
                            int64_t dilation, int64_t padBegin, int64_t padEnd,
                            bool ceilMode = false) {
  if (!isStatic(in))
    return ShapedType::kDynamic;
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t room = in + padBegin + padEnd - span;
  if (room < 0)
    return 0;
  int64_t out = (ceilMode ? llvm::divideCeil(room, stride) : room / stride) + 1;
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
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

/// numpy broadcasting of two shapes; failure if incompatible.
static FailureOr<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> a,
                                                       ArrayRef<int64_t> b) {
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

static void printShape(InFlightDiagnostic &diag, ArrayRef<int64_t> shape) {
  diag << "[";
  llvm::interleave(
      shape, diag,
      [&](int64_t d) {
        if (isStatic(d))
          diag << d;
        else
          diag << "?";
      },
      ", ");
  diag << "]";
}

/// Checks that `result` has exactly `expected` (dynamic entries match).
static LogicalResult checkShape(Operation *op, StringRef what,
                                RankedTensorType result,
                                ArrayRef<int64_t> expected) {
  bool ok = result.getRank() == static_cast<int64_t>(expected.size());
  for (size_t i = 0; ok && i < expected.size(); ++i)
    ok = !isStatic(expected[i]) || !isStatic(result.getDimSize(i)) ||
         expected[i] == result.getDimSize(i);
  if (ok)
    return success();
  auto diag = op->emitOpError() << "expects " << what << " of shape ";
  printShape(diag, expected);
  diag << ", got ";
  printShape(diag, result.getShape());
  return diag;
}

/// Checks an op's precision against the enclosing module's target.
static LogicalResult verifyPrecision(Operation *op,
                                     std::optional<PrecisionAttr> precision) {
  if (!precision)
    return success();
  TargetAttr target = lookupTarget(op);
  if (!target)
    return success();
  return precision->verifyAgainst(target, [&] { return op->emitOpError(); });
}

/// Common tail of the crossbar-capable ops: a float op computes in one float
/// type (integer ops may accumulate wider), and its precision must suit the
/// target.
static LogicalResult
verifyCrossbarOperands(Operation *op, Value input, Value weight, Value output,
                       std::optional<PrecisionAttr> precision) {
  if (isa<FloatType>(tensorType(input).getElementType()) &&
      (failed(checkSameElementType(op, input, weight, "input", "weight")) ||
       failed(checkSameElementType(op, input, output, "input", "output"))))
    return failure();
  return verifyPrecision(op, precision);
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

static LogicalResult verifyBroadcastBinary(Operation *op) {
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

LogicalResult ReduceMeanOp::verify() {
  RankedTensorType in = tensorType(getInput());
  llvm::SmallBitVector reduced(in.getRank());
  for (int64_t axis : getAxes()) {
    FailureOr<int64_t> a = normalizeAxis(*this, "axes", axis, in.getRank());
    if (failed(a))
      return failure();
    if (reduced.test(*a))
      return emitOpError() << "expects distinct axes, got " << *a << " twice";
    reduced.set(*a);
  }
  SmallVector<int64_t> expected;
  for (int64_t i = 0; i < in.getRank(); ++i) {
    if (!reduced.test(i))
      expected.push_back(in.getDimSize(i));
    else if (getKeepdims())
      expected.push_back(1);
  }
  if (failed(checkSameElementType(*this, getInput(), getOutput(), "input",
                                  "output")))
    return failure();
  return checkShape(*this, "output", tensorType(getOutput()), expected);
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

/// Product of `dims`, dynamic if any is.
static int64_t product(ArrayRef<int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims) {
    if (!isStatic(d))
      return ShapedType::kDynamic;
    p *= d;
  }
  return p;
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

//===----------------------------------------------------------------------===//
// Mapped level: Im2ColOp, MvmOp
//===----------------------------------------------------------------------===//

LogicalResult Im2ColOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 4, "NCHW")) ||
      failed(checkRank(op, "output", getOutput(), 2)) ||
      failed(checkArray(op, "kernel", getKernel(), 2, 1)) ||
      failed(checkArray(op, "strides", getStrides(), 2, 1)) ||
      failed(checkArray(op, "dilations", getDilations(), 2, 1)) ||
      failed(checkArray(op, "pads", getPads(), 4, 0)) ||
      failed(
          checkSameElementType(op, getInput(), getOutput(), "input", "output")))
    return failure();
  RankedTensorType in = tensorType(getInput());
  int64_t c0 = getChannelOffset(), cg = getChannels();
  if (c0 < 0 || cg < 1 ||
      (isStatic(in.getDimSize(1)) && c0 + cg > in.getDimSize(1)))
    return emitOpError() << "expects channels [" << c0 << ", " << c0 + cg
                         << ") within the input's " << in.getDimSize(1);
  SmallVector<int64_t> spatial;
  for (int i = 0; i < 2; ++i) {
    int64_t size =
        windowedSize(in.getDimSize(2 + i), getKernel()[i], getStrides()[i],
                     getDilations()[i], getPads()[i], getPads()[2 + i]);
    if (size == 0)
      return emitOpError() << "window does not fit the padded input";
    spatial.push_back(size);
  }
  int64_t pixels = product({in.getDimSize(0), spatial[0], spatial[1]});
  return checkShape(op, "output", tensorType(getOutput()),
                    {pixels, cg * getKernel()[0] * getKernel()[1]});
}

LogicalResult MvmOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 2)) ||
      failed(checkRank(op, "weight", getWeight(), 2)))
    return failure();
  RankedTensorType in = tensorType(getInput()), w = tensorType(getWeight());
  if (failed(
          checkDim(op, "weight rows (K)", w.getDimSize(0), in.getDimSize(1))) ||
      failed(checkShape(op, "output", tensorType(getOutput()),
                        {in.getDimSize(0), w.getDimSize(1)})))
    return failure();
  return verifyCrossbarOperands(op, getInput(), getWeight(), getOutput(),
                                getPrecision());
}

//===----------------------------------------------------------------------===//
// Mapped level: tiles and the bit-sliced form
//===----------------------------------------------------------------------===//

/// Checks a half-open range attribute `[begin, end)` within `[0, limit)`.
static LogicalResult checkRange(Operation *op, StringRef name,
                                ArrayRef<int64_t> range, int64_t limit) {
  if (range.size() != 2)
    return op->emitOpError()
           << "expects '" << name << "' to be [begin, end), got "
           << range.size() << " entries";
  if (range[0] < 0 || range[1] <= range[0] ||
      (isStatic(limit) && range[1] > limit))
    return op->emitOpError() << "expects '" << name << "' [" << range[0] << ", "
                             << range[1] << ") to be a non-empty "
                             << "range within [0, " << limit << ")";
  return success();
}

/// Placement attributes shared by cim.tile and cim.crossbar_mvm: the
/// footprint must fit one crossbar of the target, and every copy needs a
/// crossbar that exists.
static LogicalResult verifyPlacement(Operation *op, ArrayRef<int64_t> footprint,
                                     int64_t copies,
                                     std::optional<ArrayRef<int64_t>> crossbars,
                                     std::optional<ArrayRef<int64_t>> origin,
                                     std::optional<PrecisionAttr> precision) {
  if (footprint.size() != 2 || footprint[0] < 1 || footprint[1] < 1)
    return op->emitOpError()
           << "expects 'footprint' to be [rows, columns], both at least 1";
  SmallVector<int64_t, 2> extent(footprint);
  if (origin) {
    if (origin->size() != 2 || (*origin)[0] < 0 || (*origin)[1] < 0)
      return op->emitOpError()
             << "expects 'origin' to be [row, column], both at least 0";
    extent[0] += (*origin)[0];
    extent[1] += (*origin)[1];
  }
  if (copies < 1)
    return op->emitOpError()
           << "expects 'copies' to be at least 1, got " << copies;
  if (crossbars && int64_t(crossbars->size()) != copies)
    return op->emitOpError() << "expects one crossbar per copy (" << copies
                             << "), got " << crossbars->size();
  if (TargetAttr target = lookupTarget(op)) {
    if (extent[0] > target.getRows() || extent[1] > target.getCols())
      return op->emitOpError()
             << "footprint " << footprint[0] << "x" << footprint[1]
             << (origin ? " at its origin" : "") << " does not fit a "
             << target.getRows() << "x" << target.getCols()
             << " crossbar of target '" << target.getName() << "'";
    if (crossbars)
      for (int64_t id : *crossbars)
        if (id < 0 || uint64_t(id) >= target.getNumCrossbars())
          return op->emitOpError()
                 << "crossbar " << id << " does not exist: target '"
                 << target.getName() << "' has " << target.getNumCrossbars();
  }
  return verifyPrecision(op, precision);
}

LogicalResult TileOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 2)) ||
      failed(checkRank(op, "weight", getWeight(), 2)) ||
      failed(checkRank(op, "output", getOutput(), 2)))
    return failure();
  RankedTensorType in = tensorType(getInput()), w = tensorType(getWeight());
  if (failed(
          checkDim(op, "weight rows (K)", w.getDimSize(0), in.getDimSize(1))) ||
      failed(checkRange(op, "rows", getRows(), w.getDimSize(0))) ||
      failed(checkRange(op, "columns", getColumns(), w.getDimSize(1))) ||
      failed(checkShape(op, "output", tensorType(getOutput()),
                        {in.getDimSize(0), getColumns()[1] - getColumns()[0]})))
    return failure();
  if (!in.hasStaticShape() || !w.hasStaticShape())
    return emitOpError() << "expects static shapes: a tile is placed hardware";
  // I64Attr accessors are unsigned; compare as signed so negatives fail.
  int64_t groups = int64_t(getGroups());
  int64_t rows = getRows()[1] - getRows()[0];
  if (groups < 1)
    return emitOpError() << "expects 'groups' to be at least 1, got " << groups;
  if (getFootprint().size() == 2 && rows > getFootprint()[0])
    return emitOpError() << "expects the footprint to hold its " << rows
                         << " rows, got " << getFootprint()[0];
  if (TargetAttr target = lookupTarget(op)) {
    bool dr = target.getWeightSign() == WeightSign::differential_rows;
    int64_t perConversion =
        dr ? target.getParallelRows() / 2 : target.getParallelRows();
    if (dr && getFootprint().size() == 2 && 2 * rows > getFootprint()[0])
      return emitOpError() << "expects the footprint to hold 2 x " << rows
                           << " rows (differential rows), got "
                           << getFootprint()[0];
    if (perConversion >= 1 &&
        groups != int64_t(llvm::divideCeil(rows, perConversion)))
      return emitOpError() << "expects "
                           << llvm::divideCeil(rows, perConversion)
                           << " row groups for " << rows << " rows ("
                           << perConversion << " per conversion on target '"
                           << target.getName() << "'), got " << groups;
  }
  if (isa<FloatType>(in.getElementType()) &&
      (failed(checkSameElementType(op, getInput(), getWeight(), "input",
                                   "weight")) ||
       failed(checkSameElementType(op, getInput(), getOutput(), "input",
                                   "output"))))
    return failure();
  return verifyPlacement(op, getFootprint(), int64_t(getCopies()),
                         getCrossbars(), getOrigin(), getPrecision());
}

LogicalResult EncodeOp::verify() {
  if (getBits() < 1 || getBits() > 16)
    return emitOpError() << "expects 'bits' in [1, 16], got " << getBits();
  if (getScale() && !(getScale()->convertToDouble() > 0.0))
    return emitOpError() << "expects a positive 'scale', got "
                         << getScale()->convertToDouble();
  return checkShape(getOperation(), "output", tensorType(getOutput()),
                    tensorType(getInput()).getShape());
}

LogicalResult DecodeOp::verify() {
  if (getScale() && !(getScale()->convertToDouble() > 0.0))
    return emitOpError() << "expects a positive 'scale', got "
                         << getScale()->convertToDouble();
  return checkShape(getOperation(), "output", tensorType(getOutput()),
                    tensorType(getInput()).getShape());
}

/// DAC cycles of a `bits`-bit input driven `dacBits` at a time.
static int64_t dacCycleCount(int64_t bits, int64_t dacBits, InputSign sign) {
  if (sign == InputSign::twos_complement)
    return llvm::divideCeil(bits - 1, dacBits) + 1;
  return llvm::divideCeil(bits, dacBits);
}

LogicalResult DacCyclesOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 2)) ||
      failed(checkRank(op, "output", getOutput(), 3)))
    return failure();
  // A DAC may be wider than the input: the input then takes one cycle.
  if (getBits() < 1 || getBits() > 16 || getDacBits() < 1 || getDacBits() > 16)
    return emitOpError() << "expects bits and dac_bits in [1, 16], got "
                         << int64_t(getBits()) << " and "
                         << int64_t(getDacBits());
  RankedTensorType in = tensorType(getInput());
  if (failed(checkRange(op, "rows", getRows(), in.getDimSize(1))))
    return failure();
  return checkShape(op, "output", tensorType(getOutput()),
                    {dacCycleCount(getBits(), getDacBits(), getSign()),
                     in.getDimSize(0), getRows()[1] - getRows()[0]});
}

int64_t CellSlicesOp::getNumPlanes() {
  int64_t slices = getWidths().size();
  switch (getSign()) {
  case WeightSign::differential_columns:
    return 2 * slices;
  case WeightSign::twos_complement:
    return slices + 1;
  default:
    return slices;
  }
}

LogicalResult CellSlicesOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "weight", getWeight(), 2)) ||
      failed(checkRank(op, "output", getOutput(), 3)))
    return failure();
  if (getBits() < 2 || getBits() > 16)
    return emitOpError() << "expects 'bits' in [2, 16], got " << getBits();
  // Offset codes are `bits` wide; the other schemes keep the sign apart.
  int64_t encoded = getSign() == WeightSign::offset ? getBits() : getBits() - 1;
  int64_t total = 0;
  for (int64_t w : getWidths()) {
    if (w < 1 || w > 8)
      return emitOpError() << "expects every slice width in [1, 8], got " << w;
    total += w;
  }
  if (total != encoded)
    return emitOpError() << "expects slice widths adding up to the " << encoded
                         << " encoded bits, got " << total;
  RankedTensorType w = tensorType(getWeight());
  if (failed(checkRange(op, "rows", getRows(), w.getDimSize(0))) ||
      failed(checkRange(op, "columns", getColumns(), w.getDimSize(1))))
    return failure();
  return checkShape(op, "output", tensorType(getOutput()),
                    {getNumPlanes(), getRows()[1] - getRows()[0],
                     getColumns()[1] - getColumns()[0]});
}

LogicalResult CrossbarMvmOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "digits", getDigits(), 3)) ||
      failed(checkRank(op, "cells", getCells(), 3)) ||
      failed(checkRank(op, "output", getOutput(), 5)))
    return failure();
  RankedTensorType d = tensorType(getDigits()), c = tensorType(getCells());
  if (failed(checkDim(op, "cell rows", c.getDimSize(1), d.getDimSize(2))))
    return failure();
  if (!d.hasStaticShape() || !c.hasStaticShape())
    return emitOpError() << "expects static shapes: a tile is placed hardware";
  int64_t groupRows = int64_t(getGroupRows());
  if (groupRows < 1)
    return emitOpError() << "expects 'group_rows' to be at least 1, got "
                         << groupRows;
  if (TargetAttr target = lookupTarget(op)) {
    // Differential rows drive two physical rows per weight row.
    int64_t physical = target.getWeightSign() == WeightSign::differential_rows
                           ? 2 * groupRows
                           : groupRows;
    if (physical > target.getParallelRows())
      return emitOpError() << "group of " << physical
                           << " physical rows exceeds the "
                           << target.getParallelRows()
                           << " parallel rows of target '" << target.getName()
                           << "'";
  }
  int64_t groups = llvm::divideCeil(d.getDimSize(2), groupRows);
  if (failed(checkShape(op, "output", tensorType(getOutput()),
                        {groups, d.getDimSize(0), c.getDimSize(0),
                         d.getDimSize(1), c.getDimSize(2)})))
    return failure();
  return verifyPlacement(op, getFootprint(), int64_t(getCopies()),
                         getCrossbars(), getOrigin(), getPrecision());
}

LogicalResult AdcOp::verify() {
  bool converting =
      getMode() == AdcMode::full_range || getMode() == AdcMode::clipped;
  if (converting && (getBits() < 1 || getBits() > 32))
    return emitOpError() << "expects 'bits' in [1, 32] for a converting ADC, "
                         << "got " << getBits();
  if (!converting && getBits() != 0)
    return emitOpError() << "expects no 'bits' for mode '"
                         << stringifyAdcMode(getMode()) << "'";
  if (getMode() == AdcMode::full_range &&
      (int64_t(getLosslessBits()) < 1 || getLosslessBits() > 64))
    return emitOpError() << "expects 'lossless_bits' in [1, 64] for a "
                            "full-range ADC";
  bool clipped = getMode() == AdcMode::clipped;
  if (getClipLow().has_value() != clipped ||
      getClipHigh().has_value() != clipped)
    return emitOpError() << "expects 'clip_low' and 'clip_high' exactly when "
                         << "the mode is 'clipped'";
  // The range is signed (differential rows subtract in analog).
  if (clipped && getClipLowAttr().getInt() > getClipHighAttr().getInt())
    return emitOpError() << "expects clip_low <= clip_high, got "
                         << getClipLowAttr().getInt() << " > "
                         << getClipHighAttr().getInt();
  return success();
}

LogicalResult ShiftAddOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 5)) ||
      failed(checkRank(op, "output", getOutput(), 2)))
    return failure();
  RankedTensorType in = tensorType(getInput());
  if (failed(checkDim(op, "number of cycle shifts", getCycleShifts().size(),
                      in.getDimSize(1))) ||
      failed(checkDim(op, "number of cycle signs", getCycleSigns().size(),
                      in.getDimSize(1))) ||
      failed(checkDim(op, "number of plane shifts", getPlaneShifts().size(),
                      in.getDimSize(2))) ||
      failed(checkDim(op, "number of plane signs", getPlaneSigns().size(),
                      in.getDimSize(2))))
    return failure();
  for (ArrayRef<int64_t> signs : {getCycleSigns(), getPlaneSigns()})
    for (int64_t s : signs)
      if (s != 1 && s != -1)
        return emitOpError() << "expects signs of +1 or -1, got " << s;
  for (ArrayRef<int64_t> shifts : {getCycleShifts(), getPlaneShifts()})
    for (int64_t s : shifts)
      if (s < 0 || s > 32)
        return emitOpError() << "expects shifts in [0, 32], got " << s;
  return checkShape(op, "output", tensorType(getOutput()),
                    {in.getDimSize(3), in.getDimSize(4)});
}

LogicalResult OffsetCorrectOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "acc", getAcc(), 2)) ||
      failed(checkRank(op, "input", getInput(), 2)) ||
      failed(checkRank(op, "weight", getWeight(), 2)))
    return failure();
  RankedTensorType in = tensorType(getInput()), w = tensorType(getWeight());
  if (failed(checkRange(op, "rows", getRows(), w.getDimSize(0))) ||
      failed(checkRange(op, "columns", getColumns(), w.getDimSize(1))) ||
      failed(
          checkDim(op, "weight rows (K)", w.getDimSize(0), in.getDimSize(1))) ||
      failed(checkShape(op, "acc", tensorType(getAcc()),
                        {in.getDimSize(0), getColumns()[1] - getColumns()[0]})))
    return failure();
  return checkShape(op, "output", tensorType(getOutput()),
                    tensorType(getAcc()).getShape());
}

#define GET_OP_CLASSES
//===----------------------------------------------------------------------===//
// Instruction level
//===----------------------------------------------------------------------===//

/// Every crossbar an instruction names must exist on the target.
static LogicalResult checkCrossbars(Operation *op, ArrayRef<int64_t> ids) {
  if (ids.empty())
    return op->emitOpError() << "expects at least one crossbar";
  TargetAttr target = lookupTarget(op);
  for (int64_t id : ids)
    if (id < 0 || (target && uint64_t(id) >= target.getNumCrossbars()))
      return op->emitOpError()
             << "crossbar " << id << " does not exist"
             << (target ? ": target '" + target.getName().str() + "' has " +
                              std::to_string(target.getNumCrossbars())
                        : std::string());
  return success();
}

LogicalResult IsaProgramOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "codes", getCodes(), 2)) ||
      failed(checkShape(op, "result", tensorType(getProgrammed()),
                        tensorType(getCodes()).getShape())))
    return failure();
  RankedTensorType codes = tensorType(getCodes());
  if (!codes.hasStaticShape())
    return emitOpError() << "expects static shapes: a tile is placed hardware";
  if (TargetAttr target = lookupTarget(op))
    if (codes.getDimSize(0) > target.getRows() ||
        codes.getDimSize(1) > target.getCols())
      return emitOpError() << "tile of " << codes.getDimSize(0) << "x"
                           << codes.getDimSize(1) << " weights does not fit a "
                           << target.getRows() << "x" << target.getCols()
                           << " crossbar of target '" << target.getName()
                           << "'";
  if (int64_t(getEpoch()) < 0)
    return emitOpError() << "expects a non-negative 'epoch'";
  return checkCrossbars(op, getCrossbars());
}

LogicalResult IsaEncodeOp::verify() {
  int64_t lo = int64_t(getMin()), hi = int64_t(getMax());
  if (hi < 1 || lo > 0 || lo < -(int64_t(1) << 31) || hi > (int64_t(1) << 31))
    return emitOpError() << "expects a code range with min <= 0 < max within "
                            "32 bits, got ["
                         << lo << ", " << hi << "]";
  if (getClip() && !(getClip()->convertToDouble() > 0.0))
    return emitOpError() << "expects a positive 'clip', got "
                         << getClip()->convertToDouble();
  if (bool(getFp()) != bool(getGroupRows()))
    return emitOpError() << "expects 'fp' and 'group_rows' together (the "
                            "alignment unit's format and group)";
  if (getGroupRows() &&
      (int64_t(*getGroupRows()) < 1 || int64_t(*getGroupRows()) > 65536))
    return emitOpError() << "expects 'group_rows' in [1, 65536], got "
                         << int64_t(*getGroupRows());
  if (getFp() && failed(checkRank(getOperation(), "input", getInput(), 2)))
    return failure();
  return checkShape(getOperation(), "output", tensorType(getOutput()),
                    tensorType(getInput()).getShape());
}

LogicalResult IsaMvmOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "codes", getCodes(), 2)) ||
      failed(checkRank(op, "weights", getWeights(), 2)) ||
      failed(checkRank(op, "output", getOutput(), 2)))
    return failure();
  RankedTensorType x = tensorType(getCodes()), w = tensorType(getWeights());
  if (!x.hasStaticShape() || !w.hasStaticShape())
    return emitOpError() << "expects static shapes: a tile is placed hardware";
  // Floating-point layers keep each row group's sums apart.
  int64_t outCols = w.getDimSize(1);
  if (getPrecision().getFp())
    outCols *= int64_t(getGroups());
  if (failed(checkRange(op, "rows", getRows(), x.getDimSize(1))) ||
      failed(checkDim(op, "weight rows", w.getDimSize(0),
                      getRows()[1] - getRows()[0])) ||
      failed(checkShape(op, "output", tensorType(getOutput()),
                        {x.getDimSize(0), outCols})))
    return failure();
  if (getPrecision().getFp()) {
    if (TargetAttr target = lookupTarget(op)) {
      int64_t rows = getRows()[1] - getRows()[0];
      int64_t expected = llvm::divideCeil(rows, target.getParallelRows());
      if (int64_t(getGroups()) != expected)
        return emitOpError()
               << "expects " << expected << " row groups of "
               << target.getParallelRows() << " for " << rows
               << " rows of a floating-point layer, got " << getGroups();
    }
    if (getCodes().getDefiningOp<IsaEncodeOp>() &&
        !getCodes().getDefiningOp<IsaEncodeOp>().getFp())
      return emitOpError() << "has a floating-point precision but reads codes "
                              "of an integer ENCODE (no 'fp')";
  }
  if (!getWeights().getDefiningOp<IsaProgramOp>() &&
      !isa<BlockArgument>(getWeights()))
    return emitOpError() << "expects weights programmed by cim.isa.program";
  if (int64_t(getStream()) < 0)
    return emitOpError() << "expects a non-negative noise 'stream'";
  if (int64_t(getGroups()) < 1)
    return emitOpError() << "expects at least one row group";
  if (failed(checkCrossbars(op, getCrossbars())))
    return failure();
  return verifyPlacement(op, getFootprint(), getCrossbars().size(),
                         getCrossbars(), getOrigin(), getPrecision());
}

LogicalResult IsaDecodeOp::verify() {
  Operation *op = getOperation();
  if (failed(checkRank(op, "input", getInput(), 2)))
    return failure();
  if (getFp() || getExponents() || getFirstGroup()) {
    // Normalize and accumulate the row groups of a floating-point MVM.
    if (!getFp() || !getExponents() || !getFirstGroup())
      return emitOpError() << "expects 'fp', 'exponents' and 'first_group' "
                              "together (a floating-point DECODE)";
    if (failed(checkRank(op, "output", getOutput(), 2)))
      return failure();
    RankedTensorType in = tensorType(getInput()), out = tensorType(getOutput());
    if (!in.hasStaticShape() || !out.hasStaticShape())
      return emitOpError() << "expects static shapes";
    int64_t cols = out.getDimSize(1);
    if (in.getDimSize(0) != out.getDimSize(0) || cols < 1 ||
        in.getDimSize(1) % cols != 0)
      return emitOpError() << "expects the input to hold whole row groups of "
                              "the output's "
                           << cols << " columns, got " << in << " -> " << out;
    int64_t groups = in.getDimSize(1) / cols;
    // A named ArrayRef: ranging over *getExponents() would read a dead
    // temporary.
    ArrayRef<int64_t> exponents = getExponentsAttr().asArrayRef();
    if (int64_t(exponents.size()) != groups * cols)
      return emitOpError() << "expects " << groups * cols
                           << " weight exponents (" << groups << " groups x "
                           << cols << " columns), got " << exponents.size();
    for (int64_t e : exponents)
      if (e < -1100 || e > 1100)
        return emitOpError() << "expects weight exponents within the double "
                                "range, got "
                             << e;
    if (int64_t(*getFirstGroup()) < 0)
      return emitOpError() << "expects a non-negative 'first_group'";
    auto encode = getCodes().getDefiningOp<IsaEncodeOp>();
    if (!encode && !isa<BlockArgument>(getCodes()))
      return emitOpError() << "expects 'codes' produced by cim.isa.encode (it "
                              "carries the input exponents)";
    if (encode && !encode.getFp())
      return emitOpError() << "is a floating-point DECODE of codes an "
                              "integer ENCODE produced";
    return success();
  }
  if (failed(checkShape(op, "output", tensorType(getOutput()),
                        tensorType(getInput()).getShape())))
    return failure();
  int64_t cols = tensorType(getInput()).getDimSize(1);
  if (isStatic(cols) && int64_t(getScales().size()) != cols)
    return emitOpError() << "expects one scale per column (" << cols
                         << "), got " << getScales().size();
  for (double s : getScales())
    if (!(s > 0.0) || !std::isfinite(s))
      return emitOpError() << "expects positive finite scales, got " << s;
  if (!getCodes().getDefiningOp<IsaEncodeOp>() &&
      !isa<BlockArgument>(getCodes()))
    return emitOpError() << "expects 'codes' produced by cim.isa.encode (it "
                            "carries the input scale)";
  return success();
}

LogicalResult IsaSyncOp::verify() {
  if (getCores().empty())
    return emitOpError() << "expects at least one core";
  TargetAttr target = lookupTarget(getOperation());
  for (int64_t core : getCores())
    if (core < 0 || (target && core >= int64_t(target.getCores())))
      return emitOpError() << "core " << core << " does not exist";
  return success();
}

#include "cim/Dialect/Cim/CimOps.cpp.inc"

PrecisionAttr mlir::cim::getDefaultPrecision(MvmOp mvm, unsigned weightBits,
                                             unsigned actBits) {
  return PrecisionAttr::getChecked(
      [&] {
        return mvm.emitOpError()
               << "cannot take the default precision (weight-bits="
               << weightBits << ", act-bits=" << actBits << "): ";
      },
      mvm.getContext(), weightBits, actBits, /*adc=*/0u,
      ScaleGranularity::channel);
}
