//===- SignalDispatch.cpp - Evaluate the signal ops -----------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The dispatch of the ops in CimSignalOps.td to Kernels/Signal.cpp and
// numerics::melWeightMatrix. Their scalar operands may be computed at run
// time: the sizes they give must be the result shape the op was imported
// with, else the run fails naming the op.
//
//===----------------------------------------------------------------------===//

#include "Kernels/Kernels.h"
#include "Runner.h"

#include "cim/Numerics/Signal.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <string>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::eval;

/// The integer value of one-element operand `t` (a float truncates).
static int64_t scalarOf(const Tensor &t) {
  return t.isInteger ? t.i[0] : int64_t(std::trunc(double(t.f[0])));
}

/// Fails unless `actual` is the imported size `declared` of `what`.
static llvm::Error checkSize(Operation *op, StringRef what, int64_t actual,
                             int64_t declared) {
  if (actual == declared)
    return llvm::Error::success();
  return opError(op, "the operands give " + std::to_string(actual) + " " +
                         what + ", but the model declares " +
                         std::to_string(declared));
}

llvm::Error Runner::executeSignal(Operation *op, bool &handled) {
  handled = true;
  using namespace kernels;
  auto result = [&](Value v, Tensor value) {
    set(v, std::move(value));
    return llvm::Error::success();
  };
  return llvm::TypeSwitch<Operation *, llvm::Error>(op)
      .Case([&](DftOp d) -> llvm::Error {
        SmallVector<int64_t> inShape = shapeOf(d.getInput()),
                             outShape = shapeOf(d.getOutput());
        int64_t axis = int64_t(d.getAxis());
        int64_t length = inShape[axis];
        if (Value n = d.getDftLength())
          length = scalarOf(get(n));
        if (length < 1)
          return opError(d, "dft_length must be positive, got " +
                                std::to_string(length));
        if (llvm::Error error =
                checkSize(d, "bins", d.getOnesided() ? length / 2 + 1 : length,
                          outShape[axis]))
          return error;
        return result(d.getOutput(), dft(get(d.getInput()), axis, length,
                                         d.getInverse(), outShape));
      })
      .Case([&](StftOp s) -> llvm::Error {
        SmallVector<int64_t> inShape = shapeOf(s.getSignal()),
                             outShape = shapeOf(s.getOutput());
        int64_t step = scalarOf(get(s.getFrameStep()));
        Value window = s.getWindow();
        int64_t length = window ? shapeOf(window)[0] : 0;
        if (Value l = s.getFrameLength()) {
          length = scalarOf(get(l));
          if (window && length != shapeOf(window)[0])
            return opError(s, "frame_length is " + std::to_string(length) +
                                  ", but the window has " +
                                  std::to_string(shapeOf(window)[0]) +
                                  " samples");
        }
        if (step < 1)
          return opError(s, "frame_step must be positive, got " +
                                std::to_string(step));
        if (length < 1 || length > inShape[1])
          return opError(s, "the frame length " + std::to_string(length) +
                                " is not in [1, " + std::to_string(inShape[1]) +
                                "] (the signal's length)");
        if (llvm::Error error = checkSize(
                s, "frames", 1 + (inShape[1] - length) / step, outShape[1]))
          return error;
        if (llvm::Error error =
                checkSize(s, "bins", s.getOnesided() ? length / 2 + 1 : length,
                          outShape[2]))
          return error;
        return result(s.getOutput(),
                      stft(get(s.getSignal()), window ? &get(window) : nullptr,
                           step, length, outShape));
      })
      .Case([&](MelWeightMatrixOp m) -> llvm::Error {
        SmallVector<int64_t> outShape = shapeOf(m.getOutput());
        int64_t bins = scalarOf(get(m.getNumMelBins())),
                length = scalarOf(get(m.getDftLength()));
        if (llvm::Error error =
                checkSize(m, "spectrogram bins", length / 2 + 1, outShape[0]))
          return error;
        if (llvm::Error error = checkSize(m, "mel bins", bins, outShape[1]))
          return error;
        llvm::Expected<std::vector<double>> weights = numerics::melWeightMatrix(
            bins, length, scalarOf(get(m.getSampleRate())),
            at(get(m.getLowerEdgeHertz()), 0),
            at(get(m.getUpperEdgeHertz()), 0));
        if (!weights)
          return opError(m, llvm::toString(weights.takeError()));
        Tensor out = Tensor::floats(outShape);
        for (size_t i = 0; i < weights->size(); ++i)
          out.f[i] = float((*weights)[i]);
        return result(m.getOutput(), std::move(out));
      })
      .Default([&](Operation *) {
        handled = false;
        return llvm::Error::success();
      });
}
