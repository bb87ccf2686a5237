//===- CimDynamicOps.td - Ops with run-time parameters -----*- tablegen -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Graph-level ops whose parameters (slice bounds, reduction axes, pads,
// repeats, quantization scales) arrive as tensors at run time instead of
// attributes: ONNX graphs that take them as inputs. The dialect stays
// statically shaped: each result's type is the shape the model declares,
// and the interpreter fails with a clear error when the run-time
// parameters give another shape. Their static forms (cim.slice, cim.reduce,
// ...) are what the importer emits whenever the parameters are constants.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMDYNAMICOPS_TD
#define CIM_DIALECT_CIM_CIMDYNAMICOPS_TD

include "Cim/CimMathOps.td"

def Cim_IndexVector : 1DTensorOf<[AnySignlessInteger]>;

def Cim_DynamicSliceOp : Cim_Op<"dynamic_slice", [Pure]> {
  let summary = "ONNX Slice with run-time starts, ends, axes and steps";
  let description = [{
    The 1-D integer operands `starts`, `ends`, `axes` and `steps` have one
    entry per sliced axis and follow ONNX Slice: negative starts and ends
    count from the end and are clamped to the dimension, negative axes count
    from the last, a negative step walks backwards. The result's type is the
    declared shape; a run-time slice of another shape is an error.

    Example:

    ```mlir
    %y = cim.dynamic_slice %x, %starts, %ends, %axes, %steps
        : tensor<20x10xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>,
          tensor<2xi64> -> tensor<3x10xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, Cim_IndexVector:$starts,
      Cim_IndexVector:$ends, Cim_IndexVector:$axes, Cim_IndexVector:$steps);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $starts `,` $ends `,` $axes `,` $steps attr-dict `:`
    type(operands) `->` type($output)
  }];
  let hasVerifier = 1;
}

def Cim_DynamicReduceOp : Cim_Op<"dynamic_reduce", [Pure]> {
  let summary = "ONNX Reduce with run-time axes";
  let description = [{
    `cim.reduce` with the axes from the 1-D integer operand `axes`. Empty
    axes reduce every axis, or, with `noop_with_empty_axes`, return the
    input unchanged. The result's type is the declared shape; axes giving
    another shape are a run-time error.

    Example:

    ```mlir
    %s = cim.dynamic_reduce sum %x, %axes {keepdims = true}
        : tensor<3x2x2xf32>, tensor<1xi64> -> tensor<3x1x2xf32>
    ```
  }];
  let arguments = (ins Cim_ReduceKindAttr:$kind, Cim_Tensor:$input,
      Cim_IndexVector:$axes, DefaultValuedAttr<BoolAttr, "true">:$keepdims,
      DefaultValuedAttr<BoolAttr, "false">:$noop_with_empty_axes);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $kind $input `,` $axes attr-dict `:` type($input) `,` type($axes) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

def Cim_DynamicCumSumOp : Cim_Op<"dynamic_cumsum",
    [Pure, AllTypesMatch<["input", "output"]>]> {
  let summary = "ONNX CumSum with a run-time axis";
  let description = [{
    `cim.cumsum` along the axis held by the integer scalar (0-D or
    one-element) operand `axis`; negative counts from the end.

    Example:

    ```mlir
    %y = cim.dynamic_cumsum %x, %axis {reverse = true}
        : tensor<2x3xf32>, tensor<i32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, Cim_IntegerTensor:$axis,
      DefaultValuedAttr<BoolAttr, "false">:$exclusive,
      DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $axis attr-dict `:` type($input) `,` type($axis)
  }];
  let hasVerifier = 1;
}

def Cim_DynamicPadOp : Cim_Op<"dynamic_pad", [Pure]> {
  let summary = "ONNX Pad with run-time pads and value";
  let description = [{
    `cim.pad` with `pads` (2 * rank integers, all begins then all ends, as
    in ONNX) and the constant `value` (a scalar of the input's element type)
    given at run time. Negative pads crop.

    Example:

    ```mlir
    %y = cim.dynamic_pad %x, %pads, %value {mode = #cim<pad_mode reflect>}
        : tensor<1x3x4x5xf32>, tensor<8xi64>, tensor<f32>
          -> tensor<1x3x6x7xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, Cim_IndexVector:$pads,
      Cim_Tensor:$value,
      DefaultValuedAttr<Cim_PadModeAttr, "PadMode::constant">:$mode);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $pads `,` $value attr-dict `:` type(operands) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

def Cim_DynamicRepeatOp : Cim_Op<"dynamic_repeat", [Pure]> {
  let summary = "ONNX Tile with run-time repeats";
  let description = [{
    `cim.repeat` with the repeats from the 1-D integer operand `repeats`
    (one per dimension).

    Example:

    ```mlir
    %y = cim.dynamic_repeat %x, %repeats
        : tensor<2x3xf32>, tensor<2xi64> -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, Cim_IndexVector:$repeats);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $repeats attr-dict `:` type(operands) `->` type($output)
  }];
  let hasVerifier = 1;
}

def Cim_RangeOp : Cim_Op<"range", [Pure]> {
  let summary = "ONNX Range: start, start + delta, ... below limit";
  let description = [{
    `output[i] = start + i * delta` for
    `i < max(ceil((limit - start) / delta), 0)`, with scalar operands of the
    result's element type. The result's length is the declared one; other
    run-time bounds are an error.

    Example:

    ```mlir
    %r = cim.range %start, %limit, %delta
        : tensor<f32>, tensor<f32>, tensor<f32> -> tensor<2xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$start, Cim_Tensor:$limit,
      Cim_Tensor:$delta);
  let results = (outs 1DTensorOf<[AnyFloat, AnyInteger]>:$output);
  let assemblyFormat = [{
    $start `,` $limit `,` $delta attr-dict `:` type(operands) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

def Cim_DynamicQuantizeOp : Cim_Op<"dynamic_quantize", [Pure]> {
  let summary = "ONNX QuantizeLinear with run-time scale and zero point";
  let description = [{
    `cim.quantize` (`q = saturate(round(x / scale) + zero_point)`, rounding
    half to even) with `scale` (float) and `zero_point` (the result's
    integer type) as tensors: one element, or with `axis` one per slice
    along that axis. The full range of the result's type is used.

    Example:

    ```mlir
    %q = cim.dynamic_quantize %x, %scale, %zp
        : tensor<6xf32>, tensor<f32>, tensor<ui8> -> tensor<6xui8>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input, Cim_FloatTensor:$scale,
      Cim_IntegerTensor:$zero_point, OptionalAttr<I64Attr>:$axis);
  let results = (outs Cim_IntegerTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $zero_point attr-dict `:` type(operands) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

def Cim_DynamicDequantizeOp : Cim_Op<"dynamic_dequantize", [Pure]> {
  let summary = "ONNX DequantizeLinear with run-time scale and zero point";
  let description = [{
    `x = (q - zero_point) * scale`, the inverse of `cim.dynamic_quantize`
    with the same operand rules (`zero_point` has the input's type).

    Example:

    ```mlir
    %x = cim.dynamic_dequantize %q, %scale, %zp
        : tensor<4xui8>, tensor<f32>, tensor<ui8> -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Cim_IntegerTensor:$input, Cim_FloatTensor:$scale,
      Cim_IntegerTensor:$zero_point, OptionalAttr<I64Attr>:$axis);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $zero_point attr-dict `:` type(operands) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

#endif // CIM_DIALECT_CIM_CIMDYNAMICOPS_TD
