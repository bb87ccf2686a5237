//===- ImportONNXTest.cpp - The importer's C++ API ------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Target/ImportONNX.h"
#include "cim/Dialect/Cim/CimOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "gtest/gtest.h"

#include <cstdlib>

using namespace mlir;
using namespace mlir::cim;

namespace {

std::string inputPath(StringRef name) {
  const char *src = std::getenv("CIM_SOURCE_DIR");
  return std::string(src ? src : ".") + "/test/Target/ONNX/Inputs/" +
         name.str();
}

class ImportONNXTest : public ::testing::Test {
protected:
  ImportONNXTest()
      : handler(&context, [this](Diagnostic &diag) {
          errors.push_back(diag.str());
          return success();
        }) {}

  MLIRContext context;
  std::vector<std::string> errors;
  ScopedDiagnosticHandler handler;
};

TEST_F(ImportONNXTest, FileWithBatchOption) {
  ImportONNXOptions options;
  options.defaultBatch = 4;
  OwningOpRef<ModuleOp> module =
      importONNXFile(inputPath("tiny.onnx"), &context, options);
  ASSERT_TRUE(module) << (errors.empty() ? "" : errors.front());
  auto main = module->lookupSymbol<func::FuncOp>("main");
  ASSERT_TRUE(main);
  EXPECT_EQ(main.getArgumentTypes()[0],
            RankedTensorType::get({4, 4}, Float32Type::get(&context)));
  int gemms = 0;
  main.walk([&](GemmOp op) {
    ++gemms;
    // The weight is a constant in crossbar (K x N) layout.
    EXPECT_TRUE(op.getWeight().getDefiningOp<ConstantOp>());
  });
  EXPECT_EQ(gemms, 1);
}

TEST_F(ImportONNXTest, BytesAndInputShape) {
  const char *text = R"(
    <ir_version: 8, opset_import: ["" : 13]>
    g (float[N, 3] x) => (float[N, 3] y) { y = Relu (x) })";
  ImportONNXOptions options;
  std::string error;
  ASSERT_TRUE(succeeded(parseInputShape("x:7x3", options, error)));
  OwningOpRef<ModuleOp> module =
      importONNX(text, "inline.onnxtext", &context, options);
  ASSERT_TRUE(module);
  auto main = module->lookupSymbol<func::FuncOp>("main");
  EXPECT_EQ(cast<RankedTensorType>(main.getResultTypes()[0]).getShape(),
            ArrayRef<int64_t>({7, 3}));
  EXPECT_TRUE(failed(parseInputShape("x7x3", options, error)));
  EXPECT_NE(error.find("expected NAME:DxDx"), std::string::npos);
}

TEST_F(ImportONNXTest, ErrorsAreDiagnosticsNotCrashes) {
  EXPECT_FALSE(importONNXFile(inputPath("no-such.onnx"), &context));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("cannot read ONNX model"), std::string::npos);
  errors.clear();
  EXPECT_FALSE(importONNXFile(inputPath("truncated.onnx"), &context));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("not an ONNX model"), std::string::npos);
  errors.clear();
  // libonnx throws on this one; the exception must not escape.
  EXPECT_FALSE(importONNX("<ir_version: 8, opset_import: [\"\" : 13]>\n"
                          "g (float[2] x) => (float[3] y) { y = Relu (x) }",
                          "mismatch.onnxtext", &context));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("invalid ONNX model"), std::string::npos)
      << errors[0];
}

} // namespace
