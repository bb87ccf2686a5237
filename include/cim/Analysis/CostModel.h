//===- CostModel.h - Latency, energy and crossbar use of a model -*- C++
//-*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The CIM cost model (docs/costmodel.md) as an MLIR analysis: any pass can
// `getAnalysis<cost::CostModel>()` on a module at the graph level (layers
// are tiled on the fly), after cim-tile-crossbar, or after cim-bit-slice and
// cim-map. Layers are grouped by location, so one ONNX node is one layer
// whatever the lowering made of it.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_HARDWARE_COSTMODEL_H
#define CIM_HARDWARE_COSTMODEL_H

#include "cim/Dialect/Cim/CimAttrs.h"

#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace mlir::cim::cost {

/// Which latency formula to use.
enum class LatencyModel {
  /// Ours: P*T*G*t_cycle/copies per layer, plus digital work and data
  /// movement (docs/costmodel.md).
  cim,
  /// The published model of Pelke et al. (DATE 2026): writes*t_write +
  /// executions*t_exec per crossbar layer; digital work is free.
  pelke2026,
};

/// The latency models' spellings (`model=` of cim-report and
/// cim-assign-precision, cimc's `--latency-model`), defined once.
inline llvm::cl::ValuesClass latencyModelValues() {
  return llvm::cl::values(
      clEnumValN(LatencyModel::cim, "cim", "ours (docs/costmodel.md)"),
      clEnumValN(LatencyModel::pelke2026, "pelke2026",
                 "Pelke et al., DATE 2026"));
}
llvm::StringRef stringifyLatencyModel(LatencyModel model);

/// Energy by component, in picojoules.
struct Energy {
  double dac = 0, cell = 0, adc = 0, shiftAdd = 0, digital = 0, buffer = 0,
         memory = 0, program = 0;
  double total() const {
    return dac + cell + adc + shiftAdd + digital + buffer + memory + program;
  }
  Energy &operator+=(const Energy &o);
};

/// Costs of one layer (or, summed, of the model).
/// The target's cost of each hardware event: latencies in ns, energies in
/// pJ, zero where the target gives none. The cost model and the
/// instruction-level interpreter price events with these.
struct Rates {
  double mvmCycleNs = 0, programCrossbarNs = 0, digitalOpNs = 0,
         memoryByteNs = 0, syncNs = 0;
  double dacPj = 0, cellPj = 0, adcPj = 0, shiftAddPj = 0, digitalOpPj = 0,
         bufferBytePj = 0, memoryBytePj = 0, programCellPj = 0;
  /// The ADC resolution the target's `adc` energy is quoted at (0: the
  /// read-out does not convert).
  unsigned defaultAdcBits = 0;

  static Rates of(TargetAttr target);
  /// pJ per conversion at `adcBits`: ADC energy doubles per bit around the
  /// target's default resolution.
  double adcPjAt(unsigned adcBits) const;
};

/// Bytes a tile's MVMs move: `invocations` input vectors of `rows` codes in
/// at activation precision, 32-bit partial sums of `cols` columns out.
int64_t tileBytes(int64_t invocations, int64_t rows, int64_t cols,
                  unsigned actBits);

/// Time of a tile's MVMs: `copies` crossbars split the invocations, each
/// takes its DAC cycles times row groups, `spent` the share of row-group
/// cycles not skipped (1 unless the hardware skips all-zero cycles). The
/// cost model (expected) and the interpreter's timeline (measured) both
/// time tiles with it.
double tileMvmNs(int64_t invocations, int64_t copies, int64_t cycles,
                 int64_t groups, double spent, const Rates &rates);

/// Energy of a tile's MVMs (its DAC, cell, ADC and shift-add terms):
/// `driven` row drives, each reading `cellsPerDrive` cells, and
/// `conversions` column conversions at `adcBits`, each followed by a
/// shift-add, of which the share `spent` is spent (1 unless the hardware
/// skips all-zero cycles). The cost model (expected counts) and the
/// interpreter's timeline (measured counts) both price tiles with it.
Energy tileMvmEnergy(double driven, double cellsPerDrive, double conversions,
                     double spent, unsigned adcBits, const Rates &rates);

struct LayerCost {
  std::string name;
  /// "crossbar" for layers with crossbar tiles, else "digital".
  std::string kind = "digital";
  int64_t k = 0, n = 0, invocations = 0;
  unsigned weightBits = 0, actBits = 0, adcBits = 0;
  int64_t tiles = 0, copies = 0, crossbars = 0;
  /// Cells holding weights / cells of the crossbars used.
  int64_t usedCells = 0, crossbarCells = 0;
  /// Row groups per invocation over all tiles; DAC cycles over all tiles and
  /// invocations (one per row group and input cycle).
  int64_t rowGroups = 0, dacCycles = 0;
  int64_t adcConversions = 0, shiftAdds = 0, digitalOps = 0;
  int64_t bytesMoved = 0, programmedCells = 0, writes = 0;
  /// Expected '1' bits driven into the rows (bit-level sparsity), from the
  /// layer's `cim.input_ones` (else every bit is 1 half the time).
  double inputPopcount = 0;
  /// Expected row-group DAC cycles whose digits are all zero, and whether
  /// the target skips them (CostOptions::skipZeroCycles); skipped cycles
  /// are left out of the conversions' energy and the MVM latency.
  double zeroDacCycles = 0;
  bool skipsZeroCycles = false;
  double mvmNs = 0, programNs = 0, digitalNs = 0, movementNs = 0;
  /// Inference latency: MVM + digital + movement, + programming when the
  /// weights are rewritten on every inference.
  double latencyNs = 0;
  Energy energy;

  double utilization() const {
    return crossbarCells ? double(usedCells) / double(crossbarCells) : 0.0;
  }
};

struct CoreUse {
  int64_t core = 0, crossbars = 0, usedCells = 0, cells = 0;
};

/// One programmed crossbar (per programming round) after `cim-map`.
struct CrossbarUse {
  int64_t crossbar = 0, epoch = 0, usedCells = 0;
};

struct ModelCost {
  std::string target;
  LatencyModel model = LatencyModel::cim;
  std::vector<LayerCost> layers;
  LayerCost total;
  int64_t availableCrossbars = 0;
  /// Weights are written on every inference (the model exceeds a
  /// reprogrammable chip).
  bool reprogrammed = false;
  /// Per-core and per-crossbar use, from `cim-map`'s placement (empty
  /// before it).
  std::vector<CoreUse> cores;
  std::vector<CrossbarUse> crossbars;
};

/// What the hardware does beyond the target description.
struct CostOptions {
  /// The hardware skips a row group's DAC cycle whose digits are all zero
  /// (CIMQ): its conversions, shift-adds and time are not spent.
  bool skipZeroCycles = false;
};

/// Computes the cost of the module `op` (or of the module enclosing it).
/// Errors name the op that cannot be costed.
FailureOr<ModelCost> computeCost(Operation *op, LatencyModel model,
                                 const CostOptions &options = {});

/// The probability that all `rows` x `dacBits` input bits of one row-group
/// DAC cycle are zero, each bit being 1 with probability `p1`
/// independently: (1 - p1)^(rows * dacBits).
double zeroCycleProbability(double p1, int64_t rows, unsigned dacBits);

/// The name a layer is reported under: its ONNX node (NameLoc), else the
/// source line, else the printed location. Policies name layers the same
/// way.
std::string layerName(Location loc);

/// The analysis form: `getAnalysis<CostModel>()` in any pass.
class CostModel {
public:
  explicit CostModel(Operation *op);
  /// Null when the module could not be costed (errors were emitted).
  const ModelCost *getCost() const {
    return succeeded(cost) ? &*cost : nullptr;
  }

private:
  FailureOr<ModelCost> cost;
};

llvm::json::Value toJSON(const ModelCost &cost);
void printTable(const ModelCost &cost, llvm::raw_ostream &os);

} // namespace mlir::cim::cost

#endif // CIM_HARDWARE_COSTMODEL_H
