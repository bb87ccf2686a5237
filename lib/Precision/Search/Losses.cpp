//===- Losses.cpp - How far quantized outputs are from float --------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The losses cim-assign-precision's oracle measures, on plain outputs (one
// vector per batch): the paired top-1 drop, the relative L2 error and the
// KL divergence of the classifier from float.
//
//===----------------------------------------------------------------------===//

#include "cim/Precision/Search.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cmath>

using namespace mlir::cim::search;

double
mlir::cim::search::klFromReference(llvm::ArrayRef<std::vector<float>> reference,
                                   llvm::ArrayRef<std::vector<float>> outputs,
                                   int64_t perBatch, int64_t batches) {
  double sum = 0;
  for (auto [f, q] : llvm::zip(reference, outputs)) {
    int64_t classes = int64_t(f.size()) / perBatch;
    for (int64_t i = 0; i < perBatch; ++i) {
      const float *x = f.data() + i * classes, *y = q.data() + i * classes;
      auto logSumExp = [&](const float *v) {
        double m = *std::max_element(v, v + classes), e = 0;
        for (int64_t k = 0; k < classes; ++k)
          e += std::exp(double(v[k]) - m);
        return m + std::log(e);
      };
      double lx = logSumExp(x), ly = logSumExp(y), kl = 0;
      for (int64_t k = 0; k < classes; ++k) {
        double logP = double(x[k]) - lx;
        kl += std::exp(logP) * (logP - (double(y[k]) - ly));
      }
      sum += std::max(kl, 0.0);
    }
  }
  return sum / double(std::max<int64_t>(batches * perBatch, 1));
}

double mlir::cim::search::pairedTopOneDrop(const std::vector<bool> &reference,
                                           const std::vector<bool> &correct,
                                           double confidence) {
  // Paired against float on the same images: `lost` went wrong, `gained`
  // went right. Their difference is the measured drop; with confidence=z,
  // z standard errors of it (sqrt(lost + gained), as in McNemar's test) are
  // added, so that a search picking the luckiest of many policies still
  // meets the budget on unseen images.
  int64_t lost = 0, gained = 0;
  for (auto [f, c] : llvm::zip(reference, correct)) {
    lost += f && !c;
    gained += !f && c;
  }
  double n = double(std::max<size_t>(correct.size(), 1));
  return (double(lost - gained) +
          confidence * std::sqrt(double(lost + gained))) /
         n;
}

double
mlir::cim::search::relativeError(llvm::ArrayRef<std::vector<float>> reference,
                                 llvm::ArrayRef<std::vector<float>> outputs,
                                 int64_t batches) {
  double diff = 0, norm = 0;
  for (int64_t b = 0; b < batches; ++b)
    for (size_t i = 0; i < reference[b].size(); ++i) {
      double f = reference[b][i], q = outputs[b][i];
      diff += (q - f) * (q - f);
      norm += f * f;
    }
  return norm > 0 ? std::sqrt(diff / norm) : std::sqrt(diff);
}
