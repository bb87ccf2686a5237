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
    /// The probability that an input bit of a crossbar layer is '1' (an
    /// f64 in [0, 1], CIMQ's bit sparsity): the cost model prices DAC and
    /// cell energy, and the all-zero DAC cycles a skipping target saves,
    /// with it instead of 1/2 (set by cim-calibrate's `input-ones`).
    static constexpr ::llvm::StringLiteral getInputOnesAttrName() {
      return ::llvm::StringLiteral("cim.input_ones");
    }
    /// The measured fraction of a crossbar layer's row-group DAC cycles whose
    /// digits are all zero (an f64 in [0, 1], set with `cim.input_ones`):
    /// the cost model's skipped cycles, in place of the estimate from p1.
    static constexpr ::llvm::StringLiteral getZeroCyclesAttrName() {
      return ::llvm::StringLiteral("cim.zero_cycles");
    }
    /// Restricts a crossbar layer's unsigned input codes (and a
    /// `cim.isa.encode`'s) to those with at most this many '1' bits (a
    /// positive integer; CIMQ's bit-sparsity activation quantizer, set by
    /// cim-quantize's `act-max-ones`).
    static constexpr ::llvm::StringLiteral getActMaxOnesAttrName() {
      return ::llvm::StringLiteral("cim.act_max_ones");
    }
    /// ZEBRA's zero-bit patterns on a crossbar layer (and its tiles and MVM
    /// instructions): weight magnitudes restricted to codes with at most
    /// this many '1' bits (an integer in [1, 16]; at or above the magnitude
    /// width, no restriction) and stored in the zero-bit layout
    /// (complemented columns, unmapped zero rows, unconverted zero columns;
    /// numerics::CrossbarConfig::zeroBitLayout). Set by cim-quantize's
    /// `weight-max-ones`.
    static constexpr ::llvm::StringLiteral getWeightMaxOnesAttrName() {
      return ::llvm::StringLiteral("cim.weight_max_ones");
    }
    /// The fixed scale of a crossbar layer's input codes (a positive f64),
    /// from a pre-quantized (QDQ) model: code = round(x / scale), in place
    /// of a calibrated clip. Layers with fixed scales keep their precision.
    static constexpr ::llvm::StringLiteral getInputScaleAttrName() {
      return ::llvm::StringLiteral("cim.input_scale");
    }
    /// The fixed weight scales of a crossbar layer from a pre-quantized
    /// model: `array<f64>` with one positive entry per weight column (or one
    /// for all), in place of scales derived from the weights.
    static constexpr ::llvm::StringLiteral getWeightScalesAttrName() {
      return ::llvm::StringLiteral("cim.weight_scales");
    }
    /// Whether `op` is a crossbar layer with fixed (pre-quantized) scales.
    static bool hasFixedScales(::mlir::Operation *op);
    /// The `cim.weight_scales` of `op` (empty without).
    static ::llvm::ArrayRef<double> getFixedWeightScales(::mlir::Operation *op);
    /// The clip of a crossbar layer's input codes whose largest code is
    /// `maxCode`: `cim.input_scale * maxCode` for a fixed scale (so that the
    /// scale, clip / maxCode, is the fixed one), else the calibrated clip
    /// (`cim.calibration`), else none (the values seen decide). The graph
    /// evaluator and cim-lower-to-isa both read it here.
    static std::optional<double> getInputClip(::mlir::Operation *op,
                                              int64_t maxCode);
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
