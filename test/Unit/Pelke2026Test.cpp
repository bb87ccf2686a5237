//===- Pelke2026Test.cpp - Replay the published policies ------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Replays the 14 mixed-precision policies released with Pelke et al. (DATE
// 2026) through our implementation of their latency model and checks the
// speedup over uniform W8A8 against the figures recorded from the authors'
// code (../shared/data/pelke2026/expected_speedups.json), for their three
// mappings. The data is read in place, not copied; without it the test is
// skipped with a message.
//
//===----------------------------------------------------------------------===//

#include "cim/Analysis/Pelke2026.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cstdlib>
#include <cstring>

using namespace mlir::cim;

namespace {

std::string dataDir() {
  const char *src = std::getenv("CIM_SOURCE_DIR");
  llvm::SmallString<256> path(src ? src : ".");
  llvm::sys::path::append(path, "..", "shared", "data", "pelke2026");
  return std::string(path);
}

std::optional<llvm::json::Value> readJSON(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return std::nullopt;
  llvm::Expected<llvm::json::Value> value =
      llvm::json::parse((*buffer)->getBuffer());
  if (!value) {
    llvm::consumeError(value.takeError());
    return std::nullopt;
  }
  return std::move(*value);
}

/// Reads a little-endian int64 .npy array of shape (L, 2) (numpy format 1.0).
std::optional<std::vector<std::pair<unsigned, unsigned>>>
readPolicy(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return std::nullopt;
  llvm::StringRef data = (*buffer)->getBuffer();
  if (!data.starts_with("\x93NUMPY") || data.size() < 10)
    return std::nullopt;
  unsigned headerLen = uint8_t(data[8]) | (uint8_t(data[9]) << 8);
  llvm::StringRef header = data.substr(10, headerLen);
  if (!header.contains("'<i8'") || header.contains("'fortran_order': True"))
    return std::nullopt;
  llvm::StringRef body = data.drop_front(10 + headerLen);
  std::vector<std::pair<unsigned, unsigned>> rows;
  for (size_t i = 0; i + 16 <= body.size(); i += 16) {
    int64_t w, a;
    std::memcpy(&w, body.data() + i, 8);
    std::memcpy(&a, body.data() + i + 8, 8);
    rows.emplace_back(unsigned(w), unsigned(a));
  }
  return rows;
}

std::vector<pelke2026::Layer> readLayers(const std::string &path) {
  std::vector<pelke2026::Layer> layers;
  std::optional<llvm::json::Value> json = readJSON(path);
  if (!json || !json->getAsArray())
    return layers;
  for (const llvm::json::Value &entry : *json->getAsArray()) {
    const llvm::json::Object *o = entry.getAsObject();
    pelke2026::Layer layer;
    layer.inDim = *o->getInteger("in_dim");
    layer.outDim = *o->getInteger("out_dim");
    layer.invocations = *o->getInteger("mvm_invocations");
    layer.repeat = *o->getInteger("repeat_factor");
    layers.push_back(layer);
  }
  return layers;
}

double totalUs(const std::vector<pelke2026::Layer> &layers,
               const std::vector<std::pair<unsigned, unsigned>> &bits,
               const pelke2026::Params &params) {
  double total = 0;
  for (size_t i = 0; i < layers.size(); ++i)
    total +=
        pelke2026::latencyUs(layers[i], bits[i].first, bits[i].second, params);
  return total;
}

TEST(Pelke2026, SanityValuesFromTheirCode) {
  pelke2026::Params params; // dc, 4-bit cells
  // ResNet-18 conv1 (147 x 64, 112*112 pixels) at W8A8: 140548.8 us.
  pelke2026::Layer conv1{147, 64, 112 * 112, 1};
  EXPECT_EQ(pelke2026::writes(conv1, 8, params), 1);
  EXPECT_NEAR(pelke2026::latencyUs(conv1, 8, 8, params), 140548.8, 1e-6);
  // fc (512 -> 1000): 32 writes, 2150.4 us.
  pelke2026::Layer fc{512, 1000, 1, 1};
  EXPECT_EQ(pelke2026::writes(fc, 8, params), 32);
  EXPECT_NEAR(pelke2026::latencyUs(fc, 8, 8, params), 2150.4, 1e-6);
  // ViT Q.K^T (64 x 50, 50 tokens, 12 heads): 7392 us.
  pelke2026::Layer qk{64, 50, 50, 12};
  EXPECT_NEAR(pelke2026::latencyUs(qk, 8, 8, params), 7392.0, 1e-6);
}

TEST(Pelke2026, ReplayPublishedPolicies) {
  std::string dir = dataDir();
  std::optional<llvm::json::Value> expected =
      readJSON(dir + "/expected_speedups.json");
  if (!expected)
    GTEST_SKIP() << "no pelke2026 data at " << dir
                 << " (../shared/data/pelke2026 beside the checkout)";
  int replayed = 0;
  for (const llvm::json::Value &entry : *expected->getAsArray()) {
    const llvm::json::Object *o = entry.getAsObject();
    std::string policyName = o->getString("policy")->str();
    std::string model = o->getString("model")->str();
    auto policy = readPolicy(dir + "/policies/" + policyName);
    std::vector<pelke2026::Layer> layers =
        readLayers(dir + "/" + model + "_layers.json");
    ASSERT_TRUE(policy) << policyName;
    ASSERT_EQ(policy->size(), layers.size()) << policyName;
    std::vector<std::pair<unsigned, unsigned>> w8a8(layers.size(), {8, 8});

    pelke2026::Params params;
    params.cellBits = unsigned(*o->getInteger("cell_bits"));
    EXPECT_NEAR(totalUs(layers, w8a8, params), *o->getNumber("latency_w8a8_us"),
                0.5)
        << policyName;
    EXPECT_NEAR(totalUs(layers, *policy, params),
                *o->getNumber("latency_policy_us"), 0.5)
        << policyName;
    std::pair<WeightSign, const char *> mappings[] = {
        {WeightSign::differential_columns, "speedup_vs_w8a8_dc"},
        {WeightSign::offset, "speedup_vs_w8a8_of"},
        {WeightSign::differential_rows, "speedup_vs_w8a8_dr"}};
    for (auto [mapping, key] : mappings) {
      params.mapping = mapping;
      double speedup =
          totalUs(layers, w8a8, params) / totalUs(layers, *policy, params);
      double published = *o->getNumber(key);
      // Within 0.5% (the published figures have 4 decimals).
      EXPECT_NEAR(speedup, published, 0.005 * published)
          << policyName << " " << key;
      // The table in docs/benchmarks.md comes from these lines.
      llvm::outs() << llvm::format("| %s | %s | %.3f | %.3f |\n",
                                   policyName.c_str(), key, speedup, published);
    }
    ++replayed;
  }
  EXPECT_EQ(replayed, 14);
}

} // namespace
