//===- GraphEvaluator.h - Execute graph- and tiled-level cim IR -*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Runs a `func.func` of the cim dialect on concrete tensors, at the graph
// level (as imported) or the mapped level before bit-slicing (`cim.mvm`,
// `cim.tile`, `cim.accumulate`). Two modes:
//
//  * float: every op in float32, the reference PyTorch is compared against;
//  * quantized: each crossbar layer runs at its `#cim.precision` on the
//    module's target: symmetric weight codes per its scale granularity,
//    input codes per tensor (the calibrated clip in `cim.calibration` when
//    the layer has one, else the range of the values seen), and the integer
//    MVM of lib/Numerics (sign schemes, slices, DAC cycles, row groups, ADC),
//    then dequantized.
//
// Calibration, the precision search and the interpreter's identity tests
// build on it (docs/design.md).
//
//===----------------------------------------------------------------------===//

#ifndef CIM_INTERPRETER_GRAPHEVALUATOR_H
#define CIM_INTERPRETER_GRAPHEVALUATOR_H

#include "cim/Analysis/CostModel.h"
#include "cim/Interpreter/Tensor.h"
#include "cim/Numerics/CrossbarMVM.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mlir::cim::eval {

struct WeightCache;

struct Options {
  /// Simulate every crossbar layer at its precision on the target.
  bool quantize = false;
  /// Precision of crossbar layers without one (quantized mode).
  unsigned defaultWeightBits = 8, defaultActBits = 8;
  /// Quantized mode: simulate the target's `#cim.noise` with this seed
  /// (off when unset).
  std::optional<uint64_t> noiseSeed;
  /// Quantized mode: record every crossbar layer's column sums in
  /// `Stats::columnSums` (ADC calibration; slower, as no layer takes the
  /// exact-GEMM shortcut).
  bool recordColumnSums = false;
  /// The hardware skips a row group's DAC cycle whose digits are all zero
  /// (CIMQ's bit sparsity): instruction-level runs then spend neither its
  /// conversions, its shift-adds nor its time. Off, the skippable work is
  /// still counted (Stats::skippableConversions), so one run gives both.
  bool skipZeroCycles = false;
  /// Quantized mode: record every crossbar layer's input bit activity in
  /// `Stats::inputActivity` (cim-quantize's `input-ones`).
  bool recordInputActivity = false;
  /// Quantized mode: take the bit-sliced path everywhere and count the
  /// conducting cells of every conversion (Stats::activeCells).
  bool countActiveCells = false;
};

/// Event counts of a quantized run.
struct Stats {
  uint64_t macs = 0, conversions = 0, clippedConversions = 0;
  /// Conducting cells over all conversions (counted where the bit-sliced
  /// path runs: noise, a lossy read-out, or Options::countActiveCells), and
  /// the conversions the zero-bit layout leaves out (ZEBRA).
  uint64_t activeCells = 0, zeroBitSkippedConversions = 0;
  /// Row-group activations per DAC cycle, those with all digits zero (which
  /// bit-sparsity-aware hardware skips), and '1' bits driven.
  uint64_t dacCycles = 0, skippedDacCycles = 0, inputOnes = 0;
  /// ADC conversions of those all-zero cycles, and (instruction-level runs)
  /// the ADC and shift-add energy they take: left out of `energy` with
  /// Options::skipZeroCycles, included otherwise.
  uint64_t skippableConversions = 0;
  cost::Energy skippableEnergy;
  /// Input digit bits driven, zeros included (inputOnes / inputBits is the
  /// measured probability that an input bit is 1).
  uint64_t inputBits = 0;
  /// Per crossbar op, with Options::recordInputActivity.
  std::map<Operation *, numerics::InputActivity> inputActivity;
  /// Crossbar layers computed through the bit-sliced path (the others were
  /// provably exact and ran as one integer GEMM).
  uint64_t slicedLayers = 0, exactLayers = 0;

  /// Instruction-level programs (ops scheduled on cores, `cim.core`): each
  /// instruction starts when its core is free and its operands are ready,
  /// so cores overlap; times in ns, priced by the target (cost::Rates).
  std::vector<double> coreBusyNs, coreEndNs;
  /// Writing the weights before inference (round 0): time and energy,
  /// once per program. Later rounds are on the cores' timelines and in
  /// `energy`.
  double programNs = 0, programPj = 0;
  std::map<std::string, uint64_t> instructions;
  cost::Energy energy;
  uint64_t syncs = 0;
  /// Column sums per crossbar op, with Options::recordColumnSums.
  std::map<Operation *, numerics::ColumnSums> columnSums;

  /// Adds `other` (another run): counts and energy add, times add per core.
  void merge(const Stats &other);
};

class GraphEvaluator {
public:
  /// Prepares `entry` of `module`; fails with a message naming the first op
  /// the evaluator cannot execute.
  static llvm::Expected<GraphEvaluator>
  create(ModuleOp module, llvm::StringRef entry = "main", Options options = {});

  /// Shapes of the entry's arguments and results.
  llvm::ArrayRef<llvm::SmallVector<int64_t>> getInputShapes() const {
    return inputShapes;
  }
  llvm::ArrayRef<llvm::SmallVector<int64_t>> getOutputShapes() const {
    return outputShapes;
  }
  /// ONNX names of the arguments and results (`onnx.name`), else argN/outN.
  llvm::ArrayRef<std::string> getInputNames() const { return inputNames; }
  llvm::ArrayRef<std::string> getOutputNames() const { return outputNames; }

  /// Sees every op's results as they are computed (calibration).
  using Observer =
      std::function<void(Operation *op, unsigned result, const Tensor &value)>;

  /// Runs the function once. Inputs must match the argument shapes.
  /// Thread-safe: runs share nothing but the (read-only) module.
  /// `invocation` numbers this run's reads for the noise model (cim-run
  /// passes the batch slice), so slices draw different noise.
  llvm::Expected<std::vector<Tensor>> run(llvm::ArrayRef<Tensor> inputs,
                                          Stats *stats = nullptr,
                                          const Observer &observer = {},
                                          uint64_t invocation = 0) const;

private:
  GraphEvaluator() = default;
  func::FuncOp function;
  Options options;
  /// Constants decoded once (weights dominate a model's bytes); runs read
  /// them without copying.
  std::shared_ptr<llvm::DenseMap<Value, Tensor>> constants;
  /// Quantized weight codes per crossbar op, computed on first use.
  std::shared_ptr<WeightCache> weightCache;
  std::vector<llvm::SmallVector<int64_t>> inputShapes, outputShapes;
  std::vector<std::string> inputNames, outputNames;
};

/// The first output of `batches` runs over slices of `inputs` (each of the
/// entry's first input shape, row-major), flattened; two threads, slice b
/// is invocation b for the noise model.
llvm::Expected<std::vector<std::vector<float>>>
runBatches(const GraphEvaluator &evaluator, llvm::ArrayRef<float> inputs,
           int64_t batches);

/// Top-1 accuracy (0..1) of `evaluator`'s first output as logits over
/// `batches` slices of `inputs` (each of the entry's first input shape,
/// row-major), against `labels` (one per row of every slice). Runs on two
/// threads; slice b is invocation b for the noise model.
llvm::Expected<double> topOneAccuracy(const GraphEvaluator &evaluator,
                                      llvm::ArrayRef<float> inputs,
                                      llvm::ArrayRef<int64_t> labels,
                                      int64_t batches);

/// Whether each row's top-1 class is its label, in input order (as
/// topOneAccuracy, which counts them): paired comparisons of two models on
/// the same images need the rows, not only the count.
llvm::Expected<std::vector<bool>> topOneCorrect(const GraphEvaluator &evaluator,
                                                llvm::ArrayRef<float> inputs,
                                                llvm::ArrayRef<int64_t> labels,
                                                int64_t batches);

/// Whether each row of `outputs` (runBatches' logits, `perBatch` rows per
/// batch) has its label as top-1 class (the first maximum on ties).
std::vector<bool> topOneCorrectOf(llvm::ArrayRef<std::vector<float>> outputs,
                                  llvm::ArrayRef<int64_t> labels,
                                  int64_t perBatch);

} // namespace mlir::cim::eval

#endif // CIM_INTERPRETER_GRAPHEVALUATOR_H
