//===- CimImageOps.td - Image ops of the cim dialect -------*- tablegen -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Graph-level ops of image models that no other op expresses: the scatter
// half of a transposed convolution (its matrix product runs on crossbars as
// a cim.matmul) and resampling (ONNX Resize and Upsample). Both run on the
// digital side.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMIMAGEOPS_TD
#define CIM_DIALECT_CIM_CIMIMAGEOPS_TD

include "Cim/CimGraphOps.td"

//===----------------------------------------------------------------------===//
// Col2imOp
//===----------------------------------------------------------------------===//

def Cim_Col2imOp : Cim_Op<"col2im", [Pure]> {
  let summary = "Scatter-add of per-pixel kernel columns into an image";
  let description = [{
    The adjoint of im2col, and the second half of a transposed convolution:
    `input` is `[N, H, W, M, kh, kw]` (for every input pixel, the product
    of its channel vector with the weight), and

    `output[n, m, y*sy - pt + i*dy, x*sx - pl + j*dx] +=
    input[n, y, x, m, i, j]`

    for every position that falls inside the output, which is
    `[N, M, OH, OW]` with `OH = (H - 1) * sy + (kh - 1) * dy + 1 - pt - pb`
    (and likewise `OW`). `pads` is `[top, left, bottom, right]`; an end pad
    may be negative (ONNX's `output_padding`: rows and columns that no
    column reaches stay zero), a begin pad too (an `output_shape` larger
    than the full result).

    ONNX ConvTranspose imports as a transpose of the input to
    `[N * H * W, C]`, one cim.matmul per group with the constant weight
    `[C / g, M / g * kh * kw]` (which maps onto crossbars), this op and the
    bias.

    Example:

    ```mlir
    %y = cim.col2im %cols {strides = array<i64: 2, 2>,
                           pads = array<i64: 1, 1, 1, 1>}
        : tensor<1x3x3x2x3x3xf32> -> tensor<1x2x5x5xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$pads,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// ResizeOp
//===----------------------------------------------------------------------===//

def Cim_ResizeOp : Cim_Op<"resize", [Pure, AttrSizedOperandSegments]> {
  let summary = "Resample a tensor (ONNX Resize and Upsample)";
  let description = [{
    Every output element interpolates the input along each axis, as ONNX
    Resize (opsets 10 to 13) defines it:

    - `mode`: `nearest`, `linear` (bi-/tri-linear over all axes) or `cubic`
      (with `cubic_coeff_a` and `exclude_outside`);
    - `coordinate_transformation_mode`: `half_pixel`, `pytorch_half_pixel`,
      `align_corners`, `asymmetric`, `tf_half_pixel_for_nn` or
      `tf_crop_and_resize` (then `roi` holds `[starts..., ends...]`, one
      pair per axis, and coordinates outside the input give
      `extrapolation_value`);
    - `nearest_mode`: `round_prefer_floor`, `round_prefer_ceil`, `floor`
      or `ceil`.

    `scales` has one entry per axis: the factor the coordinates transform
    with (ONNX's scales, or output size / input size when sizes were
    given). Upsample is `asymmetric` with `nearest_mode = floor`.

    The output shape is static. Where the model computes the scales or the
    roi at run time, they come as the 1-D float operands `scales_input` and
    `roi_input`, whose values replace the attributes (`scales` then holds
    output size / input size).

    Example:

    ```mlir
    %y = cim.resize %x {mode = "linear",
                        scales = array<f64: 1.0, 1.0, 2.0, 2.0>}
        : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input,
      Optional<Cim_FloatTensor>:$scales_input,
      Optional<Cim_FloatTensor>:$roi_input, DenseF64ArrayAttr:$scales,
      DefaultValuedAttr<StrAttr, "\"nearest\"">:$mode,
      DefaultValuedAttr<StrAttr, "\"half_pixel\"">:
          $coordinate_transformation_mode,
      DefaultValuedAttr<StrAttr, "\"round_prefer_floor\"">:$nearest_mode,
      DefaultValuedAttr<F32Attr, "-0.75f">:$cubic_coeff_a,
      DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
      DefaultValuedAttr<F32Attr, "0.0f">:$extrapolation_value,
      OptionalAttr<DenseF64ArrayAttr>:$roi);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = [{
    $input (`scales` `(` $scales_input^ `:` type($scales_input) `)`)?
    (`roi` `(` $roi_input^ `:` type($roi_input) `)`)? attr-dict `:`
    type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// GridSampleOp
//===----------------------------------------------------------------------===//

def Cim_GridSampleOp : Cim_Op<"grid_sample", [Pure]> {
  let summary = "Sample an image at normalized grid locations (ONNX GridSample)";
  let description = [{
    `input` is `[N, C, H, W]`, `grid` is `[N, Ho, Wo, 2]` holding (x, y) in
    [-1, 1] (outside with padding), and `output[n, c, i, j]` samples
    `input[n, c]` at `grid[n, i, j]` as ONNX GridSample (opset 16) and
    PyTorch's `grid_sample` define it: `mode` `bilinear`, `nearest`
    (half to even) or `bicubic` (A = -0.75); `padding_mode` `zeros`,
    `border` or `reflection`; with `align_corners` -1 and 1 are the corner
    pixels' centres, else their outer edges.

    Example:

    ```mlir
    %y = cim.grid_sample %x, %g {mode = "bilinear"}
        : tensor<1x1x4x4xf32>, tensor<1x6x6x2xf32> -> tensor<1x1x6x6xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input, Cim_FloatTensor:$grid,
      DefaultValuedAttr<StrAttr, "\"bilinear\"">:$mode,
      DefaultValuedAttr<StrAttr, "\"zeros\"">:$padding_mode,
      DefaultValuedAttr<BoolAttr, "false">:$align_corners);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $grid attr-dict `:` type($input) `,` type($grid) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// NonMaxSuppressionOp
//===----------------------------------------------------------------------===//

def Cim_NonMaxSuppressionOp : Cim_Op<"non_max_suppression", [Pure]> {
  let summary = "Greedy box selection by score and overlap (ONNX "
                "NonMaxSuppression)";
  let description = [{
    `boxes` is `[B, N, 4]` (corners `[y1, x1, y2, x2]` in either order, or
    with `center_point_box` `[xc, yc, w, h]`), `scores` is `[B, C, N]`.
    For every batch and class, boxes scoring above `score_threshold` are
    taken by descending score (ties: lower index first), each unless its
    intersection over union with one already taken exceeds
    `iou_threshold`, up to `max_output_boxes_per_class` (0: none). The
    result lists `[batch, class, box]` in that order; its length is the
    one the model declares, and another count is a run-time error. The
    three limits are scalar operands, as ONNX passes them.

    Example:

    ```mlir
    %s = cim.non_max_suppression %boxes, %scores, %max, %iou, %score
        : tensor<1x6x4xf32>, tensor<1x1x6xf32>, tensor<1xi64>, tensor<1xf32>,
          tensor<1xf32> -> tensor<3x3xi64>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$boxes, Cim_FloatTensor:$scores,
      Cim_IntegerTensor:$max_output_boxes_per_class,
      Cim_FloatTensor:$iou_threshold, Cim_FloatTensor:$score_threshold,
      DefaultValuedAttr<BoolAttr, "false">:$center_point_box);
  let results = (outs 2DTensorOf<[I64]>:$output);
  let assemblyFormat = [{
    $boxes `,` $scores `,` $max_output_boxes_per_class `,` $iou_threshold
    `,` $score_threshold attr-dict `:` type(operands) `->` type($output)
  }];
  let hasVerifier = 1;
}

#endif // CIM_DIALECT_CIM_CIMIMAGEOPS_TD
