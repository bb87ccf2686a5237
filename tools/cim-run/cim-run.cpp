//===- cim-run.cpp - Run compiled cim models ------------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// cim-run MODEL --input NAME=x.npy ... --output-dir out/ [--stats s.json]
//                [--quantize] [--noise-seed N] [--workers N] [--trace]
//
// MODEL is a compiled program (.cimbin, or cim assembly .cimasm; docs/isa.md),
// loaded and checked by lib/Target/ISA and executed instruction by
// instruction on a per-core timeline; or a cim module (.mlir) at the graph
// level or the tiled mapped level, run by the graph evaluator in float32 or
// with every crossbar layer simulated at its precision on the module's
// target (--quantize). Both go through lib/Interpreter and lib/Numerics, and
// give the same outputs for the same precision choices. An input whose
// leading dimension is a multiple of the
// compiled batch runs slice by slice (on --workers threads) and the outputs
// are concatenated, so a batch-1 model evaluates a whole test set in one
// call. One .npy per model output is written, named after the output.
//
//===----------------------------------------------------------------------===//

#include "cim/Analysis/CostModel.h"
#include "cim/Dialect/Cim/CimDialect.h"
#include "cim/Interpreter/GraphEvaluator.h"
#include "cim/Support/Limits.h"
#include "cim/Support/Npy.h"
#include "cim/Target/ISA.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <atomic>
#include <mutex>
#include <thread>

using namespace mlir;
using namespace mlir::cim;
namespace cl = llvm::cl;

static cl::OptionCategory category("cim-run options");
static cl::opt<std::string> modelPath(cl::Positional, cl::Required,
                                      cl::desc("<model.mlir>"),
                                      cl::cat(category));
static cl::list<std::string>
    inputArgs("input",
              cl::desc("NAME=file.npy (or file.npy for a single "
                       "input)"),
              cl::value_desc("NAME=file.npy"), cl::cat(category));
static cl::opt<std::string> outputDir("output-dir",
                                      cl::desc("Directory for the outputs"),
                                      cl::value_desc("dir"), cl::init("."),
                                      cl::cat(category));
// Spelled --stats on the command line; LLVM's own -stats flag (print
// statistics) owns that name in the option registry, so main() renames it.
static cl::opt<std::string> statsPath("stats-file",
                                      cl::desc("Write run statistics (JSON); "
                                               "also --stats FILE"),
                                      cl::value_desc("file"),
                                      cl::cat(category));
static cl::opt<bool>
    quantize("quantize",
             cl::desc("Simulate crossbar layers at their precision on the "
                      "module's target (default: float32)"),
             cl::cat(category));
static cl::opt<uint64_t> noiseSeed(
    "noise-seed",
    cl::desc("Simulate the target's analog noise (#cim.noise) with this seed "
             "(--quantize; off by default)"),
    cl::cat(category));
static cl::opt<bool> skipZeroCycles(
    "skip-zero-cycles",
    cl::desc("The hardware skips a row group's DAC cycle whose input bits "
             "are all zero: the timeline, energy and modeled costs leave its "
             "conversions out (a compiled program; default: off)"),
    cl::cat(category));
static cl::opt<bool> countActiveCells(
    "count-active-cells",
    cl::desc("Count the conducting cells of every conversion (stats "
             "'active_cells'; slower: every crossbar layer is bit-sliced)"),
    cl::cat(category));
static cl::opt<unsigned> threads("workers",
                                 cl::desc("Workers over batch slices"),
                                 cl::init(2), cl::cat(category));
static cl::opt<bool>
    trace("trace",
          cl::desc("Print every instruction (op) of the first batch "
                   "slice as it completes: core, op, result shape "
                   "and a checksum, to stderr"),
          cl::cat(category));
static cl::opt<std::string> entry("entry", cl::desc("Function to run"),
                                  cl::init("main"), cl::cat(category));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "cim-run: error: " << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
#ifdef __GLIBC__
  // Layers allocate and free large buffers over and over; keep them in the
  // heap instead of mapping fresh (zeroed, faulting) pages each time.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
  std::vector<std::string> args(argv, argv + argc);
  for (std::string &arg : args) {
    if (arg == "--stats" || arg == "-stats")
      arg = "--stats-file";
    else if (llvm::StringRef(arg).starts_with("--stats="))
      arg = "--stats-file=" + arg.substr(8);
  }
  std::vector<const char *> argPointers;
  for (const std::string &arg : args)
    argPointers.push_back(arg.c_str());
  // --max-tensor-elements, --max-steps, ... (docs/reliability.md).
  registerResourceLimitOptions();
  // --help lists cim-run's options, not every LLVM backend's.
  cl::HideUnrelatedOptions({&category, &getResourceLimitCategory()});
  cl::ParseCommandLineOptions(int(argPointers.size()), argPointers.data(),
                              "cim-run: run a cim model on .npy inputs\n");

  DialectRegistry registry;
  registry.insert<CimDialect, func::FuncDialect>();
  MLIRContext context(registry);
  // The evaluator reads the module from several threads; the context is not
  // modified after parsing.
  context.disableMultithreading();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  std::string errorMessage;
  auto file = mlir::openInputFile(modelPath, &errorMessage);
  if (!file)
    return fail(modelPath + ": " + errorMessage);
  // A compiled program (.cimbin, or its assembly) or a cim module (.mlir).
  bool program = isa::isBinary(file->getBuffer()) ||
                 llvm::StringRef(modelPath).ends_with(".cimasm");
  OwningOpRef<ModuleOp> module;
  if (program) {
    llvm::Expected<isa::Program> loaded =
        isa::isBinary(file->getBuffer())
            ? isa::readBinary(file->getBuffer(), modelPath)
            : isa::parseAssembly(file->getBuffer(), modelPath);
    if (!loaded)
      return fail(llvm::toString(loaded.takeError()));
    llvm::Expected<OwningOpRef<ModuleOp>> built =
        isa::moduleFromProgram(*loaded, &context, modelPath);
    if (!built)
      return fail(llvm::toString(built.takeError()));
    module = std::move(*built);
    entry = (*loaded).entry;
  } else {
    if (llvm::StringRef(modelPath).ends_with(".cimbin"))
      return fail(modelPath + ": not a .cimbin file (bad magic)");
    sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
    module = parseSourceFile<ModuleOp>(sourceMgr, &context);
    if (!module)
      return 1; // The parser reported where.
  }

  eval::Options options;
  options.quantize = quantize;
  options.skipZeroCycles = skipZeroCycles;
  options.countActiveCells = countActiveCells;
  if (noiseSeed.getNumOccurrences()) {
    // A program always runs its crossbars; a module only with --quantize.
    if (!quantize && !program)
      return fail("--noise-seed simulates the crossbars: it needs --quantize "
                  "(or a compiled program)");
    options.noiseSeed = uint64_t(noiseSeed);
  }
  llvm::Expected<eval::GraphEvaluator> evaluator =
      eval::GraphEvaluator::create(*module, entry, options);
  if (!evaluator)
    return fail(modelPath + ": " + llvm::toString(evaluator.takeError()));

  // Inputs by name.
  llvm::ArrayRef<std::string> names = evaluator->getInputNames();
  llvm::StringMap<std::string> files;
  for (const std::string &arg : inputArgs) {
    auto [name, path] = llvm::StringRef(arg).split('=');
    if (path.empty()) {
      if (names.size() != 1)
        return fail("--input " + arg + ": the model has " +
                    llvm::Twine(names.size()) +
                    " inputs; name them as NAME=file.npy");
      path = name;
      name = names.front();
    }
    if (!llvm::is_contained(names, name))
      return fail("--input " + arg + ": the model has no input '" + name +
                  "' (inputs: " + llvm::join(names, ", ") + ")");
    files[name] = path.str();
  }
  std::vector<eval::Tensor> full;
  int64_t slices = -1;
  for (size_t i = 0; i < names.size(); ++i) {
    auto it = files.find(names[i]);
    if (it == files.end())
      return fail("missing --input " + names[i] + "=file.npy");
    llvm::Expected<npy::Array> array = npy::read(it->second);
    if (!array)
      return fail(llvm::toString(array.takeError()));
    llvm::Expected<std::vector<float>> values = npy::toFloat32(*array);
    if (!values)
      return fail(it->second + ": " + llvm::toString(values.takeError()));
    llvm::ArrayRef<int64_t> want = evaluator->getInputShapes()[i];
    llvm::ArrayRef<int64_t> got = array->shape;
    auto shapeText = [](llvm::ArrayRef<int64_t> s) {
      std::string text;
      llvm::raw_string_ostream os(text);
      os << "[";
      llvm::interleaveComma(s, os);
      os << "]";
      return text;
    };
    // The leading dimension may hold several batches of the compiled size.
    // Scalars and empty batches only match exactly.
    bool exact = got == want;
    bool batched =
        exact || (!want.empty() && got.size() == want.size() && want[0] > 0 &&
                  got[0] % want[0] == 0 && got[0] > 0 &&
                  got.drop_front() == want.drop_front());
    if (!batched)
      return fail(it->second + ": input '" + names[i] + "' has shape " +
                  shapeText(got) + ", the model expects " + shapeText(want) +
                  " (or a multiple of its leading dimension)");
    int64_t n = exact ? 1 : got[0] / want[0];
    if (slices >= 0 && n != slices)
      return fail(it->second + ": input '" + names[i] + "' holds " +
                  llvm::Twine(n) + " batches, another input " +
                  llvm::Twine(slices));
    slices = n;
    full.push_back(eval::Tensor::floats(got, std::move(*values)));
  }
  if (slices < 0)
    slices = 1;

  // Run the slices on a few workers; each slice writes its own outputs.
  std::vector<std::vector<eval::Tensor>> results(slices);
  std::vector<eval::Stats> stats(slices);
  std::atomic<int64_t> next{0};
  std::mutex errorLock;
  std::string firstError;
  unsigned step = 0;
  eval::GraphEvaluator::Observer tracer = [&](Operation *op, unsigned result,
                                              const eval::Tensor &value) {
    double sum = 0;
    for (int64_t e = 0, n = value.numElements(); e < n; ++e)
      sum += value.isInteger ? double(value.i[e]) : double(value.f[e]);
    auto core = op->getAttrOfType<IntegerAttr>(CimDialect::getCoreAttrName());
    llvm::errs() << llvm::formatv(
        "[{0}] c{1} {2}#{3} [{4}] sum={5:e}\n", step++,
        core ? core.getInt() : 0, op->getName().stripDialect(), result,
        llvm::make_range(value.shape.begin(), value.shape.end()), sum);
  };
  auto worker = [&] {
    for (int64_t s = next++; s < slices; s = next++) {
      std::vector<eval::Tensor> inputs;
      for (size_t i = 0; i < full.size(); ++i) {
        llvm::ArrayRef<int64_t> want = evaluator->getInputShapes()[i];
        int64_t size = 1;
        for (int64_t d : want)
          size *= d;
        auto begin = full[i].f.begin() + s * size;
        inputs.push_back(eval::Tensor::floats(
            want, std::vector<float>(begin, begin + size)));
      }
      llvm::Expected<std::vector<eval::Tensor>> out = evaluator->run(
          inputs, statsPath.empty() ? nullptr : &stats[s],
          s == 0 && trace ? tracer : eval::GraphEvaluator::Observer(),
          uint64_t(s));
      if (!out) {
        std::lock_guard<std::mutex> lock(errorLock);
        std::string message = llvm::toString(out.takeError());
        if (firstError.empty())
          firstError = message;
        return;
      }
      results[s] = std::move(*out);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::max(1u, unsigned(threads)) && t < slices; ++t)
    pool.emplace_back(worker);
  worker();
  for (std::thread &t : pool)
    t.join();
  if (!firstError.empty())
    return fail(modelPath + ": " + firstError);

  if (std::error_code ec = llvm::sys::fs::create_directories(outputDir))
    return fail(outputDir + ": " + ec.message());
  llvm::ArrayRef<std::string> outNames = evaluator->getOutputNames();
  for (size_t o = 0; o < outNames.size(); ++o) {
    llvm::SmallVector<int64_t> shape(evaluator->getOutputShapes()[o]);
    if (shape.empty() && slices > 1)
      return fail("output '" + outNames[o] +
                  "' is a scalar: it cannot be concatenated over " +
                  llvm::Twine(slices) + " batch slices");
    bool integer = slices > 0 && results[0][o].isInteger;
    std::vector<float> values;
    std::vector<int64_t> integers;
    for (int64_t s = 0; s < slices; ++s) {
      const eval::Tensor &t = results[s][o];
      if (integer)
        integers.insert(integers.end(), t.i.begin(), t.i.end());
      else
        values.insert(values.end(), t.f.begin(), t.f.end());
    }
    if (!shape.empty())
      shape[0] *= slices;
    llvm::SmallString<128> path(outputDir);
    // Output names may contain '/' (ONNX tensor names); keep file names flat.
    std::string fileName = outNames[o];
    std::replace(fileName.begin(), fileName.end(), '/', '_');
    llvm::sys::path::append(path, fileName + ".npy");
    if (llvm::Error error =
            npy::write(path, integer ? npy::fromInt64(shape, integers)
                                     : npy::fromFloat32(shape, values)))
      return fail(llvm::toString(std::move(error)));
  }

  if (!statsPath.empty()) {
    eval::Stats total;
    for (const eval::Stats &s : stats)
      total.merge(s);
    llvm::json::Object json{
        {"mode", program    ? "program"
                 : quantize ? "quantized"
                            : "float"},
        {"slices", slices},
        {"crossbar_macs", int64_t(total.macs)},
        {"adc_conversions", int64_t(total.conversions)},
        {"clipped_conversions", int64_t(total.clippedConversions)},
        {"active_cells", int64_t(total.activeCells)},
        {"zero_bit_skipped_conversions",
         int64_t(total.zeroBitSkippedConversions)},
        {"exact_layer_runs", int64_t(total.exactLayers)},
        {"bit_sliced_layer_runs", int64_t(total.slicedLayers)},
        {"dac_cycles", int64_t(total.dacCycles)},
        {"skippable_dac_cycles", int64_t(total.skippedDacCycles)},
        {"input_ones", int64_t(total.inputOnes)},
        {"input_bits", int64_t(total.inputBits)},
        {"skippable_adc_conversions", int64_t(total.skippableConversions)},
        {"skip_zero_cycles", bool(skipZeroCycles)},
    };
    if (program) {
      // The interpreter's own timeline: per core, busy time and when it
      // finished (cores overlap), summed over the slices.
      llvm::json::Array cores;
      double latency = 0;
      for (size_t c = 0; c < total.coreEndNs.size(); ++c) {
        if (total.coreBusyNs[c] == 0 && total.coreEndNs[c] == 0)
          continue;
        cores.push_back(llvm::json::Object{{"core", int64_t(c)},
                                           {"busy_ns", total.coreBusyNs[c]},
                                           {"end_ns", total.coreEndNs[c]}});
        latency = std::max(latency, total.coreEndNs[c]);
      }
      llvm::json::Object counts;
      uint64_t instructions = 0;
      for (const auto &[name, count] : total.instructions) {
        counts[name] = int64_t(count);
        instructions += count;
      }
      const cost::Energy &e = total.energy;
      json["latency_ns"] = latency;
      json["program_ns"] = total.programNs;
      json["program_pj"] = total.programPj;
      json["cores"] = std::move(cores);
      json["instructions"] = int64_t(instructions);
      json["instruction_counts"] = std::move(counts);
      json["syncs"] = int64_t(total.syncs);
      json["energy_pj"] = e.total();
      // Both figures from one run: what the skipped cycles would cost is
      // known either way.
      double skippable = total.skippableEnergy.total();
      json["energy_pj_without_skipping"] =
          skipZeroCycles ? e.total() + skippable : e.total();
      json["energy_pj_with_skipping"] =
          skipZeroCycles ? e.total() : e.total() - skippable;
      json["energy_pj_by_component"] =
          llvm::json::Object{{"dac", e.dac},         {"cell", e.cell},
                             {"adc", e.adc},         {"shift_add", e.shiftAdd},
                             {"digital", e.digital}, {"buffer", e.buffer},
                             {"memory", e.memory},   {"program", e.program}};
    }
    // The hardware's figures for these runs, from the cost model (per
    // inference, times the slices): the evaluator computes values, the cost
    // model what producing them costs on the target.
    if (quantize || program) {
      FailureOr<cost::ModelCost> modeled = cost::computeCost(
          *module, cost::LatencyModel::cim, cost::CostOptions{skipZeroCycles});
      if (failed(modeled))
        return 1; // Reported through the diagnostic handler.
      const cost::LayerCost &t = modeled->total;
      json["modeled"] = llvm::json::Object{
          {"target", modeled->target},
          {"latency_ns_per_slice", t.latencyNs},
          {"energy_pj_per_slice", t.energy.total()},
          {"crossbars", t.crossbars},
          {"utilization", t.utilization()},
          {"dac_cycles_per_slice", t.dacCycles},
          {"adc_conversions_per_slice", t.adcConversions},
          {"energy_pj_by_component",
           llvm::json::Object{{"dac", t.energy.dac},
                              {"cell", t.energy.cell},
                              {"adc", t.energy.adc},
                              {"shift_add", t.energy.shiftAdd},
                              {"digital", t.energy.digital},
                              {"buffer", t.energy.buffer},
                              {"memory", t.energy.memory},
                              {"program", t.energy.program}}},
      };
    }
    std::error_code ec;
    llvm::raw_fd_ostream os(statsPath, ec);
    if (ec)
      return fail(statsPath + ": " + ec.message());
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(json))) << "\n";
  }
  return 0;
}
