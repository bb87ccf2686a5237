//===- CimDialect.td - The cim dialect ----------------------*- tablegen -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMDIALECT_TD
#define CIM_DIALECT_CIM_CIMDIALECT_TD

include "mlir/IR/OpBase.td"

def Cim_Dialect : Dialect {
  let name = "cim";
  let summary = "Compiling neural networks for computing-in-memory accelerators";
  let description = [{
    The `cim` dialect carries a neural network from its framework form down
    to the instruction stream of a computing-in-memory (CIM) accelerator. It
    has three levels that coexist in one dialect so that passes can lower
    gradually:

    * the **graph level** works on tensors (conv2d, gemm, pooling, element-
      wise ops, ...) with weights as constants;
    * the **mapped level** works on weight matrices split into crossbar
      tiles, bit slices and DAC cycles;
    * the **instruction level** has one op per instruction of the target.

    The hardware description travels as the module attribute `cim.target`
    (a `#cim.target`), and the per-layer number formats as `#cim.precision`
    attributes on the ops that run on crossbars. See `docs/design.md`.
  }];
  let cppNamespace = "::mlir::cim";
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// Name of the module attribute holding the `#cim.target`.
    static constexpr ::llvm::StringLiteral getTargetAttrName() {
      return ::llvm::StringLiteral("cim.target");
    }
    /// Activation statistics of a crossbar layer's input, recorded by
    /// cim-calibrate (a dictionary: min, max, absmax, clip, samples).
    static constexpr ::llvm::StringLiteral getCalibrationAttrName() {
      return ::llvm::StringLiteral("cim.calibration");
    }
    /// A crossbar layer's calibrated clipped-ADC range, `[low, high]` in
    /// column-sum units (`array<i64: low, high>`), set by cim-quantize.
    static constexpr ::llvm::StringLiteral getAdcRangeAttrName() {
      return ::llvm::StringLiteral("cim.adc_range");
    }
    /// The `cim.adc_range` of `op`, if it has one.
    static std::optional<std::pair<int64_t, int64_t>>
    getAdcRange(::mlir::Operation *op);
    /// Marks a crossbar layer whose inputs are never negative (set by
    /// cim-calibrate on targets that drive signed inputs): its codes are
    /// unsigned and every DAC cycle carries magnitude, none a sign.
    static constexpr ::llvm::StringLiteral getNonnegativeInputsAttrName() {
      return ::llvm::StringLiteral("cim.nonnegative_inputs");
    }
    /// Marks a crossbar layer whose inputs were seen negative on a target
    /// that drives unsigned inputs (set by cim-calibrate): they are driven
    /// offset by 2^(B-1) and corrected digitally.
    static constexpr ::llvm::StringLiteral getSignedInputsAttrName() {
      return ::llvm::StringLiteral("cim.signed_inputs");
    }
    /// The core an instruction runs on, set by cim-schedule.
    static constexpr ::llvm::StringLiteral getCoreAttrName() {
      return ::llvm::StringLiteral("cim.core");
    }
  private:
    void registerAttributes();
  public:
  }];
}

class Cim_Op<string mnemonic, list<Trait> traits = []>
    : Op<Cim_Dialect, mnemonic, traits>;

#endif // CIM_DIALECT_CIM_CIMDIALECT_TD
