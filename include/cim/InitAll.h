//===- InitAll.h - Register everything cim provides -------------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// One place that lists the dialects, passes and translations of cim, used by
// cim-opt, cim-translate and the plugin.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_INITALL_H
#define CIM_INITALL_H

#include "cim/Analysis/Passes.h"
#include "cim/Conversion/Passes.h"
#include "cim/Dialect/Cim/CimDialect.h"
#include "cim/Dialect/Cim/CimPasses.h"
#include "cim/Pipelines/Pipelines.h"
#include "cim/Precision/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/DialectRegistry.h"

namespace mlir::cim {

/// Adds the cim dialect to `registry`.
inline void registerAllDialects(DialectRegistry &registry) {
  registry.insert<CimDialect>();
}

/// Registers every cim pass and pass pipeline with the global
/// registry, so `--cim-*` flags and pass-pipeline strings find them.
/// The dialects models arrive in besides cim (convert-tosa-to-cim and
/// convert-linalg-to-cim take them to the graph level), for tools that parse
/// such input.
inline void registerInputDialects(DialectRegistry &registry) {
  registry.insert<arith::ArithDialect, func::FuncDialect, linalg::LinalgDialect,
                  tensor::TensorDialect, tosa::TosaDialect>();
}

inline void registerAllPasses() {
  registerCimConversionPasses();
  registerCimPasses();
  registerCimAnalysisPasses();
  registerCimPrecisionPasses();
  registerCimPipelines();
}

} // namespace mlir::cim

#endif // CIM_INITALL_H
