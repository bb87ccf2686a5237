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
// ONNX in, program and reports out (docs/design.md): out/model.cimbin,
// model.cimasm, policy.json (the per-layer bits, replayable with
// --precision), report.json (the cost model's `layers`/`total`, the policy,
// and the comparison with uniform W8A8 on the same target), report.md and
// report.svg. It runs the same passes as `cim-compile-pipeline`, with
// calibration and the precision search in between.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimDialect.h"
#include "cim/Dialect/Cim/CimOps.h"
#include "cim/Dialect/Cim/CimPasses.h"
#include "cim/Pipelines/Pipelines.h"
#include "cim/Analysis/CostModel.h"
#include "cim/InitAll.h"
#include "cim/Interpreter/GraphEvaluator.h"
#include "cim/Support/Limits.h"
#include "cim/Support/Npy.h"
#include "cim/Target/ISA.h"
#include "cim/Target/ImportONNX.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <map>

using namespace mlir;
using namespace mlir::cim;
namespace cl = llvm::cl;

static cl::opt<std::string>
    modelPath(cl::Positional, cl::Required,
              cl::desc("<model.onnx or model.mlir (cim, TOSA or Linalg)>"));
static cl::opt<std::string>
    targetName("target", cl::Required,
               cl::desc("Target preset name or JSON file"));
static cl::opt<std::string> precision(
    "precision",
    cl::desc("auto (search under --max-accuracy-drop), wXaY (uniform), or a "
             "policy JSON file"),
    cl::init("w8a8"));
static cl::list<std::string>
    inputShapes("input-shape", cl::desc("NAME:1x1x28x28 (symbolic dims)"));
static cl::opt<std::string> calib("calib",
                                  cl::desc("Calibration inputs (.npy)"));
static cl::opt<unsigned> actMaxOnes(
    "act-max-ones",
    cl::desc("Bit-sparse activation codes: at most N '1' bits per unsigned "
             "input code (CIMQ; cim-quantize act-max-ones, needs --calib; "
             "0 = dense)"),
    cl::init(0));
static cl::opt<unsigned> weightMaxOnes(
    "weight-max-ones",
    cl::desc("ZEBRA's zero-bit patterns: weight magnitudes with at most N "
             "'1' bits, stored with complemented columns and without zero "
             "rows and columns (cim-quantize weight-max-ones; 0 = off)"),
    cl::init(0));
static cl::opt<bool> inputOnes(
    "input-ones",
    cl::desc("Measure each layer's share of '1' input bits and all-zero DAC "
             "cycles on --calib for the cost model (cim-quantize input-ones)"),
    cl::init(false));
static cl::opt<bool> skipZeroCycles(
    "skip-zero-cycles",
    cl::desc("Cost hardware that skips all-zero DAC cycles (both the "
             "program and the W8A8 baseline)"),
    cl::init(false));
static cl::opt<std::string> validation(
    "validation",
    cl::desc("Inputs (.npy) on which --precision auto and the report measure "
             "accuracy, when they should differ from the --calib inputs that "
             "set activation and ADC ranges (default: --calib)"));
static cl::opt<std::string>
    labels("labels", cl::desc("Labels of the --validation inputs (or of "
                              "--calib without it): the precision search and "
                              "the accuracy report"));

/// The inputs accuracy is measured on.
static const std::string &measuredInputs() {
  return validation.empty() ? calib : validation;
}
static cl::opt<unsigned>
    samples("samples", cl::desc("Batches of calibration data to use (0 = all)"),
            cl::init(0));
static cl::opt<double> maxAccuracyDrop(
    "max-accuracy-drop",
    cl::desc("Budget of --precision auto, in top-1 percentage points"),
    cl::init(0.5));
static cl::opt<double> confidence(
    "confidence",
    cl::desc("Budget of --precision auto with labels: add this many standard "
             "errors of the paired top-1 drop to each measured drop, so the "
             "budget holds beyond --calib (0 = the measured drop)"),
    cl::init(0.0));
static cl::opt<double> maxOutputError(
    "max-output-error",
    cl::desc("Budget of --precision auto without labels: relative L2 error "
             "of the outputs against float on --calib"),
    cl::init(0.0));
static cl::opt<std::string> searchKind(
    "search",
    cl::desc("greedy, knapsack, evolutionary or rl (--precision auto)"),
    cl::init("greedy"));
static cl::opt<std::string> searchSensitivity(
    "sensitivity",
    cl::desc("--search knapsack: rank layers by the classifier's KL "
             "divergence from float (kl) or by measured top-1 drop (top1)"),
    cl::init("kl"));
static cl::opt<std::string>
    objective("objective",
              cl::desc("latency, energy or edp (--precision auto)"),
              cl::init("latency"));
static cl::opt<std::string> weightBits("weight-bits",
                                       cl::desc("Search range, LO..HI"),
                                       cl::init("2..8"));
static cl::opt<std::string>
    actBits("act-bits", cl::desc("Search range, LO..HI"), cl::init("2..8"));
static cl::opt<bool> fixFirstLast(
    "fix-first-last",
    cl::desc("Keep the first and last layer at the top of the ranges"));
static cl::opt<std::string>
    duplicate("duplicate", cl::desc("Weight copies: N or auto"), cl::init("1"));
static cl::opt<std::string> outputDir("o", cl::Required,
                                      cl::desc("Output directory"),
                                      cl::value_desc("dir"));
static cl::opt<std::string> latencyModel(
    "latency-model",
    cl::desc("Latency model of the report and the search: cim (ours) or "
             "pelke2026 (Pelke et al., DATE 2026)"),
    cl::init("cim"));
static cl::opt<bool> noProgram(
    "no-program",
    cl::desc("Stop after the reports (policy.json, report.*): no lowering to "
             "instructions, no model.cimbin/.cimasm"));
static cl::opt<std::string>
    adcBitsRange("adc-bits",
                 cl::desc("ADC bits the search may choose, LO..HI (converting "
                          "ADCs only; default: keep the target's)"),
                 cl::init(""));
static cl::opt<std::string> searchFloat(
    "search-float",
    cl::desc("With --precision auto: search floating-point layers (FP-CIM) "
             "in these formats, fp:IN[/W][:L=N][:truncate]: per layer the "
             "weight mantissa (--weight-bits - 2) and aligned input width "
             "(--act-bits - 1)"),
    cl::init(""));
static cl::opt<unsigned>
    searchSeed("seed", cl::desc("Seed of the evolutionary and rl searches"),
               cl::init(1));
static cl::opt<std::string>
    adcClip("adc-clip",
            cl::desc("Clipped-ADC range from the column sums of --calib: "
                     "mse, sigma, max or none (cim-quantize)"),
            cl::init("mse"));
static cl::opt<bool> biasCorrection(
    "bias-correction",
    cl::desc("Add back each layer's mean quantization error per output "
             "column, measured on --calib (cim-quantize)"));
static cl::opt<bool> equalize(
    "equalize",
    cl::desc("Equalize activation ranges across channels on --calib before "
             "quantizing: scales move from activations into the next "
             "layer's weights, the float function is unchanged "
             "(cim-equalize)"));
static cl::opt<double> equalizeAlpha(
    "equalize-alpha",
    cl::desc("--equalize strength in [0, 1]: 1 equalizes activation ranges, "
             "0 weight ranges"),
    cl::init(0.5));
static cl::opt<int64_t> noiseSeed(
    "noise-seed",
    cl::desc("Compile for the target's noisy crossbars (#cim.noise) drawn "
             "with this seed: the precision search, ADC ranges, bias "
             "correction and the reported accuracy all measure under that "
             "noise (PIM-QAT's noise-aware calibration; default: noiseless)"),
    cl::init(-1));
static cl::opt<std::string>
    granularity("granularity",
                cl::desc("Weight scale granularity: tensor, channel, tile or "
                         "tile_column (default: channel)"),
                cl::init(""));
static cl::opt<std::string> dumpAfter(
    "dump-ir-after",
    cl::desc("Print the IR after this pass (e.g. cim-tile-crossbar) to "
             "stderr"));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "cimc: error: " << message << "\n";
  return 1;
}

static bool parseWA(llvm::StringRef text, unsigned &w, unsigned &a) {
  return text.consume_front("w") && !text.consumeInteger(10, w) &&
         text.consume_front("a") && !text.consumeInteger(10, a) && text.empty();
}

/// Crossbar layers by the name reports and policies use.
static std::map<std::string, SmallVector<MvmOp>> layersOf(ModuleOp module) {
  std::map<std::string, SmallVector<MvmOp>> layers;
  module.walk(
      [&](MvmOp mvm) { layers[cost::layerName(mvm.getLoc())].push_back(mvm); });
  return layers;
}

/// Sets every layer's precision from a policy file:
/// {"layers": [{"name": ..., "weight_bits": W, "act_bits": A,
///              "adc_bits": B (optional)}]}.
static LogicalResult applyPolicy(ModuleOp module, llvm::StringRef path,
                                 std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer) {
    error = path.str() + ": " + buffer.getError().message();
    return failure();
  }
  llvm::Expected<llvm::json::Value> json =
      llvm::json::parse((*buffer)->getBuffer());
  if (!json) {
    error = path.str() + ": " + llvm::toString(json.takeError());
    return failure();
  }
  const llvm::json::Object *root = json->getAsObject();
  const llvm::json::Array *list = root ? root->getArray("layers") : nullptr;
  if (!list) {
    error = path.str() + ": expected an object with a \"layers\" list";
    return failure();
  }
  std::map<std::string, SmallVector<MvmOp>> layers = layersOf(module);
  for (auto [i, entry] : llvm::enumerate(*list)) {
    const llvm::json::Object *layer = entry.getAsObject();
    auto where = llvm::formatv("{0}: layers[{1}]", path, i).str();
    std::optional<llvm::StringRef> name =
        layer ? layer->getString("name") : std::nullopt;
    std::optional<int64_t> w =
        layer ? layer->getInteger("weight_bits") : std::nullopt;
    std::optional<int64_t> a =
        layer ? layer->getInteger("act_bits") : std::nullopt;
    std::optional<int64_t> adc =
        layer ? layer->getInteger("adc_bits") : std::nullopt;
    if (!name || !w || !a) {
      error = where + ": needs \"name\", \"weight_bits\" and \"act_bits\"";
      return failure();
    }
    auto it = layers.find(name->str());
    if (it == layers.end()) {
      error = where + ": the model has no crossbar layer '" + name->str() + "'";
      return failure();
    }
    if (*w < 1 || *w > 16 || *a < 1 || *a > 16 ||
        (adc && (*adc < 0 || *adc > 32))) {
      error = where + ": bits out of range";
      return failure();
    }
    // A floating-point layer names its formats ("fp": "fp:e4m3:L=7").
    PrecisionAttr precision;
    if (std::optional<llvm::StringRef> fp = layer->getString("fp")) {
      std::string fpError;
      FailureOr<PrecisionAttr> parsed =
          parseFloatPrecision(*fp, module.getContext(), fpError);
      if (failed(parsed)) {
        error = where + ": " + fpError;
        return failure();
      }
      if ((*parsed).getWeightBits() != *w || (*parsed).getActBits() != *a) {
        error = where + ": \"fp\" " + fp->str() + " computes on " +
                std::to_string((*parsed).getWeightBits()) + "-bit weight and " +
                std::to_string((*parsed).getActBits()) +
                "-bit input mantissas, not the weight_bits and act_bits given";
        return failure();
      }
      precision = *parsed;
    } else {
      precision = PrecisionAttr::get(module.getContext(), unsigned(*w),
                                     unsigned(*a), adc ? unsigned(*adc) : 0u,
                                     ScaleGranularity::channel);
    }
    for (MvmOp mvm : it->second)
      mvm.setPrecisionAttr(precision);
  }
  return success();
}

static llvm::json::Value policyOf(ModuleOp module, unsigned defaultW,
                                  unsigned defaultA) {
  llvm::json::Array list;
  for (auto &[name, mvms] : layersOf(module)) {
    PrecisionAttr p = mvms.front().getPrecisionAttr();
    llvm::json::Object layer{
        {"name", name},
        {"weight_bits", int64_t(p ? p.getWeightBits() : defaultW)},
        {"act_bits", int64_t(p ? p.getActBits() : defaultA)}};
    if (p && p.getAdcBits())
      layer["adc_bits"] = int64_t(p.getAdcBits());
    if (FpAttr fp = p ? p.getFp() : FpAttr())
      layer["fp"] = floatPrecisionSpec(fp);
    list.push_back(std::move(layer));
  }
  return llvm::json::Object{{"layers", std::move(list)}};
}

static void writeSvg(const cost::ModelCost &ours,
                     const cost::ModelCost &baseline, llvm::raw_ostream &os) {
  // One pair of bars per crossbar layer: latency compiled vs uniform W8A8.
  std::map<std::string, double> base;
  for (const cost::LayerCost &l : baseline.layers)
    base[l.name] = l.latencyNs;
  std::vector<const cost::LayerCost *> layers;
  double most = 1e-9;
  for (const cost::LayerCost &l : ours.layers)
    if (l.kind == "crossbar") {
      layers.push_back(&l);
      most = std::max({most, l.latencyNs, base[l.name]});
    }
  const int row = 22, left = 260, width = 420;
  int height = 60 + row * int(layers.size());
  os << llvm::formatv("<svg xmlns=\"http://www.w3.org/2000/svg\" "
                      "width=\"{0}\" height=\"{1}\" font-family=\"sans-serif\" "
                      "font-size=\"11\">\n",
                      left + width + 40, height);
  os << llvm::formatv("<text x=\"10\" y=\"18\" font-size=\"13\">Modeled "
                      "latency per layer on {0}: compiled (blue) vs uniform "
                      "W8A8 (grey)</text>\n",
                      ours.target);
  for (auto [i, l] : llvm::enumerate(layers)) {
    int y = 36 + row * int(i);
    std::string name = l->name;
    for (char &c : name)
      if (c == '<' || c == '>' || c == '&' || c == '"')
        c = '_';
    os << llvm::formatv("<text x=\"{0}\" y=\"{1}\" "
                        "text-anchor=\"end\">{2} W{3}A{4}</text>\n",
                        left - 6, y + 12, name, l->weightBits, l->actBits);
    os << llvm::formatv("<rect x=\"{0}\" y=\"{1}\" width=\"{2:f1}\" "
                        "height=\"8\" fill=\"#999\"/>\n",
                        left, y + 1, width * base[l->name] / most);
    os << llvm::formatv("<rect x=\"{0}\" y=\"{1}\" width=\"{2:f1}\" "
                        "height=\"8\" fill=\"#2a6fdb\"/>\n",
                        left, y + 10, width * l->latencyNs / most);
  }
  os << "</svg>\n";
}

/// The search's measured policies (out/pareto.json, written by
/// cim-assign-precision) as a plot: speedup over the top of the ranges
/// against the loss, every point grey, the Pareto front blue.
static LogicalResult writeParetoSvg(llvm::StringRef jsonPath,
                                    llvm::raw_ostream &os) {
  auto buffer = llvm::MemoryBuffer::getFile(jsonPath);
  if (!buffer)
    return failure();
  llvm::Expected<llvm::json::Value> json =
      llvm::json::parse((*buffer)->getBuffer());
  if (!json) {
    llvm::consumeError(json.takeError());
    return failure();
  }
  const llvm::json::Object *root = json->getAsObject();
  const llvm::json::Array *points = root ? root->getArray("points") : nullptr;
  const llvm::json::Array *front = root ? root->getArray("front") : nullptr;
  if (!points || !front || points->empty())
    return failure();
  auto pair = [](const llvm::json::Value &v) {
    const llvm::json::Array *a = v.getAsArray();
    return std::make_pair(a ? *(*a)[0].getAsNumber() : 0.0,
                          a ? *(*a)[1].getAsNumber() : 0.0);
  };
  double top = pair(points->front()).first, maxSpeedup = 1, maxLoss = 1e-9,
         minLoss = 0;
  for (const llvm::json::Value &v : *points) {
    auto [cost, loss] = pair(v);
    maxSpeedup = std::max(maxSpeedup, top / cost);
    maxLoss = std::max(maxLoss, loss);
    minLoss = std::min(minLoss, loss);
  }
  const double w = 520, h = 320, x0 = 60, y0 = 20;
  auto px = [&](double cost) {
    return x0 + (top / cost - 1) / std::max(maxSpeedup - 1, 1e-9) * (w - 90);
  };
  auto py = [&](double loss) {
    return y0 + (h - 60) * (1 - (loss - minLoss) / (maxLoss - minLoss));
  };
  os << llvm::formatv("<svg xmlns=\"http://www.w3.org/2000/svg\" "
                      "width=\"{0}\" height=\"{1}\" "
                      "font-family=\"sans-serif\" font-size=\"11\">\n",
                      w, h);
  os << llvm::formatv(
      "<text x=\"{0}\" y=\"14\" font-size=\"13\">Measured policies: "
      "speedup over the top of the ranges (x, 1.00 to {1:f2}) vs {2} "
      "(y, up)</text>\n",
      x0, maxSpeedup, root->getString("loss").value_or("loss"));
  os << llvm::formatv("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" "
                      "stroke=\"black\"/>\n",
                      x0, h - 40, w - 20);
  for (const llvm::json::Value &v : *points) {
    auto [cost, loss] = pair(v);
    os << llvm::formatv("<circle cx=\"{0:f1}\" cy=\"{1:f1}\" r=\"2\" "
                        "fill=\"#bbb\"/>\n",
                        px(cost), py(loss));
  }
  std::string path;
  for (const llvm::json::Value &v : *front) {
    const llvm::json::Object *p = v.getAsObject();
    double cost = *p->getNumber("cost"), loss = *p->getNumber("loss");
    path += llvm::formatv("{0}{1:f1},{2:f1} ", path.empty() ? "M" : "L",
                          px(cost), py(loss));
    os << llvm::formatv("<circle cx=\"{0:f1}\" cy=\"{1:f1}\" r=\"3\" "
                        "fill=\"#2a6fdb\"/>\n",
                        px(cost), py(loss));
  }
  os << "<path d=\"" << path
     << "\" fill=\"none\" stroke=\"#2a6fdb\"/>\n</svg>\n";
  return success();
}

namespace {
struct Data {
  std::vector<float> inputs;
  std::vector<int64_t> labels;
  int64_t batches = 0;
};
} // namespace

/// The calibration inputs and labels, in batches of the model's input.
static llvm::Expected<Data> loadData(ModuleOp module) {
  Data data;
  auto func = module.lookupSymbol<func::FuncOp>("main");
  auto type = dyn_cast<RankedTensorType>(func.getArgumentTypes().front());
  llvm::Expected<npy::Array> x = npy::read(measuredInputs());
  if (!x)
    return x.takeError();
  llvm::Expected<std::vector<float>> values = npy::toFloat32(*x);
  if (!values)
    return values.takeError();
  llvm::Expected<npy::Array> y = npy::read(labels);
  if (!y)
    return y.takeError();
  llvm::Expected<std::vector<int64_t>> ys = npy::toInt64(*y);
  if (!ys)
    return ys.takeError();
  int64_t size = type.getNumElements();
  data.batches = int64_t(values->size()) / size;
  if (samples)
    data.batches = std::min<int64_t>(data.batches, samples);
  data.inputs = std::move(*values);
  data.labels = std::move(*ys);
  return data;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // --max-tensor-elements, --max-model-bytes, ... (docs/reliability.md).
  registerResourceLimitOptions();
  cl::ParseCommandLineOptions(argc, argv,
                              "cimc: compile an ONNX model for a CIM target\n");
  DialectRegistry registry;
  registry.insert<CimDialect, func::FuncDialect>();
  // A .mlir model may be written in TOSA or Linalg; the graph pipeline
  // converts it first.
  registerInputDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // IR printing needs a single-threaded pass manager.
  if (!dumpAfter.empty())
    context.disableMultithreading();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);

  if (precision == "auto" &&
      (calib.empty() || (labels.empty() && maxOutputError <= 0)))
    return fail("--precision auto measures accuracy: it needs --calib and "
                "--labels (or --max-output-error without labels)");
  if (equalize && calib.empty())
    return fail("--equalize measures channel ranges: it needs --calib");
  if (!(equalizeAlpha >= 0.0 && equalizeAlpha <= 1.0))
    return fail("--equalize-alpha must be in [0, 1]");
  if ((actMaxOnes || inputOnes) && calib.empty())
    return fail("--act-max-ones and --input-ones need --calib");
  if (noiseSeed < -1)
    return fail("--noise-seed must be a seed >= 0");
  if (!searchFloat.empty() && precision != "auto")
    return fail("--search-float is a search space: it needs --precision auto");
  if (weightMaxOnes > 16)
    return fail("--weight-max-ones must be in [1, 16] (0 = off), got " +
                llvm::Twine(unsigned(weightMaxOnes)));
  if (!validation.empty() && calib.empty())
    return fail("--validation needs --calib (the inputs that set the "
                "ranges)");
  if (latencyModel != "cim" && latencyModel != "pelke2026")
    return fail("--latency-model must be cim or pelke2026, got '" +
                latencyModel + "'");
  cost::LatencyModel model = latencyModel == "pelke2026"
                                 ? cost::LatencyModel::pelke2026
                                 : cost::LatencyModel::cim;
  unsigned defaultW = 8, defaultA = 8;
  bool policyFile = llvm::StringRef(precision).ends_with(".json");
  // Floating point (FP-CIM): every layer in the formats of `fp:...`.
  bool floating = isFloatPrecisionSpec(precision);
  if (floating) {
    std::string error;
    FailureOr<PrecisionAttr> fp =
        parseFloatPrecision(precision, &context, error);
    if (failed(fp))
      return fail("--precision " + error);
    defaultW = fp->getWeightBits();
    defaultA = fp->getActBits();
  }
  if (precision != "auto" && !policyFile && !floating &&
      !parseWA(precision, defaultW, defaultA))
    return fail("--precision must be auto, wXaY (e.g. w8a8) or a policy "
                ".json file, got '" +
                precision + "'");

  ImportONNXOptions importOptions;
  for (const std::string &spec : inputShapes) {
    std::string error;
    if (failed(parseInputShape(spec, importOptions, error)))
      return fail("--input-shape " + spec + ": " + error);
  }
  OwningOpRef<ModuleOp> module;
  if (llvm::StringRef(modelPath).ends_with(".mlir")) {
    if (!inputShapes.empty())
      return fail("--input-shape applies to ONNX models; a .mlir model has "
                  "static shapes");
    module =
        parseSourceFile<ModuleOp>(modelPath, sourceMgr, ParserConfig(&context));
  } else {
    module = importONNXFile(modelPath, &context, importOptions);
  }
  if (!module)
    return 1; // The parser or importer reported why.

  auto configure = [&](PassManager &pm) {
    if (dumpAfter.empty())
      return;
    std::string wanted = dumpAfter;
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

  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
    return fail(outputDir + ": " + ec.message());

  // Graph stage, calibration, precision.
  CompilePipelineOptions pipeline;
  pipeline.target = targetName;
  pipeline.precision = llvm::formatv("w{0}a{1}", defaultW, defaultA).str();
  pipeline.duplicate = duplicate;
  // cimc calibrates below, around the precision search; the graph stage
  // only needs the inputs for equalization.
  pipeline.calib = calib;
  pipeline.samples = samples;
  pipeline.calibrateInGraph = false;
  pipeline.equalize = equalize;
  pipeline.equalizeAlpha = equalizeAlpha;
  if (failed(run([&](PassManager &pm) {
        (void)buildGraphPipeline(pm, pipeline);
        // Uniform or replayed precision: what follows measures the layers
        // at their bits (the search sets its own).
        if (precision != "auto") {
          CimDefaultPrecisionOptions d;
          d.weightBits = defaultW;
          d.actBits = defaultA;
          if (floating)
            d.floatSpec = precision;
          pm.addPass(createCimDefaultPrecision(d));
        }
        if (!calib.empty()) {
          CimCalibrateOptions c;
          c.calib = calib;
          c.samples = samples;
          pm.addPass(createCimCalibrate(c));
        }
      })))
    return 1;
  OwningOpRef<ModuleOp> floatModule = module->clone();
  // Zero-bit patterns: the search and the quantizers measure the layers as
  // they will be stored; the W8A8 baseline (from floatModule) stays
  // conventional.
  if (weightMaxOnes && failed(run([&](PassManager &pm) {
        CimQuantizeOptions q;
        q.adcClip = "none";
        q.weightMaxOnes = weightMaxOnes;
        pm.addPass(createCimQuantize(q));
      })))
    return 1;
  if (policyFile) {
    std::string error;
    if (failed(applyPolicy(*module, precision, error)))
      return fail(error);
  } else if (precision == "auto") {
    if (failed(run([&](PassManager &pm) {
          CimAssignPrecisionOptions a;
          a.data = measuredInputs();
          a.labels = labels;
          a.samples = samples;
          a.maxAccuracyDrop = maxAccuracyDrop;
          a.confidence = confidence;
          a.objective = objective;
          a.weightBits = weightBits;
          a.actBits = actBits;
          a.fixFirstLast = fixFirstLast;
          a.model = latencyModel;
          a.search = searchKind;
          a.sensitivity = searchSensitivity;
          a.adcBits = adcBitsRange;
          a.seed = searchSeed;
          llvm::SmallString<128> paretoPath(outputDir);
          llvm::sys::path::append(paretoPath, "pareto.json");
          a.pareto = paretoPath.str().str();
          a.maxOutputError = maxOutputError;
          a.noiseSeed = noiseSeed;
          a.floatSpec = searchFloat;
          pm.addPass(createCimAssignPrecision(a));
        })))
      return 1;
  }
  // Data-driven quantizers for the chosen precision.
  if (!calib.empty() || !granularity.empty()) {
    if (failed(run([&](PassManager &pm) {
          CimQuantizeOptions q;
          q.calib = calib;
          q.samples = samples;
          q.adcClip = adcClip;
          q.biasCorrection = biasCorrection;
          q.granularity = granularity;
          q.actMaxOnes = actMaxOnes;
          q.inputOnes = inputOnes;
          q.noiseSeed = noiseSeed;
          pm.addPass(createCimQuantize(q));
        })))
      return 1;
  }
  llvm::json::Value policy = policyOf(*module, defaultW, defaultA);

  // The same model at uniform W8A8 on the same target, for the report.
  OwningOpRef<ModuleOp> baseline = floatModule->clone();
  baseline->walk([](MvmOp mvm) { mvm->removeAttr("precision"); });
  CompilePipelineOptions w8a8;
  w8a8.target = targetName;
  w8a8.duplicate = duplicate;
  w8a8.precision = "w8a8";
  {
    PassManager pm(&context);
    if (failed(buildMappedPipeline(pm, w8a8)) || failed(pm.run(*baseline)))
      return 1;
  }
  cost::CostOptions costOptions;
  costOptions.skipZeroCycles = skipZeroCycles;
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
  if (!noProgram) {
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
    llvm::SmallString<128> path(outputDir);
    llvm::sys::path::append(path, name);
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (ec)
      return fail(path + ": " + ec.message());
    body(os);
    return 0;
  };

  // Accuracy of the float model and of the compiled program, when labels
  // are given.
  llvm::json::Object accuracy;
  if (!calib.empty() && !labels.empty()) {
    llvm::Expected<Data> data = loadData(*floatModule);
    if (!data)
      return fail(llvm::toString(data.takeError()));
    llvm::Expected<eval::GraphEvaluator> floatEval =
        eval::GraphEvaluator::create(*floatModule);
    if (!floatEval)
      return fail(llvm::toString(floatEval.takeError()));
    // The program, or (--no-program) the tiled module it would be: the
    // same outputs either way (docs/isa.md, identity).
    eval::Options quantized;
    quantized.quantize = true;
    if (noiseSeed >= 0)
      quantized.noiseSeed = uint64_t(noiseSeed);
    llvm::Expected<eval::GraphEvaluator> programEval =
        eval::GraphEvaluator::create(*module, "main", quantized);
    if (!programEval)
      return fail(llvm::toString(programEval.takeError()));
    llvm::Expected<double> f = eval::topOneAccuracy(
        *floatEval, data->inputs, data->labels, data->batches);
    if (!f)
      return fail(llvm::toString(f.takeError()));
    llvm::Expected<double> c = eval::topOneAccuracy(
        *programEval, data->inputs, data->labels, data->batches);
    if (!c)
      return fail(llvm::toString(c.takeError()));
    accuracy = llvm::json::Object{{"float", *f},
                                  {"compiled", *c},
                                  {"drop_points", 100.0 * (*f - *c)},
                                  {"batches", data->batches}};
  }

  // Without labels, how far the compiled outputs are from float on the
  // calibration data (relative L2), the measure --max-output-error bounds.
  std::optional<double> outputError;
  if (!calib.empty() && labels.empty()) {
    llvm::Expected<npy::Array> x = npy::read(measuredInputs());
    if (!x)
      return fail(llvm::toString(x.takeError()));
    llvm::Expected<std::vector<float>> values = npy::toFloat32(*x);
    if (!values)
      return fail(llvm::toString(values.takeError()));
    eval::Options quantized;
    quantized.quantize = true;
    if (noiseSeed >= 0)
      quantized.noiseSeed = uint64_t(noiseSeed);
    llvm::Expected<eval::GraphEvaluator> floatEval =
        eval::GraphEvaluator::create(*floatModule);
    llvm::Expected<eval::GraphEvaluator> compiledEval =
        eval::GraphEvaluator::create(*module, "main", quantized);
    if (!floatEval)
      return fail(llvm::toString(floatEval.takeError()));
    if (!compiledEval)
      return fail(llvm::toString(compiledEval.takeError()));
    int64_t size = 1;
    for (int64_t d : floatEval->getInputShapes().front())
      size *= d;
    int64_t batches = int64_t(values->size()) / size;
    if (samples)
      batches = std::min<int64_t>(batches, samples);
    auto f = eval::runBatches(*floatEval, *values, batches);
    if (!f)
      return fail(llvm::toString(f.takeError()));
    auto c = eval::runBatches(*compiledEval, *values, batches);
    if (!c)
      return fail(llvm::toString(c.takeError()));
    double diff = 0, norm = 0;
    for (int64_t i = 0; i < batches; ++i)
      for (size_t e = 0; e < (*f)[i].size(); ++e) {
        double d = double((*c)[i][e]) - double((*f)[i][e]);
        diff += d * d;
        norm += double((*f)[i][e]) * double((*f)[i][e]);
      }
    outputError = norm > 0 ? std::sqrt(diff / norm) : std::sqrt(diff);
  }

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
  if (noiseSeed >= 0)
    report["noise_seed"] = int64_t(noiseSeed);
  if (weightMaxOnes)
    report["weight_max_ones"] = int64_t(weightMaxOnes);
  report["latency_model"] = latencyModel;
  if (outputError)
    report["output_error"] = *outputError;
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
        writeSvg(*ours, *baseCost, os);
      }))
    return e;
  llvm::SmallString<128> paretoJson(outputDir);
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
        os << "# " << llvm::sys::path::filename(modelPath) << " on "
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
        if (!accuracy.empty())
          os << llvm::formatv(
              "Top-1 on {0} calibration batches: float {1:f2}%, compiled "
              "{2:f2}% (drop {3:f2} points).\n\n",
              *accuracy.getInteger("batches"),
              100 * *accuracy.getNumber("float"),
              100 * *accuracy.getNumber("compiled"),
              *accuracy.getNumber("drop_points"));
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
                                  modelPath, outputDir, program->code.size());
  else
    llvm::outs() << llvm::formatv(
        "cimc: {0} -> {1} (reports only): ", modelPath, outputDir);
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
