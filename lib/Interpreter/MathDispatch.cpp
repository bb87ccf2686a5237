//===- MathDispatch.cpp - Evaluate the graph-level math ops ---------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The dispatch of the ops in CimMathOps.td to Kernels/Math.cpp and the
// elementwise kernels: one case per op, reading operands and attributes.
//
//===----------------------------------------------------------------------===//

#include "Kernels/Kernels.h"
#include "Runner.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::eval;

namespace {

/// float32 activations and functions of the elementwise ops; nullptr for
/// other ops.
float (*floatFunctionOf(Operation *op))(float) {
  return llvm::TypeSwitch<Operation *, float (*)(float)>(op)
      .Case([](FloorOp) { return [](float x) { return std::floor(x); }; })
      .Case([](CeilOp) { return [](float x) { return std::ceil(x); }; })
      // Half to even (the default rounding mode).
      .Case([](RoundOp) { return [](float x) { return std::nearbyint(x); }; })
      .Case([](ReciprocalOp) { return [](float x) { return 1.0f / x; }; })
      .Case([](LogOp) { return [](float x) { return std::log(x); }; })
      .Case([](SinOp) { return [](float x) { return std::sin(x); }; })
      .Case([](CosOp) { return [](float x) { return std::cos(x); }; })
      .Case([](TanOp) { return [](float x) { return std::tan(x); }; })
      .Case([](AsinOp) { return [](float x) { return std::asin(x); }; })
      .Case([](AcosOp) { return [](float x) { return std::acos(x); }; })
      .Case([](AtanOp) { return [](float x) { return std::atan(x); }; })
      .Case([](SinhOp) { return [](float x) { return std::sinh(x); }; })
      .Case([](CoshOp) { return [](float x) { return std::cosh(x); }; })
      .Case([](AsinhOp) { return [](float x) { return std::asinh(x); }; })
      .Case([](AcoshOp) { return [](float x) { return std::acosh(x); }; })
      .Case([](AtanhOp) { return [](float x) { return std::atanh(x); }; })
      .Case([](SoftplusOp) {
        return [](float x) { return float(std::log1p(std::exp(double(x)))); };
      })
      .Case([](SoftsignOp) {
        return [](float x) { return x / (1.0f + std::fabs(x)); };
      })
      .Case([](MishOp) {
        return [](float x) {
          return float(double(x) * std::tanh(std::log1p(std::exp(double(x)))));
        };
      })
      .Default([](Operation *) { return nullptr; });
}

std::optional<kernels::BinaryKind> binaryKindOf(Operation *op) {
  using kernels::BinaryKind;
  if (isa<MaxOp>(op))
    return BinaryKind::max;
  if (isa<MinOp>(op))
    return BinaryKind::min;
  if (isa<PReluOp>(op))
    return BinaryKind::prelu;
  if (isa<AndOp>(op))
    return BinaryKind::logicalAnd;
  if (isa<OrOp>(op))
    return BinaryKind::logicalOr;
  if (isa<XorOp>(op))
    return BinaryKind::logicalXor;
  if (auto mod = dyn_cast<ModOp>(op))
    return mod.getFmod() ? BinaryKind::fmod : BinaryKind::mod;
  if (auto cmp = dyn_cast<CmpOp>(op)) {
    switch (cmp.getPredicate()) {
    case ComparePredicate::eq:
      return BinaryKind::eq;
    case ComparePredicate::lt:
      return BinaryKind::lt;
    case ComparePredicate::le:
      return BinaryKind::le;
    case ComparePredicate::gt:
      return BinaryKind::gt;
    case ComparePredicate::ge:
      return BinaryKind::ge;
    }
  }
  return std::nullopt;
}

Type elementTypeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType();
}

} // namespace

llvm::Error Runner::executeMath(Operation *op, bool &handled) {
  handled = true;
  using namespace kernels;
  auto result = [&](Value v, Tensor value) {
    set(v, std::move(value));
    return llvm::Error::success();
  };
  if (auto fn = floatFunctionOf(op))
    return result(op->getResult(0), unary(get(op->getOperand(0)), fn));
  if (std::optional<BinaryKind> kind = binaryKindOf(op)) {
    Value out = op->getResult(0);
    return result(out,
                  binary(*kind, get(op->getOperand(0)), get(op->getOperand(1)),
                         shapeOf(out), isa<IntegerType>(elementTypeOf(out))));
  }
  return llvm::TypeSwitch<Operation *, llvm::Error>(op)
      .Case([&](AbsOp a) {
        return result(a.getOutput(),
                      signedUnary(get(a.getInput()), SignedUnaryKind::abs));
      })
      .Case([&](NegOp n) {
        return result(n.getOutput(),
                      signedUnary(get(n.getInput()), SignedUnaryKind::neg));
      })
      .Case([&](SignOp s) {
        return result(s.getOutput(),
                      signedUnary(get(s.getInput()), SignedUnaryKind::sign));
      })
      .Case([&](NotOp n) {
        return result(n.getOutput(), logicalNot(get(n.getInput())));
      })
      .Case([&](EluOp e) {
        float alpha = e.getAlpha().convertToFloat();
        return result(e.getOutput(), unary(get(e.getInput()), [&](float x) {
                        return x >= 0 ? x : alpha * std::expm1(x);
                      }));
      })
      .Case([&](SeluOp e) {
        float alpha = e.getAlpha().convertToFloat();
        float gamma = e.getGamma().convertToFloat();
        return result(e.getOutput(), unary(get(e.getInput()), [&](float x) {
                        return gamma * (x > 0 ? x : alpha * std::expm1(x));
                      }));
      })
      .Case([&](CeluOp e) {
        float alpha = e.getAlpha().convertToFloat();
        return result(e.getOutput(), unary(get(e.getInput()), [&](float x) {
                        return std::max(0.0f, x) +
                               std::min(0.0f, alpha * std::expm1(x / alpha));
                      }));
      })
      .Case([&](ThresholdedReluOp e) {
        float alpha = e.getAlpha().convertToFloat();
        return result(e.getOutput(), unary(get(e.getInput()), [&](float x) {
                        return x > alpha ? x : 0.0f;
                      }));
      })
      .Case([&](ShrinkOp e) {
        float bias = e.getBias().convertToFloat();
        float lambd = e.getLambd().convertToFloat();
        return result(
            e.getOutput(), unary(get(e.getInput()), [&](float x) {
              return x < -lambd ? x + bias : x > lambd ? x - bias : 0.0f;
            }));
      })
      .Case([&](SelectOp s) {
        return result(s.getOutput(),
                      select(get(s.getCondition()), get(s.getLhs()),
                             get(s.getRhs()), shapeOf(s.getOutput())));
      })
      .Case([&](CastOp c) {
        Type to = elementTypeOf(c.getOutput());
        CastTarget target;
        if (auto f = dyn_cast<FloatType>(to)) {
          target.bits = f.getWidth();
          target.isBFloat = f.isBF16();
        } else {
          target.isFloat = false;
          target.bits = to.getIntOrFloatBitWidth();
          target.isUnsigned = to.isUnsignedInteger();
        }
        return result(c.getOutput(), castTo(get(c.getInput()), target));
      })
      .Case([&](ReduceOp r) {
        return result(r.getOutput(),
                      reduce(r.getKind(), get(r.getInput()), r.getAxes(),
                             shapeOf(r.getOutput())));
      })
      .Case([&](ArgMaxOp a) {
        return result(a.getOutput(),
                      argReduce(get(a.getInput()), a.getAxis(), /*isMax=*/true,
                                a.getSelectLastIndex(),
                                shapeOf(a.getOutput())));
      })
      .Case([&](ArgMinOp a) {
        return result(a.getOutput(),
                      argReduce(get(a.getInput()), a.getAxis(),
                                /*isMax=*/false, a.getSelectLastIndex(),
                                shapeOf(a.getOutput())));
      })
      .Case([&](LogSoftmaxOp s) {
        return result(s.getOutput(),
                      logSoftmax(get(s.getInput()), s.getAxis()));
      })
      .Case([&](HardmaxOp s) {
        return result(s.getOutput(), hardmax(get(s.getInput()), s.getAxis()));
      })
      .Case([&](CumSumOp c) {
        return result(c.getOutput(), cumSum(get(c.getInput()), c.getAxis(),
                                            c.getExclusive(), c.getReverse()));
      })
      .Case([&](TriluOp t) {
        return result(t.getOutput(),
                      trilu(get(t.getInput()), t.getUpper(), t.getK()));
      })
      .Case([&](GatherOp g) -> llvm::Error {
        llvm::Expected<Tensor> out =
            gatherAxis(get(g.getInput()), get(g.getIndices()), g.getAxis(),
                       shapeOf(g.getOutput()));
        if (!out)
          return opError(g, llvm::toString(out.takeError()));
        return result(g.getOutput(), std::move(*out));
      })
      .Case([&](GatherElementsOp g) -> llvm::Error {
        llvm::Expected<Tensor> out =
            gatherElements(get(g.getInput()), get(g.getIndices()), g.getAxis());
        if (!out)
          return opError(g, llvm::toString(out.takeError()));
        return result(g.getOutput(), std::move(*out));
      })
      .Case([&](BroadcastOp b) {
        return result(b.getOutput(),
                      broadcastTo(get(b.getInput()), shapeOf(b.getOutput())));
      })
      .Case([&](RepeatOp r) {
        return result(r.getOutput(),
                      repeat(get(r.getInput()), shapeOf(r.getOutput())));
      })
      .Case([&](IsInfOp i) {
        const Tensor &x = get(i.getInput());
        Tensor out = Tensor::integers(x.shape);
        for (int64_t e = 0, n = x.numElements(); e < n; ++e)
          out.i[e] = std::isinf(x.f[e]) && (x.f[e] > 0 ? i.getDetectPositive()
                                                       : i.getDetectNegative());
        return result(i.getOutput(), std::move(out));
      })
      .Case([&](IsNanOp i) {
        const Tensor &x = get(i.getInput());
        Tensor out = Tensor::integers(x.shape);
        for (int64_t e = 0, n = x.numElements(); e < n; ++e)
          out.i[e] = std::isnan(x.f[e]);
        return result(i.getOutput(), std::move(out));
      })
      .Default([&](Operation *) {
        handled = false;
        return llvm::Error::success();
      });
}
