//===- Runner.h - One run of the graph evaluator ----------------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The evaluator's private state of one run: the values computed so far, the
// integer partial sums of crossbar layers, the instruction-level timeline.
// Its methods are spread by concern:
//
//   GraphEvaluator.cpp  run, values, the per-op dispatch (kernels in Kernels/)
//   Crossbar.cpp        crossbar layers (float, quantized, FP-CIM)
//   IsaExecution.cpp    instruction-level programs (ENCODE, MVM, DECODE)
//   Accounting.cpp      per-core timeline, time and energy of instructions
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_INTERPRETER_RUNNER_H
#define CIM_LIB_INTERPRETER_RUNNER_H

#include "cim/Dialect/Cim/CimOps.h"
#include "cim/Interpreter/GraphEvaluator.h"
#include "cim/Numerics/FloatingPoint.h"
#include "cim/Numerics/Quantize.h"

#include "llvm/ADT/DenseMap.h"

#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <unordered_map>

namespace mlir::cim::eval {

/// Weight codes and scales of one crossbar op: weights are constants, so they
/// are quantized once and shared by every run (and thread).
struct WeightCache {
  struct Entry {
    std::vector<int64_t> codes;
    std::vector<double> codesAsDouble;
    std::vector<float> codesAsFloat;
    std::vector<double> scales;
    /// Floating-point layers: the block-floating-point weights.
    numerics::FpWeights fp;
  };
  std::mutex lock;
  llvm::DenseMap<Operation *, std::shared_ptr<const Entry>> entries;
};

/// An error naming `op` and its location.
llvm::Error opError(Operation *op, const llvm::Twine &message);

/// The static shape of a ranked tensor value.
llvm::SmallVector<int64_t> shapeOf(Value v);

/// Instruction level, before any run: decodes the weights `program` writes
/// into `cache` (from `constants`), and checks that an MVM's codes fit its
/// precision. Other ops pass.
llvm::Error prepareInstruction(Operation &op,
                               const llvm::DenseMap<Value, Tensor> &constants,
                               WeightCache &cache);

class Runner {
public:
  Runner(const Options &options, Stats *stats,
         const GraphEvaluator::Observer &observer, uint64_t invocation,
         const llvm::DenseMap<Value, Tensor> &constants, WeightCache &cache)
      : options(options), stats(stats), observer(observer),
        invocation(invocation), constants(constants), cache(cache) {}

  llvm::Error run(func::FuncOp function, llvm::ArrayRef<Tensor> inputs,
                  std::vector<Tensor> &outputs);

private:
  //===--------------------------------------------------------------------===//
  // Values (GraphEvaluator.cpp)
  //===--------------------------------------------------------------------===//

  /// The value of `v` as ops see it: partial sums still held as integer
  /// accumulators are dequantized on first use.
  const Tensor &get(Value v);
  /// Makes each result's representation follow its element type (kernels
  /// written for floats also serve integer tensors, e.g. max pooling).
  void conformResults(Operation *op);
  void set(Value v, Tensor t) {
    valueStore[v.getAsOpaquePointer()] = std::move(t);
  }

  /// Integer accumulators of a crossbar layer: value = acc * xScale * w[col].
  /// Row tiles with the same scales are added as integers (as the digital
  /// unit does), and dequantized only where a float is needed.
  struct Partial {
    Tensor acc;
    double xScale = 1;
    std::vector<double> wScale;
    Tensor dequantize() const;
  };
  Partial *findPartial(Value v) {
    auto it = partialStore.find(v.getAsOpaquePointer());
    return it == partialStore.end() ? nullptr : &it->second;
  }
  void setPartial(Value v, Partial p) {
    valueStore.erase(v.getAsOpaquePointer());
    partialStore[v.getAsOpaquePointer()] = std::move(p);
  }

  /// Runs one op: forwards to its family's kernel or method.
  llvm::Error execute(Operation *op);
  /// The ops of CimMathOps.td (MathDispatch.cpp); clears `handled` for
  /// other ops.
  llvm::Error executeMath(Operation *op, bool &handled);
  /// The ops of CimImageOps.td (ImageDispatch.cpp); clears `handled` for
  /// other ops.
  llvm::Error executeImage(Operation *op, bool &handled);
  /// The ops of CimDynamicOps.td (DynamicDispatch.cpp); clears `handled`
  /// for other ops.
  llvm::Error executeDynamic(Operation *op, bool &handled);
  /// The ops of CimIndexingOps.td (IndexingDispatch.cpp); clears `handled`
  /// for other ops.
  llvm::Error executeIndexing(Operation *op, bool &handled);
  /// The ops of CimSignalOps.td (SignalDispatch.cpp); clears `handled` for
  /// other ops.
  llvm::Error executeSignal(Operation *op, bool &handled);
  llvm::Error accumulate(AccumulateOp op);

  //===--------------------------------------------------------------------===//
  // Crossbar layers (Crossbar.cpp)
  //===--------------------------------------------------------------------===//

  /// out[p, j] = sum_{k in rows} x[p, k] w[k, columns[0] + j] for crossbar
  /// layer `layer` (cim.gemm, cim.mvm, cim.tile), in float, or at the
  /// layer's precision through lib/Numerics.
  llvm::Error crossbarLayer(CrossbarLayerOpInterface layer);
  /// A gemm: its crossbar layer, then the bias (numpy broadcast).
  llvm::Error gemm(GemmOp op);
  /// The arithmetic of a crossbar layer on `target`, with the noise stream
  /// `stream` of this run when noise is on.
  llvm::Expected<numerics::CrossbarConfig>
  configFor(CrossbarLayerOpInterface layer, TargetAttr target, uint64_t stream);
  /// Input codes of `x` at `range`, quantized once per run.
  const numerics::InputCodes &encode(Value xValue, const Tensor &x,
                                     numerics::CodeRange range,
                                     std::optional<double> clip,
                                     unsigned maxOnes);
  /// What one tile MVM did on the crossbars (for the timeline).
  struct MvmEvents {
    uint64_t conversions = 0, ones = 0;
    /// Row-group DAC cycles, those all zero, and the conversions of those.
    uint64_t rowCycles = 0, zeroCycles = 0, zeroConversions = 0;
    int64_t cycles = 0, groups = 0;
  };
  /// The integer product of a rows x cols block of codes with `p` input
  /// vectors, on the target's tiling; counts the events.
  llvm::Error tileMVM(Operation *op, TargetAttr target,
                      const numerics::CrossbarConfig &config,
                      const WeightCache::Entry &weights, int64_t rows,
                      int64_t cols, int64_t p, const std::vector<int64_t> &xq,
                      std::vector<int64_t> &acc, MvmEvents *events = nullptr);
  /// The cached weights of crossbar op `op`, made by `fill` on first use.
  std::shared_ptr<const WeightCache::Entry>
  weightsOf(Operation *op, Value wValue,
            llvm::function_ref<void(WeightCache::Entry &)> fill);
  /// A floating-point crossbar layer (FP-CIM): pre-aligned inputs, the
  /// crossbar's integer MAC per row group, scaled and accumulated.
  llvm::Error fpCrossbarLayer(CrossbarLayerOpInterface layer, const Tensor &x,
                              const Tensor &w,
                              const numerics::CrossbarConfig &config,
                              FpAttr fpAttr);

  //===--------------------------------------------------------------------===//
  // Instruction level (IsaExecution.cpp)
  //===--------------------------------------------------------------------===//

  llvm::Error isaEncode(IsaEncodeOp op);
  llvm::Error isaMvm(IsaMvmOp op);
  llvm::Error isaDecode(IsaDecodeOp op);

  //===--------------------------------------------------------------------===//
  // Timeline (Accounting.cpp)
  //===--------------------------------------------------------------------===//

  /// Prices an instruction other than MVM (which prices itself).
  void time(Operation *op);
  /// Prices an MVM instruction from the events it measured.
  void timeMvm(IsaMvmOp op, const numerics::CrossbarConfig &config, int64_t p,
               int64_t rows, int64_t cols, const MvmEvents &events);
  /// Places an instruction on its core's timeline.
  void account(Operation *op, double ns, const cost::Energy &energy);

  const Options &options;
  Stats *stats;
  const GraphEvaluator::Observer &observer;
  /// Noise: this run's read number, and the crossbar layers seen so far
  /// (each layer draws from its own stream).
  uint64_t invocation;
  uint64_t crossbarLayers = 0;
  const llvm::DenseMap<Value, Tensor> &constants;
  WeightCache &cache;
  /// Input codes of this run, per input tensor and code range.
  struct InputKey {
    const void *tensor;
    int64_t min, max;
    double clip;
    unsigned maxOnes;
    bool operator<(const InputKey &o) const {
      return std::tie(tensor, min, max, clip, maxOnes) <
             std::tie(o.tensor, o.min, o.max, o.clip, o.maxOnes);
    }
  };
  std::map<InputKey, numerics::InputCodes> inputCodes;
  /// Instruction level: the scale each cim.isa.encode chose, and its codes
  /// as floats (the exact GEMM's operand) once an MVM needs them.
  llvm::DenseMap<Value, double> encodeScales;
  /// Instruction level: the input exponents a floating-point ENCODE chose.
  llvm::DenseMap<Value, numerics::AlignedInputs> encodeExponents;
  llvm::DenseMap<Value, std::vector<float>> floatCodes;
  /// Instruction level: when each value is ready (ns).
  llvm::DenseMap<Value, double> readyNs;
  cost::Rates rates;
  // Node-based maps: references returned by get() stay valid while later
  // values are inserted.
  std::unordered_map<const void *, Partial> partialStore;
  std::unordered_map<const void *, Tensor> valueStore;
};

} // namespace mlir::cim::eval

#endif // CIM_LIB_INTERPRETER_RUNNER_H
