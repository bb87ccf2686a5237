//===- ImportONNXTranslation.cpp - cim-translate --import-onnx ------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimDialect.h"
#include "cim/Support/Limits.h"
#include "cim/Target/ImportONNX.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::cim;

static llvm::cl::OptionCategory onnxCategory("ONNX import options");

static llvm::cl::list<std::string>
    inputShapes("input-shape",
                llvm::cl::desc("Static shape of a graph input, "
                               "NAME:1x3x224x224 (repeatable)"),
                llvm::cl::cat(onnxCategory));

static llvm::cl::list<std::string> inputValues(
    "input-value",
    llvm::cl::desc("Fix a graph input to a constant, NAME=V[,V...] "
                   "(repeatable): e.g. a sample rate that an If tests"),
    llvm::cl::cat(onnxCategory));

static llvm::cl::opt<int64_t>
    defaultBatch("default-batch",
                 llvm::cl::desc("Value of a symbolic leading dimension"),
                 llvm::cl::init(1), llvm::cl::cat(onnxCategory));

/// Fills ImportONNXOptions from the command line.
static LogicalResult getOptions(ImportONNXOptions &options,
                                MLIRContext *context) {
  options.defaultBatch = defaultBatch;
  for (const std::string &spec : inputShapes) {
    std::string error;
    if (failed(parseInputShape(spec, options, error))) {
      emitError(UnknownLoc::get(context)) << error;
      return failure();
    }
  }
  for (const std::string &spec : inputValues) {
    std::string error;
    if (failed(parseInputValue(spec, options, error))) {
      emitError(UnknownLoc::get(context)) << error;
      return failure();
    }
  }
  return success();
}

int mlir::cim::importONNXMain(int argc, char **argv) {
  static llvm::cl::opt<std::string> inputFilename(
      llvm::cl::Positional, llvm::cl::desc("<input file>"), llvm::cl::Required);
  static llvm::cl::opt<std::string> outputFilename(
      "o", llvm::cl::desc("Output filename"), llvm::cl::value_desc("filename"),
      llvm::cl::init("-"));
  static llvm::cl::opt<bool> importFlag("import-onnx",
                                        llvm::cl::desc("Import an ONNX model"));
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerResourceLimitOptions();
  llvm::cl::ParseCommandLineOptions(argc, argv, "cim ONNX importer\n");

  DialectRegistry registry;
  registry.insert<CimDialect, func::FuncDialect>();
  MLIRContext context(registry);
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);

  ImportONNXOptions options;
  if (failed(getOptions(options, &context)))
    return 1;
  OwningOpRef<ModuleOp> module =
      importONNXFile(inputFilename, &context, options);
  if (!module)
    return 1;
  std::string error;
  auto output = openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << error << "\n";
    return 1;
  }
  module->print(output->os(), OpPrintingFlags());
  output->os() << "\n";
  output->keep();
  return 0;
}

void mlir::cim::registerImportONNXTranslation() {
  static TranslateToMLIRRegistration importONNXRegistration(
      "import-onnx", "import an ONNX model (binary or text form)",
      [](llvm::SourceMgr &sourceMgr,
         MLIRContext *context) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buffer =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        ImportONNXOptions options;
        if (failed(getOptions(options, context)))
          return nullptr;
        // A named file is re-read as a stream so that a large model is not
        // held twice (translate's buffer is a mapping we then never touch).
        StringRef name = buffer->getBufferIdentifier();
        if (name != "-" && name != "<stdin>" &&
            llvm::sys::fs::is_regular_file(name))
          return importONNXFile(name, context, options);
        return importONNX(buffer->getBuffer(), name, context, options);
      },
      [](DialectRegistry &registry) {
        registry.insert<CimDialect, func::FuncDialect>();
      });
}
