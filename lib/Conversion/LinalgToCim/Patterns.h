//===- Patterns.h - Shared pieces of convert-linalg-to-cim ------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What the files of convert-linalg-to-cim share: the failure log behind the
// pass's report, the patterns' base class, the helpers that read Linalg's
// padding, windows and inits, and each file's populate function (called by
// LinalgToCim.cpp in one fixed order).
//
//===----------------------------------------------------------------------===//

#ifndef CIM_LIB_CONVERSION_LINALGTOCIM_PATTERNS_H
#define CIM_LIB_CONVERSION_LINALGTOCIM_PATTERNS_H

#include "cim/Dialect/Cim/CimOps.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/DenseMap.h"

#include <optional>
#include <string>

namespace mlir::cim::linalg_to_cim {

//===----------------------------------------------------------------------===//
// Failure bookkeeping
//===----------------------------------------------------------------------===//

/// Remembers why a pattern declined an op, so that the final report can name
/// the reason. Erased ops are forgotten (their address may be reused).
class FailureLog : public RewriterBase::Listener {
public:
  void record(Operation *op, const Twine &reason) {
    reasons[op] = reason.str();
  }
  std::string lookup(Operation *op) const {
    auto it = reasons.find(op);
    return it == reasons.end() ? std::string() : it->second;
  }
  void notifyOperationErased(Operation *op) override { reasons.erase(op); }

private:
  DenseMap<Operation *, std::string> reasons;
};

/// True if `v` is only used as the init (DPS output) of Linalg ops, which
/// fold it into themselves.
bool onlyUsedAsInit(Value v);

/// What every conversion pattern has: `fail` records the reason for the
/// report.
class FailureRecorder {
public:
  explicit FailureRecorder(FailureLog &log) : log(log) {}

  LogicalResult fail(Operation *op, PatternRewriter &rewriter,
                     const Twine &reason) const {
    log.record(op, reason);
    return rewriter.notifyMatchFailure(op, reason);
  }

  /// Fails unless `op` has one result and it is more than the init of
  /// Linalg ops (an init alone is converted with the op it initializes).
  /// `kind` names such ops in the message ("fills").
  LogicalResult failIfOnlyInit(Operation *op, PatternRewriter &rewriter,
                               StringRef kind) const {
    if (op->getNumResults() != 1)
      return fail(op, rewriter, "only single-result " + kind + " map");
    if (onlyUsedAsInit(op->getResult(0)))
      return fail(op, rewriter,
                  "it initializes an operation that was not converted");
    return success();
  }

private:
  FailureLog &log;
};

/// Base of the conversion patterns of one op type.
template <typename OpTy>
struct LinalgToCimPattern : OpRewritePattern<OpTy>, FailureRecorder {
  LinalgToCimPattern(MLIRContext *context, FailureLog &log)
      : OpRewritePattern<OpTy>(context), FailureRecorder(log) {}
};

//===----------------------------------------------------------------------===//
// Helpers (Utils.cpp)
//===----------------------------------------------------------------------===//

/// The static ranked float tensor type of `v`, or null.
RankedTensorType staticFloatTensor(Value v);

/// The static ranked tensor type of `v` (any element type), or null.
RankedTensorType staticTensor(Value v);

/// cim.reshape of `v` to `shape` (nothing if it already has it).
Value reshape(PatternRewriter &rewriter, Location loc, Value v,
              ArrayRef<int64_t> shape);

/// A splat constant of `type` holding `value`.
Value splatConstant(PatternRewriter &rewriter, Location loc,
                    RankedTensorType type, double value);

/// The value every element of `v` has, if `v` is a splat float constant or a
/// linalg.fill with a constant.
std::optional<APFloat> getSplatValue(Value v);

bool isZero(const APFloat &value);

/// True for -inf and the lowest finite float: padding and initial values
/// that never win a max.
bool isLowest(const APFloat &value);

/// A constant padding around a tensor: tensor.pad (with a constant yield) or
/// cim.pad in constant mode.
struct Padding {
  Value source;
  SmallVector<int64_t> low, high;
  APFloat value = APFloat(0.0);
};

std::optional<Padding> getPadding(Value v);

/// Peels what a window op's input went through before it (a trailing trim,
/// then a padding by a value `accept`s on dims `h` and `w` only) and returns
/// the bare input; `pads` becomes [top, left, bottom, right]. The bottom and
/// right pads are provisional: fitTrailingPads settles them. Returns `v`
/// with zero pads if there is nothing to peel.
Value peelSpatialPadding(Value v, int64_t h, int64_t w,
                         function_ref<bool(const APFloat &)> accept,
                         SmallVectorImpl<int64_t> &pads);

/// Linalg may compute fewer outputs than the padded input allows (TOSA trims
/// padding and rows that no window reaches); trailing padding no window
/// touches can then change without changing any output. Sets pads[2 + i] so
/// that the cim formula gives `out`, preferring the leading pad's value (the
/// symmetric padding models are exported with); false if impossible.
bool fitTrailingPads(ArrayRef<int64_t> in, ArrayRef<int64_t> out,
                     ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                     ArrayRef<int64_t> dilations,
                     SmallVectorImpl<int64_t> &pads);

/// `strides` or `dilations` of a Linalg convolution or pooling (default 1s).
SmallVector<int64_t> getWindowAttr(Operation *op, StringRef name);

/// What a convolution or matrix product accumulates onto.
struct InitValue {
  enum Kind { Zero, Bias, Tensor } kind = Zero;
  /// Bias: a value with one element per channel; Tensor: the init itself.
  Value value;
  /// Bias from a non-zero fill or splat.
  std::optional<APFloat> splat;
};

/// Classifies the init of a conv or matmul whose output channels are the
/// result dimensions `channelDims`: a zero fill (or tensor.empty, whose
/// contents are undefined), a broadcast of a per-channel bias, or anything
/// else (added after the op).
InitValue analyzeInit(Value init, ArrayRef<int64_t> channelDims);

/// The 1-D bias of `channels` entries for a Bias init, else null.
Value materializeBias(PatternRewriter &rewriter, Location loc,
                      const InitValue &init, int64_t channels,
                      Type elementType);

//===----------------------------------------------------------------------===//
// Patterns, one populate function per file
//===----------------------------------------------------------------------===//

/// Constants, fills and layout ops (Layout.cpp).
void populateLayoutPatterns(RewritePatternSet &patterns, FailureLog &log);
/// Convolutions (Contractions.cpp).
void populateConvolutionPatterns(RewritePatternSet &patterns, FailureLog &log);
/// Max and average pools (Pooling.cpp).
void populatePoolingPatterns(RewritePatternSet &patterns, FailureLog &log);
/// linalg.matmul and linalg.batch_matmul (Contractions.cpp).
void populateMatmulPatterns(RewritePatternSet &patterns, FailureLog &log);
/// Elementwise ops, softmax and broadcasts (Elementwise.cpp).
void populateElementwisePatterns(RewritePatternSet &patterns, FailureLog &log);

} // namespace mlir::cim::linalg_to_cim

#endif // CIM_LIB_CONVERSION_LINALGTOCIM_PATTERNS_H
