//===- Limits.h - Resource limits on untrusted inputs -----------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The one place that bounds what an input file may make the compiler or the
// interpreter allocate or execute (docs/reliability.md). Readers check a
// declared size against these limits before allocating anything, so a tiny
// file that declares a huge tensor fails fast with an error naming the file,
// the tensor and the limit (and the option that raises it).
//
// The limits are process-wide: tools set them once from the command line
// (registerResourceLimitOptions) before reading any input, and the fuzzers
// lower them; library code reads them with getResourceLimits().
//
//===----------------------------------------------------------------------===//

#ifndef CIM_SUPPORT_LIMITS_H
#define CIM_SUPPORT_LIMITS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace mlir::cim {

struct ResourceLimits {
  /// Elements of any one tensor a model or program declares (ONNX
  /// initializers and inferred shapes, .cimbin tensors, interpreter values).
  /// ResNet-50's largest tensor has 2^21; 2^28 float32 are 1 GiB.
  uint64_t maxTensorElements = uint64_t(1) << 28;
  /// Elements over all tensors of a compiled program.
  uint64_t maxTotalElements = uint64_t(1) << 31;
  /// Bytes of a model file (ONNX, .cimbin, .cimasm); protobuf itself cannot
  /// parse more than 2 GiB in one message (larger weights are external
  /// data, bounded per tensor above).
  uint64_t maxModelBytes = uint64_t(1) << 31;
  /// Instructions of a compiled program (.cimbin, .cimasm).
  uint64_t maxInstructions = uint64_t(1) << 24;
  /// Operations the interpreter executes in one run of a function.
  uint64_t maxSteps = uint64_t(1) << 32;
  /// Elements of one .npy array (a whole data set: inputs of cim-run,
  /// calibration and label files).
  uint64_t maxArrayElements = uint64_t(1) << 32;
};

/// The process-wide limits (the defaults above unless changed).
const ResourceLimits &getResourceLimits();

/// Replaces the process-wide limits. Call before reading inputs; not
/// synchronized with concurrent readers.
void setResourceLimits(const ResourceLimits &limits);

/// Registers --max-tensor-elements, --max-total-elements, --max-model-bytes,
/// --max-instructions, --max-steps and --max-array-elements with the LLVM
/// command line; parsing them updates the process-wide limits. Call before
/// llvm::cl::ParseCommandLineOptions (or MlirOptMain / mlirTranslateMain).
void registerResourceLimitOptions();

/// The category of those options (for cl::HideUnrelatedOptions).
llvm::cl::OptionCategory &getResourceLimitCategory();

/// An error "WHAT has N ELEMENTS, more than the limit of M (--OPTION)", or
/// success when `value` <= `limit`.
llvm::Error checkLimit(uint64_t value, uint64_t limit, const llvm::Twine &what,
                       llvm::StringRef unit, llvm::StringRef option);

/// The product of `shape`, or -1 for a negative dimension or a product
/// beyond int64.
int64_t checkedProduct(llvm::ArrayRef<int64_t> shape);

} // namespace mlir::cim

#endif // CIM_SUPPORT_LIMITS_H
