//===- CrossbarTestSupport.h - Shared pieces of the numerics tests --------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The independent reference (a plain integer matrix-vector product the
// crossbar arithmetic must reproduce bit-exactly where the ADC loses
// nothing), random cases in a configuration's code ranges, and the schemes
// the tests sweep.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TEST_UNIT_CROSSBARTESTSUPPORT_H
#define CIM_TEST_UNIT_CROSSBARTESTSUPPORT_H

#include "cim/Numerics/CrossbarMVM.h"

#include "gtest/gtest.h"

#include <cstdint>
#include <random>
#include <vector>

namespace cimtest {

using mlir::cim::numerics::CrossbarConfig;
using mlir::cim::numerics::CrossbarStats;
using mlir::cim::numerics::InputSign;
using mlir::cim::numerics::WeightSign;

/// y[n] = sum_k w[k * cols + n] * x[k].
inline std::vector<int64_t> referenceGemv(const std::vector<int64_t> &w,
                                          const std::vector<int64_t> &x,
                                          int64_t rows, int64_t cols) {
  std::vector<int64_t> y(cols, 0);
  for (int64_t k = 0; k < rows; ++k)
    for (int64_t n = 0; n < cols; ++n)
      y[n] += w[k * cols + n] * x[k];
  return y;
}

/// A rows x cols weight matrix and an input vector.
struct Case {
  std::vector<int64_t> w, x;
  int64_t rows = 0, cols = 0;
};

/// Random codes in the ranges `config` accepts; the extremes, which matter
/// most for sign handling, are always present.
inline Case randomCase(std::mt19937 &rng, const CrossbarConfig &config,
                       int64_t rows, int64_t cols) {
  Case c;
  c.rows = rows;
  c.cols = cols;
  int64_t wMax = mlir::cim::numerics::weightCodeRange(config).max;
  mlir::cim::numerics::CodeRange xRange =
      mlir::cim::numerics::inputCodeRange(config);
  std::uniform_int_distribution<int64_t> wd(-wMax, wMax),
      xd(xRange.min, xRange.max);
  for (int64_t i = 0; i < rows * cols; ++i)
    c.w.push_back(wd(rng));
  c.w.front() = -wMax;
  c.w.back() = wMax;
  for (int64_t i = 0; i < rows; ++i)
    c.x.push_back(xd(rng));
  c.x.front() = xRange.min;
  c.x.back() = xRange.max;
  return c;
}

/// numerics::crossbarMVM on a case; a configuration error fails the test.
inline std::vector<int64_t> run(const CrossbarConfig &config, const Case &c,
                                CrossbarStats *stats = nullptr) {
  std::vector<int64_t> out(c.cols);
  llvm::Error error = mlir::cim::numerics::crossbarMVM(config, c.w, c.rows,
                                                       c.cols, c.x, out, stats);
  EXPECT_FALSE(static_cast<bool>(error)) << llvm::toString(std::move(error));
  return out;
}

inline const WeightSign kWeightSigns[] = {
    WeightSign::offset, WeightSign::differential_columns,
    WeightSign::differential_rows, WeightSign::twos_complement,
    WeightSign::offset_flipped};
inline const InputSign kInputSigns[] = {
    InputSign::unsigned_, InputSign::twos_complement, InputSign::offset};

} // namespace cimtest

#endif // CIM_TEST_UNIT_CROSSBARTESTSUPPORT_H
