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

/// Copies a pre-quantized layer's fixed scales to one of its MVMs, which
/// holds weight columns [c0, c0 + n) of the layer.
void copyFixedScales(Operation *layer, Operation *mvm, int64_t c0, int64_t n) {
  for (StringRef name : {CimDialect::getInputScaleAttrName(),
                         CimDialect::getNonnegativeInputsAttrName(),
                         CimDialect::getSignedInputsAttrName()})
    if (Attribute value = layer->getAttr(name))
      mvm->setAttr(name, value);
  ArrayRef<double> scales = CimDialect::getFixedWeightScales(layer);
  if (scales.empty())
    return;
  if (scales.size() > 1)
    scales = scales.slice(c0, n);
  mvm->setAttr(CimDialect::getWeightScalesAttrName(),
               DenseF64ArrayAttr::get(layer->getContext(), scales));
}

/// A pre-quantized (QDQ) layer, `conv2d`/`gemm(dequantize(quantize(x)),
/// dequantize(codes))`, onto crossbars with the scales and bits it came
/// with: the layer takes `x` (or the dequantized input, whose values lie on
/// the grid) and the dequantized weights, and records the input scale, the
/// per-output-channel weight scales and the bits (`cim.input_scale`,
/// `cim.weight_scales`, `#cim.precision`), which the evaluator and
/// cim-lower-to-isa use instead of deriving their own, so the crossbars
/// see exactly the model's integer codes. Only symmetric (zero-point 0)
/// quantization maps; others stay digital.
template <typename Layer> struct FoldQdqLayer : OpRewritePattern<Layer> {
  using OpRewritePattern<Layer>::OpRewritePattern;

  LogicalResult matchAndRewrite(Layer op,
                                PatternRewriter &rewriter) const override {
    if (CimDialect::hasFixedScales(op))
      return failure();
    // Data movement between the dequantize and the layer (ONNX Flatten
    // before a Gemm) commutes with a per-tensor dequantize.
    SmallVector<Operation *> moves;
    Value source = op.getInput();
    while (Operation *def = source.getDefiningOp()) {
      if (!llvm::isa<ReshapeOp, FlattenOp, TransposeOp>(def))
        break;
      moves.push_back(def);
      source = def->getOperand(0);
    }
    auto inDq = source.template getDefiningOp<DequantizeOp>();
    if (!inDq || inDq.getAxis() || inDq.getScale().size() != 1 ||
        inDq.getZeroPoint()[0] != 0)
      return rewriter.notifyMatchFailure(op, "input is not a per-tensor "
                                             "symmetric dequantize");
    Value input = inDq.getResult();
    if (auto q = inDq.getInput().template getDefiningOp<QuantizeOp>())
      if (q.getScale() == inDq.getScale() &&
          q.getZeroPoint() == inDq.getZeroPoint() &&
          q.getBits() == inDq.getBits() && !q.getAxis())
        input = q.getInput();
    for (Operation *move : llvm::reverse(moves)) {
      Operation *copy = rewriter.clone(*move);
      copy->setOperand(0, input);
      input = copy->getResult(0);
    }

    // The weight: dequantize(codes), for gemm possibly transposed (ONNX
    // Gemm's transB is folded into a transpose at import).
    Value weight = op.getWeight();
    bool transposed = false;
    if constexpr (std::is_same_v<Layer, GemmOp>)
      if (auto t = weight.getDefiningOp<TransposeOp>())
        if (llvm::equal(t.getPermutation(), ArrayRef<int64_t>{1, 0})) {
          weight = t.getInput();
          transposed = true;
        }
    auto wDq = weight.getDefiningOp<DequantizeOp>();
    DenseIntElementsAttr codes;
    if (!wDq || !matchPattern(wDq.getInput(), m_Constant(&codes)))
      return rewriter.notifyMatchFailure(op, "weight is not a dequantized "
                                             "constant");
    if (llvm::any_of(wDq.getZeroPoint(), [](int64_t z) { return z != 0; }))
      return rewriter.notifyMatchFailure(op, "asymmetric weights");
    ArrayRef<float> wScales = wDq.getScale();
    // The scales must be per tensor or per output channel: axis 0 of a
    // conv's FCHW weight, the N axis of a gemm's K x N (axis 0 before the
    // transpose).
    auto codesType = cast<RankedTensorType>(codes.getType());
    int64_t channelAxis =
        std::is_same_v<Layer, Conv2dOp> ? 0 : (transposed ? 0 : 1);
    if (wScales.size() > 1) {
      std::optional<int64_t> axis = wDq.getAxis();
      int64_t a = axis ? *axis : 0;
      if (a < 0)
        a += codesType.getRank();
      if (a != channelAxis)
        return rewriter.notifyMatchFailure(op, "weight scales are not per "
                                               "output channel");
    }

    // Float weights exactly as the model means them: code * scale in f32.
    int64_t channels = codesType.getDimSize(channelAxis);
    int64_t inner = 1;
    for (int64_t d = channelAxis + 1; d < codesType.getRank(); ++d)
      inner *= codesType.getDimSize(d);
    SmallVector<float> values;
    values.reserve(codesType.getNumElements());
    int64_t e = 0;
    for (const APInt &code : codes.getValues<APInt>()) {
      int64_t channel = (e++ / inner) % channels;
      float scale = wScales.size() == 1 ? wScales[0] : wScales[channel];
      values.push_back(float(double(code.getSExtValue()) * double(scale)));
    }
    auto floatType = RankedTensorType::get(
        codesType.getShape(), cast<ShapedType>(wDq.getType()).getElementType());
    Value newWeight = ConstantOp::create(
        rewriter, op.getLoc(),
        DenseElementsAttr::get(floatType, ArrayRef<float>(values)));
    if (transposed)
      newWeight = rewriter.createOrFold<TransposeOp>(
          op.getLoc(), op.getWeight().getType(), newWeight,
          rewriter.getDenseI64ArrayAttr({1, 0}));

    SmallVector<double> scales(wScales.begin(), wScales.end());
    MLIRContext *context = rewriter.getContext();
    rewriter.modifyOpInPlace(op, [&] {
      op.getInputMutable().assign(input);
      op.getWeightMutable().assign(newWeight);
      op.setPrecisionAttr(PrecisionAttr::get(
          context, unsigned(wDq.getBits()), unsigned(inDq.getBits()),
          /*adcBits=*/0,
          scales.size() == 1 ? ScaleGranularity::tensor
                             : ScaleGranularity::channel));
      op->setAttr(CimDialect::getInputScaleAttrName(),
                  rewriter.getF64FloatAttr(double(inDq.getScale()[0])));
      op->setAttr(CimDialect::getWeightScalesAttrName(),
                  DenseF64ArrayAttr::get(context, scales));
      // The codes' signedness, as cim-calibrate would mark it from data:
      // unsigned (ui8) codes need no sign cycle on a two's-complement
      // target; signed ones are offset on a target that drives unsigned.
      bool isUnsigned =
          cast<IntegerType>(
              cast<ShapedType>(inDq.getInput().getType()).getElementType())
              .isUnsigned();
      if (TargetAttr target = lookupTarget(op)) {
        if (isUnsigned && target.getInputSign() == InputSign::twos_complement)
          op->setAttr(CimDialect::getNonnegativeInputsAttrName(),
                      rewriter.getUnitAttr());
        if (!isUnsigned && target.getInputSign() == InputSign::unsigned_)
          op->setAttr(CimDialect::getSignedInputsAttrName(),
                      rewriter.getUnitAttr());
      }
    });
    return success();
  }
};

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
      auto mvm = MvmOp::create(rewriter, loc, tensorOf({pixels, n}, element),
                               cols, matrix, conv.getPrecisionAttr());
      copyFixedScales(conv, mvm, g * n, n);
      parts.push_back(mvm);
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
    auto product =
        MvmOp::create(rewriter, gemm.getLoc(), gemm.getType(), gemm.getInput(),
                      gemm.getWeight(), gemm.getPrecisionAttr());
    copyFixedScales(gemm, product, 0, gemm.getType().getDimSize(1));
    rewriter.replaceOp(gemm, addBias(rewriter, gemm.getLoc(),
                                     product.getResult(), gemm.getBias()));
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
    // Pre-quantized layers first, so that they lower with their scales.
    patterns.add<FoldQdqLayer<Conv2dOp>, FoldQdqLayer<GemmOp>>(&getContext(),
                                                               /*benefit=*/2);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
