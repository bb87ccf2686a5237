//===- TiledMVMTest.cpp - Tiled crossbar MVM against integer GEMM ---------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A matrix cut into crossbar tiles by layout::tileMatrix and executed tile by
// tile with digital accumulation of the row tiles must still be the integer
// GEMM, bit-exactly, whenever each crossbar is exact (ideal ADC, or a
// full-range ADC at the lossless width). The reference is a plain triple
// loop, independent of the code under test.
//
//===----------------------------------------------------------------------===//

#include "cim/Numerics/TiledMVM.h"
#include "cim/Hardware/CrossbarLayout.h"
#include "cim/Hardware/LayerConfig.h"

#include "gtest/gtest.h"

#include <random>
#include <sstream>

using namespace mlir::cim;
// The layout speaks the dialect's enums; the arithmetic its own.
using numerics::Block;
using numerics::CrossbarConfig;
using numerics::CrossbarStats;
using numerics::inputCodeRange;
using numerics::losslessAdcBits;
using numerics::tiledMVM;
using numerics::tiledMVMBatch;
using numerics::weightCodeRange;
using numerics::weightSliceWidths;

namespace {

std::vector<int64_t> referenceGemm(const std::vector<int64_t> &w,
                                   const std::vector<int64_t> &x, int64_t rows,
                                   int64_t cols, int64_t batch = 1) {
  std::vector<int64_t> y(batch * cols, 0);
  for (int64_t p = 0; p < batch; ++p)
    for (int64_t k = 0; k < rows; ++k)
      for (int64_t n = 0; n < cols; ++n)
        y[p * cols + n] += w[k * cols + n] * x[p * rows + k];
  return y;
}

struct Problem {
  int64_t rows = 0, cols = 0, batch = 1;
  std::vector<int64_t> w, x;
};

/// Random weights and inputs in the ranges of `config`, extremes included.
Problem randomProblem(std::mt19937 &rng, const CrossbarConfig &config,
                      int64_t rows, int64_t cols, int64_t batch = 1) {
  Problem p;
  p.rows = rows;
  p.cols = cols;
  p.batch = batch;
  int64_t wMax = weightCodeRange(config).max;
  int64_t xMin = inputCodeRange(config).min;
  int64_t xMax = inputCodeRange(config).max;
  std::uniform_int_distribution<int64_t> wd(-wMax, wMax), xd(xMin, xMax);
  for (int64_t i = 0; i < rows * cols; ++i)
    p.w.push_back(wd(rng));
  p.w.front() = -wMax;
  p.w.back() = wMax;
  for (int64_t i = 0; i < batch * rows; ++i)
    p.x.push_back(xd(rng));
  p.x.front() = xMin;
  p.x.back() = xMax;
  return p;
}

std::vector<Block> blocksOf(const layout::Tiling &tiling) {
  std::vector<Block> blocks;
  for (const layout::Tile &t : tiling.tiles)
    blocks.push_back({t.rowBegin, t.rowEnd, t.colBegin, t.colEnd});
  return blocks;
}

/// The numerics configuration of a crossbar with `geometry`.
CrossbarConfig configFor(const layout::Geometry &g, unsigned weightBits,
                         unsigned inputBits,
                         llvm::ArrayRef<unsigned> slices = {}) {
  CrossbarConfig c;
  c.weightBits = weightBits;
  c.inputBits = inputBits;
  c.cellBits = g.cellBits;
  c.dacBits = g.dacBits;
  c.parallelRows = g.parallelRows;
  c.weightSign = toNumerics(g.weightSign);
  c.inputSign = toNumerics(g.inputSign);
  c.sliceWidths.assign(slices.begin(), slices.end());
  return c;
}

std::string describe(const layout::Geometry &g, const CrossbarConfig &c,
                     const Problem &p) {
  std::ostringstream os;
  os << g.rows << "x" << g.cols << " crossbar, parallel_rows " << g.parallelRows
     << ", cell " << g.cellBits << ", dac " << g.dacBits << ", weights "
     << stringifyWeightSign(toDialect(c.weightSign)).str() << " B_w "
     << c.weightBits << ", inputs "
     << stringifyInputSign(toDialect(c.inputSign)).str() << " B_x "
     << c.inputBits << ", slices {";
  for (unsigned w : weightSliceWidths(c))
    os << w << ",";
  os << "}, adc " << stringifyAdcMode(toDialect(c.adcMode)).str() << " "
     << c.adcBits << ", K=" << p.rows << " N=" << p.cols;
  return os.str();
}

const WeightSign kWeightSigns[] = {
    WeightSign::offset, WeightSign::differential_columns,
    WeightSign::differential_rows, WeightSign::twos_complement,
    WeightSign::offset_flipped};
const InputSign kInputSigns[] = {InputSign::unsigned_,
                                 InputSign::twos_complement, InputSign::offset};

/// Tiles a random problem on `g`, runs it with an ideal and a lossless
/// full-range ADC and checks both against the GEMM, and the event counts
/// against the tiling. Returns the number of tiles.
size_t checkTiled(std::mt19937 &rng, const layout::Geometry &g,
                  unsigned weightBits, unsigned inputBits,
                  llvm::ArrayRef<unsigned> slices,
                  const layout::Options &options) {
  int64_t k = std::uniform_int_distribution<int64_t>(1, 700)(rng);
  int64_t n = std::uniform_int_distribution<int64_t>(1, 70)(rng);
  llvm::Expected<layout::Tiling> tiling =
      layout::tileMatrix(g, k, n, weightBits, inputBits, options);
  if (!tiling) {
    ADD_FAILURE() << llvm::toString(tiling.takeError());
    return 0;
  }
  std::vector<Block> blocks = blocksOf(*tiling);
  CrossbarConfig config = configFor(g, weightBits, inputBits, slices);
  Problem p = randomProblem(rng, config, k, n);
  std::vector<int64_t> expected = referenceGemm(p.w, p.x, k, n);
  for (numerics::AdcMode mode :
       {numerics::AdcMode::ideal, numerics::AdcMode::full_range}) {
    config.adcMode = mode;
    config.adcBits = losslessAdcBits(config);
    std::vector<int64_t> out(n, -1);
    CrossbarStats stats;
    llvm::Error error = tiledMVM(config, p.w, k, n, blocks, p.x, out, &stats);
    if (error) {
      ADD_FAILURE() << describe(g, config, p) << ": "
                    << llvm::toString(std::move(error));
      continue;
    }
    EXPECT_EQ(out, expected) << describe(g, config, p);
    // The layout's row groups and planes are what the numerics converts:
    // one DAC cycle per (tile, group, cycle), one conversion per column of
    // it (differential rows subtract in analog: one per slice).
    const layout::Encoding &e = tiling->encoding;
    uint64_t perOutput = g.weightSign == WeightSign::differential_rows
                             ? e.planes
                             : e.columnsPerOutput;
    uint64_t groups = 0, conversions = 0;
    for (const layout::Tile &t : tiling->tiles) {
      groups += t.groups;
      conversions += t.groups * e.cycles * perOutput * t.numCols();
    }
    EXPECT_EQ(stats.dacCycles, groups * e.cycles) << describe(g, config, p);
    EXPECT_EQ(stats.conversions, conversions) << describe(g, config, p);
  }
  return blocks.size();
}

struct Shape {
  unsigned rows, cols, parallelRows, cellBits, dacBits;
};

layout::Geometry geometryOf(const Shape &s, WeightSign ws, InputSign is) {
  layout::Geometry g;
  g.rows = s.rows;
  g.cols = s.cols;
  g.parallelRows = s.parallelRows;
  g.cellBits = s.cellBits;
  g.dacBits = s.dacBits;
  g.weightSign = ws;
  g.inputSign = is;
  return g;
}

TEST(TiledMVM, UniformSlicesOnTiledCrossbarsAreExactGemm) {
  // Every shape holds an 8-bit weight column in every scheme; the small ones
  // make hundreds of tiles, and parallel_rows < rows makes several groups.
  const Shape shapes[] = {
      {16, 8, 4, 2, 1},   {15, 12, 6, 3, 2},    {24, 24, 5, 1, 2},
      {64, 32, 16, 2, 3}, {128, 128, 32, 2, 1}, {256, 256, 100, 4, 1},
  };
  std::mt19937 rng(20260);
  int checked = 0;
  size_t maxTiles = 0;
  for (const Shape &s : shapes)
    for (WeightSign ws : kWeightSigns)
      for (InputSign is : kInputSigns)
        for (int variant = 0; variant < 3; ++variant) {
          layout::Geometry g = geometryOf(s, ws, is);
          unsigned weightBits =
              variant == 0 ? 8
                           : std::uniform_int_distribution<unsigned>(2, 7)(rng);
          unsigned inputBits =
              std::uniform_int_distribution<unsigned>(2, 8)(rng);
          layout::Options options;
          options.referenceColumn = variant != 1;
          // Channel alignment makes row tiles of uneven height.
          options.channelAligned = variant != 0;
          options.kernelArea = variant == 1 ? 3 : 9;
          maxTiles = std::max(
              maxTiles, checkTiled(rng, g, weightBits, inputBits, {}, options));
          ++checked;
        }
  EXPECT_EQ(checked, 6 * 5 * 3 * 3);
  EXPECT_GT(maxTiles, 1000u);
}

TEST(TiledMVM, NonUniformSlicesOnTiledCrossbarsAreExactGemm) {
  const Shape shapes[] = {{16, 8, 4, 4, 1}, {100, 40, 30, 4, 2}};
  std::mt19937 rng(4311);
  int checked = 0;
  for (const Shape &s : shapes)
    for (WeightSign ws : kWeightSigns)
      for (InputSign is : kInputSigns) {
        // 8-bit offset codes have 8 bits; the other schemes 7 magnitude
        // bits (two's complement adds its sign slice on top).
        std::vector<llvm::SmallVector<unsigned>> slicings =
            ws == WeightSign::offset || ws == WeightSign::offset_flipped
                ? std::vector<llvm::SmallVector<unsigned>>{{1, 3, 4},
                                                           {4, 3, 1},
                                                           {2, 2, 4}}
                : std::vector<llvm::SmallVector<unsigned>>{
                      {3, 4}, {4, 3}, {1, 2, 4}};
        for (const llvm::SmallVector<unsigned> &slices : slicings) {
          layout::Geometry g = geometryOf(s, ws, is);
          layout::Options options;
          options.sliceWidths = slices;
          checkTiled(rng, g, 8, 8, slices, options);
          ++checked;
        }
      }
  EXPECT_EQ(checked, 2 * 5 * 3 * 3);
}

// Blocks need not come from a regular grid: row splits may differ per column
// strip.
TEST(TiledMVM, IrregularBlocksAreExactGemm) {
  std::mt19937 rng(5);
  CrossbarConfig config;
  config.parallelRows = 8;
  config.weightSign = numerics::WeightSign::differential_rows;
  config.inputSign = numerics::InputSign::twos_complement;
  Problem p = randomProblem(rng, config, 50, 9);
  std::vector<Block> blocks = {{0, 50, 0, 2},  {0, 13, 2, 5}, {13, 14, 2, 5},
                               {14, 50, 2, 5}, {0, 30, 5, 9}, {30, 50, 5, 6},
                               {30, 50, 6, 9}};
  std::vector<int64_t> out(9);
  llvm::Error error = tiledMVM(config, p.w, 50, 9, blocks, p.x, out);
  ASSERT_FALSE(static_cast<bool>(error)) << llvm::toString(std::move(error));
  EXPECT_EQ(out, referenceGemm(p.w, p.x, 50, 9));
}

TEST(TiledMVM, BatchMatchesGemmAndSingleVectors) {
  std::mt19937 rng(77);
  layout::Geometry g =
      geometryOf({32, 16, 8, 2, 2}, WeightSign::offset, InputSign::offset);
  llvm::Expected<layout::Tiling> tiling =
      layout::tileMatrix(g, 200, 30, 8, 8, layout::Options());
  ASSERT_TRUE(static_cast<bool>(tiling)) << llvm::toString(tiling.takeError());
  std::vector<Block> blocks = blocksOf(*tiling);
  CrossbarConfig config = configFor(g, 8, 8);
  const int64_t batch = 5;
  Problem p = randomProblem(rng, config, 200, 30, batch);
  std::vector<int64_t> outs(batch * 30);
  CrossbarStats batchStats;
  llvm::Error error = tiledMVMBatch(config, p.w, 200, 30, blocks, batch, p.x,
                                    outs, &batchStats);
  ASSERT_FALSE(static_cast<bool>(error)) << llvm::toString(std::move(error));
  EXPECT_EQ(outs, referenceGemm(p.w, p.x, 200, 30, batch));
  CrossbarStats single;
  std::vector<int64_t> out(30);
  llvm::Error first =
      tiledMVM(config, p.w, 200, 30, blocks,
               llvm::ArrayRef(p.x).take_front(200), out, &single);
  ASSERT_FALSE(static_cast<bool>(first)) << llvm::toString(std::move(first));
  EXPECT_EQ(out, std::vector<int64_t>(outs.begin(), outs.begin() + 30));
  EXPECT_EQ(batchStats.conversions, batch * single.conversions);
  EXPECT_EQ(batchStats.dacCycles, batch * single.dacCycles);
}

// So the exactness tests can fail: lossy ADCs give a different answer.
TEST(TiledMVM, NarrowAdcDiffersFromGemm) {
  std::mt19937 rng(13);
  layout::Geometry g =
      geometryOf({64, 32, 16, 2, 1}, WeightSign::offset, InputSign::unsigned_);
  llvm::Expected<layout::Tiling> tiling =
      layout::tileMatrix(g, 300, 20, 8, 8, layout::Options());
  ASSERT_TRUE(static_cast<bool>(tiling)) << llvm::toString(tiling.takeError());
  std::vector<Block> blocks = blocksOf(*tiling);
  CrossbarConfig config = configFor(g, 8, 8);
  Problem p = randomProblem(rng, config, 300, 20);
  std::vector<int64_t> expected = referenceGemm(p.w, p.x, 300, 20);

  config.adcMode = numerics::AdcMode::clipped;
  config.clipLow = 0;
  config.clipHigh = 4;
  config.adcBits = 2;
  std::vector<int64_t> out(20);
  CrossbarStats stats;
  llvm::Error error = tiledMVM(config, p.w, 300, 20, blocks, p.x, out, &stats);
  ASSERT_FALSE(static_cast<bool>(error)) << llvm::toString(std::move(error));
  EXPECT_NE(out, expected);
  EXPECT_GT(stats.clippedConversions, 0u);

  config.adcMode = numerics::AdcMode::full_range;
  config.adcBits = losslessAdcBits(config) - 3;
  llvm::Error narrow = tiledMVM(config, p.w, 300, 20, blocks, p.x, out);
  ASSERT_FALSE(static_cast<bool>(narrow)) << llvm::toString(std::move(narrow));
  EXPECT_NE(out, expected);
}

/// The message of a tiledMVM call expected to fail ("" if it succeeded).
std::string failure(llvm::ArrayRef<Block> blocks,
                    std::vector<int64_t> w = std::vector<int64_t>(6 * 4, 1)) {
  CrossbarConfig config;
  std::vector<int64_t> x(6, 1), out(4);
  llvm::Error error = tiledMVM(config, w, 6, 4, blocks, x, out);
  return error ? llvm::toString(std::move(error)) : "";
}

bool contains(const std::string &text, const char *part) {
  return text.find(part) != std::string::npos;
}

TEST(TiledMVM, RejectsBadBlockLists) {
  // A valid 2 x 2 cut of the 6 x 4 matrix.
  std::vector<Block> good = {
      {0, 3, 0, 2}, {0, 3, 2, 4}, {3, 6, 0, 2}, {3, 6, 2, 4}};
  EXPECT_EQ(failure(good), "");

  std::vector<Block> gap = good;
  gap.erase(gap.begin() + 3);
  std::string message = failure(gap);
  EXPECT_TRUE(contains(message, "rows [3, 6) x cols [2, 4) are not covered"))
      << message;

  std::vector<Block> overlap = good;
  overlap[0].rowEnd = 4;
  message = failure(overlap);
  EXPECT_TRUE(contains(message, "blocks 0 (rows [0, 4) x cols [0, 2)) and 2 "
                                "(rows [3, 6) x cols [0, 2)) overlap at rows "
                                "[3, 4) x cols [0, 2)"))
      << message;

  std::vector<Block> twice = good;
  twice.push_back(good[1]);
  EXPECT_TRUE(contains(failure(twice), "overlap"));

  std::vector<Block> outside = good;
  outside[3].colEnd = 5;
  EXPECT_TRUE(contains(failure(outside), "block 3 (rows [3, 6) x cols [2, 5)) "
                                         "is empty or outside the 6x4 matrix"));

  std::vector<Block> empty = good;
  empty.push_back({2, 2, 0, 4});
  EXPECT_TRUE(contains(failure(empty), "block 4"));

  EXPECT_TRUE(contains(failure({}), "not covered"));

  // Errors of one crossbar name its block.
  std::vector<int64_t> w(6 * 4, 1);
  w[5 * 4 + 3] = 200;
  EXPECT_TRUE(contains(failure(good, w),
                       "block 3 (rows [3, 6) x cols [2, 4)): crossbar config: "
                       "weight 200"));
}

} // namespace
