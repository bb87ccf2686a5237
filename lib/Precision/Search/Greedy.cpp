//===- Greedy.cpp - One bit per step, every step measured -----------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The greedy search: from a policy within the budget, every one-bit lowering
// of every unit is measured, and the one with the largest cost saving per
// unit of loss that stays within the budget is taken, until none fits.
// Moves are tried unit by unit, kind by kind; the first of equal scores wins.
//
//===----------------------------------------------------------------------===//

#include "cim/Precision/Search.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <optional>

using namespace mlir::cim::search;

llvm::Expected<Policy> mlir::cim::search::greedy(const Problem &problem,
                                                 Evaluator &evaluator,
                                                 const Log &log, Policy choices,
                                                 Measured at, Measured base) {
  size_t n = problem.units;
  double budget = problem.budget;
  double lost = at.loss, cost = at.cost;
  for (int step = 1;; ++step) {
    // Try every one-step move; keep the best saving per unit of loss.
    double bestScore = -1, bestLoss = 0, bestCost = 0;
    std::optional<std::pair<size_t, unsigned>> bestMove;
    for (size_t u = 0; u < n; ++u) {
      if (problem.isFixed(u))
        continue;
      for (unsigned kind = 0; kind < problem.kinds(); ++kind) {
        Choice trial = choices[u];
        if (trial[kind] <= problem.ranges[kind].first)
          continue;
        --trial[kind];
        Policy candidate = choices;
        candidate[u] = trial;
        if (kind == kAdc) {
          // The cost model is cheap next to an evaluation: an ADC move
          // that saves nothing is not worth measuring.
          llvm::Expected<double> c = evaluator.cost(candidate);
          if (!c)
            return c.takeError();
          if (*c >= cost)
            continue;
        }
        llvm::Expected<Measured> m = evaluator.measure(candidate);
        if (!m)
          return m.takeError();
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
    log.line() << llvm::formatv(
        "step {0}: layer {1} -> {2}, {3}, {4} {5:e3} ({6:f3}x)\n", step,
        bestMove->first, log.policy(chosen), log.loss(lost), log.objective,
        cost, base.cost / cost);
  }
  return choices;
}
