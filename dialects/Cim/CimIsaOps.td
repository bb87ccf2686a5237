//===- CimIsaOps.td - Instruction-level ops of the cim dialect -*- tablegen -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The instruction level: one op is one instruction of the CIM ISA
// (docs/isa.md). The crossbar instructions are the `cim.isa.*` ops below;
// digital vector instructions (VEC) are the graph-level elementwise, pooling,
// normalization and data-movement ops, which the digital unit executes as
// they are. Values are tensors in the chip's global memory, addressed by the
// emitter's tensor ids; `cim-schedule` puts each instruction on a core
// (`cim.core`) and inserts `cim.isa.sync`.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMISAOPS_TD
#define CIM_DIALECT_CIM_CIMISAOPS_TD

include "Cim/CimDialect.td"
include "Cim/CimAttrs.td"
include "Cim/CimInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Cim_IsaProgramOp : Cim_Op<"isa.program",
    [Pure, AllTypesMatch<["codes", "programmed"]>]> {
  let summary = "PROGRAM: write a tile's weight codes into its crossbars";
  let description = [{
    Writes the `rows x cols` weight codes of one tile into `crossbars` (one
    per copy; a bundle's tiles name the same crossbars) in programming round
    `epoch`. The cell planes follow from the codes and the target's slicing
    and sign scheme (lib/Numerics); the `.cimbin` stores the codes. The
    result stands for the programmed crossbars that `cim.isa.mvm` reads.

    Example:

    ```mlir
    %xb = cim.isa.program %codes {crossbars = array<i64: 3>, epoch = 0 : i64}
        : tensor<128x16xi32>
    ```
  }];
  let arguments = (ins Cim_IntegerTensor:$codes, DenseI64ArrayAttr:$crossbars,
      DefaultValuedAttr<I64Attr, "0">:$epoch);
  let results = (outs Cim_IntegerTensor:$programmed);
  let assemblyFormat = "$codes attr-dict `:` type($codes)";
  let hasVerifier = 1;
}

def Cim_IsaEncodeOp : Cim_Op<"isa.encode", [Pure]> {
  let summary = "ENCODE: real values to input codes with one scale per tensor";
  let description = [{
    `output = clamp(round(input / s), min, max)` with
    `s = clip / max` for a calibrated `clip`, else (no `clip`) the largest
    magnitude the tensor holds (its largest value when `min` is 0) divided
    by `max`: the dynamic range a digital max-reduction gives. The scale
    travels with the codes; `cim.isa.decode` reads it.

    With `fp` (a floating-point layer, FP-CIM), ENCODE is the alignment
    unit instead: each run of `group_rows` values of a row (from column 0)
    is rounded to the input format and aligned to its largest exponent E,
    and the codes are the signed aligned mantissas (lib/Numerics/
    FloatingPoint.h). The exponents travel with the codes.

    Example:

    ```mlir
    %q = cim.isa.encode %x {min = 0 : i64, max = 255 : i64, clip = 4.0 : f64}
        : tensor<196x576xf32> -> tensor<196x576xi32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, I64Attr:$min, I64Attr:$max,
      OptionalAttr<F64Attr>:$clip, OptionalAttr<Cim_FpAttr>:$fp,
      OptionalAttr<I64Attr>:$group_rows);
  let results = (outs Cim_IntegerTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Cim_IsaMvmOp : Cim_Op<"isa.mvm", [Pure,
    DeclareOpInterfaceMethods<Cim_CrossbarLayerOpInterface, ["getLayerInput",
        "getLayerWeight", "getRowRange", "getColumnRange", "getSliceWidths",
        "isTile"]>]> {
  let summary = "MVM: one tile's bit-serial matrix-vector products";
  let description = [{
    For each of the P rows of `codes` (columns `[rows[0], rows[1])`), the
    crossbars holding `weights` compute the tile's dot products the way the
    target does (lib/Numerics): the input in DAC cycles, the weights in cell
    slices under the target's sign schemes, column sums per row group through
    the ADC at the `precision`'s bits (clipping and rounding included, noise
    when enabled, drawn from noise stream `stream`), shift-add and offset
    corrections. The result holds the P x cols integer accumulators.
    `footprint` (physical rows x columns, at `origin` when the crossbar is
    shared by a `bundle`) and `groups` (row groups per vector) say which
    part of the crossbar the instruction drives and reads; the copies in
    `crossbars` split the P vectors.

    A floating-point precision (`fp`) keeps the row groups apart: the
    result is P x (groups * cols), group g's sums at columns
    [g * cols, (g + 1) * cols), since each group has its own exponents.

    Example:

    ```mlir
    %acc = cim.isa.mvm %q, %xb {rows = array<i64: 0, 128>,
        precision = #cim.precision<weight_bits = 8, act_bits = 8>,
        stream = 0 : i64, crossbars = array<i64: 3>,
        footprint = array<i64: 128, 65>, groups = 1 : i64}
        : tensor<196x576xi32>, tensor<128x16xi32> -> tensor<196x16xi32>
    ```
  }];
  let arguments = (ins Cim_IntegerTensor:$codes, Cim_IntegerTensor:$weights,
      DenseI64ArrayAttr:$rows, Cim_PrecisionAttr:$precision,
      OptionalAttr<DenseI64ArrayAttr>:$slices, I64Attr:$stream,
      DenseI64ArrayAttr:$crossbars, DenseI64ArrayAttr:$footprint,
      OptionalAttr<DenseI64ArrayAttr>:$origin, I64Attr:$groups,
      DefaultValuedAttr<I64Attr, "0">:$epoch, OptionalAttr<I64Attr>:$bundle);
  let results = (outs Cim_IntegerTensor:$output);
  let assemblyFormat = [{
    $codes `,` $weights attr-dict `:` type($codes) `,` type($weights) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

def Cim_IsaDecodeOp : Cim_Op<"isa.decode", [Pure]> {
  let summary = "DECODE: integer accumulators to real values";
  let description = [{
    `output[p, j] = float(acc[p, j] * s * scales[j])`, in double precision
    before the final rounding, where `s` is the scale `cim.isa.encode`
    chose for `codes` and `scales` are the weight scales of the columns.

    With `fp` (FP-CIM), DECODE is the normalize-and-accumulate unit: the
    input holds the P x (G x cols) group sums of an MVM, `exponents` the
    weights' shared exponents (G x cols) and the codes' ENCODE the input
    exponents; `output[p, n] = sum_g acc[p, g, n] * 2^(E[p, first_group + g]
    + F[g, n] - (L - 1) - (Lw - 1))` (L = `aligned_bits`, Lw =
    `weight_man + 1`), accumulated in double. `scales` are then all 1.

    Example:

    ```mlir
    %y = cim.isa.decode %acc, %q {scales = array<f64: 0.01, 0.02>}
        : tensor<196x2xi32>, tensor<196x576xi32> -> tensor<196x2xf32>
    ```
  }];
  let arguments = (ins Cim_IntegerTensor:$input, Cim_IntegerTensor:$codes,
      DenseF64ArrayAttr:$scales, OptionalAttr<Cim_FpAttr>:$fp,
      OptionalAttr<DenseI64ArrayAttr>:$exponents,
      OptionalAttr<I64Attr>:$first_group);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $codes attr-dict `:` type($input) `,` type($codes) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

def Cim_IsaSyncOp : Cim_Op<"isa.sync"> {
  let summary = "SYNC: barrier between cores";
  let description = [{
    Every core in `cores` waits until all of them reach barrier `barrier`:
    the instructions after it on those cores may read what the others wrote
    before it.

    Example:

    ```mlir
    cim.isa.sync {barrier = 0 : i64, cores = array<i64: 0, 1>}
    ```
  }];
  let arguments = (ins I64Attr:$barrier, DenseI64ArrayAttr:$cores);
  let assemblyFormat = "attr-dict";
  let hasVerifier = 1;
}

#endif // CIM_DIALECT_CIM_CIMISAOPS_TD
