//===- Options.cpp - Spellings of the precision options' enums ------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Precision/Options.h"

using namespace mlir::cim;

llvm::StringRef mlir::cim::stringifySearchObjective(SearchObjective objective) {
  switch (objective) {
  case SearchObjective::latency:
    return "latency";
  case SearchObjective::energy:
    return "energy";
  case SearchObjective::edp:
    return "edp";
  }
  return "";
}

llvm::StringRef mlir::cim::stringifyClipMethod(ClipMethod method) {
  switch (method) {
  case ClipMethod::max:
    return "max";
  case ClipMethod::percentile:
    return "percentile";
  case ClipMethod::mse:
    return "mse";
  }
  return "";
}
