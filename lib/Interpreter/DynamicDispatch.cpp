//===- DynamicDispatch.cpp - Evaluate the ops with run-time parameters ----===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The ops of CimDynamicOps.td: each reads its parameters, resolves them with
// the rules of cim/Dialect/Cim/ShapeRules.h (the importer's, for constant
// parameters), checks the result has the declared shape and runs the same
// kernel as its static form.
//
//===----------------------------------------------------------------------===//

#include "Kernels/Kernels.h"
#include "Runner.h"
#include "cim/Dialect/Cim/ShapeRules.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::eval;

/// The values of an integer parameter tensor.
static SmallVector<int64_t> intsOf(const Tensor &t) {
  SmallVector<int64_t> values;
  for (int64_t e = 0, n = t.numElements(); e < n; ++e)
    values.push_back(t.isInteger ? t.i[e] : int64_t(t.f[e]));
  return values;
}

/// Fails unless the parameters produce the shape the op declares.
static llvm::Error checkDeclared(Operation *op, ArrayRef<int64_t> computed,
                                 Value result) {
  SmallVector<int64_t> declared = shapeOf(result);
  if (ArrayRef<int64_t>(declared) == computed)
    return llvm::Error::success();
  return opError(op, "its run-time parameters give shape " +
                         shape::format(computed) + ", the model declares " +
                         shape::format(declared));
}

static llvm::Error fromExpected(Operation *op, llvm::Error error) {
  return opError(op, llvm::toString(std::move(error)));
}

llvm::Error Runner::executeDynamic(Operation *op, bool &handled) {
  handled = true;
  using namespace kernels;
  auto result = [&](Value v, Tensor value) {
    set(v, std::move(value));
    return llvm::Error::success();
  };
  return llvm::TypeSwitch<Operation *, llvm::Error>(op)
      .Case([&](DynamicSliceOp s) -> llvm::Error {
        const Tensor &x = get(s.getInput());
        llvm::Expected<shape::SliceBounds> b = shape::resolveSlice(
            x.shape, intsOf(get(s.getStarts())), intsOf(get(s.getEnds())),
            intsOf(get(s.getAxes())), intsOf(get(s.getSteps())));
        if (!b)
          return fromExpected(s, b.takeError());
        if (llvm::Error e = checkDeclared(s, b->sizes, s.getOutput()))
          return e;
        return result(s.getOutput(),
                      kernels::slice(x, b->sizes, b->offsets, b->strides));
      })
      .Case([&](DynamicReduceOp r) -> llvm::Error {
        const Tensor &x = get(r.getInput());
        llvm::Expected<SmallVector<int64_t>> axes =
            shape::normalizeAxes(intsOf(get(r.getAxes())), x.shape.size());
        if (!axes)
          return fromExpected(r, axes.takeError());
        if (axes->empty() && r.getNoopWithEmptyAxes()) {
          if (llvm::Error e = checkDeclared(r, x.shape, r.getOutput()))
            return e;
          return result(r.getOutput(), x);
        }
        SmallVector<int64_t> out =
            shape::reducedShape(x.shape, *axes, r.getKeepdims());
        if (llvm::Error e = checkDeclared(r, out, r.getOutput()))
          return e;
        return result(r.getOutput(), reduce(r.getKind(), x, *axes, out));
      })
      .Case([&](DynamicCumSumOp c) -> llvm::Error {
        const Tensor &x = get(c.getInput());
        llvm::Expected<SmallVector<int64_t>> axis = shape::normalizeAxes(
            intsOf(get(c.getAxis())), int64_t(x.shape.size()));
        if (!axis)
          return fromExpected(c, axis.takeError());
        return result(c.getOutput(), cumSum(x, axis->front(), c.getExclusive(),
                                            c.getReverse()));
      })
      .Case([&](DynamicPadOp p) -> llvm::Error {
        const Tensor &x = get(p.getInput());
        SmallVector<int64_t> pads = intsOf(get(p.getPads()));
        llvm::Expected<SmallVector<int64_t>> out =
            shape::paddedShape(x.shape, pads);
        if (!out)
          return fromExpected(p, out.takeError());
        if (llvm::Error e = checkDeclared(p, *out, p.getOutput()))
          return e;
        // Reflection mirrors inside the input once; edge and reflect need a
        // non-empty input.
        int64_t rank = x.shape.size();
        for (int64_t d = 0; d < rank && p.getMode() != PadMode::constant; ++d)
          if (x.shape[d] == 0 ||
              (p.getMode() == PadMode::reflect &&
               std::max(pads[d], pads[d + rank]) > x.shape[d] - 1))
            return opError(p, "a " + stringifyPadMode(p.getMode()).str() +
                                  " pad of dimension " + std::to_string(d) +
                                  " reaches past the input");
        return result(p.getOutput(), pad(x, *out, pads, p.getMode(),
                                         at(get(p.getValue()), 0)));
      })
      .Case([&](DynamicRepeatOp r) -> llvm::Error {
        const Tensor &x = get(r.getInput());
        llvm::Expected<SmallVector<int64_t>> out =
            shape::repeatedShape(x.shape, intsOf(get(r.getRepeats())));
        if (!out)
          return fromExpected(r, out.takeError());
        if (llvm::Error e = checkDeclared(r, *out, r.getOutput()))
          return e;
        return result(r.getOutput(), repeat(x, *out));
      })
      .Case([&](RangeOp r) -> llvm::Error {
        const Tensor &start = get(r.getStart()), &limit = get(r.getLimit()),
                     &delta = get(r.getDelta());
        bool integer = start.isInteger;
        double s = integer ? double(start.i[0]) : start.f[0];
        double l = integer ? double(limit.i[0]) : limit.f[0];
        double d = integer ? double(delta.i[0]) : delta.f[0];
        llvm::Expected<int64_t> n = shape::rangeLength(s, l, d);
        if (!n)
          return fromExpected(r, n.takeError());
        if (llvm::Error e = checkDeclared(r, {*n}, r.getOutput()))
          return e;
        if (integer) {
          Tensor out = Tensor::integers({*n});
          for (int64_t k = 0; k < *n; ++k)
            out.i[k] = start.i[0] + k * delta.i[0];
          return result(r.getOutput(), std::move(out));
        }
        // Accumulated in float, as ONNX's reference (a loop of adds) does.
        Tensor out = Tensor::floats({*n});
        float v = start.f[0];
        for (int64_t k = 0; k < *n; ++k, v += delta.f[0])
          out.f[k] = v;
        return result(r.getOutput(), std::move(out));
      })
      .Case<DynamicQuantizeOp, DynamicDequantizeOp>([&](auto q) -> llvm::Error {
        const Tensor &x = get(q.getInput());
        const Tensor &scaleT = get(q.getScale());
        SmallVector<float> scale;
        for (int64_t e = 0; e < scaleT.numElements(); ++e)
          scale.push_back(at(scaleT, e));
        SmallVector<int64_t> zero = intsOf(get(q.getZeroPoint()));
        std::optional<uint64_t> axis;
        size_t channels = 1;
        if (std::optional<int64_t> a = q.getAxis()) {
          int64_t rank = x.shape.size();
          axis = uint64_t(*a < 0 ? *a + rank : *a);
          channels = x.shape[*axis];
        }
        if (scale.size() != channels || zero.size() != channels)
          return opError(q, "expected " + std::to_string(channels) +
                                " scales and zero points, got " +
                                std::to_string(scale.size()) + " and " +
                                std::to_string(zero.size()));
        if constexpr (std::is_same_v<decltype(q), DynamicQuantizeOp>) {
          auto type = cast<RankedTensorType>(q.getOutput().getType());
          Type element = type.getElementType();
          return result(q.getOutput(), quantize(x, scale, zero, axis,
                                                element.getIntOrFloatBitWidth(),
                                                element.isUnsignedInteger()));
        } else {
          return result(q.getOutput(), dequantize(x, scale, zero, axis));
        }
      })
      .Default([&](Operation *) {
        handled = false;
        return llvm::Error::success();
      });
}
