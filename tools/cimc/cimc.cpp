//===- cimc.cpp - One-shot cim compiler driver ----------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// cimc model.onnx --target T [--precision auto|wXaY|policy.json]
//      [--calib x.npy] [--validation v.npy] [--labels y.npy]
//      [--max-accuracy-drop 0.5] -o out/
//
// ONNX in, program and reports out (docs/design.md). The options write
// straight into a `CompilerOptions`; the stages, their order and the
// reports live in lib/Pipelines (`runCompiler`), shared with other front
// ends.
//
//===----------------------------------------------------------------------===//

#include "cim/Pipelines/Compiler.h"
#include "cim/Support/Limits.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

using namespace mlir::cim;
namespace cl = llvm::cl;

static CompilerOptions options;
static cl::OptionCategory category("cimc options");

static cl::opt<std::string, true>
    modelPath(cl::Positional, cl::Required,
              cl::desc("<model.onnx or model.mlir (cim, TOSA or Linalg)>"),
              cl::location(options.modelPath), cl::cat(category));
static cl::opt<std::string, true>
    targetName("target", cl::Required,
               cl::desc("Target preset name or JSON file"),
               cl::location(options.targetName), cl::cat(category));
static cl::opt<std::string, true> precision(
    "precision",
    cl::desc("auto (search under --max-accuracy-drop), wXaY (uniform), or a "
             "policy JSON file"),
    cl::location(options.precision), cl::cat(category));
static cl::list<std::string, std::vector<std::string>>
    inputShapes("input-shape", cl::desc("NAME:1x1x28x28 (symbolic dims)"),
                cl::location(options.inputShapes), cl::cat(category));
static cl::list<std::string, std::vector<std::string>> inputValues(
    "input-value",
    cl::desc("NAME=V[,V...]: fix a graph input to a constant (repeatable)"),
    cl::location(options.inputValues), cl::cat(category));
static cl::opt<std::string, true> calib("calib",
                                        cl::desc("Calibration inputs (.npy)"),
                                        cl::location(options.calib),
                                        cl::cat(category));
static cl::opt<unsigned, true> actMaxOnes(
    "act-max-ones",
    cl::desc("Bit-sparse activation codes: at most N '1' bits per unsigned "
             "input code (CIMQ; cim-quantize act-max-ones, needs --calib; "
             "0 = dense)"),
    cl::location(options.actMaxOnes), cl::cat(category));
static cl::opt<unsigned, true> weightMaxOnes(
    "weight-max-ones",
    cl::desc("ZEBRA's zero-bit patterns: weight magnitudes with at most N "
             "'1' bits, stored with complemented columns and without zero "
             "rows and columns (cim-quantize weight-max-ones; 0 = off)"),
    cl::location(options.weightMaxOnes), cl::cat(category));
static cl::opt<bool, true> inputOnes(
    "input-ones",
    cl::desc("Measure each layer's share of '1' input bits and all-zero DAC "
             "cycles on --calib for the cost model (cim-quantize input-ones)"),
    cl::location(options.inputOnes), cl::cat(category));
static cl::opt<bool, true> skipZeroCycles(
    "skip-zero-cycles",
    cl::desc("Cost hardware that skips all-zero DAC cycles (both the "
             "program and the W8A8 baseline)"),
    cl::location(options.skipZeroCycles), cl::cat(category));
static cl::opt<std::string, true> validation(
    "validation",
    cl::desc("Inputs (.npy) on which --precision auto and the report measure "
             "accuracy, when they should differ from the --calib inputs that "
             "set activation and ADC ranges (default: --calib)"),
    cl::location(options.validation), cl::cat(category));
static cl::opt<std::string, true>
    labels("labels",
           cl::desc("Labels of the --validation inputs (or of "
                    "--calib without it): the precision search and "
                    "the accuracy report"),
           cl::location(options.labels), cl::cat(category));
static cl::opt<std::string, true> verify(
    "verify",
    cl::desc("Inputs (.npy) that only check the policy --precision auto "
             "chose (default: --verify-fraction of the measured inputs)"),
    cl::location(options.verify), cl::cat(category));
static cl::opt<std::string, true>
    verifyLabels("verify-labels", cl::desc("Labels of the --verify inputs"),
                 cl::location(options.verifyLabels), cl::cat(category));
static cl::opt<double, true> verifyFraction(
    "verify-fraction",
    cl::desc("Share of the measured inputs held out of the search to check "
             "its policy (stratified by label; 0 = search and check on all; "
             "default 0.5)"),
    cl::location(options.verifyFraction), cl::cat(category));
static cl::opt<double, true> verifyLevel(
    "verify-level",
    cl::desc("One-sided confidence of the check on the verify images (the "
             "measured loss plus z(level) standard errors must meet the "
             "budget; default 0.95)"),
    cl::location(options.verifyLevel), cl::cat(category));
static cl::opt<unsigned, true>
    splitSeed("split-seed", cl::desc("Seed of the search/verify split"),
              cl::location(options.splitSeed), cl::cat(category));

static cl::opt<unsigned, true>
    samples("samples", cl::desc("Batches of calibration data to use (0 = all)"),
            cl::location(options.samples), cl::cat(category));
static cl::opt<double, true> maxAccuracyDrop(
    "max-accuracy-drop",
    cl::desc("Budget of --precision auto, in top-1 percentage points"),
    cl::location(options.maxAccuracyDrop), cl::cat(category));
static cl::opt<double, true> confidence(
    "confidence",
    cl::desc("Budget of --precision auto with labels: add this many standard "
             "errors of the paired top-1 drop to each measured drop, so the "
             "budget holds beyond --calib (0 = the measured drop)"),
    cl::location(options.confidence), cl::cat(category));
static cl::opt<double, true> maxOutputError(
    "max-output-error",
    cl::desc("Budget of --precision auto without labels: relative L2 error "
             "of the outputs against float on --calib"),
    cl::location(options.maxOutputError), cl::cat(category));
static cl::opt<SearchKind, true> searchKind(
    "search",
    cl::desc("knapsack (default), greedy, evolutionary or rl (--precision "
             "auto)"),
    cl::location(options.searchKind), searchKindValues(), cl::cat(category));
static cl::opt<Sensitivity, true> searchSensitivity(
    "sensitivity",
    cl::desc("--search knapsack: rank layers by the classifier's KL "
             "divergence from float (kl) or by measured top-1 drop (top1)"),
    cl::location(options.searchSensitivity), sensitivityValues(),
    cl::cat(category));
static cl::opt<SearchObjective, true>
    objective("objective",
              cl::desc("latency, energy or edp (--precision auto)"),
              cl::location(options.objective), searchObjectiveValues(),
              cl::cat(category));
static cl::opt<std::string, true> weightBits("weight-bits",
                                             cl::desc("Search range, LO..HI"),
                                             cl::location(options.weightBits),
                                             cl::cat(category));
static cl::opt<std::string, true> actBits("act-bits",
                                          cl::desc("Search range, LO..HI"),
                                          cl::location(options.actBits),
                                          cl::cat(category));
static cl::opt<bool, true> fixFirstLast(
    "fix-first-last",
    cl::desc("Keep the first and last layer at the top of the ranges"),
    cl::location(options.fixFirstLast), cl::cat(category));
static cl::opt<std::string, true>
    duplicate("duplicate", cl::desc("Weight copies: N or auto"),
              cl::location(options.duplicate), cl::cat(category));
static cl::opt<std::string, true> outputDir("o", cl::Required,
                                            cl::desc("Output directory"),
                                            cl::value_desc("dir"),
                                            cl::location(options.outputDir),
                                            cl::cat(category));
static cl::opt<cost::LatencyModel, true> latencyModel(
    "latency-model",
    cl::desc("Latency model of the report and the search: cim (ours) or "
             "pelke2026 (Pelke et al., DATE 2026)"),
    cl::location(options.latencyModel), latencyModelValues(),
    cl::cat(category));
static cl::opt<bool, true> noProgram(
    "no-program",
    cl::desc("Stop after the reports (policy.json, report.*): no lowering to "
             "instructions, no model.cimbin/.cimasm"),
    cl::location(options.noProgram), cl::cat(category));
static cl::opt<std::string, true>
    adcBitsRange("adc-bits",
                 cl::desc("ADC bits the search may choose, LO..HI (converting "
                          "ADCs only; default: keep the target's)"),
                 cl::location(options.adcBitsRange), cl::cat(category));
static cl::opt<std::string, true> searchFloat(
    "search-float",
    cl::desc("With --precision auto: search floating-point layers (FP-CIM) "
             "in these formats, fp:IN[/W][:L=N][:truncate]: per layer the "
             "weight mantissa (--weight-bits - 2) and aligned input width "
             "(--act-bits - 1)"),
    cl::location(options.searchFloat), cl::cat(category));
static cl::opt<unsigned, true>
    searchSeed("seed", cl::desc("Seed of the evolutionary and rl searches"),
               cl::location(options.searchSeed), cl::cat(category));
static cl::opt<AdcClip, true>
    adcClip("adc-clip",
            cl::desc("Clipped-ADC range from the column sums of --calib: "
                     "mse, sigma, max or none (cim-quantize)"),
            cl::location(options.adcClip), adcClipValues(), cl::cat(category));
static cl::opt<bool, true> biasCorrection(
    "bias-correction",
    cl::desc("Add back each layer's mean quantization error per output "
             "column, measured on --calib (cim-quantize)"),
    cl::location(options.biasCorrection), cl::cat(category));
static cl::opt<bool, true> equalize(
    "equalize",
    cl::desc("Equalize activation ranges across channels on --calib before "
             "quantizing: scales move from activations into the next "
             "layer's weights, the float function is unchanged "
             "(cim-equalize)"),
    cl::location(options.equalize), cl::cat(category));
static cl::opt<double, true> equalizeAlpha(
    "equalize-alpha",
    cl::desc("--equalize strength in [0, 1]: 1 equalizes activation ranges, "
             "0 weight ranges"),
    cl::location(options.equalizeAlpha), cl::cat(category));
static cl::opt<int64_t, true> noiseSeed(
    "noise-seed",
    cl::desc("Compile for the target's noisy crossbars (#cim.noise) drawn "
             "with this seed: the precision search, ADC ranges, bias "
             "correction and the reported accuracy all measure under that "
             "noise (PIM-QAT's noise-aware calibration; default: noiseless)"),
    cl::location(options.noiseSeed), cl::cat(category));
static cl::opt<std::string, true>
    granularity("granularity",
                cl::desc("Weight scale granularity: tensor, channel, tile or "
                         "tile_column (default: channel)"),
                cl::location(options.granularity), cl::cat(category));
static cl::opt<std::string, true> dumpAfter(
    "dump-ir-after",
    cl::desc("Print the IR after this pass (e.g. cim-tile-crossbar) to "
             "stderr"),
    cl::location(options.dumpAfter), cl::cat(category));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // --max-tensor-elements, --max-model-bytes, ... (docs/reliability.md).
  registerResourceLimitOptions();
  // --help lists cimc's options, not every LLVM backend's.
  cl::HideUnrelatedOptions({&category, &getResourceLimitCategory()});
  cl::ParseCommandLineOptions(argc, argv,
                              "cimc: compile an ONNX model for a CIM target\n");
  return runCompiler(options);
}
