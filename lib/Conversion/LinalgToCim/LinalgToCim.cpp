//===- LinalgToCim.cpp - Linalg to the cim graph level ----------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Rewrites the Linalg form of a network (as upstream tosa-to-linalg produces
// it) into graph-level cim ops, so that the crossbar passes see the same
// cim.conv2d / cim.gemm (with bias) as for an imported ONNX model.
//
// The conversion is a set of greedy rewrite patterns, one per source op,
// in files by concern (Layout, Contractions, Pooling, Elementwise; helpers
// in Utils); this file holds the cleanup patterns and the pass.
// Source and cim ops share tensor types, so a partially converted function is
// valid IR: an op that cannot be mapped stays and is reported with a warning.
// NHWC ops are wrapped in cim.transposes; constant weights fold through them
// and the cleanup patterns move transposes through elementwise ops until the
// pairs cancel.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "cim/Conversion/Passes.h"
#include "cim/Dialect/Cim/CimPatterns.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cfloat>

namespace mlir::cim {
#define GEN_PASS_DEF_CONVERTLINALGTOCIM
#include "cim/Conversion/Passes.h.inc"
} // namespace mlir::cim

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::linalg_to_cim;

namespace {

//===----------------------------------------------------------------------===//
// Cleanup on the cim graph
//===----------------------------------------------------------------------===//

/// clip(x, 0, >= FLT_MAX) -> relu(x): what TOSA's ReLU (a clamp to
/// [0, FLT_MAX]) means, and the form the ONNX importer produces.
struct ClipToRelu : OpRewritePattern<cim::ClipOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(cim::ClipOp op,
                                PatternRewriter &rewriter) const override {
    // An inner clip merges first (cim's MergeClips), then this applies.
    if (!op.getMin().isZero() || op.getMax().convertToFloat() < FLT_MAX ||
        !llvm::isa<FloatType>(op.getType().getElementType()) ||
        op.getInput().getDefiningOp<cim::ClipOp>())
      return failure();
    rewriter.replaceOpWithNewOp<cim::ReluOp>(op, op.getType(), op.getInput());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

/// Ops the pass is responsible for: if one is left, it is reported.
bool isSourceOp(Operation *op) {
  if (llvm::isa<linalg::YieldOp, linalg::IndexOp, tensor::EmptyOp>(op))
    return false;
  Dialect *dialect = op->getDialect();
  if (llvm::isa_and_present<linalg::LinalgDialect, tensor::TensorDialect>(
          dialect))
    return true;
  return llvm::isa<arith::ConstantOp>(op) &&
         llvm::isa<RankedTensorType>(op->getResult(0).getType());
}

/// Lists the cim.constants at the top of each function's entry block in the
/// order of their first use. Folding creates constants in visiting order;
/// this order is the ONNX importer's (weight, then bias, layer by layer), so
/// both paths compile to byte-identical programs.
void sortConstantsByFirstUse(ModuleOp module) {
  module.walk([](FunctionOpInterface function) {
    if (function.isExternal())
      return;
    Block &entry = function.getFunctionBody().front();
    SmallVector<Operation *> order;
    DenseSet<Operation *> seen;
    function.walk<WalkOrder::PreOrder>([&](Operation *op) {
      for (Value operand : op->getOperands()) {
        Operation *def = operand.getDefiningOp();
        if (def && llvm::isa<cim::ConstantOp>(def) &&
            def->getBlock() == &entry && seen.insert(def).second)
          order.push_back(def);
      }
    });
    for (Operation *constant : llvm::reverse(order))
      constant->moveBefore(&entry, entry.begin());
  });
}

struct ConvertLinalgToCim
    : public cim::impl::ConvertLinalgToCimBase<ConvertLinalgToCim> {
  void runOnOperation() override;
};

} // namespace

static void populateLinalgToCimPatterns(RewritePatternSet &patterns,
                                        FailureLog &log) {
  // The order of the pattern list is the order of the pattern classes before
  // they moved into their files.
  populateLayoutPatterns(patterns, log);
  populateConvolutionPatterns(patterns, log);
  populatePoolingPatterns(patterns, log);
  populateMatmulPatterns(patterns, log);
  populateElementwisePatterns(patterns, log);
}

static void populateCimGraphCleanupPatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<ClipToRelu>(context);
  // Biases added after a conv or gemm (from its init) fold into the layer.
  cim::AddOp::getCanonicalizationPatterns(patterns, context);
  cim::populateLayoutCleanupPatterns(patterns);
  cim::ClipOp::getCanonicalizationPatterns(patterns, context);
}

void ConvertLinalgToCim::runOnOperation() {
  ModuleOp module = getOperation();
  // On a module without Linalg/tensor input (e.g. imported from ONNX) the
  // pass changes nothing.
  bool hasInput = false;
  module.walk([&](Operation *op) {
    if (isSourceOp(op)) {
      hasInput = true;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (!hasInput)
    return;

  FailureLog log;
  RewritePatternSet patterns(&getContext());
  populateLinalgToCimPatterns(patterns, log);
  populateCimGraphCleanupPatterns(patterns);
  GreedyRewriteConfig config;
  config.setListener(&log);
  // Not converging only means some cleanup is left to the canonicalizer.
  (void)applyPatternsGreedily(module, std::move(patterns), config);
  sortConstantsByFirstUse(module);

  module.walk([&](Operation *op) {
    // Ops nested in a Linalg or tensor op's region go with their parent.
    if (!isSourceOp(op) ||
        llvm::isa_and_present<linalg::LinalgDialect, tensor::TensorDialect>(
            op->getParentOp()->getDialect()))
      return;
    std::string reason = log.lookup(op);
    if (reason.empty())
      reason = "no cim operation corresponds to it";
    op->emitWarning() << "convert-linalg-to-cim: cannot map '" << op->getName()
                      << "': " << reason;
  });
}
