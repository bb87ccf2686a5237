//===- Map.cpp - Crossbar tiles to cores and crossbars --------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Placement is a single pass over the tiles in program order: each copy of a
// tile takes the next free crossbar, so a layer's tiles sit on neighbouring
// crossbars of as few cores as possible and layers follow each other the way
// a weight-stationary pipeline streams through the chip.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimPasses.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::cim {
#define GEN_PASS_DEF_CIMMAP
#include "cim/Dialect/Cim/CimPasses.h.inc"
} // namespace mlir::cim

using namespace mlir;
using namespace mlir::cim;

namespace {

struct CimMapPass : public mlir::cim::impl::CimMapBase<CimMapPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetAttr> maybeTarget = requireTarget(module, "cim-map");
    if (failed(maybeTarget))
      return signalPassFailure();
    TargetAttr target = *maybeTarget;
    SmallVector<Operation *> tiles;
    int64_t needed = 0, widest = 0;
    DenseSet<int64_t> bundles;
    module.walk([&](Operation *op) {
      if (isa<TileOp, CrossbarMvmOp>(op)) {
        tiles.push_back(op);
        // Tiles of one bundle share their crossbars.
        std::optional<int64_t> bundle = bundleOf(op);
        if (!bundle || bundles.insert(*bundle).second)
          needed += copiesOf(op);
        widest = std::max(widest, copiesOf(op));
      }
    });
    int64_t available = int64_t(target.getNumCrossbars());
    if ((needed > available && !target.getWeightReprogramming()) ||
        widest > available) {
      emitError(module.getLoc())
          << "the model needs " << needed << " crossbars, target '"
          << target.getName() << "' has " << available << " ("
          << target.getCores() << " cores x " << target.getCrossbarsPerCore()
          << "); use fewer weight bits or copies, or a target "
             "with weight_reprogramming";
      return signalPassFailure();
    }

    Builder b(&getContext());
    int64_t next = 0;
    DenseMap<int64_t, std::pair<SmallVector<int64_t>, IntegerAttr>> placed;
    for (Operation *op : tiles) {
      int64_t copies = copiesOf(op);
      std::optional<int64_t> bundle = bundleOf(op);
      SmallVector<int64_t> ids;
      IntegerAttr epoch;
      if (bundle && placed.count(*bundle)) {
        std::tie(ids, epoch) = placed[*bundle];
      } else {
        // A tile's copies share one programming round.
        if (next % available + copies > available)
          next += available - next % available;
        for (int64_t i = 0; i < copies; ++i)
          ids.push_back((next + i) % available);
        if (needed > available)
          epoch = b.getI64IntegerAttr(next / available);
        next += copies;
        if (bundle)
          placed[*bundle] = {ids, epoch};
      }
      auto place = [&](auto tile) {
        tile.setCrossbarsAttr(b.getDenseI64ArrayAttr(ids));
        tile.setEpochAttr(epoch);
      };
      if (auto tile = dyn_cast<TileOp>(op))
        place(tile);
      else
        place(cast<CrossbarMvmOp>(op));
    }
  }

  static std::optional<int64_t> bundleOf(Operation *op) {
    if (auto tile = dyn_cast<TileOp>(op))
      return tile.getBundle();
    return cast<CrossbarMvmOp>(op).getBundle();
  }

  static int64_t copiesOf(Operation *op) {
    if (auto tile = dyn_cast<TileOp>(op))
      return tile.getCopies();
    return cast<CrossbarMvmOp>(op).getCopies();
  }
};

} // namespace
