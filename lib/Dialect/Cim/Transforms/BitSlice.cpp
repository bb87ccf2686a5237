//===- BitSlice.cpp - Crossbar tiles to explicit bit-sliced arithmetic ----===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Spells out, per tile, the arithmetic that lib/Numerics' crossbarMVM
// performs, so the instruction lowering and the cost model see every DAC
// cycle, cell plane, conversion and shift. The slicing rules (plane widths,
// cycle count, row groups, lossless ADC width) come from lib/Numerics via
// layout::encode, never recomputed here.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimPasses.h"
#include "cim/Hardware/CrossbarLayout.h"
#include "cim/Hardware/LayerConfig.h"
#include "cim/Numerics/CrossbarMVM.h"
#include "cim/Numerics/Quantize.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::cim {
#define GEN_PASS_DEF_CIMBITSLICE
#include "cim/Dialect/Cim/CimPasses.h.inc"
} // namespace mlir::cim

using namespace mlir;
using namespace mlir::cim;

namespace {

/// The arithmetic of one tile on the target, as lib/Numerics defines it.
struct TileArithmetic {
  numerics::CrossbarConfig config;
  layout::Encoding encoding;
  SmallVector<int64_t> cycleShifts, cycleSigns, planeShifts, planeSigns;
  int64_t weightOffset = 0, inputOffset = 0;
};

FailureOr<TileArithmetic> arithmeticOf(TileOp tile, TargetAttr target) {
  PrecisionAttr precision = tile.getPrecisionAttr();
  if (!precision)
    return tile.emitOpError() << "needs a precision to be bit-sliced";
  TileArithmetic a;
  a.config = cim::layerConfig(tile, target);
  numerics::CrossbarConfig &c = a.config;
  llvm::Expected<layout::Encoding> encoding =
      layout::encode(layout::Geometry::fromTarget(target), c.weightBits,
                     c.inputBits, c.sliceWidths);
  if (!encoding)
    return tile.emitOpError()
           << "cannot be bit-sliced: " << llvm::toString(encoding.takeError());
  a.encoding = std::move(*encoding);

  // Input cycles, least significant first; a two's-complement sign bit is a
  // cycle of its own that is subtracted.
  unsigned magnitude = c.inputSign == numerics::InputSign::twos_complement
                           ? c.inputBits - 1
                           : c.inputBits;
  for (unsigned at = 0; at < magnitude; at += c.dacBits) {
    a.cycleShifts.push_back(at);
    a.cycleSigns.push_back(1);
  }
  if (c.inputSign == numerics::InputSign::twos_complement) {
    a.cycleShifts.push_back(c.inputBits - 1);
    a.cycleSigns.push_back(-1);
  }
  // Weight planes: the slices (of the positive array, then the negative one
  // for differential columns), then the two's-complement sign plane.
  SmallVector<int64_t> offsets;
  unsigned at = 0;
  for (unsigned w : a.encoding.sliceWidths) {
    offsets.push_back(at);
    at += w;
  }
  a.planeShifts.append(offsets);
  a.planeSigns.append(offsets.size(), 1);
  if (c.weightSign == numerics::WeightSign::differential_columns) {
    a.planeShifts.append(offsets);
    a.planeSigns.append(offsets.size(), -1);
  }
  if (c.weightSign == numerics::WeightSign::twos_complement) {
    a.planeShifts.push_back(c.weightBits - 1);
    a.planeSigns.push_back(-1);
  }
  if (numerics::isOffsetWeights(c.weightSign))
    a.weightOffset = int64_t(1) << (c.weightBits - 1);
  if (c.inputSign == numerics::InputSign::offset)
    a.inputOffset = int64_t(1) << (c.inputBits - 1);
  return a;
}

struct CimBitSlicePass
    : public mlir::cim::impl::CimBitSliceBase<CimBitSlicePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetAttr> maybeTarget = requireTarget(module, "cim-bit-slice");
    if (failed(maybeTarget))
      return signalPassFailure();
    TargetAttr target = *maybeTarget;
    SmallVector<TileOp> tiles;
    module.walk([&](TileOp tile) { tiles.push_back(tile); });
    IRRewriter rewriter(&getContext());
    // One encoding per tensor, shared by all tiles reading it.
    DenseMap<std::pair<Value, int64_t>, Value> encoded;
    for (TileOp tile : tiles)
      if (failed(rewrite(rewriter, tile, target, encoded)))
        return signalPassFailure();
  }

  LogicalResult rewrite(IRRewriter &rewriter, TileOp tile, TargetAttr target,
                        DenseMap<std::pair<Value, int64_t>, Value> &encoded) {
    FailureOr<TileArithmetic> arithmetic = arithmeticOf(tile, target);
    if (failed(arithmetic))
      return failure();
    const TileArithmetic &a = *arithmetic;
    const numerics::CrossbarConfig &c = a.config;
    MLIRContext *ctx = &getContext();
    Location loc = tile.getLoc();
    // Digits and cells fit 8 signed bits unless the DAC or the cells are
    // 8 bits wide.
    Type i32 = IntegerType::get(ctx, 32);
    Type digitType = IntegerType::get(ctx, c.dacBits < 8 ? 8 : 16);
    Type cellType = IntegerType::get(ctx, c.cellBits < 8 ? 8 : 16);
    auto codesOf = [&](Value v, int64_t bits, bool isSigned,
                       bool narrow) -> Value {
      Value &slot = encoded[{v, bits * 4 + isSigned * 2 + narrow}];
      if (!slot) {
        OpBuilder::InsertionGuard guard(rewriter);
        rewriter.setInsertionPointAfterValue(v);
        auto type = cast<RankedTensorType>(v.getType());
        slot = EncodeOp::create(
            rewriter, loc, RankedTensorType::get(type.getShape(), i32), v,
            rewriter.getI64IntegerAttr(bits), rewriter.getBoolAttr(isSigned),
            rewriter.getBoolAttr(narrow), FloatAttr(),
            rewriter.getI64IntegerAttr(0));
      }
      return slot;
    };

    rewriter.setInsertionPoint(tile);
    Value xq = codesOf(tile.getInput(), c.inputBits,
                       c.inputSign != numerics::InputSign::unsigned_,
                       /*narrow=*/false);
    Value wq = codesOf(tile.getWeight(), c.weightBits, /*isSigned=*/true,
                       /*narrow=*/true);
    int64_t p = tile.getType().getDimSize(0);
    int64_t rows = tile.getRows()[1] - tile.getRows()[0];
    int64_t cols = tile.getColumns()[1] - tile.getColumns()[0];
    int64_t cycles = a.cycleShifts.size(), planes = a.planeShifts.size();
    int64_t groupRows = a.encoding.groupRows;
    int64_t groups = llvm::divideCeil(rows, groupRows);

    Value digits = DacCyclesOp::create(
        rewriter, loc, RankedTensorType::get({cycles, p, rows}, digitType), xq,
        tile.getRowsAttr(), rewriter.getI64IntegerAttr(c.inputBits),
        rewriter.getI64IntegerAttr(c.dacBits),
        InputSignAttr::get(ctx, toDialect(c.inputSign)));
    SmallVector<int64_t> widths(a.encoding.sliceWidths.begin(),
                                a.encoding.sliceWidths.end());
    Value cells = CellSlicesOp::create(
        rewriter, loc, RankedTensorType::get({planes, rows, cols}, cellType),
        wq, tile.getRowsAttr(), tile.getColumnsAttr(),
        rewriter.getI64IntegerAttr(c.weightBits),
        rewriter.getDenseI64ArrayAttr(widths),
        WeightSignAttr::get(ctx, toDialect(c.weightSign)));
    auto sumsType =
        RankedTensorType::get({groups, cycles, planes, p, cols}, i32);
    Value sums = CrossbarMvmOp::create(
        rewriter, loc, sumsType, digits, cells,
        rewriter.getI64IntegerAttr(groupRows), tile.getFootprintAttr(),
        tile.getCopiesAttr(), tile.getCrossbarsAttr(), tile.getEpochAttr(),
        tile.getOriginAttr(), tile.getBundleAttr(), tile.getPrecisionAttr());

    bool converting = c.adcMode == numerics::AdcMode::full_range ||
                      c.adcMode == numerics::AdcMode::clipped;
    IntegerAttr clipLow, clipHigh;
    if (c.adcMode == numerics::AdcMode::clipped) {
      // The calibrated range (cim-quantize), else every sum the tile can
      // produce (numerics::layerConfig).
      clipLow = rewriter.getI64IntegerAttr(c.clipLow);
      clipHigh = rewriter.getI64IntegerAttr(c.clipHigh);
    }
    Value converted = AdcOp::create(
        rewriter, loc, sumsType, sums,
        AdcModeAttr::get(ctx, toDialect(c.adcMode)),
        rewriter.getI64IntegerAttr(converting ? c.adcBits : 0),
        rewriter.getI64IntegerAttr(c.adcMode == numerics::AdcMode::full_range
                                       ? numerics::losslessAdcBits(c)
                                       : 0),
        clipLow, clipHigh);
    auto accType = RankedTensorType::get({p, cols}, i32);
    Value acc = ShiftAddOp::create(rewriter, loc, accType, converted,
                                   rewriter.getDenseI64ArrayAttr(a.cycleShifts),
                                   rewriter.getDenseI64ArrayAttr(a.cycleSigns),
                                   rewriter.getDenseI64ArrayAttr(a.planeShifts),
                                   rewriter.getDenseI64ArrayAttr(a.planeSigns));
    if (a.weightOffset || a.inputOffset)
      acc = OffsetCorrectOp::create(rewriter, loc, accType, acc, xq, wq,
                                    tile.getRowsAttr(), tile.getColumnsAttr(),
                                    rewriter.getI64IntegerAttr(a.weightOffset),
                                    rewriter.getI64IntegerAttr(a.inputOffset));
    rewriter.replaceOpWithNewOp<DecodeOp>(tile, tile.getType(), acc,
                                          FloatAttr());
    return success();
  }
};

} // namespace
