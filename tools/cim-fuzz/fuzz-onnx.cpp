//===- fuzz-onnx.cpp - Fuzz the ONNX importer -----------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Bytes -> importONNX (binary protobuf or the ONNX text format, libonnx's
// checker and shape inference, every op handler) -> the cim verifier.
//
//===----------------------------------------------------------------------===//

#include "FuzzCommon.h"

#include "cim/Target/ImportONNX.h"

#include "mlir/IR/Verifier.h"

using namespace mlir;

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  cim::fuzz::setFuzzLimits();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A fresh context per input: attributes of one input never accumulate.
  MLIRContext context(MLIRContext::Threading::DISABLED);
  cim::fuzz::SilentDiagnostics silence(&context);
  cim::ImportONNXOptions options;
  // External data must not be read from the fuzzer's working directory.
  options.externalDataDir = "/nonexistent";
  OwningOpRef<ModuleOp> module = cim::importONNX(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.onnx",
      &context, options);
  if (module)
    (void)verify(*module);
  return 0;
}
