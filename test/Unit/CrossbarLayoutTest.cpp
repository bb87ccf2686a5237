//===- CrossbarLayoutTest.cpp - Tiling weight matrices onto crossbars -----===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// layout::tileMatrix against closed-form crossbar counts written out here,
// independently of the implementation: for ResNet-18 on two targets,
//   crossbars = ceil(K * rowsPerInput / R) * ceil(N / floor((C - ref) / cpo))
// with cpo the physical columns per output column; plus utilization,
// channel alignment, sign-plane and differential-row accounting, row groups
// and the errors.
//
//===----------------------------------------------------------------------===//

#include "cim/Hardware/CrossbarLayout.h"

#include "gtest/gtest.h"

using namespace mlir::cim;
using namespace mlir::cim::layout;

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// tileMatrix that must succeed.
Tiling tile(const Geometry &g, int64_t k, int64_t n, unsigned weightBits = 8,
            const Options &options = Options()) {
  llvm::Expected<Tiling> t = tileMatrix(g, k, n, weightBits, 8, options);
  if (!t) {
    ADD_FAILURE() << llvm::toString(t.takeError());
    return Tiling();
  }
  return std::move(*t);
}

/// The message of a tileMatrix call expected to fail ("" if it succeeded).
std::string failure(const Geometry &g, int64_t k, int64_t n,
                    unsigned weightBits, const Options &options = Options()) {
  llvm::Expected<Tiling> t = tileMatrix(g, k, n, weightBits, 8, options);
  if (t)
    return "";
  return llvm::toString(t.takeError());
}

Geometry isaac() {
  Geometry g; // targets/isaac.json
  g.rows = 128;
  g.cols = 128;
  g.parallelRows = 128;
  g.cellBits = 2;
  g.dacBits = 1;
  g.weightSign = WeightSign::offset;
  g.inputSign = InputSign::unsigned_;
  return g;
}

Geometry rwthRram() {
  Geometry g; // targets/rwth-rram.json
  g.rows = 256;
  g.cols = 256;
  g.parallelRows = 256;
  g.cellBits = 4;
  g.dacBits = 1;
  g.weightSign = WeightSign::differential_columns;
  g.inputSign = InputSign::twos_complement;
  return g;
}

/// A weight matrix of ResNet-18 (K = C_in * kh * kw, N = C_out), `count`
/// times.
struct Layer {
  const char *name;
  int64_t k, n, count;
};

const Layer kResNet18[] = {
    {"conv1", 3 * 7 * 7, 64, 1},
    {"layer1 conv", 64 * 3 * 3, 64, 4},
    {"layer2.0.conv1", 64 * 3 * 3, 128, 1},
    {"layer2 conv", 128 * 3 * 3, 128, 3},
    {"layer2 downsample", 64, 128, 1},
    {"layer3.0.conv1", 128 * 3 * 3, 256, 1},
    {"layer3 conv", 256 * 3 * 3, 256, 3},
    {"layer3 downsample", 128, 256, 1},
    {"layer4.0.conv1", 256 * 3 * 3, 512, 1},
    {"layer4 conv", 512 * 3 * 3, 512, 3},
    {"layer4 downsample", 256, 512, 1},
    {"fc", 512, 1000, 1},
};

/// Checks every ResNet-18 layer against the closed form and returns the
/// network's crossbar count.
int64_t checkResNet18(const Geometry &g, int64_t rowsPerInput,
                      int64_t colsPerOutput, int64_t reference) {
  int64_t total = 0;
  for (const Layer &layer : kResNet18) {
    int64_t expected =
        ceilDiv(layer.k * rowsPerInput, g.rows) *
        ceilDiv(layer.n, (int64_t(g.cols) - reference) / colsPerOutput);
    Tiling t = tile(g, layer.k, layer.n);
    EXPECT_EQ(int64_t(t.tiles.size()), expected) << layer.name;
    EXPECT_EQ(t.rowTiles * t.colTiles, expected) << layer.name;
    total += expected * layer.count;
  }
  return total;
}

TEST(CrossbarLayout, ResNet18OnIsaac) {
  // W8 offset code in 2-bit cells: 4 slices = 4 columns per output, plus one
  // reference column per crossbar: floor(127 / 4) = 31 outputs per crossbar.
  // E.g. layer4 conv, K = 4608, N = 512: 4608 / 128 = 36 row tiles x
  // ceil(512 / 31) = 17 column tiles = 612; fc, K = 512, N = 1000: 4 x
  // ceil(1000 / 31) = 33 -> 132; conv1, K = 147: 2 x ceil(64 / 31) = 3 -> 6.
  Geometry g = isaac();
  EXPECT_EQ(tile(g, 4608, 512).tiles.size(), 612u);
  EXPECT_EQ(tile(g, 512, 1000).tiles.size(), 132u);
  EXPECT_EQ(tile(g, 147, 64).tiles.size(), 6u);
  Tiling t = tile(g, 4608, 512);
  EXPECT_EQ(t.encoding.columnsPerOutput, 4u);
  EXPECT_EQ(t.outputsPerTile, 31);
  // 6 + 4*15 + 25 + 3*45 + 5 + 81 + 3*162 + 9 + 306 + 3*612 + 34 + 132.
  EXPECT_EQ(checkResNet18(g, /*rowsPerInput=*/1, /*colsPerOutput=*/4,
                          /*reference=*/1),
            3115);
}

TEST(CrossbarLayout, ResNet18OnRwthRram) {
  // W8 differential: 7 magnitude bits in 4-bit cells = 2 slices, x 2 arrays
  // = 4 columns per output, no reference: 64 outputs per crossbar.
  // E.g. layer4 conv: 4608 / 256 = 18 x 512 / 64 = 8 -> 144; fc: 2 x
  // ceil(1000 / 64) = 16 -> 32.
  Geometry g = rwthRram();
  EXPECT_EQ(tile(g, 4608, 512).tiles.size(), 144u);
  EXPECT_EQ(tile(g, 512, 1000).tiles.size(), 32u);
  Tiling t = tile(g, 4608, 512);
  EXPECT_EQ(t.encoding.sliceWidths, (llvm::SmallVector<unsigned>{4, 3}));
  EXPECT_EQ(t.encoding.columnsPerOutput, 4u);
  EXPECT_EQ(t.outputsPerTile, 64);
  // 1 + 4*3 + 6 + 3*10 + 2 + 20 + 3*36 + 4 + 72 + 3*144 + 8 + 32.
  EXPECT_EQ(checkResNet18(g, /*rowsPerInput=*/1, /*colsPerOutput=*/4,
                          /*reference=*/0),
            727);
}

TEST(CrossbarLayout, ExactShapesFillEveryCell) {
  Geometry g = isaac();
  Options noReference;
  noReference.referenceColumn = false;
  // 256 / 128 = 2 row tiles, 64 / (128 / 4) = 2 column tiles, all full.
  Tiling t = tile(g, 256, 64, 8, noReference);
  EXPECT_EQ(t.rowTiles, 2);
  EXPECT_EQ(t.colTiles, 2);
  for (const Tile &x : t.tiles) {
    EXPECT_EQ(x.physRows, 128);
    EXPECT_EQ(x.physCols, 128);
  }
  EXPECT_DOUBLE_EQ(t.utilization(g), 1.0);
  // With the reference column: 31 outputs x 4 + 1 = 125 of 128 columns.
  Tiling ref = tile(g, 128, 62);
  EXPECT_EQ(ref.tiles.size(), 2u);
  EXPECT_DOUBLE_EQ(ref.utilization(g), 125.0 / 128.0);
  // Half the rows of the second row tile: (128 + 64) / (2 * 128).
  EXPECT_DOUBLE_EQ(tile(g, 192, 64, 8, noReference).utilization(g), 0.75);
}

TEST(CrossbarLayout, ChannelAlignedTilesHoldWholeKernels) {
  Geometry g = isaac();
  Options aligned;
  aligned.channelAligned = true;
  aligned.kernelArea = 9;
  // 128 rows hold 14 whole 3x3 kernels: 126 rows; 576 = 4 x 126 + 72.
  Tiling t = tile(g, 576, 64, 8, aligned);
  EXPECT_EQ(t.rowsPerTile, 126);
  EXPECT_EQ(t.rowTiles, 5);
  for (const Tile &x : t.tiles) {
    EXPECT_EQ(x.rowBegin % 9, 0);
    EXPECT_EQ(x.rowEnd % 9, 0);
  }
  EXPECT_EQ(t.tiles.back().numRows(), 72);
  // Unaligned: 128 rows per tile, 5 row tiles as well but cut mid-kernel.
  EXPECT_EQ(tile(g, 576, 64).rowsPerTile, 128);
}

TEST(CrossbarLayout, TwosComplementWeightsCountTheSignPlane) {
  Geometry g = isaac();
  g.weightSign = WeightSign::twos_complement;
  // 7 magnitude bits in 2-bit cells = 4 slices, + 1 sign slice = 5 planes;
  // no reference column: floor(128 / 5) = 25 outputs per crossbar.
  Tiling t = tile(g, 100, 60);
  EXPECT_EQ(t.encoding.sliceWidths, (llvm::SmallVector<unsigned>{2, 2, 2, 1}));
  EXPECT_EQ(t.encoding.planes, 5u);
  EXPECT_EQ(t.encoding.columnsPerOutput, 5u);
  EXPECT_EQ(t.outputsPerTile, 25);
  EXPECT_EQ(t.colTiles, 3);
  EXPECT_EQ(t.tiles[0].physCols, 125);
  EXPECT_FALSE(t.tiles[0].reference);
}

TEST(CrossbarLayout, DifferentialRowsHalveTheRows) {
  Geometry g = isaac();
  g.weightSign = WeightSign::differential_rows;
  // 7 magnitude bits = 4 slices, one column each; every weight takes a
  // positive and a negative row: 64 logical rows per crossbar.
  Tiling t = tile(g, 200, 32);
  EXPECT_EQ(t.encoding.rowsPerInput, 2u);
  EXPECT_EQ(t.encoding.columnsPerOutput, 4u);
  EXPECT_EQ(t.rowsPerTile, 64);
  EXPECT_EQ(t.rowTiles, 4); // 3 x 64 + 8
  EXPECT_EQ(t.outputsPerTile, 32);
  EXPECT_EQ(t.tiles[0].physRows, 128);
  EXPECT_EQ(t.tiles.back().physRows, 16);
  // 128 physical rows per conversion = 64 weights: one group per tile.
  EXPECT_EQ(t.encoding.groupRows, 64u);
  EXPECT_EQ(t.tiles[0].groups, 1);
}

TEST(CrossbarLayout, RowGroupsPerTile) {
  Geometry g = isaac();
  g.parallelRows = 32;
  // 421 = 3 x 128 + 37 rows: 4, 4, 4 and ceil(37 / 32) = 2 groups.
  Tiling t = tile(g, 421, 10);
  ASSERT_EQ(t.tiles.size(), 4u);
  EXPECT_EQ(t.tiles[0].groups, 4);
  EXPECT_EQ(t.tiles[2].groups, 4);
  EXPECT_EQ(t.tiles[3].numRows(), 37);
  EXPECT_EQ(t.tiles[3].groups, 2);
  EXPECT_EQ(tile(g, 100, 10).tiles[0].groups, 4); // ceil(100 / 32)
  EXPECT_EQ(tile(g, 65, 10).tiles[0].groups, 3);  // ceil(65 / 32)
}

TEST(CrossbarLayout, Errors) {
  Geometry g = isaac();
  // 8-bit offset code in 1-bit cells: 8 columns + reference > 8 columns.
  g.cols = 8;
  g.cellBits = 1;
  std::string message = failure(g, 10, 10, 8);
  EXPECT_NE(message.find("one output column needs 9 crossbar columns, the "
                         "crossbar has 8"),
            std::string::npos)
      << message;
  Options noReference;
  noReference.referenceColumn = false;
  EXPECT_EQ(failure(g, 10, 10, 8, noReference), "");

  // Non-uniform slices that do not make the 8-bit code.
  Geometry wide = isaac();
  wide.cellBits = 4;
  Options slices;
  slices.sliceWidths = {4, 3};
  message = failure(wide, 10, 10, 8, slices);
  EXPECT_NE(message.find("slice widths add up to 7 bits, the encoded weights "
                         "have 8"),
            std::string::npos)
      << message;
  // ... and a slice wider than a cell.
  slices.sliceWidths = {4, 4};
  EXPECT_EQ(failure(wide, 10, 10, 8, slices), "");
  EXPECT_NE(failure(isaac(), 10, 10, 8, slices).find("slice width 4"),
            std::string::npos);

  EXPECT_NE(failure(isaac(), 0, 10, 8).find("nothing to place"),
            std::string::npos);
  Geometry oneRow = isaac();
  oneRow.rows = 1;
  oneRow.weightSign = WeightSign::differential_rows;
  EXPECT_NE(failure(oneRow, 10, 10, 8).find("one input row needs 2"),
            std::string::npos);
}

} // namespace
