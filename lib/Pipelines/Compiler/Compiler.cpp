//===- Compiler.cpp - The one-shot compiler behind cimc -------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The stage order of cimc (docs/design.md): the graph stage of
// cim-compile-pipeline, calibration, the precision (searched, replayed or
// uniform), the data-driven quantizers, the mapped stage (also for the
// uniform-W8A8 baseline the report compares with), the instruction stage,
// then accuracy and the reports.
//
//===----------------------------------------------------------------------===//

#include "cim/Pipelines/Compiler.h"
#include "Accuracy.h"

#include "cim/Analysis/CostModel.h"
#include "cim/Dialect/Cim/CimDialect.h"
#include "cim/Dialect/Cim/CimOps.h"
#include "cim/Dialect/Cim/CimPasses.h"
#include "cim/InitAll.h"
#include "cim/Interpreter/GraphEvaluator.h"
#include "cim/Pipelines/Pipelines.h"
#include "cim/Pipelines/Reports.h"
#include "cim/Precision/Passes.h"
#include "cim/Precision/Policy.h"
#include "cim/Support/Npy.h"
#include "cim/Target/ISA.h"
#include "cim/Target/ImportONNX.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace mlir;
using namespace mlir::cim;

static int fail(const llvm::Twine &message) {
  llvm::errs() << "cimc: error: " << message << "\n";
  return 1;
}

int mlir::cim::runCompiler(const CompilerOptions &o) {
  DialectRegistry registry;
  registry.insert<CimDialect, func::FuncDialect>();
  // A .mlir model may be written in TOSA or Linalg; the graph pipeline
  // converts it first.
  registerInputDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // IR printing needs a single-threaded pass manager.
  if (!o.dumpAfter.empty())
    context.disableMultithreading();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);

  if (o.precision == "auto" &&
      (o.calib.empty() || (o.labels.empty() && o.maxOutputError <= 0)))
    return fail("--precision auto measures accuracy: it needs --calib and "
                "--labels (or --max-output-error without labels)");
  if (o.equalize && o.calib.empty())
    return fail("--equalize measures channel ranges: it needs --calib");
  if (!(o.equalizeAlpha >= 0.0 && o.equalizeAlpha <= 1.0))
    return fail("--equalize-alpha must be in [0, 1]");
  if ((o.actMaxOnes || o.inputOnes) && o.calib.empty())
    return fail("--act-max-ones and --input-ones need --calib");
  if (o.noiseSeed < -1)
    return fail("--noise-seed must be a seed >= 0");
  if (!o.searchFloat.empty() && o.precision != "auto")
    return fail("--search-float is a search space: it needs --precision auto");
  if (o.weightMaxOnes > 16)
    return fail("--weight-max-ones must be in [1, 16] (0 = off), got " +
                llvm::Twine(unsigned(o.weightMaxOnes)));
  if (!o.verify.empty() &&
      (o.calib.empty() || (o.labels.empty()) != o.verifyLabels.empty()))
    return fail("--verify needs --calib, and --verify-labels exactly when "
                "--labels is given");
  if (!(o.verifyFraction >= 0 && o.verifyFraction < 1))
    return fail("--verify-fraction must be in [0, 1)");
  if (!(o.verifyLevel >= 0.5 && o.verifyLevel < 1))
    return fail("--verify-level must be in [0.5, 1)");
  if (!o.validation.empty() && o.calib.empty())
    return fail("--validation needs --calib (the inputs that set the "
                "ranges)");
  cost::LatencyModel model = o.latencyModel;
  unsigned defaultW = 8, defaultA = 8;
  bool policyFile = llvm::StringRef(o.precision).ends_with(".json");
  // Floating point (FP-CIM): every layer in the formats of `fp:...`.
  bool floating = isFloatPrecisionSpec(o.precision);
  if (floating) {
    std::string error;
    FailureOr<PrecisionAttr> fp =
        parseFloatPrecision(o.precision, &context, error);
    if (failed(fp))
      return fail("--precision " + error);
    defaultW = fp->getWeightBits();
    defaultA = fp->getActBits();
  }
  if (o.precision != "auto" && !policyFile && !floating &&
      !parseUniformPrecision(o.precision, defaultW, defaultA))
    return fail("--precision must be auto, wXaY (e.g. w8a8) or a policy "
                ".json file, got '" +
                o.precision + "'");

  ImportONNXOptions importOptions;
  for (const std::string &spec : o.inputShapes) {
    std::string error;
    if (failed(parseInputShape(spec, importOptions, error)))
      return fail("--input-shape " + spec + ": " + error);
  }
  for (const std::string &spec : o.inputValues) {
    std::string error;
    if (failed(parseInputValue(spec, importOptions, error)))
      return fail(error);
  }
  OwningOpRef<ModuleOp> module;
  if (llvm::StringRef(o.modelPath).ends_with(".mlir")) {
    if (!o.inputShapes.empty())
      return fail("--input-shape applies to ONNX models; a .mlir model has "
                  "static shapes");
    if (!o.inputValues.empty())
      return fail("--input-value applies to ONNX models; fold the constant "
                  "into the .mlir model instead");
    module = parseSourceFile<ModuleOp>(o.modelPath, sourceMgr,
                                       ParserConfig(&context));
  } else {
    module = importONNXFile(o.modelPath, &context, importOptions);
  }
  if (!module)
    return 1; // The parser or importer reported why.

  auto configure = [&](PassManager &pm) {
    if (o.dumpAfter.empty())
      return;
    std::string wanted = o.dumpAfter;
    pm.enableIRPrinting([](Pass *, Operation *) { return false; },
                        [wanted](Pass *pass, Operation *) {
                          return pass->getArgument() == wanted;
                        },
                        /*printModuleScope=*/true,
                        /*printAfterOnlyOnChange=*/false);
  };
  auto run = [&](llvm::function_ref<void(PassManager &)> build) {
    PassManager pm(&context);
    configure(pm);
    build(pm);
    return pm.run(*module);
  };

  if (std::error_code ec = llvm::sys::fs::create_directories(o.outputDir))
    return fail(o.outputDir + ": " + ec.message());

  // Graph stage, calibration, o.precision.
  CompilePipelineOptions pipeline;
  pipeline.target = o.targetName;
  pipeline.precision = llvm::formatv("w{0}a{1}", defaultW, defaultA).str();
  pipeline.duplicate = o.duplicate;
  // cimc calibrates below, around the o.precision search; the graph stage
  // only needs the inputs for equalization.
  pipeline.calib = o.calib;
  pipeline.samples = o.samples;
  pipeline.calibrateInGraph = false;
  pipeline.equalize = o.equalize;
  pipeline.equalizeAlpha = o.equalizeAlpha;
  if (failed(run([&](PassManager &pm) {
        (void)buildGraphPipeline(pm, pipeline);
        // Uniform or replayed o.precision: what follows measures the layers
        // at their bits (the search sets its own).
        if (o.precision != "auto") {
          CimDefaultPrecisionOptions d;
          d.weightBits = defaultW;
          d.actBits = defaultA;
          if (floating)
            d.floatSpec = o.precision;
          pm.addPass(createCimDefaultPrecision(d));
        }
        if (!o.calib.empty()) {
          CimCalibrateOptions c;
          c.calib = o.calib;
          c.samples = o.samples;
          pm.addPass(createCimCalibrate(c));
        }
      })))
    return 1;
  OwningOpRef<ModuleOp> floatModule = module->clone();
  // Zero-bit patterns: the search and the quantizers measure the layers as
  // they will be stored; the W8A8 baseline (from floatModule) stays
  // conventional.
  if (o.weightMaxOnes && failed(run([&](PassManager &pm) {
        CimQuantizeOptions q;
        q.adcClip = AdcClip::none;
        q.weightMaxOnes = o.weightMaxOnes;
        pm.addPass(createCimQuantize(q));
      })))
    return 1;
  if (policyFile) {
    std::string error;
    if (failed(applyPolicy(*module, o.precision, error)))
      return fail(error);
  } else if (o.precision == "auto") {
    if (failed(run([&](PassManager &pm) {
          CimAssignPrecisionOptions a;
          a.data = o.measuredInputs();
          a.labels = o.labels;
          a.samples = o.samples;
          a.maxAccuracyDrop = o.maxAccuracyDrop;
          a.confidence = o.confidence;
          a.verify = o.verify;
          a.verifyLabels = o.verifyLabels;
          a.verifyFraction = o.verifyFraction;
          a.verifyLevel = o.verifyLevel;
          a.splitSeed = o.splitSeed;
          a.objective = o.objective;
          a.weightBits = o.weightBits;
          a.actBits = o.actBits;
          a.fixFirstLast = o.fixFirstLast;
          a.model = o.latencyModel;
          a.search = o.searchKind;
          a.sensitivity = o.searchSensitivity;
          a.adcBits = o.adcBitsRange;
          a.seed = o.searchSeed;
          llvm::SmallString<128> paretoPath(o.outputDir);
          llvm::sys::path::append(paretoPath, "pareto.json");
          a.pareto = paretoPath.str().str();
          a.maxOutputError = o.maxOutputError;
          a.noiseSeed = o.noiseSeed;
          a.floatSpec = o.searchFloat;
          pm.addPass(createCimAssignPrecision(a));
        })))
      return 1;
  }
  // Data-driven quantizers for the chosen o.precision.
  if (!o.calib.empty() || !o.granularity.empty()) {
    if (failed(run([&](PassManager &pm) {
          CimQuantizeOptions q;
          q.calib = o.calib;
          q.samples = o.samples;
          q.adcClip = o.adcClip;
          q.biasCorrection = o.biasCorrection;
          q.granularity = o.granularity;
          q.actMaxOnes = o.actMaxOnes;
          q.inputOnes = o.inputOnes;
          q.noiseSeed = o.noiseSeed;
          pm.addPass(createCimQuantize(q));
        })))
      return 1;
  }
  llvm::json::Value policy = policyOf(*module, defaultW, defaultA);

  // The same model at uniform W8A8 on the same target, for the report.
  OwningOpRef<ModuleOp> baseline = floatModule->clone();
  baseline->walk([](MvmOp mvm) { mvm->removeAttr("precision"); });
  CompilePipelineOptions w8a8;
  w8a8.target = o.targetName;
  w8a8.duplicate = o.duplicate;
  w8a8.precision = "w8a8";
  {
    PassManager pm(&context);
    if (failed(buildMappedPipeline(pm, w8a8)) || failed(pm.run(*baseline)))
      return 1;
  }
  cost::CostOptions costOptions;
  costOptions.skipZeroCycles = o.skipZeroCycles;
  FailureOr<cost::ModelCost> baseCost =
      cost::computeCost(*baseline, model, costOptions);

  // Mapped stage, costed at the same level as the baseline; then the
  // instruction stage.
  if (failed(run(
          [&](PassManager &pm) { (void)buildMappedPipeline(pm, pipeline); })))
    return 1;
  FailureOr<cost::ModelCost> ours =
      cost::computeCost(*module, model, costOptions);
  if (failed(baseCost) || failed(ours))
    return 1;
  std::optional<isa::Program> program;
  if (!o.noProgram) {
    if (failed(run(
            [&](PassManager &pm) { (void)buildIsaPipeline(pm, pipeline); })))
      return 1;
    llvm::Expected<isa::Program> emitted = isa::programFromModule(*module);
    if (!emitted)
      return fail(llvm::toString(emitted.takeError()));
    program = std::move(*emitted);
  }
  auto write = [&](llvm::StringRef name,
                   llvm::function_ref<void(llvm::raw_ostream &)> body) {
    llvm::SmallString<128> path(o.outputDir);
    llvm::sys::path::append(path, name);
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (ec)
      return fail(path + ": " + ec.message());
    body(os);
    return 0;
  };

  // Accuracy of the float model and of the compiled program (with labels),
  // or how far the compiled outputs are from float (without): on all
  // measured inputs, and on the search and verify parts.
  AccuracyReport measured;
  if (!o.calib.empty()) {
    llvm::Expected<AccuracyReport> m =
        measureAccuracy(*floatModule, *module, o);
    if (!m)
      return fail(llvm::toString(m.takeError()));
    measured = std::move(*m);
  }
  llvm::json::Object &accuracy = measured.accuracy;
  std::optional<double> outputError = measured.outputError;

  const cost::LayerCost &t = ours->total, &b = baseCost->total;
  double speedup = t.latencyNs > 0 ? b.latencyNs / t.latencyNs : 0.0;
  double energyRatio =
      t.energy.total() > 0 ? b.energy.total() / t.energy.total() : 0.0;
  llvm::json::Value costJson = cost::toJSON(*ours);
  llvm::json::Object report = std::move(*costJson.getAsObject());
  report["policy"] = policy;
  report["baseline_w8a8"] =
      llvm::json::Object{{"latency_ns", b.latencyNs},
                         {"energy_pj", b.energy.total()},
                         {"crossbars", b.crossbars},
                         {"utilization", b.utilization()}};
  report["speedup_vs_w8a8"] = speedup;
  report["energy_saving_vs_w8a8"] = energyRatio;
  if (!accuracy.empty())
    report["accuracy"] = llvm::json::Object(accuracy);
  // The chip the measurements (search, calibration, accuracy) were made on.
  if (o.noiseSeed >= 0)
    report["noise_seed"] = int64_t(o.noiseSeed);
  if (o.weightMaxOnes)
    report["weight_max_ones"] = int64_t(o.weightMaxOnes);
  report["latency_model"] = stringifyLatencyModel(o.latencyModel);
  if (outputError)
    report["output_error"] = *outputError;
  if (!measured.outputErrorSplit.empty())
    report["output_error_split"] =
        llvm::json::Object(measured.outputErrorSplit);
  if (program)
    report["instructions"] = int64_t(program->code.size());

  if (program) {
    if (int e = write("model.cimbin", [&](llvm::raw_ostream &os) {
          isa::writeBinary(*program, os);
        }))
      return e;
    if (int e = write("model.cimasm", [&](llvm::raw_ostream &os) {
          isa::writeAssembly(*program, os);
        }))
      return e;
  }
  if (int e = write("policy.json", [&](llvm::raw_ostream &os) {
        os << llvm::formatv("{0:2}", policy) << "\n";
      }))
    return e;
  if (int e = write("report.json", [&](llvm::raw_ostream &os) {
        os << llvm::formatv("{0:2}", llvm::json::Value(
                                         llvm::json::Object(std::move(report))))
           << "\n";
      }))
    return e;
  if (int e = write("report.svg", [&](llvm::raw_ostream &os) {
        writeLatencySvg(*ours, *baseCost, os);
      }))
    return e;
  llvm::SmallString<128> paretoJson(o.outputDir);
  llvm::sys::path::append(paretoJson, "pareto.json");
  bool hasPareto = llvm::sys::fs::exists(paretoJson);
  if (hasPareto) {
    int status = 0;
    if (int e = write("pareto.svg", [&](llvm::raw_ostream &os) {
          if (failed(writeParetoSvg(paretoJson, os)))
            status = fail(paretoJson + ": cannot be plotted");
        }))
      return e;
    if (status)
      return status;
  }
  if (int e = write("report.md", [&](llvm::raw_ostream &os) {
        os << "# " << llvm::sys::path::filename(o.modelPath) << " on "
           << ours->target << "\n\n";
        os << llvm::formatv("Modeled latency {0:f1} us ({1:f2}x faster than "
                            "uniform W8A8: {2:f1} us), energy {3:f1} nJ "
                            "({4:f2}x less than {5:f1} nJ), {6} crossbars "
                            "({7:f1}% used), {8} instructions.\n\n",
                            t.latencyNs / 1000, speedup, b.latencyNs / 1000,
                            t.energy.total() / 1000, energyRatio,
                            b.energy.total() / 1000, t.crossbars,
                            100 * t.utilization(),
                            program ? program->code.size() : 0);
        os << measured.markdown;
        os << "![latency per layer](report.svg)\n\n";
        if (hasPareto)
          os << "The search's measured policies and their Pareto front "
                "(pareto.json):\n\n![Pareto front](pareto.svg)\n\n";
        cost::printTable(*ours, os);
      }))
    return e;

  if (program)
    llvm::outs() << llvm::formatv("cimc: {0} -> {1}/model.cimbin: {2} "
                                  "instructions, ",
                                  o.modelPath, o.outputDir,
                                  program->code.size());
  else
    llvm::outs() << llvm::formatv(
        "cimc: {0} -> {1} (reports only): ", o.modelPath, o.outputDir);
  llvm::outs() << llvm::formatv("{0} crossbars, modeled {1:f1} us ({2:f2}x "
                                "vs W8A8)",
                                t.crossbars, t.latencyNs / 1000, speedup);
  if (!accuracy.empty())
    llvm::outs() << llvm::formatv(", top-1 float {0:f2}% compiled {1:f2}%",
                                  100 * *accuracy.getNumber("float"),
                                  100 * *accuracy.getNumber("compiled"));
  llvm::outs() << "\n";
  return 0;
}
