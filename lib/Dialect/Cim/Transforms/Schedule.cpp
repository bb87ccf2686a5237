//===- Schedule.cpp - Instructions to cores, with synchronization ---------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The program order stays a topological order of the dataflow (cores run
// their own instructions in it); this pass decides where each instruction
// runs and where cores must wait for each other. Work follows the crossbars:
// a layer's tiles run on the cores that hold them, and the digital work
// around them stays next to its data.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimOps.h"
#include "cim/Dialect/Cim/CimPasses.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <map>

namespace mlir::cim {
#define GEN_PASS_DEF_CIMSCHEDULE
#include "cim/Dialect/Cim/CimPasses.h.inc"
} // namespace mlir::cim

using namespace mlir;
using namespace mlir::cim;

static constexpr llvm::StringLiteral kCoreAttr = CimDialect::getCoreAttrName();

/// True for ops that are instructions (constants are data, not code).
static bool isInstruction(Operation &op) {
  return !isa<ConstantOp, func::ReturnOp>(op) && op.getDialect() &&
         op.getDialect()->getNamespace() == "cim";
}

namespace {

struct CimSchedulePass
    : public mlir::cim::impl::CimScheduleBase<CimSchedulePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetAttr> target = requireTarget(module, "cim-schedule");
    if (failed(target))
      return signalPassFailure();
    int64_t perCore = (*target).getCrossbarsPerCore();
    for (func::FuncOp func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      if (func.getBody().getBlocks().size() != 1) {
        func.emitOpError() << "must have a single block to be scheduled";
        return signalPassFailure();
      }
      Block &body = func.getBody().front();
      // Weights of the first programming round are written before
      // inference starts.
      SmallVector<IsaProgramOp> programs;
      for (auto program : body.getOps<IsaProgramOp>())
        if (program.getEpoch() == 0)
          programs.push_back(program);
      for (IsaProgramOp program : llvm::reverse(programs)) {
        program->moveBefore(&body, body.begin());
        if (Operation *codes = program.getCodes().getDefiningOp())
          codes->moveBefore(program);
      }
      assignCores(body, perCore);
      insertSyncs(body);
    }
  }

  static std::optional<int64_t> coreOf(Value v) {
    Operation *def = v.getDefiningOp();
    if (!def)
      return std::nullopt;
    if (auto core = def->getAttrOfType<IntegerAttr>(kCoreAttr))
      return core.getInt();
    return std::nullopt;
  }

  void assignCores(Block &body, int64_t perCore) {
    OpBuilder b(body.getParentOp()->getContext());
    auto setCore = [&](Operation *op, int64_t core) {
      op->setAttr(kCoreAttr, b.getI64IntegerAttr(core));
    };
    // Crossbar instructions first: everything else follows them.
    for (Operation &op : body) {
      if (auto program = dyn_cast<IsaProgramOp>(op))
        setCore(&op, program.getCrossbars()[0] / perCore);
      else if (auto mvm = dyn_cast<IsaMvmOp>(op))
        setCore(&op, mvm.getCrossbars()[0] / perCore);
    }
    for (Operation &op : body) {
      if (!isInstruction(op) || op.hasAttr(kCoreAttr))
        continue;
      std::optional<int64_t> core;
      if (isa<IsaEncodeOp>(op)) {
        // Codes go where the first crossbar reading them is.
        IsaMvmOp first;
        for (Operation *user : op.getUsers())
          if (auto mvm = dyn_cast<IsaMvmOp>(user);
              mvm && (!first || mvm->isBeforeInBlock(first)))
            first = mvm;
        if (first)
          core = first.getCrossbars()[0] / perCore;
      }
      for (Value operand : op.getOperands()) {
        if (core)
          break;
        core = coreOf(operand);
      }
      setCore(&op, core.value_or(0));
    }
  }

  /// Before an instruction that reads a value another core wrote after the
  /// two cores last met, both wait at a new barrier.
  void insertSyncs(Block &body) {
    OpBuilder b(body.getParentOp()->getContext());
    // Position of each instruction, and of the last barrier per core pair.
    llvm::DenseMap<Operation *, int64_t> position;
    std::map<std::pair<int64_t, int64_t>, int64_t> lastBarrier;
    int64_t barrier = 0, at = 0;
    for (Operation &op : llvm::make_early_inc_range(body)) {
      position[&op] = at++;
      auto core = op.getAttrOfType<IntegerAttr>(kCoreAttr);
      if (!core || isa<IsaSyncOp>(op))
        continue;
      int64_t here = core.getInt();
      SmallVector<int64_t> waitFor;
      for (Value operand : op.getOperands()) {
        Operation *def = operand.getDefiningOp();
        std::optional<int64_t> there = coreOf(operand);
        if (!def || !there || *there == here ||
            llvm::is_contained(waitFor, *there))
          continue;
        auto pair = std::minmax(here, *there);
        auto last = lastBarrier.find({pair.first, pair.second});
        if (last != lastBarrier.end() && last->second > position[def])
          continue;
        waitFor.push_back(*there);
      }
      if (waitFor.empty())
        continue;
      b.setInsertionPoint(&op);
      SmallVector<int64_t> cores = {here};
      cores.append(waitFor);
      llvm::sort(cores);
      auto sync =
          IsaSyncOp::create(b, op.getLoc(), b.getI64IntegerAttr(barrier++),
                            b.getDenseI64ArrayAttr(cores));
      sync->setAttr(kCoreAttr, b.getI64IntegerAttr(here));
      position[sync] = at - 1;
      for (int64_t other : waitFor) {
        auto pair = std::minmax(here, other);
        lastBarrier[{pair.first, pair.second}] = at - 1;
      }
    }
  }
};

} // namespace
