//===- Layout.cpp - Constants, fills and layout ops to cim ----------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// arith.constant, linalg.fill, linalg.transpose, the reshapes, tensor.pad,
// extract_slice, concat and chains of insert_slice -> cim.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "cim/Dialect/Cim/CimPatterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cfloat>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::linalg_to_cim;

namespace {

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
    if (failed(failIfOnlyInit(op, rewriter, "fills")))
      return failure();
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

} // namespace

void linalg_to_cim::populateLayoutPatterns(RewritePatternSet &patterns,
                                           FailureLog &log) {
  patterns.add<ConvertConstant, ConvertFill, ConvertTranspose,
               ConvertReshape<tensor::ExpandShapeOp>,
               ConvertReshape<tensor::CollapseShapeOp>,
               ConvertReshape<tensor::ReshapeOp>, ConvertPad,
               ConvertExtractSlice, ConvertConcat, ConvertInsertSliceChain>(
      patterns.getContext(), log);
}
