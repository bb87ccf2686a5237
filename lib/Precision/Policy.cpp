//===- Policy.cpp - Per-layer precision policies as JSON ------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Precision/Policy.h"

#include "cim/Analysis/CostModel.h"
#include "cim/Dialect/Cim/CimPasses.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace mlir;
using namespace mlir::cim;

std::map<std::string, SmallVector<MvmOp>>
mlir::cim::policyLayersOf(ModuleOp module) {
  std::map<std::string, SmallVector<MvmOp>> layers;
  module.walk(
      [&](MvmOp mvm) { layers[cost::layerName(mvm.getLoc())].push_back(mvm); });
  return layers;
}

LogicalResult mlir::cim::applyPolicy(ModuleOp module, llvm::StringRef path,
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
  std::map<std::string, SmallVector<MvmOp>> layers = policyLayersOf(module);
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

llvm::json::Object mlir::cim::policyEntry(llvm::StringRef name,
                                          unsigned weightBits, unsigned actBits,
                                          unsigned adcBits, FpAttr fp) {
  llvm::json::Object layer{{"name", name.str()},
                           {"weight_bits", int64_t(weightBits)},
                           {"act_bits", int64_t(actBits)}};
  if (adcBits)
    layer["adc_bits"] = int64_t(adcBits);
  if (fp)
    layer["fp"] = floatPrecisionSpec(fp);
  return layer;
}

llvm::json::Value mlir::cim::policyOf(ModuleOp module, unsigned defaultW,
                                      unsigned defaultA) {
  llvm::json::Array list;
  for (auto &[name, mvms] : policyLayersOf(module)) {
    PrecisionAttr p = mvms.front().getPrecisionAttr();
    list.push_back(policyEntry(
        name, p ? p.getWeightBits() : defaultW, p ? p.getActBits() : defaultA,
        p ? p.getAdcBits() : 0u, p ? p.getFp() : FpAttr()));
  }
  return llvm::json::Object{{"layers", std::move(list)}};
}
