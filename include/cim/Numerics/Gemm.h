//===- Gemm.h - Dense matrix products on BLAS -------------------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The one door to BLAS (OpenBLAS from Debian): float products for the
// float evaluator, and integer products computed exactly in floating point
// for the crossbar arithmetic. Every call runs BLAS single-threaded: a
// multi-threaded BLAS partitions a product by its thread count, and the
// partition changes the rounding of float sums, so outputs would depend on
// the machine's core count. Parallelism comes from callers' own threads
// over batch slices (deterministic whatever their number).
//
//===----------------------------------------------------------------------===//

#ifndef CIM_NUMERICS_GEMM_H
#define CIM_NUMERICS_GEMM_H

#include <cstdint>
#include <vector>

namespace mlir::cim::numerics {

/// Largest bound on |partial sums| below which an integer product computed
/// in float is exact (2^24; double is exact below 2^53).
inline constexpr double kFloatExactBound = 16777216.0;

/// C (m x n, leading dimension ldc) = A (m x k, lda) * B, row-major; B is
/// k x n (ldb) or, when `transB`, n x k. Nothing happens for an empty C;
/// an empty k zeroes it.
void sgemm(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
           const float *b, int64_t ldb, bool transB, float *c, int64_t ldc);
void dgemm(int64_t m, int64_t n, int64_t k, const double *a, int64_t lda,
           const double *b, int64_t ldb, double *c, int64_t ldc);

/// C (m x n) = A (m x k) * B (k x n) of integers, row-major, exactly: in
/// float when `bound` (the caller's bound on every partial sum's magnitude)
/// is below kFloatExactBound, else in double (exact below 2^53). `bFloat`
/// and `bDouble` are B converted once by the caller (only the one the
/// bound selects is read).
void exactIntegerGemm(int64_t m, int64_t n, int64_t k,
                      const std::vector<int64_t> &a,
                      const std::vector<float> &bFloat,
                      const std::vector<double> &bDouble, double bound,
                      std::vector<int64_t> &c);

} // namespace mlir::cim::numerics

#endif // CIM_NUMERICS_GEMM_H
