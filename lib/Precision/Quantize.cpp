//===- Quantize.cpp - Weight scales, ADC ranges and bias correction -------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The quantizers that need data: clipped-ADC ranges from the column sums the
// crossbars convert (CIMQ's partial-sum clipping, chosen without training),
// and bias correction from the quantized model's own outputs. Both run the
// graph evaluator in quantized mode, so they see exactly the arithmetic
// `cim-run` and the compiled program execute.
//
//===----------------------------------------------------------------------===//

#include "cim/Numerics/Quantize.h"
#include "CalibrationData.h"
#include "cim/Hardware/LayerConfig.h"
#include "cim/Interpreter/GraphEvaluator.h"
#include "cim/Numerics/Gemm.h"
#include "cim/Precision/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/MapVector.h"

namespace mlir::cim {
#define GEN_PASS_DEF_CIMQUANTIZE
#include "cim/Precision/Passes.h.inc"
} // namespace mlir::cim

using namespace mlir;
using namespace mlir::cim;

namespace {

PrecisionAttr precisionOf(Operation *op) {
  return op->getAttrOfType<PrecisionAttr>("precision");
}

ArrayRef<int64_t> slicesOf(Operation *op) {
  if (auto tile = dyn_cast<TileOp>(op))
    if (std::optional<ArrayRef<int64_t>> s = tile.getSlices())
      return *s;
  return {};
}

struct CimQuantizePass
    : public mlir::cim::impl::CimQuantizeBase<CimQuantizePass> {
  using Base::Base;

  ModuleOp module;
  CalibrationData data;

  LogicalResult fail(const Twine &message) {
    emitError(module.getLoc()) << "cim-quantize: " << message;
    return failure();
  }

  /// The crossbar layers, in program order.
  SmallVector<Operation *> layers() {
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<MvmOp, TileOp>(op))
        ops.push_back(op);
    });
    return ops;
  }

  /// Runs every calibration batch in order (one thread: the column-sum
  /// sample depends on the order it is filled in).
  LogicalResult
  runAll(const eval::GraphEvaluator &evaluator, eval::Stats *stats,
         const eval::GraphEvaluator::Observer &observer,
         const std::function<void(const eval::Tensor &)> &onInput = {}) {
    if (llvm::Error error = runCalibrationBatches(
            evaluator, data, observer,
            onInput ? llvm::function_ref<void(const eval::Tensor &)>(onInput)
                    : nullptr,
            stats,
            /*numberedInvocations=*/true))
      return fail(llvm::toString(std::move(error)));
    return success();
  }

  LogicalResult setGranularity() {
    std::optional<ScaleGranularity> g = symbolizeScaleGranularity(granularity);
    if (!g)
      return fail("granularity must be tensor, channel, tile or tile_column, "
                  "got '" +
                  granularity + "'");
    for (Operation *op : layers()) {
      // Pre-quantized layers keep the scales they came with.
      if (CimDialect::hasFixedScales(op))
        continue;
      PrecisionAttr p = precisionOf(op);
      op->setAttr("precision",
                  PrecisionAttr::get(&getContext(), p ? p.getWeightBits() : 8,
                                     p ? p.getActBits() : 8,
                                     p ? p.getAdcBits() : 0, *g));
    }
    return success();
  }

  /// The model in quantized mode (the target's crossbar arithmetic), on
  /// the noisy crossbars with noise-seed.
  llvm::Expected<eval::GraphEvaluator>
  quantizedEvaluator(eval::Options options = {}) {
    options.quantize = true;
    options.noiseSeed = noise();
    return eval::GraphEvaluator::create(module, "main", options);
  }

  /// Runs the model in quantized mode on all calibration batches,
  /// collecting what `options` asks for.
  LogicalResult runQuantized(eval::Options options, eval::Stats &stats) {
    llvm::Expected<eval::GraphEvaluator> evaluator =
        quantizedEvaluator(options);
    if (!evaluator)
      return fail(llvm::toString(evaluator.takeError()));
    return runAll(*evaluator, &stats, {});
  }

  LogicalResult calibrateAdcRanges(TargetAttr target,
                                   numerics::AdcClipMethod method) {
    Builder b(&getContext());
    for (unsigned round = 0; round < rounds; ++round) {
      eval::Options options;
      options.recordColumnSums = true;
      eval::Stats stats;
      if (failed(runQuantized(options, stats)))
        return failure();
      for (Operation *op : layers()) {
        auto it = stats.columnSums.find(op);
        if (it == stats.columnSums.end())
          continue;
        // The widest range is the layer's own, whatever an earlier round
        // chose.
        numerics::LayerCalibration calibration = cim::layerCalibrationOf(op);
        calibration.adcRange.reset();
        numerics::CrossbarConfig config = cim::layerConfig(
            target, precisionOf(op), slicesOf(op), 8, 8, calibration);
        numerics::AdcRange range =
            numerics::chooseAdcRange(config, it->second, method);
        op->setAttr(CimDialect::getAdcRangeAttrName(),
                    b.getDenseI64ArrayAttr({range.low, range.high}));
      }
    }
    return success();
  }

  /// Per output column of every cim.mvm: the mean of float minus quantized
  /// results on the inputs the quantized model gives it.
  LogicalResult correctBiases() {
    struct Layer {
      std::vector<float> weights;
      int64_t k = 0, n = 0;
      std::vector<double> difference;
      int64_t rows = 0;
    };
    llvm::MapVector<Operation *, Layer> mvms;
    llvm::DenseMap<Value, int64_t> readers;
    for (Operation *op : layers()) {
      auto mvm = dyn_cast<MvmOp>(op);
      if (!mvm)
        return fail("bias-correction runs on the mapped level (cim.mvm), "
                    "before cim-tile-crossbar");
      DenseElementsAttr w;
      if (!matchPattern(mvm.getWeight(), m_Constant(&w)) ||
          !isa<FloatType>(w.getElementType()))
        continue;
      Layer &layer = mvms[op];
      auto type = cast<RankedTensorType>(w.getType());
      layer.k = type.getDimSize(0);
      layer.n = type.getDimSize(1);
      for (const APFloat &v : w.getValues<APFloat>())
        layer.weights.push_back(float(v.convertToDouble()));
      layer.difference.assign(layer.n, 0.0);
      ++readers[mvm.getInput()];
    }
    if (mvms.empty())
      return success();

    llvm::Expected<eval::GraphEvaluator> evaluator = quantizedEvaluator();
    if (!evaluator)
      return fail(llvm::toString(evaluator.takeError()));
    // Inputs of the layers, kept until their last reader has run.
    llvm::DenseMap<Value, std::pair<eval::Tensor, int64_t>> inputs;
    auto keep = [&](Value v, const eval::Tensor &t) {
      auto it = readers.find(v);
      if (it != readers.end())
        inputs[v] = {t, it->second};
    };
    Value argument = module.lookupSymbol<func::FuncOp>("main").getArgument(0);
    auto observer = [&](Operation *op, unsigned result, const eval::Tensor &t) {
      keep(op->getResult(result), t);
      auto layer = mvms.find(op);
      if (layer == mvms.end())
        return;
      Value in = cast<MvmOp>(op).getInput();
      auto &[x, left] = inputs[in];
      Layer &l = layer->second;
      int64_t p = t.shape[0];
      std::vector<float> xf(x.f), reference(p * l.n);
      if (x.isInteger)
        xf.assign(x.i.begin(), x.i.end());
      numerics::sgemm(p, l.n, l.k, xf.data(), l.k, l.weights.data(), l.n,
                      /*transB=*/false, reference.data(), l.n);
      for (int64_t i = 0; i < p; ++i)
        for (int64_t j = 0; j < l.n; ++j)
          l.difference[j] +=
              double(reference[i * l.n + j]) - double(t.f[i * l.n + j]);
      l.rows += p;
      if (--left == 0)
        inputs.erase(in);
    };
    if (failed(runAll(*evaluator, nullptr, observer,
                      [&](const eval::Tensor &t) { keep(argument, t); })))
      return failure();

    OpBuilder b(&getContext());
    for (auto &[op, layer] : mvms) {
      if (!layer.rows)
        continue;
      std::vector<float> correction(layer.n);
      for (int64_t j = 0; j < layer.n; ++j)
        correction[j] = float(layer.difference[j] / double(layer.rows));
      auto mvm = cast<MvmOp>(op);
      b.setInsertionPointAfter(op);
      auto type = RankedTensorType::get({layer.n}, b.getF32Type());
      Value constant = ConstantOp::create(
          b, op->getLoc(), type,
          DenseElementsAttr::get(type, llvm::ArrayRef<float>(correction)));
      Value corrected = AddOp::create(b, op->getLoc(), mvm.getType(),
                                      mvm.getOutput(), constant);
      mvm.getOutput().replaceAllUsesExcept(corrected,
                                           corrected.getDefiningOp());
    }
    return success();
  }

  /// The noise seed of the measurements, if any.
  std::optional<uint64_t> noise() const {
    if (noiseSeed < 0)
      return std::nullopt;
    return uint64_t(noiseSeed);
  }

  void runOnOperation() override {
    module = getOperation();
    if (noiseSeed < -1)
      return (void)fail("noise-seed must be -1 (off) or a seed >= 0"),
             signalPassFailure();
    std::optional<numerics::AdcClipMethod> method;
    switch (adcClip) {
    case AdcClip::mse:
      method = numerics::AdcClipMethod::mse;
      break;
    case AdcClip::sigma:
      method = numerics::AdcClipMethod::sigma;
      break;
    case AdcClip::max:
      method = numerics::AdcClipMethod::max;
      break;
    case AdcClip::none:
      break;
    }
    TargetAttr target = lookupTarget(module);
    if (!target)
      return (void)fail("needs the module's cim.target (cim-set-target)"),
             signalPassFailure();
    if (!module.lookupSymbol<func::FuncOp>("main"))
      return (void)fail("needs a @main function"), signalPassFailure();
    if (!granularity.empty() && failed(setGranularity()))
      return signalPassFailure();
    if (actMaxOnes && failed(restrictActivationCodes(target)))
      return signalPassFailure();
    if (weightMaxOnes && failed(markZeroBitPatterns()))
      return signalPassFailure();

    bool clipped = target.getAdc().getMode() == AdcMode::clipped;
    bool needData = (method && clipped) || biasCorrection || inputOnes;
    if (!needData)
      return;
    if (calib.empty())
      return (void)fail("needs calibration inputs: calib=FILE.npy"),
             signalPassFailure();
    {
      llvm::Expected<eval::GraphEvaluator> evaluator =
          eval::GraphEvaluator::create(module);
      if (!evaluator)
        return (void)fail(llvm::toString(evaluator.takeError())),
               signalPassFailure();
      llvm::Expected<CalibrationData> read =
          readCalibrationData(*evaluator, calib, samples);
      if (!read)
        return (void)fail(llvm::toString(read.takeError())),
               signalPassFailure();
      data = std::move(*read);
    }
    if (method && clipped && failed(calibrateAdcRanges(target, *method)))
      return signalPassFailure();
    if (biasCorrection && failed(correctBiases()))
      return signalPassFailure();
    // Last: the bits measured are those of the final quantization.
    if (inputOnes && failed(measureInputOnes()))
      return signalPassFailure();
  }

  /// Marks every crossbar layer with unsigned input codes
  /// `cim.act_max_ones`; signed codes (and pre-quantized layers, whose
  /// scale is fixed) keep the full grid.
  LogicalResult restrictActivationCodes(TargetAttr target) {
    if (actMaxOnes > 62)
      return fail("act-max-ones must be in [1, 62] (0 = off), got " +
                  Twine(unsigned(actMaxOnes)));
    Builder b(&getContext());
    for (Operation *op : layers()) {
      if (CimDialect::hasFixedScales(op))
        continue;
      numerics::CrossbarConfig config =
          cim::layerConfig(target, precisionOf(op), slicesOf(op), 8, 8,
                           cim::layerCalibrationOf(op));
      if (config.inputSign != numerics::InputSign::unsigned_) {
        op->removeAttr(CimDialect::getActMaxOnesAttrName());
        continue;
      }
      op->setAttr(CimDialect::getActMaxOnesAttrName(),
                  b.getI64IntegerAttr(int64_t(actMaxOnes)));
    }
    return success();
  }

  /// Marks every crossbar layer `cim.weight_max_ones` (ZEBRA); pre-quantized
  /// layers keep their codes.
  LogicalResult markZeroBitPatterns() {
    if (weightMaxOnes > 16)
      return fail("weight-max-ones must be in [1, 16] (0 = off), got " +
                  Twine(unsigned(weightMaxOnes)));
    Builder b(&getContext());
    for (Operation *op : layers())
      if (!CimDialect::hasFixedScales(op))
        op->setAttr(CimDialect::getWeightMaxOnesAttrName(),
                    b.getI64IntegerAttr(int64_t(weightMaxOnes)));
    return success();
  }

  /// Runs the quantized model on the calibration data and records, per
  /// crossbar layer, the fraction of its input bits that are 1
  /// (`cim.input_ones`, the cost model's p1) and of its row-group DAC cycles
  /// that are all zero (`cim.zero_cycles`).
  LogicalResult measureInputOnes() {
    eval::Options options;
    options.recordInputActivity = true;
    eval::Stats stats;
    if (failed(runQuantized(options, stats)))
      return failure();
    Builder b(&getContext());
    for (Operation *op : layers()) {
      auto it = stats.inputActivity.find(op);
      if (it == stats.inputActivity.end() || it->second.bits == 0)
        continue;
      const numerics::InputActivity &a = it->second;
      op->setAttr(CimDialect::getInputOnesAttrName(),
                  b.getF64FloatAttr(double(a.ones) / double(a.bits)));
      // Zero bits cluster (ReLU zeros, empty high bit planes): the measured
      // all-zero cycles, not an estimate from p1, are what skipping saves.
      op->setAttr(CimDialect::getZeroCyclesAttrName(),
                  b.getF64FloatAttr(double(a.zeroCycles) / double(a.cycles)));
    }
    return success();
  }
};

} // namespace
