//===- Tensor.h - The evaluator's dense tensors -----------------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The values the graph evaluator computes with (float32 or integer codes,
// row-major) and the index helpers its kernels share: strides, numpy
// broadcasting, gathers, conversions.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_INTERPRETER_TENSOR_H
#define CIM_INTERPRETER_TENSOR_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <vector>

namespace mlir::cim::eval {

/// A dense row-major tensor: float32 values, or integer codes.
struct Tensor {
  llvm::SmallVector<int64_t> shape;
  bool isInteger = false;
  std::vector<float> f;
  std::vector<int64_t> i;

  int64_t numElements() const;
  static Tensor floats(llvm::ArrayRef<int64_t> shape,
                       std::vector<float> values = {});
  static Tensor integers(llvm::ArrayRef<int64_t> shape,
                         std::vector<int64_t> values = {});
};

/// The float values of a tensor (integer codes converted into `tmp`).
const std::vector<float> &floatsOf(const Tensor &t, std::vector<float> &tmp);

/// Value of element `index` of a float or integer tensor, as a float.
inline float at(const Tensor &t, int64_t index) {
  return t.isInteger ? float(t.i[index]) : t.f[index];
}

/// Row-major strides of `shape`.
llvm::SmallVector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape);

/// Strides of `shape` aligned to the right within `rank` dimensions, 0
/// where it broadcasts (numpy broadcasting).
llvm::SmallVector<int64_t> broadcastStridesOf(llvm::ArrayRef<int64_t> shape,
                                              size_t rank);

/// Applies a numpy-broadcast binary function.
Tensor broadcast(const Tensor &a, const Tensor &b,
                 llvm::ArrayRef<int64_t> outShape, bool integer,
                 llvm::function_ref<double(double, double)> fn);

/// Applies `fn` to every element; the result is float.
Tensor unary(const Tensor &x, llvm::function_ref<float(float)> fn);

/// Generic gather: out[idx] = in[map(idx)] or `fill` where map returns -1.
Tensor gather(const Tensor &in, llvm::ArrayRef<int64_t> outShape,
              llvm::function_ref<int64_t(llvm::ArrayRef<int64_t>)> map,
              float fill = 0.0f);

/// The same values as float32 or as (rounded, saturated) integers.
Tensor convertTensor(const Tensor &t, bool integer);

} // namespace mlir::cim::eval

#endif // CIM_INTERPRETER_TENSOR_H
