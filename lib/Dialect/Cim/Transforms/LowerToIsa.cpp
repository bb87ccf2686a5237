//===- LowerToIsa.cpp - Placed tiles to instruction-level ops -------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Each placed `cim.tile` becomes PROGRAM (its weight codes), ENCODE (shared
// by every tile reading the same tensor at the same code range), MVM and
// DECODE. Quantization goes through lib/Numerics/Quantize, the functions the
// graph evaluator's simulated quantization uses, so the program computes
// what the evaluator computes (docs/numerics.md, identity 2).
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimOps.h"
#include "cim/Dialect/Cim/CimPasses.h"
#include "cim/Hardware/LayerConfig.h"
#include "cim/Numerics/Quantize.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>
#include <map>
#include <tuple>

namespace mlir::cim {
#define GEN_PASS_DEF_CIMLOWERTOISA
#include "cim/Dialect/Cim/CimPasses.h.inc"
} // namespace mlir::cim

using namespace mlir;
using namespace mlir::cim;

namespace {

/// accumulate(decode(a, x, s), decode(b, x, s), ...) -> decode(accumulate(a,
/// b, ...), x, s): row tiles with one input and one set of column scales add
/// exactly as integers, which is what the digital unit does.
struct AccumulateDecoded : OpRewritePattern<AccumulateOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AccumulateOp op,
                                PatternRewriter &rewriter) const override {
    SmallVector<Value> accumulators;
    IsaDecodeOp first;
    for (Value partial : op.getPartials()) {
      auto decode = partial.getDefiningOp<IsaDecodeOp>();
      // Floating-point tiles scale every group on its own: no integer sum.
      if (!decode || decode.getFp())
        return failure();
      if (!first)
        first = decode;
      else if (decode.getCodes() != first.getCodes() ||
               decode.getScales() != first.getScales())
        return failure();
      accumulators.push_back(decode.getInput());
    }
    Value sum = AccumulateOp::create(rewriter, op.getLoc(),
                                     first.getInput().getType(), accumulators);
    rewriter.replaceOpWithNewOp<IsaDecodeOp>(
        op, op.getType(), sum, first.getCodes(), first.getScalesAttr(),
        FpAttr(), DenseI64ArrayAttr(), IntegerAttr());
    return success();
  }
};

struct CimLowerToIsaPass
    : public mlir::cim::impl::CimLowerToIsaBase<CimLowerToIsaPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetAttr> target = requireTarget(module, "cim-lower-to-isa");
    if (failed(target))
      return signalPassFailure();
    WalkResult checked = module.walk([&](Operation *op) {
      if (isa<EncodeOp, DecodeOp, DacCyclesOp, CellSlicesOp, CrossbarMvmOp,
              AdcOp, ShiftAddOp, OffsetCorrectOp>(op)) {
        op->emitOpError() << "is bit-sliced: lower to the instruction level "
                             "from the tiled level (cim-tile-crossbar, "
                             "cim-map, without cim-bit-slice); one MVM "
                             "instruction performs this arithmetic";
        return WalkResult::interrupt();
      }
      auto layer = dyn_cast<CrossbarLayerOpInterface>(op);
      if ((layer && !layer.isTile()) || isa<Conv2dOp>(op) ||
          (isa<MatmulOp>(op) &&
           op->getOperand(1).getDefiningOp<ConstantOp>())) {
        op->emitOpError() << "has constant weights but is not tiled: run "
                             "cim-lower-conv and cim-tile-crossbar first";
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (checked.wasInterrupted())
      return signalPassFailure();

    SmallVector<TileOp> tiles;
    module.walk([&](TileOp tile) { tiles.push_back(tile); });
    IRRewriter rewriter(&getContext());
    int64_t stream = 0;
    for (TileOp tile : tiles)
      if (failed(lower(rewriter, tile, *target, stream++)))
        return signalPassFailure();
    // Float weights are now codes.
    SmallVector<ConstantOp> dead;
    module.walk([&](ConstantOp c) {
      if (c->use_empty())
        dead.push_back(c);
    });
    for (ConstantOp c : dead)
      c->erase();

    RewritePatternSet patterns(&getContext());
    patterns.add<AccumulateDecoded>(&getContext());
    if (failed(applyPatternsGreedily(module, std::move(patterns))))
      return signalPassFailure();
  }

  LogicalResult lower(IRRewriter &rewriter, TileOp tile, TargetAttr target,
                      int64_t stream) {
    PrecisionAttr precision = tile.getPrecisionAttr();
    if (!precision)
      return tile.emitOpError() << "needs a precision to be lowered to "
                                   "instructions (cim-tile-crossbar sets it)";
    std::optional<ArrayRef<int64_t>> crossbars = tile.getCrossbars();
    if (!crossbars)
      return tile.emitOpError()
             << "is not placed on crossbars: run cim-map first";
    auto weight = tile.getWeight().getDefiningOp<ConstantOp>();
    auto dense = weight ? dyn_cast<DenseElementsAttr>(weight.getValue())
                        : DenseElementsAttr();
    if (!dense || !isa<FloatType>(dense.getElementType()))
      return tile.emitOpError()
             << "needs constant float weights to program a crossbar";
    numerics::CrossbarConfig config = cim::layerConfig(tile, target);
    if (llvm::Error error = numerics::verifyConfig(config))
      return tile.emitOpError() << "cannot run on target '" << target.getName()
                                << "': " << llvm::toString(std::move(error));

    // Weight codes of the tile, as the evaluator quantizes them (from the
    // float32 values; a matrix is decoded once for all its tiles).
    auto wType = cast<RankedTensorType>(dense.getType());
    int64_t k = wType.getDimSize(0), n = wType.getDimSize(1);
    std::vector<double> &w = decoded[weight];
    if (w.empty())
      w = floatValues(dense, /*viaFloat32=*/true);
    // Non-finite weights (e.g. a folded batch norm with zero variance and
    // epsilon) have no code; say which instead of quantizing garbage.
    if (auto bad = llvm::find_if(w, [](double v) { return !std::isfinite(v); });
        bad != w.end())
      return tile.emitOpError() << "weight element " << (bad - w.begin())
                                << " of the " << k << "x" << n << " matrix is "
                                << *bad << "; crossbar weights must be finite";
    int64_t r0 = tile.getRows()[0], r1 = tile.getRows()[1];
    int64_t c0 = tile.getColumns()[0], c1 = tile.getColumns()[1];
    FpAttr fpAttr = precision.getFp();
    numerics::WeightCodes codes;
    std::optional<numerics::FpCimConfig> fp;
    SmallVector<int64_t> exponents;
    if (fpAttr) {
      // Floating point: block-floating-point mantissas, one shared exponent
      // per row group and column, groups counted from the input's column 0.
      fp = cim::fpConfigOf(fpAttr, config);
      if (r0 % fp->groupRows != 0)
        return tile.emitOpError()
               << "starts at row " << r0 << ", inside an alignment group of "
               << fp->groupRows << " rows: floating-point tiles must start "
               << "on a row group";
      numerics::FpWeights aligned = numerics::fpWeightsOf(
          [&](int64_t e) { return w[e]; }, n, r0, r1, c0, c1, *fp);
      codes.codes = std::move(aligned.mantissas);
      codes.scales.assign(c1 - c0, 1.0);
      exponents.assign(aligned.exponents.begin(), aligned.exponents.end());
    } else {
      codes = tileWeightCodes(
          tile, config, [&](int64_t e) { return w[e]; }, k, n);
    }
    MLIRContext *ctx = &getContext();
    Type i32 = IntegerType::get(ctx, 32);
    auto codesType = RankedTensorType::get({r1 - r0, c1 - c0}, i32);
    SmallVector<int32_t> codes32(codes.codes.begin(), codes.codes.end());

    Location loc = tile.getLoc();
    rewriter.setInsertionPoint(tile);
    Value codesValue = ConstantOp::create(
        rewriter, loc, DenseIntElementsAttr::get(codesType, codes32));
    Value programmed = IsaProgramOp::create(
        rewriter, loc, codesValue, rewriter.getDenseI64ArrayAttr(*crossbars),
        tile.getEpochAttr() ? tile.getEpochAttr()
                            : rewriter.getI64IntegerAttr(0));

    // One ENCODE per tensor, code range and clip, right after the tensor.
    numerics::CodeRange range = numerics::inputCodeRange(config);
    std::optional<double> clip =
        fp ? std::nullopt : CimDialect::getInputClip(tile, range.max);
    Value input = tile.getInput();
    unsigned maxOnes = fp ? 0 : cim::layerCalibrationOf(tile).actMaxOnes;
    auto key = std::make_tuple(input.getAsOpaquePointer(), range.min, range.max,
                               clip ? *clip : -1.0, maxOnes,
                               fpAttr.getAsOpaquePointer());
    Value &encoded = encodings[key];
    if (!encoded) {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointAfterValue(input);
      auto inType = cast<RankedTensorType>(input.getType());
      encoded = IsaEncodeOp::create(
          rewriter, loc, RankedTensorType::get(inType.getShape(), i32), input,
          rewriter.getI64IntegerAttr(range.min),
          rewriter.getI64IntegerAttr(range.max),
          clip ? rewriter.getF64FloatAttr(*clip) : FloatAttr(), fpAttr,
          fp ? rewriter.getI64IntegerAttr(fp->groupRows) : IntegerAttr());
      // The sparse code grid travels with the ENCODE, so cim-run quantizes
      // as the evaluator did.
      if (maxOnes)
        encoded.getDefiningOp()->setAttr(
            CimDialect::getActMaxOnesAttrName(),
            rewriter.getI64IntegerAttr(int64_t(maxOnes)));
    }
    int64_t p = tile.getType().getDimSize(0);
    // Floating point: every row group's sums apart (they scale differently).
    int64_t groupCols = fp ? int64_t(tile.getGroups()) : 1;
    auto accType = RankedTensorType::get({p, (c1 - c0) * groupCols}, i32);
    Value acc = IsaMvmOp::create(
        rewriter, loc, accType, encoded, programmed, tile.getRowsAttr(),
        precision, tile.getSlicesAttr(), rewriter.getI64IntegerAttr(stream),
        rewriter.getDenseI64ArrayAttr(*crossbars), tile.getFootprintAttr(),
        tile.getOriginAttr(), tile.getGroupsAttr(),
        tile.getEpochAttr() ? tile.getEpochAttr()
                            : rewriter.getI64IntegerAttr(0),
        tile.getBundleAttr());
    // Calibration travels with the instruction.
    for (StringRef name : {CimDialect::getAdcRangeAttrName(),
                           CimDialect::getNonnegativeInputsAttrName(),
                           CimDialect::getSignedInputsAttrName(),
                           CimDialect::getInputOnesAttrName(),
                           CimDialect::getZeroCyclesAttrName(),
                           CimDialect::getWeightMaxOnesAttrName()})
      if (Attribute value = tile->getAttr(name))
        acc.getDefiningOp()->setAttr(name, value);
    rewriter.replaceOpWithNewOp<IsaDecodeOp>(
        tile, tile.getType(), acc, encoded,
        rewriter.getDenseF64ArrayAttr(codes.scales), fpAttr,
        fp ? rewriter.getDenseI64ArrayAttr(exponents) : DenseI64ArrayAttr(),
        fp ? rewriter.getI64IntegerAttr(r0 / fp->groupRows) : IntegerAttr());
    return success();
  }

  std::map<std::tuple<const void *, int64_t, int64_t, double, unsigned,
                      const void *>,
           Value>
      encodings;
  DenseMap<Operation *, std::vector<double>> decoded;
};

} // namespace
