//===- Validation.cpp - Search/verify splits and budget statistics --------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The split of labelled data into search and verify images, the statistics
// of the verify check (paired standard error, margins, the images a budget
// needs) and the order of back-off (include/cim/Precision/Validation.h).
//
//===----------------------------------------------------------------------===//

#include "cim/Precision/Validation.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>

using namespace mlir::cim;
using namespace mlir::cim::validation;

/// Fisher-Yates on mt19937_64's raw output: std::shuffle and the standard
/// distributions differ between standard libraries, this does not.
static void shuffle(std::vector<int64_t> &v, std::mt19937_64 &rng) {
  for (size_t i = v.size(); i > 1; --i)
    std::swap(v[i - 1], v[rng() % i]);
}

/// Cuts a part to whole batches; the largest indices go.
static void wholeBatches(std::vector<int64_t> &part, int64_t perBatch) {
  std::sort(part.begin(), part.end());
  part.resize(part.size() -
              part.size() % size_t(std::max<int64_t>(perBatch, 1)));
}

Split validation::splitStratified(llvm::ArrayRef<int64_t> labels,
                                  double fraction, uint64_t seed,
                                  int64_t perBatch) {
  std::map<int64_t, std::vector<int64_t>> byLabel;
  for (auto [i, label] : llvm::enumerate(labels))
    byLabel[label].push_back(int64_t(i));
  // Per-label shares by largest remainder, so the verify part has
  // round(n * fraction) images and every label its share of them.
  int64_t total = std::llround(double(labels.size()) * fraction);
  std::vector<std::pair<double, int64_t>> remainders;
  std::map<int64_t, int64_t> take;
  int64_t given = 0;
  for (auto &[label, items] : byLabel) {
    double exact = double(items.size()) * fraction;
    take[label] = int64_t(std::floor(exact));
    given += take[label];
    remainders.push_back({exact - std::floor(exact), label});
  }
  // Largest remainder first; ties to the smaller label.
  std::sort(remainders.begin(), remainders.end(), [](auto a, auto b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  for (auto &[rest, label] : remainders)
    if (given < total && take[label] < int64_t(byLabel[label].size())) {
      ++take[label];
      ++given;
    }
  std::mt19937_64 rng(seed);
  Split split;
  for (auto &[label, items] : byLabel) {
    shuffle(items, rng);
    for (auto [k, i] : llvm::enumerate(items))
      (int64_t(k) < take[label] ? split.verify : split.search).push_back(i);
  }
  wholeBatches(split.search, perBatch);
  wholeBatches(split.verify, perBatch);
  return split;
}

Split validation::splitRandom(int64_t items, double fraction, uint64_t seed) {
  std::vector<int64_t> all(items);
  for (int64_t i = 0; i < items; ++i)
    all[i] = i;
  std::mt19937_64 rng(seed);
  shuffle(all, rng);
  int64_t verify = std::llround(double(items) * fraction);
  Split split;
  split.verify.assign(all.begin(), all.begin() + verify);
  split.search.assign(all.begin() + verify, all.end());
  wholeBatches(split.search, 1);
  wholeBatches(split.verify, 1);
  return split;
}

double validation::normalQuantile(double level) {
  double lo = -40, hi = 40;
  for (int i = 0; i < 200; ++i) {
    double mid = 0.5 * (lo + hi);
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < level ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

double Paired::drop() const {
  return images ? double(lost - gained) / double(images) : 0.0;
}

double Paired::disagreement() const {
  return images ? double(lost + gained) / double(images) : 0.0;
}

double Paired::standardError() const {
  if (!images)
    return 0;
  // Agresti and Min (2005): half an image added to each cell of the 2x2
  // table, so that no lost or gained image does not mean no uncertainty.
  double n = double(images) + 2, diff = double(lost - gained);
  return std::sqrt(std::max(double(lost + gained) + 1 - diff * diff / n, 0.0)) /
         n;
}

Paired validation::pair(const std::vector<bool> &reference,
                        const std::vector<bool> &correct) {
  Paired p;
  for (auto [f, c] : llvm::zip(reference, correct)) {
    p.lost += f && !c;
    p.gained += !f && c;
    ++p.images;
  }
  return p;
}

Verdict validation::checkTopOne(const Paired &p, double budget, double z) {
  Verdict v;
  v.measured = p.drop();
  v.standardError = p.standardError();
  v.bound = v.measured + z * v.standardError;
  // A hair of slack: drops are differences of fractions.
  v.passes = p.images > 0 && v.bound <= budget + 1e-9;
  return v;
}

Verdict validation::checkOutputError(llvm::ArrayRef<double> squaredError,
                                     llvm::ArrayRef<double> squaredNorm,
                                     double budget, double z) {
  Verdict v;
  size_t n = squaredError.size();
  double e = 0, s = 0;
  for (auto [ei, si] : llvm::zip(squaredError, squaredNorm)) {
    e += ei;
    s += si;
  }
  if (n == 0 || s <= 0)
    return v;
  double r = e / s, spread = 0;
  for (auto [ei, si] : llvm::zip(squaredError, squaredNorm))
    spread += (ei - r * si) * (ei - r * si);
  double seR = n > 1 ? std::sqrt(double(n) / double(n - 1) * spread) / s : r;
  v.measured = std::sqrt(r);
  // The error's own SE (delta method through the square root), for reports.
  v.standardError = r > 0 ? seR / (2 * std::sqrt(r)) : std::sqrt(seR);
  v.bound = std::sqrt(std::max(r + z * seR, 0.0));
  v.passes = v.bound <= budget;
  return v;
}

double validation::requiredImages(double budget, double z, double disagreement,
                                  double drop) {
  if (drop >= budget)
    return std::numeric_limits<double>::infinity();
  double gap = budget - drop;
  return z * z * std::max(disagreement - drop * drop, 0.0) / (gap * gap);
}

int64_t validation::imagesToResolve(double budget, double z) {
  if (budget <= 0)
    return std::numeric_limits<int64_t>::max();
  double n = std::max(2 * z * z / budget, 1 / budget);
  return int64_t(std::ceil(n - 1e-9));
}

std::vector<search::Policy>
validation::backoffChain(llvm::ArrayRef<search::Point> history,
                         const search::Policy &chosen,
                         const search::Policy &top, double budget) {
  double chosenCost = std::numeric_limits<double>::infinity();
  for (const search::Point &p : history)
    if (p.policy == chosen)
      chosenCost = std::min(chosenCost, p.measured.cost);
  // Feasible points by cost, then loss; the front keeps a point when it
  // loses less than every cheaper one.
  std::vector<size_t> order;
  for (size_t i = 0; i < history.size(); ++i)
    if (history[i].measured.loss <= budget &&
        history[i].measured.cost > chosenCost && history[i].policy != top)
      order.push_back(i);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const search::Measured &x = history[a].measured, &y = history[b].measured;
    return std::tie(x.cost, x.loss, a) < std::tie(y.cost, y.loss, b);
  });
  std::vector<search::Policy> front;
  std::set<search::Policy> seen;
  double best = std::numeric_limits<double>::infinity();
  for (size_t i : order)
    if (history[i].measured.loss < best &&
        seen.insert(history[i].policy).second) {
      best = history[i].measured.loss;
      front.push_back(history[i].policy);
    }
  std::vector<search::Policy> chain{top};
  chain.insert(chain.end(), front.rbegin(), front.rend());
  return chain;
}
