//===- Gemm.cpp - Dense matrix products on BLAS ---------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Numerics/Gemm.h"

#include <cblas.h>

#include <algorithm>

using namespace mlir::cim;

/// Makes OpenBLAS single-threaded, once per process (see Gemm.h: results
/// must not depend on the core count).
static void pinBlasThreads() {
  static const bool pinned = [] {
    openblas_set_num_threads(1);
    return true;
  }();
  (void)pinned;
}

void numerics::sgemm(int64_t m, int64_t n, int64_t k, const float *a,
                     int64_t lda, const float *b, int64_t ldb, bool transB,
                     float *c, int64_t ldc) {
  if (m == 0 || n == 0)
    return;
  if (k == 0) {
    for (int64_t i = 0; i < m; ++i)
      std::fill_n(c + i * ldc, n, 0.0f);
    return;
  }
  pinBlasThreads();
  cblas_sgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
              int(m), int(n), int(k), 1.0f, a, int(lda), b, int(ldb), 0.0f, c,
              int(ldc));
}

void numerics::dgemm(int64_t m, int64_t n, int64_t k, const double *a,
                     int64_t lda, const double *b, int64_t ldb, double *c,
                     int64_t ldc) {
  if (m == 0 || n == 0)
    return;
  if (k == 0) {
    for (int64_t i = 0; i < m; ++i)
      std::fill_n(c + i * ldc, n, 0.0);
    return;
  }
  pinBlasThreads();
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), int(n), int(k),
              1.0, a, int(lda), b, int(ldb), 0.0, c, int(ldc));
}

void numerics::exactIntegerGemm(int64_t m, int64_t n, int64_t k,
                                const std::vector<int64_t> &a,
                                const std::vector<float> &bFloat,
                                const std::vector<double> &bDouble,
                                double bound, std::vector<int64_t> &c) {
  if (!m || !n)
    return;
  // Scratch buffers are reused: per-tile allocations would dominate.
  if (bound < kFloatExactBound) {
    thread_local std::vector<float> fa, fc;
    fa.assign(a.begin(), a.end());
    fc.resize(m * n);
    sgemm(m, n, k, fa.data(), k, bFloat.data(), n, false, fc.data(), n);
    for (int64_t e = 0; e < m * n; ++e)
      c[e] = int64_t(fc[e]);
    return;
  }
  thread_local std::vector<double> da, dc;
  da.assign(a.begin(), a.end());
  dc.assign(m * n, 0.0);
  dgemm(m, n, k, da.data(), k, bDouble.data(), n, dc.data(), n);
  for (int64_t e = 0; e < m * n; ++e)
    c[e] = int64_t(dc[e]);
}
