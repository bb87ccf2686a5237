//===- fuzz-cimbin.cpp - Fuzz the program loader and interpreter ----------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Bytes -> readBinary (or parseAssembly when they lack the .cimbin magic)
// -> moduleFromProgram (op verifiers) -> GraphEvaluator on zero inputs, as
// cim-run does, under small element and step limits.
//
//===----------------------------------------------------------------------===//

#include "FuzzCommon.h"

#include "cim/Dialect/Cim/CimDialect.h"
#include "cim/Interpreter/GraphEvaluator.h"
#include "cim/Target/ISA.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;
using namespace mlir::cim;

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  fuzz::setFuzzLimits();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  llvm::Expected<isa::Program> program =
      isa::isBinary(bytes) ? isa::readBinary(bytes, "fuzz.cimbin")
                           : isa::parseAssembly(bytes, "fuzz.cimasm");
  if (!program) {
    llvm::consumeError(program.takeError());
    return 0;
  }
  DialectRegistry registry;
  registry.insert<CimDialect, func::FuncDialect>();
  MLIRContext context(registry, MLIRContext::Threading::DISABLED);
  fuzz::SilentDiagnostics silence(&context);
  llvm::Expected<OwningOpRef<ModuleOp>> module =
      isa::moduleFromProgram(*program, &context, "fuzz.cimbin");
  if (!module) {
    llvm::consumeError(module.takeError());
    return 0;
  }
  eval::Options options;
  // Odd-sized inputs also exercise the noise model.
  if (size % 2)
    options.noiseSeed = 1;
  llvm::Expected<eval::GraphEvaluator> evaluator =
      eval::GraphEvaluator::create(**module, program->entry, options);
  if (!evaluator) {
    llvm::consumeError(evaluator.takeError());
    return 0;
  }
  std::vector<eval::Tensor> inputs;
  for (llvm::ArrayRef<int64_t> shape : evaluator->getInputShapes()) {
    eval::Tensor t = eval::Tensor::floats(shape);
    // Inputs of the element limit's size at most (the .npy reader's bound).
    if (t.numElements() < 0 ||
        uint64_t(t.numElements()) > getResourceLimits().maxArrayElements)
      return 0;
    t.f.assign(t.numElements(), 0.5f);
    inputs.push_back(std::move(t));
  }
  eval::Stats stats;
  llvm::Expected<std::vector<eval::Tensor>> out =
      evaluator->run(inputs, &stats);
  if (!out)
    llvm::consumeError(out.takeError());
  return 0;
}
