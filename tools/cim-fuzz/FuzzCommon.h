//===- FuzzCommon.h - Shared setup of the libFuzzer targets -----*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Every fuzzer runs the library entry points in-process on small resource
// limits, so one input can neither allocate much nor run long: a timeout or
// an out-of-memory report then means a missing guard, not a big input.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TOOLS_CIM_FUZZ_FUZZCOMMON_H
#define CIM_TOOLS_CIM_FUZZ_FUZZCOMMON_H

#include "cim/Support/Limits.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

namespace mlir::cim::fuzz {

/// Small limits: 4096-element tensors, 1 MiB models, 256 instructions.
inline void setFuzzLimits() {
  ResourceLimits limits;
  limits.maxTensorElements = 1 << 12;
  limits.maxTotalElements = 1 << 16;
  limits.maxModelBytes = 1 << 20;
  limits.maxInstructions = 256;
  limits.maxSteps = 256;
  limits.maxArrayElements = 1 << 12;
  setResourceLimits(limits);
}

/// Diagnostics are the expected outcome of bad input: drop them instead of
/// printing megabytes to the fuzzer's log.
struct SilentDiagnostics : ScopedDiagnosticHandler {
  explicit SilentDiagnostics(MLIRContext *context)
      : ScopedDiagnosticHandler(context,
                                [](Diagnostic &) { return success(); }) {}
};

} // namespace mlir::cim::fuzz

/// Defaults for a fuzzer run by hand (scripts/fuzz.sh sets the same):
/// llvm/Support/Allocator.h poisons bump-allocator slabs in instrumented
/// code, but Debian's uninstrumented LLVM/MLIR allocates from them without
/// unpoisoning, so user poisoning must be off to avoid false reports.
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

#endif // CIM_TOOLS_CIM_FUZZ_FUZZCOMMON_H
