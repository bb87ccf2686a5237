//===- PresetFiguresTest.cpp - Published figures from the presets ---------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Recomputes published figures from the bundled presets through cim's cost
// model (`cost::Rates`, `cost::tileMvmEnergy`, the functions the cost model
// and the interpreter price tiles with) and its noise model
// (`numerics::crossbarMVMBatch` with the preset's `#cim.noise`), and compares
// them with the published values within the stated tolerances
// (docs/targets.md, "Reproduced figures"). The published values are
// written out here with their sources, independent of the presets.
//
//===----------------------------------------------------------------------===//

#include "cim/Analysis/CostModel.h"
#include "cim/Dialect/Cim/CimDialect.h"
#include "cim/Hardware/LayerConfig.h"
#include "cim/Hardware/Target.h"
#include "cim/Numerics/CrossbarMVM.h"

#include "mlir/IR/MLIRContext.h"

#include "gtest/gtest.h"

#include <cstdio>

#include <cmath>
#include <vector>

using namespace mlir;
using namespace mlir::cim;

namespace {

class PresetFigures : public ::testing::Test {
protected:
  PresetFigures() { context.loadDialect<CimDialect>(); }

  TargetAttr preset(llvm::StringRef name) {
    llvm::Expected<TargetAttr> target = loadTarget(name, &context);
    EXPECT_TRUE(static_cast<bool>(target))
        << llvm::toString(target.takeError());
    return *target;
  }

  MLIRContext context;
};

/// Power in mW of one crossbar read cycle of `rows` x `cols` cells with every
/// row driven (`activity` = share of rows with a non-zero digit) and every
/// column converted at the target's ADC width, by component.
cost::Energy crossbarCycle(const cost::Rates &rates, double rows, double cols,
                           double activity) {
  return cost::tileMvmEnergy(rows * activity, cols, cols, /*spent=*/1.0,
                             rates.defaultAdcBits, rates);
}

double mvmPart(const cost::Energy &e) {
  return e.dac + e.cell + e.adc + e.shiftAdd;
}

// ISAAC (Shafiee et al., ISCA 2016), Table 2, 32 nm, per IMA [R, recalled
// from the paper; docs/targets.md]: 8 ADCs (8-bit, 1.28 GS/s) 16 mW; 8 x 128
// DACs 4 mW; 8 x 128 sample-and-holds 0.01 mW; 8 memristor arrays 2.4 mW;
// 4 shift-and-add units 0.2 mW; IR 1.24 mW; OR 0.23 mW; IMA 24.09 mW. A
// tile (12 IMAs, eDRAM, bus, router share, sigmoid, max-pool, OR) 330 mW.
// ADCs are 12 * 16 / 330 = 58.2 % of the tile's power, the figure ISAAC and
// later papers quote.
TEST_F(PresetFigures, IsaacAdcShare) {
  cost::Rates rates = cost::Rates::of(preset("isaac"));
  const double adcMw = 16, dacMw = 4, shMw = 0.01, arrayMw = 2.4, saMw = 0.2,
               irMw = 1.24, orMw = 0.23, tileMw = 330;
  const double imaMw = adcMw + dacMw + shMw + arrayMw + saMw + irMw + orMw;
  const double imaAnalogMw = adcMw + dacMw + shMw + arrayMw + saMw;
  const double tileRestMw = tileMw - 12 * imaMw;

  // Table 2 lists peak powers: every row driven, every column converted
  // once per 100 ns cycle, 8 arrays per IMA.
  cost::Energy cycle = crossbarCycle(rates, 128, 128, 1.0);
  auto mw = [&](double pj) { return 8 * pj / rates.mvmCycleNs; };
  double cimAdcMw = mw(cycle.adc);
  double cimAnalogMw = mw(mvmPart(cycle));

  // The ADC power of an IMA: 17.1 mW against 16 (+7 %: Accelergy's
  // 1.67 pJ is 2 mW at 1.2 GS/s, run here at 1.28 GS/s).
  EXPECT_NEAR(cimAdcMw / adcMw, 1.0, 0.10) << cimAdcMw;
  // The other analog parts: DACs 4.3 mW (4), arrays 2.36 mW (2.4).
  EXPECT_NEAR(mw(cycle.dac) / dacMw, 1.0, 0.10) << mw(cycle.dac);
  EXPECT_NEAR(mw(cycle.cell) / arrayMw, 1.0, 0.03) << mw(cycle.cell);
  // ADC share of the IMA's analog power: 71.4 % against 70.8 %.
  EXPECT_NEAR(cimAdcMw / cimAnalogMw, adcMw / imaAnalogMw, 0.02)
      << cimAdcMw / cimAnalogMw;
  // ADC share of a tile, cim's analog IMA power with the published digital
  // rest (registers, eDRAM, bus, router ...), which cim prices per byte or
  // op, not as power: 59.3 % against 58.2 %.
  double cimTileShare =
      12 * cimAdcMw / (12 * (cimAnalogMw + irMw + orMw) + tileRestMw);
  EXPECT_NEAR(12 * adcMw / tileMw, 0.582, 0.001);
  EXPECT_NEAR(cimTileShare, 12 * adcMw / tileMw, 0.03) << cimTileShare;
  std::printf("isaac: IMA ADC %.2f mW, DAC %.2f mW, arrays %.2f mW; ADC share "
              "of analog %.1f %%, of tile %.1f %%\n",
              cimAdcMw, mw(cycle.dac), mw(cycle.cell),
              100 * cimAdcMw / cimAnalogMw, 100 * cimTileShare);
}

// PUMA (Ankit et al., ASPLOS 2019), abstract [P]: 837 GOPS/s/W peak at the
// chip level, 16-bit operands. cim's MVM energy of PUMA's 16-bit MVMU
// operation on the preset (128 x 128 weights of 16 bits = 8 crossbars of
// 2-bit cells, 16 one-bit input cycles, input bits 1 half the time as in the
// cost model) is an upper bound on efficiency: the chip also spends power in
// its digital units, memories and network, which the paper's figure
// includes. The bound lies 1.36x above the published figure: the MVMUs'
// share would be 73 % of PUMA's power.
TEST_F(PresetFigures, PumaPeakEfficiencyBound) {
  cost::Rates rates = cost::Rates::of(preset("puma"));
  const double publishedGopsPerW = 837;
  cost::Energy cycle = crossbarCycle(rates, 128, 128, 0.5);
  double mvmPj = 16 * 8 * mvmPart(cycle);
  double ops = 2.0 * 128 * 128;
  double gopsPerW = ops / mvmPj * 1e3; // ops/pJ = TOPS/W
  double ratio = gopsPerW / publishedGopsPerW;
  EXPECT_GT(ratio, 1.0) << gopsPerW;
  EXPECT_NEAR(ratio, 1.36, 0.05) << gopsPerW;
  std::printf("puma: MVMU %.0f GOPS/s/W, %.3fx the published 837\n", gopsPerW,
              ratio);
}

// FP-CIM macro (ISSCC 2023 / JSSC 2024, same group as APCCAS 2022) [P]:
// 31.6 TFLOPS/W at BF16. The fp-cim preset's energies are estimates (those
// of sram-dcim); this records how far they are from the published macro.
// A BF16 MAC on the preset: inputs aligned to 7 + 4 = 11 bits, 12 signed
// two's-complement cycles; weight mantissas of 8 bits, 9 one-bit planes in
// two's complement; 7 outputs (63 columns) per 256 x 64 array; 8 row groups
// of 32 rows, one adder-tree result per group, cycle and column.
TEST_F(PresetFigures, FpCimEfficiencyAgainstBf16Macro) {
  TargetAttr target = preset("fp-cim");
  cost::Rates rates = cost::Rates::of(target);
  const double publishedTflopsPerW = 31.6;
  double cycles = 12, groups = 256.0 / target.getParallelRows(), cols = 63;
  cost::Energy perVector = cost::tileMvmEnergy(
      cycles * 256 * 0.5, cols, cycles * groups * cols, 1.0, 0, rates);
  double flops = 2.0 * 256 * 7;
  double tflopsPerW = flops / mvmPart(perVector);
  // 9.2 TFLOPS/W: the preset's estimates are 3.4x more expensive than the
  // macro (its adder-tree results dominate).
  EXPECT_NEAR(tflopsPerW / publishedTflopsPerW, 0.29, 0.03) << tflopsPerW;
  std::printf("fp-cim: %.2f TFLOPS/W, %.3fx the published 31.6\n", tflopsPerW,
              tflopsPerW / publishedTflopsPerW);
}

// aihwkit (IOParameters, StandardHWATrainingPreset) [V]: out_noise = 0.06
// per output, in units of one row at full input and weight; w_noise =
// 0.0175, relative to the largest weight. Measured here on the preset's
// 512-row crossbar with its 8-bit cells and 7-bit DAC: one input cycle (7-bit
// unsigned inputs), one 8-bit plane per sign (9-bit differential weights),
// ideal ADC so that only the noise is measured.
TEST_F(PresetFigures, AihwkitNoiseInItsUnits) {
  TargetAttr target = preset("aihwkit-pcm");
  numerics::CrossbarConfig config =
      layerConfig(target, PrecisionAttr(), /*slices=*/{});
  ASSERT_EQ(config.parallelRows, 512u);
  ASSERT_EQ(config.cellBits, 8u);
  ASSERT_EQ(config.dacBits, 7u);
  config.weightBits = 9;
  config.inputBits = 7;
  config.inputSign = numerics::InputSign::unsigned_;
  config.adcMode = numerics::AdcMode::ideal;
  numerics::NoiseConfig noise = noiseFromAttr(target.getNoise(), /*seed=*/7);
  const double publishedOut = 0.06, publishedW = 0.0175;
  // aihwkit's output unit: one row at full input (127) and weight (255).
  const double rowUnit = 127.0 * 255.0;

  // Read noise: zero weights, all inputs at full scale, fresh draws per
  // invocation.
  {
    config.noise = noise;
    config.noise.programming = 0;
    const int64_t rows = 512, cols = 64, batch = 200;
    std::vector<int64_t> w(rows * cols, 0), x(rows * batch, 127),
        out(batch * cols);
    ASSERT_FALSE(static_cast<bool>(
        numerics::crossbarMVMBatch(config, w, rows, cols, batch, x, out)));
    double sum = 0, squares = 0;
    for (int64_t v : out) {
      sum += double(v);
      squares += double(v) * double(v);
    }
    double n = double(out.size());
    double sd = std::sqrt(squares / n - (sum / n) * (sum / n));
    // Per output: two conversions (the pair's columns), sqrt(2) * 0.06.
    double perOutput = sd / rowUnit;
    double perColumn = perOutput / std::sqrt(2.0);
    EXPECT_NEAR(perColumn / publishedOut, 1.0, 0.03) << perColumn;
    EXPECT_NEAR(perOutput / (std::sqrt(2.0) * publishedOut), 1.0, 0.03);
    EXPECT_NEAR(sum / n / rowUnit, 0.0, 0.003);
    std::printf("aihwkit-pcm: output noise %.4f per column, %.4f per output\n",
                perColumn, perOutput);
  }

  // Programming variation: one row at full input, the largest positive
  // weight; every programmed crossbar (stream) draws its cells anew. Both
  // cells of the pair vary (the negative one programmed to 0).
  {
    config.noise = noise;
    config.noise.read = 0;
    const int64_t rows = 1, cols = 256, streams = 200;
    std::vector<int64_t> w(rows * cols, 255), x(rows, 127), out(cols);
    double sum = 0, squares = 0, n = 0;
    for (int64_t s = 0; s < streams; ++s) {
      config.noise.stream = numerics::noiseSubstream(1, s);
      ASSERT_FALSE(static_cast<bool>(
          numerics::crossbarMVM(config, w, rows, cols, x, out)));
      for (int64_t v : out) {
        double e = double(v) - rowUnit;
        sum += e;
        squares += e * e;
        n += 1;
      }
    }
    double sd = std::sqrt(squares / n - (sum / n) * (sum / n));
    double perCell = sd / rowUnit / std::sqrt(2.0);
    EXPECT_NEAR(perCell / publishedW, 1.0, 0.03) << perCell;
    EXPECT_NEAR(sum / n / rowUnit, 0.0, 0.001);
    std::printf("aihwkit-pcm: weight noise %.5f per cell\n", perCell);
  }
}

} // namespace
