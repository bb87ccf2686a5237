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

#include <cmath>
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

//===----------------------------------------------------------------------===//
// Quantized TOSA
//===----------------------------------------------------------------------===//
//
// Quantized TOSA computes on integer codes: i8 activations and weights, i32
// accumulators, and tosa.rescale (an integer multiply and shift) between
// layers. cim's layers compute on floats; integers live between
// cim.quantize and cim.dequantize. So codes are read as floats with scale 1
// (exact), layers compute the same integer sums in f32 (exact below 2^24),
// and tosa.rescale becomes a cim.quantize whose scale is 2^shift /
// multiplier. Layers whose input and weight zero points are 0 then have the
// QDQ form that cim-lower-conv maps onto crossbars with their own codes
// (input scale 1, weight scales 1); others stay digital.

/// The integer element type of `value`'s tensor, if it has one.
static IntegerType integerElement(Value value) {
  return dyn_cast<IntegerType>(
      cast<ShapedType>(value.getType()).getElementType());
}

static RankedTensorType withElement(Value value, Type element) {
  return RankedTensorType::get(cast<ShapedType>(value.getType()).getShape(),
                               element);
}

/// The widths cim.quantize/dequantize can hold (and TOSA's integer tensors
/// use, except i48 accumulators and booleans).
static bool isSupportedWidth(IntegerType type) {
  return type && !type.isUnsigned() &&
         (type.getWidth() == 8 || type.getWidth() == 16 ||
          type.getWidth() == 32);
}

/// The single value of a constant zero-point operand.
static FailureOr<int64_t> zeroPointValue(Value zp) {
  DenseIntElementsAttr attr;
  if (!matchPattern(zp, m_Constant(&attr)) || attr.getNumElements() != 1)
    return failure();
  return (*attr.getValues<APInt>().begin()).getSExtValue();
}

/// An accumulator this pass made from an integer layer: quantize(f, scale 1,
/// zero point 0, 32 bits) of the layer's f32 sums, which are integers. Its
/// codes read back as floats are f itself.
static bool isAccumulator(QuantizeOp q) {
  if (q.getAxis() || q.getBits() != 32 || q.getScale().size() != 1 ||
      q.getScale()[0] != 1.0f || q.getZeroPoint()[0] != 0)
    return false;
  Operation *def = q.getInput().getDefiningOp();
  return def && llvm::isa<Conv2dOp, GemmOp, MatmulOp, AddOp, SubOp, MulOp,
                          TransposeOp, ReshapeOp>(def);
}

/// Integer codes `value` (minus `zeroPoint`) as f32: exact.
static Value codesToFloat(PatternRewriter &rewriter, Location loc, Value value,
                          int64_t zeroPoint = 0) {
  if (zeroPoint == 0)
    if (auto q = value.getDefiningOp<QuantizeOp>())
      if (isAccumulator(q))
        return q.getInput();
  // Constant codes (biases) convert at compile time.
  DenseIntElementsAttr constant;
  if (matchPattern(value, m_Constant(&constant))) {
    SmallVector<float> values;
    for (const APInt &v : constant.getValues<APInt>())
      values.push_back(float(v.getSExtValue() - zeroPoint));
    return ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(withElement(value, rewriter.getF32Type()),
                               ArrayRef(values)));
  }
  IntegerType element = integerElement(value);
  return DequantizeOp::create(
      rewriter, loc, withElement(value, rewriter.getF32Type()), value,
      rewriter.getDenseF32ArrayAttr({1.0f}),
      rewriter.getDenseI64ArrayAttr({zeroPoint}), IntegerAttr(),
      rewriter.getI64IntegerAttr(element.getWidth()));
}

/// f32 values rounded (half to even) and saturated to the integer tensor
/// type `type`, with per-tensor or per-`axis` scales and zero points.
static Value floatToCodes(PatternRewriter &rewriter, Location loc, Value value,
                          Type type, ArrayRef<float> scales = {1.0f},
                          ArrayRef<int64_t> zeroPoints = {0},
                          std::optional<int64_t> axis = std::nullopt) {
  auto element = cast<IntegerType>(cast<ShapedType>(type).getElementType());
  return QuantizeOp::create(
      rewriter, loc, type, value, rewriter.getDenseF32ArrayAttr(scales),
      rewriter.getDenseI64ArrayAttr(zeroPoints),
      axis ? rewriter.getI64IntegerAttr(*axis) : IntegerAttr(),
      rewriter.getI64IntegerAttr(element.getWidth()));
}

/// Checks the integer operands of a quantized layer; on success returns
/// the input and weight zero points.
template <typename TosaOp>
static FailureOr<std::pair<int64_t, int64_t>>
checkIntegerLayer(PatternRewriter &rewriter, TosaOp op, Value input,
                  Value weight, Value inputZp, Value weightZp) {
  if (!isSupportedWidth(integerElement(input)) ||
      !isSupportedWidth(integerElement(weight)))
    return cannotMap(rewriter, op,
                     "operands are not signed 8-, 16- or "
                     "32-bit integers");
  if (!isSupportedWidth(integerElement(op.getResult())))
    return cannotMap(rewriter, op, "accumulator wider than 32 bits");
  if constexpr (!std::is_same_v<TosaOp, tosa::MatMulOp>)
    if (!isSupportedWidth(integerElement(op.getBias())))
      return cannotMap(rewriter, op,
                       "bias is not a signed 8-, 16- or "
                       "32-bit integer");
  FailureOr<int64_t> izp = zeroPointValue(inputZp);
  FailureOr<int64_t> wzp = zeroPointValue(weightZp);
  if (failed(izp) || failed(wzp))
    return cannotMap(rewriter, op, "zero points are not constants");
  return std::make_pair(*izp, *wzp);
}

/// A layer's weight codes, after their layout changes (which fold on the
/// integer constant), read as floats minus the zero point.
static Value weightCodes(PatternRewriter &rewriter, Location loc, Value weight,
                         int64_t zeroPoint) {
  IntegerType element = integerElement(weight);
  return DequantizeOp::create(
      rewriter, loc, withElement(weight, rewriter.getF32Type()), weight,
      rewriter.getDenseF32ArrayAttr({1.0f}),
      rewriter.getDenseI64ArrayAttr({zeroPoint}), IntegerAttr(),
      rewriter.getI64IntegerAttr(element.getWidth()));
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
/// Quantized: the codes as floats, the same conv, and the i32 accumulator.
template <typename TosaConv> struct ConvPattern : OpRewritePattern<TosaConv> {
  using OpRewritePattern<TosaConv>::OpRewritePattern;
  LogicalResult matchAndRewrite(TosaConv op,
                                PatternRewriter &rewriter) const override {
    bool quantized = !isFloatTensor(op.getInput());
    int64_t inputZp = 0, weightZp = 0;
    if (quantized) {
      auto zps = checkIntegerLayer(rewriter, op, op.getInput(), op.getWeight(),
                                   op.getInputZp(), op.getWeightZp());
      if (failed(zps))
        return failure();
      std::tie(inputZp, weightZp) = *zps;
    } else if (!isZeroPoint(op.getInputZp()) ||
               !isZeroPoint(op.getWeightZp())) {
      return cannotMap(rewriter, op, "non-zero zero points on float tensors");
    } else if (!isFloatTensor(op.getWeight()) || !isFloatTensor(op.getBias())) {
      return cannotMap(rewriter, op, "float input with integer weights");
    }
    Location loc = op.getLoc();
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    Value input = op.getInput();
    if (quantized)
      input = codesToFloat(rewriter, loc, input, inputZp);
    input = createTranspose(rewriter, loc, input, kToNCHW);
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
    // Integer weights change layout as codes (which fold on constants) and
    // are then read as floats, the form cim-lower-conv maps.
    Value bias = op.getBias();
    if (quantized) {
      weight = weightCodes(rewriter, loc, weight, weightZp);
      bias = codesToFloat(rewriter, loc, bias);
    }
    auto resultType = cast<RankedTensorType>(op.getType());
    auto convType = permuted(resultType, kToNCHW);
    if (quantized)
      convType =
          RankedTensorType::get(convType.getShape(), rewriter.getF32Type());
    Value conv = Conv2dOp::create(
        rewriter, loc, convType, input, weight, bias,
        rewriter.getDenseI64ArrayAttr(op.getStride()),
        cimPads(rewriter, op.getPad()),
        rewriter.getDenseI64ArrayAttr(op.getDilation()),
        rewriter.getI64IntegerAttr(groups), /*precision=*/nullptr);
    Value result = createTranspose(rewriter, loc, conv, kToNHWC);
    if (quantized)
      result = floatToCodes(rewriter, loc, result, resultType);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// tosa.matmul [B, M, K] x [B, K, N]: with one batch a cim.gemm on 2-D
/// operands (the form crossbars map), else a batched cim.matmul. Quantized:
/// on the codes as floats, giving the i32 accumulator.
struct MatMulPattern : OpRewritePattern<tosa::MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::MatMulOp op,
                                PatternRewriter &rewriter) const override {
    bool quantized = !isFloatTensor(op.getA());
    int64_t aZp = 0, bZp = 0;
    if (quantized) {
      auto zps = checkIntegerLayer(rewriter, op, op.getA(), op.getB(),
                                   op.getAZp(), op.getBZp());
      if (failed(zps))
        return failure();
      std::tie(aZp, bZp) = *zps;
    } else if (!isZeroPoint(op.getAZp()) || !isZeroPoint(op.getBZp())) {
      return cannotMap(rewriter, op, "non-zero zero points on float tensors");
    } else if (!isFloatTensor(op.getB())) {
      return cannotMap(rewriter, op, "float input with integer weights");
    }
    Location loc = op.getLoc();
    auto aType = cast<RankedTensorType>(op.getA().getType());
    auto bType = cast<RankedTensorType>(op.getB().getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = quantized ? rewriter.getF32Type() : aType.getElementType();
    auto floatResult = RankedTensorType::get(resultType.getShape(), element);
    Value a =
        quantized ? codesToFloat(rewriter, loc, op.getA(), aZp) : op.getA();
    Value result;
    if (aType.getDimSize(0) != 1 || bType.getDimSize(0) != 1) {
      Value b =
          quantized ? weightCodes(rewriter, loc, op.getB(), bZp) : op.getB();
      result = MatmulOp::create(rewriter, loc, floatResult, a, b,
                                /*precision=*/nullptr);
    } else {
      auto flat = [&](Value v, RankedTensorType t) -> Value {
        return ReshapeOp::create(
            rewriter, loc,
            RankedTensorType::get(
                {t.getDimSize(1), t.getDimSize(2)},
                cast<ShapedType>(v.getType()).getElementType()),
            v);
      };
      // Integer weights are flattened as codes, then read as floats.
      Value b = flat(op.getB(), bType);
      if (quantized)
        b = weightCodes(rewriter, loc, b, bZp);
      Value gemm = GemmOp::create(
          rewriter, loc,
          RankedTensorType::get(
              {resultType.getDimSize(1), resultType.getDimSize(2)}, element),
          flat(a, aType), b, /*bias=*/Value(), /*precision=*/nullptr);
      result = ReshapeOp::create(rewriter, loc, floatResult, gemm);
    }
    if (quantized)
      result = floatToCodes(rewriter, loc, result, resultType);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// tosa.clamp → cim.relu when it is max(x, 0), else cim.clip. On integer
/// codes (the activation of a quantized layer), the same on the codes as
/// floats, back to codes: exact.
struct ClampPattern : OpRewritePattern<tosa::ClampOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::ClampOp op,
                                PatternRewriter &rewriter) const override {
    double lo, hi, max;
    bool quantized = !isFloatTensor(op.getInput());
    if (quantized) {
      auto minAttr = dyn_cast<IntegerAttr>(op.getMinVal());
      auto maxAttr = dyn_cast<IntegerAttr>(op.getMaxVal());
      IntegerType element = integerElement(op.getInput());
      if (!minAttr || !maxAttr || !isSupportedWidth(element))
        return cannotMap(rewriter, op,
                         "clamp of a non-integer range or of "
                         "unsupported integers");
      lo = double(minAttr.getValue().getSExtValue());
      hi = double(maxAttr.getValue().getSExtValue());
      max = double(APInt::getSignedMaxValue(element.getWidth()).getSExtValue());
    } else {
      auto minAttr = dyn_cast<FloatAttr>(op.getMinVal());
      auto maxAttr = dyn_cast<FloatAttr>(op.getMaxVal());
      if (!minAttr || !maxAttr)
        return cannotMap(rewriter, op, "clamp bounds are not floats");
      lo = minAttr.getValueAsDouble();
      hi = maxAttr.getValueAsDouble();
      max = std::numeric_limits<float>::max();
    }
    Location loc = op.getLoc();
    Value input =
        quantized ? codesToFloat(rewriter, loc, op.getInput()) : op.getInput();
    Value result;
    if (lo == 0.0 && hi >= max)
      result = ReluOp::create(rewriter, loc, input);
    else
      result = ClipOp::create(rewriter, loc, input.getType(), input,
                              rewriter.getF32FloatAttr(static_cast<float>(lo)),
                              rewriter.getF32FloatAttr(static_cast<float>(hi)));
    if (quantized)
      result = floatToCodes(rewriter, loc, result, op.getType());
    rewriter.replaceOp(op, result);
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
    // A max pool of codes is the max pool of the codes as floats; integer
    // averages round in ways cim.avg_pool2d does not.
    bool quantized = !isFloatTensor(op.getInput());
    if (quantized &&
        (isAvg || !isSupportedWidth(integerElement(op.getInput()))))
      return cannotMap(rewriter, op, "integer average pooling");
    Location loc = op.getLoc();
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = permuted(cast<RankedTensorType>(op.getType()), kToNCHW);
    Value input = op.getInput();
    if (quantized) {
      input = codesToFloat(rewriter, loc, input);
      resultType =
          RankedTensorType::get(resultType.getShape(), rewriter.getF32Type());
    }
    input = createTranspose(rewriter, loc, input, kToNCHW);
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
    Value result = createTranspose(rewriter, loc, pooled, kToNHWC);
    if (quantized)
      result = floatToCodes(rewriter, loc, result, op.getType());
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Integer add/sub/mul (of accumulators, in residual blocks) are exact on
/// the codes as floats below 2^24; back to codes of the result's width.
template <typename CimOp>
static LogicalResult rewriteBinary(PatternRewriter &rewriter, Operation *op,
                                   Value lhs, Value rhs) {
  Location loc = op->getLoc();
  Type type = op->getResult(0).getType();
  if (isFloatTensor(lhs)) {
    rewriter.replaceOpWithNewOp<CimOp>(op, type, lhs, rhs);
    return success();
  }
  if (!isSupportedWidth(integerElement(lhs)) ||
      !isSupportedWidth(integerElement(rhs)) ||
      !isSupportedWidth(integerElement(op->getResult(0))))
    return cannotMap(rewriter, op, "unsupported integer width");
  Value result = CimOp::create(
      rewriter, loc, withElement(op->getResult(0), rewriter.getF32Type()),
      codesToFloat(rewriter, loc, lhs), codesToFloat(rewriter, loc, rhs));
  rewriter.replaceOp(op, floatToCodes(rewriter, loc, result, type));
  return success();
}

template <typename TosaOp, typename CimOp>
struct BinaryPattern : OpRewritePattern<TosaOp> {
  using OpRewritePattern<TosaOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(TosaOp op,
                                PatternRewriter &rewriter) const override {
    return rewriteBinary<CimOp>(rewriter, op, op.getInput1(), op.getInput2());
  }
};

struct MulPattern : OpRewritePattern<tosa::MulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::MulOp op,
                                PatternRewriter &rewriter) const override {
    if (!isFloatTensor(op.getInput1())) {
      FailureOr<int64_t> shift = zeroPointValue(op.getShift());
      if (failed(shift) || *shift != 0)
        return cannotMap(rewriter, op, "integer multiply with a shift");
    }
    return rewriteBinary<MulOp>(rewriter, op, op.getInput1(), op.getInput2());
  }
};

/// tosa.rescale: `(x - input_zp) * multiplier / 2^shift + output_zp`,
/// rounded and saturated, is cim.quantize of the codes as floats with scale
/// 2^shift / multiplier (per channel along the last axis). cim rounds half
/// to even where TOSA rounds half up, and the f32 scale carries 24 of the
/// multiplier's bits: codes can differ by one where x * multiplier /
/// 2^shift lies within about 2^-24 of a half.
struct RescalePattern : OpRewritePattern<tosa::RescaleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::RescaleOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getInputUnsigned() || op.getOutputUnsigned())
      return cannotMap(rewriter, op, "unsigned rescale");
    if (!isSupportedWidth(integerElement(op.getInput())) ||
        !isSupportedWidth(integerElement(op.getOutput())))
      return cannotMap(rewriter, op,
                       "not a rescale between signed 8-, 16- "
                       "or 32-bit integers");
    FailureOr<int64_t> inputZp = zeroPointValue(op.getInputZp());
    FailureOr<int64_t> outputZp = zeroPointValue(op.getOutputZp());
    DenseIntElementsAttr multipliers, shifts;
    if (failed(inputZp) || failed(outputZp) ||
        !matchPattern(op.getMultiplier(), m_Constant(&multipliers)) ||
        !matchPattern(op.getShift(), m_Constant(&shifts)) ||
        multipliers.getNumElements() != shifts.getNumElements())
      return cannotMap(rewriter, op,
                       "multiplier, shift or zero points are "
                       "not constants");
    SmallVector<float> scales;
    for (auto [m, sh] :
         llvm::zip(multipliers.getValues<APInt>(), shifts.getValues<APInt>())) {
      int64_t multiplier = m.getSExtValue(), shift = sh.getSExtValue();
      if (multiplier <= 0)
        return cannotMap(rewriter, op, "non-positive multiplier");
      float scale = float(std::ldexp(1.0, int(shift)) / double(multiplier));
      if (!std::isfinite(scale) || scale <= 0.0f)
        return cannotMap(rewriter, op,
                         "non-positive multiplier or a scale "
                         "outside f32");
      scales.push_back(scale);
    }
    auto type = cast<RankedTensorType>(op.getType());
    std::optional<int64_t> axis;
    if (op.getPerChannel()) {
      if (type.getRank() == 0 ||
          int64_t(scales.size()) != type.getDimSize(type.getRank() - 1))
        return cannotMap(rewriter, op,
                         "per-channel scales do not match the "
                         "last dimension");
      axis = type.getRank() - 1;
    } else if (scales.size() != 1) {
      return cannotMap(rewriter, op, "several scales without per_channel");
    }
    Location loc = op.getLoc();
    Value codes = codesToFloat(rewriter, loc, op.getInput(), *inputZp);
    SmallVector<int64_t> zeroPoints(scales.size(), *outputZp);
    rewriter.replaceOp(
        op, floatToCodes(rewriter, loc, codes, type, scales, zeroPoints, axis));
    return success();
  }
};

/// tosa.cast between floats and integers: float → int rounds half to even
/// and saturates (cim.quantize with scale 1), int → float is exact, and
/// widening int → int keeps the value.
struct CastPattern : OpRewritePattern<tosa::CastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tosa::CastOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IntegerType from = integerElement(op.getInput());
    IntegerType to = integerElement(op.getOutput());
    bool fromFloat = isFloatTensor(op.getInput());
    bool toFloat = isFloatTensor(op.getOutput());
    if ((from && !isSupportedWidth(from)) || (to && !isSupportedWidth(to)))
      return cannotMap(rewriter, op, "unsupported integer width");
    if (fromFloat && to) {
      rewriter.replaceOp(
          op, floatToCodes(rewriter, loc, op.getInput(), op.getType()));
      return success();
    }
    if (from && toFloat) {
      if (cast<ShapedType>(op.getType()).getElementType() !=
          rewriter.getF32Type())
        return cannotMap(rewriter, op, "cast to a float type other than f32");
      rewriter.replaceOp(op, codesToFloat(rewriter, loc, op.getInput()));
      return success();
    }
    if (from && to && to.getWidth() >= from.getWidth()) {
      rewriter.replaceOp(
          op, floatToCodes(rewriter, loc,
                           codesToFloat(rewriter, loc, op.getInput()),
                           op.getType()));
      return success();
    }
    return cannotMap(rewriter, op,
                     "only casts between f32 and integers, and "
                     "widening integer casts, are mapped");
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

/// dequantize(accumulator(f)) -> f: the integer round trip between a
/// quantized layer and the rescale (or residual add) that reads it, whichever
/// pattern ran first.
struct DropAccumulatorRoundTrip : OpRewritePattern<DequantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DequantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto q = op.getInput().getDefiningOp<QuantizeOp>();
    if (!q || !isAccumulator(q) || op.getAxis() || op.getBits() != 32 ||
        op.getScale().size() != 1 || op.getScale()[0] != 1.0f ||
        op.getZeroPoint()[0] != 0 || q.getInput().getType() != op.getType())
      return failure();
    rewriter.replaceOp(op, q.getInput());
    return success();
  }
};

/// reshape(quantize(x)) -> quantize(reshape(x)) for per-tensor
/// quantization, which is elementwise: brings an accumulator or an
/// activation's codes next to the dequantize that reads them back.
struct SinkQuantizeThroughReshape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto q = op.getInput().getDefiningOp<QuantizeOp>();
    if (!q || q.getAxis())
      return failure();
    Value reshaped = ReshapeOp::create(
        rewriter, op.getLoc(),
        withElement(op.getResult(),
                    cast<ShapedType>(q.getInput().getType()).getElementType()),
        q.getInput());
    rewriter.replaceOpWithNewOp<QuantizeOp>(
        op, op.getType(), reshaped, q.getScaleAttr(), q.getZeroPointAttr(),
        q.getAxisAttr(), q.getBitsAttr());
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
        MulPattern, RescalePattern, CastPattern,
        UnaryPattern<tosa::SigmoidOp, SigmoidOp>,
        UnaryPattern<tosa::TanhOp, TanhOp>, UnaryPattern<tosa::ExpOp, ExpOp>,
        ReshapePattern, TransposePattern, SlicePattern, ConcatPattern,
        DropAccumulatorRoundTrip, SinkQuantizeThroughReshape>(context);
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
