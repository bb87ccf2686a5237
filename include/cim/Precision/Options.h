//===- Options.h - Enum-valued options of the precision passes --*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The enums behind the precision passes' enum-valued options (`search=`,
// `objective=`, `sensitivity=`, `model=`, `method=`, `adc-clip=`) and their
// command-line spellings, defined once: the pass options (Passes.td) and
// cimc's flags both take `llvm::cl::values` from here, so an unknown value
// is rejected by the option parser with the option's name, and the
// spellings cannot drift apart. Each enumerator is spelled like its value.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_PRECISION_OPTIONS_H
#define CIM_PRECISION_OPTIONS_H

#include "cim/Analysis/CostModel.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"

namespace mlir::cim {

/// cim-assign-precision's `search=` (default: knapsack, the KL-ranked
/// knapsack; greedy measures an order of magnitude more policies).
enum class SearchKind { greedy, knapsack, evolutionary, rl };

/// cim-assign-precision's `objective=`: what the search minimizes.
enum class SearchObjective { latency, energy, edp };

/// cim-assign-precision's `sensitivity=` (knapsack with labels).
enum class Sensitivity { kl, top1 };

/// cim-calibrate's `method=`: how an input clip is chosen.
enum class ClipMethod { max, percentile, mse };

/// cim-quantize's `adc-clip=`: how a clipped ADC's range is chosen
/// (`none` leaves the ranges alone).
enum class AdcClip { mse, sigma, max, none };

inline llvm::cl::ValuesClass searchKindValues() {
  return llvm::cl::values(
      clEnumValN(SearchKind::greedy, "greedy",
                 "one bit per step, every step measured"),
      clEnumValN(SearchKind::knapsack, "knapsack",
                 "per-layer sensitivities, then a multiple-choice knapsack, "
                 "verified (the default)"),
      clEnumValN(SearchKind::evolutionary, "evolutionary",
                 "a seeded genetic algorithm"),
      clEnumValN(SearchKind::rl, "rl", "a seeded policy-gradient search"));
}

inline llvm::cl::ValuesClass searchObjectiveValues() {
  return llvm::cl::values(
      clEnumValN(SearchObjective::latency, "latency", "model latency"),
      clEnumValN(SearchObjective::energy, "energy", "model energy"),
      clEnumValN(SearchObjective::edp, "edp", "energy-delay product"));
}

inline llvm::cl::ValuesClass sensitivityValues() {
  return llvm::cl::values(
      clEnumValN(Sensitivity::kl, "kl",
                 "KL divergence of the classifier from float"),
      clEnumValN(Sensitivity::top1, "top1", "measured top-1 drop"));
}

using cost::latencyModelValues;
using cost::stringifyLatencyModel;

inline llvm::cl::ValuesClass clipMethodValues() {
  return llvm::cl::values(
      clEnumValN(ClipMethod::max, "max", "the largest magnitude"),
      clEnumValN(ClipMethod::percentile, "percentile",
                 "a percentile of the magnitudes"),
      clEnumValN(ClipMethod::mse, "mse",
                 "the clip minimizing the squared quantization error"));
}

inline llvm::cl::ValuesClass adcClipValues() {
  return llvm::cl::values(
      clEnumValN(AdcClip::mse, "mse",
                 "the range minimizing the squared conversion error"),
      clEnumValN(AdcClip::sigma, "sigma", "mu +- k sigma (OCC table)"),
      clEnumValN(AdcClip::max, "max", "the extremes seen"),
      clEnumValN(AdcClip::none, "none", "keep the ranges"));
}

/// The spellings above, for reports and attributes.
llvm::StringRef stringifySearchObjective(SearchObjective objective);
llvm::StringRef stringifyClipMethod(ClipMethod method);

} // namespace mlir::cim

#endif // CIM_PRECISION_OPTIONS_H
