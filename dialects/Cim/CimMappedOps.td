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

def Cim_MvmOp : Cim_Op<"mvm", [Pure]> {
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

#endif // CIM_DIALECT_CIM_CIMMAPPEDOPS_TD
