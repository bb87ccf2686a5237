// Compiles a TOSA, Linalg or cim module to a .cimbin with cim's pipeline,
// from outside the cim source tree (docs/interop.md).
#include "cim/InitAll.h"
#include "cim/Target/ISA.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    llvm::errs() << "usage: my-compiler input.mlir PIPELINE\n";
    return 2;
  }
  mlir::DialectRegistry registry;
  mlir::cim::registerAllDialects(registry);
  mlir::cim::registerInputDialects(registry);
  mlir::cim::registerAllPasses();
  mlir::MLIRContext context(registry);

  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(argv[1], &context);
  if (!module)
    return 1;
  mlir::PassManager pm(&context);
  if (mlir::failed(mlir::parsePassPipeline(argv[2], pm, llvm::errs())) ||
      mlir::failed(pm.run(*module)))
    return 1;
  llvm::Expected<mlir::cim::isa::Program> program =
      mlir::cim::isa::programFromModule(*module);
  if (!program) {
    llvm::errs() << llvm::toString(program.takeError()) << "\n";
    return 1;
  }
  mlir::cim::isa::writeBinary(*program, llvm::outs());
  return 0;
}
