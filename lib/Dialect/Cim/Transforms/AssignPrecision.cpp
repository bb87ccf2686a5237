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
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <map>
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
  bool operator==(const Choice &o) const {
    return weightBits == o.weightBits && actBits == o.actBits;
  }
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
  /// Output-error mode (max-output-error): the float outputs per batch.
  bool useError = false;
  std::vector<std::vector<float>> floatOutputs;
  double floatAccuracy = 0;
  cost::LatencyModel latencyModel = cost::LatencyModel::cim;

  LogicalResult fail(const Twine &message) {
    getOperation().emitError() << "cim-assign-precision: " << message;
    return failure();
  }

  /// Every measured policy: its choices, loss and cost (the Pareto report).
  struct Point {
    SmallVector<Choice> choices;
    double loss, cost;
  };
  std::vector<Point> points;
  SmallVector<Choice> current;
  double lastLoss = 0;

  void writePareto() {
    // Non-dominated points: no other point is at most as lossy and cheaper,
    // or cheaper-or-equal and less lossy.
    std::vector<size_t> order(points.size());
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    llvm::sort(order, [&](size_t a, size_t b) {
      return std::tie(points[a].cost, points[a].loss) <
             std::tie(points[b].cost, points[b].loss);
    });
    llvm::json::Array front, all;
    double bestLoss = 1e300;
    for (size_t i : order)
      if (points[i].loss < bestLoss) {
        bestLoss = points[i].loss;
        llvm::json::Array policy;
        for (auto [unit, choice] : llvm::zip(units, points[i].choices))
          policy.push_back(
              llvm::json::Object{{"name", cost::layerName(unit.first)},
                                 {"weight_bits", int64_t(choice.weightBits)},
                                 {"act_bits", int64_t(choice.actBits)}});
        front.push_back(llvm::json::Object{{"cost", points[i].cost},
                                           {"loss", points[i].loss},
                                           {"layers", std::move(policy)}});
      }
    for (const Point &p : points)
      all.push_back(llvm::json::Array{p.cost, p.loss});
    llvm::json::Object root{
        {"objective", objective.getValue()},
        {"model", model.getValue()},
        {"loss", useError ? "relative output error" : "top-1 drop (fraction)"},
        {"points", std::move(all)},
        {"front", std::move(front)}};
    std::error_code ec;
    llvm::raw_fd_ostream os(pareto, ec);
    if (ec) {
      (void)fail(pareto + ": " + ec.message());
      return;
    }
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  }

  void apply(ArrayRef<Choice> choices) {
    current.assign(choices.begin(), choices.end());
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

  /// What the budget bounds, for the module as it stands: top-1 points lost
  /// against float (a fraction), or the relative L2 error of the outputs.
  FailureOr<double> loss() {
    if (!useError) {
      FailureOr<double> a = accuracy(/*quantize=*/true);
      if (failed(a))
        return failure();
      return lastLoss = floatAccuracy - *a;
    }
    eval::Options options;
    options.quantize = true;
    llvm::Expected<eval::GraphEvaluator> evaluator =
        eval::GraphEvaluator::create(getOperation(), "main", options);
    if (!evaluator) {
      (void)fail(llvm::toString(evaluator.takeError()));
      return failure();
    }
    llvm::Expected<std::vector<std::vector<float>>> outputs =
        eval::runBatches(*evaluator, inputs, batches);
    if (!outputs) {
      (void)fail(llvm::toString(outputs.takeError()));
      return failure();
    }
    double diff = 0, norm = 0;
    for (int64_t b = 0; b < batches; ++b)
      for (size_t i = 0; i < floatOutputs[b].size(); ++i) {
        double f = floatOutputs[b][i], q = (*outputs)[b][i];
        diff += (q - f) * (q - f);
        norm += f * f;
      }
    return lastLoss = norm > 0 ? std::sqrt(diff / norm) : std::sqrt(diff);
  }

  FailureOr<double> costOf() {
    FailureOr<cost::ModelCost> c =
        cost::computeCost(getOperation(), latencyModel);
    if (failed(c))
      return failure();
    // Every site measures the loss, then the cost, of the same policy.
    double total = objective == "energy" ? c->total.energy.total()
                   : objective == "edp"
                       ? c->total.energy.total() * c->total.latencyNs
                       : c->total.latencyNs;
    points.push_back({current, lastLoss, total});
    if (objective == "energy")
      return c->total.energy.total();
    if (objective == "edp")
      return c->total.energy.total() * c->total.latencyNs;
    return c->total.latencyNs;
  }

  LogicalResult load() {
    if (data.empty() || (labels.empty() && !useError))
      return fail("needs validation data and labels: data=X.npy "
                  "labels=Y.npy (or max-output-error=E without labels)");
    llvm::Expected<npy::Array> x = npy::read(data);
    if (!x)
      return fail(llvm::toString(x.takeError()));
    llvm::Expected<std::vector<float>> xv = npy::toFloat32(*x);
    if (!xv)
      return fail(data + ": " + llvm::toString(xv.takeError()));
    auto main = getOperation().lookupSymbol<func::FuncOp>("main");
    if (!main || main.getNumArguments() != 1)
      return fail("needs a @main with one input");
    auto type = dyn_cast<RankedTensorType>(main.getArgument(0).getType());
    if (!type || !type.hasStaticShape() || type.getRank() == 0)
      return fail("@main's input must be a statically shaped tensor");
    inputShape.assign(type.getShape().begin(), type.getShape().end());
    if (inputShape[0] < 1)
      return fail("@main's input has an empty leading dimension");
    ArrayRef<int64_t> got = x->shape;
    if (got.size() != inputShape.size() || got[0] == 0 ||
        got[0] % inputShape[0] != 0 ||
        got.drop_front() != ArrayRef<int64_t>(inputShape).drop_front())
      return fail(data + " does not hold batches of @main's input");
    batches = got[0] / inputShape[0];
    if (samples > 0)
      batches = std::min<int64_t>(batches, samples);
    inputs = std::move(*xv);
    if (useError)
      return success();
    llvm::Expected<npy::Array> y = npy::read(labels);
    if (!y)
      return fail(llvm::toString(y.takeError()));
    llvm::Expected<std::vector<int64_t>> yv = npy::toInt64(*y);
    if (!yv)
      return fail(labels + ": " + llvm::toString(yv.takeError()));
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
    if (y->shape.size() != 1 || y->shape[0] != got[0])
      return fail(labels + " must hold one integer label per input (" +
                  Twine(got[0]) + ")");
    for (int64_t label : *yv)
      if (label < 0 || label >= classes)
        return fail(labels + " has label " + Twine(label) + " outside [0, " +
                    Twine(classes) + ")");
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
    if (search != "greedy" && search != "knapsack")
      return (void)fail("search must be greedy or knapsack, got '" + search +
                        "'"),
             signalPassFailure();
    if (maxOutputError < 0)
      return (void)fail("max-output-error must not be negative"),
             signalPassFailure();
    useError = maxOutputError > 0;
    if (failed(requireTarget(module, "cim-assign-precision")) || failed(load()))
      return signalPassFailure();
    module.walk([&](MvmOp mvm) { units[mvm.getLoc()].push_back(mvm); });
    if (units.empty())
      return (void)fail("found no crossbar layers (cim.mvm): run "
                        "--cim-lower-conv first"),
             signalPassFailure();

    llvm::scope_exit report([&] {
      if (!pareto.empty())
        writePareto();
    });
    // The float reference.
    if (useError) {
      llvm::Expected<eval::GraphEvaluator> evaluator =
          eval::GraphEvaluator::create(module, "main", eval::Options());
      if (!evaluator)
        return (void)fail(llvm::toString(evaluator.takeError())),
               signalPassFailure();
      llvm::Expected<std::vector<std::vector<float>>> outputs =
          eval::runBatches(*evaluator, inputs, batches);
      if (!outputs)
        return (void)fail(llvm::toString(outputs.takeError())),
               signalPassFailure();
      floatOutputs = std::move(*outputs);
    } else {
      FailureOr<double> a = accuracy(/*quantize=*/false);
      if (failed(a))
        return signalPassFailure();
      floatAccuracy = *a;
    }
    // A hair of slack: top-1 drops are differences of fractions.
    double budget =
        (useError ? maxOutputError.getValue() : maxAccuracyDrop / 100.0) + 1e-9;
    auto lossText = [&](double l) {
      return useError ? llvm::formatv("output error {0:e3}", l).str()
                      : llvm::formatv("top-1 {0:P2}", floatAccuracy - l).str();
    };

    SmallVector<Choice> choices(units.size(), {wRange->second, aRange->second});
    apply(choices);
    FailureOr<double> lost = loss();
    FailureOr<double> cost = costOf();
    if (failed(lost) || failed(cost))
      return signalPassFailure();
    double baseCost = *cost;
    llvm::errs() << llvm::formatv(
        "cim-assign-precision: W{0}A{1}: {2}, {3} {4:e3}\n", wRange->second,
        aRange->second, lossText(*lost), objective.getValue(), *cost);
    if (*lost > budget) {
      emitWarning(module.getLoc())
          << "cim-assign-precision: even W" << wRange->second << "A"
          << aRange->second << " exceeds the budget (" << lossText(*lost)
          << "); keeping it";
      return;
    }

    size_t n = units.size();
    auto fixed = [&](size_t u) {
      return fixFirstLast && (u == 0 || u + 1 == n);
    };
    if (search == "knapsack") {
      FailureOr<bool> found =
          knapsack(choices, *wRange, *aRange, budget, *lost, baseCost, fixed);
      if (failed(found))
        return signalPassFailure();
      if (*found) {
        apply(choices);
        return;
      }
      // Losses that do not add (top-1 on few images is coarse and noisy):
      // measure every step instead.
      llvm::errs() << "cim-assign-precision: knapsack: no combination fits; "
                      "falling back to the greedy search\n";
    }
    for (int step = 1;; ++step) {
      // Try every one-step move; keep the best saving per unit of loss.
      double bestScore = -1, bestLoss = 0, bestCost = 0;
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
          FailureOr<double> l = loss();
          FailureOr<double> c = costOf();
          if (failed(l) || failed(c))
            return signalPassFailure();
          if (*l > budget || *c >= *cost)
            continue;
          double score = (*cost - *c) / std::max(*l - *lost, 1e-6);
          if (score > bestScore) {
            bestScore = score;
            bestMove = std::make_pair(u, weights);
            bestLoss = *l;
            bestCost = *c;
          }
        }
      }
      if (!bestMove)
        break;
      Choice &chosen = choices[bestMove->first];
      (bestMove->second ? chosen.weightBits : chosen.actBits) -= 1;
      lost = bestLoss;
      cost = bestCost;
      llvm::errs() << llvm::formatv(
          "cim-assign-precision: step {0}: layer {1} -> W{2}A{3}, {4}, {5} "
          "{6:e3} ({7:f3}x)\n",
          step, bestMove->first, chosen.weightBits, chosen.actBits,
          lossText(*lost), objective.getValue(), *cost, baseCost / *cost);
    }
    apply(choices);
  }

  /// Sensitivity-guided multiple-choice knapsack: each layer's loss and
  /// cost at every weight width (activations at the top) and activation
  /// width (weights at the top), measured one layer at a time; the cheapest
  /// combination whose summed loss increases fit the budget (dynamic
  /// programming over the budget in 512 steps); then the combination is
  /// measured, and the budget the knapsack may use shrinks until the
  /// measurement fits. Loss increases of layers are assumed to add up (top-1
  /// drops) or to add in quadrature (output errors), which the verification
  /// makes safe, not exact.
  /// True when a combination within the budget was found (in `choices`).
  FailureOr<bool> knapsack(SmallVector<Choice> &choices,
                           std::pair<unsigned, unsigned> wRange,
                           std::pair<unsigned, unsigned> aRange, double budget,
                           double baseLoss, double baseCost,
                           llvm::function_ref<bool(size_t)> fixed) {
    size_t n = units.size();
    // The scale on which layers' losses add: top-1 drops add; independent
    // output errors add in quadrature (relative L2), so their squares add.
    auto additive = [&](double l) { return useError ? l * l : l; };
    auto inverse = [&](double l) {
      return useError ? std::sqrt(std::max(l, 0.0)) : l;
    };
    struct Option {
      Choice choice;
      double loss, saving;
    };
    std::vector<std::vector<Option>> options(n);
    SmallVector<Choice> top(n, {wRange.second, aRange.second});
    for (size_t u = 0; u < n; ++u) {
      // Measured: weights alone and activations alone.
      std::map<unsigned, std::pair<double, double>> wOnly, aOnly;
      for (bool weights : {true, false}) {
        unsigned lo = weights ? wRange.first : aRange.first;
        unsigned hi = weights ? wRange.second : aRange.second;
        for (unsigned bits = lo; bits <= hi; ++bits) {
          if (bits == hi) {
            (weights ? wOnly : aOnly)[bits] = {0.0, 0.0};
            continue;
          }
          if (fixed(u))
            continue;
          SmallVector<Choice> trial = top;
          (weights ? trial[u].weightBits : trial[u].actBits) = bits;
          apply(trial);
          FailureOr<double> l = loss();
          FailureOr<double> c = costOf();
          if (failed(l) || failed(c))
            return failure();
          (weights ? wOnly : aOnly)[bits] = {
              std::max(additive(*l) - additive(baseLoss), 0.0), baseCost - *c};
        }
      }
      // Combinations: losses and savings add (checked at the end).
      for (auto &[w, wf] : wOnly)
        for (auto &[a, af] : aOnly)
          options[u].push_back(
              {{w, a}, wf.first + af.first, wf.second + af.second});
      llvm::errs() << llvm::formatv(
          "cim-assign-precision: knapsack: layer {0}: {1} options\n", u,
          options[u].size());
    }
    const int steps = 512;
    // Budget units an option needs (steps + 1: never fits).
    auto unitsOf = [&](double loss, double allowed) {
      double u = std::ceil(loss / allowed * steps - 1e-9);
      return u > steps ? steps + 1 : int(std::max(u, 0.0));
    };
    double allowed = additive(budget) - additive(baseLoss);
    SmallVector<Choice> previous;
    for (int round = 0; round < 12 && allowed > 0; ++round) {
      // best[b]: the largest saving with loss <= b * allowed / steps.
      std::vector<double> best(steps + 1, 0.0);
      std::vector<std::vector<int>> pick(n, std::vector<int>(steps + 1, -1));
      for (size_t u = 0; u < n; ++u) {
        std::vector<double> next(steps + 1, -1e300);
        for (int b = 0; b <= steps; ++b)
          for (auto [i, o] : llvm::enumerate(options[u])) {
            int need = unitsOf(o.loss, allowed);
            if (need > b || best[b - need] <= -1e299)
              continue;
            double value = best[b - need] + o.saving;
            if (value > next[b]) {
              next[b] = value;
              pick[u][b] = int(i);
            }
          }
        best = std::move(next);
      }
      // Walk back from the full budget.
      SmallVector<Choice> trial(n);
      int b = steps;
      for (size_t u = n; u-- > 0;) {
        const Option &o = options[u][pick[u][b]];
        trial[u] = o.choice;
        b -= unitsOf(o.loss, allowed);
      }
      apply(trial);
      FailureOr<double> l = loss();
      FailureOr<double> c = costOf();
      if (failed(l) || failed(c))
        return failure();
      llvm::errs() << llvm::formatv(
          "cim-assign-precision: knapsack round {0}: loss budget {1:e3} -> "
          "measured {2:e3} (budget {3:e3}), {4} {5:e3} ({6:f3}x)\n",
          round, inverse(allowed + additive(baseLoss)), *l, budget,
          objective.getValue(), *c, baseCost / *c);
      if (*l <= budget) {
        choices = trial;
        return true;
      }
      // A tighter budget that picks the same combination will not help.
      if (previous == trial)
        break;
      previous = trial;
      allowed *= 0.7;
    }
    return false;
  }
};

} // namespace
