//===- HardwareTargetTest.cpp - Target descriptions from JSON -------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimDialect.h"
#include "cim/Hardware/Target.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::cim;

namespace {

class TargetJSONTest : public ::testing::Test {
protected:
  TargetJSONTest() { context.loadDialect<CimDialect>(); }

  /// The isaac preset as a JSON object, for tests that break one field.
  llvm::json::Object isaac() {
    llvm::Expected<llvm::json::Value> value =
        llvm::json::parse(*getTargetPresetJSON("isaac"));
    EXPECT_TRUE(static_cast<bool>(value));
    return std::move(*value->getAsObject());
  }

  /// Parses `object` and returns the error text ("" on success).
  std::string errorOf(llvm::json::Object object) {
    std::string text =
        llvm::formatv("{0}", llvm::json::Value(std::move(object)));
    llvm::Expected<TargetAttr> target =
        parseTargetJSON(text, "broken.json", &context);
    if (target)
      return "";
    return llvm::toString(target.takeError());
  }

  MLIRContext context;
};

TEST_F(TargetJSONTest, AllPresetsLoad) {
  std::vector<std::string> names;
  for (llvm::StringRef name : getTargetPresetNames()) {
    names.push_back(name.str());
    llvm::Expected<TargetAttr> target = loadTarget(name, &context);
    ASSERT_TRUE(static_cast<bool>(target))
        << llvm::toString(target.takeError());
    EXPECT_EQ(target->getName(), name);
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"aihwkit-pcm", "fp-cim", "isaac", "puma",
                                      "rwth-rram", "sram-dcim"}));
}

TEST_F(TargetJSONTest, IsaacFields) {
  llvm::Expected<TargetAttr> target = loadTarget("isaac", &context);
  ASSERT_TRUE(static_cast<bool>(target));
  EXPECT_EQ(target->getRows(), 128u);
  EXPECT_EQ(target->getCols(), 128u);
  EXPECT_EQ(target->getCellBits(), 2u);
  EXPECT_EQ(target->getDacBits(), 1u);
  EXPECT_EQ(target->getAdc().getMode(), AdcMode::full_range);
  EXPECT_EQ(target->getAdc().getBits(), 8u);
  EXPECT_EQ(target->getWeightSign(), WeightSign::offset_flipped);
  EXPECT_EQ(target->getInputSign(), InputSign::unsigned_);
  EXPECT_DOUBLE_EQ(target->getEnergy().getAdc().convertToDouble(), 1.67);
  EXPECT_DOUBLE_EQ(target->getLatency().getMvmCycle().convertToDouble(), 100.0);
}

// The lossless ADC width ceil(log2(R_par (2^b_dac - 1)(2^b_cell - 1) + 1)):
// 128 * 1 * 3 = 384 -> 9 bits (ISAAC), 256 * 1 * 15 = 3840 -> 12 bits.
TEST_F(TargetJSONTest, LosslessAdcBits) {
  // ISAAC's flipped columns halve the largest sum: 128 x 3 / 2 = 192.
  EXPECT_EQ(loadTarget("isaac", &context)->getMaxColumnSum(), 192u);
  EXPECT_EQ(loadTarget("isaac", &context)->getLosslessAdcBits(), 8u);
  // The same array without the flip (puma: differential columns).
  EXPECT_EQ(loadTarget("puma", &context)->getMaxColumnSum(), 384u);
  EXPECT_EQ(loadTarget("puma", &context)->getLosslessAdcBits(), 9u);
  EXPECT_EQ(loadTarget("rwth-rram", &context)->getMaxColumnSum(), 3840u);
  EXPECT_EQ(loadTarget("rwth-rram", &context)->getLosslessAdcBits(), 12u);
  EXPECT_EQ(loadTarget("sram-dcim", &context)->getLosslessAdcBits(), 9u);
}

TEST_F(TargetJSONTest, JSONRoundTrip) {
  for (llvm::StringRef name : getTargetPresetNames()) {
    TargetAttr target = *loadTarget(name, &context);
    std::string text = llvm::formatv("{0}", targetToJSON(target));
    llvm::Expected<TargetAttr> back =
        parseTargetJSON(text, "roundtrip.json", &context);
    ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
    EXPECT_EQ(*back, target) << name.str();
  }
}

TEST_F(TargetJSONTest, LoadFromFile) {
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("cim-target", "json", path));
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    ASSERT_FALSE(ec);
    llvm::json::Object object = isaac();
    object["name"] = "my-chip";
    object["rows"] = 64;
    object["parallel_rows"] = 32;
    os << llvm::json::Value(std::move(object));
  }
  llvm::Expected<TargetAttr> target = loadTarget(path, &context);
  llvm::sys::fs::remove(path);
  ASSERT_TRUE(static_cast<bool>(target)) << llvm::toString(target.takeError());
  EXPECT_EQ(target->getName(), "my-chip");
  EXPECT_EQ(target->getRows(), 64u);
  EXPECT_EQ(target->getParallelRows(), 32u);
}

TEST_F(TargetJSONTest, UnknownTargetNamesPresets) {
  llvm::Expected<TargetAttr> target = loadTarget("no-such-chip", &context);
  ASSERT_FALSE(static_cast<bool>(target));
  std::string message = llvm::toString(target.takeError());
  EXPECT_NE(message.find("unknown target 'no-such-chip'"), std::string::npos);
  EXPECT_NE(message.find("isaac, puma"), std::string::npos) << message;
}

TEST_F(TargetJSONTest, SyntaxError) {
  llvm::Expected<TargetAttr> target =
      parseTargetJSON("{\"rows\": 12,,}", "bad.json", &context);
  ASSERT_FALSE(static_cast<bool>(target));
  std::string message = llvm::toString(target.takeError());
  EXPECT_NE(message.find("bad.json: invalid JSON"), std::string::npos)
      << message;
}

TEST_F(TargetJSONTest, NotAnObject) {
  llvm::Expected<TargetAttr> target =
      parseTargetJSON("[1, 2]", "list.json", &context);
  ASSERT_FALSE(static_cast<bool>(target));
  EXPECT_NE(llvm::toString(target.takeError()).find("must be a JSON object"),
            std::string::npos);
}

TEST_F(TargetJSONTest, MissingField) {
  llvm::json::Object object = isaac();
  object.erase("cell_bits");
  EXPECT_EQ(errorOf(std::move(object)),
            "broken.json: missing field 'cell_bits'");
  llvm::json::Object nested = isaac();
  nested.getObject("latency")->erase("mvm_cycle");
  EXPECT_EQ(errorOf(std::move(nested)),
            "broken.json: missing field 'latency.mvm_cycle'");
}

TEST_F(TargetJSONTest, UnknownField) {
  llvm::json::Object object = isaac();
  object["colums"] = 128;
  EXPECT_NE(errorOf(std::move(object)).find("unknown field 'colums'"),
            std::string::npos);
  llvm::json::Object nested = isaac();
  (*nested.getObject("noise"))["shot"] = 0.1;
  EXPECT_NE(errorOf(std::move(nested)).find("unknown field 'noise.shot'"),
            std::string::npos);
}

TEST_F(TargetJSONTest, WrongTypes) {
  llvm::json::Object object = isaac();
  object["rows"] = "128";
  EXPECT_EQ(errorOf(std::move(object)),
            "broken.json: field 'rows' must be a non-negative integer, got "
            "\"128\"");
  llvm::json::Object negative = isaac();
  negative["cores"] = -2;
  EXPECT_NE(errorOf(std::move(negative))
                .find("field 'cores' must be a "
                      "non-negative integer"),
            std::string::npos);
  llvm::json::Object fraction = isaac();
  fraction["cols"] = 127.5;
  EXPECT_NE(errorOf(std::move(fraction)).find("field 'cols'"),
            std::string::npos);
  llvm::json::Object real = isaac();
  (*real.getObject("energy"))["adc"] = true;
  EXPECT_EQ(errorOf(std::move(real)),
            "broken.json: field 'energy.adc' must be a number, got true");
}

TEST_F(TargetJSONTest, BadEnum) {
  llvm::json::Object object = isaac();
  object["weight_sign"] = "sign_magnitude";
  EXPECT_EQ(errorOf(std::move(object)),
            "broken.json: field 'weight_sign' must be one of 'offset', "
            "'differential_columns', 'differential_rows', "
            "'twos_complement', 'offset_flipped', got 'sign_magnitude'");
}

TEST_F(TargetJSONTest, OutOfRange) {
  llvm::json::Object rows = isaac();
  rows["parallel_rows"] = 256;
  EXPECT_EQ(errorOf(std::move(rows)),
            "broken.json: parallel_rows must be in [1, rows = 128], got 256");

  llvm::json::Object cells = isaac();
  cells["cell_bits"] = 0;
  EXPECT_EQ(errorOf(std::move(cells)),
            "broken.json: cell_bits must be in [1, 8], got 0");

  llvm::json::Object adc = isaac();
  (*adc.getObject("adc"))["min_bits"] = 9;
  EXPECT_EQ(errorOf(std::move(adc)),
            "broken.json: adc bits must satisfy 1 <= adc.min_bits (9) <= "
            "adc.bits (8) <= adc.max_bits (10) <= 16");

  llvm::json::Object ideal = isaac();
  (*ideal.getObject("adc"))["mode"] = "ideal";
  EXPECT_NE(errorOf(std::move(ideal)).find("has no resolution"),
            std::string::npos);

  llvm::json::Object latency = isaac();
  (*latency.getObject("latency"))["sync"] = -1.0;
  EXPECT_EQ(errorOf(std::move(latency)),
            "broken.json: latency.sync must be a finite non-negative number, "
            "got -1");

  llvm::json::Object noise = isaac();
  (*noise.getObject("noise"))["adc_nonlinearity"] = 1.5;
  EXPECT_EQ(errorOf(std::move(noise)),
            "broken.json: noise.adc_nonlinearity must be below 1, got 1.5");

  llvm::json::Object tree = isaac();
  (*tree.getObject("adc")) = llvm::json::Object{
      {"mode", "adder_tree"}, {"bits", 0}, {"min_bits", 0}, {"max_bits", 0}};
  EXPECT_NE(errorOf(std::move(tree)).find("needs cell_bits = 1"),
            std::string::npos);

  llvm::json::Object empty = isaac();
  empty["name"] = "";
  EXPECT_EQ(errorOf(std::move(empty)), "broken.json: name must not be empty");
}

} // namespace
