//===- fuzz-target-json.cpp - Fuzz the target description loader ---------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Bytes -> parseTargetJSON -> (when accepted) targetToJSON -> parseTargetJSON
// again: a description the loader accepts must print back to one it accepts
// as the same attribute (Target.h promises the round trip).
//
//===----------------------------------------------------------------------===//

#include "FuzzCommon.h"

#include "cim/Dialect/Cim/CimDialect.h"
#include "cim/Analysis/CostModel.h"
#include "cim/Hardware/Target.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace mlir;
using namespace mlir::cim;

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  fuzz::setFuzzLimits();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  MLIRContext context(MLIRContext::Threading::DISABLED);
  context.loadDialect<CimDialect>();
  fuzz::SilentDiagnostics silence(&context);
  llvm::StringRef json(reinterpret_cast<const char *>(data), size);
  llvm::Expected<TargetAttr> target =
      parseTargetJSON(json, "fuzz.json", &context);
  if (!target) {
    llvm::consumeError(target.takeError());
    return 0;
  }
  // What the cost model derives from an accepted target must be computable.
  (void)cost::Rates::of(*target);
  std::string text;
  llvm::raw_string_ostream os(text);
  os << targetToJSON(*target);
  llvm::Expected<TargetAttr> again =
      parseTargetJSON(text, "roundtrip.json", &context);
  if (!again || *again != *target) {
    llvm::errs() << "target JSON does not round-trip:\n"
                 << text << "\n"
                 << (again ? std::string("(a different attribute)")
                           : llvm::toString(again.takeError()))
                 << "\n";
    std::abort();
  }
  return 0;
}
