//===- LowerConv.cpp - Crossbar layers to weight-stationary MVMs ----------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimPasses.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::cim {
#define GEN_PASS_DEF_CIMLOWERCONV
#include "cim/Dialect/Cim/CimPasses.h.inc"
} // namespace mlir::cim

using namespace mlir;
using namespace mlir::cim;

namespace {

bool isConstant(Value v) { return matchPattern(v, m_Constant()); }

RankedTensorType tensorOf(ArrayRef<int64_t> shape, Type element) {
  return RankedTensorType::get(shape, element);
}

/// Adds a bias over the last dimension, if there is one.
Value addBias(PatternRewriter &rewriter, Location loc, Value value,
              Value bias) {
  if (!bias)
    return value;
  return AddOp::create(rewriter, loc, value.getType(), value, bias);
}

struct LowerConv2d : OpRewritePattern<Conv2dOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(Conv2dOp conv,
                                PatternRewriter &rewriter) const override {
    auto inType = cast<RankedTensorType>(conv.getInput().getType());
    auto wType = cast<RankedTensorType>(conv.getWeight().getType());
    auto outType = conv.getType();
    if (!isConstant(conv.getWeight()) || !inType.hasStaticShape() ||
        !outType.hasStaticShape())
      return rewriter.notifyMatchFailure(conv, "weight not constant or "
                                               "shapes not static");
    Location loc = conv.getLoc();
    Type element = outType.getElementType();
    int64_t groups = conv.getGroups();
    int64_t filters = wType.getDimSize(0), cg = wType.getDimSize(1);
    int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
    int64_t n = filters / groups, k = cg * kh * kw;
    int64_t batch = outType.getDimSize(0), oh = outType.getDimSize(2),
            ow = outType.getDimSize(3);
    int64_t pixels = batch * oh * ow;

    SmallVector<Value> parts;
    for (int64_t g = 0; g < groups; ++g) {
      Value cols = Im2ColOp::create(
          rewriter, loc, tensorOf({pixels, k}, element), conv.getInput(),
          rewriter.getDenseI64ArrayAttr({kh, kw}), conv.getStridesAttr(),
          conv.getPadsAttr(), conv.getDilationsAttr(),
          rewriter.getI64IntegerAttr(g * cg), rewriter.getI64IntegerAttr(cg));
      // Filters [g*n, (g+1)*n) flattened to rows, then transposed so that
      // row k of the matrix is one crossbar row.
      Value filtersOfGroup = rewriter.createOrFold<SliceOp>(
          loc, tensorOf({n, cg, kh, kw}, wType.getElementType()),
          conv.getWeight(), rewriter.getDenseI64ArrayAttr({g * n, 0, 0, 0}),
          rewriter.getDenseI64ArrayAttr({1, 1, 1, 1}));
      Value rowsOfFilters = rewriter.createOrFold<ReshapeOp>(
          loc, tensorOf({n, k}, wType.getElementType()), filtersOfGroup);
      Value matrix = rewriter.createOrFold<TransposeOp>(
          loc, tensorOf({k, n}, wType.getElementType()), rowsOfFilters,
          rewriter.getDenseI64ArrayAttr({1, 0}));
      parts.push_back(MvmOp::create(rewriter, loc,
                                    tensorOf({pixels, n}, element), cols,
                                    matrix, conv.getPrecisionAttr()));
    }
    Value all = parts.size() == 1
                    ? parts.front()
                    : ConcatOp::create(rewriter, loc,
                                       tensorOf({pixels, filters}, element),
                                       parts, rewriter.getI64IntegerAttr(1))
                          .getResult();
    all = addBias(rewriter, loc, all, conv.getBias());
    Value nhwc = ReshapeOp::create(
        rewriter, loc, tensorOf({batch, oh, ow, filters}, element), all);
    rewriter.replaceOpWithNewOp<TransposeOp>(
        conv, outType, nhwc, rewriter.getDenseI64ArrayAttr({0, 3, 1, 2}));
    return success();
  }
};

struct LowerGemm : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GemmOp gemm,
                                PatternRewriter &rewriter) const override {
    if (!isConstant(gemm.getWeight()))
      return rewriter.notifyMatchFailure(gemm, "weight is not constant");
    Value product =
        MvmOp::create(rewriter, gemm.getLoc(), gemm.getType(), gemm.getInput(),
                      gemm.getWeight(), gemm.getPrecisionAttr());
    rewriter.replaceOp(
        gemm, addBias(rewriter, gemm.getLoc(), product, gemm.getBias()));
    return success();
  }
};

struct LowerMatmul : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatmulOp matmul,
                                PatternRewriter &rewriter) const override {
    auto rhsType = cast<RankedTensorType>(matmul.getRhs().getType());
    auto lhsType = cast<RankedTensorType>(matmul.getLhs().getType());
    if (!isConstant(matmul.getRhs()) || rhsType.getRank() != 2 ||
        !lhsType.hasStaticShape())
      return rewriter.notifyMatchFailure(matmul, "rhs is not a constant "
                                                 "matrix");
    Location loc = matmul.getLoc();
    Type element = matmul.getType().getElementType();
    int64_t k = lhsType.getDimSize(lhsType.getRank() - 1);
    int64_t rows = lhsType.getNumElements() / std::max<int64_t>(k, 1);
    Value flat = rewriter.createOrFold<ReshapeOp>(
        loc, tensorOf({rows, k}, element), matmul.getLhs());
    Value product = MvmOp::create(
        rewriter, loc, tensorOf({rows, rhsType.getDimSize(1)}, element), flat,
        matmul.getRhs(), matmul.getPrecisionAttr());
    rewriter.replaceOp(matmul, rewriter.createOrFold<ReshapeOp>(
                                   loc, matmul.getType(), product));
    return success();
  }
};

struct CimLowerConvPass
    : public mlir::cim::impl::CimLowerConvBase<CimLowerConvPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<LowerConv2d, LowerGemm, LowerMatmul>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
