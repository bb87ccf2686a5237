//===- SearchTest.cpp - The precision searches on synthetic problems ------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// greedy, knapsack, evolve and reinforce (cim/Precision/Search.h) against
// separable problems: each unit's loss and cost are sums of per-kind terms,
// so the cheapest policy within the budget is found here by enumerating
// every policy. Also: the budget holds, a seed fixes the whole search, and
// an oracle's error ends the search and comes back unchanged.
//
//===----------------------------------------------------------------------===//

#include "cim/Precision/Search.h"

#include "llvm/Support/Error.h"

#include "gtest/gtest.h"

#include <cmath>
#include <optional>
#include <random>
#include <set>

using namespace mlir::cim::search;

namespace {

/// Loss and cost are sums over units and kinds of table entries
/// (lossTable[u][kind][bits], costTable likewise); losses add, or add in
/// quadrature. The divergence is the plain sum. Fails the `failAt`-th loss
/// (or cost) call, counting from 0.
struct Separable : Oracle {
  Problem problem;
  std::vector<std::array<std::vector<double>, 3>> lossTable, costTable;
  bool quadrature = false;
  int failLossAt = -1, failCostAt = -1;
  int lossCalls = 0, costCalls = 0;

  double sumLoss(llvm::ArrayRef<Choice> p) const {
    double s = 0;
    for (size_t u = 0; u < p.size(); ++u)
      for (unsigned k = 0; k < problem.kinds(); ++k) {
        double v = lossTable[u][k][p[u][k]];
        s += quadrature ? v * v : v;
      }
    return s;
  }
  double lossOf(llvm::ArrayRef<Choice> p) const {
    return quadrature ? std::sqrt(sumLoss(p)) : sumLoss(p);
  }
  double costOf(llvm::ArrayRef<Choice> p) const {
    double s = 0;
    for (size_t u = 0; u < p.size(); ++u)
      for (unsigned k = 0; k < problem.kinds(); ++k)
        s += costTable[u][k][p[u][k]];
    return s;
  }
  llvm::Expected<Loss> loss(llvm::ArrayRef<Choice> p) override {
    if (lossCalls++ == failLossAt)
      return llvm::createStringError("evaluator failed on call " +
                                     std::to_string(failLossAt));
    return Loss{lossOf(p), sumLoss(p)};
  }
  llvm::Expected<double> cost(llvm::ArrayRef<Choice> p) override {
    if (costCalls++ == failCostAt)
      return llvm::createStringError("cost model failed");
    return costOf(p);
  }

  /// Every policy the problem allows, in lexicographic order.
  std::vector<Policy> all() const {
    std::vector<Policy> out;
    Policy p = problem.top();
    std::vector<std::pair<size_t, unsigned>> genes = problem.genes();
    std::function<void(size_t)> rec = [&](size_t g) {
      if (g == genes.size())
        return out.push_back(p);
      auto [u, k] = genes[g];
      for (unsigned b = problem.ranges[k].first; b <= problem.ranges[k].second;
           ++b) {
        p[u][k] = b;
        rec(g + 1);
      }
      p[u][k] = problem.ranges[k].second;
    };
    rec(0);
    return out;
  }
  /// The cheapest cost within the budget (brute force).
  double optimum() const {
    double best = INFINITY;
    for (const Policy &p : all())
      if (lossOf(p) <= problem.budget)
        best = std::min(best, costOf(p));
    return best;
  }
};

/// A random separable problem: losses in eighths (exact in the knapsack's
/// 512 budget steps), integer costs, both zero-loss at the top; lower bits
/// usually cost less and lose more.
Separable makeProblem(unsigned seed, size_t units, unsigned lo, unsigned hi,
                      double budget, bool adc = false) {
  std::mt19937_64 rng(seed);
  Separable s;
  s.problem.units = units;
  s.problem.ranges = {std::make_pair(lo, hi), std::make_pair(lo, hi),
                      std::make_pair(adc ? lo : 0u, adc ? hi : 0u)};
  s.problem.searchAdc = adc;
  s.problem.budget = budget;
  for (size_t u = 0; u < units; ++u) {
    std::array<std::vector<double>, 3> l, c;
    for (unsigned k = 0; k < 3; ++k) {
      l[k].assign(hi + 1, 0.0);
      c[k].assign(hi + 1, 0.0);
      double loss = 0, cost = double(40 + rng() % 20);
      for (unsigned b = hi; b >= lo && b <= hi; --b) {
        l[k][b] = loss;
        c[k][b] = cost;
        loss += double(rng() % 4) * 0.125;
        cost -= double(1 + rng() % 5);
      }
    }
    s.lossTable.push_back(l);
    s.costTable.push_back(c);
  }
  return s;
}

Measured measureTop(Separable &s, Evaluator &e) {
  llvm::Expected<Measured> m = e.measure(s.problem.top());
  EXPECT_TRUE(bool(m));
  return m ? *m : Measured();
}

std::string errorText(llvm::Error e) { return llvm::toString(std::move(e)); }

TEST(SearchTest, ProblemTopAndGenes) {
  Separable s = makeProblem(1, 3, 2, 4, 1.0);
  s.problem.fixed = {true, false, false};
  Policy top = s.problem.top();
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[1], (Choice{4, 4, 0}));
  // Unit 0 is fixed: only units 1 and 2 (weight, act) are genes.
  std::vector<std::pair<size_t, unsigned>> genes = s.problem.genes();
  std::vector<std::pair<size_t, unsigned>> expected = {
      {1, kWeight}, {1, kAct}, {2, kWeight}, {2, kAct}};
  EXPECT_EQ(genes, expected);
  EXPECT_EQ(s.all().size(), 81u);
}

TEST(SearchTest, BetterPolicyOrder) {
  Policy a{{4, 4, 0}}, b{{3, 4, 0}};
  // Within the budget beats over it, whatever the cost.
  EXPECT_TRUE(betterPolicy(a, {0.1, 9, 0}, b, {0.3, 1, 0}, 0.2));
  // Both over: the smaller overshoot.
  EXPECT_TRUE(betterPolicy(b, {0.3, 9, 0}, a, {0.4, 1, 0}, 0.2));
  // Both within: cheaper, then less loss, then more bits.
  EXPECT_TRUE(betterPolicy(b, {0.1, 1, 0}, a, {0.0, 2, 0}, 0.2));
  EXPECT_TRUE(betterPolicy(b, {0.0, 1, 0}, a, {0.1, 1, 0}, 0.2));
  EXPECT_TRUE(betterPolicy(a, {0.1, 1, 0}, b, {0.1, 1, 0}, 0.2));
  EXPECT_FALSE(betterPolicy(b, {0.1, 1, 0}, a, {0.1, 1, 0}, 0.2));
}

// Linear costs and equal loss per bit: taking the largest saving per bit
// first is optimal, so greedy must reach the enumerated optimum.
TEST(SearchTest, GreedyFindsOptimumOfLinearProblem) {
  Separable s = makeProblem(2, 3, 2, 5, 1.0 + 1e-9);
  const double perBit[3] = {7, 3, 5};
  for (size_t u = 0; u < 3; ++u)
    for (unsigned k = 0; k < 2; ++k)
      for (unsigned b = 2; b <= 5; ++b) {
        s.lossTable[u][k][b] = 0.125 * (5 - b);
        s.costTable[u][k][b] = perBit[u] * (k + 1) * b;
      }
  Evaluator e(s);
  Measured base = measureTop(s, e);
  llvm::Expected<Policy> p =
      greedy(s.problem, e, Log(), s.problem.top(), base, base);
  ASSERT_TRUE(bool(p)) << errorText(p.takeError());
  EXPECT_LE(s.lossOf(*p), s.problem.budget);
  EXPECT_EQ(s.costOf(*p), s.optimum());
  EXPECT_LT(s.costOf(*p), base.cost);
}

// On general problems greedy stops at a policy no single move improves.
TEST(SearchTest, GreedyStopsAtLocalOptimumWithinBudget) {
  for (unsigned seed = 1; seed <= 5; ++seed) {
    Separable s = makeProblem(seed, 3, 2, 5, 0.75, /*adc=*/seed % 2);
    Evaluator e(s);
    Measured base = measureTop(s, e);
    llvm::Expected<Policy> p =
        greedy(s.problem, e, Log(), s.problem.top(), base, base);
    ASSERT_TRUE(bool(p)) << errorText(p.takeError());
    EXPECT_LE(s.lossOf(*p), s.problem.budget);
    EXPECT_GE(s.costOf(*p), s.optimum());
    for (size_t u = 0; u < 3; ++u)
      for (unsigned k = 0; k < s.problem.kinds(); ++k) {
        Policy q = *p;
        if (q[u][k] <= s.problem.ranges[k].first)
          continue;
        --q[u][k];
        EXPECT_FALSE(s.lossOf(q) <= s.problem.budget &&
                     s.costOf(q) < s.costOf(*p))
            << "seed " << seed << ": unit " << u << " kind " << k;
      }
    // Every measurement is recorded, in order, with the oracle's values.
    ASSERT_EQ(e.history().size(), size_t(s.lossCalls));
    for (const Point &pt : e.history())
      EXPECT_EQ(pt.measured.cost, s.costOf(pt.policy));
  }
}

// Separable losses that add: the knapsack is exact (eighths of the budget
// fall on its steps), so it must find the enumerated optimum.
TEST(SearchTest, KnapsackFindsOptimumOfSeparableProblem) {
  for (unsigned seed = 1; seed <= 6; ++seed) {
    Separable s = makeProblem(seed, 3, 2, 5, 1.0 + 1e-9, /*adc=*/seed > 4);
    Evaluator e(s);
    Measured base = measureTop(s, e);
    llvm::Expected<KnapsackResult> r =
        knapsack(s.problem, e, Log(), base, KnapsackOptions());
    ASSERT_TRUE(bool(r)) << errorText(r.takeError());
    EXPECT_TRUE(r->found);
    EXPECT_LE(r->measured.loss, s.problem.budget);
    EXPECT_EQ(r->measured.cost, s.costOf(r->policy));
    EXPECT_EQ(r->measured.cost, s.optimum()) << "seed " << seed;
  }
}

TEST(SearchTest, KnapsackInQuadratureAndByDivergence) {
  Separable s = makeProblem(3, 3, 2, 5, 0.5);
  s.quadrature = true;
  Evaluator e(s);
  Measured base = measureTop(s, e);
  KnapsackOptions quadrature;
  quadrature.quadrature = true;
  llvm::Expected<KnapsackResult> q =
      knapsack(s.problem, e, Log(), base, quadrature);
  ASSERT_TRUE(bool(q)) << errorText(q.takeError());
  EXPECT_TRUE(q->found);
  EXPECT_LE(q->measured.loss, s.problem.budget);
  EXPECT_LT(q->measured.cost, base.cost);

  // Ranked by the divergence (here the sum of squares): the bisection must
  // still return a measured policy within the budget.
  Separable d = makeProblem(3, 3, 2, 5, 0.5);
  d.quadrature = true;
  Evaluator de(d);
  Measured dbase = measureTop(d, de);
  KnapsackOptions divergence;
  divergence.divergence = true;
  llvm::Expected<KnapsackResult> r =
      knapsack(d.problem, de, Log(), dbase, divergence);
  ASSERT_TRUE(bool(r)) << errorText(r.takeError());
  EXPECT_TRUE(r->found);
  EXPECT_LE(d.lossOf(r->policy), d.problem.budget);
  EXPECT_EQ(r->measured.cost, d.costOf(r->policy));
  EXPECT_LT(r->measured.cost, dbase.cost);
}

// Small enough (81 policies) for the population searches to find the
// optimum with the default sizes.
TEST(SearchTest, EvolveFindsOptimumOfSmallProblem) {
  for (unsigned seed = 1; seed <= 3; ++seed) {
    Separable s = makeProblem(seed, 2, 2, 4, 0.5);
    Evaluator e(s);
    Measured base = measureTop(s, e);
    PopulationOptions options;
    options.seed = seed;
    llvm::Expected<Policy> p = evolve(s.problem, e, Log(), base, options);
    ASSERT_TRUE(bool(p)) << errorText(p.takeError());
    EXPECT_LE(s.lossOf(*p), s.problem.budget);
    EXPECT_EQ(s.costOf(*p), s.optimum()) << "seed " << seed;
  }
}

TEST(SearchTest, ReinforceFindsOptimumOfSmallProblem) {
  for (unsigned seed = 1; seed <= 3; ++seed) {
    Separable s = makeProblem(seed, 2, 2, 4, 0.5);
    Evaluator e(s);
    Measured base = measureTop(s, e);
    PopulationOptions options;
    options.seed = seed;
    options.generations = 40;
    llvm::Expected<Policy> p = reinforce(s.problem, e, Log(), base, options);
    ASSERT_TRUE(bool(p)) << errorText(p.takeError());
    EXPECT_LE(s.lossOf(*p), s.problem.budget);
    EXPECT_EQ(s.costOf(*p), s.optimum()) << "seed " << seed;
  }
}

// Larger problems: no optimum guaranteed, but the budget holds, and the
// population searches measure each distinct policy once.
TEST(SearchTest, PopulationSearchesRespectBudget) {
  for (bool rl : {false, true})
    for (unsigned seed = 1; seed <= 3; ++seed) {
      Separable s = makeProblem(seed, 5, 2, 8, 0.6, /*adc=*/true);
      s.problem.fixed = {true, false, false, false, true};
      Evaluator e(s);
      Measured base = measureTop(s, e);
      PopulationOptions options;
      options.seed = seed;
      options.population = 8;
      options.generations = 10;
      llvm::Expected<Policy> p =
          rl ? reinforce(s.problem, e, Log(), base, options)
             : evolve(s.problem, e, Log(), base, options);
      ASSERT_TRUE(bool(p)) << errorText(p.takeError());
      EXPECT_LE(s.lossOf(*p), s.problem.budget);
      EXPECT_LE(s.costOf(*p), base.cost);
      EXPECT_EQ((*p)[0], s.problem.top()[0]);
      EXPECT_EQ((*p)[4], s.problem.top()[4]);
      std::set<Policy> distinct;
      for (const Point &pt : e.history())
        EXPECT_TRUE(distinct.insert(pt.policy).second) << "measured twice";
    }
}

// The same seed gives the same policy and the same measurements in the
// same order; another seed explores differently.
TEST(SearchTest, PopulationSearchesAreDeterministic) {
  for (bool rl : {false, true}) {
    auto run = [&](uint64_t seed) {
      Separable s = makeProblem(4, 4, 2, 6, 0.6);
      Evaluator e(s);
      Measured base = measureTop(s, e);
      PopulationOptions options;
      options.seed = seed;
      options.population = 8;
      options.generations = 6;
      llvm::Expected<Policy> p =
          rl ? reinforce(s.problem, e, Log(), base, options)
             : evolve(s.problem, e, Log(), base, options);
      EXPECT_TRUE(bool(p));
      std::vector<Policy> order;
      for (const Point &pt : e.history())
        order.push_back(pt.policy);
      return std::make_pair(p ? *p : Policy(), order);
    };
    auto a = run(7), b = run(7), c = run(8);
    EXPECT_EQ(a.first, b.first);
    EXPECT_EQ(a.second, b.second);
    EXPECT_GT(a.second.size(), 10u);
    EXPECT_NE(a.second, c.second);
  }
}

TEST(SearchTest, LogWritesProgress) {
  Separable s = makeProblem(2, 2, 2, 4, 0.5);
  Evaluator e(s);
  Measured base = measureTop(s, e);
  std::string text;
  llvm::raw_string_ostream os(text);
  Log log;
  log.os = &os;
  log.prefix = "test: ";
  log.objective = "latency";
  llvm::Expected<Policy> p =
      greedy(s.problem, e, log, s.problem.top(), base, base);
  ASSERT_TRUE(bool(p));
  EXPECT_NE(text.find("test: step 1: layer "), std::string::npos) << text;
  EXPECT_NE(text.find(", loss "), std::string::npos) << text;
  EXPECT_NE(text.find("latency"), std::string::npos) << text;
}

// The pass's losses against values worked out by hand.
TEST(SearchTest, LossesAgainstHandComputedValues) {
  // Two images of two classes; the second image moves from (1/2, 1/2) to
  // (3/4, 1/4): KL = 1/2 ln(2/3) + 1/2 ln 2 = 1/2 ln(4/3), over 2 images.
  std::vector<std::vector<float>> ref = {{5, 1, 0, 0}};
  std::vector<std::vector<float>> out = {{5, 1, float(std::log(3.0)), 0}};
  EXPECT_NEAR(klFromReference(ref, out, 2, 1), 0.25 * std::log(4.0 / 3.0),
              1e-7);
  EXPECT_EQ(klFromReference(ref, ref, 2, 1), 0.0);
  // One image lost, one gained: no drop, but sqrt(2) of standard error.
  std::vector<bool> f = {true, true, false, false};
  std::vector<bool> q = {false, true, true, false};
  EXPECT_EQ(pairedTopOneDrop(f, q, 0), 0.0);
  EXPECT_DOUBLE_EQ(pairedTopOneDrop(f, q, 2), 2 * std::sqrt(2.0) / 4);
  EXPECT_DOUBLE_EQ(pairedTopOneDrop(f, {false, false, false, false}, 0), 0.5);
  // |(3, 0) - (3, 4)| / |(3, 4)|; only the first `batches` count.
  EXPECT_DOUBLE_EQ(relativeError({{3, 4}, {1, 1}}, {{3, 0}, {0, 0}}, 1), 0.8);
}

// An oracle's error ends every search at once and comes back unchanged.
TEST(SearchTest, OracleErrorsPropagate) {
  for (int search = 0; search < 4; ++search) {
    Separable s = makeProblem(5, 3, 2, 5, 0.75);
    Evaluator e(s);
    Measured base = measureTop(s, e);
    s.failLossAt = 4;
    PopulationOptions options;
    llvm::Error error = llvm::Error::success();
    switch (search) {
    case 0:
      error =
          greedy(s.problem, e, Log(), s.problem.top(), base, base).takeError();
      break;
    case 1:
      error = knapsack(s.problem, e, Log(), base, {}).takeError();
      break;
    case 2:
      error = evolve(s.problem, e, Log(), base, options).takeError();
      break;
    case 3:
      error = reinforce(s.problem, e, Log(), base, options).takeError();
      break;
    }
    EXPECT_EQ(errorText(std::move(error)), "evaluator failed on call 4")
        << "search " << search;
    // Nothing measured after the failure.
    EXPECT_EQ(s.lossCalls, 5) << "search " << search;
    EXPECT_EQ(e.history().size(), 4u) << "search " << search;
  }
  // A failing cost oracle ends the search the same way.
  Separable s = makeProblem(5, 2, 2, 5, 0.75, /*adc=*/true);
  Evaluator e(s);
  Measured base = measureTop(s, e);
  s.failCostAt = 1;
  llvm::Expected<Policy> p =
      greedy(s.problem, e, Log(), s.problem.top(), base, base);
  ASSERT_FALSE(bool(p));
  EXPECT_EQ(errorText(p.takeError()), "cost model failed");
}

} // namespace
