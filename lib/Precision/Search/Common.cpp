//===- Common.cpp - What the precision searches share ---------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The problem's top and genes, the log's defaults, the recording evaluator
// and the order of measured policies (include/cim/Precision/Search.h).
//
//===----------------------------------------------------------------------===//

#include "cim/Precision/Search.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir::cim::search;

Oracle::~Oracle() = default;

PopulationStart mlir::cim::search::startPopulation(const Problem &problem,
                                                   Evaluator &evaluator,
                                                   const Log &log,
                                                   Measured base,
                                                   llvm::StringRef name) {
  PopulationStart start{problem.genes(), problem.top()};
  if (start.genes.empty())
    log.line() << name
               << ": nothing to search (every unit fixed or every range one "
                  "width)\n";
  else
    evaluator.remember(start.top, base);
  return start;
}

Policy Problem::top() const {
  Choice c{ranges[kWeight].second, ranges[kAct].second,
           searchAdc ? ranges[kAdc].second : 0};
  return Policy(units, c);
}

std::vector<std::pair<size_t, unsigned>> Problem::genes() const {
  std::vector<std::pair<size_t, unsigned>> genes;
  for (size_t u = 0; u < units; ++u)
    for (unsigned kind = 0; kind < kinds(); ++kind)
      if (!isFixed(u) && ranges[kind].first < ranges[kind].second)
        genes.push_back({u, kind});
  return genes;
}

llvm::raw_ostream &Log::line() const {
  if (!os)
    return llvm::nulls();
  return *os << prefix;
}

std::string Log::loss(double l) const {
  return lossText ? lossText(l) : llvm::formatv("loss {0:e3}", l).str();
}

std::string Log::policy(const Choice &c) const {
  if (policyText)
    return policyText(c);
  std::string text = llvm::formatv("W{0}A{1}", c.weightBits, c.actBits).str();
  if (c.adcBits)
    text += llvm::formatv(" ADC{0}", c.adcBits).str();
  return text;
}

llvm::Expected<Measured> Evaluator::measure(llvm::ArrayRef<Choice> policy) {
  llvm::Expected<Loss> l = oracle.loss(policy);
  if (!l)
    return l.takeError();
  llvm::Expected<double> c = oracle.cost(policy);
  if (!c)
    return c.takeError();
  Measured m{l->loss, *c, l->divergence};
  points.push_back({Policy(policy.begin(), policy.end()), m});
  return m;
}

llvm::Expected<Measured> Evaluator::measureOnce(const Policy &policy) {
  auto it = seen.find(policy);
  if (it != seen.end())
    return it->second;
  llvm::Expected<Measured> m = measure(policy);
  if (!m)
    return m.takeError();
  seen.emplace(policy, *m);
  return *m;
}

bool mlir::cim::search::betterPolicy(const Policy &x, const Measured &mx,
                                     const Policy &y, const Measured &my,
                                     double budget) {
  bool fx = mx.loss <= budget, fy = my.loss <= budget;
  if (fx != fy)
    return fx;
  if (!fx && mx.loss != my.loss)
    return mx.loss < my.loss;
  if (mx.cost != my.cost)
    return mx.cost < my.cost;
  if (mx.loss != my.loss)
    return mx.loss < my.loss;
  auto totalBits = [](const Policy &g) {
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
