//===- Contractions.cpp - Convolutions and matrix products to cim ---------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The Linalg convolutions (NCHW and NHWC, depthwise) -> cim.conv2d, and
// linalg.matmul / batch_matmul -> cim.gemm (constant weights) or
// cim.matmul, with biases taken from their inits.
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

} // namespace

void linalg_to_cim::populateConvolutionPatterns(RewritePatternSet &patterns,
                                                FailureLog &log) {
  patterns.add<ConvertConv<linalg::Conv2DNchwFchwOp>,
               ConvertConv<linalg::Conv2DNhwcHwcfOp>,
               ConvertConv<linalg::Conv2DNhwcFhwcOp>,
               ConvertConv<linalg::DepthwiseConv2DNhwcHwcOp>,
               ConvertConv<linalg::DepthwiseConv2DNchwChwOp>,
               ConvertConv<linalg::DepthwiseConv2DNhwcHwcmOp>>(
      patterns.getContext(), log);
}

void linalg_to_cim::populateMatmulPatterns(RewritePatternSet &patterns,
                                           FailureLog &log) {
  patterns.add<ConvertMatmul<linalg::MatmulOp>,
               ConvertMatmul<linalg::BatchMatmulOp>>(patterns.getContext(),
                                                     log);
}
