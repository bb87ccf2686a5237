//===- Compiler.h - The one-shot compiler behind cimc -----------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// ONNX (or a cim/TOSA/Linalg .mlir module) in, program and reports out:
// the stages of `cim-compile-pipeline` with calibration, the precision
// search and quantization in between, the uniform-W8A8 baseline, accuracy
// and the reports. cimc only parses its command line into
// `CompilerOptions` and calls `runCompiler`; other front ends (a Python
// entry point, a sweep) do the same. The defaults here are cimc's.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_PIPELINES_COMPILER_H
#define CIM_PIPELINES_COMPILER_H

#include "cim/Precision/Options.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::cim {

struct CompilerOptions {
  /// The model: .onnx, or .mlir (cim, TOSA or Linalg).
  std::string modelPath;
  /// `--input-shape NAME:1x1x28x28` for symbolic ONNX dimensions.
  std::vector<std::string> inputShapes;
  std::vector<std::string> inputValues;
  /// Target preset name or JSON file.
  std::string targetName;
  /// auto, wXaY, fp:..., or a policy JSON file.
  std::string precision = "w8a8";
  std::string outputDir;

  // Data.
  std::string calib, validation, labels;
  unsigned samples = 0;
  /// Images (and labels) that only check the searched policy; without
  /// them `verifyFraction` of the measured inputs is held out (seeded by
  /// `splitSeed`, stratified by label). The check's margin is z standard
  /// errors, z the one-sided normal quantile of `verifyLevel`.
  std::string verify, verifyLabels;
  double verifyFraction = 0.5;
  double verifyLevel = 0.95;
  unsigned splitSeed = 1;

  // The precision search (--precision auto).
  double maxAccuracyDrop = 0.5;
  double confidence = 0.0;
  double maxOutputError = 0.0;
  SearchKind searchKind = SearchKind::knapsack;
  Sensitivity searchSensitivity = Sensitivity::kl;
  SearchObjective objective = SearchObjective::latency;
  std::string weightBits = "2..8";
  std::string actBits = "2..8";
  std::string adcBitsRange;
  std::string searchFloat;
  bool fixFirstLast = false;
  unsigned searchSeed = 1;

  // Quantization.
  AdcClip adcClip = AdcClip::mse;
  bool biasCorrection = false;
  std::string granularity;
  unsigned actMaxOnes = 0;
  unsigned weightMaxOnes = 0;
  bool inputOnes = false;
  bool equalize = false;
  double equalizeAlpha = 0.5;
  int64_t noiseSeed = -1;

  // Mapping, costing and output.
  std::string duplicate = "1";
  cost::LatencyModel latencyModel = cost::LatencyModel::cim;
  bool skipZeroCycles = false;
  bool noProgram = false;
  /// Print the IR after this pass to stderr.
  std::string dumpAfter;

  /// The inputs accuracy is measured on (validation, else calib).
  const std::string &measuredInputs() const {
    return validation.empty() ? calib : validation;
  }
};

/// Compiles as `options` say, writing into `options.outputDir`:
/// model.cimbin, model.cimasm, policy.json, report.json, report.md,
/// report.svg (and pareto.json/.svg after a search). Errors go to stderr as
/// "cimc: error: ..." (or as diagnostics naming the op); returns the
/// process exit code.
int runCompiler(const CompilerOptions &options);

} // namespace mlir::cim

#endif // CIM_PIPELINES_COMPILER_H
