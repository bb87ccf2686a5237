//===- AssignPrecision.cpp - Per-layer bits under an accuracy budget ------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Greedy search over (weight bits, activation bits) per layer. Accuracy comes
// from the graph evaluator in quantized mode (the target's crossbar
// arithmetic), cost from the cost model; both are measured, not estimated,
// for every candidate move, which is affordable for the models this runs on
// and keeps the search honest about interactions between layers.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimPasses.h"
#include "cim/Hardware/CostModel.h"
#include "cim/Interpreter/GraphEvaluator.h"
#include "cim/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <thread>

namespace mlir::cim {
#define GEN_PASS_DEF_CIMASSIGNPRECISION
#include "cim/Dialect/Cim/CimPasses.h.inc"
} // namespace mlir::cim

using namespace mlir;
using namespace mlir::cim;

namespace {

/// Parses "LO..HI".
std::optional<std::pair<unsigned, unsigned>> parseRange(StringRef text) {
  auto [lo, hi] = text.split("..");
  unsigned a, b;
  if (lo.getAsInteger(10, a) || hi.getAsInteger(10, b) || a > b)
    return std::nullopt;
  return std::make_pair(a, b);
}

struct Choice {
  unsigned weightBits, actBits;
};

struct CimAssignPrecisionPass
    : public mlir::cim::impl::CimAssignPrecisionBase<CimAssignPrecisionPass> {
  using Base::Base;

  /// The crossbar layers: one unit per location (all groups of a conv).
  llvm::MapVector<Location, SmallVector<MvmOp>> units;
  std::vector<float> inputs;
  std::vector<int64_t> labelValues;
  SmallVector<int64_t> inputShape;
  int64_t batches = 0;
  cost::LatencyModel latencyModel = cost::LatencyModel::cim;

  LogicalResult fail(const Twine &message) {
    getOperation().emitError() << "cim-assign-precision: " << message;
    return failure();
  }

  void apply(ArrayRef<Choice> choices) {
    for (auto [unit, choice] : llvm::zip(units, choices))
      for (MvmOp mvm : unit.second) {
        PrecisionAttr old = mvm.getPrecisionAttr();
        mvm.setPrecisionAttr(PrecisionAttr::get(
            &getContext(), choice.weightBits, choice.actBits,
            old ? old.getAdcBits() : 0,
            old ? old.getGranularity() : ScaleGranularity::channel));
      }
  }

  /// Top-1 accuracy (0..1) of the module as it stands.
  FailureOr<double> accuracy(bool quantize) {
    eval::Options options;
    options.quantize = quantize;
    llvm::Expected<eval::GraphEvaluator> evaluator =
        eval::GraphEvaluator::create(getOperation(), "main", options);
    if (!evaluator) {
      (void)fail(llvm::toString(evaluator.takeError()));
      return failure();
    }
    llvm::Expected<double> result =
        eval::topOneAccuracy(*evaluator, inputs, labelValues, batches);
    if (!result) {
      (void)fail(llvm::toString(result.takeError()));
      return failure();
    }
    return *result;
  }

  FailureOr<double> costOf() {
    FailureOr<cost::ModelCost> c =
        cost::computeCost(getOperation(), latencyModel);
    if (failed(c))
      return failure();
    if (objective == "energy")
      return c->total.energy.total();
    if (objective == "edp")
      return c->total.energy.total() * c->total.latencyNs;
    return c->total.latencyNs;
  }

  LogicalResult load() {
    if (data.empty() || labels.empty())
      return fail("needs validation data and labels: data=X.npy "
                  "labels=Y.npy");
    llvm::Expected<npy::Array> x = npy::read(data);
    if (!x)
      return fail(llvm::toString(x.takeError()));
    llvm::Expected<npy::Array> y = npy::read(labels);
    if (!y)
      return fail(llvm::toString(y.takeError()));
    llvm::Expected<std::vector<float>> xv = npy::toFloat32(*x);
    if (!xv)
      return fail(data + ": " + llvm::toString(xv.takeError()));
    llvm::Expected<std::vector<int64_t>> yv = npy::toInt64(*y);
    if (!yv)
      return fail(labels + ": " + llvm::toString(yv.takeError()));
    auto main = getOperation().lookupSymbol<func::FuncOp>("main");
    if (!main || main.getNumArguments() != 1)
      return fail("needs a @main with one input");
    auto type = dyn_cast<RankedTensorType>(main.getArgument(0).getType());
    if (!type || !type.hasStaticShape() || type.getRank() == 0)
      return fail("@main's input must be a statically shaped tensor");
    inputShape.assign(type.getShape().begin(), type.getShape().end());
    if (inputShape[0] < 1)
      return fail("@main's input has an empty leading dimension");
    // The classifier's logits: one float [batch, classes] result.
    auto results = main.getFunctionType().getResults();
    auto logits = results.size() == 1
                      ? dyn_cast<RankedTensorType>(results.front())
                      : RankedTensorType();
    if (!logits || logits.getRank() != 2 || !logits.hasStaticShape() ||
        !isa<FloatType>(logits.getElementType()) ||
        logits.getDimSize(0) != inputShape[0] || logits.getDimSize(1) < 1)
      return fail("needs a classifier: @main must return one float tensor of "
                  "logits [batch, classes]");
    int64_t classes = logits.getDimSize(1);
    ArrayRef<int64_t> got = x->shape;
    if (got.size() != inputShape.size() || got[0] == 0 ||
        got[0] % inputShape[0] != 0 ||
        got.drop_front() != ArrayRef<int64_t>(inputShape).drop_front())
      return fail(data + " does not hold batches of @main's input");
    if (y->shape.size() != 1 || y->shape[0] != got[0])
      return fail(labels + " must hold one integer label per input (" +
                  Twine(got[0]) + ")");
    for (int64_t label : *yv)
      if (label < 0 || label >= classes)
        return fail(labels + " has label " + Twine(label) + " outside [0, " +
                    Twine(classes) + ")");
    batches = got[0] / inputShape[0];
    if (samples > 0)
      batches = std::min<int64_t>(batches, samples);
    inputs = std::move(*xv);
    labelValues = std::move(*yv);
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<std::pair<unsigned, unsigned>> wRange =
        parseRange(weightBits);
    std::optional<std::pair<unsigned, unsigned>> aRange = parseRange(actBits);
    if (!wRange || wRange->first < 2 || wRange->second > 8)
      return (void)fail("weight-bits must be LO..HI within 2..8, got '" +
                        weightBits + "'"),
             signalPassFailure();
    if (!aRange || aRange->first < 1 || aRange->second > 8)
      return (void)fail("act-bits must be LO..HI within 1..8, got '" + actBits +
                        "'"),
             signalPassFailure();
    if (objective != "latency" && objective != "energy" && objective != "edp")
      return (void)fail("objective must be latency, energy or edp, got '" +
                        objective + "'"),
             signalPassFailure();
    if (model == "pelke2026")
      latencyModel = cost::LatencyModel::pelke2026;
    else if (model != "cim")
      return (void)fail("model must be cim or pelke2026, got '" + model + "'"),
             signalPassFailure();
    if (failed(requireTarget(module, "cim-assign-precision")) || failed(load()))
      return signalPassFailure();
    module.walk([&](MvmOp mvm) { units[mvm.getLoc()].push_back(mvm); });
    if (units.empty())
      return (void)fail("found no crossbar layers (cim.mvm): run "
                        "--cim-lower-conv first"),
             signalPassFailure();

    FailureOr<double> floatAccuracy = accuracy(/*quantize=*/false);
    if (failed(floatAccuracy))
      return signalPassFailure();
    double floor = *floatAccuracy - maxAccuracyDrop / 100.0;

    SmallVector<Choice> choices(units.size(), {wRange->second, aRange->second});
    apply(choices);
    FailureOr<double> acc = accuracy(/*quantize=*/true);
    FailureOr<double> cost = costOf();
    if (failed(acc) || failed(cost))
      return signalPassFailure();
    double baseCost = *cost;
    llvm::errs() << llvm::formatv(
        "cim-assign-precision: float top-1 {0:P2}, W{1}A{2} {3:P2}, {4} "
        "{5:e3}\n",
        *floatAccuracy, wRange->second, aRange->second, *acc,
        objective.getValue(), *cost);
    if (*acc < floor) {
      emitWarning(module.getLoc())
          << "cim-assign-precision: even W" << wRange->second << "A"
          << aRange->second << " loses more than the budget ("
          << llvm::formatv("{0:P2}", *acc) << " vs float "
          << llvm::formatv("{0:P2}", *floatAccuracy) << "); keeping it";
      return;
    }

    size_t n = units.size();
    auto fixed = [&](size_t u) {
      return fixFirstLast && (u == 0 || u + 1 == n);
    };
    for (int step = 1;; ++step) {
      // Try every one-step move; keep the best saving per point lost.
      double bestScore = -1, bestAcc = 0, bestCost = 0;
      std::optional<std::pair<size_t, bool>> bestMove;
      for (size_t u = 0; u < n; ++u) {
        if (fixed(u))
          continue;
        for (bool weights : {true, false}) {
          Choice trial = choices[u];
          unsigned &bits = weights ? trial.weightBits : trial.actBits;
          unsigned lowest = weights ? wRange->first : aRange->first;
          if (bits <= lowest)
            continue;
          --bits;
          SmallVector<Choice> candidate = choices;
          candidate[u] = trial;
          apply(candidate);
          FailureOr<double> a = accuracy(true);
          FailureOr<double> c = costOf();
          if (failed(a) || failed(c))
            return signalPassFailure();
          if (*a < floor || *c >= *cost)
            continue;
          double score = (*cost - *c) / std::max(*acc - *a, 1e-4);
          if (score > bestScore) {
            bestScore = score;
            bestMove = std::make_pair(u, weights);
            bestAcc = *a;
            bestCost = *c;
          }
        }
      }
      if (!bestMove)
        break;
      Choice &chosen = choices[bestMove->first];
      (bestMove->second ? chosen.weightBits : chosen.actBits) -= 1;
      acc = bestAcc;
      cost = bestCost;
      llvm::errs() << llvm::formatv(
          "cim-assign-precision: step {0}: layer {1} -> W{2}A{3}, top-1 "
          "{4:P2}, {5} {6:e3} ({7:f3}x)\n",
          step, bestMove->first, chosen.weightBits, chosen.actBits, *acc,
          objective.getValue(), *cost, baseCost / *cost);
    }
    apply(choices);
  }
};

} // namespace
