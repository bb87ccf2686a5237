//===- Calibrate.cpp - Activation statistics from calibration data --------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The float graph evaluator runs the model on calibration inputs; an
// observer collects the values entering each crossbar layer. Magnitudes are
// kept in a bounded, deterministic sample (every k-th value) for percentiles
// and the MSE search.
//
//===----------------------------------------------------------------------===//

#include "CalibrationData.h"
#include "cim/Hardware/LayerConfig.h"
#include "cim/Interpreter/GraphEvaluator.h"
#include "cim/Numerics/Quantize.h"
#include "cim/Precision/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"

#include <algorithm>
#include <cmath>

namespace mlir::cim {
#define GEN_PASS_DEF_CIMCALIBRATE
#include "cim/Precision/Passes.h.inc"
} // namespace mlir::cim

using namespace mlir;
using namespace mlir::cim;

namespace {

/// Values kept per tensor for percentiles and the MSE search.
constexpr size_t kSampleBudget = 1 << 18;
/// Widths (bits of code magnitude) with their own MSE clip.
constexpr unsigned kMaxClipBits = 16;

struct Statistics {
  double min = INFINITY, max = -INFINITY, absmax = 0;
  std::vector<float> sample;
  uint64_t seen = 0;

  void add(const eval::Tensor &t) {
    int64_t n = t.numElements();
    // Keep every k-th value so the sample stays within budget whatever the
    // number of batches (deterministic, unlike reservoir sampling).
    int64_t stride = std::max<int64_t>(1, n / int64_t(kSampleBudget / 64));
    for (int64_t e = 0; e < n; ++e) {
      double v = t.isInteger ? double(t.i[e]) : double(t.f[e]);
      min = std::min(min, v);
      max = std::max(max, v);
      absmax = std::max(absmax, std::fabs(v));
      if (e % stride == 0 && sample.size() < kSampleBudget)
        sample.push_back(float(v));
    }
    ++seen;
  }
};

/// Squared error of quantizing `sample` with `levels` steps over [0, clip]
/// (unsigned codes: negative values become 0) or [-clip, clip] (signed).
double quantizationError(llvm::ArrayRef<float> sample, double clip,
                         double levels, bool isSigned) {
  double step = clip / levels, error = 0;
  for (float v : sample) {
    double q = std::clamp(double(v), isSigned ? -clip : 0.0, clip);
    q = std::nearbyint(q / step) * step;
    error += (q - v) * (q - v);
  }
  return error;
}

struct CimCalibratePass
    : public mlir::cim::impl::CimCalibrateBase<CimCalibratePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (calib.empty()) {
      emitError(module.getLoc()) << "cim-calibrate needs calibration inputs: "
                                    "calib=FILE.npy";
      return signalPassFailure();
    }
    if (!(percentile > 0.0 && percentile <= 100.0)) {
      emitError(module.getLoc())
          << "cim-calibrate: percentile must be in (0, 100], "
             "got "
          << double(percentile);
      return signalPassFailure();
    }
    llvm::Expected<eval::GraphEvaluator> evaluator =
        eval::GraphEvaluator::create(module);
    if (!evaluator) {
      emitError(module.getLoc())
          << "cim-calibrate: " << llvm::toString(evaluator.takeError());
      return signalPassFailure();
    }
    llvm::Expected<CalibrationData> data =
        readCalibrationData(*evaluator, calib, samples);
    if (!data) {
      emitError(module.getLoc())
          << "cim-calibrate: " << llvm::toString(data.takeError());
      return signalPassFailure();
    }

    // The crossbar layers and the values that feed them.
    llvm::DenseMap<Value, Statistics> stats;
    SmallVector<std::pair<Operation *, Value>> layers;
    module.walk([&](Operation *op) {
      Value input;
      if (auto mvm = dyn_cast<MvmOp>(op))
        input = mvm.getInput();
      else if (auto tile = dyn_cast<TileOp>(op))
        input = tile.getInput();
      else if (auto gemm = dyn_cast<GemmOp>(op);
               gemm && matchPattern(gemm.getWeight(), m_Constant()))
        input = gemm.getInput();
      if (input) {
        layers.push_back({op, input});
        stats.try_emplace(input);
      }
    });

    auto observer = [&](Operation *op, unsigned result, const eval::Tensor &t) {
      auto it = stats.find(op->getResult(result));
      if (it != stats.end())
        it->second.add(t);
    };
    // Arguments are not op results: the input is observed directly.
    Value argument =
        layers.empty()
            ? Value()
            : Value(module.lookupSymbol<func::FuncOp>("main").getArgument(0));
    auto onInput = [&](const eval::Tensor &input) {
      if (argument && stats.count(argument))
        stats[argument].add(input);
    };
    if (llvm::Error error =
            runCalibrationBatches(*evaluator, *data, observer, onInput)) {
      emitError(module.getLoc())
          << "cim-calibrate: " << llvm::toString(std::move(error));
      return signalPassFailure();
    }

    TargetAttr target = lookupTarget(module);
    bool signedInputs = target && target.getInputSign() != InputSign::unsigned_;
    Builder b(&getContext());
    for (auto [op, input] : layers) {
      Statistics &s = stats[input];
      // Pre-quantized layers keep their input scale and signedness.
      if (s.seen == 0 || CimDialect::hasFixedScales(op))
        continue;
      auto precision = op->getAttrOfType<PrecisionAttr>("precision");
      unsigned bits = precision ? precision.getActBits() : 8;
      // Inputs never seen negative on a target that drives signed ones (the
      // outputs of a ReLU, say) are marked; numerics::layerConfig decides
      // whether they become unsigned codes, and the clip follows.
      if (signedInputs && nonnegativeInputs && s.min >= 0.0 &&
          target.getInputSign() == InputSign::twos_complement)
        op->setAttr(CimDialect::getNonnegativeInputsAttrName(),
                    UnitAttr::get(&getContext()));
      else
        op->removeAttr(CimDialect::getNonnegativeInputsAttrName());
      // Negative inputs on a target that drives unsigned ones would be cut
      // to zero: they are driven with an offset instead.
      if (target && !signedInputs && s.min < 0.0)
        op->setAttr(CimDialect::getSignedInputsAttrName(),
                    UnitAttr::get(&getContext()));
      else
        op->removeAttr(CimDialect::getSignedInputsAttrName());
      bool isSigned =
          target && cim::layerConfig(target, precision, {}, 8, 8,
                                     cim::layerCalibrationOf(op))
                            .inputSign != numerics::InputSign::unsigned_;
      double levels = isSigned ? double((int64_t(1) << (bits - 1)) - 1)
                               : double((int64_t(1) << bits) - 1);
      // Unsigned inputs only use the positive side; their clip covers max.
      double top = isSigned ? s.absmax : std::max(s.max, 0.0);
      double clip = top;
      if (method == ClipMethod::percentile && !s.sample.empty()) {
        // Of the magnitudes a code can represent: |x| when signed, the
        // positive part when not.
        std::vector<float> range;
        for (float v : s.sample)
          range.push_back(isSigned ? std::fabs(v) : std::max(v, 0.0f));
        std::sort(range.begin(), range.end());
        size_t at =
            std::min(range.size() - 1, size_t(double(percentile) / 100.0 *
                                              double(range.size() - 1)));
        clip = std::min(top, double(range[at]));
      } else if (method == ClipMethod::mse && top > 0) {
        double best = INFINITY;
        for (int k = 1; k <= 100; ++k) {
          double candidate = top * k / 100.0;
          double error =
              quantizationError(s.sample, candidate, levels, isSigned);
          if (error < best) {
            best = error;
            clip = candidate;
          }
        }
      }
      if (!(clip > 0))
        clip = top > 0 ? top : 1.0;
      SmallVector<NamedAttribute> fields = {
          b.getNamedAttr("min", b.getF64FloatAttr(s.min)),
          b.getNamedAttr("max", b.getF64FloatAttr(s.max)),
          b.getNamedAttr("absmax", b.getF64FloatAttr(s.absmax)),
          b.getNamedAttr("clip", b.getF64FloatAttr(clip)),
          b.getNamedAttr("method",
                         b.getStringAttr(stringifyClipMethod(method))),
          b.getNamedAttr("samples", b.getI64IntegerAttr(int64_t(s.seen)))};
      if (method == ClipMethod::mse && top > 0 && !s.sample.empty()) {
        // The best clip depends on the width: a precision search tries
        // other activation bits than these, and a 3-bit code wants a much
        // tighter range than an 8-bit one. clips[m-1] serves codes with
        // 2^m - 1 levels of magnitude (CimDialect::getInputClip); the
        // layer's own width keeps the clip above, the others are chosen on
        // a subsample (deterministic stride) to bound the work.
        std::vector<float> subsample;
        size_t stride = std::max<size_t>(1, s.sample.size() / 16384);
        for (size_t i = 0; i < s.sample.size(); i += stride)
          subsample.push_back(s.sample[i]);
        SmallVector<double> clips;
        for (unsigned m = 1; m <= kMaxClipBits; ++m) {
          double width = double((int64_t(1) << m) - 1);
          if (width == levels) {
            clips.push_back(clip);
            continue;
          }
          double best = INFINITY, chosen = top;
          for (int k = 1; k <= 100; ++k) {
            double candidate = top * k / 100.0;
            double error =
                quantizationError(subsample, candidate, width, isSigned);
            if (error < best) {
              best = error;
              chosen = candidate;
            }
          }
          clips.push_back(chosen);
        }
        fields.push_back(
            b.getNamedAttr("clips", b.getDenseF64ArrayAttr(clips)));
      }
      op->setAttr(CimDialect::getCalibrationAttrName(),
                  b.getDictionaryAttr(fields));
    }
  }
};

} // namespace
