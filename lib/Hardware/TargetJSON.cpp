//===- TargetJSON.cpp - Hardware descriptions from JSON -------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The JSON schema mirrors #cim.target parameter by parameter (docs/targets.md).
// This file checks presence and JSON types of the fields; ranges are checked
// by the attribute verifiers, whose messages already name the field.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimDialect.h"
#include "cim/Hardware/Target.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include <limits>

using namespace mlir;
using namespace mlir::cim;
using llvm::json::Object;
using JSONValue = llvm::json::Value;

namespace {
struct Preset {
  llvm::StringLiteral name;
  llvm::StringLiteral json;
};
} // namespace

static constexpr Preset kPresets[] = {
#include "TargetPresets.inc"
};

llvm::ArrayRef<llvm::StringRef> mlir::cim::getTargetPresetNames() {
  static const SmallVector<llvm::StringRef> names = [] {
    SmallVector<llvm::StringRef> result;
    for (const Preset &preset : kPresets)
      result.push_back(preset.name);
    llvm::sort(result);
    return result;
  }();
  return names;
}

std::optional<llvm::StringRef>
mlir::cim::getTargetPresetJSON(llvm::StringRef name) {
  for (const Preset &preset : kPresets)
    if (preset.name == name)
      return llvm::StringRef(preset.json);
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

namespace {
/// Reads typed fields out of JSON objects and remembers the first error, with
/// the dotted path of the field it concerns.
class FieldReader {
public:
  explicit FieldReader(llvm::StringRef source) : source(source) {}

  bool failed() const { return !error.empty(); }

  llvm::Error takeError() {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   source + ": " + error);
  }

  void fail(const Twine &message) {
    if (error.empty())
      error = message.str();
  }

  /// Rejects keys outside `known`: a misspelt field would otherwise be
  /// silently replaced by nothing.
  void checkKeys(const Object &object, llvm::StringRef path,
                 llvm::ArrayRef<llvm::StringRef> known) {
    SmallVector<llvm::StringRef> keys;
    for (const auto &entry : object)
      keys.push_back(entry.first);
    llvm::sort(keys);
    for (llvm::StringRef key : keys)
      if (!llvm::is_contained(known, key))
        return fail("unknown field '" + join(path, key) +
                    "' (expected one of: " + llvm::join(known, ", ") + ")");
  }

  const JSONValue *get(const Object &object, llvm::StringRef path,
                       llvm::StringRef key) {
    const JSONValue *value = object.get(key);
    if (!value)
      fail("missing field '" + join(path, key) + "'");
    return value;
  }

  const Object *getObject(const Object &object, llvm::StringRef path,
                          llvm::StringRef key) {
    const JSONValue *value = get(object, path, key);
    if (!value)
      return nullptr;
    if (const Object *result = value->getAsObject())
      return result;
    fail("field '" + join(path, key) + "' must be an object, got " +
         describe(*value));
    return nullptr;
  }

  template <typename IntT>
  IntT getUnsigned(const Object &object, llvm::StringRef path,
                   llvm::StringRef key) {
    const JSONValue *value = get(object, path, key);
    if (!value)
      return 0;
    std::optional<int64_t> v = value->getAsInteger();
    if (!v || *v < 0 ||
        static_cast<uint64_t>(*v) > std::numeric_limits<IntT>::max()) {
      fail("field '" + join(path, key) +
           "' must be a non-negative integer, got " + describe(*value));
      return 0;
    }
    return static_cast<IntT>(*v);
  }

  llvm::APFloat getReal(const Object &object, llvm::StringRef path,
                        llvm::StringRef key) {
    const JSONValue *value = get(object, path, key);
    if (!value)
      return llvm::APFloat(0.0);
    std::optional<double> v = value->getAsNumber();
    if (!v) {
      fail("field '" + join(path, key) + "' must be a number, got " +
           describe(*value));
      return llvm::APFloat(0.0);
    }
    return llvm::APFloat(*v);
  }

  llvm::StringRef getString(const Object &object, llvm::StringRef path,
                            llvm::StringRef key) {
    const JSONValue *value = get(object, path, key);
    if (!value)
      return {};
    std::optional<llvm::StringRef> v = value->getAsString();
    if (!v) {
      fail("field '" + join(path, key) + "' must be a string, got " +
           describe(*value));
      return {};
    }
    return *v;
  }

  /// An optional boolean field; `fallback` when absent.
  bool getOptionalBool(const Object &object, llvm::StringRef path,
                       llvm::StringRef key, bool fallback) {
    const JSONValue *value = object.get(key);
    if (!value)
      return fallback;
    std::optional<bool> v = value->getAsBoolean();
    if (!v) {
      fail("field '" + join(path, key) + "' must be true or false, got " +
           describe(*value));
      return fallback;
    }
    return *v;
  }

  /// Reads an enum by its spelling in the IR.
  template <typename EnumT>
  EnumT getEnum(const Object &object, llvm::StringRef path, llvm::StringRef key,
                std::optional<EnumT> (*symbolize)(llvm::StringRef),
                llvm::StringRef (*stringify)(EnumT), unsigned numCases) {
    llvm::StringRef text = getString(object, path, key);
    if (failed())
      return EnumT();
    if (std::optional<EnumT> v = symbolize(text))
      return *v;
    SmallVector<std::string> allowed;
    for (unsigned i = 0; i < numCases; ++i)
      allowed.push_back(("'" + stringify(static_cast<EnumT>(i)) + "'").str());
    fail("field '" + join(path, key) + "' must be one of " +
         llvm::join(allowed, ", ") + ", got '" + text + "'");
    return EnumT();
  }

private:
  static std::string join(llvm::StringRef path, llvm::StringRef key) {
    return path.empty() ? key.str() : (path + "." + key).str();
  }

  static std::string describe(const JSONValue &value) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << value;
    if (text.size() > 40)
      text = text.substr(0, 37) + "...";
    return text;
  }

  llvm::StringRef source;
  std::string error;
};
} // namespace

/// Builds an attribute through its verifier and turns a diagnostic into an
/// error that names the source file.
template <typename AttrT, typename... Args>
static AttrT buildChecked(MLIRContext *context, FieldReader &reader,
                          Args &&...args) {
  if (reader.failed())
    return {};
  std::string message;
  ScopedDiagnosticHandler handler(context, [&](Diagnostic &diag) {
    if (message.empty())
      message = diag.str();
    return success();
  });
  auto emitError = [&] { return mlir::emitError(UnknownLoc::get(context)); };
  if (failed(AttrT::verify(emitError, args...))) {
    reader.fail(message);
    return {};
  }
  return AttrT::get(context, std::forward<Args>(args)...);
}

llvm::Expected<TargetAttr>
mlir::cim::parseTargetJSON(llvm::StringRef json, llvm::StringRef sourceName,
                           MLIRContext *context) {
  context->getOrLoadDialect<CimDialect>();
  llvm::Expected<JSONValue> parsed = llvm::json::parse(json);
  if (!parsed) {
    // llvm::json reports "[line:col, byte=N]: what"; say it in words.
    std::string message = llvm::toString(parsed.takeError());
    unsigned line = 0, column = 0;
    llvm::StringRef rest = message;
    if (rest.consume_front("[") && !rest.consumeInteger(10, line) &&
        rest.consume_front(":") && !rest.consumeInteger(10, column)) {
      size_t end = rest.find("]: ");
      if (end != llvm::StringRef::npos)
        message = llvm::formatv("line {0}, column {1}: {2}", line, column,
                                rest.drop_front(end + 3))
                      .str();
    }
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   sourceName + ": invalid JSON at " + message);
  }
  const Object *root = parsed->getAsObject();
  if (!root)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   sourceName +
                                       ": a target description must be a "
                                       "JSON object");

  FieldReader r(sourceName);
  r.checkKeys(*root, "",
              {"name", "description", "source", "rows", "cols", "parallel_rows",
               "cell_bits", "dac_bits", "adc", "weight_sign", "input_sign",
               "cores", "crossbars_per_core", "weight_reprogramming", "memory",
               "latency", "energy", "noise", "float_alignment"});
  // Free-text documentation fields; only their type is checked.
  for (llvm::StringRef key : {"description", "source"})
    if (root->get(key))
      (void)r.getString(*root, "", key);

  llvm::StringRef name = r.getString(*root, "", "name");
  auto rows = r.getUnsigned<unsigned>(*root, "", "rows");
  auto cols = r.getUnsigned<unsigned>(*root, "", "cols");
  auto parallelRows = r.getUnsigned<unsigned>(*root, "", "parallel_rows");
  auto cellBits = r.getUnsigned<unsigned>(*root, "", "cell_bits");
  auto dacBits = r.getUnsigned<unsigned>(*root, "", "dac_bits");

  AdcAttr adc;
  if (const Object *o = r.getObject(*root, "", "adc")) {
    r.checkKeys(*o, "adc", {"mode", "bits", "min_bits", "max_bits"});
    auto mode = r.getEnum<AdcMode>(*o, "adc", "mode", symbolizeAdcMode,
                                   stringifyAdcMode, 4);
    auto bits = r.getUnsigned<unsigned>(*o, "adc", "bits");
    auto minBits = r.getUnsigned<unsigned>(*o, "adc", "min_bits");
    auto maxBits = r.getUnsigned<unsigned>(*o, "adc", "max_bits");
    adc = buildChecked<AdcAttr>(context, r, mode, bits, minBits, maxBits);
  }
  auto weightSign = r.getEnum<WeightSign>(
      *root, "", "weight_sign", symbolizeWeightSign, stringifyWeightSign,
      getMaxEnumValForWeightSign() + 1);
  auto inputSign = r.getEnum<InputSign>(
      *root, "", "input_sign", symbolizeInputSign, stringifyInputSign, 3);
  auto cores = r.getUnsigned<unsigned>(*root, "", "cores");
  auto crossbarsPerCore =
      r.getUnsigned<unsigned>(*root, "", "crossbars_per_core");
  bool reprogramming =
      r.getOptionalBool(*root, "", "weight_reprogramming", false);
  bool floatAlignment = r.getOptionalBool(*root, "", "float_alignment", false);

  MemoryAttr memory;
  if (const Object *o = r.getObject(*root, "", "memory")) {
    r.checkKeys(*o, "memory",
                {"input_buffer_bytes", "output_buffer_bytes", "global_bytes"});
    auto in = r.getUnsigned<uint64_t>(*o, "memory", "input_buffer_bytes");
    auto out = r.getUnsigned<uint64_t>(*o, "memory", "output_buffer_bytes");
    auto global = r.getUnsigned<uint64_t>(*o, "memory", "global_bytes");
    if (!r.failed())
      memory = MemoryAttr::get(context, in, out, global);
  }

  LatencyAttr latency;
  if (const Object *o = r.getObject(*root, "", "latency")) {
    r.checkKeys(
        *o, "latency",
        {"mvm_cycle", "program_crossbar", "digital_op", "memory_byte", "sync"});
    llvm::APFloat mvm = r.getReal(*o, "latency", "mvm_cycle");
    llvm::APFloat program = r.getReal(*o, "latency", "program_crossbar");
    llvm::APFloat digital = r.getReal(*o, "latency", "digital_op");
    llvm::APFloat memByte = r.getReal(*o, "latency", "memory_byte");
    llvm::APFloat sync = r.getReal(*o, "latency", "sync");
    latency = buildChecked<LatencyAttr>(context, r, mvm, program, digital,
                                        memByte, sync);
  }

  EnergyAttr energy;
  if (const Object *o = r.getObject(*root, "", "energy")) {
    r.checkKeys(*o, "energy",
                {"dac", "cell", "adc", "shift_add", "digital_op", "buffer_byte",
                 "memory_byte", "program_cell"});
    llvm::APFloat dac = r.getReal(*o, "energy", "dac");
    llvm::APFloat cell = r.getReal(*o, "energy", "cell");
    llvm::APFloat adcE = r.getReal(*o, "energy", "adc");
    llvm::APFloat shiftAdd = r.getReal(*o, "energy", "shift_add");
    llvm::APFloat digital = r.getReal(*o, "energy", "digital_op");
    llvm::APFloat buffer = r.getReal(*o, "energy", "buffer_byte");
    llvm::APFloat memByte = r.getReal(*o, "energy", "memory_byte");
    llvm::APFloat program = r.getReal(*o, "energy", "program_cell");
    energy = buildChecked<EnergyAttr>(context, r, dac, cell, adcE, shiftAdd,
                                      digital, buffer, memByte, program);
  }

  NoiseAttr noise;
  if (const Object *o = r.getObject(*root, "", "noise")) {
    r.checkKeys(*o, "noise",
                {"thermal_lsb", "read", "programming", "adc_nonlinearity",
                 "active_cell"});
    llvm::APFloat thermal = r.getReal(*o, "noise", "thermal_lsb");
    llvm::APFloat read = r.getReal(*o, "noise", "read");
    llvm::APFloat programming = r.getReal(*o, "noise", "programming");
    llvm::APFloat nonlinearity = r.getReal(*o, "noise", "adc_nonlinearity");
    // Newer than the other noise fields: optional, so older files load.
    llvm::APFloat activeCell = o->get("active_cell")
                                   ? r.getReal(*o, "noise", "active_cell")
                                   : llvm::APFloat(0.0);
    noise = buildChecked<NoiseAttr>(context, r, thermal, read, programming,
                                    nonlinearity, activeCell);
  }

  TargetAttr target = buildChecked<TargetAttr>(
      context, r, name, rows, cols, parallelRows, cellBits, dacBits, adc,
      weightSign, inputSign, cores, crossbarsPerCore, memory, latency, energy,
      noise, reprogramming, floatAlignment);
  if (r.failed())
    return r.takeError();
  return target;
}

llvm::Expected<TargetAttr> mlir::cim::loadTarget(llvm::StringRef nameOrPath,
                                                 MLIRContext *context) {
  if (std::optional<llvm::StringRef> json = getTargetPresetJSON(nameOrPath))
    return parseTargetJSON(*json, ("preset '" + nameOrPath + "'").str(),
                           context);
  if (!llvm::sys::fs::exists(nameOrPath))
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "unknown target '" + nameOrPath + "': not a preset (" +
            llvm::join(getTargetPresetNames(), ", ") +
            ") and no file of that name");
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(nameOrPath, /*IsText=*/true);
  if (!buffer)
    return llvm::createStringError(buffer.getError(),
                                   "cannot read target file '" + nameOrPath +
                                       "': " + buffer.getError().message());
  return parseTargetJSON((*buffer)->getBuffer(), nameOrPath, context);
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

llvm::json::Value mlir::cim::targetToJSON(TargetAttr target) {
  MLIRContext *context = target.getContext();
  // Absent optional parts serialize as their defaults (all zero), which parse
  // back to an equal description.
  MemoryAttr memory = target.getMemory() ? target.getMemory()
                                         : MemoryAttr::get(context, 0, 0, 0);
  llvm::APFloat zero(0.0);
  LatencyAttr latency =
      target.getLatency()
          ? target.getLatency()
          : LatencyAttr::get(context, zero, zero, zero, zero, zero);
  EnergyAttr energy = target.getEnergy()
                          ? target.getEnergy()
                          : EnergyAttr::get(context, zero, zero, zero, zero,
                                            zero, zero, zero, zero);
  NoiseAttr noise = target.getNoise()
                        ? target.getNoise()
                        : NoiseAttr::get(context, zero, zero, zero, zero, zero);
  AdcAttr adc = target.getAdc();
  return Object{
      {"name", target.getName()},
      {"rows", target.getRows()},
      {"cols", target.getCols()},
      {"parallel_rows", target.getParallelRows()},
      {"cell_bits", target.getCellBits()},
      {"dac_bits", target.getDacBits()},
      {"adc", Object{{"mode", stringifyAdcMode(adc.getMode())},
                     {"bits", adc.getBits()},
                     {"min_bits", adc.getMinBits()},
                     {"max_bits", adc.getMaxBits()}}},
      {"weight_sign", stringifyWeightSign(target.getWeightSign())},
      {"input_sign", stringifyInputSign(target.getInputSign())},
      {"cores", target.getCores()},
      {"crossbars_per_core", target.getCrossbarsPerCore()},
      {"weight_reprogramming", target.getWeightReprogramming()},
      {"float_alignment", target.getFloatAlignment()},
      {"memory", Object{{"input_buffer_bytes", memory.getInputBufferBytes()},
                        {"output_buffer_bytes", memory.getOutputBufferBytes()},
                        {"global_bytes", memory.getGlobalBytes()}}},
      {"latency",
       Object{
           {"mvm_cycle", latency.getMvmCycle().convertToDouble()},
           {"program_crossbar", latency.getProgramCrossbar().convertToDouble()},
           {"digital_op", latency.getDigitalOp().convertToDouble()},
           {"memory_byte", latency.getMemoryByte().convertToDouble()},
           {"sync", latency.getSync().convertToDouble()}}},
      {"energy",
       Object{{"dac", energy.getDac().convertToDouble()},
              {"cell", energy.getCell().convertToDouble()},
              {"adc", energy.getAdc().convertToDouble()},
              {"shift_add", energy.getShiftAdd().convertToDouble()},
              {"digital_op", energy.getDigitalOp().convertToDouble()},
              {"buffer_byte", energy.getBufferByte().convertToDouble()},
              {"memory_byte", energy.getMemoryByte().convertToDouble()},
              {"program_cell", energy.getProgramCell().convertToDouble()}}},
      {"noise",
       Object{
           {"thermal_lsb", noise.getThermalLsb().convertToDouble()},
           {"read", noise.getRead().convertToDouble()},
           {"programming", noise.getProgramming().convertToDouble()},
           {"adc_nonlinearity", noise.getAdcNonlinearity().convertToDouble()},
           {"active_cell", noise.getActiveCell().convertToDouble()}}},
  };
}
