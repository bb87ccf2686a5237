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
// interactions between layers.
//
//===----------------------------------------------------------------------===//

#include "cim/Analysis/CostModel.h"
#include "cim/Dialect/Cim/CimPasses.h"
#include "cim/Hardware/LayerConfig.h"
#include "cim/Interpreter/GraphEvaluator.h"
#include "cim/Numerics/Noise.h"
#include "cim/Numerics/Quantize.h"
#include "cim/Precision/Passes.h"
#include "cim/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <cmath>
#include <map>
#include <random>

namespace mlir::cim {
#define GEN_PASS_DEF_CIMASSIGNPRECISION
#include "cim/Precision/Passes.h.inc"
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

/// What a search may change on a unit, in the order moves are tried.
enum Kind : unsigned { kWeight = 0, kAct = 1, kAdc = 2 };

/// One unit's bits. `adcBits` is 0 when ADC bits are not searched: the layer
/// then keeps the resolution it has (the target's default unless set).
struct Choice {
  unsigned weightBits, actBits, adcBits = 0;
  unsigned &operator[](unsigned kind) {
    return kind == kWeight ? weightBits : kind == kAct ? actBits : adcBits;
  }
  unsigned operator[](unsigned kind) const {
    return kind == kWeight ? weightBits : kind == kAct ? actBits : adcBits;
  }
  bool operator==(const Choice &o) const {
    return std::tie(weightBits, actBits, adcBits) ==
           std::tie(o.weightBits, o.actBits, o.adcBits);
  }
  bool operator<(const Choice &o) const {
    return std::tie(weightBits, actBits, adcBits) <
           std::tie(o.weightBits, o.actBits, o.adcBits);
  }
};

/// A measured policy: what the budget bounds, and the objective.
struct Measured {
  double loss, cost;
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
  /// The float outputs per batch (the reference of both budgets).
  std::vector<std::vector<float>> floatOutputs;
  /// KL divergence from float of the last measured policy (top-1 mode),
  /// and of the top of the ranges.
  double lastKl = 0, baseKl = 0;
  double floatAccuracy = 0;
  /// Whether float gets each validation image right (paired comparisons).
  std::vector<bool> floatCorrect;
  cost::LatencyModel latencyModel = cost::LatencyModel::cim;
  /// The allowed range of each kind; ADC bits only when `searchAdc`.
  std::array<std::pair<unsigned, unsigned>, 3> ranges;
  bool searchAdc = false;
  unsigned kinds() const { return searchAdc ? 3 : 2; }

  LogicalResult fail(const Twine &message) {
    emitError(getOperation().getLoc()) << "cim-assign-precision: " << message;
    return failure();
  }

  /// Every measured policy: its choices, loss and cost (the Pareto report).
  struct Point {
    SmallVector<Choice> choices;
    double loss, cost;
    /// KL divergence from float (top-1 mode; 0 otherwise).
    double divergence;
  };
  std::vector<Point> points;
  SmallVector<Choice> current;

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
        for (auto [unit, choice] : llvm::zip(units, points[i].choices)) {
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
        llvm::json::Object point{{"cost", points[i].cost},
                                 {"loss", points[i].loss},
                                 {"layers", std::move(policy)}};
        if (!useError)
          point["divergence"] = points[i].divergence;
        front.push_back(std::move(point));
      }
    // [cost, loss] or, with labels, [cost, loss, KL divergence from float].
    for (const Point &p : points)
      all.push_back(useError ? llvm::json::Array{p.cost, p.loss}
                             : llvm::json::Array{p.cost, p.loss, p.divergence});
    llvm::json::Object root{
        {"objective", objective.getValue()},
        {"model", model.getValue()},
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
    current.assign(choices.begin(), choices.end());
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

  /// Mean over images of KL(softmax(float logits) || softmax(quantized)):
  /// a smooth measure of how far the classifier moved, which top-1 on a
  /// few thousand images is not (most single-layer changes flip a handful
  /// of images either way).
  double klFromFloat(ArrayRef<std::vector<float>> outputs) const {
    int64_t perBatch = inputShape[0];
    double sum = 0;
    for (auto [f, q] : llvm::zip(floatOutputs, outputs)) {
      int64_t classes = int64_t(f.size()) / perBatch;
      for (int64_t i = 0; i < perBatch; ++i) {
        const float *x = f.data() + i * classes, *y = q.data() + i * classes;
        auto logSumExp = [&](const float *v) {
          double m = *std::max_element(v, v + classes), e = 0;
          for (int64_t k = 0; k < classes; ++k)
            e += std::exp(double(v[k]) - m);
          return m + std::log(e);
        };
        double lx = logSumExp(x), ly = logSumExp(y), kl = 0;
        for (int64_t k = 0; k < classes; ++k) {
          double logP = double(x[k]) - lx;
          kl += std::exp(logP) * (logP - (double(y[k]) - ly));
        }
        sum += std::max(kl, 0.0);
      }
    }
    return sum / double(std::max<int64_t>(batches * perBatch, 1));
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
      lastKl = klFromFloat(*outputs);
      // Paired against float on the same images: `lost` went wrong, `gained`
      // went right. Their difference is the measured drop; with
      // confidence=z, z standard errors of it (sqrt(lost + gained), as in
      // McNemar's test) are added, so that a search picking the luckiest
      // of many policies still meets the budget on unseen images.
      int64_t lost = 0, gained = 0;
      for (auto [f, c] : llvm::zip(floatCorrect, correct)) {
        lost += f && !c;
        gained += !f && c;
      }
      double n = double(std::max<size_t>(correct.size(), 1));
      return (double(lost - gained) +
              confidence * std::sqrt(double(lost + gained))) /
             n;
    }
    double diff = 0, norm = 0;
    for (int64_t b = 0; b < batches; ++b)
      for (size_t i = 0; i < floatOutputs[b].size(); ++i) {
        double f = floatOutputs[b][i], q = (*outputs)[b][i];
        diff += (q - f) * (q - f);
        norm += f * f;
      }
    return norm > 0 ? std::sqrt(diff / norm) : std::sqrt(diff);
  }

  /// The objective for the module as it stands (the cost model only).
  FailureOr<double> objectiveCost() {
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

  /// Applies `choices`, measures loss and cost, and records the point.
  FailureOr<Measured> measure(ArrayRef<Choice> choices) {
    apply(choices);
    FailureOr<double> l = loss();
    if (failed(l))
      return failure();
    FailureOr<double> c = objectiveCost();
    if (failed(c))
      return failure();
    points.push_back({current, *l, *c, useError ? 0.0 : lastKl});
    return Measured{*l, *c};
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
    if (objective != "latency" && objective != "energy" && objective != "edp")
      return (void)fail("objective must be latency, energy or edp, got '" +
                        objective + "'"),
             signalPassFailure();
    if (model == "pelke2026")
      latencyModel = cost::LatencyModel::pelke2026;
    else if (model != "cim")
      return (void)fail("model must be cim or pelke2026, got '" + model + "'"),
             signalPassFailure();
    if (search != "greedy" && search != "knapsack" &&
        search != "evolutionary" && search != "rl")
      return (void)fail("search must be greedy, knapsack, evolutionary or rl, "
                        "got '" +
                        search + "'"),
             signalPassFailure();
    if (sensitivity != "kl" && sensitivity != "top1")
      return (void)fail("sensitivity must be kl or top1, got '" + sensitivity +
                        "'"),
             signalPassFailure();
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

    llvm::scope_exit report([&] {
      if (!pareto.empty())
        writePareto();
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
    SmallVector<Choice> choices(units.size(), top);
    FailureOr<Measured> base = measure(choices);
    if (failed(base))
      return signalPassFailure();
    double baseCost = base->cost;
    baseKl = lastKl;
    llvm::errs() << llvm::formatv(
        "cim-assign-precision: {0}: {1}, {2} {3:e3}\n", policyText(top),
        lossText(base->loss), objective.getValue(), base->cost);
    if (base->loss > budget) {
      emitWarning(module.getLoc())
          << "cim-assign-precision: even " << policyText(top)
          << " exceeds the budget (" << lossText(base->loss) << "); keeping it";
      return;
    }
    if (searchAdc && ranges[kAdc].first < ranges[kAdc].second) {
      // Latency does not depend on the ADC's resolution: lowering it would
      // lose accuracy for nothing, so only search it when it pays.
      SmallVector<Choice> lowest = choices;
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
            objective.getValue(), ranges[kAdc].second);
        ranges[kAdc].first = ranges[kAdc].second;
      }
    }

    size_t n = units.size();
    auto fixed = [&](size_t u) {
      return fixFirstLast && (u == 0 || u + 1 == n);
    };
    if (search == "evolutionary" || search == "rl") {
      FailureOr<SmallVector<Choice>> best =
          search == "rl" ? reinforce(choices, *base, budget, fixed, lossText)
                         : evolve(choices, *base, budget, fixed, lossText);
      if (failed(best))
        return signalPassFailure();
      apply(*best);
      return;
    }
    if (search == "knapsack") {
      FailureOr<bool> found =
          knapsack(choices, budget, base->loss, baseCost, fixed);
      if (failed(found))
        return signalPassFailure();
      if (*found && !refine) {
        apply(choices);
        return;
      }
      // Losses that do not add (top-1 on few images is coarse and noisy):
      // measure every step instead.
      if (!*found)
        llvm::errs() << "cim-assign-precision: knapsack: no combination fits; "
                        "falling back to the greedy search\n";
    }
    double lost = base->loss, cost = baseCost;
    if (search == "knapsack" && refine) {
      // Greedy steps from the knapsack's policy (or from the top when it
      // found none): the knapsack settles on whatever its few measurements
      // allowed, one bit lower somewhere may still fit.
      const Measured &start =
          seenGenomes.at(Genome(choices.begin(), choices.end()));
      lost = start.loss;
      cost = start.cost;
      llvm::errs() << "cim-assign-precision: refining the knapsack's policy "
                      "one bit at a time\n";
    }
    for (int step = 1;; ++step) {
      // Try every one-step move; keep the best saving per unit of loss.
      double bestScore = -1, bestLoss = 0, bestCost = 0;
      std::optional<std::pair<size_t, unsigned>> bestMove;
      for (size_t u = 0; u < n; ++u) {
        if (fixed(u))
          continue;
        for (unsigned kind = 0; kind < kinds(); ++kind) {
          Choice trial = choices[u];
          if (trial[kind] <= ranges[kind].first)
            continue;
          --trial[kind];
          SmallVector<Choice> candidate = choices;
          candidate[u] = trial;
          if (kind == kAdc) {
            // The cost model is cheap next to an evaluation: an ADC move
            // that saves nothing is not worth measuring.
            apply(candidate);
            FailureOr<double> c = objectiveCost();
            if (failed(c))
              return signalPassFailure();
            if (*c >= cost)
              continue;
          }
          FailureOr<Measured> m = measure(candidate);
          if (failed(m))
            return signalPassFailure();
          if (m->loss > budget || m->cost >= cost)
            continue;
          double score = (cost - m->cost) / std::max(m->loss - lost, 1e-6);
          if (score > bestScore) {
            bestScore = score;
            bestMove = std::make_pair(u, kind);
            bestLoss = m->loss;
            bestCost = m->cost;
          }
        }
      }
      if (!bestMove)
        break;
      Choice &chosen = choices[bestMove->first];
      chosen[bestMove->second] -= 1;
      lost = bestLoss;
      cost = bestCost;
      llvm::errs() << llvm::formatv(
          "cim-assign-precision: step {0}: layer {1} -> {2}, {3}, {4} "
          "{5:e3} ({6:f3}x)\n",
          step, bestMove->first, policyText(chosen), lossText(lost),
          objective.getValue(), cost, baseCost / cost);
    }
    apply(choices);
  }

  /// Sensitivity-guided multiple-choice knapsack: each layer's loss and
  /// cost at every weight width (activations and ADC at the top), activation
  /// width (weights and ADC at the top) and, when searched, ADC width (W/A
  /// at the top), measured one layer at a time; the cheapest combination
  /// whose summed loss increases fit the budget (dynamic programming over
  /// the budget in 512 steps); then the combination is measured, and the
  /// budget the knapsack may use shrinks until the measurement fits. Loss
  /// increases of layers are assumed to add up (top-1 drops) or to add in
  /// quadrature (output errors), which the verification makes safe, not
  /// exact. True when a combination within the budget was found (in
  /// `choices`).
  FailureOr<bool> knapsack(SmallVector<Choice> &choices, double budget,
                           double baseLoss, double baseCost,
                           llvm::function_ref<bool(size_t)> fixed) {
    size_t n = units.size();
    // The scale on which layers' losses add: top-1 drops add; independent
    // output errors add in quadrature (relative L2), so their squares add.
    auto additive = [&](double l) { return useError ? l * l : l; };
    // With labels and sensitivity=kl, layers are ranked by the divergence
    // of the classifier from float (which adds up over layers to first
    // order) and the knapsack's budget on it is found by bisection against
    // the measured top-1 drop.
    bool useKl = !useError && sensitivity == "kl";
    auto inverse = [&](double l) {
      return useError ? std::sqrt(std::max(l, 0.0)) : l;
    };
    struct Option {
      Choice choice;
      double loss, saving;
    };
    std::vector<std::vector<Option>> options(n);
    SmallVector<Choice> top(choices.begin(), choices.end());
    for (size_t u = 0; u < n; ++u) {
      // Measured: each kind alone, the others at the top. Without an ADC
      // search its axis is the single "keep" entry.
      std::array<std::map<unsigned, std::pair<double, double>>, 3> alone;
      alone[kAdc][top[u].adcBits] = {0.0, 0.0};
      for (unsigned kind = 0; kind < kinds(); ++kind) {
        auto [lo, hi] = ranges[kind];
        for (unsigned bits = lo; bits <= hi; ++bits) {
          if (bits == hi) {
            alone[kind][bits] = {0.0, 0.0};
            continue;
          }
          if (fixed(u))
            continue;
          SmallVector<Choice> trial = top;
          trial[u][kind] = bits;
          FailureOr<Measured> m = measure(trial);
          if (failed(m))
            return failure();
          double saving = baseCost - m->cost;
          // A narrower ADC that saves nothing only costs accuracy.
          if (kind == kAdc && saving <= 0)
            continue;
          alone[kind][bits] = {
              useKl ? std::max(lastKl - baseKl, 0.0)
                    : std::max(additive(m->loss) - additive(baseLoss), 0.0),
              saving};
        }
      }
      // Combinations: losses and savings add (checked at the end).
      for (auto &[w, wf] : alone[kWeight])
        for (auto &[a, af] : alone[kAct])
          for (auto &[c, cf] : alone[kAdc])
            options[u].push_back({{w, a, c},
                                  wf.first + af.first + cf.first,
                                  wf.second + af.second + cf.second});
      // Keep the Pareto options: one that loses more for no more saving
      // (a narrower weight that does not change the latency, say) would
      // only spend budget. Ties keep the widest bits (sorted last first;
      // choices are distinct, so the order is total).
      llvm::sort(options[u], [](const Option &x, const Option &y) {
        return std::tie(x.loss, y.choice) < std::tie(y.loss, x.choice);
      });
      std::vector<Option> front;
      for (const Option &o : options[u])
        if (front.empty() || o.saving > front.back().saving)
          front.push_back(o);
      options[u] = std::move(front);
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
    // The cheapest combination whose summed losses fit `allowed`.
    auto solve = [&](double allowed) {
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
      return trial;
    };
    seenGenomes.emplace(Genome(top.begin(), top.end()),
                        Measured{baseLoss, baseCost});
    auto verify = [&](int round, double allowed,
                      const SmallVector<Choice> &trial) -> FailureOr<Measured> {
      FailureOr<Measured> m = measureOnce(Genome(trial.begin(), trial.end()));
      if (failed(m))
        return failure();
      llvm::errs() << llvm::formatv(
          "cim-assign-precision: knapsack round {0}: {1} budget {2:e3} -> "
          "measured {3:e3} (budget {4:e3}), {5} {6:e3} ({7:f3}x)\n",
          round, useKl ? "divergence" : "loss",
          useKl ? allowed : inverse(allowed + additive(baseLoss)), m->loss,
          budget, objective.getValue(), m->cost, baseCost / m->cost);
      return *m;
    };

    if (useKl) {
      // Bisection (on a log scale) for the largest divergence budget whose
      // combination meets the top-1 budget; keeps the cheapest that did.
      double hi = 0, lo = INFINITY;
      for (const std::vector<Option> &layer : options) {
        double worst = 0;
        for (const Option &o : layer) {
          worst = std::max(worst, o.loss);
          if (o.loss > 0)
            lo = std::min(lo, o.loss);
        }
        hi += worst;
      }
      std::optional<Measured> bestFound;
      auto consider = [&](int round, double allowed) -> FailureOr<bool> {
        SmallVector<Choice> trial = solve(allowed);
        FailureOr<Measured> m = verify(round, allowed, trial);
        if (failed(m))
          return failure();
        bool fits = m->loss <= budget;
        if (fits && (!bestFound || m->cost < bestFound->cost)) {
          bestFound = *m;
          choices = trial;
        }
        return fits;
      };
      if (!(hi > 0) || !std::isfinite(lo)) {
        // No layer measurably moved: everything at its cheapest.
        FailureOr<bool> fits = consider(0, 1.0);
        if (failed(fits))
          return failure();
        return *fits;
      }
      FailureOr<bool> all = consider(0, hi);
      if (failed(all))
        return failure();
      if (*all)
        return true;
      lo *= 0.5;
      for (int round = 1; round <= 12 && hi / lo > 1.05; ++round) {
        double mid = std::sqrt(lo * hi);
        FailureOr<bool> fits = consider(round, mid);
        if (failed(fits))
          return failure();
        (*fits ? lo : hi) = mid;
      }
      return bestFound.has_value();
    }

    double allowed = additive(budget) - additive(baseLoss);
    SmallVector<Choice> previous;
    for (int round = 0; round < 12 && allowed > 0; ++round) {
      SmallVector<Choice> trial = solve(allowed);
      FailureOr<Measured> m = verify(round, allowed, trial);
      if (failed(m))
        return failure();
      if (m->loss <= budget) {
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

  using Genome = std::vector<Choice>;

  /// The (unit, kind) pairs a population search may change.
  SmallVector<std::pair<size_t, unsigned>>
  searchGenes(llvm::function_ref<bool(size_t)> fixed) const {
    SmallVector<std::pair<size_t, unsigned>> genes;
    for (size_t u = 0; u < units.size(); ++u)
      for (unsigned kind = 0; kind < kinds(); ++kind)
        if (!fixed(u) && ranges[kind].first < ranges[kind].second)
          genes.push_back({u, kind});
    return genes;
  }

  /// Policies measured by a population search, each once.
  std::map<Genome, Measured> seenGenomes;
  FailureOr<Measured> measureOnce(const Genome &g) {
    auto it = seenGenomes.find(g);
    if (it != seenGenomes.end())
      return it->second;
    FailureOr<Measured> m = measure(g);
    if (failed(m))
      return failure();
    seenGenomes.emplace(g, *m);
    return *m;
  }

  /// A strict total order of measured policies, best first: within the
  /// budget before over it (by how far over); then cost, then loss, then
  /// more bits (no bit is lowered for nothing), then the genome.
  static bool betterPolicy(const Genome &x, const Measured &mx, const Genome &y,
                           const Measured &my, double budget) {
    bool fx = mx.loss <= budget, fy = my.loss <= budget;
    if (fx != fy)
      return fx;
    if (!fx && mx.loss != my.loss)
      return mx.loss < my.loss;
    if (mx.cost != my.cost)
      return mx.cost < my.cost;
    if (mx.loss != my.loss)
      return mx.loss < my.loss;
    auto totalBits = [](const Genome &g) {
      unsigned sum = 0;
      for (const Choice &c : g)
        sum += c.weightBits + c.actBits + c.adcBits;
      return sum;
    };
    unsigned bx = totalBits(x), by = totalBits(y);
    if (bx != by)
      return bx > by;
    return y < x;
  }

  /// Genetic search over per-unit genomes (one gene per kind and unit):
  /// the top of the ranges and mutations of it at increasing depths start
  /// the population; each generation keeps the two best (elitism) and fills
  /// up with children of tournament winners (uniform crossover, then each
  /// gene moves by one bit with probability ~1.5 / genes). Fitness is the
  /// measured cost within the budget; policies over the budget rank after
  /// every feasible one, by how far over they are. Identical genomes are
  /// measured once. Only the seeded generator and ordered containers decide
  /// anything, so a seed gives the same module byte for byte.
  FailureOr<SmallVector<Choice>>
  evolve(ArrayRef<Choice> top, Measured base, double budget,
         llvm::function_ref<bool(size_t)> fixed,
         llvm::function_ref<std::string(double)> lossText) {
    SmallVector<std::pair<size_t, unsigned>> genes = searchGenes(fixed);
    unsigned widest = 0;
    for (auto [u, kind] : genes)
      widest = std::max(widest, ranges[kind].second - ranges[kind].first);
    if (genes.empty()) {
      llvm::errs() << "cim-assign-precision: evolutionary: nothing to search "
                      "(every unit fixed or every range one width)\n";
      return SmallVector<Choice>(top.begin(), top.end());
    }

    std::mt19937_64 rng(seed);
    // Not std::uniform_int_distribution: its draws differ between standard
    // libraries, and the output should not.
    auto below = [&](uint64_t k) { return k ? rng() % k : 0; };
    auto chance = [&](double p) { return double(rng() >> 11) * 0x1.0p-53 < p; };

    Genome topGenome(top.begin(), top.end());
    seenGenomes.emplace(topGenome, base);
    auto evaluate = [&](const Genome &g) { return measureOnce(g); };
    auto better = [&](const Genome &x, const Measured &mx, const Genome &y,
                      const Measured &my) {
      return betterPolicy(x, mx, y, my, budget);
    };

    unsigned size = population;
    std::vector<Genome> pop;
    pop.push_back(topGenome);
    for (unsigned i = 1; i < size; ++i) {
      // Depth 1 (single-bit mutations of the top) up to the widest range.
      unsigned depth = 1 + (i - 1) * (widest - 1) / std::max(size - 2, 1u);
      Genome g = topGenome;
      for (auto [u, kind] : genes)
        g[u][kind] -= unsigned(below(
            std::min(depth, ranges[kind].second - ranges[kind].first) + 1));
      pop.push_back(std::move(g));
    }

    Genome best = topGenome;
    Measured bestMeasured = base;
    std::vector<Measured> measured;
    std::vector<size_t> order;
    auto evaluatePopulation = [&](unsigned generation) -> LogicalResult {
      measured.clear();
      for (const Genome &g : pop) {
        FailureOr<Measured> m = evaluate(g);
        if (failed(m))
          return failure();
        measured.push_back(*m);
        if (better(g, *m, best, bestMeasured)) {
          best = g;
          bestMeasured = *m;
        }
      }
      order.resize(pop.size());
      for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
      llvm::sort(order, [&](size_t a, size_t b) {
        return better(pop[a], measured[a], pop[b], measured[b]);
      });
      llvm::errs() << llvm::formatv(
          "cim-assign-precision: generation {0}: best {1} {2:e3} ({3:f3}x), "
          "{4}, {5} evaluations\n",
          generation, objective.getValue(), bestMeasured.cost,
          base.cost / bestMeasured.cost, lossText(bestMeasured.loss),
          seenGenomes.size());
      return success();
    };
    if (failed(evaluatePopulation(0)))
      return failure();

    const unsigned elites = 2, tournamentSize = 3;
    double rate = std::min(0.5, 1.5 / double(genes.size()));
    auto tournament = [&]() -> const Genome & {
      size_t winner = below(pop.size());
      for (unsigned k = 1; k < tournamentSize; ++k) {
        size_t other = below(pop.size());
        if (better(pop[other], measured[other], pop[winner], measured[winner]))
          winner = other;
      }
      return pop[winner];
    };
    for (unsigned generation = 1; generation <= generations; ++generation) {
      std::vector<Genome> next;
      for (unsigned i = 0; i < elites; ++i)
        next.push_back(pop[order[i]]);
      while (next.size() < size) {
        const Genome &a = tournament();
        const Genome &b = tournament();
        Genome child;
        // A few retries for a child not measured yet: repeats are free but
        // explore nothing.
        for (unsigned attempt = 0; attempt < 8; ++attempt) {
          child = a;
          for (auto [u, kind] : genes)
            if (chance(0.5))
              child[u][kind] = b[u][kind];
          for (auto [u, kind] : genes) {
            if (!chance(rate))
              continue;
            unsigned &bits = child[u][kind];
            auto [lo, hi] = ranges[kind];
            bool down = bits == hi || (bits > lo && chance(0.5));
            bits = down ? bits - 1 : bits + 1;
          }
          if (!seenGenomes.count(child) && !llvm::is_contained(next, child))
            break;
        }
        next.push_back(std::move(child));
      }
      pop = std::move(next);
      if (failed(evaluatePopulation(generation)))
        return failure();
    }
    for (auto [u, c] : llvm::enumerate(best))
      llvm::errs() << llvm::formatv(
          "cim-assign-precision: evolutionary: layer {0} -> {1}\n", u,
          policyText(c));
    return SmallVector<Choice>(best.begin(), best.end());
  }

  /// Policy-gradient search (REINFORCE), in the spirit of the RL agents of
  /// HAQ and Pelke et al. but at compile time and without training the
  /// network: every gene (unit, kind) has a softmax over its widths,
  /// starting biased toward the top of the range. Each iteration samples
  /// `population` policies, measures them (each distinct policy once), and
  /// rewards those within the budget with their speedup over the top and
  /// those over it with minus their relative overshoot; the logits move
  /// along the gradient of the expected reward, with the batch's mean
  /// reward as baseline and its spread as scale. The best measured policy
  /// (the evolutionary search's order) wins. Deterministic for a seed.
  FailureOr<SmallVector<Choice>>
  reinforce(ArrayRef<Choice> top, Measured base, double budget,
            llvm::function_ref<bool(size_t)> fixed,
            llvm::function_ref<std::string(double)> lossText) {
    SmallVector<std::pair<size_t, unsigned>> genes = searchGenes(fixed);
    Genome topGenome(top.begin(), top.end());
    if (genes.empty()) {
      llvm::errs() << "cim-assign-precision: rl: nothing to search (every "
                      "unit fixed or every range one width)\n";
      return SmallVector<Choice>(top.begin(), top.end());
    }
    seenGenomes.emplace(topGenome, base);
    std::mt19937_64 rng(seed);
    auto uniform = [&] { return double(rng() >> 11) * 0x1.0p-53; };

    // logits[g][j]: width ranges[kind].first + j of gene g.
    std::vector<std::vector<double>> logits;
    for (auto [u, kind] : genes) {
      unsigned widths = ranges[kind].second - ranges[kind].first + 1;
      std::vector<double> l(widths);
      for (unsigned j = 0; j < widths; ++j)
        l[j] = 2.0 * double(j) / double(widths - 1);
      logits.push_back(std::move(l));
    }
    auto softmax = [](const std::vector<double> &l) {
      double m = *std::max_element(l.begin(), l.end()), sum = 0;
      std::vector<double> p(l.size());
      for (size_t j = 0; j < l.size(); ++j)
        sum += p[j] = std::exp(l[j] - m);
      for (double &v : p)
        v /= sum;
      return p;
    };

    Genome best = topGenome;
    Measured bestMeasured = base;
    const double learningRate = 0.5;
    for (unsigned iteration = 1; iteration <= generations; ++iteration) {
      std::vector<std::vector<unsigned>> actions;
      std::vector<double> rewards;
      for (unsigned i = 0; i < population; ++i) {
        Genome g = topGenome;
        std::vector<unsigned> picked;
        for (auto [k, gene] : llvm::enumerate(genes)) {
          std::vector<double> p = softmax(logits[k]);
          double r = uniform(), acc = 0;
          unsigned j = 0;
          for (; j + 1 < p.size(); ++j)
            if ((acc += p[j]) > r)
              break;
          picked.push_back(j);
          g[gene.first][gene.second] = ranges[gene.second].first + j;
        }
        FailureOr<Measured> m = measureOnce(g);
        if (failed(m))
          return failure();
        if (betterPolicy(g, *m, best, bestMeasured, budget)) {
          best = g;
          bestMeasured = *m;
        }
        rewards.push_back(
            m->loss <= budget
                ? base.cost / m->cost
                : -std::min((m->loss - budget) / std::max(budget, 1e-3), 4.0));
        actions.push_back(std::move(picked));
      }
      double mean = 0, var = 0;
      for (double r : rewards)
        mean += r / double(rewards.size());
      for (double r : rewards)
        var += (r - mean) * (r - mean) / double(rewards.size());
      double scale = var > 1e-12 ? 1.0 / std::sqrt(var) : 0.0;
      // d log pi(a) / d logit_j = [j == a] - p_j.
      for (auto [k, l] : llvm::enumerate(logits)) {
        std::vector<double> p = softmax(l);
        std::vector<double> grad(l.size(), 0.0);
        for (auto [i, picked] : llvm::enumerate(actions)) {
          double advantage = (rewards[i] - mean) * scale;
          for (size_t j = 0; j < l.size(); ++j)
            grad[j] += advantage * ((j == picked[k]) - p[j]);
        }
        for (size_t j = 0; j < l.size(); ++j)
          l[j] += learningRate * grad[j] / double(actions.size());
      }
      llvm::errs() << llvm::formatv(
          "cim-assign-precision: rl iteration {0}: mean reward {1:f3}, best "
          "{2} {3:e3} ({4:f3}x), {5}, {6} evaluations\n",
          iteration, mean, objective.getValue(), bestMeasured.cost,
          base.cost / bestMeasured.cost, lossText(bestMeasured.loss),
          seenGenomes.size());
    }
    for (auto [u, c] : llvm::enumerate(best))
      llvm::errs() << llvm::formatv("cim-assign-precision: rl: layer {0} -> "
                                    "{1}\n",
                                    u, policyText(c));
    return SmallVector<Choice>(best.begin(), best.end());
  }
};

} // namespace
