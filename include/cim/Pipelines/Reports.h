//===- Reports.h - The compiler's human-readable reports --------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The plots cimc writes next to report.json (report.svg, pareto.svg).
//
//===----------------------------------------------------------------------===//

#ifndef CIM_PIPELINES_REPORTS_H
#define CIM_PIPELINES_REPORTS_H

#include "cim/Analysis/CostModel.h"

#include "llvm/Support/raw_ostream.h"

namespace mlir::cim {

/// One pair of bars per crossbar layer: modeled latency of `ours` against
/// `baseline` (uniform W8A8).
void writeLatencySvg(const cost::ModelCost &ours,
                     const cost::ModelCost &baseline, llvm::raw_ostream &os);

/// The search's measured policies (pareto.json, written by
/// cim-assign-precision) as a plot: speedup over the top of the ranges
/// against the loss, every point grey, the Pareto front blue. Fails when
/// the file is unreadable or has no points.
LogicalResult writeParetoSvg(llvm::StringRef jsonPath, llvm::raw_ostream &os);

} // namespace mlir::cim

#endif // CIM_PIPELINES_REPORTS_H
