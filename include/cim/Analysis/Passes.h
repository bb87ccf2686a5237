//===- Passes.h - Passes of the analysis layer ------------------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Passes that read the cost model (docs/design.md: the analysis layer).
//
//===----------------------------------------------------------------------===//

#ifndef CIM_ANALYSIS_PASSES_H
#define CIM_ANALYSIS_PASSES_H

#include "cim/Analysis/CostModel.h"
#include "cim/Dialect/Cim/CimOps.h"

#include "mlir/Pass/Pass.h"

namespace mlir::cim {

#define GEN_PASS_DECL
#include "cim/Analysis/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "cim/Analysis/Passes.h.inc"

} // namespace mlir::cim

#endif // CIM_ANALYSIS_PASSES_H
