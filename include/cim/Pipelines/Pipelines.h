//===- Pipelines.h - Named pass pipelines of cim ----------------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// `cim-compile-pipeline` and its stages, registered under one name for
// cim-opt, cimc and upstream mlir-opt (through the plugin) alike.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_PIPELINES_PIPELINES_H
#define CIM_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir::cim {

struct CompilePipelineOptions
    : public PassPipelineOptions<CompilePipelineOptions> {
  Option<std::string> target{*this, "target",
                             llvm::cl::desc("Preset name or target JSON file"),
                             llvm::cl::init("")};
  Option<std::string> precision{
      *this, "precision",
      llvm::cl::desc("Default precision of layers without one: wXaY "
                     "(e.g. w8a8)"),
      llvm::cl::init("w8a8")};
  Option<std::string> duplicate{
      *this, "duplicate",
      llvm::cl::desc("Weight copies per layer: a number, or 'auto'"),
      llvm::cl::init("1")};
  Option<bool> referenceColumn{
      *this, "reference-column",
      llvm::cl::desc("Reserve a reference column per tile for offset weights"),
      llvm::cl::init(true)};
  Option<bool> channelAligned{
      *this, "channel-aligned",
      llvm::cl::desc("Keep whole kh*kw kernels of a convolution in one tile"),
      llvm::cl::init(false)};
  Option<bool> pack{
      *this, "pack",
      llvm::cl::desc("Share crossbars among the groups of a convolution"),
      llvm::cl::init(true)};
  Option<std::string> calib{
      *this, "calib",
      llvm::cl::desc("Calibration inputs (.npy): when given, the graph stage "
                     "also runs cim-calibrate and cim-quantize on them"),
      llvm::cl::init("")};
  Option<unsigned> samples{
      *this, "samples",
      llvm::cl::desc("Batches of the calibration inputs to use (0 = all)"),
      llvm::cl::init(0)};
  Option<unsigned> actMaxOnes{
      *this, "act-max-ones",
      llvm::cl::desc("With calib: restrict unsigned activation codes to at "
                     "most this many '1' bits (cim-quantize; 0 = off)"),
      llvm::cl::init(0)};
  Option<unsigned> weightMaxOnes{
      *this, "weight-max-ones",
      llvm::cl::desc("ZEBRA's zero-bit patterns: weight magnitudes with at "
                     "most this many '1' bits, in the zero-bit layout "
                     "(cim-quantize; 0 = off)"),
      llvm::cl::init(0)};
  Option<bool> inputOnes{
      *this, "input-ones",
      llvm::cl::desc("With calib: record each layer's measured probability "
                     "of a '1' input bit for the cost model (cim-quantize)"),
      llvm::cl::init(false)};
  Option<bool> equalize{
      *this, "equalize",
      llvm::cl::desc("With calib: equalize activation ranges across channels "
                     "before lowering (cim-equalize)"),
      llvm::cl::init(false)};
  Option<double> equalizeAlpha{
      *this, "equalize-alpha",
      llvm::cl::desc("cim-equalize's alpha: 1 equalizes activation ranges, "
                     "0 weight ranges"),
      llvm::cl::init(0.5)};
  Option<bool> bitSlice{
      *this, "bit-slice",
      llvm::cl::desc("Spell out cell slices, DAC cycles and the ADC "
                     "(cim-bit-slice) and stop at the mapped level, for "
                     "inspection; otherwise lower to instructions"),
      llvm::cl::init(false)};

  /// Drivers that calibrate between their own passes (cimc) clear this:
  /// `calib` then only feeds cim-equalize.
  bool calibrateInGraph = true;
};

/// Graph level -> graph level ready for mapping: convert TOSA and Linalg,
/// attach the target, fold batch norms, (with `equalize`) equalize channel
/// ranges, lower convolutions to MVMs, canonicalize; with `calib`,
/// calibrate activation ranges and quantize (weight scales, ADC ranges) on
/// those inputs.
LogicalResult buildGraphPipeline(OpPassManager &pm,
                                 const CompilePipelineOptions &options);

/// Mapped level: tile, bit-slice, place.
LogicalResult buildMappedPipeline(OpPassManager &pm,
                                  const CompilePipelineOptions &options);

/// Both stages (later stages append here as they land).
LogicalResult buildIsaPipeline(OpPassManager &pm,
                               const CompilePipelineOptions &options);

LogicalResult buildCompilePipeline(OpPassManager &pm,
                                   const CompilePipelineOptions &options);

/// Registers `cim-compile-pipeline`, `cim-graph-pipeline` and
/// `cim-mapped-pipeline`.
void registerCimPipelines();

} // namespace mlir::cim

#endif // CIM_PIPELINES_PIPELINES_H
