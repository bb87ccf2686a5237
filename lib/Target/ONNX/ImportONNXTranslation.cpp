//===- ImportONNXTranslation.cpp - cim-translate --import-onnx ------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimDialect.h"
#include "cim/Target/ImportONNX.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using namespace mlir::cim;

static llvm::cl::OptionCategory onnxCategory("ONNX import options");

static llvm::cl::list<std::string>
    inputShapes("input-shape",
                llvm::cl::desc("Static shape of a graph input, "
                               "NAME:1x3x224x224 (repeatable)"),
                llvm::cl::cat(onnxCategory));

static llvm::cl::opt<int64_t>
    defaultBatch("default-batch",
                 llvm::cl::desc("Value of a symbolic leading dimension"),
                 llvm::cl::init(1), llvm::cl::cat(onnxCategory));

void mlir::cim::registerImportONNXTranslation() {
  static TranslateToMLIRRegistration importONNXRegistration(
      "import-onnx", "import an ONNX model (binary or text form)",
      [](llvm::SourceMgr &sourceMgr,
         MLIRContext *context) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buffer =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        ImportONNXOptions options;
        options.defaultBatch = defaultBatch;
        for (const std::string &spec : inputShapes) {
          std::string error;
          if (failed(parseInputShape(spec, options, error))) {
            emitError(UnknownLoc::get(context)) << error;
            return nullptr;
          }
        }
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
