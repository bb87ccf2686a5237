//===- FoldBatchNorm.cpp - Fold batch normalization into conv/gemm --------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Batch normalization at inference is a per-channel affine map, so it merges
// into the weights and bias of the layer before it. After this pass the
// crossbars hold the folded weights and no digital normalization remains.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/FloatConstants.h"
#include "cim/Dialect/Cim/CimPasses.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::cim {
#define GEN_PASS_DEF_CIMFOLDBATCHNORM
#include "cim/Dialect/Cim/CimPasses.h.inc"
} // namespace mlir::cim

using namespace mlir;
using namespace mlir::cim;

namespace {

struct FoldIntoLayer : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    Operation *layer = bn.getInput().getDefiningOp();
    if (!layer || !isa<Conv2dOp, GemmOp>(layer) || !layer->hasOneUse())
      return rewriter.notifyMatchFailure(bn, "input is not a single-use "
                                             "conv2d or gemm");
    Value weight = layer->getOperand(1);
    Value bias = layer->getNumOperands() > 2 ? layer->getOperand(2) : Value();
    auto weightType = cast<RankedTensorType>(weight.getType());
    if (!isa<FloatType>(weightType.getElementType()))
      return rewriter.notifyMatchFailure(bn, "weights are not float");

    std::optional<SmallVector<double>> w = floatsOf(weight),
                                       gamma = floatsOf(bn.getScale()),
                                       beta = floatsOf(bn.getBias()),
                                       mean = floatsOf(bn.getMean()),
                                       var = floatsOf(bn.getVariance());
    if (!w || !gamma || !beta || !mean || !var)
      return rewriter.notifyMatchFailure(bn, "operands are not constant");
    int64_t channels = gamma->size();
    SmallVector<double> b(channels, 0.0);
    if (bias) {
      std::optional<SmallVector<double>> given = floatsOf(bias);
      auto biasType = cast<RankedTensorType>(bias.getType());
      if (!given || biasType.getRank() != 1 ||
          biasType.getDimSize(0) != channels)
        return rewriter.notifyMatchFailure(bn, "bias is not a constant "
                                               "vector over the channels");
      b = *given;
    }
    // A gemm normalized over its columns needs a 2-D output (N, C).
    if (isa<GemmOp>(layer) &&
        cast<RankedTensorType>(bn.getType()).getRank() != 2)
      return rewriter.notifyMatchFailure(bn, "gemm output is not 2-D");

    double epsilon = bn.getEpsilon().convertToDouble();
    SmallVector<double> s(channels), newBias(channels);
    for (int64_t f = 0; f < channels; ++f) {
      s[f] = (*gamma)[f] / std::sqrt((*var)[f] + epsilon);
      newBias[f] = ((b[f]) - (*mean)[f]) * s[f] + (*beta)[f];
    }
    // conv2d weights are [F, C/g, kh, kw]: filter f is a contiguous block.
    // gemm weights are [K, N]: channel n is column n.
    SmallVector<double> newWeight(*w);
    if (isa<Conv2dOp>(layer)) {
      int64_t perFilter = newWeight.size() / channels;
      for (int64_t i = 0; i < static_cast<int64_t>(newWeight.size()); ++i)
        newWeight[i] *= s[i / perFilter];
    } else {
      for (int64_t i = 0; i < static_cast<int64_t>(newWeight.size()); ++i)
        newWeight[i] *= s[i % channels];
    }

    Location loc = layer->getLoc();
    Value foldedWeight = ConstantOp::create(
        rewriter, loc, makeFloatConstant(weightType, newWeight));
    auto biasType =
        RankedTensorType::get({channels}, weightType.getElementType());
    Value foldedBias =
        ConstantOp::create(rewriter, loc, makeFloatConstant(biasType, newBias));
    if (auto conv = dyn_cast<Conv2dOp>(layer)) {
      rewriter.replaceOpWithNewOp<Conv2dOp>(
          bn, bn.getType(), conv.getInput(), foldedWeight, foldedBias,
          conv.getStridesAttr(), conv.getPadsAttr(), conv.getDilationsAttr(),
          conv.getGroupsAttr(), conv.getPrecisionAttr());
    } else {
      auto gemm = cast<GemmOp>(layer);
      rewriter.replaceOpWithNewOp<GemmOp>(bn, bn.getType(), gemm.getInput(),
                                          foldedWeight, foldedBias,
                                          gemm.getPrecisionAttr());
    }
    rewriter.eraseOp(layer);
    return success();
  }
};

struct CimFoldBatchNormPass
    : public mlir::cim::impl::CimFoldBatchNormBase<CimFoldBatchNormPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldIntoLayer>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
