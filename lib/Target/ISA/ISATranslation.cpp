//===- ISATranslation.cpp - cim-translate entry points for the ISA --------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimDialect.h"
#include "cim/Target/ISA.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::isa;

/// The program in the main buffer, binary or text.
static llvm::Expected<Program> readProgram(llvm::SourceMgr &sourceMgr) {
  const llvm::MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  llvm::StringRef name = buffer->getBufferIdentifier();
  if (isBinary(buffer->getBuffer()))
    return readBinary(buffer->getBuffer(), name);
  return parseAssembly(buffer->getBuffer(), name);
}

static void registerDialects(DialectRegistry &registry) {
  registry.insert<CimDialect, func::FuncDialect>();
}

static LogicalResult emit(Operation *op, raw_ostream &os, bool binary) {
  auto module = dyn_cast<ModuleOp>(op);
  if (!module)
    return op->emitError() << "expected a module";
  llvm::Expected<Program> program = programFromModule(module);
  if (!program)
    return emitError(op->getLoc()) << llvm::toString(program.takeError());
  if (binary)
    writeBinary(*program, os);
  else
    writeAssembly(*program, os);
  return success();
}

static OwningOpRef<Operation *> import(llvm::SourceMgr &sourceMgr,
                                       MLIRContext *context) {
  Location loc = UnknownLoc::get(context);
  llvm::Expected<Program> program = readProgram(sourceMgr);
  if (!program) {
    emitError(loc) << llvm::toString(program.takeError());
    return nullptr;
  }
  llvm::StringRef name = sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID())
                             ->getBufferIdentifier();
  llvm::Expected<OwningOpRef<ModuleOp>> module =
      moduleFromProgram(*program, context, name);
  if (!module) {
    emitError(loc) << llvm::toString(module.takeError());
    return nullptr;
  }
  return OwningOpRef<Operation *>(module->release());
}

/// Reads a program in either format and writes it in the other.
static LogicalResult convert(llvm::SourceMgr &sourceMgr, raw_ostream &os,
                             MLIRContext *context, bool binary) {
  llvm::Expected<Program> program = readProgram(sourceMgr);
  if (!program)
    return emitError(UnknownLoc::get(context))
           << llvm::toString(program.takeError());
  if (binary)
    writeBinary(*program, os);
  else
    writeAssembly(*program, os);
  return success();
}

void isa::registerISATranslations() {
  static TranslateFromMLIRRegistration exportBin(
      "export-cim-bin",
      "write a scheduled instruction-level module as a .cimbin program",
      [](Operation *op, raw_ostream &os) { return emit(op, os, true); },
      registerDialects);
  static TranslateFromMLIRRegistration exportAsm(
      "export-cim-asm",
      "write a scheduled instruction-level module as cim assembly",
      [](Operation *op, raw_ostream &os) { return emit(op, os, false); },
      registerDialects);
  static TranslateToMLIRRegistration importBin(
      "import-cim-bin",
      "read a .cimbin program into the instruction-level cim IR", import,
      registerDialects);
  static TranslateToMLIRRegistration importAsm(
      "import-cim-asm", "read cim assembly into the instruction-level cim IR",
      import, registerDialects);
  // Format conversions that do not go through the IR.
  static TranslateRegistration asmToBin(
      "cim-asm-to-bin", "assemble: cim assembly to .cimbin",
      [](const std::shared_ptr<llvm::SourceMgr> &sourceMgr, raw_ostream &os,
         MLIRContext *context) {
        return convert(*sourceMgr, os, context, /*binary=*/true);
      });
  static TranslateRegistration binToAsm(
      "cim-bin-to-asm", "disassemble: .cimbin to cim assembly",
      [](const std::shared_ptr<llvm::SourceMgr> &sourceMgr, raw_ostream &os,
         MLIRContext *context) {
        return convert(*sourceMgr, os, context, /*binary=*/false);
      });
}
