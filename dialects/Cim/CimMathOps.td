//===- CimMathOps.td - Graph-level math of the cim dialect --*- tablegen -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The rest of ONNX's inference math at the graph level: elementwise
// functions, comparisons and logic on masks, reductions, arg-reductions and
// scans. None of these run on crossbars; they execute on the digital side
// (cim-run) exactly as ONNX defines them. Integer and boolean (i1) tensors
// appear where ONNX graphs compute masks, indices and shapes.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMMATHOPS_TD
#define CIM_DIALECT_CIM_CIMMATHOPS_TD

include "Cim/CimGraphOps.td"

def Cim_BoolTensor : RankedTensorOf<[I1]>;

//===----------------------------------------------------------------------===//
// Elementwise functions
//===----------------------------------------------------------------------===//

def Cim_FloorOp : Cim_UnaryOp<"floor", "floor(x)">;
def Cim_CeilOp : Cim_UnaryOp<"ceil", "ceil(x)">;
def Cim_RoundOp : Cim_UnaryOp<"round", "round half to even(x)">;
def Cim_ReciprocalOp : Cim_UnaryOp<"reciprocal", "1 / x">;
def Cim_LogOp : Cim_UnaryOp<"log", "log(x)">;
def Cim_SinOp : Cim_UnaryOp<"sin", "sin(x)">;
def Cim_CosOp : Cim_UnaryOp<"cos", "cos(x)">;
def Cim_TanOp : Cim_UnaryOp<"tan", "tan(x)">;
def Cim_AsinOp : Cim_UnaryOp<"asin", "asin(x)">;
def Cim_AcosOp : Cim_UnaryOp<"acos", "acos(x)">;
def Cim_AtanOp : Cim_UnaryOp<"atan", "atan(x)">;
def Cim_SinhOp : Cim_UnaryOp<"sinh", "sinh(x)">;
def Cim_CoshOp : Cim_UnaryOp<"cosh", "cosh(x)">;
def Cim_AsinhOp : Cim_UnaryOp<"asinh", "asinh(x)">;
def Cim_AcoshOp : Cim_UnaryOp<"acosh", "acosh(x)">;
def Cim_AtanhOp : Cim_UnaryOp<"atanh", "atanh(x)">;
def Cim_SoftplusOp : Cim_UnaryOp<"softplus", "log(1 + exp(x))">;
def Cim_SoftsignOp : Cim_UnaryOp<"softsign", "x / (1 + |x|)">;
def Cim_MishOp : Cim_UnaryOp<"mish", "x * tanh(softplus(x))">;

class Cim_SignedUnaryOp<string mnemonic, string formula>
    : Cim_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise " # formula # " on float or integer tensors";
  let description = [{
    Computes `}] # formula # [{` for every element, in the input's element
    type.

    Example:

    ```mlir
    %y = cim.}] # mnemonic # [{ %x : tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Cim_AbsOp : Cim_SignedUnaryOp<"abs", "|x|">;
def Cim_NegOp : Cim_SignedUnaryOp<"neg", "-x">;
def Cim_SignOp : Cim_SignedUnaryOp<"sign", "sign(x) (-1, 0 or 1)">;

def Cim_NotOp : Cim_Op<"not", [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise logical not of a boolean tensor";
  let description = [{
    Example:

    ```mlir
    %y = cim.not %mask : tensor<3x4xi1>
    ```
  }];
  let arguments = (ins Cim_BoolTensor:$input);
  let results = (outs Cim_BoolTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

/// Activations with one or two float parameters; the defaults are ONNX's.
class Cim_ParamUnaryOp<string mnemonic, string formula, dag params>
    : Cim_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise " # formula;
  let description = [{
    Computes `}] # formula # [{` for every element (ONNX semantics and
    default parameters).

    Example:

    ```mlir
    %y = cim.}] # mnemonic # [{ %x : tensor<3x4xf32>
    ```
  }];
  let arguments = !con((ins Cim_FloatTensor:$input), params);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Cim_EluOp : Cim_ParamUnaryOp<"elu",
    "x >= 0 ? x : alpha * (exp(x) - 1)",
    (ins DefaultValuedAttr<F32Attr, "1.0f">:$alpha)>;
def Cim_SeluOp : Cim_ParamUnaryOp<"selu",
    "gamma * (x > 0 ? x : alpha * (exp(x) - 1))",
    (ins DefaultValuedAttr<F32Attr, "1.67326319217681884765625f">:$alpha,
         DefaultValuedAttr<F32Attr, "1.05070102214813232421875f">:$gamma)>;
def Cim_CeluOp : Cim_ParamUnaryOp<"celu",
    "max(0, x) + min(0, alpha * (exp(x / alpha) - 1))",
    (ins DefaultValuedAttr<F32Attr, "1.0f">:$alpha)>;
def Cim_ThresholdedReluOp : Cim_ParamUnaryOp<"thresholded_relu",
    "x > alpha ? x : 0",
    (ins DefaultValuedAttr<F32Attr, "1.0f">:$alpha)>;
def Cim_ShrinkOp : Cim_ParamUnaryOp<"shrink",
    "x < -lambd ? x + bias : (x > lambd ? x - bias : 0)",
    (ins DefaultValuedAttr<F32Attr, "0.0f">:$bias,
         DefaultValuedAttr<F32Attr, "0.5f">:$lambd)>;

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

def Cim_MaxOp : Cim_BinaryOp<"max", "max(lhs, rhs)", [Commutative]>;
def Cim_MinOp : Cim_BinaryOp<"min", "min(lhs, rhs)", [Commutative]>;
def Cim_PReluOp : Cim_BinaryOp<"prelu", "lhs >= 0 ? lhs : rhs * lhs">;
def Cim_AndOp : Cim_BinaryOp<"and", "lhs and rhs (booleans)", [Commutative]>;
def Cim_OrOp : Cim_BinaryOp<"or", "lhs or rhs (booleans)", [Commutative]>;
def Cim_XorOp : Cim_BinaryOp<"xor", "lhs xor rhs (booleans)", [Commutative]>;

def Cim_ModOp : Cim_Op<"mod", [Pure]> {
  let summary = "Elementwise remainder with numpy broadcasting";
  let description = [{
    ONNX Mod: with `fmod` the remainder takes the sign of the dividend (C's
    fmod); without it, integers only, the sign of the divisor (Python's %).

    Example:

    ```mlir
    %z = cim.mod %x, %y {fmod = true} : tensor<6xf32>, tensor<6xf32>
        -> tensor<6xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$lhs, Cim_Tensor:$rhs,
      DefaultValuedAttr<BoolAttr, "false">:$fmod);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)
  }];
  let hasVerifier = 1;
}

def Cim_CmpOp : Cim_Op<"cmp", [Pure]> {
  let summary = "Elementwise comparison into a boolean mask";
  let description = [{
    ONNX Equal, Less, LessOrEqual, Greater and GreaterOrEqual: compares with
    numpy broadcasting and yields an `i1` tensor of the broadcast shape.

    Example:

    ```mlir
    %m = cim.cmp lt, %x, %y : tensor<3x4xf32>, tensor<4xf32> -> tensor<3x4xi1>
    ```
  }];
  let arguments = (ins Cim_ComparePredicateAttr:$predicate, Cim_Tensor:$lhs,
      Cim_Tensor:$rhs);
  let results = (outs Cim_BoolTensor:$output);
  let assemblyFormat = [{
    $predicate `,` $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

def Cim_SelectOp : Cim_Op<"select", [Pure]> {
  let summary = "Elementwise choice between two tensors by a mask (ONNX Where)";
  let description = [{
    `output = condition ? lhs : rhs`, the three operands broadcast together.

    Example:

    ```mlir
    %y = cim.select %m, %a, %b : tensor<3x4xi1>, tensor<3x4xf32>, tensor<f32>
        -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Cim_BoolTensor:$condition, Cim_Tensor:$lhs,
      Cim_Tensor:$rhs);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $condition `,` $lhs `,` $rhs attr-dict `:` type($condition) `,`
    type($lhs) `,` type($rhs) `->` type($output)
  }];
  let hasVerifier = 1;
}

def Cim_CastOp : Cim_Op<"cast", [Pure]> {
  let summary = "Convert the element type (ONNX Cast)";
  let description = [{
    Float to integer truncates toward zero, to `i1` tests `x != 0`; integer
    and boolean to float are exact where the float type can hold the value.
    The shape does not change.

    Example:

    ```mlir
    %i = cim.cast %x : tensor<4xf32> -> tensor<4xi64>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Reductions and scans
//===----------------------------------------------------------------------===//

def Cim_ReduceOp : Cim_Op<"reduce", [Pure]> {
  let summary = "Reduce the listed axes (the ONNX Reduce family)";
  let description = [{
    Combines the elements along `axes` by `kind`: `sum`, `mean`, `max`,
    `min`, `prod`, `l1` (sum of |x|), `l2` (sqrt of the sum of squares),
    `log_sum`, `log_sum_exp` and `sum_square`. Negative axes count from the
    end; an empty `axes` reduces every axis. With `keepdims` the reduced
    dimensions stay with size 1. (`cim.reduce_mean` remains the form the
    crossbar pipeline's global pooling recognizes.)

    Example:

    ```mlir
    %s = cim.reduce <sum> %x {axes = array<i64: 1>, keepdims = false}
        : tensor<3x4xf32> -> tensor<3xf32>
    ```
  }];
  let arguments = (ins Cim_ReduceKindAttr:$kind, Cim_Tensor:$input,
      DenseI64ArrayAttr:$axes, DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $kind $input attr-dict `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

class Cim_ArgReduceOp<string mnemonic, string what>
    : Cim_Op<mnemonic, [Pure]> {
  let summary = "Index of the " # what # " along one axis";
  let description = [{
    ONNX ArgMax/ArgMin: the `i64` index of the first (with
    `select_last_index`, the last) }] # what # [{ along `axis`; with
    `keepdims` the axis stays with size 1.

    Example:

    ```mlir
    %i = cim.}] # mnemonic # [{ %x {axis = 1 : i64, keepdims = true}
        : tensor<3x4xf32> -> tensor<3x1xi64>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, DefaultValuedAttr<I64Attr, "0">:$axis,
      DefaultValuedAttr<BoolAttr, "true">:$keepdims,
      DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs RankedTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Cim_ArgMaxOp : Cim_ArgReduceOp<"argmax", "largest element">;
def Cim_ArgMinOp : Cim_ArgReduceOp<"argmin", "smallest element">;

def Cim_LogSoftmaxOp : Cim_Op<"log_softmax",
    [Pure, SameOperandsAndResultType]> {
  let summary = "Logarithm of the softmax along one axis";
  let description = [{
    `x - max - log(sum(exp(x - max)))` along `axis`, computed stably.

    Example:

    ```mlir
    %p = cim.log_softmax %x {axis = -1 : i64} : tensor<1x10xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input,
      DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Cim_HardmaxOp : Cim_Op<"hardmax", [Pure, SameOperandsAndResultType]> {
  let summary = "One-hot of the first maximum along one axis";
  let description = [{
    Example:

    ```mlir
    %p = cim.hardmax %x {axis = -1 : i64} : tensor<1x10xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input,
      DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Cim_CumSumOp : Cim_Op<"cumsum", [Pure, SameOperandsAndResultType]> {
  let summary = "Running sum along one axis (ONNX CumSum)";
  let description = [{
    With `exclusive` each element leaves itself out; with `reverse` the sum
    runs from the end.

    Example:

    ```mlir
    %y = cim.cumsum %x {axis = 0 : i64, exclusive = true} : tensor<5xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, I64Attr:$axis,
      DefaultValuedAttr<BoolAttr, "false">:$exclusive,
      DefaultValuedAttr<BoolAttr, "false">:$reverse);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Cim_TriluOp : Cim_Op<"trilu", [Pure, SameOperandsAndResultType]> {
  let summary = "Keep the upper or lower triangle of the last two dimensions";
  let description = [{
    ONNX Trilu: with `upper`, keeps elements with `col - row >= k`, else
    those with `col - row <= k`; the rest become zero.

    Example:

    ```mlir
    %y = cim.trilu %x {upper = true, k = 1 : i64} : tensor<4x5xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input,
      DefaultValuedAttr<BoolAttr, "true">:$upper,
      DefaultValuedAttr<I64Attr, "0">:$k);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Indexing and broadcasting
//===----------------------------------------------------------------------===//

def Cim_GatherOp : Cim_Op<"gather", [Pure]> {
  let summary = "Take slices along one axis at run-time indices (ONNX Gather)";
  let description = [{
    `output[i..., j..., k...] = input[i..., indices[j...], k...]` with the
    index in dimension `axis`; negative indices count from the end. An
    index out of range is a run-time error. Embedding lookups in
    transformers import to this op.

    Example:

    ```mlir
    %e = cim.gather %table, %ids {axis = 0 : i64}
        : tensor<1000x64xf32>, tensor<1x8xi64> -> tensor<1x8x64xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, Cim_IntegerTensor:$indices,
      DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` type($input) `,` type($indices) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

def Cim_GatherElementsOp : Cim_Op<"gather_elements", [Pure]> {
  let summary = "Take elements at run-time indices along one axis";
  let description = [{
    ONNX GatherElements: `output[p] = input[p with p[axis] = indices[p]]`;
    the output has the indices' shape.

    Example:

    ```mlir
    %y = cim.gather_elements %x, %i {axis = 1 : i64}
        : tensor<3x4xf32>, tensor<3x2xi64> -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, Cim_IntegerTensor:$indices,
      DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $indices attr-dict `:` type($input) `,` type($indices) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

def Cim_BroadcastOp : Cim_Op<"broadcast", [Pure]> {
  let summary = "Broadcast to a larger shape (ONNX Expand)";
  let description = [{
    numpy broadcasting of the input to the result's shape.

    Example:

    ```mlir
    %y = cim.broadcast %x : tensor<3x1xf32> -> tensor<2x3x4xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Cim_RepeatOp : Cim_Op<"repeat", [Pure]> {
  let summary = "Repeat a tensor along every dimension (ONNX Tile)";
  let description = [{
    `output.shape[d] = input.shape[d] * repeats[d]`. (Named `repeat` because
    `cim.tile` is a crossbar tile.)

    Example:

    ```mlir
    %y = cim.repeat %x {repeats = array<i64: 2, 1>} : tensor<3x4xf32>
        -> tensor<6x4xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, DenseI64ArrayAttr:$repeats);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Cim_IsInfOp : Cim_Op<"is_inf", [Pure]> {
  let summary = "Mask of the infinite elements";
  let description = [{
    ONNX IsInf: `detect_positive`/`detect_negative` choose the signs.

    Example:

    ```mlir
    %m = cim.is_inf %x : tensor<4xf32> -> tensor<4xi1>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input,
      DefaultValuedAttr<BoolAttr, "true">:$detect_positive,
      DefaultValuedAttr<BoolAttr, "true">:$detect_negative);
  let results = (outs Cim_BoolTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Cim_IsNanOp : Cim_Op<"is_nan", [Pure]> {
  let summary = "Mask of the NaN elements";
  let description = [{
    Example:

    ```mlir
    %m = cim.is_nan %x : tensor<4xf32> -> tensor<4xi1>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input);
  let results = (outs Cim_BoolTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

#endif // CIM_DIALECT_CIM_CIMMATHOPS_TD
