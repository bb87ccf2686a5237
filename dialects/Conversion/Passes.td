//===- Passes.td - Conversions into the cim dialect --------*- tablegen -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef CIM_CONVERSION_PASSES_TD
#define CIM_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertTosaToCim : Pass<"convert-tosa-to-cim", "::mlir::ModuleOp"> {
  let summary = "Convert TOSA operations to the cim graph level";
  let description = [{
    Rewrites the TOSA operations a network is made of into graph-level cim
    operations, so that models from TOSA front ends (TFLite, torch-mlir,
    StableHLO flows) enter the same pipeline as ONNX models. TOSA works in
    NHWC with OHWI weights; cim in NCHW with FCHW weights, so convolutions
    and pools are wrapped in `cim.transpose`s (weights are transposed at
    compile time) and transposes are then moved through elementwise
    operations and cancelled.

    Quantized (integer) TOSA is read as codes: `cim.dequantize` with scale 1
    where a layer reads integers, the layer on the codes as floats, and each
    `tosa.rescale` as a `cim.quantize` with scale 2^shift / multiplier, so
    symmetric int8 layers reach `cim-lower-conv` in the QDQ form it maps
    onto crossbars with the model's own codes (docs/interop.md).

    Operations it cannot map stay in place, and each is reported with a
    warning naming the operation and the reason; the pass does not fail,
    so a later stage reports what it cannot handle.
  }];
  let dependentDialects = ["::mlir::cim::CimDialect"];
}

def ConvertLinalgToCim : Pass<"convert-linalg-to-cim", "::mlir::ModuleOp"> {
  let summary = "Convert Linalg operations to the cim graph level";
  let description = [{
    Rewrites named Linalg operations (`linalg.matmul`, `batch_matmul`,
    `conv_2d_nchw_fchw`, `conv_2d_nhwc_hwcf`, `conv_2d_nhwc_fhwc`, the
    depthwise and pooling variants), elementwise `linalg.generic`s recognized
    by their structure (add, sub, mul, max with zero as relu, bias
    broadcasts) and the tensor reshapes and padding around them into
    graph-level cim operations. `linalg.fill` and `tensor.empty` initial
    values are folded into the operations that use them.

    Operations it cannot map stay in place, and each is reported with a
    warning naming the operation and the reason.
  }];
  let dependentDialects = ["::mlir::cim::CimDialect"];
}

#endif // CIM_CONVERSION_PASSES_TD
