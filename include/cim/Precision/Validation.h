//===- Validation.h - Search/verify splits and budget statistics -*- C++
//-*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What makes an accuracy budget hold on unseen images (docs/precision.md,
// "Budgets that hold on unseen images"): the labelled data is split into a
// part the search compares policies on and a part that only checks the
// chosen one, and the check adds a margin of z standard errors of the
// measured drop. A search that keeps the luckiest of many policies cannot
// fool images it never saw. Plain functions, no MLIR: the pass, cimc's report
// and the unit tests call the same ones.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_PRECISION_VALIDATION_H
#define CIM_PRECISION_VALIDATION_H

#include "cim/Precision/Search.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <vector>

namespace mlir::cim::validation {

/// Indices (ascending) of the items in each part.
struct Split {
  std::vector<int64_t> search, verify;
};

/// Splits labelled images: within every label, a seeded shuffle sends
/// round(fraction of the whole) images to `verify` (the per-label shares by
/// largest remainder), the rest to `search`. Each part is then cut to a
/// multiple of `perBatch` (the last indices go). The same labels, fraction
/// and seed give the same split on every platform (own Fisher-Yates on
/// std::mt19937_64, no std::shuffle).
Split splitStratified(llvm::ArrayRef<int64_t> labels, double fraction,
                      uint64_t seed, int64_t perBatch = 1);

/// The same without labels: `items` shuffled, round(items * fraction) of
/// them to `verify`.
Split splitRandom(int64_t items, double fraction, uint64_t seed);

/// Rows `indices` of `values`, rows of `rowSize` elements.
template <typename T>
std::vector<T> gatherRows(llvm::ArrayRef<T> values, int64_t rowSize,
                          llvm::ArrayRef<int64_t> indices) {
  std::vector<T> out;
  out.reserve(indices.size() * rowSize);
  for (int64_t i : indices)
    out.insert(out.end(), values.begin() + i * rowSize,
               values.begin() + (i + 1) * rowSize);
  return out;
}

/// The one-sided standard normal quantile: z with P(Z <= z) = level, for
/// level in [0.5, 1) (0.95 -> 1.6449). Bisection on erfc: deterministic.
double normalQuantile(double level);

/// Float against the quantized model on the same images: `lost` float got
/// right and the policy wrong, `gained` the reverse.
struct Paired {
  int64_t lost = 0, gained = 0, images = 0;
  /// The measured top-1 drop, a fraction.
  double drop() const;
  /// The share of images on which the two disagree about correctness.
  double disagreement() const;
  /// The standard error of `drop()`: the per-image difference d_i in
  /// {-1, 0, 1} has mean (lost - gained)/n and variance (lost + gained)/n
  /// - mean^2, so SE = sqrt(lost + gained - (lost - gained)^2 / n) / n;
  /// with Agresti and Min's adjustment (half an image more in each cell of
  /// the 2x2 table: lost + gained + 1 discordant, n + 2 images), so that a
  /// policy that changes no image still has an uncertainty of about 1/n:
  /// SE = sqrt(lost + gained + 1 - (lost - gained)^2 / (n + 2)) / (n + 2).
  double standardError() const;
};

Paired pair(const std::vector<bool> &reference,
            const std::vector<bool> &correct);

/// A budget check on the verify images: the measured loss, its standard
/// error, and measured + z * SE, which must be within the budget.
struct Verdict {
  double measured = 0, standardError = 0, bound = 0;
  bool passes = false;
};

Verdict checkTopOne(const Paired &p, double budget, double z);

/// Relative L2 output error sqrt(sum e_i / sum s_i) over items i (e_i the
/// squared error of item i, s_i its squared float norm) with a
/// delta-method margin on the ratio r = sum e / sum s: SE(r)^2 = n/(n-1) *
/// sum (e_i - r s_i)^2 / (sum s)^2, bound = sqrt(r + z * SE(r)).
Verdict checkOutputError(llvm::ArrayRef<double> squaredError,
                         llvm::ArrayRef<double> squaredNorm, double budget,
                         double z);

/// Images a verify set needs to pass a policy of true drop `drop` and
/// disagreement rate `disagreement` (fractions) under `budget` with margin
/// z: drop + z * sqrt((p - d^2) / n) <= budget, so n >= z^2 (p - d^2) /
/// (budget - d)^2 (to first order in 1/n: the adjustment of the standard
/// error adds about an image). Infinite when drop >= budget.
double requiredImages(double budget, double z, double disagreement,
                      double drop);

/// The images below which a budget cannot be resolved at all: a policy
/// that loses half the budget and changes no other image (p = d = B/2)
/// needs n >= 2 z^2 / B. Never below 1/B (one image must weigh less than
/// the budget).
int64_t imagesToResolve(double budget, double z);

/// The order in which a policy that failed the verify check is backed off
/// (fixed-sequence testing): the top of the ranges first, then the Pareto
/// front (cost against measured search loss) of the measured policies that
/// met `budget` on the search images, from the most to the least
/// expensive, `chosen` and anything as cheap left out. Each policy once.
std::vector<search::Policy> backoffChain(llvm::ArrayRef<search::Point> history,
                                         const search::Policy &chosen,
                                         const search::Policy &top,
                                         double budget);

} // namespace mlir::cim::validation

#endif // CIM_PRECISION_VALIDATION_H
