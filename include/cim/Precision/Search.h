//===- Search.h - Per-layer precision searches ------------------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The searches of cim-assign-precision (greedy, knapsack, evolutionary, rl)
// over a problem without MLIR: units that each take weight, activation and
// (optionally) ADC bits within shared ranges, an oracle that measures a
// policy's loss and cost, and a budget on the loss. The pass adapts the IR,
// the graph evaluator and the cost model to this interface; the unit tests
// give it synthetic oracles. Every search is deterministic: the same oracle
// answers (and seed) give the same policy and the same measurements in the
// same order.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_PRECISION_SEARCH_H
#define CIM_PRECISION_SEARCH_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace mlir::cim::search {

/// What a search may change on a unit, in the order moves are tried.
enum Kind : unsigned { kWeight = 0, kAct = 1, kAdc = 2 };

/// One unit's bits. `adcBits` is 0 when ADC bits are not searched: the layer
/// then keeps the resolution it has.
struct Choice {
  unsigned weightBits = 0, actBits = 0, adcBits = 0;
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

/// One choice per unit.
using Policy = std::vector<Choice>;

/// A measured policy: the loss the budget bounds, the objective, and (when
/// the oracle has one) a smooth divergence that the knapsack may rank by.
struct Measured {
  double loss = 0, cost = 0, divergence = 0;
};

/// What an oracle's loss measurement returns.
struct Loss {
  double loss = 0, divergence = 0;
};

/// Measures policies. Errors (an evaluator that fails) end the search and
/// come back from it unchanged.
class Oracle {
public:
  virtual ~Oracle();
  /// The loss of `policy` (the expensive measurement).
  virtual llvm::Expected<Loss> loss(llvm::ArrayRef<Choice> policy) = 0;
  /// The objective of `policy` (cheap next to the loss).
  virtual llvm::Expected<double> cost(llvm::ArrayRef<Choice> policy) = 0;
};

/// The search space and budget.
struct Problem {
  size_t units = 0;
  /// The allowed bits of each kind, inclusive; ADC only when `searchAdc`.
  std::array<std::pair<unsigned, unsigned>, 3> ranges{};
  bool searchAdc = false;
  /// Units that stay at the top (empty: none).
  std::vector<bool> fixed;
  /// The largest loss a result may have.
  double budget = 0;

  unsigned kinds() const { return searchAdc ? 3 : 2; }
  bool isFixed(size_t u) const { return u < fixed.size() && fixed[u]; }
  /// Every unit at the top of every range: where every search starts.
  Policy top() const;
  /// The (unit, kind) pairs a population search may change.
  std::vector<std::pair<size_t, unsigned>> genes() const;
};

/// Where progress goes, and how losses and choices read in it.
struct Log {
  /// Null: no progress.
  llvm::raw_ostream *os = nullptr;
  /// Starts every line (the pass's name).
  std::string prefix;
  /// The objective's name ("latency", ...).
  std::string objective = "cost";
  /// Defaults: "loss 1.234e-02" and "W8A8[ ADC6]".
  std::function<std::string(double)> lossText;
  std::function<std::string(const Choice &)> policyText;

  /// A new progress line (its prefix written); llvm::nulls() when quiet.
  llvm::raw_ostream &line() const;
  std::string loss(double l) const;
  std::string policy(const Choice &c) const;
};

/// A recorded measurement.
struct Point {
  Policy policy;
  Measured measured;
};

/// Measures through an oracle and records every measurement in order (the
/// pass's Pareto report); population searches measure each policy once.
class Evaluator {
public:
  explicit Evaluator(Oracle &oracle) : oracle(oracle) {}
  /// Measures `policy` (loss, then cost) and records it.
  llvm::Expected<Measured> measure(llvm::ArrayRef<Choice> policy);
  /// The cost alone; not recorded.
  llvm::Expected<double> cost(llvm::ArrayRef<Choice> policy) {
    return oracle.cost(policy);
  }
  /// `measure` unless `policy` was measured (or remembered) through here.
  llvm::Expected<Measured> measureOnce(const Policy &policy);
  /// Lets `measureOnce` answer `policy` with `m` (if not known yet).
  void remember(const Policy &policy, const Measured &m) {
    seen.emplace(policy, m);
  }
  bool known(const Policy &policy) const { return seen.count(policy); }
  /// Distinct policies known to `measureOnce`.
  size_t distinct() const { return seen.size(); }
  llvm::ArrayRef<Point> history() const { return points; }

private:
  Oracle &oracle;
  std::vector<Point> points;
  std::map<Policy, Measured> seen;
};

/// A strict total order of measured policies, best first: within `budget`
/// before over it (by how far over); then cost, then loss, then more bits
/// (no bit is lowered for nothing), then the policy.
bool betterPolicy(const Policy &x, const Measured &mx, const Policy &y,
                  const Measured &my, double budget);

/// One bit at a time from `from` (measured `at`): every step tries lowering
/// each kind of each unit by one, measures it, and takes the move with the
/// largest cost saving per unit of loss that stays within the budget;
/// stops when no move fits. `base` (the top's measurement) scales the log.
llvm::Expected<Policy> greedy(const Problem &problem, Evaluator &evaluator,
                              const Log &log, Policy from, Measured at,
                              Measured base);

struct KnapsackOptions {
  /// Losses add in quadrature (relative output errors) instead of adding.
  bool quadrature = false;
  /// Rank layers by the oracle's divergence and bisect the budget on it
  /// against the measured loss.
  bool divergence = false;
};

struct KnapsackResult {
  /// Whether a measured combination met the budget; if not, the top.
  bool found = false;
  Policy policy;
  Measured measured;
};

/// Per-unit sensitivities (each kind alone, the others at the top), then a
/// multiple-choice knapsack over them, verified by measurement with a
/// shrinking (or bisected) budget. `base` is the top's measurement.
llvm::Expected<KnapsackResult> knapsack(const Problem &problem,
                                        Evaluator &evaluator, const Log &log,
                                        Measured base,
                                        const KnapsackOptions &options);

struct PopulationOptions {
  uint64_t seed = 1;
  /// Individuals per generation (at least 4), policies per rl iteration.
  unsigned population = 16;
  /// Generations after the first, rl iterations.
  unsigned generations = 20;
};

/// Where a population search (evolve, reinforce) starts: the (unit, kind)
/// genes it may change and the top. `startPopulation` remembers the top in
/// the evaluator as measured `base`; with no gene to change it logs, as
/// `name`, that there is nothing to search, and the search returns the top.
struct PopulationStart {
  std::vector<std::pair<size_t, unsigned>> genes;
  Policy top;
};
PopulationStart startPopulation(const Problem &problem, Evaluator &evaluator,
                                const Log &log, Measured base,
                                llvm::StringRef name);

/// A seeded genetic algorithm (elitism, tournaments, uniform crossover,
/// one-bit mutations) from the top and random lowerings of it.
llvm::Expected<Policy> evolve(const Problem &problem, Evaluator &evaluator,
                              const Log &log, Measured base,
                              const PopulationOptions &options);

/// A seeded policy-gradient (REINFORCE) search: a softmax over the widths
/// of every (unit, kind), moved along the reward gradient.
llvm::Expected<Policy> reinforce(const Problem &problem, Evaluator &evaluator,
                                 const Log &log, Measured base,
                                 const PopulationOptions &options);

/// Mean over images of KL(softmax(reference logits) || softmax(outputs)):
/// a smooth measure of how far a classifier moved, which top-1 on a few
/// thousand images is not. One vector of [perBatch, classes] logits per
/// batch.
double klFromReference(llvm::ArrayRef<std::vector<float>> reference,
                       llvm::ArrayRef<std::vector<float>> outputs,
                       int64_t perBatch, int64_t batches);

/// The top-1 drop (a fraction) of `correct` against `reference` on the same
/// images, plus `confidence` standard errors of the paired difference.
double pairedTopOneDrop(const std::vector<bool> &reference,
                        const std::vector<bool> &correct, double confidence);

/// The relative L2 error of the first `batches` outputs against reference.
double relativeError(llvm::ArrayRef<std::vector<float>> reference,
                     llvm::ArrayRef<std::vector<float>> outputs,
                     int64_t batches);

} // namespace mlir::cim::search

#endif // CIM_PRECISION_SEARCH_H
