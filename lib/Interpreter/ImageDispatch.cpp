//===- ImageDispatch.cpp - Evaluate the image ops -------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The dispatch of the ops in CimImageOps.td to Kernels/Image.cpp.
//
//===----------------------------------------------------------------------===//

#include "Kernels/Kernels.h"
#include "Runner.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <array>
#include <cmath>
#include <string>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::eval;

llvm::Error Runner::executeImage(Operation *op, bool &handled) {
  handled = true;
  using namespace kernels;
  auto result = [&](Value v, Tensor value) {
    set(v, std::move(value));
    return llvm::Error::success();
  };
  return llvm::TypeSwitch<Operation *, llvm::Error>(op)
      .Case([&](Col2imOp c) {
        return result(c.getOutput(),
                      col2im(get(c.getInput()), shapeOf(c.getOutput()),
                             c.getStrides(), c.getPads(), c.getDilations()));
      })
      .Case([&](ResizeOp r) -> llvm::Error {
        ResizeParams params;
        params.mode = llvm::StringSwitch<ResizeParams::Mode>(r.getMode())
                          .Case("linear", ResizeParams::Mode::linear)
                          .Case("cubic", ResizeParams::Mode::cubic)
                          .Default(ResizeParams::Mode::nearest);
        params.transform = r.getCoordinateTransformationMode();
        params.nearestMode = r.getNearestMode();
        params.scales = r.getScales();
        if (std::optional<ArrayRef<double>> roi = r.getRoi())
          params.roi = *roi;
        // Scales and roi computed at run time replace the attributes.
        SmallVector<double> scales, roi;
        SmallVector<int64_t> inShape = shapeOf(r.getInput()),
                             outShape = shapeOf(r.getOutput());
        if (Value s = r.getScalesInput()) {
          const Tensor &t = get(s);
          for (int64_t i = 0; i < t.numElements(); ++i)
            scales.push_back(double(at(t, i)));
          for (size_t i = 0; i < scales.size(); ++i)
            if (!(scales[i] > 0) ||
                int64_t(std::floor(double(inShape[i]) * scales[i])) !=
                    outShape[i])
              return opError(r, "scale " + std::to_string(scales[i]) +
                                    " of axis " + std::to_string(i) +
                                    " does not give the size " +
                                    std::to_string(outShape[i]) +
                                    " the op was imported with");
          params.scales = scales;
        }
        if (Value v = r.getRoiInput()) {
          const Tensor &t = get(v);
          for (int64_t i = 0; i < t.numElements(); ++i)
            roi.push_back(double(at(t, i)));
          params.roi = roi;
        }
        params.cubicCoeffA = r.getCubicCoeffA().convertToFloat();
        params.excludeOutside = r.getExcludeOutside();
        params.extrapolationValue = r.getExtrapolationValue().convertToFloat();
        return result(r.getOutput(), resize(get(r.getInput()),
                                            shapeOf(r.getOutput()), params));
      })
      .Case([&](GridSampleOp g) {
        GridSampleParams params;
        params.mode = llvm::StringSwitch<GridSampleParams::Mode>(g.getMode())
                          .Case("nearest", GridSampleParams::Mode::nearest)
                          .Case("bicubic", GridSampleParams::Mode::bicubic)
                          .Default(GridSampleParams::Mode::bilinear);
        params.padding =
            llvm::StringSwitch<GridSampleParams::Padding>(g.getPaddingMode())
                .Case("border", GridSampleParams::Padding::border)
                .Case("reflection", GridSampleParams::Padding::reflection)
                .Default(GridSampleParams::Padding::zeros);
        params.alignCorners = g.getAlignCorners();
        return result(g.getOutput(),
                      gridSample(get(g.getInput()), get(g.getGrid()),
                                 shapeOf(g.getOutput()), params));
      })
      .Case([&](NonMaxSuppressionOp s) -> llvm::Error {
        const Tensor &maxT = get(s.getMaxOutputBoxesPerClass());
        std::vector<std::array<int64_t, 3>> selected = nonMaxSuppression(
            get(s.getBoxes()), get(s.getScores()),
            maxT.isInteger ? maxT.i[0] : int64_t(maxT.f[0]),
            at(get(s.getIouThreshold()), 0), at(get(s.getScoreThreshold()), 0),
            s.getCenterPointBox());
        int64_t declared = shapeOf(s.getOutput())[0];
        if (int64_t(selected.size()) != declared)
          return opError(s, "selects " + std::to_string(selected.size()) +
                                " boxes, the model declares " +
                                std::to_string(declared));
        Tensor out = Tensor::integers({declared, 3});
        for (size_t i = 0; i < selected.size(); ++i)
          for (int k = 0; k < 3; ++k)
            out.i[i * 3 + k] = selected[i][k];
        return result(s.getOutput(), std::move(out));
      })
      .Case([&](MaxPoolIndicesOp m) {
        return result(m.getOutput(),
                      maxPoolIndices(get(m.getInput()), shapeOf(m.getOutput()),
                                     {m.getKernel(), m.getStrides(),
                                      m.getPads(), m.getDilations()},
                                     m.getColumnMajor()));
      })
      .Case([&](MaxUnpoolOp u) -> llvm::Error {
        SmallVector<int64_t> inShape = shapeOf(u.getInput()),
                             outShape = shapeOf(u.getOutput());
        if (Value s = u.getOutputShape()) {
          const Tensor &t = get(s);
          for (int64_t i = 0; i < t.numElements(); ++i)
            if (t.i[i] != outShape[i])
              return opError(u, "output_shape entry " + std::to_string(i) +
                                    " is " + std::to_string(t.i[i]) +
                                    ", the op was imported with " +
                                    std::to_string(outShape[i]));
        }
        size_t k = inShape.size() - 2;
        ArrayRef<int64_t> kernel = u.getKernel(), strides = u.getStrides(),
                          pads = u.getPads();
        SmallVector<int64_t> unpooled = {inShape[0], inShape[1]};
        for (size_t i = 0; i < k; ++i)
          unpooled.push_back((inShape[2 + i] - 1) * strides[i] - pads[i] -
                             pads[k + i] + kernel[i]);
        llvm::Expected<Tensor> value = maxUnpool(
            get(u.getInput()), get(u.getIndices()), unpooled, outShape);
        if (!value)
          return opError(u, llvm::toString(value.takeError()));
        return result(u.getOutput(), std::move(*value));
      })
      .Case([&](RoiAlignOp r) -> llvm::Error {
        RoiAlignParams params;
        params.isMax = r.getMode() == "max";
        params.halfPixel = r.getCoordinateTransformationMode() == "half_pixel";
        params.samplingRatio = r.getSamplingRatioAttr().getInt();
        params.spatialScale = r.getSpatialScale().convertToFloat();
        llvm::Expected<Tensor> value =
            roiAlign(get(r.getInput()), get(r.getRois()),
                     get(r.getBatchIndices()), shapeOf(r.getOutput()), params);
        if (!value)
          return opError(r, llvm::toString(value.takeError()));
        return result(r.getOutput(), std::move(*value));
      })
      .Default([&](Operation *) {
        handled = false;
        return llvm::Error::success();
      });
}
