//===- GemmReference.h - The independent reference of the unit tests -----===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A plain integer matrix-vector product, independent of lib/Numerics: the
// crossbar arithmetic must reproduce it bit-exactly where the ADC loses
// nothing.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TEST_UNIT_GEMMREFERENCE_H
#define CIM_TEST_UNIT_GEMMREFERENCE_H

#include <cstdint>
#include <vector>

namespace cimtest {

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

} // namespace cimtest

#endif // CIM_TEST_UNIT_GEMMREFERENCE_H
