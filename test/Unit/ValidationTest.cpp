//===- ValidationTest.cpp - Search/verify splits and budget statistics ----===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// cim/Precision/Validation.h against hand counts and hand-computed values:
// the stratified split's per-label shares, its determinism and batch
// cutting; the paired standard error, the margin, the images a budget
// needs; the output error's delta-method bound; the back-off order.
//
//===----------------------------------------------------------------------===//

#include "cim/Precision/Validation.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

using namespace mlir::cim;
using namespace mlir::cim::validation;

namespace {

std::map<int64_t, int> countLabels(const std::vector<int64_t> &labels,
                                   const std::vector<int64_t> &indices) {
  std::map<int64_t, int> counts;
  for (int64_t i : indices)
    ++counts[labels[i]];
  return counts;
}

TEST(Validation, StratifiedSplitKeepsEveryLabelsShare) {
  // 10 images of label 0, 6 of label 1, 4 of label 2, interleaved.
  std::vector<int64_t> labels;
  for (int i = 0; i < 10; ++i)
    labels.push_back(0);
  for (int i = 0; i < 6; ++i)
    labels.push_back(1);
  for (int i = 0; i < 4; ++i)
    labels.push_back(2);
  std::rotate(labels.begin(), labels.begin() + 7, labels.end());
  Split s = splitStratified(labels, 0.5, 1);
  // Half of each label, by hand: 5, 3 and 2 to verify, the rest to search.
  std::map<int64_t, int> verify = countLabels(labels, s.verify),
                         search = countLabels(labels, s.search);
  EXPECT_EQ(verify, (std::map<int64_t, int>{{0, 5}, {1, 3}, {2, 2}}));
  EXPECT_EQ(search, (std::map<int64_t, int>{{0, 5}, {1, 3}, {2, 2}}));
  // Disjoint, together every image, each part ascending.
  std::set<int64_t> all(s.search.begin(), s.search.end());
  all.insert(s.verify.begin(), s.verify.end());
  EXPECT_EQ(all.size(), labels.size());
  EXPECT_TRUE(std::is_sorted(s.search.begin(), s.search.end()));
  EXPECT_TRUE(std::is_sorted(s.verify.begin(), s.verify.end()));
  // A seed fixes the split; another seed draws another one.
  Split again = splitStratified(labels, 0.5, 1);
  EXPECT_EQ(again.search, s.search);
  EXPECT_EQ(again.verify, s.verify);
  Split other = splitStratified(labels, 0.5, 2);
  EXPECT_NE(other.verify, s.verify);
  EXPECT_EQ(countLabels(labels, other.verify), verify);
}

TEST(Validation, StratifiedSplitSharesByLargestRemainder) {
  // 3, 3 and 1 images: 3.5 -> 4 to verify; floors 1, 1, 0 and equal
  // remainders 0.5 go to the smaller labels first: 2, 2, 0.
  std::vector<int64_t> labels{0, 1, 2, 0, 1, 0, 1};
  Split s = splitStratified(labels, 0.5, 7);
  EXPECT_EQ(countLabels(labels, s.verify),
            (std::map<int64_t, int>{{0, 2}, {1, 2}}));
  EXPECT_EQ(s.search.size(), 3u);
  // A quarter of 20: 5.
  std::vector<int64_t> twenty(20, 3);
  EXPECT_EQ(splitStratified(twenty, 0.25, 1).verify.size(), 5u);
}

TEST(Validation, SplitCutsPartsToWholeBatches) {
  std::vector<int64_t> labels(22);
  for (int i = 0; i < 22; ++i)
    labels[i] = i % 2;
  // 11 and 11 images, cut to 8 and 8 for batches of 4.
  Split s = splitStratified(labels, 0.5, 1, 4);
  EXPECT_EQ(s.search.size(), 8u);
  EXPECT_EQ(s.verify.size(), 8u);
  Split r = splitRandom(10, 0.3, 5);
  EXPECT_EQ(r.verify.size(), 3u);
  EXPECT_EQ(r.search.size(), 7u);
  EXPECT_EQ(splitRandom(10, 0.3, 5).verify, r.verify);
}

TEST(Validation, NormalQuantile) {
  EXPECT_NEAR(normalQuantile(0.95), 1.6448536, 1e-6);
  EXPECT_NEAR(normalQuantile(0.975), 1.9599640, 1e-6);
  EXPECT_NEAR(normalQuantile(0.5), 0.0, 1e-9);
}

TEST(Validation, PairedStandardErrorByHand) {
  // 100 images: 7 lost, 3 gained. Drop 4/100; Agresti-Min's table has
  // 7.5 + 3.5 discordant of 102, so SE = sqrt(11 - 16/102) / 102
  // = sqrt(10.843137) / 102 = 0.0322833.
  Paired p{7, 3, 100};
  EXPECT_DOUBLE_EQ(p.drop(), 0.04);
  EXPECT_DOUBLE_EQ(p.disagreement(), 0.10);
  EXPECT_NEAR(p.standardError(), std::sqrt(11 - 16.0 / 102) / 102, 1e-15);
  EXPECT_NEAR(p.standardError(), 0.0322833, 1e-7);
  // No image changed: still about 1/n, sqrt(1) / 130 for 128 images.
  EXPECT_NEAR((Paired{0, 0, 128}.standardError()), 1.0 / 130, 1e-15);
  // Counted from per-image correctness.
  std::vector<bool> f{true, true, false, false, true},
      q{false, true, true, false, true};
  Paired c = pair(f, q);
  EXPECT_EQ(c.lost, 1);
  EXPECT_EQ(c.gained, 1);
  EXPECT_EQ(c.images, 5);
}

TEST(Validation, TopOneCheckAddsTheMargin) {
  // 0.04 + 1.645 * 0.0322833 = 0.0931 > 0.05: rejected although the
  // measured drop fits.
  Verdict v = checkTopOne(Paired{7, 3, 100}, 0.05, 1.645);
  EXPECT_NEAR(v.bound, 0.04 + 1.645 * 0.0322833, 1e-6);
  EXPECT_FALSE(v.passes);
  // 1000 images, 20 lost: SE sqrt(21 - 400/1002) / 1002 = 0.0045298,
  // bound 0.02 + 1.645 * 0.0045298 = 0.0274514 <= 0.05.
  Verdict w = checkTopOne(Paired{20, 0, 1000}, 0.05, 1.645);
  EXPECT_NEAR(w.standardError, 0.0045298, 1e-7);
  EXPECT_NEAR(w.bound, 0.0274514, 1e-6);
  EXPECT_TRUE(w.passes);
  // 128 images, none changed: bound 1.645 / 130 = 1.27 points > 0.5.
  EXPECT_FALSE(checkTopOne(Paired{0, 0, 128}, 0.005, 1.645).passes);
  EXPECT_TRUE(checkTopOne(Paired{0, 0, 1000}, 0.005, 1.645).passes);
  // No images: nothing is shown.
  EXPECT_FALSE(checkTopOne(Paired{}, 0.05, 1.645).passes);
}

TEST(Validation, ImagesABudgetNeeds) {
  // Budget 0.5 points, z = 1.645, a policy losing 0.25 points and gaining
  // none: z^2 (p - d^2) / (B - d)^2 = 2.706025 * 0.00249375 / 0.0025^2
  // = 1079.70.
  EXPECT_NEAR(requiredImages(0.005, 1.645, 0.0025, 0.0025), 1079.704, 1e-3);
  EXPECT_TRUE(std::isinf(requiredImages(0.005, 1.645, 0.01, 0.005)));
  // 2 z^2 / B = 1082.41 -> 1083; one image must weigh less than the budget.
  EXPECT_EQ(imagesToResolve(0.005, 1.645), 1083);
  EXPECT_EQ(imagesToResolve(0.5, 0.1), 2);
  // 256 images split in half cannot resolve half a point at 95%.
  EXPECT_LT(128, imagesToResolve(0.005, normalQuantile(0.95)));
}

TEST(Validation, OutputErrorBoundByHand) {
  // Squared errors 1 and 4 on norms 100 and 100: r = 0.025; residuals
  // -1.5 and 1.5, SE(r) = sqrt(2 * 4.5) / 200 = 0.015; with z = 1 the bound
  // is sqrt(0.04) = 0.2, the error sqrt(0.025).
  Verdict v = checkOutputError({1, 4}, {100, 100}, 0.19, 1.0);
  EXPECT_NEAR(v.measured, std::sqrt(0.025), 1e-12);
  EXPECT_NEAR(v.bound, 0.2, 1e-12);
  EXPECT_FALSE(v.passes);
  EXPECT_TRUE(checkOutputError({1, 4}, {100, 100}, 0.2 + 1e-9, 1.0).passes);
}

TEST(Validation, BackoffChainRunsFromTheTopDownTheFront) {
  using search::Point;
  using search::Policy;
  Policy top{{8, 8, 0}}, a{{8, 6, 0}}, b{{8, 4, 0}}, c{{6, 4, 0}}, d{{4, 4, 0}},
      over{{2, 2, 0}};
  std::vector<Point> history{{top, {0.000, 100, 0}},
                             {a, {0.002, 80, 0}},
                             {b, {0.004, 60, 0}},
                             {c, {0.003, 65, 0}}, // dominates nothing: cost
                                                  // 65 > 60 but loses less
                             {d, {0.005, 40, 0}},
                             {over, {0.300, 10, 0}},
                             {a, {0.002, 80, 0}}};
  // Chosen d (cost 40): the front above it, most expensive first, after
  // the top. c (65, 0.003) and b (60, 0.004) are both on the front.
  std::vector<Policy> chain = backoffChain(history, d, top, 0.005);
  ASSERT_EQ(chain.size(), 4u);
  EXPECT_EQ(chain[0], top);
  EXPECT_EQ(chain[1], a);
  EXPECT_EQ(chain[2], c);
  EXPECT_EQ(chain[3], b);
  // A point dominated by a cheaper, less lossy one is left out.
  history.push_back({Policy{{7, 7, 0}}, {0.004, 90, 0}});
  EXPECT_EQ(backoffChain(history, d, top, 0.005).size(), 4u);
}

} // namespace
