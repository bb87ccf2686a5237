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
#include "cim/Precision/Validation.h"
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
  /// Images (in batches of @main's input) and their labels (top-1 mode).
  struct DataSet {
    std::vector<float> inputs;
    std::vector<int64_t> labels;
    int64_t batches = 0;
  };
  /// The search compares policies on `searchSet`; `verifySet` only checks
  /// the chosen one (empty with verify-fraction=0 and no `verify`).
  DataSet searchSet, verifySet;
  SmallVector<int64_t> inputShape;
  int64_t classes = 0;
  /// The z of the verify check's margin (verify-level).
  double verifyZ = 0;
  /// The standard errors added to every drop the search measures:
  /// `confidence`, or the verify margin's z when the data cannot resolve
  /// the budget.
  double searchConfidence = 0;
  /// The verify check of the returned policy (pareto.json's "verify").
  llvm::json::Object verifyReport;
  /// The split of `data` (pareto.json's "split"): images, or batches for
  /// output errors.
  validation::Split split;
  /// Float on the verify images: outputs and (top-1) per-image correctness.
  std::vector<std::vector<float>> verifyFloatOutputs;
  std::vector<bool> verifyFloatCorrect;
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
        {"loss", useError ? "relative output error"
                 : searchConfidence > 0
                     ? "top-1 drop (fraction) + confidence * "
                       "standard error"
                     : "top-1 drop (fraction)"},
        {"points", std::move(all)},
        {"front", std::move(front)}};
    if (!verifyReport.empty())
      root["verify"] = llvm::json::Object(verifyReport);
    if (!split.verify.empty())
      root["split"] =
          llvm::json::Object{{"seed", int64_t(splitSeed)},
                             {"unit", useError ? "batch" : "image"},
                             {"search", llvm::json::Array(split.search)},
                             {"verify", llvm::json::Array(split.verify)}};
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

  /// The module as it stands, quantized or float, on `set` (the search
  /// images by default): the first output of every batch.
  FailureOr<std::vector<std::vector<float>>>
  outputsOf(bool quantize, const DataSet *set = nullptr) {
    if (!set)
      set = &searchSet;
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
        eval::runBatches(*evaluator, set->inputs, set->batches);
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
          eval::topOneCorrectOf(*outputs, searchSet.labels, inputShape[0]);
      lastKl = cim::search::klFromReference(floatOutputs, *outputs,
                                            inputShape[0], searchSet.batches);
      return cim::search::pairedTopOneDrop(floatCorrect, correct,
                                           searchConfidence);
    }
    return cim::search::relativeError(floatOutputs, *outputs,
                                      searchSet.batches);
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

  /// Reads `path` (batches of @main's input) and, in top-1 mode, `labelPath`
  /// (one label per image) into `set`, at most `samples` batches.
  LogicalResult loadSet(StringRef path, StringRef labelPath, DataSet &set) {
    llvm::Expected<npy::Array> x = npy::read(path);
    if (!x)
      return fail(llvm::toString(x.takeError()));
    llvm::Expected<std::vector<float>> xv = npy::toFloat32(*x);
    if (!xv)
      return fail(path + ": " + llvm::toString(xv.takeError()));
    ArrayRef<int64_t> got = x->shape;
    if (got.size() != inputShape.size() || got[0] == 0 ||
        got[0] % inputShape[0] != 0 ||
        got.drop_front() != ArrayRef<int64_t>(inputShape).drop_front())
      return fail(path + " does not hold batches of @main's input");
    set.batches = got[0] / inputShape[0];
    if (samples > 0)
      set.batches = std::min<int64_t>(set.batches, samples);
    set.inputs = std::move(*xv);
    set.inputs.resize(set.batches * (int64_t(set.inputs.size()) / got[0]) *
                      inputShape[0]);
    if (useError)
      return success();
    llvm::Expected<npy::Array> y = npy::read(labelPath);
    if (!y)
      return fail(llvm::toString(y.takeError()));
    llvm::Expected<std::vector<int64_t>> yv = npy::toInt64(*y);
    if (!yv)
      return fail(labelPath + ": " + llvm::toString(yv.takeError()));
    if (y->shape.size() != 1 || y->shape[0] != got[0])
      return fail(labelPath + " must hold one integer label per input (" +
                  Twine(got[0]) + ")");
    for (int64_t label : *yv)
      if (label < 0 || label >= classes)
        return fail(labelPath + " has label " + Twine(label) + " outside [0, " +
                    Twine(classes) + ")");
    set.labels = std::move(*yv);
    set.labels.resize(set.batches * inputShape[0]);
    return success();
  }

  LogicalResult load() {
    if (data.empty() || (labels.empty() && !useError))
      return fail("needs validation data and labels: data=X.npy "
                  "labels=Y.npy (or max-output-error=E without labels)");
    if (!verifyLabels.empty() && verify.empty())
      return fail("verify-labels needs verify=V.npy");
    if (!verify.empty() && !useError && verifyLabels.empty())
      return fail("verify=" + verify +
                  " needs verify-labels=W.npy (or "
                  "max-output-error=E without labels)");
    if (!(verifyFraction >= 0 && verifyFraction < 1))
      return fail("verify-fraction must be in [0, 1), got " +
                  llvm::formatv("{0}", verifyFraction.getValue()).str());
    if (!(verifyLevel >= 0.5 && verifyLevel < 1))
      return fail("verify-level must be in [0.5, 1), got " +
                  llvm::formatv("{0}", verifyLevel.getValue()).str());
    verifyZ = validation::normalQuantile(verifyLevel);
    auto main = getOperation().lookupSymbol<func::FuncOp>("main");
    if (!main || main.getNumArguments() != 1)
      return fail("needs a @main with one input");
    auto type = dyn_cast<RankedTensorType>(main.getArgument(0).getType());
    if (!type || !type.hasStaticShape() || type.getRank() == 0)
      return fail("@main's input must be a statically shaped tensor");
    inputShape.assign(type.getShape().begin(), type.getShape().end());
    if (inputShape[0] < 1)
      return fail("@main's input has an empty leading dimension");
    if (!useError) {
      // The classifier's logits: one float [batch, classes] result.
      auto results = main.getFunctionType().getResults();
      auto logits = results.size() == 1
                        ? dyn_cast<RankedTensorType>(results.front())
                        : RankedTensorType();
      if (!logits || logits.getRank() != 2 || !logits.hasStaticShape() ||
          !isa<FloatType>(logits.getElementType()) ||
          logits.getDimSize(0) != inputShape[0] || logits.getDimSize(1) < 1)
        return fail("needs a classifier: @main must return one float tensor "
                    "of logits [batch, classes]");
      classes = logits.getDimSize(1);
    }
    if (failed(loadSet(data, labels, searchSet)))
      return failure();
    if (!verify.empty())
      return loadSet(verify, verifyLabels, verifySet);
    if (verifyFraction == 0)
      return success();
    // Hold out verify images: by label in top-1 mode (every class keeps its
    // share in both parts), by batch for output errors.
    int64_t perBatch = inputShape[0];
    int64_t imageSize =
        int64_t(searchSet.inputs.size()) / (searchSet.batches * perBatch);
    DataSet all = std::move(searchSet);
    split = useError ? validation::splitRandom(all.batches, verifyFraction,
                                               splitSeed)
                     : validation::splitStratified(all.labels, verifyFraction,
                                                   splitSeed, perBatch);
    int64_t rowSize = useError ? imageSize * perBatch : imageSize;
    int64_t rowsPerBatch = useError ? 1 : perBatch;
    if (int64_t(split.search.size()) < rowsPerBatch ||
        int64_t(split.verify.size()) < rowsPerBatch)
      return fail(Twine(all.batches) +
                  " batches of `data` are too few to "
                  "split into search and verify parts: give more, verify=V.npy "
                  "or verify-fraction=0");
    for (auto [part, indices] :
         {std::pair{&searchSet, &split.search}, {&verifySet, &split.verify}}) {
      part->inputs =
          validation::gatherRows<float>(all.inputs, rowSize, *indices);
      if (!useError)
        part->labels = validation::gatherRows<int64_t>(all.labels, 1, *indices);
      part->batches = int64_t(indices->size()) / rowsPerBatch;
    }
    llvm::errs() << llvm::formatv(
        "cim-assign-precision: split {0} {1} (seed {2}{3}): {4} to search, "
        "{5} to verify\n",
        useError ? all.batches : all.batches * perBatch,
        useError ? "batches" : "labelled images", splitSeed.getValue(),
        useError ? "" : ", stratified by label", split.search.size(),
        split.verify.size());
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

  /// Float on the verify images, and the warning when they are too few for
  /// the budget (the search then keeps the verify margin too).
  LogicalResult prepareVerify(double budget) {
    FailureOr<std::vector<std::vector<float>>> f = outputsOf(false, &verifySet);
    if (failed(f))
      return failure();
    verifyFloatOutputs = std::move(*f);
    double level = verifyLevel;
    if (useError) {
      // The margin's normal approximation wants a few dozen items.
      if (verifySet.batches < 30)
        emitWarning(getOperation().getLoc())
            << "cim-assign-precision: " << verifySet.batches
            << " verify batches are too few to estimate the spread of the "
               "output error; its margin needs 30 or more";
    } else {
      verifyFloatCorrect = eval::topOneCorrectOf(
          verifyFloatOutputs, verifySet.labels, inputShape[0]);
      int64_t images = int64_t(verifySet.labels.size());
      int64_t needed = validation::imagesToResolve(budget, verifyZ);
      if (images < needed) {
        emitWarning(getOperation().getLoc()) << llvm::formatv(
            "cim-assign-precision: {0} verify images cannot resolve a top-1 "
            "budget of {1} points (one image is {2:f2} points): a policy that "
            "loses half the budget passes the check (z = {3:f3} at "
            "verify-level {4}) only with {5} or more (2 z^2 / budget); the "
            "search bounds every drop by z standard errors as well, expect a "
            "conservative policy",
            images, maxAccuracyDrop.getValue(), 100.0 / double(images), verifyZ,
            level, needed);
        if (confidence == 0)
          searchConfidence = verifyZ;
      }
    }
    llvm::errs() << llvm::formatv(
        "cim-assign-precision: verify check on {0} {1}: measured {2} + "
        "{3:f3} standard errors (one-sided {4}) within the budget\n",
        useError ? verifySet.batches : int64_t(verifySet.labels.size()),
        useError ? "batches" : "images",
        useError ? "output error" : "top-1 drop", verifyZ, level);
    return success();
  }

  /// The verify check of `policy` (applied to the module).
  FailureOr<validation::Verdict> checkOnVerify(ArrayRef<Choice> policy,
                                               double budget,
                                               validation::Paired &paired) {
    apply(policy);
    FailureOr<std::vector<std::vector<float>>> q = outputsOf(true, &verifySet);
    if (failed(q))
      return failure();
    if (!useError) {
      paired = validation::pair(
          verifyFloatCorrect,
          eval::topOneCorrectOf(*q, verifySet.labels, inputShape[0]));
      return validation::checkTopOne(paired, budget, verifyZ);
    }
    std::vector<double> error, norm;
    for (auto [f, o] : llvm::zip(verifyFloatOutputs, *q)) {
      double e = 0, n = 0;
      for (auto [fi, oi] : llvm::zip(f, o)) {
        e += (double(oi) - fi) * (double(oi) - fi);
        n += double(fi) * fi;
      }
      error.push_back(e);
      norm.push_back(n);
    }
    return validation::checkOutputError(error, norm, budget, verifyZ);
  }

  std::string verdictText(const validation::Verdict &v) const {
    if (useError)
      return llvm::formatv("output error {0:e3} (SE {1:e3}), bound {2:e3}",
                           v.measured, v.standardError, v.bound)
          .str();
    return llvm::formatv("top-1 drop {0:f2} points (SE {1:f2}), bound {2:f2}",
                         100 * v.measured, 100 * v.standardError, 100 * v.bound)
        .str();
  }

  std::string policyLine(ArrayRef<Choice> policy) const {
    std::string text;
    for (const Choice &c : policy)
      text += (text.empty() ? "" : " ") + policyText(c);
    return text;
  }

  /// `chosen` if it meets the budget on the verify images with the margin;
  /// otherwise the last policy of the back-off chain (fixed-sequence
  /// testing from the top) that does, or the top with a warning.
  FailureOr<cim::search::Policy>
  verifyOrBackOff(const cim::search::Policy &chosen,
                  const cim::search::Policy &top,
                  ArrayRef<cim::search::Point> history, double budget) {
    int checks = 0;
    auto record = [&](const validation::Verdict &v, const validation::Paired &p,
                      bool backedOff) {
      verifyReport = llvm::json::Object{
          {"items",
           useError ? verifySet.batches : int64_t(verifySet.labels.size())},
          {"level", verifyLevel.getValue()},
          {"z", verifyZ},
          {"measured", v.measured},
          {"standard_error", v.standardError},
          {"bound", v.bound},
          {"passes", v.passes},
          {"backed_off", backedOff},
          {"checks", checks}};
      if (!useError) {
        verifyReport["lost"] = p.lost;
        verifyReport["gained"] = p.gained;
      }
    };
    auto check = [&](const cim::search::Policy &policy)
        -> FailureOr<std::pair<validation::Verdict, validation::Paired>> {
      validation::Paired paired;
      FailureOr<validation::Verdict> v = checkOnVerify(policy, budget, paired);
      if (failed(v))
        return failure();
      ++checks;
      llvm::errs() << llvm::formatv("cim-assign-precision: verify {0}: {1}: "
                                    "{2}\n",
                                    policyLine(policy), verdictText(*v),
                                    v->passes ? "passes" : "fails");
      return std::make_pair(*v, paired);
    };
    auto first = check(chosen);
    if (failed(first))
      return failure();
    if (first->first.passes) {
      record(first->first, first->second, false);
      return chosen;
    }
    if (!useError) {
      double need = validation::requiredImages(
          budget, verifyZ, first->second.disagreement(), first->first.measured);
      if (std::isfinite(need))
        llvm::errs() << llvm::formatv(
            "cim-assign-precision: at its measured drop and disagreement "
            "({0} lost, {1} gained) it would pass on {2:f0} verify images\n",
            first->second.lost, first->second.gained, std::ceil(need));
    }
    std::vector<cim::search::Policy> chain =
        validation::backoffChain(history, chosen, top, budget);
    llvm::errs() << llvm::formatv(
        "cim-assign-precision: the chosen policy fails on the verify images; "
        "backing off along {0} measured policies from the top, to the last "
        "that passes\n",
        chain.size());
    std::optional<cim::search::Policy> last;
    std::pair<validation::Verdict, validation::Paired> lastVerdict = *first;
    for (const cim::search::Policy &policy : chain) {
      auto v = check(policy);
      if (failed(v))
        return failure();
      if (!v->first.passes) {
        if (!last)
          lastVerdict = *v;
        break;
      }
      last = policy;
      lastVerdict = *v;
    }
    record(lastVerdict.first, lastVerdict.second, true);
    if (last) {
      llvm::errs() << "cim-assign-precision: backed off to "
                   << policyLine(*last) << "\n";
      return *last;
    }
    emitWarning(getOperation().getLoc())
        << "cim-assign-precision: even the top of the ranges ("
        << policyText(top.front())
        << ") fails the budget on the verify images ("
        << verdictText(lastVerdict.first)
        << "); keeping it: these images cannot show that the budget holds";
    return top;
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
    if (failed(target) || failed(parseAdcBits(*target)))
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

    if (failed(load()))
      return signalPassFailure();

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
          eval::topOneCorrectOf(floatOutputs, searchSet.labels, inputShape[0]);
      floatAccuracy = double(llvm::count(floatCorrect, true)) /
                      double(std::max<size_t>(floatCorrect.size(), 1));
    }
    // A hair of slack: top-1 drops are differences of fractions.
    double budget =
        (useError ? maxOutputError.getValue() : maxAccuracyDrop / 100.0) + 1e-9;
    searchConfidence = confidence;
    if (verifySet.batches > 0 && failed(prepareVerify(budget)))
      return signalPassFailure();
    auto lossText = [&](double l) {
      if (useError)
        return llvm::formatv("output error {0:e3}", l).str();
      if (searchConfidence > 0)
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
    FailureOr<cim::search::Policy> chosen =
        runSearch(problem, evaluator, log, *base);
    if (failed(chosen))
      return signalPassFailure();
    if (verifySet.batches == 0)
      return apply(*chosen);
    FailureOr<cim::search::Policy> verified =
        verifyOrBackOff(*chosen, problem.top(), evaluator.history(), budget);
    if (failed(verified))
      return signalPassFailure();
    apply(*verified);
  }

  /// Runs the chosen search from the top (measured `base`).
  FailureOr<cim::search::Policy> runSearch(const cim::search::Problem &problem,
                                           cim::search::Evaluator &evaluator,
                                           const cim::search::Log &log,
                                           Measured base) {
    // The oracle reported every error already.
    auto finish = [&](llvm::Expected<cim::search::Policy> best)
        -> FailureOr<cim::search::Policy> {
      if (!best)
        return llvm::consumeError(best.takeError()), failure();
      return std::move(*best);
    };
    if (search == SearchKind::evolutionary || search == SearchKind::rl) {
      cim::search::PopulationOptions options{
          seed.getValue(), population.getValue(), generations.getValue()};
      return finish(
          search == SearchKind::rl
              ? cim::search::reinforce(problem, evaluator, log, base, options)
              : cim::search::evolve(problem, evaluator, log, base, options));
    }
    cim::search::Policy from = problem.top();
    Measured at = base;
    if (search == SearchKind::knapsack) {
      // Output errors add in quadrature; with labels and sensitivity=kl,
      // layers are ranked by the divergence from float.
      llvm::Expected<cim::search::KnapsackResult> found = cim::search::knapsack(
          problem, evaluator, log, base,
          {useError, !useError && sensitivity == Sensitivity::kl});
      if (!found)
        return llvm::consumeError(found.takeError()), failure();
      if (found->found && !refine)
        return found->policy;
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
    return finish(cim::search::greedy(problem, evaluator, log, from, at, base));
  }
};

} // namespace
