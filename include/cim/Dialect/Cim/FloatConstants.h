//===- FloatConstants.h - Reading and writing float weight constants ------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Graph-level rewrites of weights (batch-norm folding, cross-layer
// equalization) compute in double precision and round once to the element
// type.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_FLOATCONSTANTS_H
#define CIM_DIALECT_CIM_FLOATCONSTANTS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Matchers.h"

#include <optional>

namespace mlir::cim {

/// Float contents of a constant as doubles, or nullopt.
inline std::optional<SmallVector<double>> floatsOf(Value value) {
  DenseFPElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  SmallVector<double> result;
  result.reserve(attr.getNumElements());
  for (const APFloat &v : attr.getValues<APFloat>()) {
    APFloat d = v;
    bool lost;
    d.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    result.push_back(d.convertToDouble());
  }
  return result;
}

/// A constant of `type` holding `values`, rounded once to its element type.
inline DenseElementsAttr makeFloatConstant(RankedTensorType type,
                                           ArrayRef<double> values) {
  const llvm::fltSemantics &semantics =
      cast<FloatType>(type.getElementType()).getFloatSemantics();
  SmallVector<APFloat> data;
  data.reserve(values.size());
  for (double v : values) {
    APFloat f(v);
    bool lost;
    f.convert(semantics, APFloat::rmNearestTiesToEven, &lost);
    data.push_back(f);
  }
  return DenseElementsAttr::get(type, data);
}

} // namespace mlir::cim

#endif // CIM_DIALECT_CIM_FLOATCONSTANTS_H
