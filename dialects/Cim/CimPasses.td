//===- CimPasses.td - Passes of the cim dialect -------------*- tablegen -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMPASSES_TD
#define CIM_DIALECT_CIM_CIMPASSES_TD

include "mlir/Pass/PassBase.td"

def CimSetTarget : Pass<"cim-set-target", "::mlir::ModuleOp"> {
  let summary = "Attach a hardware description to the module";
  let description = [{
    Loads a target description and stores it as the module attribute
    `cim.target`, where every later pass and the verifiers find it. `target`
    is a preset name (`isaac`, `puma`, `rwth-rram`, `sram-dcim`,
    `aihwkit-pcm`) or the path of a JSON file in the schema of
    docs/targets.md. Without `force`, a module that already carries a
    different target is an error rather than silently retargeted.

    Example:

    ```
    cim-opt model.mlir --cim-set-target=target=isaac
    ```

    ```mlir
    module attributes {cim.target = #cim.target<name = "isaac", rows = 128, ...>}
    ```
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"\"",
           "Preset name or path of a target JSON file">,
    Option<"force", "force", "bool", /*default=*/"false",
           "Replace a target the module already has">
  ];
}

def CimFoldBatchNorm : Pass<"cim-fold-batchnorm", "::mlir::ModuleOp"> {
  let summary = "Fold inference batch normalization into the preceding layer";
  let description = [{
    `batch_norm(conv2d(x, W, b))` with constant `W`, `b` and constant
    normalization parameters becomes one `conv2d(x, W', b')` with

    ```
    s  = scale / sqrt(variance + epsilon)      (per output channel f)
    W' = W * s[f]                              (every weight of filter f)
    b' = (b - mean) * s + bias                 (b = 0 when absent)
    ```

    and likewise for a `gemm` whose output channels are its columns (`W'` scales
    column n). Folding happens only where the layer's result feeds nothing
    but the normalization, so no other user sees the changed values. The
    weights are computed in double precision and rounded once to the
    element type (f32, f16 or bf16).

    Example:

    ```mlir
    %c = cim.conv2d %x, %w, %b : ... -> tensor<1x8x4x4xf32>
    %y = cim.batch_norm %c, %g, %beta, %mu, %var : ...
    // becomes
    %y = cim.conv2d %x, %w2, %b2 : ... -> tensor<1x8x4x4xf32>
    ```
  }];
}

def CimLowerConv : Pass<"cim-lower-conv", "::mlir::ModuleOp"> {
  let summary = "Turn crossbar layers into weight-stationary MVMs";
  let description = [{
    Lowers every layer with a constant weight to the mapped level's matrices:

    * `conv2d` with G groups becomes, per group, a `cim.im2col` of its input
      channels (P = N*OH*OW rows, K = C/G*kh*kw columns) and a `cim.mvm` with
      the group's K x N weight matrix (N = F/G output channels, column f of
      the matrix is filter f flattened channel-major); the group results are
      concatenated, the bias added and the layout turned back to NCHW.
      Depthwise convolutions are the G = C case (K = kh*kw, N = 1 per group).
    * `gemm` with a constant weight becomes `cim.mvm` (+ bias).
    * `matmul` with a constant 2-D right operand becomes `cim.mvm` over the
      flattened leading dimensions.

    Layers whose weight is not constant (attention's `Q K^T`, `A V`) stay at
    the graph level: they run on the digital unit and are costed there. Each
    layer's `#cim.precision` moves to its MVMs. The weight matrices are
    folded to constants here.
  }];
}

#endif // CIM_DIALECT_CIM_CIMPASSES_TD
