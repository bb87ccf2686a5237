//===- LinalgToCim.cpp - Linalg to the cim graph level ----------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Rewrites the Linalg form of a network (as upstream tosa-to-linalg produces
// it) into graph-level cim ops, so that the crossbar passes see the same
// cim.conv2d / cim.gemm (with bias) as for an imported ONNX model.
//
// The conversion is a set of greedy rewrite patterns, one per source op.
// Source and cim ops share tensor types, so a partially converted function is
// valid IR: an op that cannot be mapped stays and is reported with a warning.
// NHWC ops are wrapped in cim.transposes; constant weights fold through them
// and the cleanup patterns move transposes through elementwise ops until the
// pairs cancel.
//
//===----------------------------------------------------------------------===//

#include "cim/Conversion/Passes.h"
#include "cim/Dialect/Cim/CimOps.h"
#include "cim/Dialect/Cim/CimPatterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cfloat>
#include <cmath>
#include <limits>

namespace mlir::cim {
#define GEN_PASS_DEF_CONVERTLINALGTOCIM
#include "cim/Conversion/Passes.h.inc"
} // namespace mlir::cim

using namespace mlir;
using namespace mlir::cim;

namespace {

//===----------------------------------------------------------------------===//
// Failure bookkeeping
//===----------------------------------------------------------------------===//

/// Remembers why a pattern declined an op, so that the final report can name
/// the reason. Erased ops are forgotten (their address may be reused).
class FailureLog : public RewriterBase::Listener {
public:
  void record(Operation *op, const Twine &reason) {
    reasons[op] = reason.str();
  }
  std::string lookup(Operation *op) const {
    auto it = reasons.find(op);
    return it == reasons.end() ? std::string() : it->second;
  }
  void notifyOperationErased(Operation *op) override { reasons.erase(op); }

private:
  DenseMap<Operation *, std::string> reasons;
};

/// Base of the conversion patterns: `fail` records the reason for the report.
template <typename OpTy> struct LinalgToCimPattern : OpRewritePattern<OpTy> {
  LinalgToCimPattern(MLIRContext *context, FailureLog &log)
      : OpRewritePattern<OpTy>(context), log(log) {}

  LogicalResult fail(Operation *op, PatternRewriter &rewriter,
                     const Twine &reason) const {
    log.record(op, reason);
    return rewriter.notifyMatchFailure(op, reason);
  }

  FailureLog &log;
};

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// The static ranked float tensor type of `v`, or null.
RankedTensorType staticFloatTensor(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape() ||
      !llvm::isa<FloatType>(type.getElementType()))
    return {};
  return type;
}

/// The static ranked tensor type of `v` (any element type), or null.
RankedTensorType staticTensor(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape())
    return {};
  return type;
}

/// cim.reshape of `v` to `shape` (nothing if it already has it).
Value reshape(PatternRewriter &rewriter, Location loc, Value v,
              ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getShape() == shape)
    return v;
  return cim::ReshapeOp::create(
      rewriter, loc, RankedTensorType::get(shape, type.getElementType()), v);
}

/// A splat constant of `type` holding `value`.
Value splatConstant(PatternRewriter &rewriter, Location loc,
                    RankedTensorType type, double value) {
  auto elementType = cast<FloatType>(type.getElementType());
  APFloat apValue(value);
  bool lost;
  apValue.convert(elementType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                  &lost);
  return cim::ConstantOp::create(rewriter, loc,
                                 DenseElementsAttr::get(type, apValue));
}

/// The value every element of `v` has, if `v` is a splat float constant or a
/// linalg.fill with a constant.
std::optional<APFloat> getSplatValue(Value v) {
  if (auto fill = v.getDefiningOp<linalg::FillOp>()) {
    APFloat value(0.0);
    if (matchPattern(fill.getInputs()[0], m_ConstantFloat(&value)))
      return value;
    return std::nullopt;
  }
  DenseElementsAttr dense;
  if (matchPattern(v, m_Constant(&dense)) && dense.isSplat() &&
      llvm::isa<FloatType>(dense.getElementType()))
    return dense.getSplatValue<APFloat>();
  APFloat value(0.0);
  if (matchPattern(v, m_ConstantFloat(&value)))
    return value;
  return std::nullopt;
}

bool isZero(const APFloat &value) { return value.isZero(); }

/// True for -inf and the lowest finite float: padding and initial values
/// that never win a max.
bool isLowest(const APFloat &value) {
  if (value.isInfinity() && value.isNegative())
    return true;
  APFloat lowest = APFloat::getLargest(value.getSemantics(), true);
  return value.compare(lowest) != APFloat::cmpGreaterThan;
}

/// A constant padding around a tensor: tensor.pad (with a constant yield) or
/// cim.pad in constant mode.
struct Padding {
  Value source;
  SmallVector<int64_t> low, high;
  APFloat value = APFloat(0.0);
};

std::optional<Padding> getPadding(Value v) {
  Padding padding;
  if (auto pad = v.getDefiningOp<tensor::PadOp>()) {
    Value padValue = pad.getConstantPaddingValue();
    if (!padValue || !matchPattern(padValue, m_ConstantFloat(&padding.value)))
      return std::nullopt;
    if (!pad.getLow().empty() || !pad.getHigh().empty())
      return std::nullopt;
    padding.source = pad.getSource();
    padding.low = llvm::to_vector(pad.getStaticLow());
    padding.high = llvm::to_vector(pad.getStaticHigh());
    return padding;
  }
  if (auto pad = v.getDefiningOp<cim::PadOp>()) {
    if (pad.getMode() != PadMode::constant)
      return std::nullopt;
    int64_t rank = pad.getType().getRank();
    padding.source = pad.getInput();
    padding.low = llvm::to_vector(pad.getPads().take_front(rank));
    padding.high = llvm::to_vector(pad.getPads().drop_front(rank));
    padding.value = pad.getValue();
    return padding;
  }
  return std::nullopt;
}

/// If `v` is a slice with zero offsets and unit strides that only trims
/// trailing rows and columns (dims `h` and `w`), returns its source.
/// tosa-to-linalg trims input rows that no window reads this way.
Value peelTrailingTrim(Value v, int64_t h, int64_t w) {
  Value source;
  SmallVector<int64_t> offsets, strides;
  if (auto slice = v.getDefiningOp<tensor::ExtractSliceOp>()) {
    if (ShapedType::isDynamicShape(slice.getStaticOffsets()) ||
        ShapedType::isDynamicShape(slice.getStaticStrides()))
      return {};
    source = slice.getSource();
    offsets = llvm::to_vector(slice.getStaticOffsets());
    strides = llvm::to_vector(slice.getStaticStrides());
  } else if (auto slice = v.getDefiningOp<cim::SliceOp>()) {
    source = slice.getInput();
    offsets = llvm::to_vector(slice.getOffsets());
    strides = llvm::to_vector(slice.getStrides());
  } else {
    return {};
  }
  RankedTensorType from = staticTensor(source), to = staticTensor(v);
  if (!from || !to || from.getRank() != to.getRank())
    return {};
  for (int64_t d = 0; d < from.getRank(); ++d)
    if (offsets[d] != 0 || strides[d] != 1 ||
        (d != h && d != w && from.getDimSize(d) != to.getDimSize(d)))
      return {};
  return source;
}

/// Peels what a window op's input went through before it (a trailing trim,
/// then a padding by a value `accept`s on dims `h` and `w` only) and returns
/// the bare input; `pads` becomes [top, left, bottom, right]. The bottom and
/// right pads are provisional: fitTrailingPads settles them. Returns `v`
/// with zero pads if there is nothing to peel.
Value peelSpatialPadding(Value v, int64_t h, int64_t w,
                         function_ref<bool(const APFloat &)> accept,
                         SmallVectorImpl<int64_t> &pads) {
  pads.assign({0, 0, 0, 0});
  // Rows and columns a trim removes were never read, so the trim goes away
  // and fitTrailingPads drops the padding that only they needed.
  if (Value untrimmed = peelTrailingTrim(v, h, w))
    v = untrimmed;
  std::optional<Padding> padding = getPadding(v);
  if (!padding || !accept(padding->value))
    return v;
  for (size_t d = 0; d < padding->low.size(); ++d)
    if ((int64_t)d != h && (int64_t)d != w &&
        (padding->low[d] != 0 || padding->high[d] != 0))
      return v;
  if (llvm::any_of(padding->low, [](int64_t p) { return p < 0; }) ||
      llvm::any_of(padding->high, [](int64_t p) { return p < 0; }))
    return v;
  pads.assign(
      {padding->low[h], padding->low[w], padding->high[h], padding->high[w]});
  return padding->source;
}

/// Output size of a window along one dimension (floor mode, as cim verifies).
int64_t windowedSize(int64_t in, int64_t kernel, int64_t stride,
                     int64_t dilation, int64_t padBegin, int64_t padEnd) {
  int64_t room = in + padBegin + padEnd - (dilation * (kernel - 1) + 1);
  return room < 0 ? 0 : room / stride + 1;
}

/// Linalg may compute fewer outputs than the padded input allows (TOSA trims
/// padding and rows that no window reaches); trailing padding no window
/// touches can then change without changing any output. Sets pads[2 + i] so
/// that the cim formula gives `out`, preferring the leading pad's value (the
/// symmetric padding models are exported with); false if impossible.
bool fitTrailingPads(ArrayRef<int64_t> in, ArrayRef<int64_t> out,
                     ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                     ArrayRef<int64_t> dilations,
                     SmallVectorImpl<int64_t> &pads) {
  for (int i = 0; i < 2; ++i) {
    auto fits = [&](int64_t end) {
      return windowedSize(in[i], kernel[i], strides[i], dilations[i], pads[i],
                          end) == out[i];
    };
    if (fits(pads[i])) {
      pads[2 + i] = pads[i];
      continue;
    }
    bool found = false;
    for (int64_t end = std::max(pads[2 + i], pads[i]); end >= 0 && !found;
         --end)
      if (fits(end)) {
        pads[2 + i] = end;
        found = true;
      }
    if (!found)
      return false;
  }
  return true;
}

/// `strides` or `dilations` of a Linalg convolution or pooling (default 1s).
SmallVector<int64_t> getWindowAttr(Operation *op, StringRef name) {
  SmallVector<int64_t> values = {1, 1};
  if (auto attr = op->getAttrOfType<DenseIntElementsAttr>(name))
    values = llvm::to_vector(attr.getValues<int64_t>());
  return values;
}

/// What a convolution or matrix product accumulates onto.
struct InitValue {
  enum Kind { Zero, Bias, Tensor } kind = Zero;
  /// Bias: a value with one element per channel; Tensor: the init itself.
  Value value;
  /// Bias from a non-zero fill or splat.
  std::optional<APFloat> splat;
};

/// True if `map` reads exactly the dims `dims` (in order), plus constant-0
/// results on unit dimensions of `type`.
bool readsOnlyDims(AffineMap map, RankedTensorType type,
                   ArrayRef<int64_t> dims) {
  SmallVector<int64_t> read;
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      read.push_back(dim.getPosition());
      continue;
    }
    auto constant = dyn_cast<AffineConstantExpr>(expr);
    if (!constant || constant.getValue() != 0 || type.getDimSize(i) != 1)
      return false;
  }
  return llvm::equal(read, dims);
}

/// Classifies the init of a conv or matmul whose output channels are the
/// result dimensions `channelDims`: a zero fill (or tensor.empty, whose
/// contents are undefined), a broadcast of a per-channel bias, or anything
/// else (added after the op).
InitValue analyzeInit(Value init, ArrayRef<int64_t> channelDims) {
  InitValue result;
  if (init.getDefiningOp<tensor::EmptyOp>())
    return result;
  if (std::optional<APFloat> splat = getSplatValue(init)) {
    if (!isZero(*splat)) {
      result.kind = InitValue::Bias;
      result.splat = *splat;
    }
    return result;
  }
  auto initType = cast<RankedTensorType>(init.getType());
  int64_t channels = 1;
  for (int64_t d : channelDims)
    channels *= initType.getDimSize(d);
  auto isBias = [&](Value source) {
    RankedTensorType type = staticTensor(source);
    return type && type.getNumElements() == channels &&
           type.getElementType() == initType.getElementType();
  };
  // A linalg.generic that copies a broadcast of its input.
  if (auto generic = init.getDefiningOp<linalg::GenericOp>()) {
    if (generic.getNumDpsInputs() == 1 && generic.getNumResults() == 1 &&
        generic.getNumParallelLoops() == generic.getNumLoops()) {
      Block &body = generic.getRegion().front();
      auto yield = cast<linalg::YieldOp>(body.getTerminator());
      Value source = generic.getDpsInputs()[0];
      if (yield.getNumOperands() == 1 &&
          yield.getOperand(0) == body.getArgument(0) &&
          generic.getIndexingMapsArray()[1].isIdentity() && isBias(source) &&
          readsOnlyDims(generic.getIndexingMapsArray()[0],
                        cast<RankedTensorType>(source.getType()),
                        channelDims)) {
        result.kind = InitValue::Bias;
        result.value = source;
        return result;
      }
    }
  }
  if (auto broadcast = init.getDefiningOp<linalg::BroadcastOp>()) {
    SmallVector<int64_t> kept;
    for (int64_t d = 0; d < initType.getRank(); ++d)
      if (!llvm::is_contained(broadcast.getDimensions(), d))
        kept.push_back(d);
    if (kept == channelDims && isBias(broadcast.getInput())) {
      result.kind = InitValue::Bias;
      result.value = broadcast.getInput();
      return result;
    }
  }
  result.kind = InitValue::Tensor;
  result.value = init;
  return result;
}

/// The 1-D bias of `channels` entries for a Bias init, else null.
Value materializeBias(PatternRewriter &rewriter, Location loc,
                      const InitValue &init, int64_t channels,
                      Type elementType) {
  if (init.kind != InitValue::Bias)
    return {};
  auto type = RankedTensorType::get({channels}, elementType);
  if (init.splat)
    return cim::ConstantOp::create(rewriter, loc,
                                   DenseElementsAttr::get(type, *init.splat));
  return reshape(rewriter, loc, init.value, {channels});
}

/// True if `v` is only used as the init (DPS output) of Linalg ops, which
/// fold it into themselves.
bool onlyUsedAsInit(Value v) {
  return !v.use_empty() && llvm::all_of(v.getUses(), [](OpOperand &use) {
    auto dps = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
    return dps && llvm::isa<linalg::LinalgOp>(use.getOwner()) &&
           dps.isDpsInit(&use);
  });
}

//===----------------------------------------------------------------------===//
// Constants, fills, layout ops
//===----------------------------------------------------------------------===//

/// arith.constant of a tensor -> cim.constant.
struct ConvertConstant : LinalgToCimPattern<arith::ConstantOp> {
  using LinalgToCimPattern::LinalgToCimPattern;
  LogicalResult matchAndRewrite(arith::ConstantOp op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getType());
    auto value = dyn_cast<ElementsAttr>(op.getValue());
    if (!type || !value)
      return failure();
    if (!type.getElementType().isIntOrFloat())
      return fail(op, rewriter, "element type is not an integer or float");
    rewriter.replaceOpWithNewOp<cim::ConstantOp>(op, type, value);
    return success();
  }
};

/// linalg.fill of a constant -> splat cim.constant (unless the fill is only
/// an init, which its users absorb).
struct ConvertFill : LinalgToCimPattern<linalg::FillOp> {
  using LinalgToCimPattern::LinalgToCimPattern;
  LogicalResult matchAndRewrite(linalg::FillOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumResults() != 1)
      return fail(op, rewriter, "only single-result fills map");
    if (onlyUsedAsInit(op.getResult(0)))
      return fail(op, rewriter,
                  "it initializes an operation that was not converted");
    RankedTensorType type = staticFloatTensor(op.getResult(0));
    std::optional<APFloat> value = getSplatValue(op.getResult(0));
    if (!type || !value)
      return fail(
          op, rewriter,
          "only fills of a static float tensor with a constant value map");
    rewriter.replaceOpWithNewOp<cim::ConstantOp>(
        op, type, DenseElementsAttr::get(type, *value));
    return success();
  }
};

/// linalg.transpose -> cim.transpose.
struct ConvertTranspose : LinalgToCimPattern<linalg::TransposeOp> {
  using LinalgToCimPattern::LinalgToCimPattern;
  LogicalResult matchAndRewrite(linalg::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumResults() != 1 || !staticTensor(op.getInput()))
      return fail(op, rewriter, "needs a static tensor operand and result");
    rewriter.replaceOp(op, createTranspose(rewriter, op.getLoc(), op.getInput(),
                                           op.getPermutation()));
    return success();
  }
};

/// tensor.expand_shape / collapse_shape / reshape -> cim.reshape.
template <typename OpTy> struct ConvertReshape : LinalgToCimPattern<OpTy> {
  using LinalgToCimPattern<OpTy>::LinalgToCimPattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Value input = op->getOperand(0);
    if (!staticTensor(input) || !staticTensor(op.getResult()))
      return this->fail(op, rewriter, "dynamic shapes are not supported");
    rewriter.replaceOpWithNewOp<cim::ReshapeOp>(op, op.getResult().getType(),
                                                input);
    return success();
  }
};

/// tensor.pad with a constant -> cim.pad (when no conv or pool folds it).
struct ConvertPad : LinalgToCimPattern<tensor::PadOp> {
  using LinalgToCimPattern::LinalgToCimPattern;
  LogicalResult matchAndRewrite(tensor::PadOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType type = staticFloatTensor(op.getResult());
    std::optional<Padding> padding = getPadding(op.getResult());
    if (!type || !staticTensor(op.getSource()))
      return fail(op, rewriter, "needs static float tensors");
    if (!padding)
      return fail(op, rewriter,
                  "only static padding with a constant float value maps");
    if (llvm::any_of(padding->low, [](int64_t p) { return p < 0; }) ||
        llvm::any_of(padding->high, [](int64_t p) { return p < 0; }))
      return fail(op, rewriter, "negative padding");
    SmallVector<int64_t> pads = padding->low;
    pads.append(padding->high);
    APFloat value = padding->value;
    bool lost;
    value.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
    rewriter.replaceOpWithNewOp<cim::PadOp>(
        op, type, op.getSource(), rewriter.getDenseI64ArrayAttr(pads),
        PadModeAttr::get(rewriter.getContext(), PadMode::constant),
        rewriter.getF32FloatAttr(value.convertToFloat()));
    return success();
  }
};

/// tensor.extract_slice with static unit-or-larger strides -> cim.slice
/// (and a cim.reshape for a rank-reducing slice).
struct ConvertExtractSlice : LinalgToCimPattern<tensor::ExtractSliceOp> {
  using LinalgToCimPattern::LinalgToCimPattern;
  LogicalResult matchAndRewrite(tensor::ExtractSliceOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType source = staticTensor(op.getSource());
    RankedTensorType result = staticTensor(op.getResult());
    if (!source || !result ||
        ShapedType::isDynamicShape(op.getStaticOffsets()) ||
        ShapedType::isDynamicShape(op.getStaticSizes()) ||
        ShapedType::isDynamicShape(op.getStaticStrides()))
      return fail(op, rewriter, "only static slices map");
    if (llvm::any_of(op.getStaticStrides(), [](int64_t s) { return s < 1; }))
      return fail(op, rewriter, "non-positive strides");
    auto sliceType =
        RankedTensorType::get(op.getStaticSizes(), source.getElementType());
    Value slice =
        cim::SliceOp::create(rewriter, op.getLoc(), sliceType, op.getSource(),
                             op.getStaticOffsets(), op.getStaticStrides());
    rewriter.replaceOp(
        op, reshape(rewriter, op.getLoc(), slice, result.getShape()));
    return success();
  }
};

/// tensor.concat -> cim.concat.
struct ConvertConcat : LinalgToCimPattern<tensor::ConcatOp> {
  using LinalgToCimPattern::LinalgToCimPattern;
  LogicalResult matchAndRewrite(tensor::ConcatOp op,
                                PatternRewriter &rewriter) const override {
    if (!staticTensor(op.getResult()) ||
        !llvm::all_of(op.getInputs(), [](Value v) { return staticTensor(v); }))
      return fail(op, rewriter, "dynamic shapes are not supported");
    rewriter.replaceOpWithNewOp<cim::ConcatOp>(op, op.getType(), op.getInputs(),
                                               op.getDim());
    return success();
  }
};

/// A chain of tensor.insert_slice into a tensor.empty that tiles the whole
/// result along one axis (how tosa-to-tensor writes tosa.concat) ->
/// cim.concat. Rooted at the last insert of the chain.
struct ConvertInsertSliceChain : LinalgToCimPattern<tensor::InsertSliceOp> {
  using LinalgToCimPattern::LinalgToCimPattern;
  LogicalResult matchAndRewrite(tensor::InsertSliceOp op,
                                PatternRewriter &rewriter) const override {
    // Inner inserts go with the last one.
    if (op.getResult().hasOneUse()) {
      auto next =
          dyn_cast<tensor::InsertSliceOp>(*op.getResult().getUsers().begin());
      if (next && next.getDest() == op.getResult())
        return fail(op, rewriter, "part of a concatenation not converted");
    }
    RankedTensorType type = staticTensor(op.getResult());
    if (!type)
      return fail(op, rewriter, "dynamic shapes are not supported");
    SmallVector<tensor::InsertSliceOp> chain;
    Value dest = op.getResult();
    while (auto insert = dest.getDefiningOp<tensor::InsertSliceOp>()) {
      if (!chain.empty() && !insert.getResult().hasOneUse())
        return fail(op, rewriter,
                    "an intermediate result of the inserts has other uses");
      chain.push_back(insert);
      dest = insert.getDest();
    }
    if (!dest.getDefiningOp<tensor::EmptyOp>())
      return fail(op, rewriter,
                  "only inserts that tile a tensor.empty (a concatenation) "
                  "map");
    // Find the one axis along which the pieces differ.
    int64_t rank = type.getRank(), axis = -1;
    for (tensor::InsertSliceOp insert : chain) {
      ArrayRef<int64_t> offsets = insert.getStaticOffsets();
      ArrayRef<int64_t> sizes = insert.getStaticSizes();
      if (ShapedType::isDynamicShape(offsets) ||
          ShapedType::isDynamicShape(sizes) ||
          llvm::any_of(insert.getStaticStrides(),
                       [](int64_t s) { return s != 1; }) ||
          !staticTensor(insert.getSource()))
        return fail(op, rewriter, "only static unit-stride inserts map");
      for (int64_t d = 0; d < rank; ++d) {
        if (sizes[d] == type.getDimSize(d) && offsets[d] == 0)
          continue;
        if (axis != -1 && axis != d)
          return fail(op, rewriter,
                      "the inserts differ along more than one axis");
        axis = d;
      }
    }
    if (axis == -1)
      axis = 0;
    // The pieces must cover the axis exactly once.
    struct Piece {
      int64_t offset, size;
      Value source;
    };
    SmallVector<Piece> pieces;
    for (tensor::InsertSliceOp insert : chain)
      pieces.push_back({insert.getStaticOffsets()[axis],
                        insert.getStaticSizes()[axis], insert.getSource()});
    llvm::sort(pieces, [](const Piece &x, const Piece &y) {
      return x.offset < y.offset;
    });
    int64_t next = 0;
    for (const Piece &piece : pieces) {
      if (piece.offset != next)
        return fail(op, rewriter,
                    "the inserts do not tile the result exactly once");
      next += piece.size;
    }
    if (next != type.getDimSize(axis))
      return fail(op, rewriter,
                  "the inserts do not tile the result exactly once");
    SmallVector<Value> inputs;
    for (const Piece &piece : pieces) {
      SmallVector<int64_t> shape = llvm::to_vector(type.getShape());
      shape[axis] = piece.size;
      inputs.push_back(reshape(rewriter, op.getLoc(), piece.source, shape));
    }
    rewriter.replaceOpWithNewOp<cim::ConcatOp>(op, type, inputs,
                                               (uint64_t)axis);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

/// How a Linalg convolution's operands relate to cim's NCHW / FCHW.
struct ConvLayout {
  enum Kind { Regular, Depthwise, DepthwiseMultiplier } kind = Regular;
  bool nhwc = false;
  /// Regular: filter dims -> F, C, H, W. Depthwise: filter -> C, H, W.
  /// DepthwiseMultiplier: filter -> C, M, H, W.
  SmallVector<int64_t, 4> filterPerm;
};

template <typename OpTy> ConvLayout getConvLayout();
template <> ConvLayout getConvLayout<linalg::Conv2DNchwFchwOp>() {
  return {ConvLayout::Regular, false, {0, 1, 2, 3}};
}
template <> ConvLayout getConvLayout<linalg::Conv2DNhwcHwcfOp>() {
  return {ConvLayout::Regular, true, {3, 2, 0, 1}};
}
template <> ConvLayout getConvLayout<linalg::Conv2DNhwcFhwcOp>() {
  return {ConvLayout::Regular, true, {0, 3, 1, 2}};
}
template <> ConvLayout getConvLayout<linalg::DepthwiseConv2DNhwcHwcOp>() {
  return {ConvLayout::Depthwise, true, {2, 0, 1}};
}
template <> ConvLayout getConvLayout<linalg::DepthwiseConv2DNchwChwOp>() {
  return {ConvLayout::Depthwise, false, {0, 1, 2}};
}
template <> ConvLayout getConvLayout<linalg::DepthwiseConv2DNhwcHwcmOp>() {
  return {ConvLayout::DepthwiseMultiplier, true, {2, 3, 0, 1}};
}

/// A Linalg 2-D convolution -> cim.conv2d (NCHW, FCHW weight, bias from the
/// init), with transposes for NHWC and the input's zero padding folded.
template <typename OpTy> struct ConvertConv : LinalgToCimPattern<OpTy> {
  using LinalgToCimPattern<OpTy>::LinalgToCimPattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return this->fail(op, rewriter, "only Linalg ops on tensors map");
    ConvLayout layout = getConvLayout<OpTy>();
    Location loc = op.getLoc();
    Value input = op.getDpsInputs()[0], filter = op.getDpsInputs()[1];
    Value init = op.getDpsInits()[0];
    RankedTensorType outType = staticFloatTensor(op->getResult(0));
    RankedTensorType filterType = staticFloatTensor(filter);
    if (!outType || !filterType || !staticFloatTensor(input))
      return this->fail(op, rewriter, "needs static float tensors");
    Type elementType = outType.getElementType();
    if (cast<RankedTensorType>(input.getType()).getElementType() !=
            elementType ||
        filterType.getElementType() != elementType)
      return this->fail(op, rewriter, "mixed element types");

    int64_t h = layout.nhwc ? 1 : 2, w = layout.nhwc ? 2 : 3;
    SmallVector<int64_t> pads;
    Value source = peelSpatialPadding(input, h, w, isZero, pads);
    auto sourceShape = cast<RankedTensorType>(source.getType()).getShape();

    // Output in NCHW, and the FCHW weight's shape and the group count.
    ArrayRef<int64_t> out = outType.getShape();
    int64_t batch = out[0], filters = 0, oh, ow, groups = 1;
    SmallVector<int64_t> channelDims;
    SmallVector<int64_t> kernel;
    SmallVector<int64_t> weightShape;
    ArrayRef<int64_t> fs = filterType.getShape();
    SmallVector<int64_t> permuted = permuteShape(fs, layout.filterPerm);
    switch (layout.kind) {
    case ConvLayout::Regular:
      filters = layout.nhwc ? out[3] : out[1];
      channelDims = {layout.nhwc ? 3 : 1};
      weightShape = permuted;
      break;
    case ConvLayout::Depthwise:
      filters = layout.nhwc ? out[3] : out[1];
      channelDims = {layout.nhwc ? 3 : 1};
      groups = permuted[0];
      weightShape = {permuted[0], 1, permuted[1], permuted[2]};
      break;
    case ConvLayout::DepthwiseMultiplier:
      filters = out[3] * out[4];
      channelDims = {3, 4};
      groups = permuted[0];
      weightShape = {permuted[0] * permuted[1], 1, permuted[2], permuted[3]};
      break;
    }
    oh = out[h];
    ow = out[w];
    kernel = {weightShape[2], weightShape[3]};
    SmallVector<int64_t> strides = getWindowAttr(op, "strides");
    SmallVector<int64_t> dilations = getWindowAttr(op, "dilations");
    SmallVector<int64_t> inSpatial = {sourceShape[h], sourceShape[w]};
    if (!fitTrailingPads(inSpatial, {oh, ow}, kernel, strides, dilations, pads))
      return this->fail(op, rewriter,
                        "the output size does not follow from the input, "
                        "padding, strides and dilations");
    InitValue initValue = analyzeInit(init, channelDims);

    // Everything checked: build.
    Value x = layout.nhwc ? createTranspose(rewriter, loc, source, {0, 3, 1, 2})
                          : source;
    Value weight = createTranspose(rewriter, loc, filter, layout.filterPerm);
    weight = reshape(rewriter, loc, weight, weightShape);
    Value bias =
        materializeBias(rewriter, loc, initValue, filters, elementType);
    auto convType =
        RankedTensorType::get({batch, filters, oh, ow}, elementType);
    Value y = cim::Conv2dOp::create(rewriter, loc, convType, x, weight, bias,
                                    strides, pads, dilations, groups,
                                    /*precision=*/nullptr);
    if (layout.nhwc)
      y = createTranspose(rewriter, loc, y, {0, 2, 3, 1});
    y = reshape(rewriter, loc, y, out);
    if (initValue.kind == InitValue::Tensor)
      y = cim::AddOp::create(rewriter, loc, outType, y, initValue.value);
    rewriter.replaceOp(op, y);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

template <typename OpTy> constexpr bool isNhwcPool() {
  return std::is_same_v<OpTy, linalg::PoolingNhwcMaxOp> ||
         std::is_same_v<OpTy, linalg::PoolingNhwcSumOp>;
}

/// linalg.pooling_{nhwc,nchw}_max -> cim.max_pool2d; padding by -inf (or the
/// lowest float) folds into pads.
template <typename OpTy> struct ConvertMaxPool : LinalgToCimPattern<OpTy> {
  using LinalgToCimPattern<OpTy>::LinalgToCimPattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return this->fail(op, rewriter, "only Linalg ops on tensors map");
    constexpr bool nhwc = isNhwcPool<OpTy>();
    Location loc = op.getLoc();
    Value input = op.getDpsInputs()[0];
    RankedTensorType outType = staticFloatTensor(op->getResult(0));
    RankedTensorType windowType = staticTensor(op.getDpsInputs()[1]);
    if (!outType || !windowType || !staticFloatTensor(input))
      return this->fail(op, rewriter, "needs static float tensors");
    std::optional<APFloat> initValue = getSplatValue(op.getDpsInits()[0]);
    if (!initValue || !isLowest(*initValue))
      return this->fail(op, rewriter,
                        "the initial value is not a fill with -inf or the "
                        "lowest float");
    int64_t h = nhwc ? 1 : 2, w = nhwc ? 2 : 3;
    SmallVector<int64_t> kernel = llvm::to_vector(windowType.getShape());
    SmallVector<int64_t> strides = getWindowAttr(op, "strides");
    SmallVector<int64_t> dilations = getWindowAttr(op, "dilations");
    SmallVector<int64_t> pads;
    Value source = peelSpatialPadding(input, h, w, isLowest, pads);
    // cim pools need pads smaller than the window; keep larger padding as an
    // explicit pad.
    if (pads[0] >= kernel[0] * dilations[0] ||
        pads[2] >= kernel[0] * dilations[0] ||
        pads[1] >= kernel[1] * dilations[1] ||
        pads[3] >= kernel[1] * dilations[1]) {
      source = input;
      pads.assign({0, 0, 0, 0});
    }
    auto sourceShape = cast<RankedTensorType>(source.getType()).getShape();
    ArrayRef<int64_t> out = outType.getShape();
    if (!fitTrailingPads({sourceShape[h], sourceShape[w]}, {out[h], out[w]},
                         kernel, strides, dilations, pads))
      return this->fail(op, rewriter,
                        "the output size does not follow from the input, "
                        "padding and strides");
    Value x =
        nhwc ? createTranspose(rewriter, loc, source, {0, 3, 1, 2}) : source;
    auto poolType = RankedTensorType::get(
        nhwc ? SmallVector<int64_t>{out[0], out[3], out[1], out[2]}
             : SmallVector<int64_t>(out.begin(), out.end()),
        outType.getElementType());
    Value y = cim::MaxPool2dOp::create(rewriter, loc, poolType, x, kernel,
                                       strides, pads, dilations);
    if (nhwc)
      y = createTranspose(rewriter, loc, y, {0, 2, 3, 1});
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// A scalar of an index computation, evaluated with the loop indices given.
/// Covers what tosa-to-linalg emits for average-pooling divisors.
std::optional<double> evaluate(Value v, ArrayRef<int64_t> indices,
                               int depth = 0) {
  if (depth > 64)
    return std::nullopt;
  Operation *op = v.getDefiningOp();
  if (!op)
    return std::nullopt;
  if (auto index = dyn_cast<linalg::IndexOp>(op)) {
    if (index.getDim() >= indices.size())
      return std::nullopt;
    return indices[index.getDim()];
  }
  if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
    if (auto i = dyn_cast<IntegerAttr>(constant.getValue()))
      return (double)i.getValue().getSExtValue();
    if (auto f = dyn_cast<FloatAttr>(constant.getValue()))
      return f.getValueAsDouble();
    return std::nullopt;
  }
  auto operand = [&](unsigned i) {
    return evaluate(op->getOperand(i), indices, depth + 1);
  };
  // Casts keep the value (counts are small integers).
  if (llvm::isa<arith::IndexCastOp, arith::IndexCastUIOp, arith::SIToFPOp,
                arith::UIToFPOp, arith::ExtSIOp, arith::ExtUIOp,
                arith::TruncIOp, arith::ExtFOp, arith::TruncFOp>(op))
    return operand(0);
  if (auto select = dyn_cast<arith::SelectOp>(op)) {
    std::optional<double> c = operand(0);
    if (!c)
      return std::nullopt;
    return *c != 0 ? operand(1) : operand(2);
  }
  if (op->getNumOperands() != 2)
    return std::nullopt;
  std::optional<double> a = operand(0), b = operand(1);
  if (!a || !b)
    return std::nullopt;
  if (auto cmp = dyn_cast<arith::CmpIOp>(op)) {
    switch (cmp.getPredicate()) {
    case arith::CmpIPredicate::eq:
      return double(*a == *b);
    case arith::CmpIPredicate::ne:
      return double(*a != *b);
    case arith::CmpIPredicate::slt:
    case arith::CmpIPredicate::ult:
      return double(*a < *b);
    case arith::CmpIPredicate::sle:
    case arith::CmpIPredicate::ule:
      return double(*a <= *b);
    case arith::CmpIPredicate::sgt:
    case arith::CmpIPredicate::ugt:
      return double(*a > *b);
    case arith::CmpIPredicate::sge:
    case arith::CmpIPredicate::uge:
      return double(*a >= *b);
    }
    return std::nullopt;
  }
  return llvm::TypeSwitch<Operation *, std::optional<double>>(op)
      .Case<arith::AddIOp, arith::AddFOp>(
          [&](auto) -> std::optional<double> { return *a + *b; })
      .Case<arith::SubIOp, arith::SubFOp>(
          [&](auto) -> std::optional<double> { return *a - *b; })
      .Case<arith::MulIOp, arith::MulFOp>(
          [&](auto) -> std::optional<double> { return *a * *b; })
      .Case<arith::DivFOp>(
          [&](auto) -> std::optional<double> { return *a / *b; })
      .Case<arith::DivSIOp, arith::DivUIOp>([&](auto) -> std::optional<double> {
        if (*b == 0)
          return std::nullopt;
        return std::trunc(*a / *b);
      })
      .Case<arith::FloorDivSIOp>([&](auto) -> std::optional<double> {
        if (*b == 0)
          return std::nullopt;
        return std::floor(*a / *b);
      })
      .Case<arith::CeilDivSIOp, arith::CeilDivUIOp>(
          [&](auto) -> std::optional<double> {
            if (*b == 0)
              return std::nullopt;
            return std::ceil(*a / *b);
          })
      .Case<arith::MaxSIOp, arith::MaxUIOp>(
          [&](auto) -> std::optional<double> { return std::max(*a, *b); })
      .Case<arith::MinSIOp, arith::MinUIOp>(
          [&](auto) -> std::optional<double> { return std::min(*a, *b); })
      .Default([](Operation *) { return std::nullopt; });
}

/// A linalg.generic that divides its single input elementwise by a value
/// computed from loop indices: the second half of an average pool.
struct PoolDivision {
  linalg::GenericOp generic;
  Value divisor;
};

std::optional<PoolDivision> getPoolDivision(Value sum) {
  if (!sum.hasOneUse())
    return std::nullopt;
  auto generic = dyn_cast<linalg::GenericOp>(*sum.getUsers().begin());
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumResults() != 1 || generic.getDpsInputs()[0] != sum ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isIdentity(); }) ||
      generic.getResult(0).getType() != sum.getType())
    return std::nullopt;
  Block &body = generic.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto div = yield.getNumOperands() == 1
                 ? yield.getOperand(0).getDefiningOp<arith::DivFOp>()
                 : nullptr;
  if (!div || div.getLhs() != body.getArgument(0))
    return std::nullopt;
  return PoolDivision{generic, div.getRhs()};
}

/// linalg.pooling_{nhwc,nchw}_sum followed by a division by the window size
/// (what tosa-to-linalg emits for tosa.avg_pool2d) -> cim.avg_pool2d, or
/// cim.global_avg_pool2d when the window covers the whole unpadded input.
template <typename OpTy> struct ConvertAvgPool : LinalgToCimPattern<OpTy> {
  using LinalgToCimPattern<OpTy>::LinalgToCimPattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return this->fail(op, rewriter, "only Linalg ops on tensors map");
    constexpr bool nhwc = isNhwcPool<OpTy>();
    Location loc = op.getLoc();
    Value input = op.getDpsInputs()[0];
    RankedTensorType outType = staticFloatTensor(op->getResult(0));
    RankedTensorType windowType = staticTensor(op.getDpsInputs()[1]);
    if (!outType || !windowType || !staticFloatTensor(input))
      return this->fail(op, rewriter, "needs static float tensors");
    std::optional<APFloat> initValue = getSplatValue(op.getDpsInits()[0]);
    if (!op.getDpsInits()[0].template getDefiningOp<tensor::EmptyOp>() &&
        (!initValue || !isZero(*initValue)))
      return this->fail(op, rewriter, "the initial value is not zero");
    std::optional<PoolDivision> division = getPoolDivision(op->getResult(0));
    if (!division)
      return this->fail(op, rewriter,
                        "a sum pool maps only when followed by a division "
                        "by the window size (an average pool)");
    SmallVector<int64_t> dilations = getWindowAttr(op, "dilations");
    if (dilations[0] != 1 || dilations[1] != 1)
      return this->fail(op, rewriter, "cim.avg_pool2d has no dilations");
    int64_t h = nhwc ? 1 : 2, w = nhwc ? 2 : 3;
    SmallVector<int64_t> kernel = llvm::to_vector(windowType.getShape());
    SmallVector<int64_t> strides = getWindowAttr(op, "strides");
    SmallVector<int64_t> pads;
    Value source = peelSpatialPadding(input, h, w, isZero, pads);
    if (pads[0] >= kernel[0] || pads[2] >= kernel[0] || pads[1] >= kernel[1] ||
        pads[3] >= kernel[1])
      return this->fail(op, rewriter, "padding as large as the window");
    auto sourceShape = cast<RankedTensorType>(source.getType()).getShape();
    ArrayRef<int64_t> out = outType.getShape();
    int64_t inH = sourceShape[h], inW = sourceShape[w];
    if (!fitTrailingPads({inH, inW}, {out[h], out[w]}, kernel, strides,
                         dilations, pads))
      return this->fail(op, rewriter,
                        "the output size does not follow from the input, "
                        "padding and strides");

    // The divisor at every output position must be the window size with or
    // without the padded cells.
    bool matchesInclude = true, matchesExclude = true;
    SmallVector<int64_t> indices(outType.getRank(), 0);
    for (int64_t y = 0; y < out[h]; ++y) {
      for (int64_t x = 0; x < out[w]; ++x) {
        indices[h] = y;
        indices[w] = x;
        std::optional<double> divisor = evaluate(division->divisor, indices);
        if (!divisor)
          return this->fail(op, rewriter,
                            "the divisor of the average is not a "
                            "computation of the window size");
        auto inside = [](int64_t start, int64_t k, int64_t size) {
          return std::min(start + k, size) - std::max<int64_t>(start, 0);
        };
        int64_t cells = inside(y * strides[0] - pads[0], kernel[0], inH) *
                        inside(x * strides[1] - pads[1], kernel[1], inW);
        matchesInclude &= *divisor == double(kernel[0] * kernel[1]);
        matchesExclude &= *divisor == double(cells);
      }
    }
    if (!matchesInclude && !matchesExclude)
      return this->fail(op, rewriter,
                        "the divisor of the average is not the window size");
    bool countIncludePad = !matchesExclude;

    Value x =
        nhwc ? createTranspose(rewriter, loc, source, {0, 3, 1, 2}) : source;
    auto poolType = RankedTensorType::get(
        nhwc ? SmallVector<int64_t>{out[0], out[3], out[1], out[2]}
             : SmallVector<int64_t>(out.begin(), out.end()),
        outType.getElementType());
    Value y;
    bool global = llvm::all_of(pads, [](int64_t p) { return p == 0; }) &&
                  kernel[0] == inH && kernel[1] == inW && out[h] == 1 &&
                  out[w] == 1;
    if (global)
      y = cim::GlobalAvgPool2dOp::create(rewriter, loc, poolType, x);
    else
      y = cim::AvgPool2dOp::create(rewriter, loc, poolType, x, kernel, strides,
                                   pads, /*ceil_mode=*/false, countIncludePad);
    if (nhwc)
      y = createTranspose(rewriter, loc, y, {0, 2, 3, 1});
    rewriter.replaceOp(division->generic, y);
    rewriter.eraseOp(op);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

/// Shared by linalg.matmul and linalg.batch_matmul: a constant right operand
/// (with one batch) makes a weight-stationary cim.gemm on 2-D operands, with
/// the bias taken from the init; otherwise cim.matmul.
LogicalResult rewriteMatmul(Operation *op, Value lhs, Value rhs, Value init,
                            PatternRewriter &rewriter, std::string &why) {
  Location loc = op->getLoc();
  if (!cast<linalg::LinalgOp>(op).hasPureTensorSemantics()) {
    why = "only Linalg ops on tensors map";
    return failure();
  }
  RankedTensorType outType = staticFloatTensor(op->getResult(0));
  RankedTensorType lhsType = staticFloatTensor(lhs);
  RankedTensorType rhsType = staticFloatTensor(rhs);
  if (!outType || !lhsType || !rhsType) {
    why = "needs static float tensors";
    return failure();
  }
  Type elementType = outType.getElementType();
  if (lhsType.getElementType() != elementType ||
      rhsType.getElementType() != elementType) {
    why = "mixed element types";
    return failure();
  }
  int64_t rank = outType.getRank();
  bool constantWeight = matchPattern(rhs, m_Constant());
  // linalg.matmul may read an operand transposed (ONNX Gemm's transA/transB
  // in torch-mlir output); a cim.transpose of a constant weight folds.
  bool transposeLhs = false, transposeRhs = false;
  if (cast<linalg::LinalgOp>(op).hasUserDefinedMaps()) {
    auto dims = [](AffineMap map) {
      SmallVector<int64_t> result;
      for (AffineExpr expr : map.getResults()) {
        auto dim = dyn_cast<AffineDimExpr>(expr);
        result.push_back(dim ? dim.getPosition() : -1);
      }
      return result;
    };
    SmallVector<AffineMap> maps =
        cast<linalg::LinalgOp>(op).getIndexingMapsArray();
    SmallVector<int64_t> a = dims(maps[0]), b = dims(maps[1]),
                         c = dims(maps[2]);
    using Dims = SmallVector<int64_t>;
    if (rank != 2 || c != Dims{0, 1} || (a != Dims{0, 2} && a != Dims{2, 0}) ||
        (b != Dims{2, 1} && b != Dims{1, 2})) {
      why = "indexing maps other than (possibly transposed) operands";
      return failure();
    }
    transposeLhs = a == Dims{2, 0};
    transposeRhs = b == Dims{1, 2};
  }
  if (transposeLhs) {
    lhs = createTranspose(rewriter, loc, lhs, {1, 0});
    lhsType = cast<RankedTensorType>(lhs.getType());
  }
  if (transposeRhs) {
    rhs = createTranspose(rewriter, loc, rhs, {1, 0});
    rhsType = cast<RankedTensorType>(rhs.getType());
  }
  ArrayRef<int64_t> out = outType.getShape();
  int64_t n = out[rank - 1];
  InitValue initValue = analyzeInit(init, {rank - 1});
  bool oneWeight = rank == 2 || rhsType.getDimSize(0) == 1;

  Value y;
  if (constantWeight && oneWeight) {
    int64_t k = lhsType.getDimSize(rank - 1);
    int64_t rows = outType.getNumElements() / n;
    Value x = reshape(rewriter, loc, lhs, {rows, k});
    Value weight = reshape(rewriter, loc, rhs, {k, n});
    Value bias = materializeBias(rewriter, loc, initValue, n, elementType);
    y = cim::GemmOp::create(rewriter, loc,
                            RankedTensorType::get({rows, n}, elementType), x,
                            weight, bias, /*precision=*/nullptr);
    y = reshape(rewriter, loc, y, out);
  } else {
    y = cim::MatmulOp::create(rewriter, loc, outType, lhs, rhs,
                              /*precision=*/nullptr);
    if (Value bias = materializeBias(rewriter, loc, initValue, n, elementType))
      y = cim::AddOp::create(rewriter, loc, outType, y, bias);
  }
  if (initValue.kind == InitValue::Tensor)
    y = cim::AddOp::create(rewriter, loc, outType, y, initValue.value);
  rewriter.replaceOp(op, y);
  return success();
}

template <typename OpTy> struct ConvertMatmul : LinalgToCimPattern<OpTy> {
  using LinalgToCimPattern<OpTy>::LinalgToCimPattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    std::string why;
    if (failed(rewriteMatmul(op, op.getDpsInputs()[0], op.getDpsInputs()[1],
                             op.getDpsInits()[0], rewriter, why)))
      return this->fail(op, rewriter, why);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Elementwise linalg.generic and linalg.broadcast
//===----------------------------------------------------------------------===//

/// Checks that `map` reads its operand of `type` as a broadcast in an
/// elementwise op over `outShape`: dims (any order, each once) or constant 0
/// on unit dims. Fills `dims` with the loop dims read, in operand order.
bool isBroadcastMap(AffineMap map, RankedTensorType type,
                    ArrayRef<int64_t> outShape, SmallVectorImpl<int64_t> &dims,
                    SmallVectorImpl<int64_t> &sizes) {
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      int64_t d = dim.getPosition();
      if (llvm::is_contained(dims, d) || type.getDimSize(i) != outShape[d])
        return false;
      dims.push_back(d);
      sizes.push_back(type.getDimSize(i));
      continue;
    }
    auto constant = dyn_cast<AffineConstantExpr>(expr);
    if (!constant || constant.getValue() != 0 || type.getDimSize(i) != 1)
      return false;
  }
  return true;
}

/// Brings an operand read through a broadcast map into the loop order with
/// unit dims where it is broadcast, so numpy broadcasting in cim does the
/// rest.
Value alignOperand(PatternRewriter &rewriter, Location loc, Value v,
                   AffineMap map, ArrayRef<int64_t> outShape) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> dims, sizes;
  (void)isBroadcastMap(map, type, outShape, dims, sizes);
  v = reshape(rewriter, loc, v, sizes);
  SmallVector<int64_t> order =
      llvm::to_vector(llvm::seq<int64_t>(0, dims.size()));
  llvm::sort(order, [&](int64_t a, int64_t b) { return dims[a] < dims[b]; });
  v = createTranspose(rewriter, loc, v, order);
  SmallVector<int64_t> shape(outShape.size(), 1);
  for (int64_t d : dims)
    shape[d] = outShape[d];
  return reshape(rewriter, loc, v, shape);
}

/// numpy broadcast of two static shapes (assumed compatible).
SmallVector<int64_t> broadcastShape(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> result(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    result[i] = da == 1 ? db : da;
  }
  return result;
}

/// Lifts the scalar body of an elementwise linalg.generic to cim ops on
/// whole tensors. A scalar is either a tensor (from an input) or a float
/// constant.
class ElementwiseLifter {
public:
  ElementwiseLifter(linalg::LinalgOp op) : op(op) {}

  /// Checks that every op of the body lifts; sets `why` otherwise.
  bool check(std::string &why) {
    Block &body = *op.getBlock();
    unsigned numInputs = op.getNumDpsInputs();
    auto operandOk = [&](Value v) {
      if (auto arg = dyn_cast<BlockArgument>(v)) {
        if (arg.getOwner() != &body)
          return false;
        if (arg.getArgNumber() >= numInputs) {
          why = "the body reads the initial value";
          return false;
        }
        return true;
      }
      if (v.getParentBlock() == &body)
        return true;
      APFloat value(0.0);
      if (!matchPattern(v, m_ConstantFloat(&value))) {
        why = "the body uses a value defined outside that is not a float "
              "constant";
        return false;
      }
      return true;
    };
    for (Operation &inner : body.without_terminator()) {
      if (!llvm::isa<arith::ConstantOp, arith::AddFOp, arith::SubFOp,
                     arith::MulFOp, arith::DivFOp, arith::NegFOp,
                     arith::MaximumFOp, arith::MaxNumFOp, arith::MinimumFOp,
                     arith::MinNumFOp, math::ExpOp, math::TanhOp, math::SqrtOp,
                     math::ErfOp, math::PowFOp, math::RsqrtOp>(inner)) {
        why = (Twine("the body op '") + inner.getName().getStringRef() +
               "' has no cim counterpart")
                  .str();
        return false;
      }
      if (auto constant = dyn_cast<arith::ConstantOp>(inner)) {
        if (!llvm::isa<FloatAttr>(constant.getValue())) {
          why = "the body has a non-float constant";
          return false;
        }
        continue;
      }
      for (Value operand : inner.getOperands())
        if (!operandOk(operand))
          return false;
      // min/max lift to clips, which need one constant bound.
      if (llvm::isa<arith::MaximumFOp, arith::MaxNumFOp, arith::MinimumFOp,
                    arith::MinNumFOp>(inner) &&
          !isConstant(inner.getOperand(0)) &&
          !isConstant(inner.getOperand(1))) {
        why = "a minimum or maximum of two tensors has no cim counterpart";
        return false;
      }
    }
    Value yielded = body.getTerminator()->getOperand(0);
    return operandOk(yielded);
  }

  /// Builds the cim ops and returns the result (of the op's result type).
  Value build(PatternRewriter &rewriter) {
    Location loc = op->getLoc();
    auto outType = cast<RankedTensorType>(op->getResult(0).getType());
    Block &body = *op.getBlock();
    ArrayRef<int64_t> outShape = outType.getShape();
    for (unsigned i = 0, e = op.getNumDpsInputs(); i < e; ++i)
      tensors[body.getArgument(i)] =
          alignOperand(rewriter, loc, op.getDpsInputs()[i],
                       op.getIndexingMapsArray()[i], outShape);
    // Sigmoid as tosa-to-linalg writes it: 1 / (exp(-x) + 1).
    for (Operation &inner : body.without_terminator()) {
      if (Value x = matchSigmoid(&inner)) {
        Value input = lift(rewriter, x);
        tensors[inner.getResult(0)] =
            cim::SigmoidOp::create(rewriter, loc, input.getType(), input);
        continue;
      }
      if (llvm::isa<arith::ConstantOp>(inner) ||
          tensors.count(inner.getResult(0)))
        continue;
      tensors[inner.getResult(0)] = liftOp(rewriter, &inner);
    }
    Value result = lift(rewriter, body.getTerminator()->getOperand(0));
    if (result.getType() != outType) {
      // A broadcast: multiplying by ones materializes it exactly.
      Value ones = splatConstant(rewriter, loc, outType, 1.0);
      result = cim::MulOp::create(rewriter, loc, outType, result, ones);
    }
    return result;
  }

private:
  static bool isConstant(Value v) {
    APFloat value(0.0);
    return matchPattern(v, m_ConstantFloat(&value));
  }

  /// Returns x if `op` computes 1 / (exp(-x) + 1) or 1 / (1 + exp(-x)).
  static Value matchSigmoid(Operation *op) {
    auto div = dyn_cast<arith::DivFOp>(op);
    APFloat one(0.0);
    if (!div || !matchPattern(div.getLhs(), m_ConstantFloat(&one)) ||
        !one.isExactlyValue(1.0))
      return {};
    auto add = div.getRhs().getDefiningOp<arith::AddFOp>();
    if (!add)
      return {};
    Value expValue = add.getLhs(), other = add.getRhs();
    if (!isConstant(other))
      std::swap(expValue, other);
    APFloat c(0.0);
    if (!matchPattern(other, m_ConstantFloat(&c)) || !c.isExactlyValue(1.0))
      return {};
    auto exp = expValue.getDefiningOp<math::ExpOp>();
    auto neg = exp ? exp.getOperand().getDefiningOp<arith::NegFOp>() : nullptr;
    return neg ? neg.getOperand() : Value();
  }

  /// The tensor for `v` (a scalar constant becomes a rank-r unit tensor).
  Value lift(PatternRewriter &rewriter, Value v) {
    auto it = tensors.find(v);
    if (it != tensors.end())
      return it->second;
    APFloat value(0.0);
    (void)matchPattern(v, m_ConstantFloat(&value));
    auto outType = cast<RankedTensorType>(op->getResult(0).getType());
    auto type = RankedTensorType::get(
        SmallVector<int64_t>(outType.getRank(), 1), outType.getElementType());
    bool lost;
    value.convert(cast<FloatType>(type.getElementType()).getFloatSemantics(),
                  APFloat::rmNearestTiesToEven, &lost);
    Value constant = cim::ConstantOp::create(
        rewriter, op->getLoc(), DenseElementsAttr::get(type, value));
    tensors[v] = constant;
    return constant;
  }

  Value liftOp(PatternRewriter &rewriter, Operation *inner) {
    Location loc = op->getLoc();
    auto binary = [&](auto tag) -> Value {
      using BinOp = decltype(tag);
      Value lhs = lift(rewriter, inner->getOperand(0));
      Value rhs = lift(rewriter, inner->getOperand(1));
      auto lt = cast<RankedTensorType>(lhs.getType());
      auto rt = cast<RankedTensorType>(rhs.getType());
      auto type = RankedTensorType::get(
          broadcastShape(lt.getShape(), rt.getShape()), lt.getElementType());
      return BinOp::create(rewriter, loc, type, lhs, rhs);
    };
    auto unary = [&](auto tag) -> Value {
      using UnOp = decltype(tag);
      Value x = lift(rewriter, inner->getOperand(0));
      return UnOp::create(rewriter, loc, x.getType(), x);
    };
    // max(x, c) and min(x, c) are one-sided clips; cim's clip canonicalizer
    // merges a min/max pair and the relu pattern below spots max(x, 0).
    auto clip = [&](bool isMax) -> Value {
      Value x = inner->getOperand(0), bound = inner->getOperand(1);
      if (isConstant(x))
        std::swap(x, bound);
      APFloat c(0.0);
      (void)matchPattern(bound, m_ConstantFloat(&c));
      bool lost;
      c.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
      float inf = std::numeric_limits<float>::infinity();
      float lo = isMax ? c.convertToFloat() : -inf;
      float hi = isMax ? inf : c.convertToFloat();
      Value tensor = lift(rewriter, x);
      return cim::ClipOp::create(rewriter, loc, tensor.getType(), tensor,
                                 rewriter.getF32FloatAttr(lo),
                                 rewriter.getF32FloatAttr(hi));
    };
    return llvm::TypeSwitch<Operation *, Value>(inner)
        .Case([&](arith::AddFOp) { return binary(cim::AddOp()); })
        .Case([&](arith::SubFOp) { return binary(cim::SubOp()); })
        .Case([&](arith::MulFOp) { return binary(cim::MulOp()); })
        .Case([&](arith::DivFOp) { return binary(cim::DivOp()); })
        .Case([&](arith::NegFOp) {
          Value x = lift(rewriter, inner->getOperand(0));
          auto type = cast<RankedTensorType>(x.getType());
          Value minusOne = splatConstant(
              rewriter, loc,
              RankedTensorType::get(SmallVector<int64_t>(type.getRank(), 1),
                                    type.getElementType()),
              -1.0);
          return cim::MulOp::create(rewriter, loc, type, x, minusOne)
              .getResult();
        })
        .Case<arith::MaximumFOp, arith::MaxNumFOp>(
            [&](Operation *) { return clip(true); })
        .Case<arith::MinimumFOp, arith::MinNumFOp>(
            [&](Operation *) { return clip(false); })
        .Case([&](math::ExpOp) { return unary(cim::ExpOp()); })
        .Case([&](math::TanhOp) { return unary(cim::TanhOp()); })
        .Case([&](math::SqrtOp) { return unary(cim::SqrtOp()); })
        .Case([&](math::ErfOp) { return unary(cim::ErfOp()); })
        .Case([&](math::PowFOp) { return binary(cim::PowOp()); })
        .Case([&](math::RsqrtOp) {
          // cim has no rsqrt: 1 / sqrt(x).
          Value x = lift(rewriter, inner->getOperand(0));
          auto type = cast<RankedTensorType>(x.getType());
          Value root = cim::SqrtOp::create(rewriter, loc, type, x);
          Value one = splatConstant(
              rewriter, loc,
              RankedTensorType::get(SmallVector<int64_t>(type.getRank(), 1),
                                    type.getElementType()),
              1.0);
          return cim::DivOp::create(rewriter, loc, type, one, root).getResult();
        })
        .Default([](Operation *) -> Value {
          llvm_unreachable("checked by ElementwiseLifter::check");
        });
  }

  linalg::LinalgOp op;
  DenseMap<Value, Value> tensors;
};

/// True for the Linalg sum pools (their division is converted with them).
bool isSumPool(Value v) {
  return v.getDefiningOp<linalg::PoolingNhwcSumOp>() ||
         v.getDefiningOp<linalg::PoolingNchwSumOp>();
}

/// An elementwise linalg.generic (or named elementwise op such as linalg.add,
/// linalg.elementwise or linalg.map), recognized by its structure -> cim ops.
struct ConvertElementwise : OpInterfaceRewritePattern<linalg::LinalgOp> {
  ConvertElementwise(MLIRContext *context, FailureLog &log)
      : OpInterfaceRewritePattern<linalg::LinalgOp>(context), log(log) {}

  LogicalResult fail(Operation *op, PatternRewriter &rewriter,
                     const Twine &reason) const {
    log.record(op, reason);
    return rewriter.notifyMatchFailure(op, reason);
  }

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    // These have patterns of their own.
    if (llvm::isa<linalg::FillOp, linalg::TransposeOp, linalg::BroadcastOp>(
            op.getOperation()))
      return failure();
    // Convolutions, pools and matmuls keep the reason their pattern gave.
    if (op.getNumParallelLoops() != op.getNumLoops() &&
        !llvm::isa<linalg::GenericOp, linalg::ReduceOp>(op.getOperation()))
      return failure();
    if (!op.hasPureTensorSemantics())
      return fail(op, rewriter, "only Linalg ops on tensors map");
    if (op->getNumResults() != 1 || op.getNumDpsInits() != 1)
      return fail(op, rewriter, "only single-result ops map");
    if (op.getNumParallelLoops() != op.getNumLoops())
      return fail(op, rewriter,
                  "it has reduction iterators; only elementwise generics "
                  "(all parallel) are recognized");
    RankedTensorType outType = staticFloatTensor(op->getResult(0));
    if (!outType)
      return fail(op, rewriter, "needs a static float tensor result");
    if (!op.getIndexingMapsArray().back().isIdentity())
      return fail(op, rewriter, "the output indexing map is not the identity");
    // A bias broadcast that a conv or matmul absorbs, and an average pool's
    // division, are converted together with those ops.
    if (onlyUsedAsInit(op->getResult(0)))
      return fail(op, rewriter,
                  "it initializes an operation that was not converted");
    if (llvm::any_of(op.getDpsInputs(), isSumPool))
      return fail(op, rewriter, "it divides a sum pool that was not converted");
    if (op.hasIndexSemantics())
      return fail(op, rewriter, "the body reads loop indices");
    for (auto [i, input] : llvm::enumerate(op.getDpsInputs())) {
      RankedTensorType type = staticTensor(input);
      SmallVector<int64_t> dims, sizes;
      if (!type || type.getElementType() != outType.getElementType())
        return fail(op, rewriter,
                    "inputs must be static tensors of the result's element "
                    "type");
      if (!isBroadcastMap(op.getIndexingMapsArray()[i], type,
                          outType.getShape(), dims, sizes))
        return fail(op, rewriter,
                    "an input indexing map is not a broadcast or permutation");
    }
    ElementwiseLifter lifter(op);
    std::string why;
    if (!lifter.check(why))
      return fail(op, rewriter, why);
    rewriter.replaceOp(op, lifter.build(rewriter));
    return success();
  }

  FailureLog &log;
};

/// linalg.softmax -> cim.softmax.
struct ConvertSoftmax : LinalgToCimPattern<linalg::SoftmaxOp> {
  using LinalgToCimPattern::LinalgToCimPattern;
  LogicalResult matchAndRewrite(linalg::SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1 || !staticFloatTensor(op->getResult(0)) ||
        op->getResult(0).getType() != op.getInput().getType())
      return fail(op, rewriter, "needs static float tensors");
    rewriter.replaceOpWithNewOp<cim::SoftmaxOp>(op, op->getResult(0).getType(),
                                                op.getInput(),
                                                (int64_t)op.getDimension());
    return success();
  }
};

/// linalg.broadcast on its own (not absorbed as a bias) -> reshape and a
/// multiplication by ones, which is exact.
struct ConvertBroadcast : LinalgToCimPattern<linalg::BroadcastOp> {
  using LinalgToCimPattern::LinalgToCimPattern;
  LogicalResult matchAndRewrite(linalg::BroadcastOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumResults() != 1)
      return fail(op, rewriter, "only single-result broadcasts map");
    if (onlyUsedAsInit(op.getResult()[0]))
      return fail(op, rewriter,
                  "it initializes an operation that was not converted");
    RankedTensorType outType = staticFloatTensor(op.getResult()[0]);
    if (!outType || !staticTensor(op.getInput()))
      return fail(op, rewriter, "needs static float tensors");
    Location loc = op.getLoc();
    SmallVector<int64_t> shape = llvm::to_vector(outType.getShape());
    for (int64_t d : op.getDimensions())
      shape[d] = 1;
    Value x = reshape(rewriter, loc, op.getInput(), shape);
    Value ones = splatConstant(rewriter, loc, outType, 1.0);
    rewriter.replaceOpWithNewOp<cim::MulOp>(op, outType, x, ones);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Cleanup on the cim graph
//===----------------------------------------------------------------------===//

/// clip(x, 0, >= FLT_MAX) -> relu(x): what TOSA's ReLU (a clamp to
/// [0, FLT_MAX]) means, and the form the ONNX importer produces.
struct ClipToRelu : OpRewritePattern<cim::ClipOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(cim::ClipOp op,
                                PatternRewriter &rewriter) const override {
    // An inner clip merges first (cim's MergeClips), then this applies.
    if (!op.getMin().isZero() || op.getMax().convertToFloat() < FLT_MAX ||
        !llvm::isa<FloatType>(op.getType().getElementType()) ||
        op.getInput().getDefiningOp<cim::ClipOp>())
      return failure();
    rewriter.replaceOpWithNewOp<cim::ReluOp>(op, op.getType(), op.getInput());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

/// Ops the pass is responsible for: if one is left, it is reported.
bool isSourceOp(Operation *op) {
  if (llvm::isa<linalg::YieldOp, linalg::IndexOp, tensor::EmptyOp>(op))
    return false;
  Dialect *dialect = op->getDialect();
  if (llvm::isa_and_present<linalg::LinalgDialect, tensor::TensorDialect>(
          dialect))
    return true;
  return llvm::isa<arith::ConstantOp>(op) &&
         llvm::isa<RankedTensorType>(op->getResult(0).getType());
}

/// Lists the cim.constants at the top of each function's entry block in the
/// order of their first use. Folding creates constants in visiting order;
/// this order is the ONNX importer's (weight, then bias, layer by layer), so
/// both paths compile to byte-identical programs.
void sortConstantsByFirstUse(ModuleOp module) {
  module.walk([](FunctionOpInterface function) {
    if (function.isExternal())
      return;
    Block &entry = function.getFunctionBody().front();
    SmallVector<Operation *> order;
    DenseSet<Operation *> seen;
    function.walk<WalkOrder::PreOrder>([&](Operation *op) {
      for (Value operand : op->getOperands()) {
        Operation *def = operand.getDefiningOp();
        if (def && llvm::isa<cim::ConstantOp>(def) &&
            def->getBlock() == &entry && seen.insert(def).second)
          order.push_back(def);
      }
    });
    for (Operation *constant : llvm::reverse(order))
      constant->moveBefore(&entry, entry.begin());
  });
}

struct ConvertLinalgToCim
    : public cim::impl::ConvertLinalgToCimBase<ConvertLinalgToCim> {
  void runOnOperation() override;
};

} // namespace

static void populateLinalgToCimPatterns(RewritePatternSet &patterns,
                                        FailureLog &log) {
  MLIRContext *context = patterns.getContext();
  patterns.add<ConvertConstant, ConvertFill, ConvertTranspose,
               ConvertReshape<tensor::ExpandShapeOp>,
               ConvertReshape<tensor::CollapseShapeOp>,
               ConvertReshape<tensor::ReshapeOp>, ConvertPad,
               ConvertExtractSlice, ConvertConcat, ConvertInsertSliceChain,
               ConvertConv<linalg::Conv2DNchwFchwOp>,
               ConvertConv<linalg::Conv2DNhwcHwcfOp>,
               ConvertConv<linalg::Conv2DNhwcFhwcOp>,
               ConvertConv<linalg::DepthwiseConv2DNhwcHwcOp>,
               ConvertConv<linalg::DepthwiseConv2DNchwChwOp>,
               ConvertConv<linalg::DepthwiseConv2DNhwcHwcmOp>,
               ConvertMaxPool<linalg::PoolingNhwcMaxOp>,
               ConvertMaxPool<linalg::PoolingNchwMaxOp>,
               ConvertAvgPool<linalg::PoolingNhwcSumOp>,
               ConvertAvgPool<linalg::PoolingNchwSumOp>,
               ConvertMatmul<linalg::MatmulOp>,
               ConvertMatmul<linalg::BatchMatmulOp>, ConvertElementwise,
               ConvertSoftmax, ConvertBroadcast>(context, log);
}

static void populateCimGraphCleanupPatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<ClipToRelu>(context);
  // Biases added after a conv or gemm (from its init) fold into the layer.
  cim::AddOp::getCanonicalizationPatterns(patterns, context);
  cim::populateLayoutCleanupPatterns(patterns);
  cim::ClipOp::getCanonicalizationPatterns(patterns, context);
}

void ConvertLinalgToCim::runOnOperation() {
  ModuleOp module = getOperation();
  // On a module without Linalg/tensor input (e.g. imported from ONNX) the
  // pass changes nothing.
  bool hasInput = false;
  module.walk([&](Operation *op) {
    if (isSourceOp(op)) {
      hasInput = true;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (!hasInput)
    return;

  FailureLog log;
  RewritePatternSet patterns(&getContext());
  populateLinalgToCimPatterns(patterns, log);
  populateCimGraphCleanupPatterns(patterns);
  GreedyRewriteConfig config;
  config.setListener(&log);
  // Not converging only means some cleanup is left to the canonicalizer.
  (void)applyPatternsGreedily(module, std::move(patterns), config);
  sortConstantsByFirstUse(module);

  module.walk([&](Operation *op) {
    // Ops nested in a Linalg or tensor op's region go with their parent.
    if (!isSourceOp(op) ||
        llvm::isa_and_present<linalg::LinalgDialect, tensor::TensorDialect>(
            op->getParentOp()->getDialect()))
      return;
    std::string reason = log.lookup(op);
    if (reason.empty())
      reason = "no cim operation corresponds to it";
    op->emitWarning() << "convert-linalg-to-cim: cannot map '" << op->getName()
                      << "': " << reason;
  });
}
