//===- Equalize.cpp - Cross-layer equalization of activation ranges -------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A crossbar's inputs share one quantization range per tensor, its weights
// have one per output channel. A positive per-channel scale that commutes
// with the ops between two layers moves range from the activations into the
// next layer's weights without changing the float function, so channels
// with small ranges stop wasting the shared activation levels.
//
//===----------------------------------------------------------------------===//

#include "CalibrationData.h"
#include "cim/Dialect/Cim/FloatConstants.h"
#include "cim/Interpreter/GraphEvaluator.h"
#include "cim/Precision/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"

#include <algorithm>
#include <cmath>

namespace mlir::cim {
#define GEN_PASS_DEF_CIMEQUALIZE
#include "cim/Precision/Passes.h.inc"
} // namespace mlir::cim

using namespace mlir;
using namespace mlir::cim;

namespace {

/// Two layers joined by channel-wise positively homogeneous ops.
struct Pair {
  Operation *producer;
  Operation *consumer;
  /// The consumer's input (the last op of the chain, or the producer).
  Value joint;
  int64_t channels;
  /// Consumer input features per channel (H*W after a flatten of NCHW).
  int64_t featuresPerChannel;
};

bool hasFloatConstantWeights(Operation *op) {
  if (!isa<Conv2dOp, GemmOp>(op) || CimDialect::hasFixedScales(op))
    return false;
  auto type = dyn_cast<RankedTensorType>(op->getOperand(1).getType());
  if (!type || !isa<FloatType>(type.getElementType()) ||
      !matchPattern(op->getOperand(1), m_Constant()))
    return false;
  if (op->getNumOperands() < 3)
    return true;
  // The producer's bias is scaled with its channels: a constant vector.
  auto bias = dyn_cast<RankedTensorType>(op->getOperand(2).getType());
  return bias && bias.getRank() == 1 &&
         matchPattern(op->getOperand(2), m_Constant());
}

/// Output channels of a layer: conv2d filters (NCHW dim 1), gemm columns.
int64_t outputChannels(Operation *op) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  return type.getRank() >= 2 ? type.getDimSize(1) : 0;
}

/// Follows `producer`'s single-use chain to a layer that can absorb the
/// scales, or returns nullopt.
std::optional<Pair> findPair(Operation *producer) {
  if (!hasFloatConstantWeights(producer))
    return std::nullopt;
  int64_t channels = outputChannels(producer);
  if (isa<GemmOp>(producer) &&
      cast<RankedTensorType>(producer->getResult(0).getType()).getRank() != 2)
    return std::nullopt;
  if (auto bias =
          producer->getNumOperands() > 2 ? producer->getOperand(2) : Value())
    if (cast<RankedTensorType>(bias.getType()).getDimSize(0) != channels)
      return std::nullopt;
  Value value = producer->getResult(0);
  int64_t perChannel = 1;
  while (true) {
    if (!value.hasOneUse())
      return std::nullopt;
    Operation *user = *value.getUsers().begin();
    if (isa<ReluOp, LeakyReluOp, MaxPool2dOp, AvgPool2dOp, GlobalAvgPool2dOp>(
            user)) {
      value = user->getResult(0);
      continue;
    }
    if (isa<FlattenOp, ReshapeOp>(user) && perChannel == 1) {
      // NCHW rows flattened channel-major: channel c owns H*W features.
      auto in = dyn_cast<RankedTensorType>(user->getOperand(0).getType());
      auto out = dyn_cast<RankedTensorType>(user->getResult(0).getType());
      if (!in || !out || !in.hasStaticShape() || !out.hasStaticShape() ||
          in.getRank() != 4 || out.getRank() != 2 ||
          in.getDimSize(0) != out.getDimSize(0) || in.getDimSize(1) != channels)
        return std::nullopt;
      perChannel = in.getDimSize(2) * in.getDimSize(3);
      value = user->getResult(0);
      continue;
    }
    if (!hasFloatConstantWeights(user) || user->getOperand(0) != value)
      return std::nullopt;
    // The consumer must read every channel: conv2d over NCHW channels, gemm
    // over its K rows.
    auto weight = cast<RankedTensorType>(user->getOperand(1).getType());
    if (isa<Conv2dOp>(user) &&
        (perChannel != 1 ||
         cast<RankedTensorType>(value.getType()).getDimSize(1) != channels))
      return std::nullopt;
    if (isa<GemmOp>(user) && weight.getDimSize(0) != channels * perChannel)
      return std::nullopt;
    return Pair{producer, user, value, channels, perChannel};
  }
}

/// The consumer's weights as (index -> input channel).
int64_t inputChannelOf(Operation *consumer, ArrayRef<int64_t> shape,
                       int64_t index, const Pair &pair) {
  if (auto conv = dyn_cast<Conv2dOp>(consumer)) {
    // [F, C/G, kh, kw]: filter f of group f / (F/G) reads channels
    // g*(C/G) .. (g+1)*(C/G)-1.
    int64_t perFilter = shape[1] * shape[2] * shape[3];
    int64_t f = index / perFilter,
            i = (index % perFilter) / (shape[2] * shape[3]);
    int64_t groups = conv.getGroups();
    return (f / (shape[0] / groups)) * shape[1] + i;
  }
  // gemm [K, N]: row k.
  return (index / shape[1]) / pair.featuresPerChannel;
}

struct CimEqualizePass
    : public mlir::cim::impl::CimEqualizeBase<CimEqualizePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (calib.empty()) {
      emitError(module.getLoc())
          << "cim-equalize needs calibration inputs: calib=FILE.npy";
      return signalPassFailure();
    }
    if (!(alpha >= 0.0 && alpha <= 1.0)) {
      emitError(module.getLoc())
          << "cim-equalize: alpha must be in [0, 1], got " << double(alpha);
      return signalPassFailure();
    }
    if (!(maxScale >= 1.0)) {
      emitError(module.getLoc())
          << "cim-equalize: max-scale must be at least 1, got "
          << double(maxScale);
      return signalPassFailure();
    }

    SmallVector<Pair> pairs;
    module.walk([&](Operation *op) {
      if (std::optional<Pair> pair = findPair(op))
        pairs.push_back(*pair);
    });
    if (pairs.empty())
      return;

    // Per-channel ranges at every consumer's input, from one float pass
    // over the calibration data. Scaling a consumer's input leaves its
    // output alone, so ranges measured before any change stay valid.
    llvm::Expected<eval::GraphEvaluator> evaluator =
        eval::GraphEvaluator::create(module);
    if (!evaluator) {
      emitError(module.getLoc())
          << "cim-equalize: " << llvm::toString(evaluator.takeError());
      return signalPassFailure();
    }
    llvm::Expected<CalibrationData> data =
        readCalibrationData(*evaluator, calib, samples);
    if (!data) {
      emitError(module.getLoc())
          << "cim-equalize: " << llvm::toString(data.takeError());
      return signalPassFailure();
    }
    llvm::DenseMap<Value, std::pair<const Pair *, SmallVector<double>>> ranges;
    for (const Pair &pair : pairs)
      ranges[pair.joint] = {&pair, SmallVector<double>(pair.channels, 0.0)};
    auto observer = [&](Operation *op, unsigned result, const eval::Tensor &t) {
      auto it = ranges.find(op->getResult(result));
      if (it == ranges.end() || t.isInteger || t.shape.size() < 2)
        return;
      const Pair &pair = *it->second.first;
      SmallVector<double> &r = it->second.second;
      // NCHW: channel is dim 1 with H*W inner elements; flattened rows:
      // feature k of a row belongs to channel k / featuresPerChannel.
      int64_t inner = 1;
      for (size_t d = 2; d < t.shape.size(); ++d)
        inner *= t.shape[d];
      int64_t row = t.shape[1] * inner;
      // The static types promise this; a value of another shape is not
      // measured rather than read out of bounds.
      if (t.shape[1] != pair.channels * pair.featuresPerChannel ||
          int64_t(t.f.size()) != t.numElements())
        return;
      for (int64_t e = 0, n = t.numElements(); e < n; ++e) {
        int64_t c = (e % row) / inner / pair.featuresPerChannel;
        r[c] = std::max(r[c], double(std::fabs(t.f[e])));
      }
    };
    if (llvm::Error error =
            runCalibrationBatches(*evaluator, *data, observer)) {
      emitError(module.getLoc())
          << "cim-equalize: " << llvm::toString(std::move(error));
      return signalPassFailure();
    }

    // Program order: a layer that is both a consumer and a producer has
    // its input side scaled first, so its output side sees current
    // weights.
    for (const Pair &pair : pairs)
      equalize(pair, ranges[pair.joint].second);
  }

  void equalize(const Pair &pair, ArrayRef<double> r) {
    Operation *producer = pair.producer, *consumer = pair.consumer;
    Value consumerWeight = consumer->getOperand(1);
    auto consumerType = cast<RankedTensorType>(consumerWeight.getType());
    SmallVector<double> w = *floatsOf(consumerWeight);
    SmallVector<double> wMax(pair.channels, 0.0);
    ArrayRef<int64_t> shape = consumerType.getShape();
    for (int64_t e = 0, n = w.size(); e < n; ++e) {
      int64_t c = inputChannelOf(consumer, shape, e, pair);
      wMax[c] = std::max(wMax[c], std::fabs(w[e]));
    }
    SmallVector<double> s(pair.channels, 1.0);
    double logSum = 0;
    int64_t scaled = 0;
    for (int64_t c = 0; c < pair.channels; ++c) {
      if (!(r[c] > 0) || !(wMax[c] > 0))
        continue;
      s[c] = std::pow(r[c], double(alpha)) / std::pow(wMax[c], 1.0 - alpha);
      logSum += std::log(s[c]);
      ++scaled;
    }
    if (scaled == 0)
      return;
    // Only relative scales matter (each layer's range absorbs a common
    // factor); centring them keeps weights and ranges near their sizes.
    double centre = std::exp(logSum / double(scaled));
    for (int64_t c = 0; c < pair.channels; ++c)
      if (r[c] > 0 && wMax[c] > 0)
        s[c] = std::clamp(s[c] / centre, 1.0 / maxScale, double(maxScale));

    for (int64_t e = 0, n = w.size(); e < n; ++e)
      w[e] *= s[inputChannelOf(consumer, shape, e, pair)];

    Value producerWeight = producer->getOperand(1);
    auto producerType = cast<RankedTensorType>(producerWeight.getType());
    SmallVector<double> pw = *floatsOf(producerWeight);
    // conv2d [F, C/G, kh, kw]: filter f is a contiguous block; gemm [K, N]:
    // channel n is column n.
    int64_t n = pw.size();
    for (int64_t e = 0; e < n; ++e)
      pw[e] /= isa<Conv2dOp>(producer) ? s[e / (n / pair.channels)]
                                       : s[e % pair.channels];

    OpBuilder b(producer);
    producer->setOperand(
        1, ConstantOp::create(b, producer->getLoc(),
                              makeFloatConstant(producerType, pw)));
    if (producer->getNumOperands() > 2) {
      Value bias = producer->getOperand(2);
      SmallVector<double> bv = *floatsOf(bias);
      for (int64_t c = 0; c < pair.channels; ++c)
        bv[c] /= s[c];
      producer->setOperand(
          2,
          ConstantOp::create(
              b, producer->getLoc(),
              makeFloatConstant(cast<RankedTensorType>(bias.getType()), bv)));
    }
    b.setInsertionPoint(consumer);
    consumer->setOperand(
        1, ConstantOp::create(b, consumer->getLoc(),
                              makeFloatConstant(consumerType, w)));
  }
};

} // namespace
