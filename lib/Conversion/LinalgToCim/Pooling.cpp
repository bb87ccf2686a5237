//===- Pooling.cpp - Linalg pools to cim ----------------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// linalg.pooling_{nhwc,nchw}_max -> cim.max_pool2d, and the sum pools
// followed by a division by the window size (tosa-to-linalg's average
// pool) -> cim.avg_pool2d or cim.global_avg_pool2d.
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
// Pooling
//===----------------------------------------------------------------------===//

/// What the max and average pool patterns share: the checks of a Linalg
/// pool's operands, its window, the failure when the output size does not
/// follow, and the NCHW cim pool between transposes for NHWC.
template <typename OpTy> struct PoolPattern : LinalgToCimPattern<OpTy> {
  using LinalgToCimPattern<OpTy>::LinalgToCimPattern;
  static constexpr bool nhwc = std::is_same_v<OpTy, linalg::PoolingNhwcMaxOp> ||
                               std::is_same_v<OpTy, linalg::PoolingNhwcSumOp>;
  /// The spatial dims.
  static constexpr int64_t h = nhwc ? 1 : 2, w = nhwc ? 2 : 3;

  /// A pool on static float tensors: its window.
  struct Window {
    RankedTensorType outType;
    SmallVector<int64_t> kernel, strides, dilations;
  };

  /// The pool's own checks and rewrite, once the window is known.
  virtual LogicalResult rewritePool(OpTy op, const Window &window,
                                    PatternRewriter &rewriter) const = 0;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const final {
    if (!op.hasPureTensorSemantics())
      return this->fail(op, rewriter, "only Linalg ops on tensors map");
    Window window;
    window.outType = staticFloatTensor(op->getResult(0));
    RankedTensorType windowType = staticTensor(op.getDpsInputs()[1]);
    if (!window.outType || !windowType ||
        !staticFloatTensor(op.getDpsInputs()[0]))
      return this->fail(op, rewriter, "needs static float tensors");
    window.kernel = llvm::to_vector(windowType.getShape());
    window.strides = getWindowAttr(op, "strides");
    window.dilations = getWindowAttr(op, "dilations");
    return rewritePool(op, window, rewriter);
  }

  /// Settles the trailing pads of `source` (fitTrailingPads) for the
  /// window's output size.
  LogicalResult fitPads(OpTy op, PatternRewriter &rewriter, Value source,
                        const Window &window,
                        SmallVectorImpl<int64_t> &pads) const {
    auto in = cast<RankedTensorType>(source.getType()).getShape();
    ArrayRef<int64_t> out = window.outType.getShape();
    if (!fitTrailingPads({in[h], in[w]}, {out[h], out[w]}, window.kernel,
                         window.strides, window.dilations, pads))
      return this->fail(op, rewriter,
                        "the output size does not follow from the input, "
                        "padding and strides");
    return success();
  }

  /// `build` (given the NCHW input and result type) on `source`, with
  /// transposes around it for NHWC.
  Value inNchw(PatternRewriter &rewriter, Location loc, Value source,
               RankedTensorType outType,
               function_ref<Value(Value, RankedTensorType)> build) const {
    ArrayRef<int64_t> out = outType.getShape();
    Value x =
        nhwc ? createTranspose(rewriter, loc, source, {0, 3, 1, 2}) : source;
    auto poolType = RankedTensorType::get(
        nhwc ? SmallVector<int64_t>{out[0], out[3], out[1], out[2]}
             : SmallVector<int64_t>(out.begin(), out.end()),
        outType.getElementType());
    Value y = build(x, poolType);
    if (nhwc)
      y = createTranspose(rewriter, loc, y, {0, 2, 3, 1});
    return y;
  }
};

/// linalg.pooling_{nhwc,nchw}_max -> cim.max_pool2d; padding by -inf (or the
/// lowest float) folds into pads.
template <typename OpTy> struct ConvertMaxPool : PoolPattern<OpTy> {
  using Base = PoolPattern<OpTy>;
  using Base::Base, Base::h, Base::w;
  LogicalResult rewritePool(OpTy op, const typename Base::Window &window,
                            PatternRewriter &rewriter) const override {
    std::optional<APFloat> initValue = getSplatValue(op.getDpsInits()[0]);
    if (!initValue || !isLowest(*initValue))
      return this->fail(op, rewriter,
                        "the initial value is not a fill with -inf or the "
                        "lowest float");
    Value input = op.getDpsInputs()[0];
    const SmallVector<int64_t> &kernel = window.kernel;
    const SmallVector<int64_t> &dilations = window.dilations;
    SmallVector<int64_t> pads;
    Value source = peelSpatialPadding(input, h, w, isLowest, pads);
    // cim pools need pads smaller than the window; keep larger padding as an
    // explicit pad.
    if (pads[0] >= kernel[0] * dilations[0] ||
        pads[2] >= kernel[0] * dilations[0] ||
        pads[1] >= kernel[1] * dilations[1] ||
        pads[3] >= kernel[1] * dilations[1]) {
      source = input;
      pads.assign({0, 0, 0, 0});
    }
    if (failed(this->fitPads(op, rewriter, source, window, pads)))
      return failure();
    Location loc = op.getLoc();
    rewriter.replaceOp(
        op, this->inNchw(rewriter, loc, source, window.outType,
                         [&](Value x, RankedTensorType poolType) -> Value {
                           return cim::MaxPool2dOp::create(
                               rewriter, loc, poolType, x, kernel,
                               window.strides, pads, dilations);
                         }));
    return success();
  }
};

/// A scalar of an index computation, evaluated with the loop indices given.
/// Covers what tosa-to-linalg emits for average-pooling divisors.
std::optional<double> evaluate(Value v, ArrayRef<int64_t> indices,
                               int depth = 0) {
  if (depth > 64)
    return std::nullopt;
  Operation *op = v.getDefiningOp();
  if (!op)
    return std::nullopt;
  if (auto index = dyn_cast<linalg::IndexOp>(op)) {
    if (index.getDim() >= indices.size())
      return std::nullopt;
    return indices[index.getDim()];
  }
  if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
    if (auto i = dyn_cast<IntegerAttr>(constant.getValue()))
      return (double)i.getValue().getSExtValue();
    if (auto f = dyn_cast<FloatAttr>(constant.getValue()))
      return f.getValueAsDouble();
    return std::nullopt;
  }
  auto operand = [&](unsigned i) {
    return evaluate(op->getOperand(i), indices, depth + 1);
  };
  // Casts keep the value (counts are small integers).
  if (llvm::isa<arith::IndexCastOp, arith::IndexCastUIOp, arith::SIToFPOp,
                arith::UIToFPOp, arith::ExtSIOp, arith::ExtUIOp,
                arith::TruncIOp, arith::ExtFOp, arith::TruncFOp>(op))
    return operand(0);
  if (auto select = dyn_cast<arith::SelectOp>(op)) {
    std::optional<double> c = operand(0);
    if (!c)
      return std::nullopt;
    return *c != 0 ? operand(1) : operand(2);
  }
  if (op->getNumOperands() != 2)
    return std::nullopt;
  std::optional<double> a = operand(0), b = operand(1);
  if (!a || !b)
    return std::nullopt;
  if (auto cmp = dyn_cast<arith::CmpIOp>(op)) {
    switch (cmp.getPredicate()) {
    case arith::CmpIPredicate::eq:
      return double(*a == *b);
    case arith::CmpIPredicate::ne:
      return double(*a != *b);
    case arith::CmpIPredicate::slt:
    case arith::CmpIPredicate::ult:
      return double(*a < *b);
    case arith::CmpIPredicate::sle:
    case arith::CmpIPredicate::ule:
      return double(*a <= *b);
    case arith::CmpIPredicate::sgt:
    case arith::CmpIPredicate::ugt:
      return double(*a > *b);
    case arith::CmpIPredicate::sge:
    case arith::CmpIPredicate::uge:
      return double(*a >= *b);
    }
    return std::nullopt;
  }
  return llvm::TypeSwitch<Operation *, std::optional<double>>(op)
      .Case<arith::AddIOp, arith::AddFOp>(
          [&](auto) -> std::optional<double> { return *a + *b; })
      .Case<arith::SubIOp, arith::SubFOp>(
          [&](auto) -> std::optional<double> { return *a - *b; })
      .Case<arith::MulIOp, arith::MulFOp>(
          [&](auto) -> std::optional<double> { return *a * *b; })
      .Case<arith::DivFOp>(
          [&](auto) -> std::optional<double> { return *a / *b; })
      .Case<arith::DivSIOp, arith::DivUIOp>([&](auto) -> std::optional<double> {
        if (*b == 0)
          return std::nullopt;
        return std::trunc(*a / *b);
      })
      .Case<arith::FloorDivSIOp>([&](auto) -> std::optional<double> {
        if (*b == 0)
          return std::nullopt;
        return std::floor(*a / *b);
      })
      .Case<arith::CeilDivSIOp, arith::CeilDivUIOp>(
          [&](auto) -> std::optional<double> {
            if (*b == 0)
              return std::nullopt;
            return std::ceil(*a / *b);
          })
      .Case<arith::MaxSIOp, arith::MaxUIOp>(
          [&](auto) -> std::optional<double> { return std::max(*a, *b); })
      .Case<arith::MinSIOp, arith::MinUIOp>(
          [&](auto) -> std::optional<double> { return std::min(*a, *b); })
      .Default([](Operation *) { return std::nullopt; });
}

/// A linalg.generic that divides its single input elementwise by a value
/// computed from loop indices: the second half of an average pool.
struct PoolDivision {
  linalg::GenericOp generic;
  Value divisor;
};

std::optional<PoolDivision> getPoolDivision(Value sum) {
  if (!sum.hasOneUse())
    return std::nullopt;
  auto generic = dyn_cast<linalg::GenericOp>(*sum.getUsers().begin());
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumResults() != 1 || generic.getDpsInputs()[0] != sum ||
      generic.getNumParallelLoops() != generic.getNumLoops() ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap map) { return map.isIdentity(); }) ||
      generic.getResult(0).getType() != sum.getType())
    return std::nullopt;
  Block &body = generic.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto div = yield.getNumOperands() == 1
                 ? yield.getOperand(0).getDefiningOp<arith::DivFOp>()
                 : nullptr;
  if (!div || div.getLhs() != body.getArgument(0))
    return std::nullopt;
  return PoolDivision{generic, div.getRhs()};
}

/// linalg.pooling_{nhwc,nchw}_sum followed by a division by the window size
/// (what tosa-to-linalg emits for tosa.avg_pool2d) -> cim.avg_pool2d, or
/// cim.global_avg_pool2d when the window covers the whole unpadded input.
template <typename OpTy> struct ConvertAvgPool : PoolPattern<OpTy> {
  using Base = PoolPattern<OpTy>;
  using Base::Base, Base::h, Base::w;
  LogicalResult rewritePool(OpTy op, const typename Base::Window &window,
                            PatternRewriter &rewriter) const override {
    RankedTensorType outType = window.outType;
    std::optional<APFloat> initValue = getSplatValue(op.getDpsInits()[0]);
    if (!op.getDpsInits()[0].template getDefiningOp<tensor::EmptyOp>() &&
        (!initValue || !isZero(*initValue)))
      return this->fail(op, rewriter, "the initial value is not zero");
    std::optional<PoolDivision> division = getPoolDivision(op->getResult(0));
    if (!division)
      return this->fail(op, rewriter,
                        "a sum pool maps only when followed by a division "
                        "by the window size (an average pool)");
    const SmallVector<int64_t> &dilations = window.dilations;
    if (dilations[0] != 1 || dilations[1] != 1)
      return this->fail(op, rewriter, "cim.avg_pool2d has no dilations");
    const SmallVector<int64_t> &kernel = window.kernel;
    const SmallVector<int64_t> &strides = window.strides;
    SmallVector<int64_t> pads;
    Value source = peelSpatialPadding(op.getDpsInputs()[0], h, w, isZero, pads);
    if (pads[0] >= kernel[0] || pads[2] >= kernel[0] || pads[1] >= kernel[1] ||
        pads[3] >= kernel[1])
      return this->fail(op, rewriter, "padding as large as the window");
    if (failed(this->fitPads(op, rewriter, source, window, pads)))
      return failure();
    auto sourceShape = cast<RankedTensorType>(source.getType()).getShape();
    ArrayRef<int64_t> out = outType.getShape();
    int64_t inH = sourceShape[h], inW = sourceShape[w];

    // The divisor at every output position must be the window size with or
    // without the padded cells.
    bool matchesInclude = true, matchesExclude = true;
    SmallVector<int64_t> indices(outType.getRank(), 0);
    for (int64_t y = 0; y < out[h]; ++y) {
      for (int64_t x = 0; x < out[w]; ++x) {
        indices[h] = y;
        indices[w] = x;
        std::optional<double> divisor = evaluate(division->divisor, indices);
        if (!divisor)
          return this->fail(op, rewriter,
                            "the divisor of the average is not a "
                            "computation of the window size");
        auto inside = [](int64_t start, int64_t k, int64_t size) {
          return std::min(start + k, size) - std::max<int64_t>(start, 0);
        };
        int64_t cells = inside(y * strides[0] - pads[0], kernel[0], inH) *
                        inside(x * strides[1] - pads[1], kernel[1], inW);
        matchesInclude &= *divisor == double(kernel[0] * kernel[1]);
        matchesExclude &= *divisor == double(cells);
      }
    }
    if (!matchesInclude && !matchesExclude)
      return this->fail(op, rewriter,
                        "the divisor of the average is not the window size");
    bool countIncludePad = !matchesExclude;

    bool global = llvm::all_of(pads, [](int64_t p) { return p == 0; }) &&
                  kernel[0] == inH && kernel[1] == inW && out[h] == 1 &&
                  out[w] == 1;
    Location loc = op.getLoc();
    Value y = this->inNchw(
        rewriter, loc, source, outType,
        [&](Value x, RankedTensorType poolType) -> Value {
          if (global)
            return cim::GlobalAvgPool2dOp::create(rewriter, loc, poolType, x);
          return cim::AvgPool2dOp::create(rewriter, loc, poolType, x, kernel,
                                          strides, pads, /*ceil_mode=*/false,
                                          countIncludePad);
        });
    rewriter.replaceOp(division->generic, y);
    rewriter.eraseOp(op);
    return success();
  }
};

} // namespace

void linalg_to_cim::populatePoolingPatterns(RewritePatternSet &patterns,
                                            FailureLog &log) {
  patterns.add<ConvertMaxPool<linalg::PoolingNhwcMaxOp>,
               ConvertMaxPool<linalg::PoolingNchwMaxOp>,
               ConvertAvgPool<linalg::PoolingNhwcSumOp>,
               ConvertAvgPool<linalg::PoolingNchwSumOp>>(patterns.getContext(),
                                                         log);
}
