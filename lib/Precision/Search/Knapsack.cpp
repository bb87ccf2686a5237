//===- Knapsack.cpp - Sensitivities, then a multiple-choice knapsack ------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Each unit's loss and cost at every weight width (activations and ADC at
// the top), activation width (weights and ADC at the top) and, when
// searched, ADC width (W/A at the top), measured one unit at a time; the
// cheapest combination whose summed loss increases fit the budget (dynamic
// programming over the budget in 512 steps); then the combination is
// measured, and the budget the knapsack may use shrinks until the
// measurement fits. Loss increases of units are assumed to add up (top-1
// drops) or to add in quadrature (output errors), which the verification
// makes safe, not exact.
//
//===----------------------------------------------------------------------===//

#include "cim/Precision/Search.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <optional>

using namespace mlir::cim::search;

namespace {

struct Option {
  Choice choice;
  double loss, saving;
};

/// Each unit's Pareto options (loss increase, cost saving) from measuring
/// each kind alone, the others at the top.
llvm::Expected<std::vector<std::vector<Option>>>
measureOptions(const Problem &problem, Evaluator &evaluator, const Log &log,
               const Measured &base, const KnapsackOptions &opts) {
  size_t n = problem.units;
  // The scale on which units' losses add: top-1 drops add; independent
  // output errors add in quadrature (relative L2), so their squares add.
  auto additive = [&](double l) { return opts.quadrature ? l * l : l; };
  std::vector<std::vector<Option>> options(n);
  Policy top = problem.top();
  for (size_t u = 0; u < n; ++u) {
    // Without an ADC search its axis is the single "keep" entry.
    std::array<std::map<unsigned, std::pair<double, double>>, 3> alone;
    alone[kAdc][top[u].adcBits] = {0.0, 0.0};
    for (unsigned kind = 0; kind < problem.kinds(); ++kind) {
      auto [lo, hi] = problem.ranges[kind];
      for (unsigned bits = lo; bits <= hi; ++bits) {
        if (bits == hi) {
          alone[kind][bits] = {0.0, 0.0};
          continue;
        }
        if (problem.isFixed(u))
          continue;
        Policy trial = top;
        trial[u][kind] = bits;
        llvm::Expected<Measured> m = evaluator.measure(trial);
        if (!m)
          return m.takeError();
        double saving = base.cost - m->cost;
        // A narrower ADC that saves nothing only costs accuracy.
        if (kind == kAdc && saving <= 0)
          continue;
        alone[kind][bits] = {
            opts.divergence
                ? std::max(m->divergence - base.divergence, 0.0)
                : std::max(additive(m->loss) - additive(base.loss), 0.0),
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
    log.line() << llvm::formatv("knapsack: layer {0}: {1} options\n", u,
                                options[u].size());
  }
  return options;
}

const int steps = 512;

/// Budget units an option needs (steps + 1: never fits).
int unitsOf(double loss, double allowed) {
  double u = std::ceil(loss / allowed * steps - 1e-9);
  return u > steps ? steps + 1 : int(std::max(u, 0.0));
}

/// The cheapest combination whose summed losses fit `allowed`.
Policy solve(const std::vector<std::vector<Option>> &options, double allowed) {
  size_t n = options.size();
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
  Policy trial(n);
  int b = steps;
  for (size_t u = n; u-- > 0;) {
    const Option &o = options[u][pick[u][b]];
    trial[u] = o.choice;
    b -= unitsOf(o.loss, allowed);
  }
  return trial;
}

} // namespace

llvm::Expected<KnapsackResult>
mlir::cim::search::knapsack(const Problem &problem, Evaluator &evaluator,
                            const Log &log, Measured base,
                            const KnapsackOptions &opts) {
  double budget = problem.budget;
  auto additive = [&](double l) { return opts.quadrature ? l * l : l; };
  auto inverse = [&](double l) {
    return opts.quadrature ? std::sqrt(std::max(l, 0.0)) : l;
  };
  llvm::Expected<std::vector<std::vector<Option>>> options =
      measureOptions(problem, evaluator, log, base, opts);
  if (!options)
    return options.takeError();

  Policy top = problem.top();
  KnapsackResult result{false, top, base};
  evaluator.remember(top, Measured{base.loss, base.cost});
  auto verify = [&](int round, double allowed,
                    const Policy &trial) -> llvm::Expected<Measured> {
    llvm::Expected<Measured> m = evaluator.measureOnce(trial);
    if (!m)
      return m.takeError();
    log.line() << llvm::formatv(
        "knapsack round {0}: {1} budget {2:e3} -> measured {3:e3} (budget "
        "{4:e3}), {5} {6:e3} ({7:f3}x)\n",
        round, opts.divergence ? "divergence" : "loss",
        opts.divergence ? allowed : inverse(allowed + additive(base.loss)),
        m->loss, budget, log.objective, m->cost, base.cost / m->cost);
    return *m;
  };

  if (opts.divergence) {
    // Bisection (on a log scale) for the largest divergence budget whose
    // combination meets the loss budget; keeps the cheapest that did.
    double hi = 0, lo = INFINITY;
    for (const std::vector<Option> &layer : *options) {
      double worst = 0;
      for (const Option &o : layer) {
        worst = std::max(worst, o.loss);
        if (o.loss > 0)
          lo = std::min(lo, o.loss);
      }
      hi += worst;
    }
    std::optional<Measured> bestFound;
    auto consider = [&](int round, double allowed) -> llvm::Expected<bool> {
      Policy trial = solve(*options, allowed);
      llvm::Expected<Measured> m = verify(round, allowed, trial);
      if (!m)
        return m.takeError();
      bool fits = m->loss <= budget;
      if (fits && (!bestFound || m->cost < bestFound->cost)) {
        bestFound = *m;
        result.policy = trial;
        result.measured = *m;
      }
      return fits;
    };
    if (!(hi > 0) || !std::isfinite(lo)) {
      // No unit measurably moved: everything at its cheapest.
      llvm::Expected<bool> fits = consider(0, 1.0);
      if (!fits)
        return fits.takeError();
      result.found = *fits;
      return result;
    }
    llvm::Expected<bool> all = consider(0, hi);
    if (!all)
      return all.takeError();
    if (*all) {
      result.found = true;
      return result;
    }
    lo *= 0.5;
    for (int round = 1; round <= 12 && hi / lo > 1.05; ++round) {
      double mid = std::sqrt(lo * hi);
      llvm::Expected<bool> fits = consider(round, mid);
      if (!fits)
        return fits.takeError();
      (*fits ? lo : hi) = mid;
    }
    result.found = bestFound.has_value();
    return result;
  }

  double allowed = additive(budget) - additive(base.loss);
  Policy previous;
  for (int round = 0; round < 12 && allowed > 0; ++round) {
    Policy trial = solve(*options, allowed);
    llvm::Expected<Measured> m = verify(round, allowed, trial);
    if (!m)
      return m.takeError();
    if (m->loss <= budget) {
      result = {true, trial, *m};
      return result;
    }
    // A tighter budget that picks the same combination will not help.
    if (previous == trial)
      break;
    previous = trial;
    allowed *= 0.7;
  }
  return result;
}
