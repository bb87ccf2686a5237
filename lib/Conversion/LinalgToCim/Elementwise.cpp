//===- Elementwise.cpp - Elementwise Linalg ops to cim --------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Elementwise linalg.generic (and the named elementwise ops), recognized by
// the structure of their bodies and lifted to cim ops on whole tensors;
// linalg.softmax and linalg.broadcast.
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
// Elementwise linalg.generic and linalg.broadcast
//===----------------------------------------------------------------------===//

/// Checks that `map` reads its operand of `type` as a broadcast in an
/// elementwise op over `outShape`: dims (any order, each once) or constant 0
/// on unit dims. Fills `dims` with the loop dims read, in operand order.
bool isBroadcastMap(AffineMap map, RankedTensorType type,
                    ArrayRef<int64_t> outShape, SmallVectorImpl<int64_t> &dims,
                    SmallVectorImpl<int64_t> &sizes) {
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      int64_t d = dim.getPosition();
      if (llvm::is_contained(dims, d) || type.getDimSize(i) != outShape[d])
        return false;
      dims.push_back(d);
      sizes.push_back(type.getDimSize(i));
      continue;
    }
    auto constant = dyn_cast<AffineConstantExpr>(expr);
    if (!constant || constant.getValue() != 0 || type.getDimSize(i) != 1)
      return false;
  }
  return true;
}

/// Brings an operand read through a broadcast map into the loop order with
/// unit dims where it is broadcast, so numpy broadcasting in cim does the
/// rest.
Value alignOperand(PatternRewriter &rewriter, Location loc, Value v,
                   AffineMap map, ArrayRef<int64_t> outShape) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> dims, sizes;
  (void)isBroadcastMap(map, type, outShape, dims, sizes);
  v = reshape(rewriter, loc, v, sizes);
  SmallVector<int64_t> order =
      llvm::to_vector(llvm::seq<int64_t>(0, dims.size()));
  llvm::sort(order, [&](int64_t a, int64_t b) { return dims[a] < dims[b]; });
  v = createTranspose(rewriter, loc, v, order);
  SmallVector<int64_t> shape(outShape.size(), 1);
  for (int64_t d : dims)
    shape[d] = outShape[d];
  return reshape(rewriter, loc, v, shape);
}

/// numpy broadcast of two static shapes (assumed compatible).
SmallVector<int64_t> broadcastShape(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> result(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    result[i] = da == 1 ? db : da;
  }
  return result;
}

/// Lifts the scalar body of an elementwise linalg.generic to cim ops on
/// whole tensors. A scalar is either a tensor (from an input) or a float
/// constant.
class ElementwiseLifter {
public:
  ElementwiseLifter(linalg::LinalgOp op) : op(op) {}

  /// Checks that every op of the body lifts; sets `why` otherwise.
  bool check(std::string &why) {
    Block &body = *op.getBlock();
    unsigned numInputs = op.getNumDpsInputs();
    auto operandOk = [&](Value v) {
      if (auto arg = dyn_cast<BlockArgument>(v)) {
        if (arg.getOwner() != &body)
          return false;
        if (arg.getArgNumber() >= numInputs) {
          why = "the body reads the initial value";
          return false;
        }
        return true;
      }
      if (v.getParentBlock() == &body)
        return true;
      APFloat value(0.0);
      if (!matchPattern(v, m_ConstantFloat(&value))) {
        why = "the body uses a value defined outside that is not a float "
              "constant";
        return false;
      }
      return true;
    };
    for (Operation &inner : body.without_terminator()) {
      if (!llvm::isa<arith::ConstantOp, arith::AddFOp, arith::SubFOp,
                     arith::MulFOp, arith::DivFOp, arith::NegFOp,
                     arith::MaximumFOp, arith::MaxNumFOp, arith::MinimumFOp,
                     arith::MinNumFOp, math::ExpOp, math::TanhOp, math::SqrtOp,
                     math::ErfOp, math::PowFOp, math::RsqrtOp>(inner)) {
        why = (Twine("the body op '") + inner.getName().getStringRef() +
               "' has no cim counterpart")
                  .str();
        return false;
      }
      if (auto constant = dyn_cast<arith::ConstantOp>(inner)) {
        if (!llvm::isa<FloatAttr>(constant.getValue())) {
          why = "the body has a non-float constant";
          return false;
        }
        continue;
      }
      for (Value operand : inner.getOperands())
        if (!operandOk(operand))
          return false;
      // min/max lift to clips, which need one constant bound.
      if (llvm::isa<arith::MaximumFOp, arith::MaxNumFOp, arith::MinimumFOp,
                    arith::MinNumFOp>(inner) &&
          !isConstant(inner.getOperand(0)) &&
          !isConstant(inner.getOperand(1))) {
        why = "a minimum or maximum of two tensors has no cim counterpart";
        return false;
      }
    }
    Value yielded = body.getTerminator()->getOperand(0);
    return operandOk(yielded);
  }

  /// Builds the cim ops and returns the result (of the op's result type).
  Value build(PatternRewriter &rewriter) {
    Location loc = op->getLoc();
    auto outType = cast<RankedTensorType>(op->getResult(0).getType());
    Block &body = *op.getBlock();
    ArrayRef<int64_t> outShape = outType.getShape();
    for (unsigned i = 0, e = op.getNumDpsInputs(); i < e; ++i)
      tensors[body.getArgument(i)] =
          alignOperand(rewriter, loc, op.getDpsInputs()[i],
                       op.getIndexingMapsArray()[i], outShape);
    // Sigmoid as tosa-to-linalg writes it: 1 / (exp(-x) + 1).
    for (Operation &inner : body.without_terminator()) {
      if (Value x = matchSigmoid(&inner)) {
        Value input = lift(rewriter, x);
        tensors[inner.getResult(0)] =
            cim::SigmoidOp::create(rewriter, loc, input.getType(), input);
        continue;
      }
      if (llvm::isa<arith::ConstantOp>(inner) ||
          tensors.count(inner.getResult(0)))
        continue;
      tensors[inner.getResult(0)] = liftOp(rewriter, &inner);
    }
    Value result = lift(rewriter, body.getTerminator()->getOperand(0));
    if (result.getType() != outType) {
      // A broadcast: multiplying by ones materializes it exactly.
      Value ones = splatConstant(rewriter, loc, outType, 1.0);
      result = cim::MulOp::create(rewriter, loc, outType, result, ones);
    }
    return result;
  }

private:
  static bool isConstant(Value v) {
    APFloat value(0.0);
    return matchPattern(v, m_ConstantFloat(&value));
  }

  /// Returns x if `op` computes 1 / (exp(-x) + 1) or 1 / (1 + exp(-x)).
  static Value matchSigmoid(Operation *op) {
    auto div = dyn_cast<arith::DivFOp>(op);
    APFloat one(0.0);
    if (!div || !matchPattern(div.getLhs(), m_ConstantFloat(&one)) ||
        !one.isExactlyValue(1.0))
      return {};
    auto add = div.getRhs().getDefiningOp<arith::AddFOp>();
    if (!add)
      return {};
    Value expValue = add.getLhs(), other = add.getRhs();
    if (!isConstant(other))
      std::swap(expValue, other);
    APFloat c(0.0);
    if (!matchPattern(other, m_ConstantFloat(&c)) || !c.isExactlyValue(1.0))
      return {};
    auto exp = expValue.getDefiningOp<math::ExpOp>();
    auto neg = exp ? exp.getOperand().getDefiningOp<arith::NegFOp>() : nullptr;
    return neg ? neg.getOperand() : Value();
  }

  /// The tensor for `v` (a scalar constant becomes a rank-r unit tensor).
  Value lift(PatternRewriter &rewriter, Value v) {
    auto it = tensors.find(v);
    if (it != tensors.end())
      return it->second;
    APFloat value(0.0);
    (void)matchPattern(v, m_ConstantFloat(&value));
    auto outType = cast<RankedTensorType>(op->getResult(0).getType());
    auto type = RankedTensorType::get(
        SmallVector<int64_t>(outType.getRank(), 1), outType.getElementType());
    bool lost;
    value.convert(cast<FloatType>(type.getElementType()).getFloatSemantics(),
                  APFloat::rmNearestTiesToEven, &lost);
    Value constant = cim::ConstantOp::create(
        rewriter, op->getLoc(), DenseElementsAttr::get(type, value));
    tensors[v] = constant;
    return constant;
  }

  Value liftOp(PatternRewriter &rewriter, Operation *inner) {
    Location loc = op->getLoc();
    auto binary = [&](auto tag) -> Value {
      using BinOp = decltype(tag);
      Value lhs = lift(rewriter, inner->getOperand(0));
      Value rhs = lift(rewriter, inner->getOperand(1));
      auto lt = cast<RankedTensorType>(lhs.getType());
      auto rt = cast<RankedTensorType>(rhs.getType());
      auto type = RankedTensorType::get(
          broadcastShape(lt.getShape(), rt.getShape()), lt.getElementType());
      return BinOp::create(rewriter, loc, type, lhs, rhs);
    };
    auto unary = [&](auto tag) -> Value {
      using UnOp = decltype(tag);
      Value x = lift(rewriter, inner->getOperand(0));
      return UnOp::create(rewriter, loc, x.getType(), x);
    };
    // max(x, c) and min(x, c) are one-sided clips; cim's clip canonicalizer
    // merges a min/max pair and the relu pattern below spots max(x, 0).
    auto clip = [&](bool isMax) -> Value {
      Value x = inner->getOperand(0), bound = inner->getOperand(1);
      if (isConstant(x))
        std::swap(x, bound);
      APFloat c(0.0);
      (void)matchPattern(bound, m_ConstantFloat(&c));
      bool lost;
      c.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
      float inf = std::numeric_limits<float>::infinity();
      float lo = isMax ? c.convertToFloat() : -inf;
      float hi = isMax ? inf : c.convertToFloat();
      Value tensor = lift(rewriter, x);
      return cim::ClipOp::create(rewriter, loc, tensor.getType(), tensor,
                                 rewriter.getF32FloatAttr(lo),
                                 rewriter.getF32FloatAttr(hi));
    };
    return llvm::TypeSwitch<Operation *, Value>(inner)
        .Case([&](arith::AddFOp) { return binary(cim::AddOp()); })
        .Case([&](arith::SubFOp) { return binary(cim::SubOp()); })
        .Case([&](arith::MulFOp) { return binary(cim::MulOp()); })
        .Case([&](arith::DivFOp) { return binary(cim::DivOp()); })
        .Case([&](arith::NegFOp) {
          Value x = lift(rewriter, inner->getOperand(0));
          auto type = cast<RankedTensorType>(x.getType());
          Value minusOne = splatConstant(
              rewriter, loc,
              RankedTensorType::get(SmallVector<int64_t>(type.getRank(), 1),
                                    type.getElementType()),
              -1.0);
          return cim::MulOp::create(rewriter, loc, type, x, minusOne)
              .getResult();
        })
        .Case<arith::MaximumFOp, arith::MaxNumFOp>(
            [&](Operation *) { return clip(true); })
        .Case<arith::MinimumFOp, arith::MinNumFOp>(
            [&](Operation *) { return clip(false); })
        .Case([&](math::ExpOp) { return unary(cim::ExpOp()); })
        .Case([&](math::TanhOp) { return unary(cim::TanhOp()); })
        .Case([&](math::SqrtOp) { return unary(cim::SqrtOp()); })
        .Case([&](math::ErfOp) { return unary(cim::ErfOp()); })
        .Case([&](math::PowFOp) { return binary(cim::PowOp()); })
        .Case([&](math::RsqrtOp) {
          // cim has no rsqrt: 1 / sqrt(x).
          Value x = lift(rewriter, inner->getOperand(0));
          auto type = cast<RankedTensorType>(x.getType());
          Value root = cim::SqrtOp::create(rewriter, loc, type, x);
          Value one = splatConstant(
              rewriter, loc,
              RankedTensorType::get(SmallVector<int64_t>(type.getRank(), 1),
                                    type.getElementType()),
              1.0);
          return cim::DivOp::create(rewriter, loc, type, one, root).getResult();
        })
        .Default([](Operation *) -> Value {
          llvm_unreachable("checked by ElementwiseLifter::check");
        });
  }

  linalg::LinalgOp op;
  DenseMap<Value, Value> tensors;
};

/// True for the Linalg sum pools (their division is converted with them).
bool isSumPool(Value v) {
  return v.getDefiningOp<linalg::PoolingNhwcSumOp>() ||
         v.getDefiningOp<linalg::PoolingNchwSumOp>();
}

/// An elementwise linalg.generic (or named elementwise op such as linalg.add,
/// linalg.elementwise or linalg.map), recognized by its structure -> cim ops.
struct ConvertElementwise : OpInterfaceRewritePattern<linalg::LinalgOp>,
                            FailureRecorder {
  ConvertElementwise(MLIRContext *context, FailureLog &log)
      : OpInterfaceRewritePattern<linalg::LinalgOp>(context),
        FailureRecorder(log) {}

  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    // These have patterns of their own.
    if (llvm::isa<linalg::FillOp, linalg::TransposeOp, linalg::BroadcastOp>(
            op.getOperation()))
      return failure();
    // Convolutions, pools and matmuls keep the reason their pattern gave.
    if (op.getNumParallelLoops() != op.getNumLoops() &&
        !llvm::isa<linalg::GenericOp, linalg::ReduceOp>(op.getOperation()))
      return failure();
    if (!op.hasPureTensorSemantics())
      return fail(op, rewriter, "only Linalg ops on tensors map");
    if (op->getNumResults() != 1 || op.getNumDpsInits() != 1)
      return fail(op, rewriter, "only single-result ops map");
    if (op.getNumParallelLoops() != op.getNumLoops())
      return fail(op, rewriter,
                  "it has reduction iterators; only elementwise generics "
                  "(all parallel) are recognized");
    RankedTensorType outType = staticFloatTensor(op->getResult(0));
    if (!outType)
      return fail(op, rewriter, "needs a static float tensor result");
    if (!op.getIndexingMapsArray().back().isIdentity())
      return fail(op, rewriter, "the output indexing map is not the identity");
    // A bias broadcast that a conv or matmul absorbs, and an average pool's
    // division, are converted together with those ops.
    if (onlyUsedAsInit(op->getResult(0)))
      return fail(op, rewriter,
                  "it initializes an operation that was not converted");
    if (llvm::any_of(op.getDpsInputs(), isSumPool))
      return fail(op, rewriter, "it divides a sum pool that was not converted");
    if (op.hasIndexSemantics())
      return fail(op, rewriter, "the body reads loop indices");
    for (auto [i, input] : llvm::enumerate(op.getDpsInputs())) {
      RankedTensorType type = staticTensor(input);
      SmallVector<int64_t> dims, sizes;
      if (!type || type.getElementType() != outType.getElementType())
        return fail(op, rewriter,
                    "inputs must be static tensors of the result's element "
                    "type");
      if (!isBroadcastMap(op.getIndexingMapsArray()[i], type,
                          outType.getShape(), dims, sizes))
        return fail(op, rewriter,
                    "an input indexing map is not a broadcast or permutation");
    }
    ElementwiseLifter lifter(op);
    std::string why;
    if (!lifter.check(why))
      return fail(op, rewriter, why);
    rewriter.replaceOp(op, lifter.build(rewriter));
    return success();
  }
};

/// linalg.softmax -> cim.softmax.
struct ConvertSoftmax : LinalgToCimPattern<linalg::SoftmaxOp> {
  using LinalgToCimPattern::LinalgToCimPattern;
  LogicalResult matchAndRewrite(linalg::SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    if (op->getNumResults() != 1 || !staticFloatTensor(op->getResult(0)) ||
        op->getResult(0).getType() != op.getInput().getType())
      return fail(op, rewriter, "needs static float tensors");
    rewriter.replaceOpWithNewOp<cim::SoftmaxOp>(op, op->getResult(0).getType(),
                                                op.getInput(),
                                                (int64_t)op.getDimension());
    return success();
  }
};

/// linalg.broadcast on its own (not absorbed as a bias) -> reshape and a
/// multiplication by ones, which is exact.
struct ConvertBroadcast : LinalgToCimPattern<linalg::BroadcastOp> {
  using LinalgToCimPattern::LinalgToCimPattern;
  LogicalResult matchAndRewrite(linalg::BroadcastOp op,
                                PatternRewriter &rewriter) const override {
    if (failed(failIfOnlyInit(op, rewriter, "broadcasts")))
      return failure();
    RankedTensorType outType = staticFloatTensor(op.getResult()[0]);
    if (!outType || !staticTensor(op.getInput()))
      return fail(op, rewriter, "needs static float tensors");
    Location loc = op.getLoc();
    SmallVector<int64_t> shape = llvm::to_vector(outType.getShape());
    for (int64_t d : op.getDimensions())
      shape[d] = 1;
    Value x = reshape(rewriter, loc, op.getInput(), shape);
    Value ones = splatConstant(rewriter, loc, outType, 1.0);
    rewriter.replaceOpWithNewOp<cim::MulOp>(op, outType, x, ones);
    return success();
  }
};

} // namespace

void linalg_to_cim::populateElementwisePatterns(RewritePatternSet &patterns,
                                                FailureLog &log) {
  patterns.add<ConvertElementwise, ConvertSoftmax, ConvertBroadcast>(
      patterns.getContext(), log);
}
