//===- CimPatterns.cpp - Rewrite patterns shared by cim passes ------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimPatterns.h"
#include "cim/Dialect/Cim/CimOps.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::cim;

SmallVector<int64_t> mlir::cim::permuteShape(ArrayRef<int64_t> shape,
                                             ArrayRef<int64_t> perm) {
  SmallVector<int64_t> result;
  for (int64_t p : perm)
    result.push_back(shape[p]);
  return result;
}

Value mlir::cim::createTranspose(OpBuilder &builder, Location loc, Value value,
                                 ArrayRef<int64_t> perm) {
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return value;
  auto type = cast<RankedTensorType>(value.getType());
  return TransposeOp::create(
      builder, loc,
      RankedTensorType::get(permuteShape(type.getShape(), perm),
                            type.getElementType()),
      value, perm);
}

namespace {

SmallVector<int64_t> inversePermutation(ArrayRef<int64_t> perm) {
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = int64_t(i);
  return inverse;
}

/// A transpose that only moves unit dimensions is a reshape (NHWC -> NCHW
/// of a 1x1 spatial map before a flatten, as after a global average pool).
struct UnitTransposeToReshape : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getInput().getType());
    if (!type || !type.hasStaticShape())
      return failure();
    SmallVector<int64_t> kept;
    for (int64_t p : op.getPermutation())
      if (type.getDimSize(p) != 1)
        kept.push_back(p);
    if (!llvm::is_sorted(kept))
      return failure();
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), op.getInput());
    return success();
  }
};

/// unary(transpose(x)) -> transpose(unary(x)): elementwise ops commute with
/// any permutation.
template <typename OpTy>
struct HoistTransposeThroughUnary : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto t = op->getOperand(0).template getDefiningOp<TransposeOp>();
    if (!t || op->getNumOperands() != 1)
      return failure();
    Operation *moved = rewriter.clone(*op);
    rewriter.modifyOpInPlace(moved, [&] {
      moved->setOperand(0, t.getInput());
      moved->getResult(0).setType(t.getInput().getType());
    });
    rewriter.replaceOp(op, createTranspose(rewriter, op.getLoc(),
                                           moved->getResult(0),
                                           t.getPermutation()));
    return success();
  }
};

/// binary(transpose(a, p), transpose(b, p)) -> transpose(binary(a, b), p)
/// (residual additions), and binary(transpose(a, p), c) with a constant c ->
/// transpose(binary(a, c'), p), where c' is c broadcast to full rank and
/// transposed back, which folds.
template <typename OpTy>
struct HoistTransposeThroughBinary : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    auto lt = op.getLhs().template getDefiningOp<TransposeOp>();
    auto rt = op.getRhs().template getDefiningOp<TransposeOp>();
    Value lhs, rhs;
    ArrayRef<int64_t> perm;
    if (lt && rt) {
      if (lt.getPermutation() != rt.getPermutation() || lt.getType() != type ||
          rt.getType() != type)
        return failure();
      perm = lt.getPermutation();
      lhs = lt.getInput();
      rhs = rt.getInput();
    } else if (lt || rt) {
      TransposeOp t = lt ? lt : rt;
      Value other = lt ? op.getRhs() : op.getLhs();
      auto otherType = cast<RankedTensorType>(other.getType());
      if (t.getType() != type || !matchPattern(other, m_Constant()) ||
          otherType.getRank() > type.getRank())
        return failure();
      perm = t.getPermutation();
      SmallVector<int64_t> full(type.getRank() - otherType.getRank(), 1);
      full.append(otherType.getShape().begin(), otherType.getShape().end());
      Value c = other;
      if (otherType.getShape() != ArrayRef<int64_t>(full))
        c = ReshapeOp::create(
            rewriter, loc,
            RankedTensorType::get(full, otherType.getElementType()), other);
      c = createTranspose(rewriter, loc, c, inversePermutation(perm));
      lhs = lt ? t.getInput() : c;
      rhs = lt ? c : t.getInput();
    } else {
      return failure();
    }
    auto innerType = RankedTensorType::get(
        permuteShape(type.getShape(), inversePermutation(perm)),
        type.getElementType());
    Value inner = OpTy::create(rewriter, loc, innerType, lhs, rhs);
    rewriter.replaceOp(op, createTranspose(rewriter, loc, inner, perm));
    return success();
  }
};

/// quantize/dequantize(transpose(x, p)) -> transpose(quantize/dequantize(x),
/// p): (de)quantization is elementwise; a per-channel axis a of the result
/// is axis p[a] of x.
template <typename OpTy>
struct HoistTransposeThroughQdq : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto t = op.getInput().template getDefiningOp<TransposeOp>();
    // A transpose of a constant folds into it instead (weights).
    if (!t || matchPattern(t.getInput(), m_Constant()))
      return failure();
    ArrayRef<int64_t> perm = t.getPermutation();
    auto type = cast<RankedTensorType>(op.getType());
    IntegerAttr axis;
    if (std::optional<int64_t> a = op.getAxis()) {
      int64_t rank = type.getRank();
      int64_t normalized = *a < 0 ? *a + rank : *a;
      if (normalized < 0 || normalized >= rank)
        return failure();
      axis = rewriter.getI64IntegerAttr(perm[normalized]);
    }
    auto innerType = RankedTensorType::get(
        permuteShape(type.getShape(), inversePermutation(perm)),
        type.getElementType());
    Value inner = OpTy::create(rewriter, op.getLoc(), innerType, t.getInput(),
                               op.getScaleAttr(), op.getZeroPointAttr(), axis,
                               op.getBitsAttr());
    rewriter.replaceOp(op, createTranspose(rewriter, op.getLoc(), inner, perm));
    return success();
  }
};

} // namespace

void mlir::cim::populateLayoutCleanupPatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<UnitTransposeToReshape>(context);
  patterns.add<
      HoistTransposeThroughUnary<ReluOp>, HoistTransposeThroughUnary<ClipOp>,
      HoistTransposeThroughUnary<SigmoidOp>, HoistTransposeThroughUnary<TanhOp>,
      HoistTransposeThroughUnary<ExpOp>, HoistTransposeThroughUnary<SqrtOp>,
      HoistTransposeThroughUnary<ErfOp>,
      HoistTransposeThroughUnary<LeakyReluOp>,
      HoistTransposeThroughUnary<HardSigmoidOp>,
      HoistTransposeThroughUnary<HardSwishOp>,
      HoistTransposeThroughUnary<GeluOp>>(context);
  patterns.add<
      HoistTransposeThroughBinary<AddOp>, HoistTransposeThroughBinary<SubOp>,
      HoistTransposeThroughBinary<MulOp>, HoistTransposeThroughBinary<DivOp>>(
      context);
  patterns.add<HoistTransposeThroughQdq<QuantizeOp>,
               HoistTransposeThroughQdq<DequantizeOp>>(context);
  TransposeOp::getCanonicalizationPatterns(patterns, context);
  ReshapeOp::getCanonicalizationPatterns(patterns, context);
}
