//===- TosaToCim.cpp - TOSA to the cim graph level ------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// One rewrite pattern per TOSA op. TOSA is NHWC with OHWI (HWCM for
// depthwise) weights; cim is NCHW with FCHW weights. Convolutions and pools
// are therefore wrapped in cim.transpose ops; on constant weights those fold
// away at compile time, and between layers the cleanup patterns move them
// through elementwise ops until consecutive transposes cancel. Weights are
// only ever permuted or reshaped, never recomputed, so a network arrives
// with bit-identical floats and compiles to the same program as its ONNX
// form.
//
//===----------------------------------------------------------------------===//

#include "cim/Conversion/Passes.h"
#include "cim/Dialect/Cim/CimOps.h"
#include "cim/Dialect/Cim/CimPatterns.h"

#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace mlir::cim {
#define GEN_PASS_DEF_CONVERTTOSATOCIM
#include "cim/Conversion/Passes.h.inc"
} // namespace mlir::cim

using namespace mlir;
using namespace mlir::cim;

namespace {

constexpr int64_t kToNCHW[] = {0, 3, 1, 2};
constexpr int64_t kToNHWC[] = {0, 2, 3, 1};

/// The type of `type` permuted by `perm`.
static RankedTensorType permuted(RankedTensorType type,
                                 ArrayRef<int64_t> perm) {
  return RankedTensorType::get(permuteShape(type.getShape(), perm),
                               type.getElementType());
}

/// TOSA pads are [top, bottom, left, right]; cim's (ONNX's) [top, left,
/// bottom, right].
static DenseI64ArrayAttr cimPads(PatternRewriter &rewriter,
                                 ArrayRef<int64_t> tosa) {
  return rewriter.getDenseI64ArrayAttr({tosa[0], tosa[2], tosa[1], tosa[3]});
}

/// A zero point operand that is a constant zero: cim's float ops have none,
/// and integer zero points need the quantized path, which is not mapped.
static bool isZeroPoint(Value zp) {
  DenseElementsAttr attr;
  if (!matchPattern(zp, m_Constant(&attr)))
    return false;
  if (isa<FloatType>(attr.getElementType()))
    return llvm::all_of(attr.getValues<APFloat>(),
                        [](const APFloat &v) { return v.isZero(); });
  return llvm::all_of(attr.getValues<APInt>(),
                      [](const APInt &v) { return v.isZero(); });
}

/// Why `op` cannot be mapped, for the report of unconverted ops.
static LogicalResult cannotMap(PatternRewriter &rewriter, Operation *op,
                               const Twine &reason) {
  op->setAttr("cim.unmapped", rewriter.getStringAttr(reason));
  return rewriter.notifyMatchFailure(op, reason);
}

static bool isFloatTensor(Value value) {
  return isa<FloatType>(cast<ShapedType>(value.getType()).getElementType());
}

struct ConstPattern : OpRewritePattern<tosa::ConstOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::ConstOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<ConstantOp>(op, op.getValues());
    return success();
  }
};

/// tosa.conv2d / tosa.depthwise_conv2d → transpose, cim.conv2d, transpose.
template <typename TosaConv> struct ConvPattern : OpRewritePattern<TosaConv> {
  using OpRewritePattern<TosaConv>::OpRewritePattern;
  LogicalResult matchAndRewrite(TosaConv op,
                                PatternRewriter &rewriter) const override {
    if (!isZeroPoint(op.getInputZp()) || !isZeroPoint(op.getWeightZp()))
      return cannotMap(rewriter, op, "non-zero zero points (quantized TOSA)");
    if (!isFloatTensor(op.getInput()))
      return cannotMap(rewriter, op, "integer convolution (quantized TOSA)");
    Location loc = op.getLoc();
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    Value input = createTranspose(rewriter, loc, op.getInput(), kToNCHW);
    Value weight;
    int64_t groups = 1;
    if constexpr (std::is_same_v<TosaConv, tosa::Conv2DOp>) {
      // OHWI → OIHW.
      weight = createTranspose(rewriter, loc, op.getWeight(), {0, 3, 1, 2});
    } else {
      // HWCM → CMHW → (C·M)1HW: output channel c·M + m reads channel c.
      int64_t kh = weightType.getDimSize(0), kw = weightType.getDimSize(1);
      int64_t c = weightType.getDimSize(2), m = weightType.getDimSize(3);
      Value cmhw = createTranspose(rewriter, loc, op.getWeight(), {2, 3, 0, 1});
      weight =
          ReshapeOp::create(rewriter, loc,
                            RankedTensorType::get({c * m, 1, kh, kw},
                                                  weightType.getElementType()),
                            cmhw);
      groups = c;
    }
    auto resultType = cast<RankedTensorType>(op.getType());
    Value conv = Conv2dOp::create(
        rewriter, loc, permuted(resultType, kToNCHW), input, weight,
        op.getBias(), rewriter.getDenseI64ArrayAttr(op.getStride()),
        cimPads(rewriter, op.getPad()),
        rewriter.getDenseI64ArrayAttr(op.getDilation()),
        rewriter.getI64IntegerAttr(groups), /*precision=*/nullptr);
    rewriter.replaceOp(op, createTranspose(rewriter, loc, conv, kToNHWC));
    return success();
  }
};

/// tosa.matmul [B, M, K] x [B, K, N]: with one batch a cim.gemm on 2-D
/// operands (the form crossbars map), else a batched cim.matmul.
struct MatMulPattern : OpRewritePattern<tosa::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::MatMulOp op,
                                PatternRewriter &rewriter) const override {
    if (!isZeroPoint(op.getAZp()) || !isZeroPoint(op.getBZp()))
      return cannotMap(rewriter, op, "non-zero zero points (quantized TOSA)");
    if (!isFloatTensor(op.getA()))
      return cannotMap(rewriter, op, "integer matmul (quantized TOSA)");
    Location loc = op.getLoc();
    auto aType = cast<RankedTensorType>(op.getA().getType());
    auto bType = cast<RankedTensorType>(op.getB().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    if (aType.getDimSize(0) != 1 || bType.getDimSize(0) != 1) {
      rewriter.replaceOpWithNewOp<MatmulOp>(op, resultType, op.getA(),
                                            op.getB(), /*precision=*/nullptr);
      return success();
    }
    Type element = aType.getElementType();
    auto flat = [&](Value v, RankedTensorType t) -> Value {
      return ReshapeOp::create(
          rewriter, loc,
          RankedTensorType::get({t.getDimSize(1), t.getDimSize(2)}, element),
          v);
    };
    Value gemm = GemmOp::create(
        rewriter, loc,
        RankedTensorType::get(
            {resultType.getDimSize(1), resultType.getDimSize(2)}, element),
        flat(op.getA(), aType), flat(op.getB(), bType), /*bias=*/Value(),
        /*precision=*/nullptr);
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, resultType, gemm);
    return success();
  }
};

/// tosa.clamp → cim.relu when it is max(x, 0), else cim.clip.
struct ClampPattern : OpRewritePattern<tosa::ClampOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::ClampOp op,
                                PatternRewriter &rewriter) const override {
    auto minAttr = dyn_cast<FloatAttr>(op.getMinVal());
    auto maxAttr = dyn_cast<FloatAttr>(op.getMaxVal());
    if (!minAttr || !maxAttr)
      return cannotMap(rewriter, op, "integer clamp (quantized TOSA)");
    double lo = minAttr.getValueAsDouble(), hi = maxAttr.getValueAsDouble();
    if (lo == 0.0 && hi >= std::numeric_limits<float>::max()) {
      rewriter.replaceOpWithNewOp<ReluOp>(op, op.getInput());
      return success();
    }
    rewriter.replaceOpWithNewOp<ClipOp>(
        op, op.getType(), op.getInput(),
        rewriter.getF32FloatAttr(static_cast<float>(lo)),
        rewriter.getF32FloatAttr(static_cast<float>(hi)));
    return success();
  }
};

/// tosa.max_pool2d / avg_pool2d → transpose, cim pool, transpose. An average
/// over the whole unpadded image is cim.global_avg_pool2d, as ONNX's
/// GlobalAveragePool imports.
template <typename TosaPool> struct PoolPattern : OpRewritePattern<TosaPool> {
  using OpRewritePattern<TosaPool>::OpRewritePattern;
  LogicalResult matchAndRewrite(TosaPool op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isAvg = std::is_same_v<TosaPool, tosa::AvgPool2dOp>;
    if constexpr (isAvg)
      if (!isZeroPoint(op.getInputZp()) || !isZeroPoint(op.getOutputZp()))
        return cannotMap(rewriter, op, "non-zero zero points (quantized TOSA)");
    if (!isFloatTensor(op.getInput()))
      return cannotMap(rewriter, op, "integer pooling (quantized TOSA)");
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = permuted(cast<RankedTensorType>(op.getType()), kToNCHW);
    Value input = createTranspose(rewriter, loc, op.getInput(), kToNCHW);
    ArrayRef<int64_t> kernel = op.getKernel();
    Value pooled;
    if constexpr (isAvg) {
      if (kernel[0] == inputType.getDimSize(1) &&
          kernel[1] == inputType.getDimSize(2) &&
          llvm::all_of(op.getPad(), [](int64_t p) { return p == 0; }))
        pooled = GlobalAvgPool2dOp::create(rewriter, loc, resultType, input);
      else
        // TOSA averages over the valid (unpadded) cells.
        pooled = AvgPool2dOp::create(
            rewriter, loc, resultType, input,
            rewriter.getDenseI64ArrayAttr(kernel),
            rewriter.getDenseI64ArrayAttr(op.getStride()),
            cimPads(rewriter, op.getPad()), rewriter.getBoolAttr(false),
            rewriter.getBoolAttr(false));
    } else {
      pooled = MaxPool2dOp::create(
          rewriter, loc, resultType, input,
          rewriter.getDenseI64ArrayAttr(kernel),
          rewriter.getDenseI64ArrayAttr(op.getStride()),
          cimPads(rewriter, op.getPad()), rewriter.getDenseI64ArrayAttr({1, 1}),
          rewriter.getBoolAttr(false));
    }
    rewriter.replaceOp(op, createTranspose(rewriter, loc, pooled, kToNHWC));
    return success();
  }
};

template <typename TosaOp, typename CimOp>
struct BinaryPattern : OpRewritePattern<TosaOp> {
  using OpRewritePattern<TosaOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(TosaOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getInput1()))
      return cannotMap(rewriter, op, "integer arithmetic (quantized TOSA)");
    rewriter.replaceOpWithNewOp<CimOp>(op, op.getType(), op.getInput1(),
                                       op.getInput2());
    return success();
  }
};

struct MulPattern : OpRewritePattern<tosa::MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::MulOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getInput1()))
      return cannotMap(rewriter, op, "integer multiply (quantized TOSA)");
    rewriter.replaceOpWithNewOp<MulOp>(op, op.getType(), op.getInput1(),
                                       op.getInput2());
    return success();
  }
};

template <typename TosaOp, typename CimOp>
struct UnaryPattern : OpRewritePattern<TosaOp> {
  using OpRewritePattern<TosaOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(TosaOp op,
                                PatternRewriter &rewriter) const override {
    // TOSA names the operand input or input1 depending on the op.
    Value input = op->getOperand(0);
    if (!isFloatTensor(input))
      return cannotMap(rewriter, op, "integer input");
    rewriter.replaceOpWithNewOp<CimOp>(op, input);
    return success();
  }
};

struct ReshapePattern : OpRewritePattern<tosa::ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    if (!cast<ShapedType>(op.getType()).hasStaticShape())
      return cannotMap(rewriter, op, "dynamic result shape");
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), op.getInput1());
    return success();
  }
};

struct TransposePattern : OpRewritePattern<tosa::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<int64_t> perm(op.getPerms().begin(), op.getPerms().end());
    rewriter.replaceOpWithNewOp<TransposeOp>(
        op, op.getType(), op.getInput1(), rewriter.getDenseI64ArrayAttr(perm));
    return success();
  }
};

/// The values of a !tosa.shape operand made by tosa.const_shape.
static FailureOr<SmallVector<int64_t>> constShape(Value shape) {
  auto op = shape.getDefiningOp<tosa::ConstShapeOp>();
  if (!op)
    return failure();
  SmallVector<int64_t> values;
  for (const APInt &v : op.getValues().getValues<APInt>())
    values.push_back(v.getSExtValue());
  return values;
}

struct SlicePattern : OpRewritePattern<tosa::SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::SliceOp op,
                                PatternRewriter &rewriter) const override {
    FailureOr<SmallVector<int64_t>> start = constShape(op.getStart());
    if (failed(start))
      return cannotMap(rewriter, op, "start is not a tosa.const_shape");
    if (!cast<ShapedType>(op.getType()).hasStaticShape())
      return cannotMap(rewriter, op, "dynamic result shape");
    SmallVector<int64_t> strides(start->size(), 1);
    rewriter.replaceOpWithNewOp<SliceOp>(
        op, op.getType(), op.getInput1(), rewriter.getDenseI64ArrayAttr(*start),
        rewriter.getDenseI64ArrayAttr(strides));
    return success();
  }
};

struct ConcatPattern : OpRewritePattern<tosa::ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::ConcatOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<ConcatOp>(
        op, op.getType(), op.getInput1(),
        rewriter.getI64IntegerAttr(op.getAxis()));
    return success();
  }
};

struct ConvertTosaToCim
    : public cim::impl::ConvertTosaToCimBase<ConvertTosaToCim> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<
        ConstPattern, ConvPattern<tosa::Conv2DOp>,
        ConvPattern<tosa::DepthwiseConv2DOp>, MatMulPattern, ClampPattern,
        PoolPattern<tosa::MaxPool2dOp>, PoolPattern<tosa::AvgPool2dOp>,
        BinaryPattern<tosa::AddOp, AddOp>, BinaryPattern<tosa::SubOp, SubOp>,
        MulPattern, UnaryPattern<tosa::SigmoidOp, SigmoidOp>,
        UnaryPattern<tosa::TanhOp, TanhOp>, UnaryPattern<tosa::ExpOp, ExpOp>,
        ReshapePattern, TransposePattern, SlicePattern, ConcatPattern>(context);
    // Transposes sunk past elementwise ops meet and cancel; biases added
    // separately fold into their layers.
    populateLayoutCleanupPatterns(patterns);
    AddOp::getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();

    // Report what stays, with the reason a pattern gave, so that nothing is
    // dropped silently; later stages reject the op if they cannot run it.
    getOperation().walk([](Operation *op) {
      if (!llvm::isa<tosa::TosaDialect>(op->getDialect()) ||
          llvm::isa<tosa::ConstShapeOp>(op))
        return;
      auto reason = op->getAttrOfType<StringAttr>("cim.unmapped");
      InFlightDiagnostic diag = op->emitWarning()
                                << "convert-tosa-to-cim: cannot map '"
                                << op->getName() << "'";
      if (reason) {
        diag << ": " << reason.getValue();
        op->removeAttr("cim.unmapped");
      } else {
        diag << ": no conversion for this operation";
      }
    });
  }
};

} // namespace
