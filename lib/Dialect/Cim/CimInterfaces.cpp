//===- CimInterfaces.cpp - Op interfaces of the cim dialect ---------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The interfaces' generated code, and the crossbar-layer interface of the
// ops that do not take its defaults (whole matrices, `cim.mvm` and
// `cim.gemm`, do): the tiles of the mapped and instruction levels, side by
// side.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimInterfaces.h"
#include "cim/Dialect/Cim/CimOps.h"

using namespace mlir;
using namespace mlir::cim;

#include "cim/Dialect/Cim/CimInterfaces.cpp.inc"

//===----------------------------------------------------------------------===//
// TileOp
//===----------------------------------------------------------------------===//

std::pair<int64_t, int64_t> TileOp::getRowRange() {
  return {getRows()[0], getRows()[1]};
}

std::pair<int64_t, int64_t> TileOp::getColumnRange() {
  return {getColumns()[0], getColumns()[1]};
}

ArrayRef<int64_t> TileOp::getSliceWidths() {
  return getSlices().value_or(ArrayRef<int64_t>());
}

bool TileOp::isTile() { return true; }

//===----------------------------------------------------------------------===//
// IsaMvmOp: the weights are the programmed block, the input the codes
//===----------------------------------------------------------------------===//

Value IsaMvmOp::getLayerInput() { return getCodes(); }

Value IsaMvmOp::getLayerWeight() { return getWeights(); }

std::pair<int64_t, int64_t> IsaMvmOp::getRowRange() {
  return {getRows()[0], getRows()[1]};
}

std::pair<int64_t, int64_t> IsaMvmOp::getColumnRange() {
  return {0, cast<RankedTensorType>(getWeights().getType()).getDimSize(1)};
}

ArrayRef<int64_t> IsaMvmOp::getSliceWidths() {
  return getSlices().value_or(ArrayRef<int64_t>());
}

bool IsaMvmOp::isTile() { return true; }
