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

def CimDefaultPrecision : Pass<"cim-default-precision", "::mlir::ModuleOp"> {
  let summary = "Give crossbar layers without a precision the default one";
  let description = [{
    Sets `#cim.precision<weight_bits = W, act_bits = A>` on every `cim.mvm`
    that has none. `cim-tile-crossbar` gives such layers the same default;
    passes that measure the quantized model before it (`cim-calibrate`,
    `cim-quantize`, `cim-assign-precision`) must see those bits too, so the
    pipelines run this pass first when they calibrate: a `precision=w4a6
    calib=...` pipeline then calibrates ADC ranges and biases at W4A6, not
    at the evaluator's W8A8 default.

    `float=fp:IN[/W][:L=N][:truncate]` makes the default a floating-point
    precision (FP-CIM, `#cim.fp`; the target must have `float_alignment`):
    input format IN and weight format W (`e4m3`, `e5m2`, `bf16`, `fp16` or
    `eXmY`; W defaults to IN), aligned mantissas of N bits (default: the
    input mantissa + 4, i.e. the hidden bit and 3 guard bits) rounded, or
    truncated with `truncate`.

    ```
    cim-opt m.mlir --cim-default-precision="weight-bits=4 act-bits=6"
    cim-opt m.mlir --cim-default-precision="float=fp:e4m3:L=8"
    ```
  }];
  let options = [
    Option<"weightBits", "weight-bits", "unsigned", /*default=*/"8",
           "Weight bits of layers without a precision">,
    Option<"actBits", "act-bits", "unsigned", /*default=*/"8",
           "Activation bits of layers without a precision">,
    Option<"floatSpec", "float", "std::string", /*default=*/"\"\"",
           "Floating-point default precision, fp:IN[/W][:L=N][:truncate] "
           "(FP-CIM; empty = integer)">
  ];
}

def CimTileCrossbar : Pass<"cim-tile-crossbar", "::mlir::ModuleOp"> {
  let summary = "Cut weight matrices into crossbar tiles";
  let description = [{
    Replaces every `cim.mvm` with the `cim.tile`s of its K x N weight matrix
    on the module's target (lib/Hardware/CrossbarLayout): a tile holds at
    most `rows` crossbar rows (half that for differential rows) and whole
    output columns, each taking its cell planes x 2 (differential columns)
    physical columns, plus one reference column per tile for offset weights
    (`reference-column`). Row tiles of the same columns are summed by
    `cim.accumulate`, column tiles concatenated.

    `channel-aligned` keeps the kh*kw rows of one input channel in one tile
    for convolutions (their input comes from `cim.im2col`). `duplicate=N`
    gives every layer N weight copies (at most one per invocation);
    `duplicate=auto` spends the crossbars the model leaves free on the layers
    with the longest MVM time, one copy at a time, to balance the pipeline.
    Layers without a `#cim.precision` get `weight-bits`/`act-bits`; `slices`
    sets explicit non-uniform cell slices (least significant first).

    `pack` lets the groups of a grouped (e.g. depthwise) convolution share
    crossbars when each fits one tile: they are placed along the diagonal
    (disjoint rows and columns, `origin` and a common `bundle`), so one DAC
    cycle drives all of them at once and each column still sums only its own
    group's rows.

    Example:

    ```mlir
    %y = cim.mvm %x, %w : tensor<196x576xf32>, tensor<576x64xf32> -> tensor<196x64xf32>
    // on isaac (128x128, 2-bit cells, offset weights) at W8A8 becomes
    %t0 = cim.tile %x, %w {rows = array<i64: 0, 128>, columns = array<i64: 0, 31>, ...}
    ...
    %a0 = cim.accumulate %t0, %t3, %t6, %t9, %t12 : tensor<196x31xf32>
    %y = cim.concat %a0, %a1, %a2 {axis = 1 : i64} : ...
    ```
  }];
  let options = [
    Option<"referenceColumn", "reference-column", "bool", /*default=*/"true",
           "Reserve a reference column per tile for offset weights">,
    Option<"channelAligned", "channel-aligned", "bool", /*default=*/"false",
           "Keep whole kh*kw kernels of a convolution in one tile">,
    Option<"pack", "pack", "bool", /*default=*/"true",
           "Share crossbars among the small groups of a grouped convolution">,
    Option<"duplicate", "duplicate", "std::string", /*default=*/"\"1\"",
           "Weight copies per layer: a number, or 'auto'">,
    Option<"weightBits", "weight-bits", "unsigned", /*default=*/"8",
           "Weight bits of layers without a precision">,
    Option<"actBits", "act-bits", "unsigned", /*default=*/"8",
           "Activation bits of layers without a precision">,
    ListOption<"slices", "slices", "unsigned",
               "Explicit cell slice widths, least significant first">
  ];
}

def CimBitSlice : Pass<"cim-bit-slice", "::mlir::ModuleOp"> {
  let summary = "Make cell slices, DAC cycles, ADC and shift-add explicit";
  let description = [{
    Rewrites every `cim.tile` into the arithmetic a crossbar performs
    (docs/numerics.md): `cim.encode` of the input and the
    weights into integer codes, `cim.dac_cycles` (inputs -> DAC cycles per
    the target's input sign scheme), `cim.cell_slices` (weights -> cell
    planes per the weight sign scheme), `cim.crossbar_mvm` (column sums per
    row group, cycle and plane), `cim.adc` (the target's read-out at the
    layer's ADC bits: ideal, full range, clipped over the full column-sum
    range until `cim-quantize` narrows it), `cim.shift_add` (recombination,
    sign cycle and negative arrays subtracted), `cim.offset_correct` for
    offset-encoded weights or inputs, and `cim.decode` back to real values.
    Slice widths come from the tile (`slices`), else uniform cells.

    Example:

    ```mlir
    %t = cim.tile %x, %w {...} : tensor<196x576xf32>, tensor<576x64xf32> -> tensor<196x31xf32>
    // becomes
    %d = cim.dac_cycles %xq {...} : tensor<196x576xi32> -> tensor<8x196x128xi8>
    %c = cim.cell_slices %wq {...} : tensor<576x64xi32> -> tensor<4x128x31xi8>
    %s = cim.crossbar_mvm %d, %c {...} : ... -> tensor<1x8x4x196x31xi32>
    %a = cim.adc %s {mode = #cim<adc_mode full_range>, bits = 8 : i64, lossless_bits = 9 : i64} : ...
    %acc = cim.shift_add %a {...} : tensor<1x8x4x196x31xi32> -> tensor<196x31xi32>
    %y = cim.decode %acc : tensor<196x31xi32> -> tensor<196x31xf32>
    ```
  }];
}

def CimMap : Pass<"cim-map", "::mlir::ModuleOp"> {
  let summary = "Place crossbar tiles on cores and crossbars";
  let description = [{
    Gives every tile (`cim.tile` or `cim.crossbar_mvm`) one global crossbar
    per copy (`crossbars`; core = index / crossbars_per_core), layer after
    layer in program order, filling a core before the next. A model that
    needs more crossbars than the target has is an error stating both
    numbers, unless the target has `weight_reprogramming`: then tiles
    beyond the chip go to later programming rounds (`epoch`), and the cost
    model counts every write.
  }];
}

def CimLowerToIsa : Pass<"cim-lower-to-isa", "::mlir::ModuleOp"> {
  let summary = "Lower placed crossbar tiles to instruction-level ops";
  let description = [{
    Turns every placed `cim.tile` (after `cim-map`) into the instructions of
    docs/isa.md: `cim.isa.program` of the tile's weight codes (quantized
    here, through lib/Numerics/Quantize, at the tile's precision and scale
    granularity), one `cim.isa.encode` per input tensor and code range (with
    the calibrated clip when the layer has one), `cim.isa.mvm` (the tile's
    bit-serial arithmetic; noise stream = the tile's position in program
    order) and `cim.isa.decode`. Row tiles of a layer that share their input
    and scales add as integers (`cim.accumulate` on accumulators) and decode
    once. Digital ops stay: each is one VEC instruction. The result computes
    exactly what `cim-run --quantize` computes on the tiled module.

    Lower from the tiled level: `cim-bit-slice` spells out the same
    arithmetic that one MVM instruction performs, for inspection and the
    cost model, and is not lowered further.
  }];
  let dependentDialects = ["::mlir::cim::CimDialect"];
}

def CimSchedule : Pass<"cim-schedule", "::mlir::ModuleOp"> {
  let summary = "Order instructions per core and insert synchronization";
  let description = [{
    Puts every instruction on a core (`cim.core`): crossbar instructions on
    the core of their crossbar, decodes and accumulations with their
    producer, encodes with their first consumer, digital ops with their
    first operand's producer. Programming of round 0 moves to the start
    (weights are written once, before inference). Where an instruction reads
    a value another core produced since their last barrier, a
    `cim.isa.sync` of the two cores goes before it.
  }];
}

#endif // CIM_DIALECT_CIM_CIMPASSES_TD
