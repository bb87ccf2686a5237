//===- TileCrossbar.cpp - Weight matrices to crossbar tiles ---------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The tiling rule itself is lib/Hardware/CrossbarLayout; this pass applies it
// to every cim.mvm. Duplication is a whole-model decision (free crossbars are
// shared among layers), so the pass first plans every layer and then
// rewrites, instead of rewriting op by op with patterns.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimPasses.h"
#include "cim/Hardware/CrossbarLayout.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include <vector>

namespace mlir::cim {
#define GEN_PASS_DEF_CIMTILECROSSBAR
#include "cim/Dialect/Cim/CimPasses.h.inc"
} // namespace mlir::cim

using namespace mlir;
using namespace mlir::cim;

namespace {

struct LayerPlan {
  MvmOp mvm;
  PrecisionAttr precision;
  layout::Tiling tiling;
  int64_t invocations = 0;
  int64_t copies = 1;
  /// Packing of single-tile layers: place in a shared crossbar.
  std::optional<std::pair<int64_t, int64_t>> origin;
  std::optional<int64_t> bundle;

  int64_t crossbars() const { return int64_t(tiling.tiles.size()) * copies; }
  /// Relative MVM time: invocations x cycles x row groups, shared by copies.
  double time() const {
    int64_t groups = 0;
    for (const layout::Tile &t : tiling.tiles)
      groups = std::max(groups, t.groups);
    return double(invocations) * tiling.encoding.cycles * groups / copies;
  }
};

/// True if the two MVMs are groups of one convolution: im2cols of the same
/// input with the same window.
bool sameConvolution(MvmOp a, MvmOp b) {
  auto ia = a.getInput().getDefiningOp<Im2ColOp>();
  auto ib = b.getInput().getDefiningOp<Im2ColOp>();
  return ia && ib && ia.getInput() == ib.getInput() &&
         ia.getKernel() == ib.getKernel() &&
         ia.getStrides() == ib.getStrides() && ia.getPads() == ib.getPads() &&
         ia.getDilations() == ib.getDilations() &&
         a.getPrecisionAttr() == b.getPrecisionAttr();
}

/// kh*kw of a convolution whose MVM reads an im2col, else 1.
int64_t kernelAreaOf(MvmOp mvm) {
  if (auto im2col = mvm.getInput().getDefiningOp<Im2ColOp>())
    return im2col.getKernel()[0] * im2col.getKernel()[1];
  return 1;
}

struct CimTileCrossbarPass
    : public mlir::cim::impl::CimTileCrossbarBase<CimTileCrossbarPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<int64_t> fixedCopies;
    if (duplicate != "auto") {
      int64_t n;
      if (llvm::StringRef(duplicate).getAsInteger(10, n) || n < 1) {
        emitError(module.getLoc()) << "cim-tile-crossbar: duplicate must be a "
                                      "positive number or 'auto', got '"
                                   << duplicate << "'";
        return signalPassFailure();
      }
      fixedCopies = n;
    }

    FailureOr<TargetAttr> maybeTarget =
        requireTarget(module, "cim-tile-crossbar");
    if (failed(maybeTarget))
      return signalPassFailure();
    TargetAttr target = *maybeTarget;
    layout::Geometry geometry = layout::Geometry::fromTarget(target);
    std::vector<LayerPlan> plans;
    WalkResult walk = module.walk([&](MvmOp mvm) -> WalkResult {
      LayerPlan plan;
      plan.mvm = mvm;
      if (failed(planLayer(mvm, geometry, plan)))
        return WalkResult::interrupt();
      plans.push_back(std::move(plan));
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    if (fixedCopies) {
      for (LayerPlan &plan : plans)
        plan.copies = std::min(*fixedCopies, plan.invocations);
    } else {
      balanceCopies(plans, int64_t(target.getNumCrossbars()));
    }

    if (pack)
      packGroups(plans, geometry);

    IRRewriter rewriter(&getContext());
    for (LayerPlan &plan : plans)
      rewrite(rewriter, plan);
  }

  /// Places consecutive single-tile groups of one convolution along the
  /// diagonal of shared crossbars; a bundle of one keeps no attributes.
  static void packGroups(MutableArrayRef<LayerPlan> plans,
                         const layout::Geometry &geometry) {
    int64_t nextBundle = 0;
    LayerPlan *first = nullptr;
    int64_t rowsUsed = 0, colsUsed = 0, members = 0;
    auto close = [&] {
      if (first && members == 1) {
        first->origin.reset();
        first->bundle.reset();
        --nextBundle;
      }
      first = nullptr;
    };
    for (LayerPlan &plan : plans) {
      if (plan.tiling.tiles.size() != 1 ||
          !plan.mvm.getInput().getDefiningOp<Im2ColOp>()) {
        close();
        continue;
      }
      const layout::Tile &tile = plan.tiling.tiles.front();
      bool fits = first && sameConvolution(first->mvm, plan.mvm) &&
                  first->copies == plan.copies &&
                  rowsUsed + tile.physRows <= int64_t(geometry.rows) &&
                  colsUsed + tile.physCols <= int64_t(geometry.cols);
      if (!fits) {
        close();
        first = &plan;
        rowsUsed = colsUsed = members = 0;
        ++nextBundle;
      }
      plan.origin = std::make_pair(rowsUsed, colsUsed);
      plan.bundle = nextBundle - 1;
      rowsUsed += tile.physRows;
      colsUsed += tile.physCols;
      ++members;
    }
    close();
  }

  LogicalResult planLayer(MvmOp mvm, const layout::Geometry &geometry,
                          LayerPlan &plan) {
    auto in = cast<RankedTensorType>(mvm.getInput().getType());
    auto w = cast<RankedTensorType>(mvm.getWeight().getType());
    if (!in.hasStaticShape() || !w.hasStaticShape())
      return mvm.emitOpError() << "needs static shapes to be tiled";
    if (!matchPattern(mvm.getWeight(), m_Constant()))
      return mvm.emitOpError()
             << "needs a constant weight to be placed on crossbars";
    if (in.getDimSize(0) < 1)
      return mvm.emitOpError() << "has no invocations (P = 0) to place";
    plan.precision = mvm.getPrecisionAttr();
    if (!plan.precision)
      plan.precision = getDefaultPrecision(mvm, weightBits, actBits);
    if (!plan.precision)
      return failure();
    layout::Options options;
    options.referenceColumn = referenceColumn;
    options.channelAligned = channelAligned;
    options.kernelArea = kernelAreaOf(mvm);
    options.sliceWidths.assign(slices.begin(), slices.end());
    llvm::Expected<layout::Tiling> tiling = layout::tileMatrix(
        geometry, w.getDimSize(0), w.getDimSize(1),
        plan.precision.getWeightBits(), plan.precision.getActBits(), options);
    if (!tiling)
      return mvm.emitOpError()
             << "cannot be tiled on target '" << lookupTarget(mvm).getName()
             << "': " << llvm::toString(tiling.takeError());
    plan.tiling = std::move(*tiling);
    plan.invocations = in.getDimSize(0);
    return success();
  }

  /// Gives one more copy to the slowest layer while the chip has room for
  /// it; stops at the first layer that no longer fits, so the result is
  /// deterministic and never exceeds the chip.
  static void balanceCopies(MutableArrayRef<LayerPlan> plans,
                            int64_t available) {
    int64_t used = 0;
    for (const LayerPlan &plan : plans)
      used += plan.crossbars();
    while (!plans.empty()) {
      LayerPlan *slowest = &plans.front();
      for (LayerPlan &plan : plans)
        if (plan.time() > slowest->time())
          slowest = &plan;
      int64_t extra = int64_t(slowest->tiling.tiles.size());
      if (used + extra > available || slowest->copies >= slowest->invocations)
        return;
      used += extra;
      ++slowest->copies;
    }
  }

  void rewrite(IRRewriter &rewriter, const LayerPlan &plan) {
    MvmOp mvm = plan.mvm;
    rewriter.setInsertionPoint(mvm);
    Location loc = mvm.getLoc();
    auto outType = mvm.getType();
    Type element = outType.getElementType();
    int64_t p = outType.getDimSize(0);
    const layout::Tiling &t = plan.tiling;
    DenseI64ArrayAttr slicesAttr;
    if (!slices.empty())
      slicesAttr = rewriter.getDenseI64ArrayAttr(
          SmallVector<int64_t>(slices.begin(), slices.end()));

    SmallVector<Value> columns;
    for (int64_t c = 0; c < t.colTiles; ++c) {
      SmallVector<Value> partials;
      RankedTensorType partType;
      for (int64_t r = 0; r < t.rowTiles; ++r) {
        const layout::Tile &tile = t.tiles[r * t.colTiles + c];
        partType = RankedTensorType::get({p, tile.numCols()}, element);
        auto op = TileOp::create(
            rewriter, loc, partType, mvm.getInput(), mvm.getWeight(),
            rewriter.getDenseI64ArrayAttr({tile.rowBegin, tile.rowEnd}),
            rewriter.getDenseI64ArrayAttr({tile.colBegin, tile.colEnd}),
            rewriter.getDenseI64ArrayAttr({tile.physRows, tile.physCols}),
            rewriter.getI64IntegerAttr(tile.groups),
            rewriter.getI64IntegerAttr(plan.copies), DenseI64ArrayAttr(),
            IntegerAttr(),
            plan.origin ? rewriter.getDenseI64ArrayAttr(
                              {plan.origin->first, plan.origin->second})
                        : DenseI64ArrayAttr(),
            plan.bundle ? rewriter.getI64IntegerAttr(*plan.bundle)
                        : IntegerAttr(),
            slicesAttr, plan.precision);
        // Calibrated input ranges apply to every tile of the layer.
        if (Attribute calibration =
                mvm->getAttr(CimDialect::getCalibrationAttrName()))
          op->setAttr(CimDialect::getCalibrationAttrName(), calibration);
        // So do its calibrated ADC range and input signedness.
        // And fixed scales of a pre-quantized layer (the weight scales are
        // indexed by the layer's column, not the tile's).
        for (StringRef name : {CimDialect::getAdcRangeAttrName(),
                               CimDialect::getNonnegativeInputsAttrName(),
                               CimDialect::getSignedInputsAttrName(),
                               CimDialect::getInputOnesAttrName(),
                               CimDialect::getZeroCyclesAttrName(),
                               CimDialect::getActMaxOnesAttrName(),
                               CimDialect::getWeightMaxOnesAttrName(),
                               CimDialect::getInputScaleAttrName(),
                               CimDialect::getWeightScalesAttrName()})
          if (Attribute value = mvm->getAttr(name))
            op->setAttr(name, value);
        partials.push_back(op);
      }
      columns.push_back(
          partials.size() == 1
              ? partials.front()
              : AccumulateOp::create(rewriter, loc, partType, partials)
                    .getResult());
    }
    Value result = columns.size() == 1
                       ? columns.front()
                       : ConcatOp::create(rewriter, loc, outType, columns,
                                          rewriter.getI64IntegerAttr(1))
                             .getResult();
    rewriter.replaceOp(mvm, result);
  }
};

} // namespace
