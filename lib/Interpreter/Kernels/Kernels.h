//===- Kernels.h - The evaluator's per-op semantics -------------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What each graph-level op computes, one plain function per op, one file per
// op family: tensors and attribute values in, a tensor out, no evaluator
// state. Float kernels round like the frameworks the evaluator is compared
// with (float32 per operation). The evaluator's dispatch
// (GraphEvaluator.cpp) reads operands and attributes and calls these;
// crossbar layers and instruction-level ops are not here (Crossbar.cpp,
// IsaExecution.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_INTERPRETER_KERNELS_KERNELS_H
#define CIM_LIB_INTERPRETER_KERNELS_KERNELS_H

#include "cim/Dialect/Cim/CimAttrs.h"
#include "cim/Interpreter/Tensor.h"

#include "llvm/Support/Error.h"

#include <array>
#include <optional>
#include <string>

namespace mlir::cim::eval::kernels {

//===----------------------------------------------------------------------===//
// Elementwise.cpp: arithmetic and activations
//===----------------------------------------------------------------------===//

enum class BinaryKind {
  add,
  sub,
  mul,
  div,
  pow,
  max,
  min,
  prelu,
  logicalAnd,
  logicalOr,
  logicalXor,
  mod,  // Python's %: the sign of the divisor (integers)
  fmod, // C's fmod: the sign of the dividend
  eq,
  lt,
  le,
  gt,
  ge
};
/// `l op r` with numpy broadcasting to `shape`; integer results divide
/// truncating (x / 0 = 0).
Tensor binary(BinaryKind kind, const Tensor &l, const Tensor &r,
              llvm::ArrayRef<int64_t> shape, bool integer);
Tensor relu(const Tensor &x);
Tensor leakyRelu(const Tensor &x, float alpha);
/// Clamps to [lo, hi] (integer tensors to the integers inside).
Tensor clip(const Tensor &x, float lo, float hi);
Tensor sigmoid(const Tensor &x);
Tensor hardSigmoid(const Tensor &x, float alpha, float beta);
Tensor hardSwish(const Tensor &x);
Tensor tanh(const Tensor &x);
Tensor gelu(const Tensor &x, bool tanhApproximation);
Tensor erf(const Tensor &x);
Tensor sqrt(const Tensor &x);
Tensor exp(const Tensor &x);

//===----------------------------------------------------------------------===//
// Shape.cpp: views, permutations and copies
//===----------------------------------------------------------------------===//

/// The same elements under `shape` (reshape, flatten).
Tensor reshape(const Tensor &x, llvm::ArrayRef<int64_t> shape);
Tensor transpose(const Tensor &x, llvm::ArrayRef<int64_t> outShape,
                 llvm::ArrayRef<int64_t> permutation);
Tensor slice(const Tensor &x, llvm::ArrayRef<int64_t> outShape,
             llvm::ArrayRef<int64_t> offsets, llvm::ArrayRef<int64_t> strides);
Tensor concat(llvm::ArrayRef<const Tensor *> inputs,
              llvm::ArrayRef<int64_t> outShape, int64_t axis);
/// The pieces of `x` along `axis`, of the given shapes in order.
std::vector<Tensor> split(const Tensor &x,
                          llvm::ArrayRef<llvm::SmallVector<int64_t>> outShapes,
                          int64_t axis);
Tensor pad(const Tensor &x, llvm::ArrayRef<int64_t> outShape,
           llvm::ArrayRef<int64_t> pads, PadMode mode, float value);

/// A convolution window: kernel, strides, pads (top, left, bottom, right),
/// dilations.
struct Window {
  llvm::ArrayRef<int64_t> kernel, strides, pads, dilations;
};
/// cim.im2col: rows (b, oy, ox), columns (c, i, j) over channels
/// [channelOffset, channelOffset + channels).
Tensor im2col(const Tensor &x, llvm::ArrayRef<int64_t> outShape,
              const Window &window, int64_t channelOffset, int64_t channels);

//===----------------------------------------------------------------------===//
// Conv.cpp: float convolutions, pools and matmuls (the digital unit)
//===----------------------------------------------------------------------===//

/// NCHW convolution of `x` with the FCkhkw `w` (im2col and one GEMM per
/// group); `window.kernel` is unused (the weight's shape says it).
Tensor conv2d(const Tensor &x, const Tensor &w, const Tensor *bias,
              llvm::ArrayRef<int64_t> outShape, const Window &window,
              int64_t groups);
/// Max or average pooling; average divides by the positions inside the
/// explicit padding with `countIncludePad`, else by those inside the input.
Tensor pool(const Tensor &x, llvm::ArrayRef<int64_t> outShape,
            const Window &window, bool isMax, bool countIncludePad);
Tensor globalAvgPool(const Tensor &x, llvm::ArrayRef<int64_t> outShape);
/// numpy matmul: 1-D operands are promoted, batch dims broadcast.
Tensor matmul(const Tensor &a, const Tensor &b,
              llvm::ArrayRef<int64_t> outShape);

//===----------------------------------------------------------------------===//
// Reduction.cpp
//===----------------------------------------------------------------------===//

Tensor softmax(const Tensor &x, int64_t axis);
Tensor reduceMean(const Tensor &x, llvm::ArrayRef<int64_t> axes,
                  llvm::ArrayRef<int64_t> outShape);

//===----------------------------------------------------------------------===//
// Normalization.cpp
//===----------------------------------------------------------------------===//

/// Inference batch norm over channel dim 1.
Tensor batchNorm(const Tensor &x, const Tensor &scale, const Tensor &bias,
                 const Tensor &mean, const Tensor &variance, float epsilon);
/// Normalizes over dims [axis, rank).
Tensor layerNorm(const Tensor &x, const Tensor &scale, const Tensor *bias,
                 int64_t axis, float epsilon);

//===----------------------------------------------------------------------===//
// Math.cpp: the ops of CimMathOps.td
//===----------------------------------------------------------------------===//

enum class SignedUnaryKind { abs, neg, sign };
/// abs, neg or sign of a float or integer tensor, in its own type.
Tensor signedUnary(const Tensor &x, SignedUnaryKind kind);
Tensor logicalNot(const Tensor &x);
/// `condition ? a : b` with numpy broadcasting to `outShape`.
Tensor select(const Tensor &condition, const Tensor &a, const Tensor &b,
              llvm::ArrayRef<int64_t> outShape);
/// The element type a cast produces.
struct CastTarget {
  bool isFloat = true;
  /// Width: 1 (bool), 8..64 integers; 16 rounds floats to half (or bfloat).
  unsigned bits = 32;
  bool isUnsigned = false;
  bool isBFloat = false;
};
Tensor castTo(const Tensor &x, CastTarget to);
/// The ONNX Reduce family over `axes` (all if empty); the result has
/// `outShape` (with or without the reduced size-1 dims).
Tensor reduce(ReduceKind kind, const Tensor &x, llvm::ArrayRef<int64_t> axes,
              llvm::ArrayRef<int64_t> outShape);
/// Index of the first (or last) maximum or minimum along `axis`.
Tensor argReduce(const Tensor &x, int64_t axis, bool isMax, bool selectLast,
                 llvm::ArrayRef<int64_t> outShape);
Tensor logSoftmax(const Tensor &x, int64_t axis);
Tensor hardmax(const Tensor &x, int64_t axis);
Tensor cumSum(const Tensor &x, int64_t axis, bool exclusive, bool reverse);
Tensor trilu(const Tensor &x, bool upper, int64_t k);
/// ONNX Gather along `axis`; an index out of range is an error.
llvm::Expected<Tensor> gatherAxis(const Tensor &x, const Tensor &indices,
                                  int64_t axis,
                                  llvm::ArrayRef<int64_t> outShape);
/// ONNX GatherElements along `axis`.
llvm::Expected<Tensor> gatherElements(const Tensor &x, const Tensor &indices,
                                      int64_t axis);
/// numpy broadcast of `x` to `outShape` (ONNX Expand).
Tensor broadcastTo(const Tensor &x, llvm::ArrayRef<int64_t> outShape);
/// ONNX Tile.
Tensor repeat(const Tensor &x, llvm::ArrayRef<int64_t> outShape);

//===----------------------------------------------------------------------===//
// Quantize.cpp: ONNX (de)quantization (per tensor or per `axis`)
//===----------------------------------------------------------------------===//

/// round(x / scale) + zero, saturated to the `bits`-bit (un)signed range
/// (NaN to the zero point).
Tensor quantize(const Tensor &x, llvm::ArrayRef<float> scale,
                llvm::ArrayRef<int64_t> zeroPoint, std::optional<uint64_t> axis,
                int64_t bits, bool isUnsigned);
Tensor dequantize(const Tensor &x, llvm::ArrayRef<float> scale,
                  llvm::ArrayRef<int64_t> zeroPoint,
                  std::optional<uint64_t> axis);

//===----------------------------------------------------------------------===//
// Image.cpp: transposed convolution's scatter, resampling
//===----------------------------------------------------------------------===//

/// cim.col2im: scatter-adds `x` [N, H, W, M, kh, kw] into [N, M, OH, OW]
/// (`outShape`) at `y * stride - padBegin + i * dilation`.
Tensor col2im(const Tensor &x, llvm::ArrayRef<int64_t> outShape,
              llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> pads,
              llvm::ArrayRef<int64_t> dilations);

/// The parameters of cim.resize (ONNX Resize).
struct ResizeParams {
  enum class Mode { nearest, linear, cubic } mode = Mode::nearest;
  llvm::StringRef transform = "half_pixel";
  llvm::StringRef nearestMode = "round_prefer_floor";
  llvm::ArrayRef<double> scales;
  /// Starts then ends, with tf_crop_and_resize; empty otherwise.
  llvm::ArrayRef<double> roi;
  double cubicCoeffA = -0.75;
  bool excludeOutside = false;
  float extrapolationValue = 0.0f;
};
/// ONNX Resize to `outShape`, one axis at a time in double (as ONNX's
/// reference), rounded to float32 once.
Tensor resize(const Tensor &x, llvm::ArrayRef<int64_t> outShape,
              const ResizeParams &params);

/// cim.grid_sample's choices.
struct GridSampleParams {
  enum class Mode { bilinear, nearest, bicubic } mode = Mode::bilinear;
  enum class Padding { zeros, border, reflection } padding = Padding::zeros;
  bool alignCorners = false;
};
/// ONNX GridSample of `x` [N, C, H, W] at `grid` [N, Ho, Wo, 2].
Tensor gridSample(const Tensor &x, const Tensor &grid,
                  llvm::ArrayRef<int64_t> outShape, const GridSampleParams &p);
/// ONNX NonMaxSuppression: the selected [batch, class, box] triples.
std::vector<std::array<int64_t, 3>>
nonMaxSuppression(const Tensor &boxes, const Tensor &scores,
                  int64_t maxPerClass, float iouThreshold, float scoreThreshold,
                  bool centerPointBox);

/// cim.max_pool_indices: ONNX MaxPool's Indices over `x` [N, C, D1..Dk]
/// (k = 1..3); `window.pads` holds k begins, then k ends.
Tensor maxPoolIndices(const Tensor &x, llvm::ArrayRef<int64_t> outShape,
                      const Window &window, bool columnMajor);
/// cim.max_unpool: `x` scattered to `indices` of the unpooled shape
/// `unpooled`, placed at the start of `outShape`; an index out of range is
/// an error.
llvm::Expected<Tensor> maxUnpool(const Tensor &x, const Tensor &indices,
                                 llvm::ArrayRef<int64_t> unpooled,
                                 llvm::ArrayRef<int64_t> outShape);
/// cim.roi_align's choices.
struct RoiAlignParams {
  bool isMax = false;
  bool halfPixel = true;
  int64_t samplingRatio = 0;
  float spatialScale = 1.0f;
};
/// ONNX RoiAlign of `x` [N, C, H, W] over `rois` [R, 4] to `outShape`
/// [R, C, OH, OW]; a batch index out of range is an error.
llvm::Expected<Tensor> roiAlign(const Tensor &x, const Tensor &rois,
                                const Tensor &batchIndices,
                                llvm::ArrayRef<int64_t> outShape,
                                const RoiAlignParams &p);

//===----------------------------------------------------------------------===//
// Indexing.cpp: the ops of CimIndexingOps.td (issue 20)
//===----------------------------------------------------------------------===//

/// How a scatter combines an update with the value in place.
enum class ScatterReduction { none, add, mul, max, min };
/// ONNX ScatterElements along `axis`; an index out of range is an error.
llvm::Expected<Tensor> scatterElements(const Tensor &data,
                                       const Tensor &indices,
                                       const Tensor &updates, int64_t axis,
                                       ScatterReduction reduction);
/// ONNX ScatterND.
llvm::Expected<Tensor> scatterNd(const Tensor &data, const Tensor &indices,
                                 const Tensor &updates,
                                 ScatterReduction reduction);
/// ONNX GatherND with `batchDims` leading batch dimensions.
llvm::Expected<Tensor> gatherNd(const Tensor &data, const Tensor &indices,
                                int64_t batchDims,
                                llvm::ArrayRef<int64_t> outShape);
/// ONNX ReverseSequence; a length outside [0, steps] is an error.
llvm::Expected<Tensor> reverseSequence(const Tensor &x, const Tensor &lens,
                                       int64_t batchAxis, int64_t timeAxis);
/// ONNX Compress: the result has the size the condition selects.
Tensor compress(const Tensor &x, const Tensor &condition,
                std::optional<int64_t> axis);
/// ONNX NonZero: [rank, count] coordinates, row-major.
Tensor nonZero(const Tensor &x);
/// ONNX Unique's four results.
struct UniqueResult {
  Tensor values, indices, inverse, counts;
};
UniqueResult unique(const Tensor &x, std::optional<int64_t> axis, bool sorted);
/// ONNX TopK along `axis` (normalized), `k` at most the axis' size.
void topK(const Tensor &x, int64_t k, int64_t axis, bool largest,
          Tensor &values, Tensor &indices);
/// Unsigned `l << r` or `l >> r` in `bits` bits, numpy-broadcast.
Tensor bitShift(const Tensor &l, const Tensor &r,
                llvm::ArrayRef<int64_t> outShape, bool left, unsigned bits);
/// ONNX OneHot with values [off, on].
Tensor oneHot(const Tensor &indices, const Tensor &values, int64_t depth,
              int64_t axis);
/// Einsum over operands with one subscript letter per dimension (see
/// EinsumOp::getSubscripts); sums in double. Fails beyond 2^32 steps.
llvm::Expected<Tensor> einsum(llvm::ArrayRef<const Tensor *> inputs,
                              llvm::ArrayRef<std::string> subscripts,
                              llvm::StringRef output,
                              llvm::ArrayRef<int64_t> outShape);
enum class WindowKind { hann, hamming, blackman };
Tensor window(WindowKind kind, int64_t size, bool periodic);
/// Determinants of the [M, M] matrices in the last two dimensions.
Tensor det(const Tensor &x, llvm::ArrayRef<int64_t> outShape);

//===----------------------------------------------------------------------===//
// Signal.cpp: the ops of CimSignalOps.td (issue 20)
//===----------------------------------------------------------------------===//

/// ONNX DFT-17 of `x` [..., 1 or 2] along `axis`, each sequence zero-padded
/// or truncated to `length`; the first `outShape[axis]` bins are kept
/// (onesided). Sums in double, rounds to float32 once.
Tensor dft(const Tensor &x, int64_t axis, int64_t length, bool inverse,
           llvm::ArrayRef<int64_t> outShape);
/// ONNX STFT-17 of `signal` [B, T, 1 or 2]: frames of `length` samples every
/// `step`, times `window` (null: ones), the first `outShape[2]` bins of
/// each frame's DFT.
Tensor stft(const Tensor &signal, const Tensor *window, int64_t step,
            int64_t length, llvm::ArrayRef<int64_t> outShape);

} // namespace mlir::cim::eval::kernels

#endif // CIM_LIB_INTERPRETER_KERNELS_KERNELS_H
