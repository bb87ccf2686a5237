//===- CimGraphOps.td - Graph-level ops of the cim dialect --*- tablegen -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The graph level: whole-tensor ops as they come from ONNX, TOSA or Linalg.
// Layouts follow ONNX (NCHW activations, FCHW convolution weights) so the
// importer maps nodes one to one. Ops that can run on crossbars (conv2d,
// gemm, matmul) carry an optional #cim.precision.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMGRAPHOPS_TD
#define CIM_DIALECT_CIM_CIMGRAPHOPS_TD

include "Cim/CimDialect.td"
include "Cim/CimAttrs.td"
include "Cim/CimInterfaces.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Cim_Tensor : RankedTensorOf<[AnyFloat, AnyInteger]>;
def Cim_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Cim_IntegerTensor : RankedTensorOf<[AnyInteger]>;


//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

def Cim_ConstantOp : Cim_Op<"constant",
    [ConstantLike, Pure, InferTypeOpAdaptor]> {
  let summary = "A constant tensor (weights, biases, scales)";
  let description = [{
    Materializes a dense tensor constant. Weights imported from a model are
    `cim.constant`s; their being constant is what makes a gemm or conv2d
    weight-stationary (mappable onto crossbars).

    Example:

    ```mlir
    %w = cim.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Cim_Tensor:$result);
  let assemblyFormat = "$value attr-dict";
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Crossbar-capable ops
//===----------------------------------------------------------------------===//

def Cim_Conv2dOp : Cim_Op<"conv2d", [Pure]> {
  let summary = "2-D convolution (NCHW input, FCHW weight)";
  let description = [{
    `output[n, f, y, x] = bias[f] + sum_{c, i, j} input[n, g*C/G + c,
    y*sy - pt + i*dy, x*sx - pl + j*dx] * weight[f, c, i, j]` where `g` is the
    group of output channel `f`. `pads` is `[top, left, bottom, right]` as in
    ONNX. `groups` divides both channel counts; `groups == C` with one
    channel per group is a depthwise convolution.

    With a constant weight the op is weight-stationary: `cim-lower-conv`
    turns it into one K x N matrix per group (K = C/groups * kh * kw,
    N = F/groups) multiplied with every output pixel's im2col vector.

    Example:

    ```mlir
    %y = cim.conv2d %x, %w, %b {strides = array<i64: 2, 2>,
                               pads = array<i64: 1, 1, 1, 1>}
        : tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>
        -> tensor<1x16x16x16xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, Cim_Tensor:$weight,
      Optional<Cim_Tensor>:$bias,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<ConfinedAttr<I64Attr, [IntMinValue<1>]>, "1">:$groups,
      OptionalAttr<Cim_PrecisionAttr>:$precision);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,`
    type($weight) (`,` type($bias)^)? `->` type($output)
  }];
  let hasVerifier = 1;
}

def Cim_GemmOp : Cim_Op<"gemm", [Pure, Cim_CrossbarLayerOpInterface]> {
  let summary = "Matrix product with a K x N right operand, plus bias";
  let description = [{
    `output = input * weight + bias` with `input : M x K`, `weight : K x N`
    and a bias broadcastable to `M x N`. The weight is in crossbar layout:
    row `k` of the matrix drives crossbar row `k`, column `n` is read on
    column(s) `n`. ONNX Gemm's `transA`/`transB`/`alpha`/`beta` are folded
    into the operands at import. With a constant weight the op maps onto
    crossbars; otherwise it runs on the digital unit.

    Example:

    ```mlir
    %y = cim.gemm %x, %w, %b {precision = #cim.precision<weight_bits = 4,
                                  act_bits = 8>}
        : tensor<1x784xf32>, tensor<784x10xf32>, tensor<10xf32>
        -> tensor<1x10xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, Cim_Tensor:$weight,
      Optional<Cim_Tensor>:$bias,
      OptionalAttr<Cim_PrecisionAttr>:$precision);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` type($input) `,`
    type($weight) (`,` type($bias)^)? `->` type($output)
  }];
  let hasVerifier = 1;
}

def Cim_MatmulOp : Cim_Op<"matmul", [Pure]> {
  let summary = "Batched matrix product with numpy broadcasting";
  let description = [{
    numpy `matmul` on operands of rank >= 2: the last two dimensions
    multiply (`... x M x K` times `... x K x N`), leading dimensions
    broadcast. If `rhs` is a constant of rank 2 the op is weight-stationary
    and maps onto crossbars like a gemm; with two activation operands
    (attention's `Q K^T`) it stays on the digital unit and is costed there.

    Example:

    ```mlir
    %s = cim.matmul %q, %k : tensor<1x4x49x64xf32>, tensor<1x4x64x49xf32>
        -> tensor<1x4x49x49xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$lhs, Cim_Tensor:$rhs,
      OptionalAttr<Cim_PrecisionAttr>:$precision);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

class Cim_BinaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : Cim_Op<mnemonic, !listconcat(traits, [Pure])> {
  let summary = "Elementwise " # formula # " with numpy broadcasting";
  let description = [{
    Computes `}] # formula # [{` elementwise. The operand shapes broadcast
    as in numpy (and ONNX); the result has the broadcast shape.

    Example:

    ```mlir
    %z = cim.}] # mnemonic # [{ %x, %y : tensor<1x16x8x8xf32>, tensor<16x1x1xf32>
        -> tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$lhs, Cim_Tensor:$rhs);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)
  }];
  let hasVerifier = 1;
}

def Cim_AddOp : Cim_BinaryOp<"add", "lhs + rhs", [Commutative]> {
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}
def Cim_SubOp : Cim_BinaryOp<"sub", "lhs - rhs">;
def Cim_MulOp : Cim_BinaryOp<"mul", "lhs * rhs", [Commutative]> {
  let hasFolder = 1;
}
def Cim_DivOp : Cim_BinaryOp<"div", "lhs / rhs">;
def Cim_PowOp : Cim_BinaryOp<"pow", "lhs ^ rhs">;

//===----------------------------------------------------------------------===//
// Elementwise unary ops (activations)
//===----------------------------------------------------------------------===//

class Cim_UnaryOp<string mnemonic, string formula, list<Trait> traits = []>
    : Cim_Op<mnemonic, !listconcat(traits, [Pure, SameOperandsAndResultType])> {
  let summary = "Elementwise " # formula;
  let description = [{
    Computes `}] # formula # [{` for every element.

    Example:

    ```mlir
    %y = cim.}] # mnemonic # [{ %x : tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Cim_ReluOp : Cim_UnaryOp<"relu", "max(x, 0)"> {
  let hasFolder = 1;
}
def Cim_SigmoidOp : Cim_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def Cim_TanhOp : Cim_UnaryOp<"tanh", "tanh(x)">;
def Cim_ErfOp : Cim_UnaryOp<"erf", "erf(x)">;
def Cim_SqrtOp : Cim_UnaryOp<"sqrt", "sqrt(x)">;
def Cim_ExpOp : Cim_UnaryOp<"exp", "exp(x)">;
def Cim_HardSwishOp : Cim_UnaryOp<"hard_swish",
    "x * max(0, min(1, x / 6 + 1 / 2))">;

def Cim_LeakyReluOp : Cim_Op<"leaky_relu", [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise x >= 0 ? x : alpha * x";
  let description = [{
    Example:

    ```mlir
    %y = cim.leaky_relu %x {alpha = 1.000000e-01 : f32} : tensor<4xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input,
      DefaultValuedAttr<F32Attr, "0.01f">:$alpha);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Cim_HardSigmoidOp : Cim_Op<"hard_sigmoid",
    [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise max(0, min(1, alpha * x + beta))";
  let description = [{
    ONNX HardSigmoid (defaults alpha = 0.2, beta = 0.5).

    Example:

    ```mlir
    %y = cim.hard_sigmoid %x : tensor<4xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input,
      DefaultValuedAttr<F32Attr, "0.2f">:$alpha,
      DefaultValuedAttr<F32Attr, "0.5f">:$beta);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Cim_GeluOp : Cim_Op<"gelu", [Pure, SameOperandsAndResultType]> {
  let summary = "Gaussian error linear unit";
  let description = [{
    `x * Phi(x)`, exactly (`approximation = none`, via erf) or with the tanh
    approximation.

    Example:

    ```mlir
    %y = cim.gelu %x {approximation = #cim<gelu_approximation tanh>}
        : tensor<1x50x768xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input,
      DefaultValuedAttr<Cim_GeluApproximationAttr,
                        "GeluApproximation::none">:$approximation);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Cim_ClipOp : Cim_Op<"clip", [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise clamp to [min, max]";
  let description = [{
    ReLU6 and ONNX Clip. Bounds are attributes (the importer folds constant
    bound inputs); `min <= max` is verified.

    Example:

    ```mlir
    %y = cim.clip %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<4xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, F32Attr:$min, F32Attr:$max);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Pooling and normalization
//===----------------------------------------------------------------------===//

def Cim_MaxPool2dOp : Cim_Op<"max_pool2d", [Pure]> {
  let summary = "2-D max pooling over NCHW";
  let description = [{
    Window `kernel`, `strides`, `dilations`, `pads = [top, left, bottom,
    right]` (padded cells never win); `ceil_mode` rounds the output size up.

    Example:

    ```mlir
    %y = cim.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
        : tensor<1x16x8x8xf32> -> tensor<1x16x4x4xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, DenseI64ArrayAttr:$kernel,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Cim_AvgPool2dOp : Cim_Op<"avg_pool2d", [Pure]> {
  let summary = "2-D average pooling over NCHW";
  let description = [{
    Window `kernel`, `strides`, `pads = [top, left, bottom, right]`;
    `count_include_pad` divides by the full window size instead of the number
    of real cells; `ceil_mode` rounds the output size up.

    Example:

    ```mlir
    %y = cim.avg_pool2d %x {kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>,
                           count_include_pad = true}
        : tensor<1x16x8x8xf32> -> tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
      DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Cim_GlobalAvgPool2dOp : Cim_Op<"global_avg_pool2d", [Pure]> {
  let summary = "Mean over the spatial dimensions of NCHW";
  let description = [{
    Example:

    ```mlir
    %y = cim.global_avg_pool2d %x : tensor<1x512x7x7xf32> -> tensor<1x512x1x1xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Cim_BatchNormOp : Cim_Op<"batch_norm", [Pure]> {
  let summary = "Inference batch normalization over channel dimension 1";
  let description = [{
    `y = scale * (x - mean) / sqrt(var + epsilon) + bias` per channel.
    `cim-fold-batchnorm` folds it into a preceding conv2d or gemm.

    Example:

    ```mlir
    %y = cim.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0e-05 : f32}
        : tensor<1x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>,
          tensor<16xf32> -> tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input, Cim_FloatTensor:$scale,
      Cim_FloatTensor:$bias, Cim_FloatTensor:$mean, Cim_FloatTensor:$variance,
      DefaultValuedAttr<F32Attr, "1.0e-5f">:$epsilon);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:`
    type($input) `,` type($scale) `,` type($bias) `,` type($mean) `,`
    type($variance) `->` type($output)
  }];
  let hasVerifier = 1;
}

def Cim_LayerNormOp : Cim_Op<"layer_norm", [Pure]> {
  let summary = "Layer normalization over the trailing dimensions from `axis`";
  let description = [{
    Normalizes over dimensions `axis..rank-1` (negative `axis` counts from
    the end) and applies `scale` and optional `bias`, whose shape is those
    trailing dimensions.

    Example:

    ```mlir
    %y = cim.layer_norm %x, %g, %b {axis = -1 : i64}
        : tensor<1x50x768xf32>, tensor<768xf32>, tensor<768xf32>
        -> tensor<1x50x768xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input, Cim_FloatTensor:$scale,
      Optional<Cim_FloatTensor>:$bias,
      DefaultValuedAttr<I64Attr, "-1">:$axis,
      DefaultValuedAttr<F32Attr, "1.0e-5f">:$epsilon);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` type($input) `,`
    type($scale) (`,` type($bias)^)? `->` type($output)
  }];
  let hasVerifier = 1;
}

def Cim_SoftmaxOp : Cim_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "Softmax along one axis";
  let description = [{
    Example:

    ```mlir
    %p = cim.softmax %x {axis = -1 : i64} : tensor<1x10xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input,
      DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Cim_ReduceMeanOp : Cim_Op<"reduce_mean", [Pure]> {
  let summary = "Mean over the listed axes";
  let description = [{
    Reduces `axes` (negative values count from the end, no duplicates); with
    `keepdims` the reduced dimensions stay with size 1.

    Example:

    ```mlir
    %m = cim.reduce_mean %x {axes = array<i64: 2, 3>, keepdims = true}
        : tensor<1x16x8x8xf32> -> tensor<1x16x1x1xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input, DenseI64ArrayAttr:$axes,
      DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data layout ops
//===----------------------------------------------------------------------===//

def Cim_ReshapeOp : Cim_Op<"reshape", [Pure]> {
  let summary = "Reinterpret a tensor with another static shape";
  let description = [{
    The element count must not change. The importer resolves ONNX's `0` and
    `-1` entries, so the result type is the new shape.

    Example:

    ```mlir
    %y = cim.reshape %x : tensor<1x16x4x4xf32> -> tensor<1x256xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Cim_FlattenOp : Cim_Op<"flatten", [Pure]> {
  let summary = "Collapse to 2-D around `axis` (ONNX Flatten)";
  let description = [{
    The result is `[prod(dims[:axis]), prod(dims[axis:])]`. With a static
    input it canonicalizes to `cim.reshape`.

    Example:

    ```mlir
    %y = cim.flatten %x {axis = 1 : i64} : tensor<1x16x4x4xf32> -> tensor<1x256xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def Cim_TransposeOp : Cim_Op<"transpose", [Pure]> {
  let summary = "Permute dimensions";
  let description = [{
    `output.shape[i] = input.shape[permutation[i]]`.

    Example:

    ```mlir
    %y = cim.transpose %x {permutation = array<i64: 0, 2, 3, 1>}
        : tensor<1x16x8x8xf32> -> tensor<1x8x8x16xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Cim_SliceOp : Cim_Op<"slice", [Pure]> {
  let summary = "A strided static slice";
  let description = [{
    `output[i...] = input[offsets + i * strides...]`; the result's shape is
    the number of elements taken along each dimension. ONNX Slice with
    constant starts, ends and positive steps imports to this op (channel
    splits in ShuffleNet, the packed q/k/v projection of attention).

    Example:

    ```mlir
    %y = cim.slice %x {offsets = array<i64: 0, 58, 0, 0>, strides = array<i64: 1, 1, 1, 1>}
        : tensor<1x116x28x28xf32> -> tensor<1x58x28x28xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, DenseI64ArrayAttr:$offsets,
      DenseI64ArrayAttr:$strides);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Cim_ConcatOp : Cim_Op<"concat", [Pure]> {
  let summary = "Concatenate tensors along one axis";
  let description = [{
    Example:

    ```mlir
    %y = cim.concat %a, %b {axis = 1 : i64} : tensor<1x8x4x4xf32>,
        tensor<1x24x4x4xf32> -> tensor<1x32x4x4xf32>
    ```
  }];
  let arguments = (ins Variadic<Cim_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` type($inputs) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Cim_SplitOp : Cim_Op<"split", [Pure]> {
  let summary = "Split a tensor into consecutive slices along one axis";
  let description = [{
    The results' sizes along `axis` add up to the input's; all other
    dimensions are the input's.

    Example:

    ```mlir
    %a, %b = cim.split %x {axis = 1 : i64} : tensor<1x32x4x4xf32>
        -> tensor<1x8x4x4xf32>, tensor<1x24x4x4xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, I64Attr:$axis);
  let results = (outs Variadic<Cim_Tensor>:$outputs);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($outputs)";
  let hasVerifier = 1;
}

def Cim_PadOp : Cim_Op<"pad", [Pure]> {
  let summary = "Pad a tensor (constant, reflect or edge)";
  let description = [{
    `pads` has `2 * rank` non-negative entries, all begins then all ends, as
    in ONNX.

    Example:

    ```mlir
    %y = cim.pad %x {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>, value = 0.0 : f32}
        : tensor<1x3x8x8xf32> -> tensor<1x3x10x10xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, DenseI64ArrayAttr:$pads,
      DefaultValuedAttr<Cim_PadModeAttr, "PadMode::constant">:$mode,
      DefaultValuedAttr<F32Attr, "0.0f">:$value);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def Cim_QuantizeOp : Cim_Op<"quantize", [Pure]> {
  let summary = "Affine quantization to `bits`-bit integers";
  let description = [{
    `q = clamp(round(x / scale) + zero_point, qmin, qmax)`, rounding half to
    even. The result's integer type is the storage; `bits` (at most its
    width) is the number of bits actually used, so a 4-bit layer keeps its
    precision in an `i8` tensor. `ui*` results are unsigned
    (`[0, 2^bits - 1]`), others signed (`[-2^(bits-1), 2^(bits-1) - 1]`).
    With `axis`, `scale` and `zero_point` hold one entry per slice along that
    axis (per-channel), else one entry.

    Example:

    ```mlir
    %q = cim.quantize %x {scale = array<f32: 0.05>, zero_point = array<i64: 0>,
                         bits = 8 : i64} : tensor<1x16xf32> -> tensor<1x16xi8>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input, DenseF32ArrayAttr:$scale,
      DenseI64ArrayAttr:$zero_point, OptionalAttr<I64Attr>:$axis,
      ConfinedAttr<I64Attr, [IntMinValue<1>, IntMaxValue<32>]>:$bits);
  let results = (outs Cim_IntegerTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Cim_DequantizeOp : Cim_Op<"dequantize", [Pure]> {
  let summary = "Affine dequantization of `bits`-bit integers";
  let description = [{
    `x = (q - zero_point) * scale`, the inverse of `cim.quantize` with the
    same attribute rules.

    Example:

    ```mlir
    %x = cim.dequantize %q {scale = array<f32: 0.05>, zero_point = array<i64: 0>,
                           bits = 8 : i64} : tensor<1x16xi8> -> tensor<1x16xf32>
    ```
  }];
  let arguments = (ins Cim_IntegerTensor:$input, DenseF32ArrayAttr:$scale,
      DenseI64ArrayAttr:$zero_point, OptionalAttr<I64Attr>:$axis,
      ConfinedAttr<I64Attr, [IntMinValue<1>, IntMaxValue<32>]>:$bits);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

#endif // CIM_DIALECT_CIM_CIMGRAPHOPS_TD
