//===- Passes.h - Data-driven precision passes ------------------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Data-driven passes: calibration, equalization, quantization and the
// per-layer precision search (docs/design.md: the precision layer).
//
//===----------------------------------------------------------------------===//

#ifndef CIM_PRECISION_PASSES_H
#define CIM_PRECISION_PASSES_H

#include "cim/Dialect/Cim/CimOps.h"
#include "cim/Precision/Options.h"

#include "mlir/Pass/Pass.h"

namespace mlir::cim {

#define GEN_PASS_DECL
#include "cim/Precision/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "cim/Precision/Passes.h.inc"

} // namespace mlir::cim

#endif // CIM_PRECISION_PASSES_H
