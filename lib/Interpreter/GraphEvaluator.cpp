//===- GraphEvaluator.cpp - Execute graph- and tiled-level cim IR ---------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A straightforward tree-walking evaluator, float32 like the frameworks it
// is compared with. This file prepares a function (constants decoded once,
// what cannot run rejected before any input arrives), walks its ops and
// dispatches each to its family: the kernels of Kernels/ (one plain function
// per op), crossbar layers (Crossbar.cpp), instruction-level ops
// (IsaExecution.cpp). Adding an op is one case below and one kernel.
//
//===----------------------------------------------------------------------===//

#include "Runner.h"

#include "Kernels/Kernels.h"
#include "cim/Dialect/Cim/CimDialect.h"
#include "cim/Hardware/LayerConfig.h"
#include "cim/Support/Limits.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::eval;

llvm::Error eval::opError(Operation *op, const llvm::Twine &message) {
  std::string loc;
  llvm::raw_string_ostream os(loc);
  op->getLoc().print(os);
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 loc + ": '" + op->getName().getStringRef() +
                                     "': " + message);
}

SmallVector<int64_t> eval::shapeOf(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  return SmallVector<int64_t>(type.getShape());
}

namespace {

/// Decodes a dense constant into a tensor.
llvm::Expected<Tensor> decodeConstant(ConstantOp op) {
  auto dense = dyn_cast<DenseElementsAttr>(op.getValue());
  if (!dense)
    return opError(op, "only dense constants can be evaluated");
  SmallVector<int64_t> shape = shapeOf(op.getResult());
  Type element = dense.getElementType();
  if (isa<FloatType>(element)) {
    // Float32, as the frameworks compute (wider constants are rounded).
    std::vector<double> values = floatValues(dense, /*viaFloat32=*/true);
    return Tensor::floats(shape,
                          std::vector<float>(values.begin(), values.end()));
  }
  if (auto intType = dyn_cast<IntegerType>(element)) {
    std::vector<int64_t> values;
    values.reserve(dense.getNumElements());
    for (const APInt &v : dense.getValues<APInt>())
      // Booleans (i1) are 0 and 1, not a sign-extended -1.
      values.push_back(intType.isUnsigned() || intType.getWidth() == 1
                           ? int64_t(v.getZExtValue())
                           : v.getSExtValue());
    return Tensor::integers(shape, std::move(values));
  }
  return opError(op, "unsupported element type");
}

} // namespace

//===----------------------------------------------------------------------===//
// Runner: values
//===----------------------------------------------------------------------===//

llvm::Error Runner::run(func::FuncOp function, ArrayRef<Tensor> inputs,
                        std::vector<Tensor> &outputs) {
  Block &body = function.getBody().front();
  if (TargetAttr target = lookupTarget(function))
    rates = cost::Rates::of(target);
  for (auto [arg, input] : llvm::zip(body.getArguments(), inputs))
    set(arg, convertTensor(
                 input,
                 isa<IntegerType>(
                     cast<RankedTensorType>(arg.getType()).getElementType())));
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

const Tensor &Runner::get(Value v) {
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

void Runner::conformResults(Operation *op) {
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

Tensor Runner::Partial::dequantize() const {
  Tensor out = Tensor::floats(acc.shape);
  int64_t cols = acc.shape.back();
  for (int64_t e = 0, n = acc.numElements(); e < n; ++e)
    out.f[e] = float(double(acc.i[e]) * xScale * wScale[e % cols]);
  return out;
}

llvm::Error Runner::accumulate(AccumulateOp op) {
  // Integer partial sums with equal scales add exactly.
  Partial *first = findPartial(op.getPartials().front());
  bool integer = first != nullptr;
  for (Value v : op.getPartials()) {
    Partial *p = findPartial(v);
    integer = integer && p && p->xScale == first->xScale &&
              p->wScale == first->wScale;
  }
  if (integer) {
    Partial sum = *first;
    for (Value v : op.getPartials().drop_front()) {
      const Tensor &t = findPartial(v)->acc;
      for (int64_t e = 0, n = sum.acc.numElements(); e < n; ++e)
        sum.acc.i[e] += t.i[e];
    }
    setPartial(op.getOutput(), std::move(sum));
    return llvm::Error::success();
  }
  Tensor out = get(op.getPartials().front());
  for (Value v : op.getPartials().drop_front()) {
    const Tensor &t = get(v);
    for (int64_t e = 0, n = out.numElements(); e < n; ++e) {
      if (out.isInteger)
        out.i[e] += t.i[e];
      else
        out.f[e] += t.f[e];
    }
  }
  set(op.getOutput(), std::move(out));
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Runner: the dispatch, one case per op
//===----------------------------------------------------------------------===//

namespace {

kernels::BinaryKind binaryKindOf(Operation *op) {
  if (isa<AddOp>(op))
    return kernels::BinaryKind::add;
  if (isa<SubOp>(op))
    return kernels::BinaryKind::sub;
  if (isa<MulOp>(op))
    return kernels::BinaryKind::mul;
  if (isa<DivOp>(op))
    return kernels::BinaryKind::div;
  return kernels::BinaryKind::pow;
}

bool hasIntegerElements(Value v) {
  return isa<IntegerType>(cast<RankedTensorType>(v.getType()).getElementType());
}

} // namespace

llvm::Error Runner::execute(Operation *op) {
  using namespace kernels;
  // Sets the op's result to a kernel's value.
  auto result = [&](Value v, Tensor value) {
    set(v, std::move(value));
    return llvm::Error::success();
  };
  return llvm::TypeSwitch<Operation *, llvm::Error>(op)
      // Decoded once (GraphEvaluator::create); SYNC only orders the timeline.
      .Case<ConstantOp, IsaProgramOp, IsaSyncOp>(
          [](Operation *) { return llvm::Error::success(); })

      // Crossbar layers and their partial sums (Crossbar.cpp).
      .Case([&](GemmOp g) { return gemm(g); })
      .Case<MvmOp, TileOp>([&](auto layer) { return crossbarLayer(layer); })
      .Case([&](AccumulateOp a) { return accumulate(a); })

      // Instruction level (IsaExecution.cpp).
      .Case([&](IsaEncodeOp e) { return isaEncode(e); })
      .Case([&](IsaMvmOp m) { return isaMvm(m); })
      .Case([&](IsaDecodeOp d) { return isaDecode(d); })

      // Elementwise (Kernels/Elementwise.cpp).
      .Case<AddOp, SubOp, MulOp, DivOp, PowOp>([&](Operation *b) {
        Value out = b->getResult(0);
        return result(out, binary(binaryKindOf(b), get(b->getOperand(0)),
                                  get(b->getOperand(1)), shapeOf(out),
                                  hasIntegerElements(out)));
      })
      .Case([&](ReluOp r) {
        return result(r.getOutput(), relu(get(r.getInput())));
      })
      .Case([&](LeakyReluOp r) {
        return result(r.getOutput(), leakyRelu(get(r.getInput()),
                                               r.getAlpha().convertToFloat()));
      })
      .Case([&](ClipOp c) {
        return result(c.getOutput(),
                      clip(get(c.getInput()), c.getMin().convertToFloat(),
                           c.getMax().convertToFloat()));
      })
      .Case([&](SigmoidOp s) {
        return result(s.getOutput(), sigmoid(get(s.getInput())));
      })
      .Case([&](HardSigmoidOp s) {
        return result(s.getOutput(), hardSigmoid(get(s.getInput()),
                                                 s.getAlpha().convertToFloat(),
                                                 s.getBeta().convertToFloat()));
      })
      .Case([&](HardSwishOp s) {
        return result(s.getOutput(), hardSwish(get(s.getInput())));
      })
      .Case([&](TanhOp t) {
        return result(t.getOutput(), kernels::tanh(get(t.getInput())));
      })
      .Case([&](GeluOp g) {
        return result(g.getOutput(),
                      gelu(get(g.getInput()),
                           g.getApproximation() == GeluApproximation::tanh));
      })
      .Case([&](ErfOp e) {
        return result(e.getOutput(), kernels::erf(get(e.getInput())));
      })
      .Case([&](SqrtOp e) {
        return result(e.getOutput(), kernels::sqrt(get(e.getInput())));
      })
      .Case([&](ExpOp e) {
        return result(e.getOutput(), kernels::exp(get(e.getInput())));
      })

      // Convolutions, pools, matmuls on the digital unit (Kernels/Conv.cpp).
      .Case([&](Conv2dOp c) {
        return result(
            c.getOutput(),
            conv2d(get(c.getInput()), get(c.getWeight()),
                   c.getBias() ? &get(c.getBias()) : nullptr,
                   shapeOf(c.getOutput()),
                   {{}, c.getStrides(), c.getPads(), c.getDilations()},
                   c.getGroups()));
      })
      .Case([&](MaxPool2dOp m) {
        return result(
            m.getOutput(),
            pool(get(m.getInput()), shapeOf(m.getOutput()),
                 {m.getKernel(), m.getStrides(), m.getPads(), m.getDilations()},
                 /*isMax=*/true, false));
      })
      .Case([&](AvgPool2dOp a) {
        SmallVector<int64_t> ones = {1, 1};
        return result(a.getOutput(),
                      pool(get(a.getInput()), shapeOf(a.getOutput()),
                           {a.getKernel(), a.getStrides(), a.getPads(), ones},
                           /*isMax=*/false, a.getCountIncludePad()));
      })
      .Case([&](GlobalAvgPool2dOp g) {
        return result(g.getOutput(),
                      globalAvgPool(get(g.getInput()), shapeOf(g.getOutput())));
      })
      .Case([&](MatmulOp m) {
        return result(m.getOutput(), matmul(get(m.getLhs()), get(m.getRhs()),
                                            shapeOf(m.getOutput())));
      })

      // Normalizations and reductions (Kernels/Normalization.cpp,
      // Kernels/Reduction.cpp).
      .Case([&](BatchNormOp bn) {
        return result(bn.getOutput(),
                      batchNorm(get(bn.getInput()), get(bn.getScale()),
                                get(bn.getBias()), get(bn.getMean()),
                                get(bn.getVariance()),
                                bn.getEpsilon().convertToFloat()));
      })
      .Case([&](LayerNormOp ln) {
        return result(ln.getOutput(),
                      layerNorm(get(ln.getInput()), get(ln.getScale()),
                                ln.getBias() ? &get(ln.getBias()) : nullptr,
                                ln.getAxis(),
                                ln.getEpsilon().convertToFloat()));
      })
      .Case([&](SoftmaxOp s) {
        return result(s.getOutput(), softmax(get(s.getInput()), s.getAxis()));
      })
      .Case([&](ReduceMeanOp r) {
        return result(r.getOutput(), reduceMean(get(r.getInput()), r.getAxes(),
                                                shapeOf(r.getOutput())));
      })

      // Shapes (Kernels/Shape.cpp).
      .Case<ReshapeOp, FlattenOp>([&](Operation *r) {
        return result(r->getResult(0),
                      reshape(get(r->getOperand(0)), shapeOf(r->getResult(0))));
      })
      .Case([&](TransposeOp t) {
        return result(t.getOutput(),
                      transpose(get(t.getInput()), shapeOf(t.getOutput()),
                                t.getPermutation()));
      })
      .Case([&](SliceOp s) {
        return result(s.getOutput(),
                      kernels::slice(get(s.getInput()), shapeOf(s.getOutput()),
                                     s.getOffsets(), s.getStrides()));
      })
      .Case([&](ConcatOp c) {
        SmallVector<const Tensor *> inputs;
        for (Value v : c.getInputs())
          inputs.push_back(&get(v));
        return result(c.getOutput(),
                      concat(inputs, shapeOf(c.getOutput()), c.getAxis()));
      })
      .Case([&](SplitOp s) {
        SmallVector<SmallVector<int64_t>> shapes;
        for (Value v : s.getOutputs())
          shapes.push_back(shapeOf(v));
        std::vector<Tensor> pieces =
            split(get(s.getInput()), shapes, s.getAxis());
        for (auto [v, piece] : llvm::zip(s.getOutputs(), pieces))
          set(v, std::move(piece));
        return llvm::Error::success();
      })
      .Case([&](PadOp p) {
        return result(p.getOutput(),
                      pad(get(p.getInput()), shapeOf(p.getOutput()),
                          p.getPads(), p.getMode(),
                          p.getValue().convertToFloat()));
      })
      .Case([&](Im2ColOp c) {
        return result(c.getOutput(),
                      im2col(get(c.getInput()), shapeOf(c.getOutput()),
                             {c.getKernel(), c.getStrides(), c.getPads(),
                              c.getDilations()},
                             c.getChannelOffset(), c.getChannels()));
      })

      // QDQ (Kernels/Quantize.cpp).
      .Case([&](QuantizeOp q) {
        auto type = cast<RankedTensorType>(q.getOutput().getType());
        return result(q.getOutput(),
                      quantize(get(q.getInput()), q.getScale(),
                               q.getZeroPoint(), q.getAxis(), q.getBits(),
                               type.getElementType().isUnsignedInteger()));
      })
      .Case([&](DequantizeOp q) {
        return result(q.getOutput(), dequantize(get(q.getInput()), q.getScale(),
                                                q.getZeroPoint(), q.getAxis()));
      })

      .Default([&](Operation *other) {
        bool handled;
        if (llvm::Error error = executeMath(other, handled); handled || error)
          return error;
        if (llvm::Error error = executeImage(other, handled); handled || error)
          return error;
        if (llvm::Error error = executeDynamic(other, handled);
            handled || error)
          return error;
        if (llvm::Error error = executeIndexing(other, handled);
            handled || error)
          return error;
        if (llvm::Error error = executeSignal(other, handled); handled || error)
          return error;
        if (other->getDialect() && other->getDialect()->getNamespace() == "cim")
          return opError(other,
                         "cannot be evaluated at this level: the bit-sliced "
                         "form runs on the ISA interpreter; evaluate the "
                         "graph or tiled level");
        return opError(other, "is not a cim op the evaluator knows");
      });
}

//===----------------------------------------------------------------------===//
// GraphEvaluator
//===----------------------------------------------------------------------===//

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
    if (llvm::Error error = prepareInstruction(op, *evaluator.constants,
                                               *evaluator.weightCache))
      return error;
    // Programmed codes are constants: nothing more to check.
    if (isa<IsaProgramOp>(op))
      continue;
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
