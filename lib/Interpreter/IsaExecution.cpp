//===- IsaExecution.cpp - Instruction-level programs ----------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// ENCODE, MVM and DECODE as the hardware runs them (cim-lower-to-isa's
// output, or a program read back from .cimbin/.cimasm): programmed weight
// codes are decoded once, before any run; an MVM computes on the crossbars
// of lib/Numerics and, when scheduled on a core, is priced on the timeline
// (Accounting.cpp).
//
//===----------------------------------------------------------------------===//

#include "Runner.h"

#include "cim/Hardware/LayerConfig.h"
#include "cim/Numerics/Gemm.h"
#include "cim/Numerics/TiledMVM.h"

#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::eval;

llvm::Error Runner::isaEncode(IsaEncodeOp e) {
  const Tensor &x = get(e.getInput());
  if (FpAttr fpAttr = e.getFpAttr()) {
    // The alignment unit: mantissas out, exponents kept for DECODE.
    TargetAttr target = lookupTarget(e);
    if (!target)
      return opError(e, "needs the module's cim.target");
    numerics::CrossbarConfig config;
    config.parallelRows = unsigned(*e.getGroupRows());
    numerics::FpCimConfig fp = cim::fpConfigOf(fpAttr, config);
    std::vector<float> tmp;
    const std::vector<float> &fx = floatsOf(x, tmp);
    int64_t p = x.shape[0], k = x.shape[1];
    numerics::AlignedInputs aligned = numerics::alignInputs(fp, p, k, fx);
    for (int64_t code : aligned.mantissas)
      if (code < int64_t(e.getMin()) || code > int64_t(e.getMax()))
        return opError(e, llvm::formatv("aligned mantissa {0} is "
                                        "outside its code range [{1}, "
                                        "{2}]",
                                        code, int64_t(e.getMin()),
                                        int64_t(e.getMax())));
    std::vector<int64_t> codes = aligned.mantissas;
    encodeExponents[e.getOutput()] = std::move(aligned);
    set(e.getOutput(), Tensor::integers(x.shape, std::move(codes)));
    return llvm::Error::success();
  }
  std::optional<double> clip;
  if (e.getClip())
    clip = e.getClip()->convertToDouble();
  // Each ENCODE is its own: no cache, the codes move into the result.
  numerics::CodeRange range{int64_t(e.getMin()), int64_t(e.getMax())};
  unsigned maxOnes = cim::layerCalibrationOf(e).actMaxOnes;
  numerics::InputCodes codes =
      x.isInteger
          ? numerics::quantizeInputs([&](int64_t i) { return at(x, i); },
                                     x.numElements(), range, clip, maxOnes)
          : numerics::quantizeInputs(x.f, range, clip, maxOnes);
  encodeScales[e.getOutput()] = codes.scale;
  set(e.getOutput(), Tensor::integers(x.shape, std::move(codes.codes)));
  return llvm::Error::success();
}

llvm::Error Runner::isaMvm(IsaMvmOp op) {
  TargetAttr target = lookupTarget(op);
  if (!target)
    return opError(op, "needs the module's cim.target");
  llvm::Expected<numerics::CrossbarConfig> config =
      configFor(op, target, op.getStream());
  if (!config)
    return config.takeError();
  std::shared_ptr<const WeightCache::Entry> weights;
  {
    std::lock_guard<std::mutex> guard(cache.lock);
    auto it = cache.entries.find(op.getWeights().getDefiningOp());
    if (it != cache.entries.end())
      weights = it->second;
  }
  if (!weights)
    return opError(op, "reads weights no cim.isa.program wrote");
  // Weight codes were checked against the precision once (create); codes
  // from an ENCODE are within its range, which create checked too.
  const Tensor &x = get(op.getCodes());
  int64_t p = x.shape[0], k = x.shape[1];
  int64_t r0 = op.getRows()[0], rows = op.getRows()[1] - r0;
  int64_t cols =
      cast<RankedTensorType>(op.getWeights().getType()).getDimSize(1);
  numerics::CodeRange xRange = numerics::inputCodeRange(*config),
                      wRange = numerics::weightCodeRange(*config);
  bool fromEncode = op.getCodes().getDefiningOp<IsaEncodeOp>() != nullptr;
  double bound = double(rows) * double(std::max(-xRange.min, xRange.max)) *
                 double(wRange.max);
  FpAttr fpAttr = op.getPrecision().getFp();
  if (!stats && fromEncode && bound < numerics::kFloatExactBound && !fpAttr &&
      numerics::isLosslessReadout(*config) && !config->noise.enabled()) {
    // Provably the integer GEMM, exact in float: straight from the codes
    // (converted once per ENCODE for all the tiles reading them).
    std::vector<float> &codes = floatCodes[op.getCodes()];
    if (codes.empty())
      codes.assign(x.i.begin(), x.i.end());
    thread_local std::vector<float> sums;
    sums.resize(p * cols);
    if (p && cols && rows)
      numerics::sgemm(p, cols, rows, codes.data() + r0, k,
                      weights->codesAsFloat.data(), cols, /*transB=*/false,
                      sums.data(), cols);
    std::vector<int64_t> acc(sums.begin(), sums.end());
    set(op.getOutput(), Tensor::integers({p, cols}, std::move(acc)));
    return llvm::Error::success();
  }
  std::vector<int64_t> xq(p * rows);
  for (int64_t i = 0; i < p; ++i)
    for (int64_t r = 0; r < rows; ++r) {
      int64_t code = x.i[i * k + r0 + r];
      if (!fromEncode && (code < xRange.min || code > xRange.max))
        return opError(op, llvm::formatv("input code {0} is outside [{1}, "
                                         "{2}] of its precision",
                                         code, xRange.min, xRange.max));
      xq[i * rows + r] = code;
    }
  std::vector<int64_t> acc;
  MvmEvents events;
  bool timed = stats && op->hasAttr("cim.core");
  int64_t outCols = cols;
  if (fpAttr) {
    // Floating point: each row group's integer sums, kept apart for DECODE.
    numerics::FpCimConfig fp = cim::fpConfigOf(fpAttr, *config);
    int64_t groups = int64_t(op.getGroups());
    outCols = groups * cols;
    acc.assign(p * outCols, 0);
    numerics::CrossbarStats crossbarStats;
    crossbarStats.countActiveCells = options.countActiveCells;
    if (llvm::Error error =
            numerics::groupSumsBatch(*config, fp, weights->codes, rows, cols, p,
                                     xq, acc, &crossbarStats))
      return opError(op, llvm::toString(std::move(error)));
    numerics::InputActivity activity;
    numerics::countInputActivity(*config, xq, p, rows, activity);
    if (stats) {
      stats->conversions += crossbarStats.conversions;
      stats->clippedConversions += crossbarStats.clippedConversions;
      stats->activeCells += crossbarStats.activeCells;
      stats->dacCycles += activity.cycles;
      stats->skippedDacCycles += activity.zeroCycles;
    }
    events.conversions = crossbarStats.conversions;
    events.ones = activity.ones;
    events.rowCycles = activity.cycles;
    events.zeroCycles = activity.zeroCycles;
    events.cycles = numerics::inputCycleCount(*config);
    events.groups = groups;
  } else if (llvm::Error error =
                 tileMVM(op, target, *config, *weights, rows, cols, p, xq, acc,
                         timed ? &events : nullptr)) {
    return error;
  }
  if (timed)
    timeMvm(op, *config, p, rows, cols, events);
  set(op.getOutput(), Tensor::integers({p, outCols}, std::move(acc)));
  return llvm::Error::success();
}

llvm::Error Runner::isaDecode(IsaDecodeOp d) {
  const Tensor &acc = get(d.getInput());
  if (FpAttr fpAttr = d.getFpAttr()) {
    // Normalize and accumulate the row groups.
    auto exps = encodeExponents.find(d.getCodes());
    if (exps == encodeExponents.end())
      return opError(d, "decodes codes no floating-point cim.isa.encode "
                        "produced");
    const numerics::AlignedInputs &in = exps->second;
    int64_t p = acc.shape[0];
    int64_t cols = shapeOf(d.getOutput())[1];
    int64_t groups = acc.shape[1] / cols;
    int64_t first = int64_t(*d.getFirstGroup());
    if (first + groups > in.groups ||
        int64_t(in.exponents.size()) < p * in.groups)
      return opError(d, llvm::formatv("reads row groups [{0}, {1}) of "
                                      "{2} vectors from codes with {3} "
                                      "groups of {4} vectors",
                                      first, first + groups, p, in.groups,
                                      in.exponents.size() /
                                          std::max<int64_t>(in.groups, 1)));
    numerics::CrossbarConfig config;
    config.parallelRows = 1; // Only the formats matter here.
    numerics::FpCimConfig fp = cim::fpConfigOf(fpAttr, config);
    std::vector<int> weightExponents(d.getExponents()->begin(),
                                     d.getExponents()->end());
    Tensor out = Tensor::floats({p, cols});
    numerics::scaleGroupSums(fp, p, groups, cols, acc.i, in.exponents,
                             in.groups, first, weightExponents, out.f);
    set(d.getOutput(), std::move(out));
    return llvm::Error::success();
  }
  auto scale = encodeScales.find(d.getCodes());
  if (scale == encodeScales.end())
    return opError(d, "decodes codes no cim.isa.encode produced");
  ArrayRef<double> wScale = d.getScales();
  Tensor out = Tensor::floats(acc.shape);
  int64_t cols = acc.shape.back();
  for (int64_t e = 0, n = acc.numElements(); e < n; ++e)
    out.f[e] = float(double(acc.i[e]) * scale->second * wScale[e % cols]);
  set(d.getOutput(), std::move(out));
  return llvm::Error::success();
}

llvm::Error
eval::prepareInstruction(Operation &op,
                         const llvm::DenseMap<Value, Tensor> &constants,
                         WeightCache &cache) {
  if (auto program = dyn_cast<IsaProgramOp>(op)) {
    // Programmed weights are read by every run: decode them once.
    auto codes = constants.find(program.getCodes());
    if (codes == constants.end() || !codes->second.isInteger)
      return opError(&op, "programs weights that are not integer constants");
    auto entry = std::make_shared<WeightCache::Entry>();
    entry->codes = codes->second.i;
    entry->codesAsDouble.assign(entry->codes.begin(), entry->codes.end());
    entry->codesAsFloat.assign(entry->codes.begin(), entry->codes.end());
    cache.entries[&op] = std::move(entry);
    return llvm::Error::success();
  }
  if (auto mvm = dyn_cast<IsaMvmOp>(op)) {
    // Codes the crossbar cannot hold or drive are a bad program: say so
    // once, before any run.
    TargetAttr target = lookupTarget(mvm);
    if (!target)
      return opError(&op, "needs the module's cim.target");
    numerics::CrossbarConfig config = cim::layerConfig(mvm, target);
    numerics::CodeRange wRange = numerics::weightCodeRange(config),
                        xRange = numerics::inputCodeRange(config);
    auto entry = cache.entries.find(mvm.getWeights().getDefiningOp());
    if (entry == cache.entries.end())
      return opError(&op, "reads weights no cim.isa.program wrote");
    for (int64_t code : entry->second->codes)
      if (code < wRange.min || code > wRange.max)
        return opError(&op, llvm::formatv("weight code {0} is outside "
                                          "[{1}, {2}] of its precision",
                                          code, wRange.min, wRange.max));
    if (auto encode = mvm.getCodes().getDefiningOp<IsaEncodeOp>())
      if (int64_t(encode.getMin()) < xRange.min ||
          int64_t(encode.getMax()) > xRange.max)
        return opError(&op,
                       llvm::formatv("reads codes in [{0}, {1}], outside [{2}, "
                                     "{3}] of its precision",
                                     int64_t(encode.getMin()),
                                     int64_t(encode.getMax()), xRange.min,
                                     xRange.max));
  }
  return llvm::Error::success();
}
