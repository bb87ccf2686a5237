//===- AssignPrecision.cpp - Per-layer bits under an accuracy budget ------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Searches per-layer (weight bits, activation bits[, ADC bits]) under an
// accuracy budget: greedy (one bit per step), knapsack (per-layer
// sensitivities, then a multiple-choice knapsack) or evolutionary (a seeded
// genetic algorithm). Accuracy comes from the graph evaluator in quantized
// mode (the target's crossbar arithmetic), cost from the cost model; both
// are measured, not estimated, for every candidate policy, which is
// affordable for the models this runs on and keeps the searches honest about
// interactions between layers. The searches themselves live in
// lib/Precision/Search (cim/Precision/Search.h); this file adapts the module
// to them: options, data, the oracle and the Pareto report.
//
//===----------------------------------------------------------------------===//

#include "cim/Analysis/CostModel.h"
#include "cim/Dialect/Cim/CimPasses.h"
#include "cim/Hardware/LayerConfig.h"
#include "cim/Interpreter/GraphEvaluator.h"
#include "cim/Numerics/Noise.h"
#include "cim/Numerics/Quantize.h"
#include "cim/Precision/Passes.h"
#include "cim/Precision/Search.h"
#include "cim/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <cmath>

namespace mlir::cim {
#define GEN_PASS_DEF_CIMASSIGNPRECISION
#include "cim/Precision/Passes.h.inc"
} // namespace mlir::cim

using namespace mlir;
using namespace mlir::cim;
using cim::search::Choice;
using cim::search::kAct;
using cim::search::kAdc;
using cim::search::kWeight;
using cim::search::Measured;

namespace {

/// Parses "LO..HI".
std::optional<std::pair<unsigned, unsigned>> parseRange(StringRef text) {
  auto [lo, hi] = text.split("..");
  unsigned a, b;
  if (lo.getAsInteger(10, a) || hi.getAsInteger(10, b) || a > b)
    return std::nullopt;
  return std::make_pair(a, b);
}

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
  /// The float outputs per batch (the reference of both budgets).
  std::vector<std::vector<float>> floatOutputs;
  /// KL divergence from float of the last measured policy (top-1 mode).
  double lastKl = 0;
  double floatAccuracy = 0;
  /// Whether float gets each validation image right (paired comparisons).
  std::vector<bool> floatCorrect;
  /// The allowed range of each kind; ADC bits only when `searchAdc`.
  std::array<std::pair<unsigned, unsigned>, 3> ranges;
  bool searchAdc = false;
  unsigned kinds() const { return searchAdc ? 3 : 2; }

  LogicalResult fail(const Twine &message) {
    emitError(getOperation().getLoc()) << "cim-assign-precision: " << message;
    return failure();
  }

  /// The floating-point formats searched (`float=`), if any.
  FpAttr floating;

  /// The precision a choice stands for: integer bits, or with `float=` the
  /// formats with a (weightBits - 2)-bit weight mantissa and actBits - 1
  /// aligned input bits.
  PrecisionAttr precisionOf(const Choice &c, unsigned adc,
                            ScaleGranularity granularity) {
    if (!floating)
      return PrecisionAttr::get(&getContext(), c.weightBits, c.actBits, adc,
                                granularity);
    FpAttr fp =
        FpAttr::get(&getContext(), floating.getInputExp(),
                    floating.getInputMan(), floating.getWeightExp(),
                    c.weightBits - 2, c.actBits - 1, floating.getTruncate());
    return PrecisionAttr::get(&getContext(), c.weightBits, c.actBits, adc,
                              ScaleGranularity::channel, fp);
  }

  std::string policyText(const Choice &c) const {
    std::string text =
        floating ? llvm::formatv("E{0}M{1}/L{2}", floating.getWeightExp(),
                                 c.weightBits - 2, c.actBits - 1)
                       .str()
                 : llvm::formatv("W{0}A{1}", c.weightBits, c.actBits).str();
    if (searchAdc)
      text += llvm::formatv(" ADC{0}", c.adcBits).str();
    return text;
  }

  /// Every measured policy, and the Pareto front of loss and cost.
  void writePareto(ArrayRef<cim::search::Point> points) {
    // Non-dominated points: no other point is at most as lossy and cheaper,
    // or cheaper-or-equal and less lossy.
    std::vector<size_t> order(points.size());
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    llvm::sort(order, [&](size_t a, size_t b) {
      return std::tie(points[a].measured.cost, points[a].measured.loss) <
             std::tie(points[b].measured.cost, points[b].measured.loss);
    });
    llvm::json::Array front, all;
    double bestLoss = 1e300;
    for (size_t i : order)
      if (points[i].measured.loss < bestLoss) {
        bestLoss = points[i].measured.loss;
        llvm::json::Array policy;
        for (auto [unit, choice] : llvm::zip(units, points[i].policy)) {
          llvm::json::Object layer{{"name", cost::layerName(unit.first)},
                                   {"weight_bits", int64_t(choice.weightBits)},
                                   {"act_bits", int64_t(choice.actBits)}};
          if (choice.adcBits)
            layer["adc_bits"] = int64_t(choice.adcBits);
          if (floating)
            layer["fp"] = floatPrecisionSpec(
                precisionOf(choice, 0, ScaleGranularity::channel).getFp());
          policy.push_back(std::move(layer));
        }
        llvm::json::Object point{{"cost", points[i].measured.cost},
                                 {"loss", points[i].measured.loss},
                                 {"layers", std::move(policy)}};
        if (!useError)
          point["divergence"] = points[i].measured.divergence;
        front.push_back(std::move(point));
      }
    // [cost, loss] or, with labels, [cost, loss, KL divergence from float].
    for (const cim::search::Point &p : points) {
      const Measured &m = p.measured;
      all.push_back(useError ? llvm::json::Array{m.cost, m.loss}
                             : llvm::json::Array{m.cost, m.loss, m.divergence});
    }
    llvm::json::Object root{
        {"objective", stringifySearchObjective(objective)},
        {"model", stringifyLatencyModel(model)},
        {"loss", useError         ? "relative output error"
                 : confidence > 0 ? "top-1 drop (fraction) + confidence * "
                                    "standard error"
                                  : "top-1 drop (fraction)"},
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
    for (auto [unit, choice] : llvm::zip(units, choices))
      for (MvmOp mvm : unit.second) {
        PrecisionAttr old = mvm.getPrecisionAttr();
        unsigned adc = choice.adcBits ? choice.adcBits
                       : old          ? old.getAdcBits()
                                      : 0;
        mvm.setPrecisionAttr(precisionOf(choice, adc,
                                         old ? old.getGranularity()
                                             : ScaleGranularity::channel));
      }
  }

  /// The noise seed of the measurements, if any.
  std::optional<uint64_t> noise() const {
    if (noiseSeed < 0)
      return std::nullopt;
    return uint64_t(noiseSeed);
  }

  /// The module as it stands, quantized or float, on the validation data:
  /// the first output of every batch.
  FailureOr<std::vector<std::vector<float>>> outputsOf(bool quantize) {
    eval::Options options;
    options.quantize = quantize;
    if (quantize)
      options.noiseSeed = noise();
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
    return std::move(*outputs);
  }

  /// What the budget bounds, for the module as it stands: top-1 points lost
  /// against float (a fraction), or the relative L2 error of the outputs.
  FailureOr<double> loss() {
    FailureOr<std::vector<std::vector<float>>> outputs = outputsOf(true);
    if (failed(outputs))
      return failure();
    if (!useError) {
      std::vector<bool> correct =
          eval::topOneCorrectOf(*outputs, labelValues, inputShape[0]);
      lastKl = cim::search::klFromReference(floatOutputs, *outputs,
                                            inputShape[0], batches);
      return cim::search::pairedTopOneDrop(floatCorrect, correct, confidence);
    }
    return cim::search::relativeError(floatOutputs, *outputs, batches);
  }

  /// The objective for the module as it stands (the cost model only).
  FailureOr<double> objectiveCost() {
    FailureOr<cost::ModelCost> c = cost::computeCost(getOperation(), model);
    if (failed(c))
      return failure();
    switch (objective) {
    case SearchObjective::latency:
      break;
    case SearchObjective::energy:
      return c->total.energy.total();
    case SearchObjective::edp:
      return c->total.energy.total() * c->total.latencyNs;
    }
    return c->total.latencyNs;
  }

  /// The searches' oracle: applies a policy to the module, then runs the
  /// graph evaluator or the cost model on it. Failures are reported here as
  /// diagnostics (the cost model emits its own); the error the search
  /// carries back only ends the pass.
  struct ModuleOracle final : cim::search::Oracle {
    CimAssignPrecisionPass &pass;
    explicit ModuleOracle(CimAssignPrecisionPass &pass) : pass(pass) {}
    static llvm::Error reported() {
      return llvm::createStringError("cim-assign-precision: reported");
    }
    llvm::Expected<cim::search::Loss> loss(ArrayRef<Choice> policy) override {
      pass.apply(policy);
      FailureOr<double> l = pass.loss();
      if (failed(l))
        return reported();
      return cim::search::Loss{*l, pass.useError ? 0.0 : pass.lastKl};
    }
    llvm::Expected<double> cost(ArrayRef<Choice> policy) override {
      pass.apply(policy);
      FailureOr<double> c = pass.objectiveCost();
      if (failed(c))
        return reported();
      return *c;
    }
  };

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

  /// The ADC range to search (adc-bits=LO..HI clamped to what the target's
  /// converter offers); none when the option is empty.
  LogicalResult parseAdcBits(TargetAttr target) {
    if (adcBits.empty())
      return success();
    std::optional<std::pair<unsigned, unsigned>> range = parseRange(adcBits);
    if (!range || range->first < 1 || range->second > 16)
      return fail("adc-bits must be LO..HI within 1..16, got '" + adcBits +
                  "'");
    AdcAttr adc = target.getAdc();
    if (!adc.isConverting())
      return fail("adc-bits needs a converting ADC (full_range or clipped), "
                  "but target '" +
                  target.getName() + "' has a read-out of mode '" +
                  stringifyAdcMode(adc.getMode()) +
                  "' without resolution; drop adc-bits");
    unsigned lo = std::max(range->first, adc.getMinBits());
    unsigned hi = std::min(range->second, adc.getMaxBits());
    if (lo > hi)
      return fail("adc-bits=" + adcBits + " does not meet the ADC range " +
                  Twine(adc.getMinBits()) + ".." + Twine(adc.getMaxBits()) +
                  " of target '" + target.getName() + "'");
    // Under noise, bits finer than the noise cost ADC energy and buy
    // (almost) no accuracy: search only those worth half an effective bit.
    if (noise() && target.getNoise()) {
      numerics::CrossbarConfig config =
          cim::layerConfig(target, PrecisionAttr(), {});
      config.noise = cim::noiseFromAttr(target.getNoise(), *noise());
      unsigned useful = numerics::usefulAdcBits(config, lo, hi);
      if (useful < hi) {
        llvm::errs() << llvm::formatv(
            "cim-assign-precision: under the target's noise, ADC bits above "
            "{0} gain less than half an effective bit each ({1:f2} effective "
            "at {0} bits, {2:f2} at {3}); searching {4}..{0}\n",
            useful, numerics::effectiveAdcBits(config, useful),
            numerics::effectiveAdcBits(config, hi), hi, lo);
        hi = useful;
      }
    }
    ranges[kAdc] = {lo, hi};
    searchAdc = true;
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (noiseSeed < -1)
      return (void)fail("noise-seed must be -1 (off) or a seed >= 0"),
             signalPassFailure();
    std::optional<std::pair<unsigned, unsigned>> wRange =
        parseRange(weightBits);
    std::optional<std::pair<unsigned, unsigned>> aRange = parseRange(actBits);
    // Floating-point layers compute on mantissas: up to 10 stored weight
    // mantissa bits and 15 aligned input bits (#cim.fp).
    const unsigned maxW = floatSpec.empty() ? 8 : 12,
                   maxA = floatSpec.empty() ? 8 : 16;
    if (!wRange || wRange->first < 2 || wRange->second > maxW)
      return (void)fail("weight-bits must be LO..HI within 2.." + Twine(maxW) +
                        ", got '" + weightBits + "'"),
             signalPassFailure();
    if (!aRange || aRange->first < 1 || aRange->second > maxA)
      return (void)fail("act-bits must be LO..HI within 1.." + Twine(maxA) +
                        ", got '" + actBits + "'"),
             signalPassFailure();
    ranges = {*wRange, *aRange, std::make_pair(0u, 0u)};
    if (!floatSpec.empty()) {
      std::string error;
      FailureOr<PrecisionAttr> spec =
          parseFloatPrecision(floatSpec, &getContext(), error);
      if (failed(spec))
        return (void)fail("float: " + error), signalPassFailure();
      floating = spec->getFp();
      // Aligned mantissas need a bit besides the sign.
      if (aRange->first < 2)
        return (void)fail("act-bits must start at 2 or more with float= (an "
                          "aligned mantissa of at least one bit)"),
               signalPassFailure();
    }
    // Bounded so that a typo cannot ask for days of evaluations or an
    // allocation that fails.
    if (generations < 1 || generations > 10000)
      return (void)fail("generations must be within 1..10000, got " +
                        Twine(generations.getValue())),
             signalPassFailure();
    if (population < 4 || population > 4096)
      return (void)fail("population must be within 4..4096, got " +
                        Twine(population.getValue())),
             signalPassFailure();
    if (maxOutputError < 0)
      return (void)fail("max-output-error must not be negative"),
             signalPassFailure();
    useError = maxOutputError > 0;
    if (!(confidence >= 0 && confidence <= 10))
      return (void)fail("confidence must be within 0..10 standard errors, "
                        "got " +
                        llvm::formatv("{0}", confidence.getValue()).str()),
             signalPassFailure();
    if (useError && confidence > 0)
      return (void)fail("confidence bounds the top-1 budget "
                        "(max-accuracy-drop with labels), not "
                        "max-output-error"),
             signalPassFailure();
    FailureOr<TargetAttr> target =
        requireTarget(module, "cim-assign-precision");
    if (failed(target) || failed(parseAdcBits(*target)) || failed(load()))
      return signalPassFailure();
    // Pre-quantized layers keep the bits and scales they came with.
    bool anyFixed = false;
    module.walk([&](MvmOp mvm) {
      if (CimDialect::hasFixedScales(mvm))
        anyFixed = true;
      else
        units[mvm.getLoc()].push_back(mvm);
    });
    if (units.empty() && anyFixed) {
      emitWarning(module.getLoc())
          << "cim-assign-precision: every crossbar layer is pre-quantized "
             "(QDQ) and keeps its bits; nothing to choose";
      return;
    }
    if (units.empty())
      return (void)fail("found no crossbar layers to choose bits for "
                        "(cim.mvm without fixed scales): run "
                        "--cim-lower-conv first"),
             signalPassFailure();

    ModuleOracle oracle(*this);
    cim::search::Evaluator evaluator(oracle);
    llvm::scope_exit report([&] {
      if (!pareto.empty())
        writePareto(evaluator.history());
    });
    // The float reference.
    FailureOr<std::vector<std::vector<float>>> reference = outputsOf(false);
    if (failed(reference))
      return signalPassFailure();
    floatOutputs = std::move(*reference);
    if (!useError) {
      floatCorrect =
          eval::topOneCorrectOf(floatOutputs, labelValues, inputShape[0]);
      floatAccuracy = double(llvm::count(floatCorrect, true)) /
                      double(std::max<size_t>(floatCorrect.size(), 1));
    }
    // A hair of slack: top-1 drops are differences of fractions.
    double budget =
        (useError ? maxOutputError.getValue() : maxAccuracyDrop / 100.0) + 1e-9;
    auto lossText = [&](double l) {
      if (useError)
        return llvm::formatv("output error {0:e3}", l).str();
      if (confidence > 0)
        return llvm::formatv("top-1 drop bound {0:P2}", l).str();
      return llvm::formatv("top-1 {0:P2}", floatAccuracy - l).str();
    };

    Choice top{ranges[kWeight].second, ranges[kAct].second,
               searchAdc ? ranges[kAdc].second : 0};
    cim::search::Policy choices(units.size(), top);
    llvm::Expected<Measured> base = evaluator.measure(choices);
    if (!base)
      return llvm::consumeError(base.takeError()), signalPassFailure();
    double baseCost = base->cost;
    llvm::errs() << llvm::formatv(
        "cim-assign-precision: {0}: {1}, {2} {3:e3}\n", policyText(top),
        lossText(base->loss), stringifySearchObjective(objective), base->cost);
    if (base->loss > budget) {
      emitWarning(module.getLoc())
          << "cim-assign-precision: even " << policyText(top)
          << " exceeds the budget (" << lossText(base->loss) << "); keeping it";
      return;
    }
    if (searchAdc && ranges[kAdc].first < ranges[kAdc].second) {
      // Latency does not depend on the ADC's resolution: lowering it would
      // lose accuracy for nothing, so only search it when it pays.
      SmallVector<Choice> lowest(choices.begin(), choices.end());
      for (Choice &c : lowest)
        c.adcBits = ranges[kAdc].first;
      apply(lowest);
      FailureOr<double> c = objectiveCost();
      apply(choices);
      if (failed(c))
        return signalPassFailure();
      if (*c >= baseCost) {
        llvm::errs() << llvm::formatv(
            "cim-assign-precision: ADC bits do not change the {0}; keeping "
            "them at {1}\n",
            stringifySearchObjective(objective), ranges[kAdc].second);
        ranges[kAdc].first = ranges[kAdc].second;
      }
    }

    size_t n = units.size();
    cim::search::Problem problem;
    problem.units = n;
    problem.ranges = ranges;
    problem.searchAdc = searchAdc;
    problem.budget = budget;
    if (fixFirstLast) {
      problem.fixed.assign(n, false);
      problem.fixed.front() = problem.fixed.back() = true;
    }
    cim::search::Log log{&llvm::errs(), "cim-assign-precision: ",
                         stringifySearchObjective(objective).str(), lossText,
                         [&](const Choice &c) { return policyText(c); }};
    // The oracle reported every error already.
    auto finish = [&](llvm::Expected<cim::search::Policy> best) {
      if (!best)
        return llvm::consumeError(best.takeError()), signalPassFailure();
      apply(*best);
    };
    if (search == SearchKind::evolutionary || search == SearchKind::rl) {
      cim::search::PopulationOptions options{
          seed.getValue(), population.getValue(), generations.getValue()};
      return finish(
          search == SearchKind::rl
              ? cim::search::reinforce(problem, evaluator, log, *base, options)
              : cim::search::evolve(problem, evaluator, log, *base, options));
    }
    cim::search::Policy from = choices;
    Measured at = *base;
    if (search == SearchKind::knapsack) {
      // Output errors add in quadrature; with labels and sensitivity=kl,
      // layers are ranked by the divergence from float.
      llvm::Expected<cim::search::KnapsackResult> found = cim::search::knapsack(
          problem, evaluator, log, *base,
          {useError, !useError && sensitivity == Sensitivity::kl});
      if (!found)
        return llvm::consumeError(found.takeError()), signalPassFailure();
      if (found->found && !refine)
        return apply(found->policy);
      // Losses that do not add (top-1 on few images is coarse and noisy):
      // measure every step instead.
      if (!found->found)
        llvm::errs() << "cim-assign-precision: knapsack: no combination fits; "
                        "falling back to the greedy search\n";
      // Greedy steps from the knapsack's policy (the top when it found
      // none): the knapsack settles on whatever its few measurements
      // allowed, one bit lower somewhere may still fit.
      from = found->policy;
      at = found->measured;
      if (refine)
        llvm::errs() << "cim-assign-precision: refining the knapsack's policy "
                        "one bit at a time\n";
    }
    finish(cim::search::greedy(problem, evaluator, log, from, at, *base));
  }
};

} // namespace
