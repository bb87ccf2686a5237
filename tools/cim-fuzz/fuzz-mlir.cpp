//===- fuzz-mlir.cpp - Fuzz the cim dialect and its pipeline --------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Text -> the MLIR parser with the dialects cim-opt loads -> the verifiers
// -> cim-compile-pipeline on the isaac target (graph, mapped and instruction
// levels) -> the program emitter and the .cimbin writer and reader.
//
//===----------------------------------------------------------------------===//

#include "FuzzCommon.h"

#include "cim/InitAll.h"
#include "cim/Target/ISA.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;
using namespace mlir::cim;

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  fuzz::setFuzzLimits();
  return 0;
}

/// The harness's own bound: passes walk constants element by element, so a
/// short text declaring a huge splat would only measure the machine.
static bool withinLimits(Operation *op) {
  uint64_t limit = getResourceLimits().maxTensorElements;
  auto small = [&](Type type) {
    auto shaped = dyn_cast<ShapedType>(type);
    return !shaped || !shaped.hasStaticShape() ||
           uint64_t(shaped.getNumElements()) <= limit;
  };
  return !op->walk([&](Operation *nested) {
              for (Type t : nested->getResultTypes())
                if (!small(t))
                  return WalkResult::interrupt();
              for (Region &region : nested->getRegions())
                for (Block &block : region)
                  for (BlockArgument arg : block.getArguments())
                    if (!small(arg.getType()))
                      return WalkResult::interrupt();
              return WalkResult::advance();
            }).wasInterrupted();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static DialectRegistry *registry = [] {
    auto *r = new DialectRegistry();
    registerAllDialects(*r);
    r->insert<arith::ArithDialect, func::FuncDialect, tensor::TensorDialect>();
    return r;
  }();
  MLIRContext context(*registry, MLIRContext::Threading::DISABLED);
  fuzz::SilentDiagnostics silence(&context);
  // The MLIR lexer reads up to a terminating NUL, as every file buffer has;
  // libFuzzer's buffer has none, so parse a copy that does.
  std::string text(reinterpret_cast<const char *>(data), size);
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(text, ParserConfig(&context), "fuzz.mlir");
  if (!module || failed(verify(*module)) || !withinLimits(*module))
    return 0;
  PassManager pm(&context);
  CompilePipelineOptions options;
  options.target = "isaac";
  if (failed(buildCompilePipeline(pm, options)) || failed(pm.run(*module)))
    return 0;
  llvm::Expected<isa::Program> program = isa::programFromModule(*module);
  if (!program) {
    llvm::consumeError(program.takeError());
    return 0;
  }
  std::string bytes;
  llvm::raw_string_ostream os(bytes);
  isa::writeBinary(*program, os);
  llvm::Expected<isa::Program> again = isa::readBinary(bytes, "fuzz.cimbin");
  if (!again)
    llvm::consumeError(again.takeError());
  return 0;
}
