//===- CimMappedOps.td - Mapped-level ops of the cim dialect -*- tablegen -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The mapped level deals with matrices only: a layer that runs on crossbars is
// one weight-stationary `cim.mvm` per weight matrix, fed by rows of an
// activation matrix. Convolutions reach it through `cim.im2col`.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMMAPPEDOPS_TD
#define CIM_DIALECT_CIM_CIMMAPPEDOPS_TD

include "Cim/CimDialect.td"
include "Cim/CimAttrs.td"
include "Cim/CimInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Cim_Im2ColOp : Cim_Op<"im2col", [Pure]> {
  let summary = "The access pattern of a convolution as a matrix";
  let description = [{
    Row `r = (n * OH + oy) * OW + ox` of the result holds the input window of
    output pixel (n, oy, ox) over channels `[channel_offset, channel_offset +
    C_g)`, ordered channel-major then kernel row then kernel column:
    column `(c * kh + i) * kw + j` is
    `input[n, channel_offset + c, oy*sy - pt + i*dy, ox*sx - pl + j*dx]`, or 0
    in the padding. It names the pattern in which a crossbar's rows are driven
    for each output pixel; the interpreter reads the input in place.

    Example:

    ```mlir
    %cols = cim.im2col %x {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>,
                           channels = 3 : i64}
        : tensor<1x3x8x8xf32> -> tensor<64x27xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, DenseI64ArrayAttr:$kernel,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<I64Attr, "0">:$channel_offset,
      I64Attr:$channels);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Cim_MvmOp : Cim_Op<"mvm", [Pure, Cim_CrossbarLayerOpInterface]> {
  let summary = "Weight-stationary matrix-vector products on crossbars";
  let description = [{
    `output[p, n] = sum_k input[p, k] * weight[k, n]`: each of the P rows of
    `input` is one matrix-vector product (one invocation) with the constant
    K x N `weight`, which the mapping passes place on crossbars (row k drives
    crossbar row k). `precision` carries the number formats chosen for it.

    Example:

    ```mlir
    %y = cim.mvm %cols, %w {precision = #cim.precision<weight_bits = 4, act_bits = 8>}
        : tensor<64x27xf32>, tensor<27x16xf32> -> tensor<64x16xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, Cim_Tensor:$weight,
      OptionalAttr<Cim_PrecisionAttr>:$precision);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` type($input) `,` type($weight) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Crossbar tiles (cim-tile-crossbar, cim-map)
//===----------------------------------------------------------------------===//

def Cim_TileOp : Cim_Op<"tile", [Pure,
    DeclareOpInterfaceMethods<Cim_CrossbarLayerOpInterface, ["getRowRange",
        "getColumnRange", "getSliceWidths", "isTile"]>]> {
  let summary = "One crossbar's share of a weight-stationary MVM";
  let description = [{
    `output[p, j] = sum_{k in [rows[0], rows[1])} input[p, k] *
    weight[k, columns[0] + j]`: the block of the K x N `weight` that one
    crossbar holds, applied to every one of the P input rows. The block
    occupies `footprint = [physical rows, physical columns]` cells (cell
    slices, differential arrays and the offset reference column included) and
    is converted in `groups` row groups one after the other. `copies` > 1
    replicates the weights on more crossbars, which then share the P
    invocations. `crossbars` (set by `cim-map`) lists the global crossbar
    index of every copy (core = index / crossbars_per_core); `epoch` is the
    programming round on targets that reprogram weights. `slices` records
    explicit cell slice widths (least significant first) when not uniform.

    Small blocks (the groups of a depthwise convolution) can share a
    crossbar: tiles with the same `bundle` sit on the same crossbars, each at
    its `origin = [row, column]`, on rows and columns no other tile of the
    bundle uses, so all of them compute in the same DAC cycles.

    Partial sums of tiles over different row ranges are added by
    `cim.accumulate`.

    Example:

    ```mlir
    %t = cim.tile %cols, %w {rows = array<i64: 0, 128>, columns = array<i64: 0, 31>,
                             footprint = array<i64: 128, 125>, groups = 1 : i64}
        : tensor<196x576xf32>, tensor<576x64xf32> -> tensor<196x31xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, Cim_Tensor:$weight,
      DenseI64ArrayAttr:$rows, DenseI64ArrayAttr:$columns,
      DenseI64ArrayAttr:$footprint, I64Attr:$groups,
      DefaultValuedAttr<I64Attr, "1">:$copies,
      OptionalAttr<DenseI64ArrayAttr>:$crossbars,
      OptionalAttr<I64Attr>:$epoch,
      OptionalAttr<DenseI64ArrayAttr>:$origin,
      OptionalAttr<I64Attr>:$bundle,
      OptionalAttr<DenseI64ArrayAttr>:$slices,
      OptionalAttr<Cim_PrecisionAttr>:$precision);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` type($input) `,` type($weight) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

def Cim_AccumulateOp : Cim_Op<"accumulate", [Pure, Commutative,
    SameOperandsAndResultType]> {
  let summary = "Digital sum of the partial sums of row tiles";
  let description = [{
    Adds the outputs of crossbar tiles that cover different rows of the same
    output columns. It is a distinct op (not `cim.add`) because it is the
    accumulation step of the CIM core's digital unit, costed as such.

    Example:

    ```mlir
    %s = cim.accumulate %t0, %t1, %t2 : tensor<196x31xf32>
    ```
  }];
  let arguments = (ins Variadic<Cim_Tensor>:$partials);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = "$partials attr-dict `:` type($output)";
}

//===----------------------------------------------------------------------===//
// Bit-sliced form (cim-bit-slice)
//===----------------------------------------------------------------------===//

def Cim_EncodeOp : Cim_Op<"encode", [Pure]> {
  let summary = "Real values to the integer codes a crossbar computes on";
  let description = [{
    `output = clamp(round(input / scale) + zero_point)` in `bits`-bit codes,
    unsigned when `is_signed` is false. `narrow_range` clamps signed codes
    symmetrically to `+-(2^(bits-1) - 1)`, as weights must be: their sign
    schemes have no room for `-2^(bits-1)`. `scale` and `zero_point` come from
    calibration and quantization (`cim-quantize`); until then they are absent
    and the op only states the format, which is all the cost model needs.
    An integer input is already a code and is passed through.

    Example:

    ```mlir
    %q = cim.encode %x {bits = 8 : i64, is_signed = false}
        : tensor<196x576xf32> -> tensor<196x576xi32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, I64Attr:$bits, BoolAttr:$is_signed,
      DefaultValuedAttr<BoolAttr, "false">:$narrow_range,
      OptionalAttr<F64Attr>:$scale,
      DefaultValuedAttr<I64Attr, "0">:$zero_point);
  let results = (outs Cim_IntegerTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Cim_DecodeOp : Cim_Op<"decode", [Pure]> {
  let summary = "Integer accumulators back to real values";
  let description = [{
    `output = scale * input`, where `scale` is the product of the input and
    weight scales of the tile (one per tile with array-wise scales). Absent
    until `cim-quantize` sets it.

    Example:

    ```mlir
    %y = cim.decode %acc : tensor<196x31xi32> -> tensor<196x31xf32>
    ```
  }];
  let arguments = (ins Cim_IntegerTensor:$input, OptionalAttr<F64Attr>:$scale);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Cim_DacCyclesOp : Cim_Op<"dac_cycles", [Pure]> {
  let summary = "Input codes split into DAC cycles";
  let description = [{
    For input rows `[rows[0], rows[1])` of the P x K codes, `output[t, p, r]`
    is the digit driven in cycle t (least significant first): `dac_bits`
    bits of the `bits`-bit code. `sign` says how signed inputs are driven:
    `unsigned`; `twos_complement` (the last cycle carries the sign bit alone
    and is subtracted in `cim.shift_add`); `offset` (codes shifted by
    2^(bits-1), corrected by `cim.offset_correct`).

    Example:

    ```mlir
    %d = cim.dac_cycles %q {rows = array<i64: 0, 128>, bits = 8 : i64,
                            dac_bits = 1 : i64, sign = #cim<input_sign unsigned>}
        : tensor<196x576xi32> -> tensor<8x196x128xi8>
    ```
  }];
  let arguments = (ins Cim_IntegerTensor:$input, DenseI64ArrayAttr:$rows,
      I64Attr:$bits, I64Attr:$dac_bits, Cim_InputSignAttr:$sign);
  let results = (outs Cim_IntegerTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Cim_CellSlicesOp : Cim_Op<"cell_slices", [Pure]> {
  let summary = "Weight codes split into the cell planes of a tile";
  let description = [{
    The block `[rows[0], rows[1]) x [columns[0], columns[1])` of the K x N
    weight codes, encoded by `sign` and cut into cell planes: `output[s, k,
    j]` is the cell value of plane s. Planes are the slices of `widths`
    (least significant first) of the encoded code; two's-complement weights
    add a 1-bit sign plane; differential columns store the positive array's
    planes, then the negative array's; differential rows store the signed
    difference of the two rows' cells (subtracted in analog).
    `offset_flipped` (ISAAC) has the planes of `offset`; the crossbar stores
    the complement of a row group's plane column whose cells sum to more
    than half their maximum, and the digital unit subtracts that column's
    conversion from (2^width - 1) times the group's digit sum. The flips
    depend on the weight values (`numerics::columnFlips`, applied when the
    tile is programmed); this level spells out the conversions and their
    lossless width, not the flips.

    Example:

    ```mlir
    %c = cim.cell_slices %wq {rows = array<i64: 0, 128>, columns = array<i64: 0, 31>,
                              bits = 8 : i64, widths = array<i64: 2, 2, 2, 2>,
                              sign = #cim<weight_sign offset>}
        : tensor<576x64xi32> -> tensor<4x128x31xi8>
    ```
  }];
  let arguments = (ins Cim_IntegerTensor:$weight, DenseI64ArrayAttr:$rows,
      DenseI64ArrayAttr:$columns, I64Attr:$bits, DenseI64ArrayAttr:$widths,
      Cim_WeightSignAttr:$sign);
  let results = (outs Cim_IntegerTensor:$output);
  let assemblyFormat = "$weight attr-dict `:` type($weight) `->` type($output)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Planes the op produces for its width list and sign scheme.
    int64_t getNumPlanes();
  }];
}

def Cim_CrossbarMvmOp : Cim_Op<"crossbar_mvm", [Pure]> {
  let summary = "Analog column sums of one crossbar tile";
  let description = [{
    `output[g, t, s, p, j] = sum_{r in group g} digits[t, p, r] *
    cells[s, r, j]`: the ideal (noise-free) column sums the crossbar produces
    for row group g (`group_rows` rows each), DAC cycle t and cell plane s.
    It is the bit-sliced successor of `cim.tile` and keeps its placement
    (`footprint`, `copies`, `crossbars`, `epoch`, `origin`, `bundle`) and
    precision.

    Example:

    ```mlir
    %s = cim.crossbar_mvm %d, %c {group_rows = 128 : i64, footprint = array<i64: 128, 125>}
        : tensor<8x196x128xi8>, tensor<4x128x31xi8> -> tensor<1x8x4x196x31xi32>
    ```
  }];
  let arguments = (ins Cim_IntegerTensor:$digits, Cim_IntegerTensor:$cells,
      I64Attr:$group_rows, DenseI64ArrayAttr:$footprint,
      DefaultValuedAttr<I64Attr, "1">:$copies,
      OptionalAttr<DenseI64ArrayAttr>:$crossbars,
      OptionalAttr<I64Attr>:$epoch,
      OptionalAttr<DenseI64ArrayAttr>:$origin,
      OptionalAttr<I64Attr>:$bundle,
      OptionalAttr<Cim_PrecisionAttr>:$precision);
  let results = (outs Cim_IntegerTensor:$output);
  let assemblyFormat = [{
    $digits `,` $cells attr-dict `:` type($digits) `,` type($cells) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

def Cim_AdcOp : Cim_Op<"adc", [Pure, SameOperandsAndResultType]> {
  let summary = "Column read-out: every column sum through the ADC";
  let description = [{
    `ideal` and `adder_tree` pass sums through; `full_range` is a uniform
    `bits`-bit converter over the largest possible sum (it drops
    `lossless_bits - bits` LSBs, rounding); `clipped` converts `[clip_low,
    clip_high]` with `bits` bits and saturates outside (calibrated ranges).
    The arithmetic is `numerics::crossbarMVM`'s (docs/numerics.md).

    Example:

    ```mlir
    %a = cim.adc %s {mode = #cim<adc_mode full_range>, bits = 8 : i64,
                     lossless_bits = 9 : i64} : tensor<1x8x4x196x31xi32>
    ```
  }];
  let arguments = (ins Cim_IntegerTensor:$input, Cim_AdcModeAttr:$mode,
      DefaultValuedAttr<I64Attr, "0">:$bits,
      DefaultValuedAttr<I64Attr, "0">:$lossless_bits,
      OptionalAttr<I64Attr>:$clip_low, OptionalAttr<I64Attr>:$clip_high);
  let results = (outs Cim_IntegerTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Cim_ShiftAddOp : Cim_Op<"shift_add", [Pure]> {
  let summary = "Digital recombination of converted cycles and planes";
  let description = [{
    `output[p, j] = sum_g sum_t sum_s cycle_signs[t] * plane_signs[s] *
    2^(cycle_shifts[t] + plane_shifts[s]) * input[g, t, s, p, j]`: the
    shift-and-add unit undoing DAC cycles and cell slices, with the
    two's-complement sign cycle/plane subtracted and the negative array of
    differential columns subtracted.

    Example:

    ```mlir
    %acc = cim.shift_add %a {cycle_shifts = array<i64: 0, 1, 2, 3, 4, 5, 6, 7>,
                             cycle_signs = array<i64: 1, 1, 1, 1, 1, 1, 1, 1>,
                             plane_shifts = array<i64: 0, 2, 4, 6>,
                             plane_signs = array<i64: 1, 1, 1, 1>}
        : tensor<1x8x4x196x31xi32> -> tensor<196x31xi32>
    ```
  }];
  let arguments = (ins Cim_IntegerTensor:$input,
      DenseI64ArrayAttr:$cycle_shifts, DenseI64ArrayAttr:$cycle_signs,
      DenseI64ArrayAttr:$plane_shifts, DenseI64ArrayAttr:$plane_signs);
  let results = (outs Cim_IntegerTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Cim_OffsetCorrectOp : Cim_Op<"offset_correct", [Pure]> {
  let summary = "Digital correction of offset-encoded weights and inputs";
  let description = [{
    With stored codes `u = w + weight_offset` and driven codes `v = x +
    input_offset`, the crossbar computes `sum u v`; this op returns
    `sum w x = acc - weight_offset * sum_k v_k - input_offset * sum_k u_k +
    K * weight_offset * input_offset` with K = rows[1] - rows[0], the sums
    over the tile's rows `[rows[0], rows[1])` (and, for `u`, its column
    among `[columns[0], columns[1])`), from the input and weight codes. On ISAAC-style hardware the first term is the reference
    column's reading or a digital sum of the inputs.

    Example:

    ```mlir
    %y = cim.offset_correct %acc, %xq, %wq {rows = array<i64: 0, 128>,
                                             columns = array<i64: 0, 31>,
                                             weight_offset = 128 : i64}
        : tensor<196x31xi32>, tensor<196x576xi32>, tensor<576x64xi32> -> tensor<196x31xi32>
    ```
  }];
  let arguments = (ins Cim_IntegerTensor:$acc, Cim_IntegerTensor:$input,
      Cim_IntegerTensor:$weight, DenseI64ArrayAttr:$rows,
      DenseI64ArrayAttr:$columns,
      DefaultValuedAttr<I64Attr, "0">:$weight_offset,
      DefaultValuedAttr<I64Attr, "0">:$input_offset);
  let results = (outs Cim_IntegerTensor:$output);
  let assemblyFormat = [{
    $acc `,` $input `,` $weight attr-dict `:` type($acc) `,` type($input) `,`
    type($weight) `->` type($output)
  }];
  let hasVerifier = 1;
}

#endif // CIM_DIALECT_CIM_CIMMAPPEDOPS_TD
