//===- IndexingDispatch.cpp - Evaluate the indexing ops -------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The dispatch of the ops in CimIndexingOps.td to Kernels/Indexing.cpp. Ops
// whose result size depends on values were imported with the size the model
// declares: here the computed size must match it, else the run fails naming
// the op and both shapes.
//
//===----------------------------------------------------------------------===//

#include "Kernels/Kernels.h"
#include "Runner.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <string>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::eval;

static std::string formatShape(ArrayRef<int64_t> shape) {
  std::string s = "[";
  llvm::interleave(
      shape, [&](int64_t d) { s += std::to_string(d); }, [&] { s += ", "; });
  return s + "]";
}

/// Fails unless the computed `result` has the static shape of `v`.
static llvm::Error checkDeclared(Operation *op, Value v, const Tensor &result) {
  SmallVector<int64_t> declared = shapeOf(v);
  if (ArrayRef<int64_t>(result.shape) == ArrayRef<int64_t>(declared))
    return llvm::Error::success();
  return opError(op, "the values give a result of shape " +
                         formatShape(result.shape) +
                         ", but the model declares " + formatShape(declared));
}

/// The integer value of a one-element operand that must equal `expected`
/// (the size the op was imported with); `what` names it.
static llvm::Error checkScalar(Operation *op, const Tensor &t, StringRef what,
                               int64_t expected) {
  // A float (OneHot's depth) truncates, as ONNX's cast to int64 does.
  double v = t.isInteger ? double(t.i[0]) : std::trunc(double(t.f[0]));
  if (t.isInteger ? t.i[0] == expected : v == double(expected))
    return llvm::Error::success();
  std::string text = t.isInteger           ? std::to_string(t.i[0])
                     : std::fabs(v) < 1e18 ? std::to_string(int64_t(v))
                                           : std::to_string(v);
  return opError(op, what + " is " + text +
                         ", but the model declares a result size of " +
                         std::to_string(expected));
}

static kernels::ScatterReduction reductionOf(StringRef name) {
  using R = kernels::ScatterReduction;
  return llvm::StringSwitch<R>(name)
      .Case("add", R::add)
      .Case("mul", R::mul)
      .Case("max", R::max)
      .Case("min", R::min)
      .Default(R::none);
}

llvm::Error Runner::executeIndexing(Operation *op, bool &handled) {
  handled = true;
  using namespace kernels;
  auto result = [&](Value v, Tensor value) {
    set(v, std::move(value));
    return llvm::Error::success();
  };
  auto expected = [&](Value v, llvm::Expected<Tensor> value) -> llvm::Error {
    if (!value)
      return opError(op, llvm::toString(value.takeError()));
    set(v, std::move(*value));
    return llvm::Error::success();
  };
  return llvm::TypeSwitch<Operation *, llvm::Error>(op)
      .Case([&](ScatterElementsOp s) {
        return expected(s.getOutput(),
                        scatterElements(get(s.getData()), get(s.getIndices()),
                                        get(s.getUpdates()), s.getAxis(),
                                        reductionOf(s.getReduction())));
      })
      .Case([&](ScatterNdOp s) {
        return expected(s.getOutput(),
                        scatterNd(get(s.getData()), get(s.getIndices()),
                                  get(s.getUpdates()),
                                  reductionOf(s.getReduction())));
      })
      .Case([&](GatherNdOp g) {
        return expected(g.getOutput(),
                        gatherNd(get(g.getData()), get(g.getIndices()),
                                 g.getBatchDims(), shapeOf(g.getOutput())));
      })
      .Case([&](ReverseSequenceOp r) {
        return expected(r.getOutput(),
                        reverseSequence(get(r.getInput()),
                                        get(r.getSequenceLens()),
                                        r.getBatchAxis(), r.getTimeAxis()));
      })
      .Case([&](CompressOp c) -> llvm::Error {
        Tensor out =
            compress(get(c.getInput()), get(c.getCondition()), c.getAxis());
        if (llvm::Error error = checkDeclared(c, c.getOutput(), out))
          return error;
        return result(c.getOutput(), std::move(out));
      })
      .Case([&](NonZeroOp n) -> llvm::Error {
        Tensor out = nonZero(get(n.getInput()));
        if (llvm::Error error = checkDeclared(n, n.getOutput(), out))
          return error;
        return result(n.getOutput(), std::move(out));
      })
      .Case([&](UniqueOp u) -> llvm::Error {
        UniqueResult out =
            kernels::unique(get(u.getInput()), u.getAxis(), u.getSorted());
        if (llvm::Error error = checkDeclared(u, u.getOutput(), out.values))
          return error;
        set(u.getIndices(), std::move(out.indices));
        set(u.getInverseIndices(), std::move(out.inverse));
        set(u.getCounts(), std::move(out.counts));
        return result(u.getOutput(), std::move(out.values));
      })
      .Case([&](TopKOp t) -> llvm::Error {
        SmallVector<int64_t> shape = shapeOf(t.getValues());
        int64_t axis = int64_t(t.getAxis());
        if (axis < 0)
          axis += int64_t(shape.size());
        if (Value k = t.getK())
          if (llvm::Error error = checkScalar(t, get(k), "k", shape[axis]))
            return error;
        Tensor values, indices;
        topK(get(t.getInput()), shape[axis], axis, t.getLargest(), values,
             indices);
        set(t.getIndices(), std::move(indices));
        return result(t.getValues(), std::move(values));
      })
      .Case([&](BitShiftOp b) {
        auto type = cast<RankedTensorType>(b.getOutput().getType());
        return result(b.getOutput(),
                      bitShift(get(b.getLhs()), get(b.getRhs()),
                               type.getShape(), b.getDirection() == "left",
                               type.getElementTypeBitWidth()));
      })
      .Case([&](OneHotOp o) -> llvm::Error {
        SmallVector<int64_t> shape = shapeOf(o.getOutput());
        int64_t axis = int64_t(o.getAxis());
        if (axis < 0)
          axis += int64_t(shape.size());
        if (Value d = o.getDepth())
          if (llvm::Error error = checkScalar(o, get(d), "depth", shape[axis]))
            return error;
        return result(
            o.getOutput(),
            oneHot(get(o.getIndices()), get(o.getValues()), shape[axis], axis));
      })
      .Case([&](EinsumOp e) -> llvm::Error {
        SmallVector<std::string> subscripts;
        std::string output;
        if (failed(e.getSubscripts(subscripts, output)))
          return opError(e, "cannot parse the equation");
        SmallVector<const Tensor *> inputs;
        for (Value v : e.getInputs())
          inputs.push_back(&get(v));
        return expected(e.getOutput(), einsum(inputs, subscripts, output,
                                              shapeOf(e.getOutput())));
      })
      .Case([&](WindowOp w) -> llvm::Error {
        int64_t size = shapeOf(w.getOutput())[0];
        if (Value s = w.getSize())
          if (llvm::Error error = checkScalar(w, get(s), "size", size))
            return error;
        WindowKind kind = llvm::StringSwitch<WindowKind>(w.getKind())
                              .Case("hamming", WindowKind::hamming)
                              .Case("blackman", WindowKind::blackman)
                              .Default(WindowKind::hann);
        return result(w.getOutput(), window(kind, size, w.getPeriodic()));
      })
      .Case([&](DetOp d) {
        return result(d.getOutput(),
                      det(get(d.getInput()), shapeOf(d.getOutput())));
      })
      .Default([&](Operation *) {
        handled = false;
        return llvm::Error::success();
      });
}
