//===- CostModel.cpp - Latency, energy and crossbar use of a model --------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Formulas and their sources: docs/costmodel.md. Every count comes from the
// tile geometry of lib/Hardware/CrossbarLayout and the slicing rules of
// lib/Numerics, so the report, the passes and the interpreter agree.
//
//===----------------------------------------------------------------------===//

#include "cim/Analysis/CostModel.h"
#include "cim/Analysis/Pelke2026.h"
#include "cim/Dialect/Cim/CimOps.h"
#include "cim/Hardware/CrossbarLayout.h"
#include "cim/Hardware/LayerConfig.h"
#include "cim/Numerics/Quantize.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <map>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::cost;

Energy &Energy::operator+=(const Energy &o) {
  dac += o.dac;
  cell += o.cell;
  adc += o.adc;
  shiftAdd += o.shiftAdd;
  digital += o.digital;
  buffer += o.buffer;
  memory += o.memory;
  program += o.program;
  return *this;
}

namespace {

double real(const llvm::APFloat &v) { return v.convertToDouble(); }

int64_t elements(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type && type.hasStaticShape() ? type.getNumElements() : 0;
}

/// One crossbar tile as the cost model sees it, from any of the three forms.
struct TileFacts {
  int64_t invocations = 0, rows = 0, cols = 0, physRows = 0, physCols = 0;
  int64_t groups = 0, cycles = 0, copies = 1;
  unsigned weightBits = 0, actBits = 0, adcBits = 0;
  /// Probability that an input bit is 1 (`cim.input_ones`), and the
  /// measured fraction of all-zero row-group cycles (`cim.zero_cycles`).
  double p1 = 0.5;
  std::optional<double> zeroCycles;
  ArrayRef<int64_t> crossbars;
  int64_t epoch = 0;
  bool placed = false;
  std::optional<int64_t> bundle;
};

/// Digital ops of ISAAC's flipped columns (`offset_flipped`) for a tile:
/// per input vector, row group and output column one multiply-subtract,
/// (2^w - 1) * sum(d) of the group against the column's flipped planes
/// (their shifts folded into one constant when programmed), as the offset
/// correction takes one per column. Other schemes: none.
static int64_t flipCorrectionOps(WeightSign sign, const TileFacts &f) {
  if (sign != WeightSign::offset_flipped)
    return 0;
  return f.invocations * f.groups * f.cols;
}

/// A weight matrix of a layer (a layer has several for grouped convs).
struct Matrix {
  int64_t k = 0, n = 0, invocations = 0;
  unsigned weightBits = 0, actBits = 0;
};

/// Digital element operations of a graph-level or mapped op; nullopt for ops
/// that cost nothing (constants, views, layout) or are costed as crossbars.
std::optional<int64_t> digitalOps(Operation *op) {
  return llvm::TypeSwitch<Operation *, std::optional<int64_t>>(op)
      .Case<AddOp, SubOp, MulOp, DivOp, PowOp, ReluOp, LeakyReluOp, ClipOp,
            SigmoidOp, HardSigmoidOp, HardSwishOp, TanhOp, GeluOp, ErfOp,
            SqrtOp, ExpOp, QuantizeOp, DequantizeOp, DecodeOp, OffsetCorrectOp,
            IsaEncodeOp, IsaDecodeOp>(
          [](Operation *op) { return elements(op->getResult(0)); })
      // Weights are encoded once, at compile time.
      .Case<EncodeOp>([](EncodeOp op) -> std::optional<int64_t> {
        if (matchPattern(op.getInput(), m_Constant()))
          return std::nullopt;
        return elements(op.getOutput());
      })
      .Case<AccumulateOp>([](AccumulateOp op) -> int64_t {
        return elements(op.getOutput()) *
               (int64_t(op.getPartials().size()) - 1);
      })
      .Case<MaxPool2dOp, AvgPool2dOp>([](auto op) -> int64_t {
        return elements(op.getOutput()) * op.getKernel()[0] * op.getKernel()[1];
      })
      .Case<GlobalAvgPool2dOp, ReduceMeanOp>(
          [](Operation *op) { return elements(op->getOperand(0)); })
      // Normalizations take a few operations per element: batch norm a
      // multiply-add, softmax exp + sum + divide, layer norm mean, variance,
      // normalize and affine.
      .Case<BatchNormOp>(
          [](BatchNormOp op) { return 2 * elements(op.getOutput()); })
      .Case<SoftmaxOp>(
          [](SoftmaxOp op) { return 3 * elements(op.getOutput()); })
      .Case<LayerNormOp>(
          [](LayerNormOp op) { return 4 * elements(op.getOutput()); })
      // Layers left on the digital unit (activation weights): one MAC per
      // product.
      .Case<MatmulOp>([](MatmulOp op) -> std::optional<int64_t> {
        if (matchPattern(op.getRhs(), m_Constant()))
          return std::nullopt;
        auto lhs = cast<RankedTensorType>(op.getLhs().getType());
        return elements(op.getOutput()) * lhs.getDimSize(lhs.getRank() - 1);
      })
      .Case<Conv2dOp>([](Conv2dOp op) -> std::optional<int64_t> {
        if (matchPattern(op.getWeight(), m_Constant()))
          return std::nullopt;
        auto w = cast<RankedTensorType>(op.getWeight().getType());
        return elements(op.getOutput()) * w.getDimSize(1) * w.getDimSize(2) *
               w.getDimSize(3);
      })
      .Case<GemmOp>([](GemmOp op) -> std::optional<int64_t> {
        if (matchPattern(op.getWeight(), m_Constant()))
          return std::nullopt;
        auto w = cast<RankedTensorType>(op.getWeight().getType());
        return elements(op.getOutput()) * w.getDimSize(0);
      })
      .Default([](Operation *) { return std::nullopt; });
}

/// The crossbar op's `cim.input_ones`, else 1/2: without statistics every
/// input bit is taken to be 1 half the time.
double inputOnes(Operation *op) {
  if (auto p1 =
          op->getAttrOfType<FloatAttr>(CimDialect::getInputOnesAttrName()))
    return p1.getValueAsDouble();
  return 0.5;
}

std::optional<double> zeroCyclesOf(Operation *op) {
  if (auto f =
          op->getAttrOfType<FloatAttr>(CimDialect::getZeroCyclesAttrName()))
    return f.getValueAsDouble();
  return std::nullopt;
}

} // namespace

double cost::zeroCycleProbability(double p1, int64_t rows, unsigned dacBits) {
  if (p1 <= 0.0)
    return 1.0;
  return std::pow(1.0 - p1, double(rows) * double(dacBits));
}

std::string cost::layerName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return "line " + std::to_string(file.getLine());
  std::string text;
  llvm::raw_string_ostream os(text);
  loc.print(os);
  return text;
}

cost::Rates cost::Rates::of(TargetAttr target) {
  Rates r;
  if (LatencyAttr l = target.getLatency()) {
    r.mvmCycleNs = real(l.getMvmCycle());
    r.programCrossbarNs = real(l.getProgramCrossbar());
    r.digitalOpNs = real(l.getDigitalOp());
    r.memoryByteNs = real(l.getMemoryByte());
    r.syncNs = real(l.getSync());
  }
  if (EnergyAttr e = target.getEnergy()) {
    r.dacPj = real(e.getDac());
    r.cellPj = real(e.getCell());
    r.adcPj = real(e.getAdc());
    r.shiftAddPj = real(e.getShiftAdd());
    r.digitalOpPj = real(e.getDigitalOp());
    r.bufferBytePj = real(e.getBufferByte());
    r.memoryBytePj = real(e.getMemoryByte());
    r.programCellPj = real(e.getProgramCell());
  }
  r.defaultAdcBits =
      target.getAdc().isConverting() ? target.getAdc().getBits() : 0;
  return r;
}

int64_t cost::tileBytes(int64_t invocations, int64_t rows, int64_t cols,
                        unsigned actBits) {
  return llvm::divideCeil(invocations * rows * actBits, 8) +
         4 * invocations * cols;
}

double cost::tileMvmNs(int64_t invocations, int64_t copies, int64_t cycles,
                       int64_t groups, double spent, const Rates &rates) {
  return double(llvm::divideCeil(invocations, copies)) * cycles * groups *
         rates.mvmCycleNs * spent;
}

Energy cost::tileMvmEnergy(double driven, double cellsPerDrive,
                           double conversions, double spent, unsigned adcBits,
                           const Rates &rates) {
  Energy e;
  e.dac = driven * rates.dacPj;
  e.cell = driven * cellsPerDrive * rates.cellPj;
  // ADC energy doubles per bit around the target's default resolution.
  e.adc = conversions * spent * rates.adcPjAt(adcBits);
  e.shiftAdd = conversions * spent * rates.shiftAddPj;
  return e;
}

double cost::Rates::adcPjAt(unsigned adcBits) const {
  double scale = defaultAdcBits && adcBits
                     ? std::ldexp(1.0, int(adcBits) - int(defaultAdcBits))
                     : 1.0;
  return adcPj * scale;
}

namespace {

class CostBuilder {
public:
  CostBuilder(TargetAttr target, LatencyModel model, const CostOptions &options)
      : target(target), geometry(layout::Geometry::fromTarget(target)),
        rates(Rates::of(target)), options(options) {
    cost.target = target.getName().str();
    cost.model = model;
    cost.availableCrossbars = int64_t(target.getNumCrossbars());
  }

  LogicalResult run(ModuleOp module) {
    WalkResult result = module.walk([&](Operation *op) -> WalkResult {
      if (failed(visit(op)))
        return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return failure();
    finish();
    schedule();
    return success();
  }

  ModelCost take() { return std::move(cost); }

private:
  struct Layer {
    LayerCost cost;
    double p1 = 0.5;
    llvm::SmallVector<Matrix> matrices;
    llvm::DenseSet<Value> weights;
  };

  /// The layer `op` belongs to. Layers are ONNX nodes: ops share a layer
  /// when they share a name location. Without names (a module printed
  /// without debug info) the tiles of one weight matrix form one layer, and
  /// other ops join the layer of their first operand's producer.
  const void *keyOf(Operation *op, Value weight = {}) {
    auto known = layerKeys.find(op);
    if (known != layerKeys.end())
      return known->second;
    const void *key = op->getLoc().getAsOpaquePointer();
    if (!isa<NameLoc>(op->getLoc())) {
      if (weight) {
        key = weight.getAsOpaquePointer();
      } else {
        for (Value operand : op->getOperands()) {
          Operation *def = operand.getDefiningOp();
          auto it = def ? layerKeys.find(def) : layerKeys.end();
          if (it != layerKeys.end() && layers.count(it->second)) {
            key = it->second;
            break;
          }
        }
      }
    }
    layerKeys[op] = key;
    return key;
  }

  Layer &layerOf(Operation *op, Value weight = {}) {
    const void *key = keyOf(op, weight);
    auto [it, inserted] = layers.try_emplace(key);
    if (inserted)
      it->second.cost.name = layerName(op->getLoc());
    return it->second;
  }

  unsigned defaultAdcBits() const {
    return target.getAdc().isConverting() ? target.getAdc().getBits() : 0;
  }

  /// DAC cycles of a tile of `layer` at its precision and slice widths.
  FailureOr<unsigned> cyclesOf(CrossbarLayerOpInterface layer,
                               PrecisionAttr precision) {
    SmallVector<unsigned> slices;
    for (int64_t w : layer.getSliceWidths())
      slices.push_back(unsigned(w));
    llvm::Expected<layout::Encoding> e = layout::encode(
        geometry, precision.getWeightBits(), precision.getActBits(), slices);
    if (!e)
      return layer->emitOpError()
             << "cannot be costed: " << llvm::toString(e.takeError());
    return e->cycles;
  }

  void addMatrix(Layer &layer, Value weight, int64_t invocations, unsigned wb,
                 unsigned ab) {
    if (!layer.weights.insert(weight).second)
      return;
    auto type = cast<RankedTensorType>(weight.getType());
    layer.matrices.push_back(
        {type.getDimSize(0), type.getDimSize(1), invocations, wb, ab});
  }

  /// Costs `op`, remembering how long it runs (and, for crossbar work, in
  /// which programming round) for the schedule.
  LogicalResult visit(Operation *op) {
    duration = 0;
    epoch = -1;
    if (failed(costOp(op)))
      return failure();
    (void)keyOf(op);
    // Free ops (views, layout) stay in the schedule to carry readiness.
    timeline.push_back({op, duration, epoch});
    return success();
  }

  /// Schedules the costed ops on the dataflow graph: an op starts when its
  /// operands are ready, so independent tiles, groups and branches overlap
  /// and the model's latency is the critical path. When the weights are
  /// rewritten per inference, a programming round starts after all work of
  /// the previous round and takes its crossbars' writes.
  void schedule() {
    DenseMap<Operation *, double> readyAt;
    double latest = 0, barrier = 0;
    int64_t round = -1;
    double writeNs = rates.programCrossbarNs;
    for (const Step &step : timeline) {
      double start = 0;
      for (Value operand : step.op->getOperands())
        if (Operation *def = operand.getDefiningOp())
          start = std::max(start, readyAt.lookup(def));
      if (cost.reprogrammed && step.epoch >= 0) {
        while (round < step.epoch) {
          ++round;
          barrier = (round == 0 ? 0.0 : latest) +
                    double(writesPerEpoch.lookup(round)) * writeNs;
        }
        start = std::max(start, barrier);
      }
      readyAt[step.op] = start + step.duration;
      latest = std::max(latest, start + step.duration);
    }
    if (cost.model == LatencyModel::cim)
      cost.total.latencyNs = latest;
  }

  /// The programming round of a tile: its `epoch` after cim-map, else the
  /// one cim-map would give it (crossbars taken in program order).
  int64_t epochOf(const TileFacts &f, bool ownsCrossbars) {
    int64_t available = cost.availableCrossbars;
    if (!ownsCrossbars)
      return bundleEpoch.lookup(*f.bundle);
    int64_t e;
    if (f.placed) {
      e = f.epoch;
    } else {
      if (allocated % available + f.copies > available)
        allocated += available - allocated % available;
      e = allocated / available;
      allocated += f.copies;
    }
    if (f.bundle)
      bundleEpoch[*f.bundle] = e;
    writesPerEpoch[e] += f.copies;
    return e;
  }

  LogicalResult costOp(Operation *op) {
    if (auto tile = dyn_cast<TileOp>(op))
      return visitTile(tile);
    if (auto xbar = dyn_cast<CrossbarMvmOp>(op))
      return visitCrossbarMvm(xbar);
    if (auto mvm = dyn_cast<IsaMvmOp>(op))
      return visitIsaMvm(mvm);
    // A whole matrix: a cim.mvm, or a gemm with a constant weight, costed as
    // the MVM cim-lower-conv would make of it (its bias add is digital).
    if (auto layer = dyn_cast<CrossbarLayerOpInterface>(op);
        layer && !layer.isTile() &&
        (isa<MvmOp>(op) ||
         matchPattern(layer.getLayerWeight(), m_Constant()))) {
      if (failed(visitMvm(layer)))
        return failure();
      if (auto gemm = dyn_cast<GemmOp>(op); gemm && gemm.getBias()) {
        Layer &layer = layerOf(gemm, gemm.getWeight());
        layer.cost.digitalOps += elements(gemm.getOutput());
      }
      return success();
    }
    if (isa<Conv2dOp, GemmOp, MatmulOp>(op) &&
        matchPattern(op->getOperand(1), m_Constant()))
      return op->emitOpError() << "is a crossbar layer still at the graph "
                                  "level: run --cim-lower-conv before costing";
    // Crossbar-capable graph ops with a constant weight are costed by the
    // tiles they lower to; only activation-weight ones run digitally here.
    if (std::optional<int64_t> ops = digitalOps(op)) {
      Layer &layer = layerOf(op);
      int64_t bytes = 4 * elements(op->getResult(0));
      layer.cost.digitalOps += *ops;
      layer.cost.bytesMoved += bytes;
      duration =
          double(*ops) * rates.digitalOpNs + double(bytes) * rates.memoryByteNs;
    }
    return success();
  }

  LogicalResult visitTile(TileOp tile) {
    PrecisionAttr precision = tile.getPrecisionAttr();
    if (!precision)
      return tile.emitOpError() << "has no precision to be costed";
    FailureOr<unsigned> cycles = cyclesOf(tile, precision);
    if (failed(cycles))
      return failure();
    TileFacts f;
    f.invocations =
        cast<RankedTensorType>(tile.getInput().getType()).getDimSize(0);
    f.rows = tile.getRows()[1] - tile.getRows()[0];
    f.cols = tile.getColumns()[1] - tile.getColumns()[0];
    f.physRows = tile.getFootprint()[0];
    f.physCols = tile.getFootprint()[1];
    f.groups = tile.getGroups();
    f.cycles = *cycles;
    f.copies = tile.getCopies();
    f.weightBits = precision.getWeightBits();
    f.actBits = precision.getActBits();
    f.adcBits =
        precision.getAdcBits() ? precision.getAdcBits() : defaultAdcBits();
    if (auto ids = tile.getCrossbars()) {
      f.crossbars = *ids;
      f.placed = true;
    }
    f.epoch = tile.getEpoch().value_or(0);
    f.bundle = tile.getBundle();
    zeroBitFacts(tile, precision, f);
    f.p1 = inputOnes(tile);
    f.zeroCycles = zeroCyclesOf(tile);
    Layer &layer = layerOf(tile, tile.getWeight());
    addMatrix(layer, tile.getWeight(), f.invocations, f.weightBits, f.actBits);
    addTile(layer, f);
    return success();
  }

  LogicalResult visitCrossbarMvm(CrossbarMvmOp xbar) {
    PrecisionAttr precision = xbar.getPrecisionAttr();
    if (!precision)
      return xbar.emitOpError() << "has no precision to be costed";
    auto digits = cast<RankedTensorType>(xbar.getDigits().getType());
    auto cells = cast<RankedTensorType>(xbar.getCells().getType());
    auto sums = cast<RankedTensorType>(xbar.getOutput().getType());
    TileFacts f;
    f.cycles = digits.getDimSize(0);
    f.invocations = digits.getDimSize(1);
    f.rows = digits.getDimSize(2);
    f.cols = cells.getDimSize(2);
    f.physRows = xbar.getFootprint()[0];
    f.physCols = xbar.getFootprint()[1];
    f.groups = sums.getDimSize(0);
    f.copies = xbar.getCopies();
    f.weightBits = precision.getWeightBits();
    f.actBits = precision.getActBits();
    f.adcBits = defaultAdcBits();
    for (Operation *user : xbar->getUsers())
      if (auto adc = dyn_cast<AdcOp>(user))
        f.adcBits = unsigned(adc.getBits());
    if (auto ids = xbar.getCrossbars()) {
      f.crossbars = *ids;
      f.placed = true;
    }
    f.epoch = xbar.getEpoch().value_or(0);
    f.bundle = xbar.getBundle();
    f.p1 = inputOnes(xbar);
    f.zeroCycles = zeroCyclesOf(xbar);
    auto slices = xbar.getCells().getDefiningOp<CellSlicesOp>();
    Layer &layer = layerOf(xbar, slices ? slices.getWeight() : Value());
    if (slices)
      addMatrix(layer, slices.getWeight(), f.invocations, f.weightBits,
                f.actBits);
    addTile(layer, f);
    return success();
  }

  /// ZEBRA's zero-bit layout (`cim.weight_max_ones`): the tile converts only
  /// its mapped rows' groups and its non-empty columns, from the codes the
  /// program will hold (quantized as cim-lower-to-isa does).
  void zeroBitFacts(TileOp tile, PrecisionAttr precision, TileFacts &f) {
    numerics::LayerCalibration calibration = cim::layerCalibrationOf(tile);
    auto weight = tile.getWeight().getDefiningOp<ConstantOp>();
    auto dense = weight ? dyn_cast<DenseFPElementsAttr>(weight.getValue())
                        : DenseFPElementsAttr();
    if (!calibration.weightMaxOnes || !dense || precision.getFp())
      return;
    numerics::CrossbarConfig config = cim::layerConfig(tile, target);
    auto type = cast<RankedTensorType>(dense.getType());
    // The float weights exactly (no float32 rounding): only the codes'
    // zero bits are counted here.
    std::vector<double> w = floatValues(dense, /*viaFloat32=*/false);
    numerics::WeightCodes codes = tileWeightCodes(
        tile, config, [&](int64_t e) { return w[e]; }, type.getDimSize(0),
        type.getDimSize(1));
    int64_t r0 = tile.getRows()[0], r1 = tile.getRows()[1];
    int64_t c0 = tile.getColumns()[0], c1 = tile.getColumns()[1];
    numerics::ZeroBitLayout layout =
        numerics::zeroBitLayout(config, codes.codes, r1 - r0, c1 - c0);
    // At least one group: the model divides by it (an all-zero tile then
    // converts nothing but still spends its cycles).
    f.groups =
        std::max<int64_t>(1, llvm::divideCeil(int64_t(layout.mappedRows.size()),
                                              numerics::groupRowCount(config)));
    f.physCols = int64_t(layout.convertedColumns);
  }

  /// Instruction level: one MVM instruction per tile copy set.
  LogicalResult visitIsaMvm(IsaMvmOp mvm) {
    PrecisionAttr precision = mvm.getPrecision();
    FailureOr<unsigned> cycles = cyclesOf(mvm, precision);
    if (failed(cycles))
      return failure();
    auto codes = cast<RankedTensorType>(mvm.getCodes().getType());
    auto weights = cast<RankedTensorType>(mvm.getWeights().getType());
    TileFacts f;
    f.invocations = codes.getDimSize(0);
    f.rows = weights.getDimSize(0);
    f.cols = weights.getDimSize(1);
    f.physRows = mvm.getFootprint()[0];
    f.physCols = mvm.getFootprint()[1];
    f.groups = mvm.getGroups();
    f.cycles = *cycles;
    f.copies = mvm.getCrossbars().size();
    f.weightBits = precision.getWeightBits();
    f.actBits = precision.getActBits();
    f.adcBits =
        precision.getAdcBits() ? precision.getAdcBits() : defaultAdcBits();
    f.crossbars = mvm.getCrossbars();
    f.placed = true;
    f.epoch = mvm.getEpoch();
    f.bundle = mvm.getBundle();
    f.p1 = inputOnes(mvm);
    f.zeroCycles = zeroCyclesOf(mvm);
    Layer &layer = layerOf(mvm, mvm.getCodes());
    // The layer's matrix is K (the codes' width) by the columns of its
    // first row tiles.
    if (mvm.getRows()[0] == 0)
      layer.matrices.push_back({codes.getDimSize(1), f.cols, f.invocations,
                                f.weightBits, f.actBits});
    addTile(layer, f);
    return success();
  }

  /// Graph-level form: tiled on the fly with the default layout options.
  LogicalResult visitMvm(CrossbarLayerOpInterface mvm) {
    Value input = mvm.getLayerInput(), weight = mvm.getLayerWeight();
    PrecisionAttr precision = mvm.getLayerPrecision();
    if (!precision)
      precision = PrecisionAttr::get(mvm->getContext(), 8, 8, 0,
                                     ScaleGranularity::channel);
    auto w = cast<RankedTensorType>(weight.getType());
    auto in = cast<RankedTensorType>(input.getType());
    if (!w.hasStaticShape() || !in.hasStaticShape())
      return mvm->emitOpError() << "needs static shapes to be costed";
    llvm::Expected<layout::Tiling> tiling = layout::tileMatrix(
        geometry, w.getDimSize(0), w.getDimSize(1), precision.getWeightBits(),
        precision.getActBits(), layout::Options());
    if (!tiling)
      return mvm->emitOpError()
             << "cannot be costed: " << llvm::toString(tiling.takeError());
    Layer &layer = layerOf(mvm, weight);
    addMatrix(layer, weight, in.getDimSize(0), precision.getWeightBits(),
              precision.getActBits());
    for (const layout::Tile &t : tiling->tiles) {
      TileFacts f;
      f.invocations = in.getDimSize(0);
      f.rows = t.numRows();
      f.cols = t.numCols();
      f.physRows = t.physRows;
      f.physCols = t.physCols;
      f.groups = t.groups;
      f.cycles = tiling->encoding.cycles;
      f.weightBits = precision.getWeightBits();
      f.actBits = precision.getActBits();
      f.adcBits =
          precision.getAdcBits() ? precision.getAdcBits() : defaultAdcBits();
      f.p1 = inputOnes(mvm);
      f.zeroCycles = zeroCyclesOf(mvm);
      addTile(layer, f);
    }
    return success();
  }

  void addTile(Layer &layer, const TileFacts &f) {
    LayerCost &c = layer.cost;
    c.kind = "crossbar";
    c.weightBits = f.weightBits;
    c.actBits = f.actBits;
    c.adcBits = f.adcBits;
    c.invocations = std::max(c.invocations, f.invocations);
    c.tiles += 1;
    c.copies = std::max(c.copies, f.copies);
    // Tiles of a bundle share their crossbars: count those once.
    bool ownsCrossbars = !f.bundle || seenBundles.insert(*f.bundle).second;
    int64_t cells = f.physRows * f.physCols;
    c.usedCells += cells * f.copies;
    c.programmedCells += cells * f.copies;
    epoch = std::max(epoch, epochOf(f, ownsCrossbars));
    if (ownsCrossbars) {
      c.crossbars += f.copies;
      c.crossbarCells += f.copies * int64_t(geometry.rows) * geometry.cols;
      c.writes += f.copies;
    }
    c.rowGroups += f.groups;
    int64_t activations = f.invocations * f.cycles * f.groups;
    c.dacCycles += activations;
    int64_t conversions = activations * f.physCols;
    c.adcConversions += conversions;
    c.shiftAdds += conversions;
    layer.p1 = f.p1;
    // All-zero row-group cycles, measured or else expected with bits taken
    // independent: a skipping target spends neither their conversions nor
    // their time.
    double zero =
        f.zeroCycles
            ? *f.zeroCycles
            : zeroCycleProbability(
                  f.p1,
                  llvm::divideCeil(f.rows, std::max<int64_t>(f.groups, 1)),
                  geometry.dacBits);
    c.zeroDacCycles += zero * double(activations);
    c.skipsZeroCycles = options.skipZeroCycles;
    double spent = options.skipZeroCycles ? 1.0 - zero : 1.0;
    int64_t bytes = tileBytes(f.invocations, f.rows, f.cols, f.actBits);
    c.bytesMoved += bytes;

    // Tiles of a layer run in parallel.
    double mvmNs =
        tileMvmNs(f.invocations, f.copies, f.cycles, f.groups, spent, rates);
    c.mvmNs = std::max(c.mvmNs, mvmNs);
    // The flip correction overlaps the next vector's DAC cycles (ISAAC's
    // pipeline): its ops and energy count, the tile's time does not grow.
    c.digitalOps += flipCorrectionOps(geometry.weightSign, f);
    duration = std::max(duration, mvmNs + double(bytes) * rates.memoryByteNs);

    // Row drives and cell reads happen for non-zero digits only: a digit of
    // b bits is non-zero with probability 1 - (1 - p1)^b (1/2 at a 1-bit
    // DAC without statistics).
    double nonzero = 1.0 - std::pow(1.0 - f.p1, double(geometry.dacBits));
    double driven = double(activations) / f.groups * f.physRows * nonzero;
    c.energy += tileMvmEnergy(driven, double(f.physCols), double(conversions),
                              spent, f.adcBits, rates);
    c.energy.program += double(cells * f.copies) * rates.programCellPj;

    for (int64_t id : f.crossbars) {
      CrossbarUse &xbar = crossbarUses[{f.epoch, id}];
      xbar.crossbar = id;
      xbar.epoch = f.epoch;
      xbar.usedCells += cells;
      int64_t core = id / target.getCrossbarsPerCore();
      CoreUse &use = cores[core];
      use.core = core;
      use.usedCells += cells;
      if (ownsCrossbars) {
        use.crossbars += 1;
        use.cells += int64_t(geometry.rows) * geometry.cols;
      }
    }
  }

  void finish() {
    int64_t crossbars = 0;
    for (auto &entry : layers)
      crossbars += entry.second.cost.crossbars;
    cost.reprogrammed =
        target.getWeightReprogramming() && crossbars > cost.availableCrossbars;
    pelke2026::Params params;
    params.cellBits = geometry.cellBits;
    params.inputBits = geometry.dacBits;
    params.crossbarRows = geometry.rows;
    params.crossbarCols = geometry.cols;
    params.writeUs = rates.programCrossbarNs / 1000.0;
    params.execUs = rates.mvmCycleNs / 1000.0;
    params.mapping = geometry.weightSign;

    LayerCost &total = cost.total;
    total.name = "total";
    total.kind = "model";
    for (auto &entry : layers) {
      Layer &layer = entry.second;
      LayerCost &c = layer.cost;
      for (const Matrix &m : layer.matrices) {
        c.k = std::max(c.k, m.k);
        c.n += m.n;
        c.inputPopcount += layer.p1 * double(m.invocations) * m.k * m.actBits;
      }
      c.digitalNs = double(c.digitalOps) * rates.digitalOpNs;
      c.movementNs = double(c.bytesMoved) * rates.memoryByteNs;
      c.programNs = double(c.writes) * rates.programCrossbarNs;
      c.energy.digital = double(c.digitalOps) * rates.digitalOpPj;
      c.energy.buffer = double(c.bytesMoved) * rates.bufferBytePj;
      c.energy.memory = double(c.bytesMoved) * rates.memoryBytePj;
      // Programming is a one-time cost unless the chip rewrites weights on
      // every inference.
      if (!cost.reprogrammed)
        c.energy.program = 0;
      if (cost.model == LatencyModel::pelke2026) {
        // Their model: crossbar layers only, writes included.
        c.mvmNs = c.programNs = c.digitalNs = c.movementNs = c.latencyNs = 0;
        c.writes = 0;
        for (const Matrix &m : layer.matrices) {
          pelke2026::Layer l{m.k, m.n, m.invocations, 1};
          int64_t writes = pelke2026::writes(l, m.weightBits, params);
          double us = pelke2026::latencyUs(l, m.weightBits, m.actBits, params);
          c.writes += writes;
          c.programNs += 1000.0 * double(writes) * params.writeUs;
          c.mvmNs += 1000.0 * us - 1000.0 * double(writes) * params.writeUs;
          c.latencyNs += 1000.0 * us;
        }
      } else {
        c.latencyNs = c.mvmNs + c.digitalNs + c.movementNs +
                      (cost.reprogrammed ? c.programNs : 0.0);
      }
      accumulate(total, c);
      cost.layers.push_back(std::move(c));
    }
    for (auto &entry : cores)
      cost.cores.push_back(entry.second);
    for (auto &entry : crossbarUses)
      cost.crossbars.push_back(entry.second);
    llvm::sort(cost.cores, [](const CoreUse &a, const CoreUse &b) {
      return a.core < b.core;
    });
  }

  static void accumulate(LayerCost &t, const LayerCost &c) {
    t.tiles += c.tiles;
    t.crossbars += c.crossbars;
    t.usedCells += c.usedCells;
    t.crossbarCells += c.crossbarCells;
    t.rowGroups += c.rowGroups;
    t.dacCycles += c.dacCycles;
    t.adcConversions += c.adcConversions;
    t.shiftAdds += c.shiftAdds;
    t.digitalOps += c.digitalOps;
    t.bytesMoved += c.bytesMoved;
    t.programmedCells += c.programmedCells;
    t.writes += c.writes;
    t.inputPopcount += c.inputPopcount;
    t.zeroDacCycles += c.zeroDacCycles;
    t.skipsZeroCycles = t.skipsZeroCycles || c.skipsZeroCycles;
    t.mvmNs += c.mvmNs;
    t.programNs += c.programNs;
    t.digitalNs += c.digitalNs;
    t.movementNs += c.movementNs;
    t.latencyNs += c.latencyNs;
    t.energy += c.energy;
  }

  TargetAttr target;
  layout::Geometry geometry;
  Rates rates;
  CostOptions options;
  ModelCost cost;
  llvm::MapVector<const void *, Layer> layers;
  std::map<int64_t, CoreUse> cores;
  /// Scheduling: when each op's result is ready, and the latest of all.
  DenseSet<int64_t> seenBundles;
  std::map<std::pair<int64_t, int64_t>, CrossbarUse> crossbarUses;
  DenseMap<Operation *, const void *> layerKeys;
  /// The schedule's input: costed ops in program order.
  struct Step {
    Operation *op;
    double duration;
    int64_t epoch;
  };
  std::vector<Step> timeline;
  double duration = 0;
  int64_t epoch = -1, allocated = 0;
  DenseMap<int64_t, int64_t> writesPerEpoch, bundleEpoch;
};

} // namespace

FailureOr<ModelCost> cost::computeCost(Operation *op, LatencyModel model,
                                       const CostOptions &options) {
  auto module = dyn_cast<ModuleOp>(op);
  if (!module)
    module = op->getParentOfType<ModuleOp>();
  if (!module)
    return op->emitError() << "the cost model needs a builtin.module";
  FailureOr<TargetAttr> target = requireTarget(module, "the cost model");
  if (failed(target))
    return failure();
  CostBuilder builder(*target, model, options);
  if (failed(builder.run(module)))
    return failure();
  return builder.take();
}

CostModel::CostModel(Operation *op)
    : cost(computeCost(op, LatencyModel::cim)) {}
