//===- Evolutionary.cpp - A seeded genetic algorithm over policies --------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Genetic search over per-unit genomes (one gene per kind and unit): the top
// of the ranges and mutations of it at increasing depths start the
// population; each generation keeps the two best (elitism) and fills up with
// children of tournament winners (uniform crossover, then each gene moves by
// one bit with probability ~1.5 / genes). Fitness is the measured cost within
// the budget; policies over the budget rank after every feasible one, by how
// far over they are. Identical genomes are measured once. Only the seeded
// generator and ordered containers decide anything, so a seed gives the same
// policy bit for bit.
//
//===----------------------------------------------------------------------===//

#include "cim/Precision/Search.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <random>

using namespace mlir::cim::search;

llvm::Expected<Policy>
mlir::cim::search::evolve(const Problem &problem, Evaluator &evaluator,
                          const Log &log, Measured base,
                          const PopulationOptions &options) {
  const auto &ranges = problem.ranges;
  double budget = problem.budget;
  PopulationStart start =
      startPopulation(problem, evaluator, log, base, "evolutionary");
  if (start.genes.empty())
    return start.top;
  const std::vector<std::pair<size_t, unsigned>> &genes = start.genes;
  const Policy &topGenome = start.top;
  unsigned widest = 0;
  for (auto [u, kind] : genes)
    widest = std::max(widest, ranges[kind].second - ranges[kind].first);

  std::mt19937_64 rng(options.seed);
  // Not std::uniform_int_distribution: its draws differ between standard
  // libraries, and the output should not.
  auto below = [&](uint64_t k) { return k ? rng() % k : 0; };
  auto chance = [&](double p) { return double(rng() >> 11) * 0x1.0p-53 < p; };

  auto better = [&](const Policy &x, const Measured &mx, const Policy &y,
                    const Measured &my) {
    return betterPolicy(x, mx, y, my, budget);
  };

  unsigned size = options.population;
  std::vector<Policy> pop;
  pop.push_back(topGenome);
  for (unsigned i = 1; i < size; ++i) {
    // Depth 1 (single-bit mutations of the top) up to the widest range.
    unsigned depth = 1 + (i - 1) * (widest - 1) / std::max(size - 2, 1u);
    Policy g = topGenome;
    for (auto [u, kind] : genes)
      g[u][kind] -= unsigned(
          below(std::min(depth, ranges[kind].second - ranges[kind].first) + 1));
    pop.push_back(std::move(g));
  }

  Policy best = topGenome;
  Measured bestMeasured = base;
  std::vector<Measured> measured;
  std::vector<size_t> order;
  auto evaluatePopulation = [&](unsigned generation) -> llvm::Error {
    measured.clear();
    for (const Policy &g : pop) {
      llvm::Expected<Measured> m = evaluator.measureOnce(g);
      if (!m)
        return m.takeError();
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
    log.line() << llvm::formatv(
        "generation {0}: best {1} {2:e3} ({3:f3}x), {4}, {5} evaluations\n",
        generation, log.objective, bestMeasured.cost,
        base.cost / bestMeasured.cost, log.loss(bestMeasured.loss),
        evaluator.distinct());
    return llvm::Error::success();
  };
  if (llvm::Error error = evaluatePopulation(0))
    return std::move(error);

  const unsigned elites = 2, tournamentSize = 3;
  double rate = std::min(0.5, 1.5 / double(genes.size()));
  auto tournament = [&]() -> const Policy & {
    size_t winner = below(pop.size());
    for (unsigned k = 1; k < tournamentSize; ++k) {
      size_t other = below(pop.size());
      if (better(pop[other], measured[other], pop[winner], measured[winner]))
        winner = other;
    }
    return pop[winner];
  };
  for (unsigned generation = 1; generation <= options.generations;
       ++generation) {
    std::vector<Policy> next;
    for (unsigned i = 0; i < elites; ++i)
      next.push_back(pop[order[i]]);
    while (next.size() < size) {
      const Policy &a = tournament();
      const Policy &b = tournament();
      Policy child;
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
        if (!evaluator.known(child) && !llvm::is_contained(next, child))
          break;
      }
      next.push_back(std::move(child));
    }
    pop = std::move(next);
    if (llvm::Error error = evaluatePopulation(generation))
      return std::move(error);
  }
  for (auto [u, c] : llvm::enumerate(best))
    log.line() << llvm::formatv("evolutionary: layer {0} -> {1}\n", u,
                                log.policy(c));
  return best;
}
