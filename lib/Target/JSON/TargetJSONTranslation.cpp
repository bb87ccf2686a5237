//===- TargetJSONTranslation.cpp - Target description translations -------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimDialect.h"
#include "cim/Hardware/Target.h"
#include "cim/Target/TargetJSON.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using namespace mlir::cim;

void mlir::cim::registerTargetJSONTranslations() {
  static TranslateToMLIRRegistration importTarget(
      "import-target-json",
      "read a target description (JSON) into an empty module carrying it",
      [](llvm::SourceMgr &sourceMgr,
         MLIRContext *context) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buffer =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        // The message names the file already.
        Location loc = UnknownLoc::get(context);
        llvm::Expected<TargetAttr> target = parseTargetJSON(
            buffer->getBuffer(), buffer->getBufferIdentifier(), context);
        if (!target) {
          emitError(loc) << llvm::toString(target.takeError());
          return nullptr;
        }
        OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
        (*module)->setAttr(CimDialect::getTargetAttrName(), *target);
        return module;
      },
      [](DialectRegistry &registry) { registry.insert<CimDialect>(); });

  static TranslateFromMLIRRegistration exportTarget(
      "export-target-json",
      "write the cim.target of a module as a JSON target description",
      [](Operation *op, raw_ostream &os) -> LogicalResult {
        auto target =
            op->getAttrOfType<TargetAttr>(CimDialect::getTargetAttrName());
        if (!target)
          return op->emitError()
                 << "no '" << CimDialect::getTargetAttrName()
                 << "' attribute to export (run cim-set-target first)";
        os << llvm::formatv("{0:2}", targetToJSON(target)) << "\n";
        return success();
      },
      [](DialectRegistry &registry) {
        registry.insert<CimDialect, func::FuncDialect>();
      });
}
