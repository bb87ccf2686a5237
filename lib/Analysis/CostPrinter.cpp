//===- CostPrinter.cpp - The cost model as JSON and as a table -----------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// How a computed ModelCost is shown: the JSON of `cim-report=json`, cimc's
// report.json and cim-run's comparisons, and the text table. The numbers
// themselves come from CostModel.cpp.
//
//===----------------------------------------------------------------------===//

#include "cim/Analysis/CostModel.h"

#include "llvm/Support/Format.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::cost;

static llvm::json::Object layerToJSON(const LayerCost &c) {
  const Energy &e = c.energy;
  llvm::json::Object json{
      {"name", c.name},
      {"kind", c.kind},
      {"k", c.k},
      {"n", c.n},
      {"invocations", c.invocations},
      {"weight_bits", c.weightBits},
      {"act_bits", c.actBits},
      {"adc_bits", c.adcBits},
      {"tiles", c.tiles},
      {"copies", c.copies},
      {"crossbars", c.crossbars},
      {"utilization", c.utilization()},
      {"row_groups", c.rowGroups},
      {"dac_cycles", c.dacCycles},
      {"adc_conversions", c.adcConversions},
      {"shift_adds", c.shiftAdds},
      {"digital_ops", c.digitalOps},
      {"bytes_moved", c.bytesMoved},
      {"writes", c.writes},
      {"programmed_cells", c.programmedCells},
      {"input_popcount", c.inputPopcount},
      {"latency_ns", c.latencyNs},
      {"mvm_ns", c.mvmNs},
      {"program_ns", c.programNs},
      {"digital_ns", c.digitalNs},
      {"movement_ns", c.movementNs},
      {"energy_pj", e.total()},
      {"energy", llvm::json::Object{{"dac", e.dac},
                                    {"cell", e.cell},
                                    {"adc", e.adc},
                                    {"shift_add", e.shiftAdd},
                                    {"digital", e.digital},
                                    {"buffer", e.buffer},
                                    {"memory", e.memory},
                                    {"program", e.program}}},
  };
  // Only with skipping on: reports without it keep their fields.
  if (c.skipsZeroCycles)
    json["skipped_dac_cycles"] = c.zeroDacCycles;
  return json;
}

llvm::json::Value cost::toJSON(const ModelCost &cost) {
  llvm::json::Array layers;
  for (const LayerCost &c : cost.layers)
    layers.push_back(layerToJSON(c));
  llvm::json::Object total = layerToJSON(cost.total);
  total.erase("name");
  total.erase("kind");
  for (llvm::StringRef key : {"k", "n", "invocations", "weight_bits",
                              "act_bits", "adc_bits", "copies"})
    total.erase(key);
  total["available_crossbars"] = cost.availableCrossbars;
  total["reprogrammed"] = cost.reprogrammed;
  llvm::json::Array cores;
  for (const CoreUse &core : cost.cores)
    cores.push_back(llvm::json::Object{
        {"core", core.core},
        {"crossbars", core.crossbars},
        {"utilization",
         core.cells ? double(core.usedCells) / double(core.cells) : 0.0}});
  llvm::json::Array crossbars;
  double cellsPerCrossbar = 0;
  for (const CoreUse &core : cost.cores)
    if (core.crossbars)
      cellsPerCrossbar = double(core.cells) / double(core.crossbars);
  for (const CrossbarUse &x : cost.crossbars)
    crossbars.push_back(llvm::json::Object{
        {"crossbar", x.crossbar},
        {"epoch", x.epoch},
        {"utilization",
         cellsPerCrossbar ? double(x.usedCells) / cellsPerCrossbar : 0.0}});
  return llvm::json::Object{
      {"target", cost.target},
      {"crossbars", std::move(crossbars)},
      {"model", stringifyLatencyModel(cost.model)},
      {"layers", std::move(layers)},
      {"total", std::move(total)},
      {"cores", std::move(cores)},
  };
}

void cost::printTable(const ModelCost &cost, llvm::raw_ostream &os) {
  os << "cost model '" << stringifyLatencyModel(cost.model) << "' on target '"
     << cost.target << "'"
     << (cost.reprogrammed ? " (weights reprogrammed per inference)" : "")
     << "\n";
  os << llvm::format("%-28s %6s %6s %7s %5s %6s %6s %12s %14s %12s %12s\n",
                     "layer", "K", "N", "P", "W/A/ADC", "xbars", "util",
                     "dac cycles", "conversions", "latency us", "energy nJ");
  auto row = [&](const LayerCost &c, bool isTotal) {
    std::string bits = c.kind == "crossbar"
                           ? std::to_string(c.weightBits) + "/" +
                                 std::to_string(c.actBits) + "/" +
                                 std::to_string(c.adcBits)
                           : "-";
    std::string name = c.name.size() > 28 ? c.name.substr(0, 27) + "~" : c.name;
    os << llvm::format("%-28s %6lld %6lld %7lld %7s %6lld %5.1f%% %12lld "
                       "%14lld %12.3f %12.3f\n",
                       name.c_str(), (long long)(isTotal ? 0 : c.k),
                       (long long)(isTotal ? 0 : c.n),
                       (long long)(isTotal ? 0 : c.invocations), bits.c_str(),
                       (long long)c.crossbars, 100.0 * c.utilization(),
                       (long long)c.dacCycles, (long long)c.adcConversions,
                       c.latencyNs / 1000.0, c.energy.total() / 1000.0);
  };
  for (const LayerCost &c : cost.layers)
    row(c, false);
  row(cost.total, true);
  os << "crossbars available: " << cost.availableCrossbars
     << ", energy by component (nJ): dac "
     << llvm::format("%.3f", cost.total.energy.dac / 1000.0) << ", cell "
     << llvm::format("%.3f", cost.total.energy.cell / 1000.0) << ", adc "
     << llvm::format("%.3f", cost.total.energy.adc / 1000.0) << ", shift-add "
     << llvm::format("%.3f", cost.total.energy.shiftAdd / 1000.0)
     << ", digital " << llvm::format("%.3f", cost.total.energy.digital / 1000.0)
     << ", buffer " << llvm::format("%.3f", cost.total.energy.buffer / 1000.0)
     << ", memory " << llvm::format("%.3f", cost.total.energy.memory / 1000.0)
     << ", program " << llvm::format("%.3f", cost.total.energy.program / 1000.0)
     << "\n";
}

llvm::StringRef cost::stringifyLatencyModel(LatencyModel model) {
  switch (model) {
  case LatencyModel::cim:
    return "cim";
  case LatencyModel::pelke2026:
    return "pelke2026";
  }
  return "";
}
