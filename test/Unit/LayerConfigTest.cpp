//===- LayerConfigTest.cpp - The IR to numerics bridge --------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// lib/Hardware/LayerConfig: attributes become the numerics' plain configs.
//
//===----------------------------------------------------------------------===//

#include "cim/Hardware/LayerConfig.h"
#include "cim/Dialect/Cim/CimDialect.h"

#include "mlir/IR/MLIRContext.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::cim;

namespace {

TEST(LayerConfig, NoiseFromTargetAttribute) {
  MLIRContext context;
  context.loadDialect<CimDialect>();
  numerics::NoiseConfig none = noiseFromAttr(NoiseAttr(), 5, 6);
  EXPECT_FALSE(none.enabled());
  EXPECT_EQ(none.seed, 5u);
  EXPECT_EQ(none.stream, 6u);
  auto attr = NoiseAttr::get(&context, llvm::APFloat(0.5), llvm::APFloat(0.0),
                             llvm::APFloat(0.02), llvm::APFloat(0.1),
                             llvm::APFloat(0.03));
  numerics::NoiseConfig noise = noiseFromAttr(attr, 7);
  EXPECT_TRUE(noise.enabled());
  EXPECT_EQ(noise.thermalLsb, 0.5);
  EXPECT_EQ(noise.read, 0.0);
  EXPECT_EQ(noise.programming, 0.02);
  EXPECT_EQ(noise.adcNonlinearity, 0.1);
  EXPECT_EQ(noise.activeCell, 0.03);
  EXPECT_EQ(noise.seed, 7u);
  EXPECT_EQ(noise.stream, 0u);
}

TEST(LayerConfig, EnumsMapCaseForCase) {
  EXPECT_EQ(toNumerics(WeightSign::differential_rows),
            numerics::WeightSign::differential_rows);
  EXPECT_EQ(toNumerics(InputSign::unsigned_), numerics::InputSign::unsigned_);
  EXPECT_EQ(toNumerics(AdcMode::adder_tree), numerics::AdcMode::adder_tree);
  EXPECT_EQ(toNumerics(ScaleGranularity::tile_column),
            numerics::ScaleGranularity::tile_column);
}

} // namespace
