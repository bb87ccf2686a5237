//===- CimFolds.cpp - Folders and canonicalizations of cim ops ------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Layout ops on constants fold at compile time so that imported weights reach
// the mapping passes as plain constants in crossbar layout.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::cim;

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

/// True if `v` is a splat constant equal to `value` (float or integer).
static bool isSplatOf(Value v, int64_t value) {
  if (value == 0)
    return matchPattern(v, m_AnyZeroFloat()) || matchPattern(v, m_Zero());
  if (value == 1)
    return matchPattern(v, m_OneFloat()) || matchPattern(v, m_One());
  return false;
}

OpFoldResult AddOp::fold(FoldAdaptor) {
  // x + 0 -> x, unless the zero broadcasts x to a larger shape.
  if (isSplatOf(getRhs(), 0) && getLhs().getType() == getType())
    return getLhs();
  if (isSplatOf(getLhs(), 0) && getRhs().getType() == getType())
    return getRhs();
  return {};
}

/// If `c` is a constant whose only non-unit dimension (numpy-aligned to
/// `rank`) is `dim`, returns its element count.
static std::optional<int64_t> perChannelConstant(Value c, int64_t rank,
                                                 int64_t dim) {
  if (!matchPattern(c, m_Constant()))
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(c.getType());
  if (type && !type.hasStaticShape())
    type = {};
  if (!type || type.getRank() > rank)
    return std::nullopt;
  int64_t offset = rank - type.getRank();
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (i + offset != dim && type.getDimSize(i) != 1)
      return std::nullopt;
  return type.getNumElements();
}

/// The constant `bias` as a 1-D constant of `size` entries created before
/// `user` (the add's constant operand need not dominate the conv or gemm).
static Value biasBefore(PatternRewriter &rewriter, Operation *user, Value bias,
                        int64_t size) {
  DenseElementsAttr dense;
  if (!matchPattern(bias, m_Constant(&dense)))
    return {};
  OpBuilder::InsertionGuard guard(rewriter);
  rewriter.setInsertionPoint(user);
  return ConstantOp::create(
      rewriter, bias.getLoc(),
      dense.reshape(RankedTensorType::get({size}, dense.getElementType())));
}

/// add(conv2d(x, w), b) -> conv2d(x, w, b) and add(gemm(x, w), b) ->
/// gemm(x, w, b) for a per-channel constant b, also when the conv result is
/// first transposed to NHWC or the gemm result reshaped (unit dims only):
/// the cim form the ONNX importer gives a biased Conv or Gemm.
namespace {
struct FoldBiasAdd : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AddOp op,
                                PatternRewriter &rewriter) const override {
    for (int side = 0; side < 2; ++side) {
      Value value = op->getOperand(side), bias = op->getOperand(1 - side);
      if (value.getType() != op.getType() || !value.hasOneUse())
        continue;
      int64_t rank = op.getType().getRank();
      Operation *producer = value.getDefiningOp();
      // Look through one layout op to the conv or gemm.
      TransposeOp layoutTranspose;
      ReshapeOp layoutReshape;
      int64_t channelDim = -1;
      if (auto t = dyn_cast_or_null<TransposeOp>(producer)) {
        if (!t.getInput().hasOneUse() ||
            !llvm::isa_and_present<Conv2dOp>(t.getInput().getDefiningOp()))
          continue;
        layoutTranspose = t;
        producer = t.getInput().getDefiningOp();
        // Where the NCHW channel dim ends up.
        channelDim =
            llvm::find(t.getPermutation(), 1) - t.getPermutation().begin();
      } else if (auto r = dyn_cast_or_null<ReshapeOp>(producer)) {
        auto gemm = r.getInput().getDefiningOp<GemmOp>();
        if (!gemm || !r.getInput().hasOneUse() ||
            r.getType().getShape().back() != gemm.getType().getDimSize(1) ||
            r.getType().getNumElements() != gemm.getType().getNumElements())
          continue;
        layoutReshape = r;
        producer = gemm;
        channelDim = rank - 1;
      }
      if (auto conv = dyn_cast_or_null<Conv2dOp>(producer)) {
        if (conv.getBias())
          continue;
        if (!layoutTranspose)
          channelDim = 1;
        int64_t filters = conv.getType().getDimSize(1);
        std::optional<int64_t> count =
            perChannelConstant(bias, rank, channelDim);
        if (!count || *count != filters ||
            cast<RankedTensorType>(bias.getType()).getElementType() !=
                conv.getType().getElementType())
          continue;
        Value b = biasBefore(rewriter, conv, bias, filters);
        if (!b)
          continue;
        rewriter.modifyOpInPlace(conv,
                                 [&] { conv.getBiasMutable().assign(b); });
        rewriter.replaceOp(op, value);
        return success();
      }
      if (auto gemm = dyn_cast_or_null<GemmOp>(producer)) {
        if (gemm.getBias() || layoutTranspose)
          continue;
        if (!layoutReshape)
          channelDim = rank - 1;
        int64_t n = gemm.getType().getDimSize(1);
        std::optional<int64_t> count =
            perChannelConstant(bias, rank, channelDim);
        if (!count || *count != n ||
            cast<RankedTensorType>(bias.getType()).getElementType() !=
                gemm.getType().getElementType())
          continue;
        Value b = biasBefore(rewriter, gemm, bias, n);
        if (!b)
          continue;
        rewriter.modifyOpInPlace(gemm,
                                 [&] { gemm.getBiasMutable().assign(b); });
        rewriter.replaceOp(op, value);
        return success();
      }
    }
    return failure();
  }
};
} // namespace

void AddOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                        MLIRContext *context) {
  results.add<FoldBiasAdd>(context);
}

OpFoldResult MulOp::fold(FoldAdaptor) {
  if (isSplatOf(getRhs(), 1) && getLhs().getType() == getType())
    return getLhs();
  if (isSplatOf(getLhs(), 1) && getRhs().getType() == getType())
    return getRhs();
  return {};
}

OpFoldResult ReluOp::fold(FoldAdaptor) {
  // relu is idempotent.
  if (getInput().getDefiningOp<ReluOp>())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// ClipOp
//===----------------------------------------------------------------------===//

namespace {
/// clip(clip(x, a, b), c, d) -> clip(x, max(a, c), min(b, d)) when the ranges
/// overlap.
struct MergeClips : OpRewritePattern<ClipOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ClipOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ClipOp>();
    if (!inner)
      return failure();
    APFloat lo = llvm::maximum(op.getMin(), inner.getMin());
    APFloat hi = llvm::minimum(op.getMax(), inner.getMax());
    if (lo > hi)
      return failure();
    rewriter.replaceOpWithNewOp<ClipOp>(
        op, op.getType(), inner.getInput(),
        rewriter.getF32FloatAttr(lo.convertToFloat()),
        rewriter.getF32FloatAttr(hi.convertToFloat()));
    return success();
  }
};
} // namespace

void ClipOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results.add<MergeClips>(context);
}

//===----------------------------------------------------------------------===//
// ReshapeOp, FlattenOp
//===----------------------------------------------------------------------===//

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput()))
    if (getType().hasStaticShape())
      return dense.reshape(getType());
  return {};
}

namespace {
/// reshape(reshape(x)) -> reshape(x).
struct ComposeReshapes : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ReshapeOp>();
    if (!inner)
      return failure();
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), inner.getInput());
    return success();
  }
};

/// flatten with a static result is a reshape.
struct FlattenToReshape : OpRewritePattern<FlattenOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FlattenOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.getType().hasStaticShape())
      return failure();
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), op.getInput());
    return success();
  }
};
} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<ComposeReshapes>(context);
}

void FlattenOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<FlattenToReshape>(context);
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

/// Element strides of a row-major tensor of `shape`.
static SmallVector<int64_t> rowMajorStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// Permutes the elements of a dense constant. Works on the raw buffer so that
/// transposing a weight matrix of millions of entries stays cheap.
static DenseElementsAttr transposeConstant(DenseElementsAttr input,
                                           RankedTensorType resultType,
                                           ArrayRef<int64_t> perm) {
  if (input.isSplat())
    return input.resizeSplat(resultType);
  Type elementType = input.getElementType();
  if (!elementType.isIntOrFloat() || elementType.getIntOrFloatBitWidth() % 8)
    return {};
  size_t width = elementType.getIntOrFloatBitWidth() / 8;
  ArrayRef<char> src = input.getRawData();
  int64_t rank = input.getType().getRank();
  // Strides of the input, visited in result order.
  SmallVector<int64_t> inStrides = rowMajorStrides(input.getType().getShape());
  SmallVector<int64_t> permStrides(rank);
  for (int64_t d = 0; d < rank; ++d)
    permStrides[d] = inStrides[perm[d]];
  ArrayRef<int64_t> outShape = resultType.getShape();
  int64_t count = resultType.getNumElements();
  std::vector<char> dst(count * width);
  SmallVector<int64_t> index(rank, 0);
  int64_t offset = 0;
  for (int64_t i = 0; i < count; ++i) {
    std::memcpy(&dst[i * width], &src[offset * width], width);
    // Advance the result index like an odometer.
    for (int64_t d = rank - 1; d >= 0; --d) {
      offset += permStrides[d];
      if (++index[d] < outShape[d])
        break;
      offset -= permStrides[d] * outShape[d];
      index[d] = 0;
    }
  }
  return DenseElementsAttr::getFromRawBuffer(resultType, dst);
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())) &&
      getInput().getType() == getType())
    return getInput();
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput()))
    if (getType().hasStaticShape())
      if (DenseElementsAttr result = transposeConstant(dense, getType(), perm))
        return result;
  // transpose(transpose(x, p1), p2) == transpose(x, p1[p2[i]]).
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> first = inner.getPermutation();
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(first[p]);
    if (llvm::equal(composed, llvm::seq<int64_t>(0, composed.size())) &&
        inner.getInput().getType() == getType())
      return inner.getInput();
    getInputMutable().assign(inner.getInput());
    setPermutation(composed);
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// ConcatOp
//===----------------------------------------------------------------------===//

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  return {};
}

//===----------------------------------------------------------------------===//
// SliceOp
//===----------------------------------------------------------------------===//

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput());
  if (!dense || !getType().hasStaticShape())
    return {};
  if (dense.isSplat())
    return dense.resizeSplat(getType());
  Type elementType = dense.getElementType();
  if (!elementType.isIntOrFloat() || elementType.getIntOrFloatBitWidth() % 8)
    return {};
  // Gather the selected elements from the raw buffer, row-major.
  size_t width = elementType.getIntOrFloatBitWidth() / 8;
  ArrayRef<char> src = dense.getRawData();
  ArrayRef<int64_t> outShape = getType().getShape();
  int64_t rank = outShape.size();
  SmallVector<int64_t> inStrides = rowMajorStrides(dense.getType().getShape());
  int64_t count = getType().getNumElements();
  std::vector<char> dst(count * width);
  SmallVector<int64_t> index(rank, 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t offset = 0;
    for (int64_t d = 0; d < rank; ++d)
      offset += (getOffsets()[d] + index[d] * getStrides()[d]) * inStrides[d];
    std::memcpy(&dst[i * width], &src[offset * width], width);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
  }
  return DenseElementsAttr::getFromRawBuffer(getType(), dst);
}
