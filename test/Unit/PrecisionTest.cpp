//===- PrecisionTest.cpp - Precision choices against targets --------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimAttrs.h"
#include "cim/Dialect/Cim/CimDialect.h"
#include "cim/Hardware/Target.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace mlir::cim;

namespace {

class PrecisionTest : public ::testing::Test {
protected:
  PrecisionTest()
      : handler(&context, [this](Diagnostic &diag) {
          lastError = diag.str();
          return success();
        }) {
    context.loadDialect<CimDialect>();
  }

  /// Verifies a precision against a preset; returns the error ("" if none).
  std::string check(StringRef preset, unsigned w, unsigned a, unsigned adc) {
    lastError.clear();
    auto emitError = [&] { return mlir::emitError(UnknownLoc::get(&context)); };
    if (failed(PrecisionAttr::verify(emitError, w, a, adc,
                                     ScaleGranularity::channel, FpAttr())))
      return lastError;
    PrecisionAttr precision =
        PrecisionAttr::get(&context, w, a, adc, ScaleGranularity::channel);
    TargetAttr target = *loadTarget(preset, &context);
    if (failed(precision.verifyAgainst(target, emitError)))
      return lastError;
    return "";
  }

  MLIRContext context;
  std::string lastError;
  ScopedDiagnosticHandler handler;
};

TEST_F(PrecisionTest, Ranges) {
  EXPECT_EQ(check("isaac", 8, 8, 0), "");
  EXPECT_EQ(check("isaac", 2, 1, 0), "");
  EXPECT_EQ(check("isaac", 1, 8, 0), "weight_bits must be in [2, 8], got 1");
  EXPECT_EQ(check("isaac", 9, 8, 0), "weight_bits must be in [2, 8], got 9");
  EXPECT_EQ(check("isaac", 8, 0, 0), "act_bits must be in [1, 8], got 0");
  EXPECT_EQ(check("isaac", 8, 8, 17), "adc_bits must be in [0, 16], got 17");
}

TEST_F(PrecisionTest, AdcBitsWithinTargetRange) {
  // isaac converts with 4..10 bits.
  EXPECT_EQ(check("isaac", 4, 4, 4), "");
  EXPECT_EQ(check("isaac", 4, 4, 10), "");
  EXPECT_EQ(check("isaac", 4, 4, 3),
            "adc_bits = 3 is outside [4, 10], the ADC range of target "
            "'isaac'");
  EXPECT_EQ(check("isaac", 4, 4, 11),
            "adc_bits = 11 is outside [4, 10], the ADC range of target "
            "'isaac'");
}

TEST_F(PrecisionTest, NoAdcBitsOnExactReadout) {
  EXPECT_EQ(check("rwth-rram", 4, 4, 0), "");
  EXPECT_EQ(check("sram-dcim", 4, 4, 0), "");
  EXPECT_EQ(check("rwth-rram", 4, 4, 8),
            "adc_bits = 8 but target 'rwth-rram' has a read-out of mode "
            "'ideal' without resolution (adc_bits must be 0)");
  EXPECT_NE(check("sram-dcim", 4, 4, 6).find("'adder_tree'"),
            std::string::npos);
}

} // namespace
