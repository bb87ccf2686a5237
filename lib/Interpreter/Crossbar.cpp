//===- Crossbar.cpp - Crossbar layers of the graph evaluator --------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A crossbar layer (cim.gemm, cim.mvm, cim.tile) in float, or in quantized
// mode at its precision on the module's target through lib/Numerics: when
// the read-out provably loses nothing (ideal, adder tree, or an ADC at least
// as wide as the lossless width, the identity test/Unit/CrossbarMVMTest.cpp
// holds the numerics to) the integer product is computed as one GEMM, else
// bit-sliced conversion by conversion.
//
//===----------------------------------------------------------------------===//

#include "Runner.h"

#include "cim/Hardware/CrossbarLayout.h"
#include "cim/Hardware/LayerConfig.h"
#include "cim/Numerics/Gemm.h"
#include "cim/Numerics/Noise.h"
#include "cim/Numerics/TiledMVM.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::eval;

llvm::Expected<numerics::CrossbarConfig>
Runner::configFor(CrossbarLayerOpInterface layer, TargetAttr target,
                  uint64_t stream) {
  numerics::CrossbarConfig config = cim::layerConfig(
      layer, target, options.defaultWeightBits, options.defaultActBits);
  if (options.noiseSeed && target.getNoise()) {
    config.noise =
        cim::noiseFromAttr(target.getNoise(), *options.noiseSeed, stream);
    config.noise.invocation = invocation;
  }
  if (llvm::Error error = numerics::verifyConfig(config))
    return opError(layer, llvm::toString(std::move(error)));
  return config;
}

const numerics::InputCodes &Runner::encode(Value xValue, const Tensor &x,
                                           numerics::CodeRange range,
                                           std::optional<double> clip,
                                           unsigned maxOnes) {
  InputKey key{xValue.getAsOpaquePointer(), range.min, range.max,
               clip ? *clip : -1.0, maxOnes};
  auto cached = inputCodes.find(key);
  if (cached == inputCodes.end())
    cached =
        inputCodes
            .try_emplace(
                key, x.isInteger
                         ? numerics::quantizeInputs(
                               [&](int64_t e) { return at(x, e); },
                               x.numElements(), range, clip, maxOnes)
                         : numerics::quantizeInputs(x.f, range, clip, maxOnes))
            .first;
  return cached->second;
}

llvm::Error Runner::tileMVM(Operation *op, TargetAttr target,
                            const numerics::CrossbarConfig &config,
                            const WeightCache::Entry &weights, int64_t rows,
                            int64_t cols, int64_t p,
                            const std::vector<int64_t> &xq,
                            std::vector<int64_t> &acc, MvmEvents *events) {
  // Noise makes every conversion count: no shortcut then.
  bool exact = numerics::isLosslessReadout(config) && !config.noise.enabled() &&
               !options.recordColumnSums && !options.countActiveCells;
  numerics::CodeRange xRange = numerics::inputCodeRange(config),
                      wRange = numerics::weightCodeRange(config);
  const std::vector<int64_t> &wq = weights.codes;
  acc.assign(p * cols, 0);
  // |partial sums| <= rows * max|x| * max|w| must stay below 2^53 for the
  // double-precision GEMM to be exact.
  double bound = double(rows) * double(std::max(-xRange.min, xRange.max)) *
                 double(wRange.max);
  if (exact && bound < 9.0e15) {
    numerics::exactIntegerGemm(p, cols, rows, xq, weights.codesAsFloat,
                               weights.codesAsDouble, bound, acc);
  } else if (exact) {
    for (int64_t i = 0; i < p; ++i)
      for (int64_t k = 0; k < rows; ++k) {
        int64_t v = xq[i * rows + k];
        if (!v)
          continue;
        for (int64_t j = 0; j < cols; ++j)
          acc[i * cols + j] += v * wq[k * cols + j];
      }
  }
  // The target's tiling of the block: the crossbar's own arithmetic runs on
  // it, and the event counts are per crossbar.
  layout::Options layoutOptions;
  layoutOptions.sliceWidths.assign(config.sliceWidths.begin(),
                                   config.sliceWidths.end());
  llvm::Expected<layout::Tiling> tiling =
      layout::tileMatrix(layout::Geometry::fromTarget(target), rows, cols,
                         config.weightBits, config.inputBits, layoutOptions);
  if (!tiling)
    return opError(op, llvm::toString(tiling.takeError()));
  if (!exact) {
    SmallVector<numerics::Block> blocks;
    for (const layout::Tile &t : tiling->tiles)
      blocks.push_back({t.rowBegin, t.rowEnd, t.colBegin, t.colEnd});
    numerics::CrossbarStats crossbarStats;
    crossbarStats.countActiveCells = options.countActiveCells;
    if (stats && options.recordColumnSums)
      crossbarStats.columnSums = &stats->columnSums[op];
    if (llvm::Error error = numerics::tiledMVMBatch(
            config, wq, rows, cols, blocks, p, xq, acc, &crossbarStats))
      return opError(op, llvm::toString(std::move(error)));
    if (stats) {
      stats->conversions += crossbarStats.conversions;
      stats->clippedConversions += crossbarStats.clippedConversions;
      stats->activeCells += crossbarStats.activeCells;
      stats->zeroBitSkippedConversions += crossbarStats.skippedConversions;
    }
  }
  if (!stats)
    return llvm::Error::success();
  // Event counts as the crossbars see them: conversions (the exact path
  // skipped them) and the bit-level activity of the inputs each drives.
  numerics::InputActivity activity;
  std::vector<int64_t> tileInputs;
  std::vector<int64_t> tileCodes;
  for (const layout::Tile &t : tiling->tiles) {
    uint64_t conversions = uint64_t(p) * tiling->encoding.cycles * t.groups *
                           t.numCols() * tiling->encoding.columnsPerOutput;
    int64_t groups = t.groups;
    if (config.zeroBitLayout) {
      // ZEBRA converts only the mapped rows' groups and non-empty columns.
      tileCodes.resize(t.numRows() * t.numCols());
      for (int64_t r = 0; r < t.numRows(); ++r)
        std::copy_n(wq.begin() + (t.rowBegin + r) * cols + t.colBegin,
                    t.numCols(), tileCodes.begin() + r * t.numCols());
      numerics::ZeroBitLayout zl =
          numerics::zeroBitLayout(config, tileCodes, t.numRows(), t.numCols());
      groups = llvm::divideCeil(int64_t(zl.mappedRows.size()),
                                numerics::groupRowCount(config));
      conversions = uint64_t(p) * tiling->encoding.cycles * uint64_t(groups) *
                    zl.convertedColumns;
      // The exact path ran no kernel: count what the layout leaves out.
      if (exact)
        stats->zeroBitSkippedConversions +=
            uint64_t(p) * tiling->encoding.cycles * uint64_t(groups) *
            (uint64_t(t.numCols()) * tiling->encoding.columnsPerOutput -
             zl.convertedColumns);
    }
    if (exact)
      stats->conversions += conversions;
    if (events) {
      events->conversions += conversions;
      events->groups = std::max<int64_t>(events->groups, groups);
    }
    tileInputs.resize(p * t.numRows());
    for (int64_t i = 0; i < p; ++i)
      std::copy_n(xq.begin() + i * rows + t.rowBegin, t.numRows(),
                  tileInputs.begin() + i * t.numRows());
    uint64_t zeroBefore = activity.zeroCycles;
    numerics::countInputActivity(config, tileInputs, p, t.numRows(), activity);
    // An all-zero cycle of a row group spares a conversion per column.
    uint64_t zeroConversions = (activity.zeroCycles - zeroBefore) *
                               uint64_t(t.numCols()) *
                               tiling->encoding.columnsPerOutput;
    stats->skippableConversions += zeroConversions;
    if (events)
      events->zeroConversions += zeroConversions;
  }
  if (events) {
    events->cycles = tiling->encoding.cycles;
    events->ones = activity.ones;
    events->rowCycles = activity.cycles;
    events->zeroCycles = activity.zeroCycles;
  }
  stats->dacCycles += activity.cycles;
  stats->skippedDacCycles += activity.zeroCycles;
  stats->inputOnes += activity.ones;
  stats->inputBits += activity.bits;
  if (options.recordInputActivity)
    stats->inputActivity[op] += activity;
  stats->macs += uint64_t(p) * rows * cols;
  (exact ? stats->exactLayers : stats->slicedLayers) += 1;
  return llvm::Error::success();
}

llvm::Error Runner::crossbarLayer(CrossbarLayerOpInterface layer) {
  Operation *op = layer;
  Value xValue = layer.getLayerInput(), wValue = layer.getLayerWeight();
  Value result = op->getResult(0);
  const Tensor &x = get(xValue);
  const Tensor &w = get(wValue);
  auto [r0, r1] = layer.getRowRange();
  auto [c0, c1] = layer.getColumnRange();
  PrecisionAttr precision = layer.getLayerPrecision();
  int64_t p = x.shape[0], kTotal = x.shape[1], nTotal = w.shape[1];
  int64_t rows = r1 - r0, cols = c1 - c0;
  if (!options.quantize) {
    Tensor out = Tensor::floats({p, cols});
    std::vector<float> xTmp, wTmp;
    const std::vector<float> &fx = floatsOf(x, xTmp), &fw = floatsOf(w, wTmp);
    numerics::sgemm(p, cols, rows, &fx[r0], kTotal, &fw[r0 * nTotal + c0],
                    nTotal, /*transB=*/false, out.f.data(), cols);
    set(result, std::move(out));
    return llvm::Error::success();
  }

  TargetAttr target = lookupTarget(op);
  if (!target)
    return opError(op, "quantized evaluation needs the module's cim.target");
  llvm::Expected<numerics::CrossbarConfig> maybeConfig =
      configFor(layer, target, crossbarLayers++);
  if (!maybeConfig)
    return maybeConfig.takeError();
  const numerics::CrossbarConfig &config = *maybeConfig;
  if (FpAttr fpAttr = precision ? precision.getFp() : FpAttr())
    return fpCrossbarLayer(layer, x, w, config, fpAttr);

  // Weight codes (lib/Numerics/Quantize).
  std::shared_ptr<const WeightCache::Entry> weights =
      weightsOf(op, wValue, [&](WeightCache::Entry &entry) {
        numerics::WeightCodes codes = tileWeightCodes(
            layer, config, [&](int64_t e) { return double(at(w, e)); },
            w.shape[0], nTotal);
        entry.codes = std::move(codes.codes);
        entry.scales = std::move(codes.scales);
        entry.codesAsDouble.assign(entry.codes.begin(), entry.codes.end());
        entry.codesAsFloat.assign(entry.codes.begin(), entry.codes.end());
      });
  // Input codes: one scale per tensor, from the calibrated clip when the
  // layer has one, else the values seen. Every tile of a layer reads the same
  // input: it is quantized once per run.
  numerics::CodeRange inputRange = numerics::inputCodeRange(config);
  const numerics::InputCodes &inputs = encode(
      xValue, x, inputRange, CimDialect::getInputClip(op, inputRange.max),
      cim::layerCalibrationOf(op).actMaxOnes);
  std::vector<int64_t> xq(p * rows);
  for (int64_t i = 0; i < p; ++i)
    std::copy_n(inputs.codes.begin() + i * kTotal + r0, rows,
                xq.begin() + i * rows);

  std::vector<int64_t> acc;
  if (llvm::Error error =
          tileMVM(op, target, config, *weights, rows, cols, p, xq, acc))
    return error;
  Partial partial;
  partial.acc = Tensor::integers({p, cols}, std::move(acc));
  partial.xScale = inputs.scale;
  partial.wScale = weights->scales;
  setPartial(result, std::move(partial));
  return llvm::Error::success();
}

std::shared_ptr<const WeightCache::Entry>
Runner::weightsOf(Operation *op, Value wValue,
                  llvm::function_ref<void(WeightCache::Entry &)> fill) {
  // Constant weights are quantized once; a weight computed at run time (an
  // activation-weight gemm) is quantized on every run.
  bool cacheable = constants.count(wValue) != 0;
  if (cacheable) {
    std::lock_guard<std::mutex> guard(cache.lock);
    auto it = cache.entries.find(op);
    if (it != cache.entries.end())
      return it->second;
  }
  auto entry = std::make_shared<WeightCache::Entry>();
  fill(*entry);
  if (!cacheable)
    return entry;
  std::lock_guard<std::mutex> guard(cache.lock);
  return cache.entries.try_emplace(op, std::move(entry)).first->second;
}

llvm::Error Runner::fpCrossbarLayer(CrossbarLayerOpInterface layer,
                                    const Tensor &x, const Tensor &w,
                                    const numerics::CrossbarConfig &config,
                                    FpAttr fpAttr) {
  Operation *op = layer;
  Value wValue = layer.getLayerWeight();
  auto [r0, r1] = layer.getRowRange();
  auto [c0, c1] = layer.getColumnRange();
  int64_t p = x.shape[0], kTotal = x.shape[1], nTotal = w.shape[1];
  int64_t rows = r1 - r0, cols = c1 - c0;
  numerics::FpCimConfig fp = cim::fpConfigOf(fpAttr, config);
  std::shared_ptr<const WeightCache::Entry> weights =
      weightsOf(op, wValue, [&](WeightCache::Entry &entry) {
        entry.fp =
            numerics::fpWeightsOf([&](int64_t e) { return double(at(w, e)); },
                                  nTotal, r0, r1, c0, c1, fp);
      });
  std::vector<float> tmp, xs(p * rows);
  const std::vector<float> &fx = floatsOf(x, tmp);
  for (int64_t i = 0; i < p; ++i)
    std::copy_n(fx.begin() + i * kTotal + r0, rows, xs.begin() + i * rows);
  Tensor out = Tensor::floats({p, cols});
  numerics::CrossbarStats crossbarStats;
  crossbarStats.countActiveCells = options.countActiveCells;
  if (llvm::Error error = numerics::fpCrossbarMVMBatch(
          config, fp, weights->fp, p, xs, out.f, &crossbarStats))
    return opError(op, llvm::toString(std::move(error)));
  if (stats) {
    stats->conversions += crossbarStats.conversions;
    stats->clippedConversions += crossbarStats.clippedConversions;
    stats->activeCells += crossbarStats.activeCells;
    stats->dacCycles += crossbarStats.dacCycles;
    stats->slicedLayers += 1;
  }
  set(op->getResult(0), std::move(out));
  return llvm::Error::success();
}

llvm::Error Runner::gemm(GemmOp g) {
  if (llvm::Error e = crossbarLayer(g))
    return e;
  if (g.getBias()) {
    // Bias broadcasts like numpy ([N], [1], [M, 1], [M, N]).
    Tensor sum =
        broadcast(get(g.getOutput()), get(g.getBias()), shapeOf(g.getOutput()),
                  /*integer=*/false,
                  [](double a, double b) { return double(float(a + b)); });
    set(g.getOutput(), std::move(sum));
  }
  return llvm::Error::success();
}
