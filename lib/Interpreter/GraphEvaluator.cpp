//===- GraphEvaluator.cpp - Execute graph- and tiled-level cim IR ---------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A straightforward tree-walking evaluator: one kernel per op, float32 like
// the frameworks it is compared with. Crossbar layers in quantized mode go
// through lib/Numerics; when the read-out provably loses nothing (ideal,
// adder tree, or an ADC at least as wide as the lossless width, the identity
// test/Unit/CrossbarMVMTest.cpp holds the numerics to) the integer product
// is computed as one GEMM, else bit-sliced conversion by conversion.
//
//===----------------------------------------------------------------------===//

#include "cim/Interpreter/GraphEvaluator.h"
#include "cim/Dialect/Cim/CimDialect.h"
#include "cim/Dialect/Cim/CimOps.h"
#include "cim/Hardware/CrossbarLayout.h"
#include "cim/Hardware/LayerConfig.h"
#include "cim/Numerics/Gemm.h"
#include "cim/Numerics/Noise.h"
#include "cim/Numerics/Quantize.h"
#include "cim/Numerics/TiledMVM.h"
#include "cim/Support/Limits.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>
#include <unordered_map>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::eval;

int64_t Tensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

Tensor Tensor::floats(ArrayRef<int64_t> shape, std::vector<float> values) {
  Tensor t;
  t.shape.assign(shape.begin(), shape.end());
  t.f = std::move(values);
  if (t.f.empty())
    t.f.assign(t.numElements(), 0.0f);
  return t;
}

Tensor Tensor::integers(ArrayRef<int64_t> shape, std::vector<int64_t> values) {
  Tensor t;
  t.shape.assign(shape.begin(), shape.end());
  t.isInteger = true;
  t.i = std::move(values);
  if (t.i.empty())
    t.i.assign(t.numElements(), 0);
  return t;
}

void Stats::merge(const Stats &o) {
  macs += o.macs;
  conversions += o.conversions;
  clippedConversions += o.clippedConversions;
  activeCells += o.activeCells;
  zeroBitSkippedConversions += o.zeroBitSkippedConversions;
  dacCycles += o.dacCycles;
  skippedDacCycles += o.skippedDacCycles;
  inputOnes += o.inputOnes;
  skippableConversions += o.skippableConversions;
  inputBits += o.inputBits;
  for (const auto &[op, activity] : o.inputActivity)
    inputActivity[op] += activity;
  skippableEnergy += o.skippableEnergy;
  slicedLayers += o.slicedLayers;
  exactLayers += o.exactLayers;
  for (const auto &[op, sums] : o.columnSums)
    columnSums[op].merge(sums);
  if (coreBusyNs.size() < o.coreBusyNs.size()) {
    coreBusyNs.resize(o.coreBusyNs.size(), 0.0);
    coreEndNs.resize(o.coreEndNs.size(), 0.0);
  }
  for (size_t c = 0; c < o.coreBusyNs.size(); ++c) {
    coreBusyNs[c] += o.coreBusyNs[c];
    coreEndNs[c] += o.coreEndNs[c];
  }
  // Weights are written once, whatever the number of runs.
  programNs = std::max(programNs, o.programNs);
  programPj = std::max(programPj, o.programPj);
  for (const auto &[name, count] : o.instructions)
    instructions[name] += count;
  energy += o.energy;
  syncs += o.syncs;
}

/// Weight codes and scales of one crossbar op: weights are constants, so they
/// are quantized once and shared by every run (and thread).
struct mlir::cim::eval::WeightCache {
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

namespace {

/// The float values of a tensor (integer codes converted).
const std::vector<float> &floatsOf(const Tensor &t, std::vector<float> &tmp) {
  if (!t.isInteger)
    return t.f;
  tmp.assign(t.i.begin(), t.i.end());
  return tmp;
}

llvm::Error opError(Operation *op, const llvm::Twine &message) {
  std::string loc;
  llvm::raw_string_ostream os(loc);
  op->getLoc().print(os);
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 loc + ": '" + op->getName().getStringRef() +
                                     "': " + message);
}

SmallVector<int64_t> shapeOf(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  return SmallVector<int64_t>(type.getShape());
}

SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = int64_t(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

/// Value of element `index` of a float or integer tensor, as a float.
float at(const Tensor &t, int64_t index) {
  return t.isInteger ? float(t.i[index]) : t.f[index];
}

/// Applies a numpy-broadcast binary function.
Tensor broadcast(const Tensor &a, const Tensor &b, ArrayRef<int64_t> outShape,
                 bool integer, llvm::function_ref<double(double, double)> fn) {
  size_t rank = outShape.size();
  auto expand = [&](ArrayRef<int64_t> shape) {
    SmallVector<int64_t> strides = stridesOf(shape), out(rank, 0);
    for (size_t d = 0; d < shape.size(); ++d)
      if (shape[d] != 1)
        out[rank - shape.size() + d] = strides[d];
    return out;
  };
  SmallVector<int64_t> sa = expand(a.shape), sb = expand(b.shape);
  Tensor out = integer ? Tensor::integers(outShape) : Tensor::floats(outShape);
  SmallVector<int64_t> index(rank, 0);
  int64_t n = out.numElements();
  for (int64_t e = 0; e < n; ++e) {
    int64_t ia = 0, ib = 0;
    for (size_t d = 0; d < rank; ++d) {
      ia += index[d] * sa[d];
      ib += index[d] * sb[d];
    }
    double va = a.isInteger ? double(a.i[ia]) : double(a.f[ia]);
    double vb = b.isInteger ? double(b.i[ib]) : double(b.f[ib]);
    double r = fn(va, vb);
    if (integer)
      out.i[e] = int64_t(r);
    else
      out.f[e] = float(r);
    for (int64_t d = int64_t(rank) - 1; d >= 0; --d) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

Tensor unary(const Tensor &x, llvm::function_ref<float(float)> fn) {
  Tensor out = Tensor::floats(x.shape);
  for (int64_t e = 0, n = x.numElements(); e < n; ++e)
    out.f[e] = fn(at(x, e));
  return out;
}

/// Generic gather: out[idx] = in[map(idx)] or `fill` where map returns -1.
Tensor gather(const Tensor &in, ArrayRef<int64_t> outShape,
              llvm::function_ref<int64_t(ArrayRef<int64_t>)> map,
              float fill = 0.0f) {
  Tensor out =
      in.isInteger ? Tensor::integers(outShape) : Tensor::floats(outShape);
  SmallVector<int64_t> index(outShape.size(), 0);
  for (int64_t e = 0, n = out.numElements(); e < n; ++e) {
    int64_t src = map(index);
    if (in.isInteger)
      out.i[e] = src < 0 ? int64_t(fill) : in.i[src];
    else
      out.f[e] = src < 0 ? fill : in.f[src];
    for (int64_t d = int64_t(outShape.size()) - 1; d >= 0; --d) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

/// Per-axis (de)quantization: maps an element index to the index of its
/// scale and zero point (0 without an axis; negative axes count from the end).
std::function<int64_t(int64_t)> channelIndexer(std::optional<uint64_t> axisAttr,
                                               ArrayRef<int64_t> shape) {
  if (!axisAttr)
    return [](int64_t) { return int64_t(0); };
  int64_t axis = int64_t(*axisAttr);
  if (axis < 0)
    axis += int64_t(shape.size());
  int64_t inner = 1;
  for (size_t d = axis + 1; d < shape.size(); ++d)
    inner *= shape[d];
  int64_t size = shape[axis];
  return [inner, size](int64_t e) { return (e / inner) % size; };
}

/// The same values as float32 or as (rounded, saturated) integers.
Tensor convertTensor(const Tensor &t, bool integer) {
  if (t.isInteger == integer)
    return t;
  if (integer) {
    std::vector<int64_t> values(t.f.size());
    for (size_t e = 0; e < t.f.size(); ++e) {
      double v = std::nearbyint(double(t.f[e]));
      values[e] = std::isnan(v) ? 0 : int64_t(std::clamp(v, -9.2e18, 9.2e18));
    }
    return Tensor::integers(t.shape, std::move(values));
  }
  return Tensor::floats(t.shape, std::vector<float>(t.i.begin(), t.i.end()));
}

/// The quantization of one crossbar layer (quantized mode).
struct LayerQuant {
  numerics::CrossbarConfig config;
  layout::Geometry geometry;
  bool exact = true;
  ScaleGranularity granularity = ScaleGranularity::channel;
};

class Runner {
public:
  Runner(const Options &options, Stats *stats,
         const GraphEvaluator::Observer &observer, uint64_t invocation,
         const llvm::DenseMap<Value, Tensor> &constants, WeightCache &cache)
      : options(options), stats(stats), observer(observer),
        invocation(invocation), constants(constants), cache(cache) {}

  llvm::Error run(func::FuncOp function, ArrayRef<Tensor> inputs,
                  std::vector<Tensor> &outputs) {
    Block &body = function.getBody().front();
    if (TargetAttr target = lookupTarget(function))
      rates = cost::Rates::of(target);
    for (auto [arg, input] : llvm::zip(body.getArguments(), inputs))
      set(arg, convertTensor(
                   input, isa<IntegerType>(cast<RankedTensorType>(arg.getType())
                                               .getElementType())));
    uint64_t steps = 0, maxSteps = getResourceLimits().maxSteps;
    for (Operation &op : body.getOperations()) {
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        for (Value v : ret.getOperands())
          outputs.push_back(get(v));
        return llvm::Error::success();
      }
      // Constants were decoded once, in create(); they cost no step.
      if (!isa<ConstantOp>(op) && ++steps > maxSteps)
        return opError(&op, llvm::formatv("the run exceeds the limit of {0} "
                                          "steps (--max-steps)",
                                          maxSteps));
      if (llvm::Error error = execute(&op))
        return error;
      conformResults(&op);
      if (stats && op.hasAttr("cim.core"))
        time(&op);
      if (observer)
        for (OpResult result : op.getResults())
          observer(&op, result.getResultNumber(), get(result));
    }
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "function has no return");
  }

private:
  /// The value of `v` as ops see it: partial sums still held as integer
  /// accumulators are dequantized on first use.
  const Tensor &get(Value v) {
    auto constant = constants.find(v);
    if (constant != constants.end())
      return constant->second;
    const void *key = v.getAsOpaquePointer();
    auto it = partialStore.find(key);
    if (it != partialStore.end()) {
      valueStore[key] = it->second.dequantize();
      partialStore.erase(it);
    }
    return valueStore[key];
  }
  /// Makes each result's representation follow its element type (kernels
  /// written for floats also serve integer tensors, e.g. max pooling).
  void conformResults(Operation *op) {
    for (Value result : op->getResults()) {
      if (findPartial(result))
        continue;
      auto type = dyn_cast<RankedTensorType>(result.getType());
      if (!type)
        continue;
      bool integer = isa<IntegerType>(type.getElementType());
      auto it = valueStore.find(result.getAsOpaquePointer());
      if (it == valueStore.end() || it->second.isInteger == integer)
        continue;
      it->second = convertTensor(it->second, integer);
    }
  }
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
    Tensor dequantize() const {
      Tensor out = Tensor::floats(acc.shape);
      int64_t cols = acc.shape.back();
      for (int64_t e = 0, n = acc.numElements(); e < n; ++e)
        out.f[e] = float(double(acc.i[e]) * xScale * wScale[e % cols]);
      return out;
    }
  };
  // Node-based maps: references returned by get() stay valid while later
  // values are inserted.
  std::unordered_map<const void *, Partial> partialStore;
  Partial *findPartial(Value v) {
    auto it = partialStore.find(v.getAsOpaquePointer());
    return it == partialStore.end() ? nullptr : &it->second;
  }
  void setPartial(Value v, Partial p) {
    valueStore.erase(v.getAsOpaquePointer());
    partialStore[v.getAsOpaquePointer()] = std::move(p);
  }

  llvm::Error execute(Operation *op);
  llvm::Error conv2d(Conv2dOp op);
  llvm::Error pool(Operation *op, ArrayRef<int64_t> kernel,
                   ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                   ArrayRef<int64_t> dilations, bool isMax,
                   bool countIncludePad);
  llvm::Error matmul(MatmulOp op);
  llvm::Expected<numerics::CrossbarConfig>
  configFor(Operation *op, TargetAttr target, PrecisionAttr precision,
            ArrayRef<int64_t> slices, uint64_t stream);
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
  llvm::Error tileMVM(Operation *op, TargetAttr target,
                      const numerics::CrossbarConfig &config,
                      const WeightCache::Entry &weights, int64_t rows,
                      int64_t cols, int64_t p, const std::vector<int64_t> &xq,
                      std::vector<int64_t> &acc, MvmEvents *events = nullptr);
  llvm::Error isaMvm(IsaMvmOp op);
  /// The cached weights of crossbar op `op`, made by `fill` on first use.
  std::shared_ptr<const WeightCache::Entry>
  weightsOf(Operation *op, Value wValue,
            llvm::function_ref<void(WeightCache::Entry &)> fill);
  /// A floating-point crossbar layer (FP-CIM): pre-aligned inputs, the
  /// crossbar's integer MAC per row group, scaled and accumulated.
  llvm::Error fpCrossbarLayer(Operation *op, const Tensor &x, Value wValue,
                              const Tensor &w, int64_t r0, int64_t r1,
                              int64_t c0, int64_t c1,
                              const numerics::CrossbarConfig &config,
                              FpAttr fpAttr, Value result);
  /// Prices an instruction other than MVM (which prices itself).
  void time(Operation *op) {
    if (isa<IsaMvmOp>(op))
      return;
    cost::Energy energy;
    if (auto program = dyn_cast<IsaProgramOp>(op)) {
      int64_t writes = program.getCrossbars().size();
      energy.program =
          double(writes) *
          double(cast<RankedTensorType>(program.getType()).getNumElements()) *
          rates.programCellPj;
      if (program.getEpoch() == 0) {
        // Before inference: not on the cores' timelines.
        stats->programNs += double(writes) * rates.programCrossbarNs;
        stats->programPj += energy.program;
        stats->instructions["isa.program"] += 1;
        return;
      }
      account(op, double(writes) * rates.programCrossbarNs, energy);
      return;
    }
    int64_t elements = 0;
    for (Value result : op->getResults())
      if (auto type = dyn_cast<RankedTensorType>(result.getType()))
        elements += type.getNumElements();
    energy.digital = double(elements) * rates.digitalOpPj;
    account(op, double(elements) * rates.digitalOpNs, energy);
  }
  /// Places an instruction on its core's timeline.
  void account(Operation *op, double ns, const cost::Energy &energy);
  llvm::Error crossbarLayer(Operation *op, Value xValue, const Tensor &x,
                            Value wValue, const Tensor &w, int64_t rowBegin,
                            int64_t rowEnd, int64_t colBegin, int64_t colEnd,
                            PrecisionAttr precision, ArrayRef<int64_t> slices,
                            Value result);

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
  TargetAttr timelineTarget;
  cost::Rates rates;
  std::unordered_map<const void *, Tensor> valueStore;
};

/// Decodes a dense constant into a tensor.
llvm::Expected<Tensor> decodeConstant(ConstantOp op) {
  auto dense = dyn_cast<DenseElementsAttr>(op.getValue());
  if (!dense)
    return opError(op, "only dense constants can be evaluated");
  SmallVector<int64_t> shape = shapeOf(op.getResult());
  Type element = dense.getElementType();
  if (element.isF32()) {
    auto range = dense.getValues<float>();
    return Tensor::floats(shape,
                          std::vector<float>(range.begin(), range.end()));
  }
  if (isa<FloatType>(element)) {
    std::vector<float> values;
    values.reserve(dense.getNumElements());
    for (const APFloat &v : dense.getValues<APFloat>()) {
      bool lost;
      APFloat f = v;
      f.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back(f.convertToFloat());
    }
    return Tensor::floats(shape, std::move(values));
  }
  if (auto intType = dyn_cast<IntegerType>(element)) {
    std::vector<int64_t> values;
    values.reserve(dense.getNumElements());
    for (const APInt &v : dense.getValues<APInt>())
      values.push_back(intType.isUnsigned() ? int64_t(v.getZExtValue())
                                            : v.getSExtValue());
    return Tensor::integers(shape, std::move(values));
  }
  return opError(op, "unsupported element type");
}

llvm::Error Runner::conv2d(Conv2dOp op) {
  std::vector<float> xTmp, wTmp;
  const Tensor &xt = get(op.getInput());
  const std::vector<float> &x = floatsOf(xt, xTmp);
  const std::vector<float> &w = floatsOf(get(op.getWeight()), wTmp);
  SmallVector<int64_t> outShape = shapeOf(op.getOutput());
  SmallVector<int64_t> wShape = shapeOf(op.getWeight());
  int64_t n = outShape[0], f = outShape[1], oh = outShape[2], ow = outShape[3];
  int64_t c = xt.shape[1], h = xt.shape[2], wd = xt.shape[3];
  int64_t cg = wShape[1], kh = wShape[2], kw = wShape[3];
  int64_t groups = op.getGroups(), fg = f / groups;
  ArrayRef<int64_t> s = op.getStrides(), p = op.getPads(),
                    d = op.getDilations();
  int64_t pixels = oh * ow, k = cg * kh * kw;
  Tensor out = Tensor::floats(outShape);
  std::vector<float> cols(pixels * k), result(pixels * fg);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t g = 0; g < groups; ++g) {
      // im2col of this group's channels, then one GEMM with its filters.
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t xo = 0; xo < ow; ++xo) {
          float *row = &cols[(y * ow + xo) * k];
          for (int64_t ic = 0; ic < cg; ++ic)
            for (int64_t i = 0; i < kh; ++i) {
              int64_t iy = y * s[0] - p[0] + i * d[0];
              for (int64_t j = 0; j < kw; ++j) {
                int64_t ix = xo * s[1] - p[1] + j * d[1];
                bool inside = iy >= 0 && iy < h && ix >= 0 && ix < wd;
                row[(ic * kh + i) * kw + j] =
                    inside ? x[((b * c + g * cg + ic) * h + iy) * wd + ix]
                           : 0.0f;
              }
            }
        }
      numerics::sgemm(pixels, fg, k, cols.data(), k, &w[g * fg * k], k,
                      /*transB=*/true, result.data(), fg);
      for (int64_t oc = 0; oc < fg; ++oc) {
        float bias = op.getBias() ? at(get(op.getBias()), g * fg + oc) : 0.0f;
        float *dst = &out.f[(b * f + g * fg + oc) * pixels];
        for (int64_t px = 0; px < pixels; ++px)
          dst[px] = result[px * fg + oc] + bias;
      }
    }
  set(op.getOutput(), std::move(out));
  return llvm::Error::success();
}

llvm::Error Runner::pool(Operation *op, ArrayRef<int64_t> kernel,
                         ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                         ArrayRef<int64_t> dilations, bool isMax,
                         bool countIncludePad) {
  const Tensor &x = get(op->getOperand(0));
  SmallVector<int64_t> outShape = shapeOf(op->getResult(0));
  int64_t n = outShape[0], c = outShape[1], oh = outShape[2], ow = outShape[3];
  int64_t h = x.shape[2], w = x.shape[3];
  Tensor out = Tensor::floats(outShape);
  for (int64_t b = 0; b < n * c; ++b)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t xo = 0; xo < ow; ++xo) {
        double acc = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
        int64_t count = 0, padded = 0;
        for (int64_t i = 0; i < kernel[0]; ++i) {
          int64_t iy = y * strides[0] - pads[0] + i * dilations[0];
          for (int64_t j = 0; j < kernel[1]; ++j) {
            int64_t ix = xo * strides[1] - pads[1] + j * dilations[1];
            // Positions in the explicit padding count for
            // count_include_pad; those past it (ceil mode) never do.
            if (iy >= -pads[0] && iy < h + pads[2] && ix >= -pads[1] &&
                ix < w + pads[3])
              ++padded;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w)
              continue;
            double v = at(x, (b * h + iy) * w + ix);
            acc = isMax ? std::max(acc, v) : acc + v;
            ++count;
          }
        }
        if (!isMax)
          acc /= double(countIncludePad ? padded : std::max<int64_t>(count, 1));
        out.f[(b * oh + y) * ow + xo] = float(acc);
      }
  set(op->getResult(0), std::move(out));
  return llvm::Error::success();
}

llvm::Error Runner::matmul(MatmulOp op) {
  const Tensor &a = get(op.getLhs());
  const Tensor &b = get(op.getRhs());
  std::vector<float> aTmp, bTmp;
  const std::vector<float> &fa = floatsOf(a, aTmp), &fb = floatsOf(b, bTmp);
  SmallVector<int64_t> outShape = shapeOf(op.getOutput());
  // numpy semantics: 1-D operands are promoted, batch dims broadcast.
  SmallVector<int64_t> as(a.shape), bs(b.shape);
  if (as.size() == 1)
    as.insert(as.begin(), 1);
  if (bs.size() == 1)
    bs.push_back(1);
  int64_t m = as[as.size() - 2], k = as.back(), nn = bs.back();
  size_t batchRank = std::max(as.size(), bs.size()) - 2;
  SmallVector<int64_t> batch(batchRank, 1);
  auto batchDim = [&](ArrayRef<int64_t> s, size_t d) -> int64_t {
    size_t r = s.size() - 2;
    return d < batchRank - r ? 1 : s[d - (batchRank - r)];
  };
  for (size_t d = 0; d < batchRank; ++d)
    batch[d] = std::max(batchDim(as, d), batchDim(bs, d));
  int64_t batches = 1;
  for (int64_t v : batch)
    batches *= v;
  Tensor out = Tensor::floats(outShape);
  SmallVector<int64_t> index(batchRank, 0);
  for (int64_t bi = 0; bi < batches; ++bi) {
    int64_t offA = 0, offB = 0, strideA = m * k, strideB = k * nn;
    for (size_t d = 0; d < batchRank; ++d) {
      int64_t da = batchDim(as, d), db = batchDim(bs, d);
      offA = offA * da + (da == 1 ? 0 : index[d]);
      offB = offB * db + (db == 1 ? 0 : index[d]);
    }
    offA *= strideA;
    offB *= strideB;
    numerics::sgemm(m, nn, k, &fa[offA], k, &fb[offB], nn, /*transB=*/false,
                    &out.f[bi * m * nn], nn);
    for (int64_t d = int64_t(batchRank) - 1; d >= 0; --d) {
      if (++index[d] < batch[d])
        break;
      index[d] = 0;
    }
  }
  set(op.getOutput(), std::move(out));
  return llvm::Error::success();
}

/// out[p, j] = sum_{k in [r0, r1)} x[p, k] w[k, c0 + j], in float, or at the
/// layer's precision through lib/Numerics.
llvm::Expected<numerics::CrossbarConfig>
Runner::configFor(Operation *op, TargetAttr target, PrecisionAttr precision,
                  ArrayRef<int64_t> slices, uint64_t stream) {
  numerics::CrossbarConfig config =
      cim::layerConfig(target, precision, slices, options.defaultWeightBits,
                       options.defaultActBits, cim::layerCalibrationOf(op));
  if (options.noiseSeed && target.getNoise()) {
    config.noise =
        cim::noiseFromAttr(target.getNoise(), *options.noiseSeed, stream);
    config.noise.invocation = invocation;
  }
  if (llvm::Error error = numerics::verifyConfig(config))
    return opError(op, llvm::toString(std::move(error)));
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

llvm::Error Runner::isaMvm(IsaMvmOp op) {
  TargetAttr target = lookupTarget(op);
  if (!target)
    return opError(op, "needs the module's cim.target");
  llvm::Expected<numerics::CrossbarConfig> config = configFor(
      op, target, op.getPrecision(),
      op.getSlices() ? *op.getSlices() : ArrayRef<int64_t>(), op.getStream());
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
  if (timed) {
    // Timed as the cost model times a tile, from the measured events.
    int64_t copies = std::max<int64_t>(1, op.getCrossbars().size());
    int64_t bytes = cost::tileBytes(p, rows, cols, config->inputBits);
    double spent =
        options.skipZeroCycles && events.rowCycles
            ? 1.0 - double(events.zeroCycles) / double(events.rowCycles)
            : 1.0;
    double mvmNs =
        cost::tileMvmNs(p, copies, events.cycles, events.groups, spent, rates);
    int64_t columnsPerOutput =
        events.cycles && events.groups && p && cols
            ? int64_t(events.conversions) /
                  (p * events.cycles * events.groups * cols)
            : 1;
    cost::Energy energy, skippable;
    energy.dac = double(events.ones) * rates.dacPj;
    energy.cell =
        double(events.ones) * double(cols * columnsPerOutput) * rates.cellPj;
    energy.adc = double(events.conversions) * rates.adcPjAt(config->adcBits);
    energy.shiftAdd = double(events.conversions) * rates.shiftAddPj;
    // All-zero cycles drive no row (no DAC or cell energy either way); what
    // skipping them saves is their conversions, shift-adds and time.
    skippable.adc =
        double(events.zeroConversions) * rates.adcPjAt(config->adcBits);
    skippable.shiftAdd = double(events.zeroConversions) * rates.shiftAddPj;
    stats->skippableEnergy += skippable;
    if (options.skipZeroCycles) {
      energy.adc -= skippable.adc;
      energy.shiftAdd -= skippable.shiftAdd;
    }
    energy.buffer = double(bytes) * rates.bufferBytePj;
    energy.memory = double(bytes) * rates.memoryBytePj;
    account(op, mvmNs + double(bytes) * rates.memoryByteNs, energy);
  }
  set(op.getOutput(), Tensor::integers({p, outCols}, std::move(acc)));
  return llvm::Error::success();
}

void Runner::account(Operation *op, double ns, const cost::Energy &energy) {
  auto coreAttr = op->getAttrOfType<IntegerAttr>("cim.core");
  if (!stats || !coreAttr)
    return;
  size_t core = size_t(coreAttr.getInt());
  if (stats->coreEndNs.size() <= core) {
    stats->coreEndNs.resize(core + 1, 0.0);
    stats->coreBusyNs.resize(core + 1, 0.0);
  }
  stats->instructions[op->getName().stripDialect().str()] += 1;
  stats->energy += energy;
  if (auto sync = dyn_cast<IsaSyncOp>(op)) {
    double meet = 0;
    for (int64_t c : sync.getCores())
      if (size_t(c) < stats->coreEndNs.size())
        meet = std::max(meet, stats->coreEndNs[c]);
    for (int64_t c : sync.getCores()) {
      if (stats->coreEndNs.size() <= size_t(c)) {
        stats->coreEndNs.resize(c + 1, 0.0);
        stats->coreBusyNs.resize(c + 1, 0.0);
      }
      stats->coreEndNs[c] = meet + rates.syncNs;
    }
    stats->syncs += 1;
    return;
  }
  double start = stats->coreEndNs[core];
  for (Value operand : op->getOperands()) {
    auto it = readyNs.find(operand);
    if (it != readyNs.end())
      start = std::max(start, it->second);
  }
  double end = start + ns;
  stats->coreEndNs[core] = end;
  stats->coreBusyNs[core] += ns;
  for (Value result : op->getResults())
    readyNs[result] = end;
}

llvm::Error Runner::crossbarLayer(Operation *op, Value xValue, const Tensor &x,
                                  Value wValue, const Tensor &w, int64_t r0,
                                  int64_t r1, int64_t c0, int64_t c1,
                                  PrecisionAttr precision,
                                  ArrayRef<int64_t> slices, Value result) {
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
      configFor(op, target, precision, slices, crossbarLayers++);
  if (!maybeConfig)
    return maybeConfig.takeError();
  const numerics::CrossbarConfig &config = *maybeConfig;
  if (FpAttr fpAttr = precision ? precision.getFp() : FpAttr())
    return fpCrossbarLayer(op, x, wValue, w, r0, r1, c0, c1, config, fpAttr,
                           result);

  // Weight codes (lib/Numerics/Quantize).
  std::shared_ptr<const WeightCache::Entry> weights =
      weightsOf(op, wValue, [&](WeightCache::Entry &entry) {
        numerics::WeightCodes codes = tileWeightCodes(
            op, precision, config, [&](int64_t e) { return double(at(w, e)); },
            w.shape[0], nTotal, r0, r1, c0, c1);
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

llvm::Error Runner::fpCrossbarLayer(Operation *op, const Tensor &x,
                                    Value wValue, const Tensor &w, int64_t r0,
                                    int64_t r1, int64_t c0, int64_t c1,
                                    const numerics::CrossbarConfig &config,
                                    FpAttr fpAttr, Value result) {
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
  set(result, std::move(out));
  return llvm::Error::success();
}

float gelu(float x, bool tanhApprox) {
  if (tanhApprox)
    return 0.5f * x *
           (1.0f +
            std::tanh(0.7978845608028654f * (x + 0.044715f * x * x * x)));
  return 0.5f * x * (1.0f + std::erf(x / std::sqrt(2.0f)));
}

llvm::Error Runner::execute(Operation *op) {
  return llvm::TypeSwitch<Operation *, llvm::Error>(op)
      // Decoded once, in GraphEvaluator::create.
      .Case<ConstantOp>([&](ConstantOp) { return llvm::Error::success(); })
      .Case<Conv2dOp>([&](Conv2dOp c) { return conv2d(c); })
      .Case<GemmOp>([&](GemmOp g) -> llvm::Error {
        const Tensor &x = get(g.getInput());
        const Tensor &w = get(g.getWeight());
        if (llvm::Error e = crossbarLayer(
                g, g.getInput(), x, g.getWeight(), w, 0, w.shape[0], 0,
                w.shape[1], g.getPrecisionAttr(), {}, g.getOutput()))
          return e;
        if (g.getBias()) {
          // Bias broadcasts like numpy ([N], [1], [M, 1], [M, N]).
          Tensor sum = broadcast(
              get(g.getOutput()), get(g.getBias()), shapeOf(g.getOutput()),
              /*integer=*/false,
              [](double a, double b) { return double(float(a + b)); });
          set(g.getOutput(), std::move(sum));
        }
        return llvm::Error::success();
      })
      .Case<MatmulOp>([&](MatmulOp m) { return matmul(m); })
      .Case<MvmOp>([&](MvmOp m) {
        const Tensor &w = get(m.getWeight());
        return crossbarLayer(m, m.getInput(), get(m.getInput()), m.getWeight(),
                             w, 0, w.shape[0], 0, w.shape[1],
                             m.getPrecisionAttr(), {}, m.getOutput());
      })
      .Case<TileOp>([&](TileOp t) {
        ArrayRef<int64_t> slices;
        if (auto s = t.getSlices())
          slices = *s;
        return crossbarLayer(t, t.getInput(), get(t.getInput()), t.getWeight(),
                             get(t.getWeight()), t.getRows()[0], t.getRows()[1],
                             t.getColumns()[0], t.getColumns()[1],
                             t.getPrecisionAttr(), slices, t.getOutput());
      })
      .Case<IsaProgramOp>([&](IsaProgramOp) {
        // Codes are decoded once (GraphEvaluator::create).
        return llvm::Error::success();
      })
      .Case<IsaEncodeOp>([&](IsaEncodeOp e) -> llvm::Error {
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
                                           x.numElements(), range, clip,
                                           maxOnes)
                : numerics::quantizeInputs(x.f, range, clip, maxOnes);
        encodeScales[e.getOutput()] = codes.scale;
        set(e.getOutput(), Tensor::integers(x.shape, std::move(codes.codes)));
        return llvm::Error::success();
      })
      .Case<IsaMvmOp>([&](IsaMvmOp m) { return isaMvm(m); })
      .Case<IsaDecodeOp>([&](IsaDecodeOp d) -> llvm::Error {
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
            return opError(d,
                           llvm::formatv("reads row groups [{0}, {1}) of "
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
      })
      .Case<IsaSyncOp>([&](IsaSyncOp) { return llvm::Error::success(); })
      .Case<AccumulateOp>([&](AccumulateOp a) {
        // Integer partial sums with equal scales add exactly.
        Partial *first = findPartial(a.getPartials().front());
        bool integer = first != nullptr;
        for (Value v : a.getPartials()) {
          Partial *p = findPartial(v);
          integer = integer && p && p->xScale == first->xScale &&
                    p->wScale == first->wScale;
        }
        if (integer) {
          Partial sum = *first;
          for (Value v : a.getPartials().drop_front()) {
            const Tensor &t = findPartial(v)->acc;
            for (int64_t e = 0, n = sum.acc.numElements(); e < n; ++e)
              sum.acc.i[e] += t.i[e];
          }
          setPartial(a.getOutput(), std::move(sum));
          return llvm::Error::success();
        }
        Tensor out = get(a.getPartials().front());
        for (Value v : a.getPartials().drop_front()) {
          const Tensor &t = get(v);
          for (int64_t e = 0, n = out.numElements(); e < n; ++e) {
            if (out.isInteger)
              out.i[e] += t.i[e];
            else
              out.f[e] += t.f[e];
          }
        }
        set(a.getOutput(), std::move(out));
        return llvm::Error::success();
      })
      .Case<Im2ColOp>([&](Im2ColOp c) {
        const Tensor &x = get(c.getInput());
        int64_t ch = x.shape[1], h = x.shape[2], w = x.shape[3];
        ArrayRef<int64_t> k = c.getKernel(), s = c.getStrides(),
                          p = c.getPads(), d = c.getDilations();
        SmallVector<int64_t> outShape = shapeOf(c.getOutput());
        int64_t c0 = c.getChannelOffset(), cg = c.getChannels();
        int64_t oh = (h + p[0] + p[2] - d[0] * (k[0] - 1) - 1) / s[0] + 1;
        int64_t ow = (w + p[1] + p[3] - d[1] * (k[1] - 1) - 1) / s[1] + 1;
        int64_t batch = outShape[0] / (oh * ow), cols = outShape[1];
        Tensor out =
            x.isInteger ? Tensor::integers(outShape) : Tensor::floats(outShape);
        // Row (b, oy, ox), column (c, i, j): loops in that order, so no
        // index is divided per element.
        auto fill = [&](auto &dst, const auto &src) {
          int64_t row = 0;
          for (int64_t b = 0; b < batch; ++b)
            for (int64_t oy = 0; oy < oh; ++oy)
              for (int64_t ox = 0; ox < ow; ++ox, ++row) {
                auto *o = dst.data() + row * cols;
                for (int64_t cc = 0; cc < cg; ++cc) {
                  const auto *plane = src.data() + (b * ch + c0 + cc) * h * w;
                  for (int64_t i = 0; i < k[0]; ++i) {
                    int64_t iy = oy * s[0] - p[0] + i * d[0];
                    for (int64_t j = 0; j < k[1]; ++j, ++o) {
                      int64_t ix = ox * s[1] - p[1] + j * d[1];
                      *o = (iy < 0 || iy >= h || ix < 0 || ix >= w)
                               ? 0
                               : plane[iy * w + ix];
                    }
                  }
                }
              }
        };
        if (x.isInteger)
          fill(out.i, x.i);
        else
          fill(out.f, x.f);
        set(c.getOutput(), std::move(out));
        return llvm::Error::success();
      })
      .Case<AddOp, SubOp, MulOp, DivOp, PowOp>([&](Operation *b) {
        const Tensor &l = get(b->getOperand(0)), &r = get(b->getOperand(1));
        SmallVector<int64_t> shape = shapeOf(b->getResult(0));
        bool integer = isa<IntegerType>(
            cast<RankedTensorType>(b->getResult(0).getType()).getElementType());
        auto fn =
            llvm::TypeSwitch<Operation *,
                             std::function<double(double, double)>>(b)
                .Case<AddOp>([](auto) {
                  return [](double x, double y) { return x + y; };
                })
                .Case<SubOp>([](auto) {
                  return [](double x, double y) { return x - y; };
                })
                .Case<MulOp>([](auto) {
                  return [](double x, double y) { return x * y; };
                })
                .Case<DivOp>([&](auto) {
                  return integer
                             ? std::function<double(double, double)>(
                                   [](double x, double y) {
                                     return y == 0 ? 0.0 : std::trunc(x / y);
                                   })
                             : [](double x, double y) {
                                 return double(float(x) / float(y));
                               };
                })
                .Default([](auto) {
                  return [](double x, double y) {
                    return double(std::pow(float(x), float(y)));
                  };
                });
        // Float results round each operation to float32, like the
        // frameworks.
        set(b->getResult(0),
            broadcast(l, r, shape, integer, [&](double x, double y) {
              double v = fn(x, y);
              return integer ? v : double(float(v));
            }));
        return llvm::Error::success();
      })
      .Case<ReluOp>([&](ReluOp r) {
        set(r.getOutput(),
            unary(get(r.getInput()), [](float x) { return x > 0 ? x : 0.0f; }));
        return llvm::Error::success();
      })
      .Case<LeakyReluOp>([&](LeakyReluOp r) {
        float alpha = r.getAlpha().convertToFloat();
        set(r.getOutput(), unary(get(r.getInput()), [&](float x) {
              return x >= 0 ? x : alpha * x;
            }));
        return llvm::Error::success();
      })
      .Case<ClipOp>([&](ClipOp c) {
        float lo = c.getMin().convertToFloat(),
              hi = c.getMax().convertToFloat();
        const Tensor &x = get(c.getInput());
        Tensor out = x;
        for (int64_t e = 0, n = x.numElements(); e < n; ++e) {
          if (x.isInteger)
            out.i[e] = std::clamp<int64_t>(
                x.i[e],
                int64_t(std::clamp(double(std::ceil(lo)), -9.2e18, 9.2e18)),
                int64_t(std::clamp(double(std::floor(hi)), -9.2e18, 9.2e18)));
          else
            out.f[e] = std::min(std::max(x.f[e], lo), hi);
        }
        set(c.getOutput(), std::move(out));
        return llvm::Error::success();
      })
      .Case<SigmoidOp>([&](SigmoidOp s) {
        set(s.getOutput(), unary(get(s.getInput()), [](float x) {
              return 1.0f / (1.0f + std::exp(-x));
            }));
        return llvm::Error::success();
      })
      .Case<HardSigmoidOp>([&](HardSigmoidOp s) {
        float alpha = s.getAlpha().convertToFloat(),
              beta = s.getBeta().convertToFloat();
        set(s.getOutput(), unary(get(s.getInput()), [&](float x) {
              return std::max(0.0f, std::min(1.0f, alpha * x + beta));
            }));
        return llvm::Error::success();
      })
      .Case<HardSwishOp>([&](HardSwishOp s) {
        set(s.getOutput(), unary(get(s.getInput()), [](float x) {
              return x * std::max(0.0f, std::min(1.0f, x / 6.0f + 0.5f));
            }));
        return llvm::Error::success();
      })
      .Case<TanhOp>([&](TanhOp t) {
        set(t.getOutput(),
            unary(get(t.getInput()), [](float x) { return std::tanh(x); }));
        return llvm::Error::success();
      })
      .Case<GeluOp>([&](GeluOp g) {
        bool approx = g.getApproximation() == GeluApproximation::tanh;
        set(g.getOutput(),
            unary(get(g.getInput()), [&](float x) { return gelu(x, approx); }));
        return llvm::Error::success();
      })
      .Case<ErfOp>([&](ErfOp e) {
        set(e.getOutput(),
            unary(get(e.getInput()), [](float x) { return std::erf(x); }));
        return llvm::Error::success();
      })
      .Case<SqrtOp>([&](SqrtOp e) {
        set(e.getOutput(),
            unary(get(e.getInput()), [](float x) { return std::sqrt(x); }));
        return llvm::Error::success();
      })
      .Case<ExpOp>([&](ExpOp e) {
        set(e.getOutput(),
            unary(get(e.getInput()), [](float x) { return std::exp(x); }));
        return llvm::Error::success();
      })
      .Case<MaxPool2dOp>([&](MaxPool2dOp m) {
        return pool(m, m.getKernel(), m.getStrides(), m.getPads(),
                    m.getDilations(), /*isMax=*/true, false);
      })
      .Case<AvgPool2dOp>([&](AvgPool2dOp a) {
        SmallVector<int64_t> ones = {1, 1};
        return pool(a, a.getKernel(), a.getStrides(), a.getPads(), ones,
                    /*isMax=*/false, a.getCountIncludePad());
      })
      .Case<GlobalAvgPool2dOp>([&](GlobalAvgPool2dOp g) {
        const Tensor &x = get(g.getInput());
        int64_t plane = x.shape[2] * x.shape[3];
        Tensor out = Tensor::floats(shapeOf(g.getOutput()));
        for (int64_t b = 0, n = x.shape[0] * x.shape[1]; b < n; ++b) {
          double acc = 0;
          for (int64_t e = 0; e < plane; ++e)
            acc += at(x, b * plane + e);
          out.f[b] = float(acc / double(plane));
        }
        set(g.getOutput(), std::move(out));
        return llvm::Error::success();
      })
      .Case<BatchNormOp>([&](BatchNormOp bn) {
        const Tensor &x = get(bn.getInput());
        const Tensor &scale = get(bn.getScale()), &bias = get(bn.getBias()),
                     &mean = get(bn.getMean()), &var = get(bn.getVariance());
        float eps = bn.getEpsilon().convertToFloat();
        int64_t c = x.shape[1], plane = x.numElements() / (x.shape[0] * c);
        Tensor out = Tensor::floats(x.shape);
        for (int64_t e = 0, n = x.numElements(); e < n; ++e) {
          int64_t ch = (e / plane) % c;
          out.f[e] = (at(x, e) - at(mean, ch)) / std::sqrt(at(var, ch) + eps) *
                         at(scale, ch) +
                     at(bias, ch);
        }
        set(bn.getOutput(), std::move(out));
        return llvm::Error::success();
      })
      .Case<LayerNormOp>([&](LayerNormOp ln) {
        const Tensor &x = get(ln.getInput());
        int64_t rank = x.shape.size(), axis = ln.getAxis();
        if (axis < 0)
          axis += rank;
        int64_t inner = 1;
        for (int64_t d = axis; d < rank; ++d)
          inner *= x.shape[d];
        const Tensor &scale = get(ln.getScale());
        const Tensor *bias = ln.getBias() ? &get(ln.getBias()) : nullptr;
        float eps = ln.getEpsilon().convertToFloat();
        Tensor out = Tensor::floats(x.shape);
        for (int64_t o = 0, outer = x.numElements() / inner; o < outer; ++o) {
          double mean = 0, var = 0;
          for (int64_t e = 0; e < inner; ++e)
            mean += at(x, o * inner + e);
          mean /= inner;
          for (int64_t e = 0; e < inner; ++e) {
            double dv = at(x, o * inner + e) - mean;
            var += dv * dv;
          }
          var /= inner;
          for (int64_t e = 0; e < inner; ++e)
            out.f[o * inner + e] =
                float((at(x, o * inner + e) - mean) / std::sqrt(var + eps)) *
                    at(scale, e) +
                (bias ? at(*bias, e) : 0.0f);
        }
        set(ln.getOutput(), std::move(out));
        return llvm::Error::success();
      })
      .Case<SoftmaxOp>([&](SoftmaxOp sm) {
        const Tensor &x = get(sm.getInput());
        int64_t rank = x.shape.size(), axis = sm.getAxis();
        if (axis < 0)
          axis += rank;
        int64_t inner = 1, len = x.shape[axis];
        for (int64_t d = axis + 1; d < rank; ++d)
          inner *= x.shape[d];
        int64_t outer = x.numElements() / (inner * len);
        Tensor out = Tensor::floats(x.shape);
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t in = 0; in < inner; ++in) {
            auto idx = [&](int64_t a) { return (o * len + a) * inner + in; };
            float m = -std::numeric_limits<float>::infinity();
            for (int64_t a = 0; a < len; ++a)
              m = std::max(m, at(x, idx(a)));
            double sum = 0;
            for (int64_t a = 0; a < len; ++a)
              sum += std::exp(double(at(x, idx(a)) - m));
            for (int64_t a = 0; a < len; ++a)
              out.f[idx(a)] = float(std::exp(double(at(x, idx(a)) - m)) / sum);
          }
        set(sm.getOutput(), std::move(out));
        return llvm::Error::success();
      })
      .Case<ReduceMeanOp>([&](ReduceMeanOp r) {
        const Tensor &x = get(r.getInput());
        int64_t rank = x.shape.size();
        SmallVector<bool> reduced(rank, false);
        for (int64_t a : r.getAxes())
          reduced[a < 0 ? a + rank : a] = true;
        SmallVector<int64_t> kept;
        for (int64_t d = 0; d < rank; ++d)
          kept.push_back(reduced[d] ? 1 : x.shape[d]);
        SmallVector<int64_t> keptStrides = stridesOf(kept);
        std::vector<double> sums(x.numElements() ? 1 : 0, 0);
        int64_t outCount = 1;
        for (int64_t v : kept)
          outCount *= v;
        sums.assign(outCount, 0.0);
        SmallVector<int64_t> index(rank, 0);
        for (int64_t e = 0, n = x.numElements(); e < n; ++e) {
          int64_t o = 0;
          for (int64_t d = 0; d < rank; ++d)
            o += (reduced[d] ? 0 : index[d]) * keptStrides[d];
          sums[o] += at(x, e);
          for (int64_t d = rank - 1; d >= 0; --d) {
            if (++index[d] < x.shape[d])
              break;
            index[d] = 0;
          }
        }
        double count = double(x.numElements()) / double(outCount);
        std::vector<float> values;
        for (double s : sums)
          values.push_back(float(s / count));
        set(r.getOutput(), Tensor::floats(shapeOf(r.getOutput()), values));
        return llvm::Error::success();
      })
      .Case<ReshapeOp, FlattenOp>([&](Operation *r) {
        Tensor out = get(r->getOperand(0));
        out.shape = shapeOf(r->getResult(0));
        set(r->getResult(0), std::move(out));
        return llvm::Error::success();
      })
      .Case<TransposeOp>([&](TransposeOp t) {
        const Tensor &x = get(t.getInput());
        SmallVector<int64_t> in = stridesOf(x.shape);
        ArrayRef<int64_t> perm = t.getPermutation();
        set(t.getOutput(),
            gather(x, shapeOf(t.getOutput()), [&](ArrayRef<int64_t> idx) {
              int64_t src = 0;
              for (size_t d = 0; d < idx.size(); ++d)
                src += idx[d] * in[perm[d]];
              return src;
            }));
        return llvm::Error::success();
      })
      .Case<SliceOp>([&](SliceOp s) {
        const Tensor &x = get(s.getInput());
        SmallVector<int64_t> in = stridesOf(x.shape);
        ArrayRef<int64_t> offsets = s.getOffsets(), strides = s.getStrides();
        set(s.getOutput(),
            gather(x, shapeOf(s.getOutput()), [&](ArrayRef<int64_t> idx) {
              int64_t src = 0;
              for (size_t d = 0; d < idx.size(); ++d)
                src += (offsets[d] + idx[d] * strides[d]) * in[d];
              return src;
            }));
        return llvm::Error::success();
      })
      .Case<ConcatOp>([&](ConcatOp c) {
        SmallVector<int64_t> outShape = shapeOf(c.getOutput());
        int64_t rank = outShape.size(), axis = c.getAxis();
        if (axis < 0)
          axis += rank;
        int64_t outer = 1, inner = 1;
        for (int64_t d = 0; d < axis; ++d)
          outer *= outShape[d];
        for (int64_t d = axis + 1; d < rank; ++d)
          inner *= outShape[d];
        bool integer = get(c.getInputs().front()).isInteger;
        Tensor out =
            integer ? Tensor::integers(outShape) : Tensor::floats(outShape);
        int64_t offset = 0;
        for (Value v : c.getInputs()) {
          const Tensor &t = get(v);
          int64_t len = t.shape[axis];
          for (int64_t o = 0; o < outer; ++o)
            for (int64_t e = 0; e < len * inner; ++e) {
              int64_t dst = (o * outShape[axis] + offset) * inner + e;
              int64_t src = o * len * inner + e;
              if (integer)
                out.i[dst] = t.i[src];
              else
                out.f[dst] = t.f[src];
            }
          offset += len;
        }
        set(c.getOutput(), std::move(out));
        return llvm::Error::success();
      })
      .Case<SplitOp>([&](SplitOp s) {
        const Tensor &x = get(s.getInput());
        int64_t rank = x.shape.size(), axis = s.getAxis();
        if (axis < 0)
          axis += rank;
        SmallVector<int64_t> in = stridesOf(x.shape);
        int64_t offset = 0;
        for (Value result : s.getOutputs()) {
          SmallVector<int64_t> shape = shapeOf(result);
          set(result, gather(x, shape, [&](ArrayRef<int64_t> idx) {
                int64_t src = 0;
                for (int64_t d = 0; d < rank; ++d)
                  src += (idx[d] + (d == axis ? offset : 0)) * in[d];
                return src;
              }));
          offset += shape[axis];
        }
        return llvm::Error::success();
      })
      .Case<PadOp>([&](PadOp p) {
        const Tensor &x = get(p.getInput());
        int64_t rank = x.shape.size();
        SmallVector<int64_t> in = stridesOf(x.shape);
        ArrayRef<int64_t> pads = p.getPads();
        PadMode mode = p.getMode();
        set(p.getOutput(), gather(
                               x, shapeOf(p.getOutput()),
                               [&](ArrayRef<int64_t> idx) -> int64_t {
                                 int64_t src = 0;
                                 for (int64_t d = 0; d < rank; ++d) {
                                   int64_t i = idx[d] - pads[d], n = x.shape[d];
                                   if (i < 0 || i >= n) {
                                     if (mode == PadMode::constant)
                                       return -1;
                                     if (mode == PadMode::edge)
                                       i = std::clamp<int64_t>(i, 0, n - 1);
                                     else // reflect
                                       i = i < 0 ? -i : 2 * (n - 1) - i;
                                   }
                                   src += i * in[d];
                                 }
                                 return src;
                               },
                               p.getValue().convertToFloat()));
        return llvm::Error::success();
      })
      .Case<QuantizeOp>([&](QuantizeOp q) {
        const Tensor &x = get(q.getInput());
        ArrayRef<float> scale = q.getScale();
        ArrayRef<int64_t> zero = q.getZeroPoint();
        auto type = cast<RankedTensorType>(q.getOutput().getType());
        bool isUnsigned = type.getElementType().isUnsignedInteger();
        int64_t bits = q.getBits();
        int64_t lo = isUnsigned ? 0 : -(int64_t(1) << (bits - 1));
        int64_t hi = isUnsigned ? (int64_t(1) << bits) - 1
                                : (int64_t(1) << (bits - 1)) - 1;
        auto channelOf = channelIndexer(q.getAxis(), x.shape);
        Tensor out = Tensor::integers(x.shape);
        for (int64_t e = 0, n = x.numElements(); e < n; ++e) {
          int64_t c = channelOf(e);
          double v = std::nearbyint(double(at(x, e)) / scale[c]) + zero[c];
          // Saturate before converting: out-of-range doubles (and NaN) have
          // no int64_t value.
          out.i[e] = std::isnan(v)
                         ? zero[c]
                         : int64_t(std::clamp(v, double(lo), double(hi)));
        }
        set(q.getOutput(), std::move(out));
        return llvm::Error::success();
      })
      .Case<DequantizeOp>([&](DequantizeOp q) {
        const Tensor &x = get(q.getInput());
        ArrayRef<float> scale = q.getScale();
        ArrayRef<int64_t> zero = q.getZeroPoint();
        auto channelOf = channelIndexer(q.getAxis(), x.shape);
        Tensor out = Tensor::floats(x.shape);
        for (int64_t e = 0, n = x.numElements(); e < n; ++e) {
          int64_t c = channelOf(e);
          out.f[e] = float(double(x.i[e] - zero[c]) * scale[c]);
        }
        set(q.getOutput(), std::move(out));
        return llvm::Error::success();
      })
      .Default([&](Operation *other) {
        if (other->getDialect() && other->getDialect()->getNamespace() == "cim")
          return opError(other,
                         "cannot be evaluated at this level: the bit-sliced "
                         "form runs on the ISA interpreter; evaluate the "
                         "graph or tiled level");
        return opError(other, "is not a cim op the evaluator knows");
      });
}

} // namespace

llvm::Expected<GraphEvaluator> GraphEvaluator::create(ModuleOp module,
                                                      llvm::StringRef entry,
                                                      Options options) {
  auto function = module.lookupSymbol<func::FuncOp>(entry);
  if (!function)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "no function '" + entry + "' to evaluate");
  if (function.getBody().getBlocks().size() != 1)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "function '" + entry +
                                       "' must have a single block");
  GraphEvaluator evaluator;
  evaluator.function = function;
  evaluator.options = options;
  FunctionType type = function.getFunctionType();
  auto staticShape =
      [&](Type t,
          const llvm::Twine &what) -> llvm::Expected<SmallVector<int64_t>> {
    auto ranked = dyn_cast<RankedTensorType>(t);
    if (!ranked || !ranked.hasStaticShape())
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     what + " must be a statically shaped "
                                            "tensor");
    return SmallVector<int64_t>(ranked.getShape());
  };
  for (unsigned i = 0; i < type.getNumInputs(); ++i) {
    auto shape = staticShape(type.getInput(i), "argument " + llvm::Twine(i));
    if (!shape)
      return shape.takeError();
    evaluator.inputShapes.push_back(*shape);
    auto name = function.getArgAttrOfType<StringAttr>(i, "onnx.name");
    evaluator.inputNames.push_back(name ? name.str()
                                        : "arg" + std::to_string(i));
  }
  for (unsigned i = 0; i < type.getNumResults(); ++i) {
    auto shape = staticShape(type.getResult(i), "result " + llvm::Twine(i));
    if (!shape)
      return shape.takeError();
    evaluator.outputShapes.push_back(*shape);
    auto name = function.getResultAttrOfType<StringAttr>(i, "onnx.name");
    evaluator.outputNames.push_back(name ? name.str()
                                         : "out" + std::to_string(i));
  }
  // Reject what cannot run before any input arrives; decode constants.
  evaluator.constants = std::make_shared<llvm::DenseMap<Value, Tensor>>();
  evaluator.weightCache = std::make_shared<WeightCache>();
  for (Operation &op : function.getBody().front()) {
    if (isa<func::ReturnOp>(op))
      continue;
    if (auto constant = dyn_cast<ConstantOp>(op)) {
      llvm::Expected<Tensor> value = decodeConstant(constant);
      if (!value)
        return value.takeError();
      (*evaluator.constants)[constant.getResult()] = std::move(*value);
      continue;
    }
    if (isa<EncodeOp, DecodeOp, DacCyclesOp, CellSlicesOp, CrossbarMvmOp, AdcOp,
            ShiftAddOp, OffsetCorrectOp>(op))
      return opError(&op, "cannot be evaluated at this level: the bit-sliced "
                          "form spells out what one MVM instruction computes; "
                          "evaluate the graph or tiled level, or lower the "
                          "tiled level to instructions (cim-lower-to-isa)");
    if (auto program = dyn_cast<IsaProgramOp>(op)) {
      // Programmed weights are read by every run: decode them once.
      auto codes = evaluator.constants->find(program.getCodes());
      if (codes == evaluator.constants->end() || !codes->second.isInteger)
        return opError(&op, "programs weights that are not integer constants");
      auto entry = std::make_shared<WeightCache::Entry>();
      entry->codes = codes->second.i;
      entry->codesAsDouble.assign(entry->codes.begin(), entry->codes.end());
      entry->codesAsFloat.assign(entry->codes.begin(), entry->codes.end());
      evaluator.weightCache->entries[&op] = std::move(entry);
      continue;
    }
    if (auto mvm = dyn_cast<IsaMvmOp>(op)) {
      // Codes the crossbar cannot hold or drive are a bad program: say so
      // once, before any run.
      TargetAttr target = lookupTarget(mvm);
      if (!target)
        return opError(&op, "needs the module's cim.target");
      numerics::CrossbarConfig config = cim::layerConfig(
          target, mvm.getPrecision(),
          mvm.getSlices() ? *mvm.getSlices() : ArrayRef<int64_t>(), 8, 8,
          cim::layerCalibrationOf(mvm));
      numerics::CodeRange wRange = numerics::weightCodeRange(config),
                          xRange = numerics::inputCodeRange(config);
      auto entry =
          evaluator.weightCache->entries.find(mvm.getWeights().getDefiningOp());
      if (entry == evaluator.weightCache->entries.end())
        return opError(&op, "reads weights no cim.isa.program wrote");
      for (int64_t code : entry->second->codes)
        if (code < wRange.min || code > wRange.max)
          return opError(&op, llvm::formatv("weight code {0} is outside "
                                            "[{1}, {2}] of its precision",
                                            code, wRange.min, wRange.max));
      if (auto encode = mvm.getCodes().getDefiningOp<IsaEncodeOp>())
        if (int64_t(encode.getMin()) < xRange.min ||
            int64_t(encode.getMax()) > xRange.max)
          return opError(
              &op,
              llvm::formatv("reads codes in [{0}, {1}], outside [{2}, "
                            "{3}] of its precision",
                            int64_t(encode.getMin()), int64_t(encode.getMax()),
                            xRange.min, xRange.max));
    }
    if (!op.getDialect() || op.getDialect()->getNamespace() != "cim")
      return opError(&op, "is not a cim op the evaluator knows");
    if (options.quantize &&
        (isa<Conv2dOp>(op) ||
         (isa<MatmulOp>(op) && matchPattern(op.getOperand(1), m_Constant()))))
      return opError(&op, "quantized evaluation simulates crossbar layers at "
                          "the mapped level: run --cim-lower-conv first");
    for (Type t : op.getResultTypes()) {
      auto ranked = dyn_cast<RankedTensorType>(t);
      if (!ranked || !ranked.hasStaticShape())
        return opError(&op, "needs statically shaped results");
      // Fail before any run allocates a value too large to hold.
      if (llvm::Error e = checkLimit(
              ranked.getNumElements(), getResourceLimits().maxTensorElements,
              "its result", "elements", "max-tensor-elements"))
        return opError(&op, llvm::toString(std::move(e)));
    }
  }
  return evaluator;
}

llvm::Expected<std::vector<Tensor>>
GraphEvaluator::run(llvm::ArrayRef<Tensor> inputs, Stats *stats,
                    const Observer &observer, uint64_t invocation) const {
  if (inputs.size() != inputShapes.size())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   llvm::formatv("expected {0} inputs, got {1}",
                                                 inputShapes.size(),
                                                 inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i)
    if (ArrayRef<int64_t>(inputs[i].shape) != ArrayRef<int64_t>(inputShapes[i]))
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          llvm::formatv(
              "input '{0}' has shape [{1}], the model expects [{2}]",
              inputNames[i],
              llvm::make_range(inputs[i].shape.begin(), inputs[i].shape.end()),
              llvm::make_range(inputShapes[i].begin(), inputShapes[i].end())));
  std::vector<Tensor> outputs;
  Runner runner(options, stats, observer, invocation, *constants, *weightCache);
  if (llvm::Error error =
          runner.run(const_cast<func::FuncOp &>(function), inputs, outputs))
    return std::move(error);
  return outputs;
}

llvm::Expected<std::vector<std::vector<float>>>
eval::runBatches(const GraphEvaluator &evaluator, llvm::ArrayRef<float> inputs,
                 int64_t batches) {
  if (evaluator.getInputShapes().empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the model has no input");
  llvm::ArrayRef<int64_t> shape = evaluator.getInputShapes().front();
  int64_t size = 1;
  for (int64_t d : shape)
    size *= d;
  if (batches < 0 || int64_t(inputs.size()) < batches * size)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::formatv("{0} batches need {1} input values, got {2}", batches,
                      batches * size, inputs.size()));
  std::vector<std::vector<float>> outputs(batches);
  std::string error;
  std::mutex errorLock;
  std::atomic<int64_t> next{0};
  auto worker = [&] {
    for (int64_t b = next++; b < batches; b = next++) {
      auto begin = inputs.begin() + b * size;
      Tensor input =
          Tensor::floats(shape, std::vector<float>(begin, begin + size));
      llvm::Expected<std::vector<Tensor>> out =
          evaluator.run({input}, nullptr, {}, uint64_t(b));
      if (!out) {
        std::lock_guard<std::mutex> guard(errorLock);
        error = llvm::toString(out.takeError());
        return;
      }
      Tensor &first = out->front();
      outputs[b] = first.isInteger
                       ? std::vector<float>(first.i.begin(), first.i.end())
                       : std::move(first.f);
    }
  };
  std::thread helper(worker);
  worker();
  helper.join();
  if (!error.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(), error);
  return outputs;
}

llvm::Expected<std::vector<bool>>
eval::topOneCorrect(const GraphEvaluator &evaluator,
                    llvm::ArrayRef<float> inputs,
                    llvm::ArrayRef<int64_t> labels, int64_t batches) {
  llvm::Expected<std::vector<std::vector<float>>> outputs =
      runBatches(evaluator, inputs, batches);
  if (!outputs)
    return outputs.takeError();
  llvm::ArrayRef<int64_t> shape = evaluator.getInputShapes().front();
  int64_t perBatch = shape.empty() ? 1 : shape[0];
  if (int64_t(labels.size()) < batches * perBatch)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::formatv("{0} batches need {1} labels, got {2}", batches,
                      batches * perBatch, labels.size()));
  return topOneCorrectOf(*outputs, labels, perBatch);
}

std::vector<bool>
eval::topOneCorrectOf(llvm::ArrayRef<std::vector<float>> outputs,
                      llvm::ArrayRef<int64_t> labels, int64_t perBatch) {
  std::vector<bool> correct;
  correct.reserve(outputs.size() * perBatch);
  for (auto [b, logits] : llvm::enumerate(outputs)) {
    int64_t classes = int64_t(logits.size()) / perBatch;
    for (int64_t i = 0; i < perBatch; ++i) {
      auto row = logits.begin() + i * classes;
      int64_t best = std::max_element(row, row + classes) - row;
      correct.push_back(best == labels[b * perBatch + i]);
    }
  }
  return correct;
}

llvm::Expected<double> eval::topOneAccuracy(const GraphEvaluator &evaluator,
                                            llvm::ArrayRef<float> inputs,
                                            llvm::ArrayRef<int64_t> labels,
                                            int64_t batches) {
  llvm::Expected<std::vector<bool>> correct =
      topOneCorrect(evaluator, inputs, labels, batches);
  if (!correct)
    return correct.takeError();
  if (correct->empty())
    return 0.0;
  return double(llvm::count(*correct, true)) / double(correct->size());
}
