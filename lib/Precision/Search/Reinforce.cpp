//===- Reinforce.cpp - A seeded policy-gradient search --------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// REINFORCE, in the spirit of the RL agents of HAQ and Pelke et al. but at
// compile time and without training the network: every gene (unit, kind)
// has a softmax over its widths, starting biased toward the top of the
// range. Each iteration samples `population` policies, measures them (each
// distinct policy once), and rewards those within the budget with their
// speedup over the top and those over it with minus their relative
// overshoot; the logits move along the gradient of the expected reward,
// with the batch's mean reward as baseline and its spread as scale. The best
// measured policy (betterPolicy's order) wins. Deterministic for a seed.
//
//===----------------------------------------------------------------------===//

#include "cim/Precision/Search.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <random>

using namespace mlir::cim::search;

llvm::Expected<Policy>
mlir::cim::search::reinforce(const Problem &problem, Evaluator &evaluator,
                             const Log &log, Measured base,
                             const PopulationOptions &options) {
  const auto &ranges = problem.ranges;
  double budget = problem.budget;
  PopulationStart start = startPopulation(problem, evaluator, log, base, "rl");
  if (start.genes.empty())
    return start.top;
  const std::vector<std::pair<size_t, unsigned>> &genes = start.genes;
  const Policy &topGenome = start.top;
  std::mt19937_64 rng(options.seed);
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

  Policy best = topGenome;
  Measured bestMeasured = base;
  const double learningRate = 0.5;
  for (unsigned iteration = 1; iteration <= options.generations; ++iteration) {
    std::vector<std::vector<unsigned>> actions;
    std::vector<double> rewards;
    for (unsigned i = 0; i < options.population; ++i) {
      Policy g = topGenome;
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
      llvm::Expected<Measured> m = evaluator.measureOnce(g);
      if (!m)
        return m.takeError();
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
    log.line() << llvm::formatv(
        "rl iteration {0}: mean reward {1:f3}, best {2} {3:e3} ({4:f3}x), "
        "{5}, {6} evaluations\n",
        iteration, mean, log.objective, bestMeasured.cost,
        base.cost / bestMeasured.cost, log.loss(bestMeasured.loss),
        evaluator.distinct());
  }
  for (auto [u, c] : llvm::enumerate(best))
    log.line() << llvm::formatv("rl: layer {0} -> {1}\n", u, log.policy(c));
  return best;
}
