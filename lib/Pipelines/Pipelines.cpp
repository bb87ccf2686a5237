//===- Pipelines.cpp - Named pass pipelines of cim ------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Pipelines/Pipelines.h"
#include "cim/Analysis/Passes.h"
#include "cim/Conversion/Passes.h"
#include "cim/Dialect/Cim/CimPasses.h"
#include "cim/Precision/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::cim;

LogicalResult
mlir::cim::buildGraphPipeline(OpPassManager &pm,
                              const CompilePipelineOptions &options) {
  if (!options.target.empty()) {
    CimSetTargetOptions setTarget;
    setTarget.target = options.target;
    pm.addPass(createCimSetTarget(setTarget));
  }
  // TOSA and Linalg input enters the graph level here; on cim input both
  // conversions find nothing to do.
  pm.addPass(createConvertTosaToCim());
  pm.addPass(createConvertLinalgToCim());
  pm.addPass(createCimFoldBatchNorm());
  pm.addPass(createCanonicalizerPass());
  if (options.equalize) {
    if (options.calib.empty()) {
      llvm::errs() << "cim pipeline: equalize needs calib=FILE.npy\n";
      return failure();
    }
    CimEqualizeOptions equalize;
    equalize.calib = options.calib;
    equalize.samples = options.samples;
    equalize.alpha = options.equalizeAlpha;
    pm.addPass(createCimEqualize(equalize));
  }
  pm.addPass(createCimLowerConv());
  pm.addPass(createCanonicalizerPass());
  if (options.weightMaxOnes) {
    // Needs no data; marked first, so calibration sees the stored weights.
    CimQuantizeOptions zebra;
    zebra.adcClip = AdcClip::none;
    zebra.weightMaxOnes = options.weightMaxOnes;
    pm.addPass(createCimQuantize(zebra));
  }
  if (!options.calib.empty() && options.calibrateInGraph) {
    // Calibration measures the layers at the bits they will be tiled with.
    CimDefaultPrecisionOptions defaults;
    if (!parseUniformPrecision(options.precision, defaults.weightBits,
                               defaults.actBits)) {
      llvm::errs() << "cim pipeline: precision must look like 'w8a8', got '"
                   << options.precision << "'\n";
      return failure();
    }
    pm.addPass(createCimDefaultPrecision(defaults));
    CimCalibrateOptions calibrate;
    calibrate.calib = options.calib;
    calibrate.samples = options.samples;
    pm.addPass(createCimCalibrate(calibrate));
    CimQuantizeOptions quantize;
    quantize.calib = options.calib;
    quantize.samples = options.samples;
    quantize.actMaxOnes = options.actMaxOnes;
    quantize.inputOnes = options.inputOnes;
    pm.addPass(createCimQuantize(quantize));
  }
  return success();
}

LogicalResult
mlir::cim::buildMappedPipeline(OpPassManager &pm,
                               const CompilePipelineOptions &options) {
  CimTileCrossbarOptions tile;
  if (!parseUniformPrecision(options.precision, tile.weightBits,
                             tile.actBits)) {
    llvm::errs() << "cim pipeline: precision must look like 'w8a8', got '"
                 << options.precision << "'\n";
    return failure();
  }
  tile.duplicate = options.duplicate;
  tile.referenceColumn = options.referenceColumn;
  tile.channelAligned = options.channelAligned;
  tile.pack = options.pack;
  pm.addPass(createCimTileCrossbar(tile));
  if (options.bitSlice)
    pm.addPass(createCimBitSlice());
  pm.addPass(createCimMap());
  return success();
}

LogicalResult mlir::cim::buildIsaPipeline(OpPassManager &pm,
                                          const CompilePipelineOptions &) {
  pm.addPass(createCimLowerToIsa());
  pm.addPass(createCimSchedule());
  return success();
}

LogicalResult
mlir::cim::buildCompilePipeline(OpPassManager &pm,
                                const CompilePipelineOptions &options) {
  if (failed(buildGraphPipeline(pm, options)) ||
      failed(buildMappedPipeline(pm, options)))
    return failure();
  // The bit-sliced view is for inspection; instructions come from tiles.
  if (options.bitSlice)
    return success();
  return buildIsaPipeline(pm, options);
}

/// Like PassPipelineRegistration, but a builder that rejects its options
/// (e.g. a malformed precision) fails the pipeline instead of leaving it
/// silently empty.
static void registerPipeline(
    StringRef name, StringRef description,
    LogicalResult (*build)(OpPassManager &, const CompilePipelineOptions &)) {
  registerPassPipeline(
      name, description,
      [build](OpPassManager &pm, StringRef text,
              function_ref<LogicalResult(const Twine &)> errorHandler) {
        CompilePipelineOptions options;
        if (failed(options.parseFromString(text)))
          return failure();
        return build(pm, options);
      },
      [](function_ref<void(const mlir::detail::PassOptions &)> handler) {
        handler(CompilePipelineOptions());
      });
}

void mlir::cim::registerCimPipelines() {
  registerPipeline("cim-compile-pipeline",
                   "Compile a graph-level cim module for a target to the "
                   "instruction level: batch-norm folding, convolution "
                   "lowering, crossbar tiling, placement, lowering to "
                   "instructions and scheduling (bit-slice=true stops at the "
                   "bit-sliced mapped level instead)",
                   buildCompilePipeline);
  registerPipeline("cim-graph-pipeline",
                   "Graph-level stage: attach the target, fold batch norms, "
                   "lower convolutions to MVMs",
                   buildGraphPipeline);
  registerPipeline("cim-mapped-pipeline",
                   "Mapped-level stage: crossbar tiling, placement (and "
                   "bit-slicing with bit-slice=true)",
                   buildMappedPipeline);
  registerPipeline("cim-isa-pipeline",
                   "Instruction-level stage: placed tiles to instructions, "
                   "scheduled on cores",
                   buildIsaPipeline);
}
