//===- Limits.cpp - Resource limits on untrusted inputs -------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Support/Limits.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/ManagedStatic.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::cim;

static ResourceLimits &limitsStorage() {
  static ResourceLimits limits;
  return limits;
}

const ResourceLimits &mlir::cim::getResourceLimits() { return limitsStorage(); }

void mlir::cim::setResourceLimits(const ResourceLimits &limits) {
  limitsStorage() = limits;
}

llvm::cl::OptionCategory &mlir::cim::getResourceLimitCategory() {
  static llvm::cl::OptionCategory category("Resource limits");
  return category;
}

namespace {
/// The options write straight into the process-wide limits, so every tool
/// that registers them gets the same names and the same semantics.
struct LimitOptions {
  template <uint64_t ResourceLimits::*Field>
  static llvm::cl::opt<uint64_t> make(const char *name, const char *desc) {
    return llvm::cl::opt<uint64_t>(llvm::StringRef(name), llvm::cl::desc(desc),
                                   llvm::cl::init(ResourceLimits().*Field),
                                   llvm::cl::cat(getResourceLimitCategory()),
                                   llvm::cl::cb<void, uint64_t>([](uint64_t v) {
                                     limitsStorage().*Field = v;
                                   }));
  }
  llvm::cl::opt<uint64_t> tensorElements =
      make<&ResourceLimits::maxTensorElements>(
          "max-tensor-elements",
          "Reject a model or program declaring a tensor with more elements");
  llvm::cl::opt<uint64_t> totalElements =
      make<&ResourceLimits::maxTotalElements>(
          "max-total-elements",
          "Reject a program whose tensors hold more elements in all");
  llvm::cl::opt<uint64_t> modelBytes = make<&ResourceLimits::maxModelBytes>(
      "max-model-bytes", "Reject a model file (ONNX, .cimbin, .cimasm) larger "
                         "than this many bytes");
  llvm::cl::opt<uint64_t> instructions = make<&ResourceLimits::maxInstructions>(
      "max-instructions", "Reject a program with more instructions than this");
  llvm::cl::opt<uint64_t> steps = make<&ResourceLimits::maxSteps>(
      "max-steps", "Stop the interpreter after this many operations per run");
  llvm::cl::opt<uint64_t> arrayElements =
      make<&ResourceLimits::maxArrayElements>(
          "max-array-elements",
          "Reject a .npy array (inputs, calibration data) with more elements");
};
} // namespace

static llvm::ManagedStatic<LimitOptions> limitOptions;

void mlir::cim::registerResourceLimitOptions() { *limitOptions; }

llvm::Error mlir::cim::checkLimit(uint64_t value, uint64_t limit,
                                  const llvm::Twine &what, llvm::StringRef unit,
                                  llvm::StringRef option) {
  if (value <= limit)
    return llvm::Error::success();
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 what + " has " + llvm::Twine(value) + " " +
                                     unit + ", more than the limit of " +
                                     llvm::Twine(limit) + " (--" + option +
                                     ")");
}

int64_t mlir::cim::checkedProduct(llvm::ArrayRef<int64_t> shape) {
  int64_t product = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return -1;
    if (llvm::MulOverflow(product, d, product))
      return -1;
  }
  return product;
}
