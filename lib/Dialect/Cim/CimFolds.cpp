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
