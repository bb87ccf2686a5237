//===- CimImageOps.td - Image ops of the cim dialect -------*- tablegen -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Graph-level ops of image models that no other op expresses: the scatter
// half of a transposed convolution (its matrix product runs on crossbars as
// a cim.matmul), resampling (ONNX Resize, Upsample, GridSample), detection
// (NonMaxSuppression, RoiAlign) and the index side of max pooling (MaxPool's
// Indices, MaxUnpool). All run on the digital side.
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

//===----------------------------------------------------------------------===//
// MaxPoolIndicesOp
//===----------------------------------------------------------------------===//

def Cim_MaxPoolIndicesOp : Cim_Op<"max_pool_indices", [Pure]> {
  let summary = "Where each max-pooling window's maximum is (ONNX MaxPool's "
                "Indices output)";
  let description = [{
    The companion of a max pooling over `[N, C, D1, ..., Dk]` (k = 1 to 3)
    with the same `kernel`, `strides`, `dilations`, `pads` (k begins, then k
    ends; padded cells never win) and `ceil_mode`: for every window, the
    position of its maximum (the first one in row-major scan order on ties)
    as ONNX flattens it, over the unpadded input and counting the batch and
    channel: `(n * C + c) * D1 * ... * Dk + offset`, where `offset` is
    row-major (`column_major = false`, ONNX `storage_order = 0`) or
    column-major (`column_major = true`, `storage_order = 1`) within one
    `[D1, ..., Dk]` plane. The pooled values themselves come from
    cim.max_pool2d (or its 1-D and 3-D decompositions), which later passes
    handle unchanged.

    Example:

    ```mlir
    %i = cim.max_pool_indices %x {kernel = array<i64: 2, 2>,
                                  strides = array<i64: 2, 2>,
                                  pads = array<i64: 0, 0, 0, 0>,
                                  dilations = array<i64: 1, 1>}
        : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xi64>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, DenseI64ArrayAttr:$kernel,
      DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
      DenseI64ArrayAttr:$dilations,
      DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
      DefaultValuedAttr<BoolAttr, "false">:$column_major);
  let results = (outs RankedTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// MaxUnpoolOp
//===----------------------------------------------------------------------===//

def Cim_MaxUnpoolOp : Cim_Op<"max_unpool", [Pure]> {
  let summary = "Scatter pooled values back to their positions (ONNX "
                "MaxUnpool)";
  let description = [{
    `input` and `indices` are `[N, C, D1, ..., Dk]` (k = 1 to 3); the
    unpooled size of axis i is `(Di - 1) * strides[i] - pads[i] -
    pads[k + i] + kernel[i]` (ONNX's inferred shape), and every input value
    lands at its flattened index of that `[N, C, ...]` shape (as MaxPool's
    Indices output counts them); a later value wins a shared index, the
    rest is zero. The output may be larger than the unpooled shape in the
    spatial axes (ONNX's `output_shape`, with which ONNX ignores `pads`):
    the unpooled tensor then sits at its start and the rest is zero. An
    index outside the unpooled tensor is a run-time error.

    `output_shape`, if present, is the 1-D int64 operand ONNX passes; its
    values must equal the (static) output shape at run time.

    Example:

    ```mlir
    %y = cim.max_unpool %x, %i {kernel = array<i64: 2, 2>,
                                strides = array<i64: 2, 2>,
                                pads = array<i64: 0, 0, 0, 0>}
        : tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64> -> tensor<1x1x4x4xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input,
      RankedTensorOf<[I64]>:$indices,
      Optional<RankedTensorOf<[I64]>>:$output_shape,
      DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$strides,
      DenseI64ArrayAttr:$pads);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $indices (`output_shape` `(` $output_shape^ `:`
    type($output_shape) `)`)? attr-dict `:` type($input) `,` type($indices)
    `->` type($output)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// RoiAlignOp
//===----------------------------------------------------------------------===//

def Cim_RoiAlignOp : Cim_Op<"roi_align", [Pure]> {
  let summary = "Pool regions of interest by bilinear sampling (ONNX "
                "RoiAlign)";
  let description = [{
    `input` is `[N, C, H, W]`, `rois` is `[R, 4]` (`[x1, y1, x2, y2]` in
    input coordinates before `spatial_scale`), `batch_indices` is `[R]`
    (the image of each region), and the output `[R, C, OH, OW]` splits
    every region into OH x OW bins. Each bin samples a grid of
    `sampling_ratio` x `sampling_ratio` points (0: `ceil(region size / bins)`
    per axis) bilinearly, as ONNX RoiAlign (opset 16) and ONNX Runtime
    define it: `coordinate_transformation_mode` `half_pixel` shifts the
    scaled region by -0.5 pixel, `output_half_pixel` does not but makes
    every region at least 1 x 1; points more than one pixel outside the
    input count as 0; `mode` `avg` averages the samples and `max` takes,
    over the samples, the largest of the four weighted corner terms of
    each bilinear interpolation (ONNX Runtime's and ONNX's reference
    definition, not the maximum of the interpolated values). A batch
    index outside `[0, N)` is a run-time error.

    Example:

    ```mlir
    %y = cim.roi_align %x, %rois, %b {sampling_ratio = 2 : i64}
        : tensor<1x1x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>
          -> tensor<3x1x5x5xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input, Cim_FloatTensor:$rois,
      Cim_IntegerTensor:$batch_indices,
      DefaultValuedAttr<StrAttr, "\"avg\"">:$mode,
      DefaultValuedAttr<I64Attr, "0">:$sampling_ratio,
      DefaultValuedAttr<F32Attr, "1.0f">:$spatial_scale,
      DefaultValuedAttr<StrAttr, "\"half_pixel\"">:
          $coordinate_transformation_mode);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $rois `,` $batch_indices attr-dict `:` type($input) `,`
    type($rois) `,` type($batch_indices) `->` type($output)
  }];
  let hasVerifier = 1;
}

#endif // CIM_DIALECT_CIM_CIMIMAGEOPS_TD
