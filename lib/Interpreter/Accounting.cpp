//===- Accounting.cpp - Time and energy of instruction-level runs ---------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Instructions scheduled on cores (`cim.core`) run on a per-core timeline:
// each starts when its core is free and its operands are ready. They are
// priced by the target's rates (cost::Rates) with the cost model's own tile
// formulas (cost::tileBytes, cost::tileMvmNs), from the events the run
// measured rather than the ones the cost model expects.
//
//===----------------------------------------------------------------------===//

#include "Runner.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::eval;

void Stats::merge(const Stats &o) {
  // Event counts add.
  for (uint64_t Stats::*count :
       {&Stats::macs, &Stats::conversions, &Stats::clippedConversions,
        &Stats::activeCells, &Stats::zeroBitSkippedConversions,
        &Stats::dacCycles, &Stats::skippedDacCycles, &Stats::inputOnes,
        &Stats::skippableConversions, &Stats::inputBits, &Stats::slicedLayers,
        &Stats::exactLayers, &Stats::syncs})
    this->*count += o.*count;
  for (const auto &[op, activity] : o.inputActivity)
    inputActivity[op] += activity;
  skippableEnergy += o.skippableEnergy;
  for (const auto &[op, sums] : o.columnSums)
    columnSums[op].merge(sums);
  if (coreBusyNs.size() < o.coreBusyNs.size()) {
    coreBusyNs.resize(o.coreBusyNs.size(), 0.0);
    coreEndNs.resize(o.coreEndNs.size(), 0.0);
  }
  for (size_t c = 0; c < o.coreBusyNs.size(); ++c) {
    coreBusyNs[c] += o.coreBusyNs[c];
    coreEndNs[c] += o.coreEndNs[c];
  }
  // Weights are written once, whatever the number of runs.
  programNs = std::max(programNs, o.programNs);
  programPj = std::max(programPj, o.programPj);
  for (const auto &[name, count] : o.instructions)
    instructions[name] += count;
  energy += o.energy;
}

void Runner::time(Operation *op) {
  if (isa<IsaMvmOp>(op))
    return;
  cost::Energy energy;
  if (auto program = dyn_cast<IsaProgramOp>(op)) {
    int64_t writes = program.getCrossbars().size();
    energy.program =
        double(writes) *
        double(cast<RankedTensorType>(program.getType()).getNumElements()) *
        rates.programCellPj;
    if (program.getEpoch() == 0) {
      // Before inference: not on the cores' timelines.
      stats->programNs += double(writes) * rates.programCrossbarNs;
      stats->programPj += energy.program;
      stats->instructions["isa.program"] += 1;
      return;
    }
    account(op, double(writes) * rates.programCrossbarNs, energy);
    return;
  }
  int64_t elements = 0;
  for (Value result : op->getResults())
    if (auto type = dyn_cast<RankedTensorType>(result.getType()))
      elements += type.getNumElements();
  energy.digital = double(elements) * rates.digitalOpPj;
  account(op, double(elements) * rates.digitalOpNs, energy);
}

void Runner::timeMvm(IsaMvmOp op, const numerics::CrossbarConfig &config,
                     int64_t p, int64_t rows, int64_t cols,
                     const MvmEvents &events) {
  // Timed as the cost model times a tile, from the measured events.
  int64_t copies = std::max<int64_t>(1, op.getCrossbars().size());
  int64_t bytes = cost::tileBytes(p, rows, cols, config.inputBits);
  double spent =
      options.skipZeroCycles && events.rowCycles
          ? 1.0 - double(events.zeroCycles) / double(events.rowCycles)
          : 1.0;
  double mvmNs =
      cost::tileMvmNs(p, copies, events.cycles, events.groups, spent, rates);
  int64_t columnsPerOutput =
      events.cycles && events.groups && p && cols
          ? int64_t(events.conversions) /
                (p * events.cycles * events.groups * cols)
          : 1;
  // The measured row drives and conversions, all spent (skipped ones are
  // taken out below).
  cost::Energy energy = cost::tileMvmEnergy(
      double(events.ones), double(cols * columnsPerOutput),
      double(events.conversions), 1.0, config.adcBits, rates);
  // All-zero cycles drive no row (no DAC or cell energy either way); what
  // skipping them saves is their conversions, shift-adds and time.
  cost::Energy zero = cost::tileMvmEnergy(
      0.0, 0.0, double(events.zeroConversions), 1.0, config.adcBits, rates);
  cost::Energy skippable;
  skippable.adc = zero.adc;
  skippable.shiftAdd = zero.shiftAdd;
  stats->skippableEnergy += skippable;
  if (options.skipZeroCycles) {
    energy.adc -= skippable.adc;
    energy.shiftAdd -= skippable.shiftAdd;
  }
  energy.buffer = double(bytes) * rates.bufferBytePj;
  energy.memory = double(bytes) * rates.memoryBytePj;
  account(op, mvmNs + double(bytes) * rates.memoryByteNs, energy);
}

void Runner::account(Operation *op, double ns, const cost::Energy &energy) {
  auto coreAttr = op->getAttrOfType<IntegerAttr>("cim.core");
  if (!stats || !coreAttr)
    return;
  size_t core = size_t(coreAttr.getInt());
  if (stats->coreEndNs.size() <= core) {
    stats->coreEndNs.resize(core + 1, 0.0);
    stats->coreBusyNs.resize(core + 1, 0.0);
  }
  stats->instructions[op->getName().stripDialect().str()] += 1;
  stats->energy += energy;
  if (auto sync = dyn_cast<IsaSyncOp>(op)) {
    double meet = 0;
    for (int64_t c : sync.getCores())
      if (size_t(c) < stats->coreEndNs.size())
        meet = std::max(meet, stats->coreEndNs[c]);
    for (int64_t c : sync.getCores()) {
      if (stats->coreEndNs.size() <= size_t(c)) {
        stats->coreEndNs.resize(c + 1, 0.0);
        stats->coreBusyNs.resize(c + 1, 0.0);
      }
      stats->coreEndNs[c] = meet + rates.syncNs;
    }
    stats->syncs += 1;
    return;
  }
  double start = stats->coreEndNs[core];
  for (Value operand : op->getOperands()) {
    auto it = readyNs.find(operand);
    if (it != readyNs.end())
      start = std::max(start, it->second);
  }
  double end = start + ns;
  stats->coreEndNs[core] = end;
  stats->coreBusyNs[core] += ns;
  for (Value result : op->getResults())
    readyNs[result] = end;
}
