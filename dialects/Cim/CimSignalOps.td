//===- CimSignalOps.td - Signal ops of the cim dialect -----*- tablegen -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Graph-level ops of audio front ends (ONNX opset 17's signal ops): the
// discrete Fourier transform, the short-time Fourier transform and the mel
// filter bank. They run on the digital side. Complex values are a trailing
// dimension of 2 (real, imaginary), as ONNX stores them; scalar parameters
// are one-element operands, as ONNX passes them, so that they may be
// computed at run time (the result shape is then the one the model
// declares, and the evaluator checks it).
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMSIGNALOPS_TD
#define CIM_DIALECT_CIM_CIMSIGNALOPS_TD

include "Cim/CimGraphOps.td"

//===----------------------------------------------------------------------===//
// DftOp
//===----------------------------------------------------------------------===//

def Cim_DftOp : Cim_Op<"dft", [Pure]> {
  let summary = "Discrete Fourier transform along one axis (ONNX DFT-17)";
  let description = [{
    `input` is `[batch, d1, ..., dN, 1]` (real) or `[..., 2]` (complex:
    real and imaginary parts). Along `axis` (1 to N; 0, the batch axis, is
    allowed too) every sequence, zero-padded or truncated to `dft_length`
    (default: its size), is transformed:
    `y[k] = sum_n x[n] exp(-2 pi i k n / L)`, or with `inverse`
    `x[n] = 1/L sum_k y[k] exp(2 pi i k n / L)`. With `onesided` (not with
    `inverse`, which ONNX's inference rejects), only the first
    `floor(L / 2) + 1` bins are kept (as ONNX's reference computes it, also
    for a complex input). The output is complex:
    `[batch, ..., L or floor(L / 2) + 1, ..., 2]`.

    `dft_length` is a one-element integer operand; when it is not a
    constant, the evaluator checks that it gives the declared shape.

    Example:

    ```mlir
    %y = cim.dft %x {axis = 1 : i64, onesided = true}
        : tensor<1x16x1xf32> -> tensor<1x9x2xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input,
      Optional<Cim_IntegerTensor>:$dft_length,
      DefaultValuedAttr<I64Attr, "1">:$axis,
      DefaultValuedAttr<BoolAttr, "false">:$inverse,
      DefaultValuedAttr<BoolAttr, "false">:$onesided);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = [{
    $input (`length` `(` $dft_length^ `:` type($dft_length) `)`)? attr-dict
    `:` type($input) `->` type($output)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// StftOp
//===----------------------------------------------------------------------===//

def Cim_StftOp : Cim_Op<"stft", [Pure, AttrSizedOperandSegments]> {
  let summary = "Short-time Fourier transform (ONNX STFT-17)";
  let description = [{
    `signal` is `[batch, length, 1]` (real) or `[batch, length, 2]`
    (complex). Frame `f` is `signal[:, f * frame_step + n]` for `n` below
    the frame length `L` (`frame_length`, else the window's size), times
    `window[n]` (default: ones); there are `1 + (length - L) / frame_step`
    frames. Each frame's DFT of length `L` gives
    `output[b, f, k] = sum_n frame[n] exp(-2 pi i k n / L)`, `[batch,
    frames, L or floor(L / 2) + 1 (onesided), 2]`.

    `frame_step` and `frame_length` are one-element integer operands; when
    they are not constants, the evaluator checks that they give the
    declared shape.

    Example:

    ```mlir
    %y = cim.stft %x, %step : tensor<i64> window(%w : tensor<16xf32>)
        : tensor<1x128x1xf32> -> tensor<1x15x9x2xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$signal,
      Cim_IntegerTensor:$frame_step, Optional<Cim_FloatTensor>:$window,
      Optional<Cim_IntegerTensor>:$frame_length,
      DefaultValuedAttr<BoolAttr, "true">:$onesided);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = [{
    $signal `,` $frame_step `:` type($frame_step)
    (`window` `(` $window^ `:` type($window) `)`)?
    (`length` `(` $frame_length^ `:` type($frame_length) `)`)? attr-dict `:`
    type($signal) `->` type($output)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// MelWeightMatrixOp
//===----------------------------------------------------------------------===//

def Cim_MelWeightMatrixOp : Cim_Op<"mel_weight_matrix", [Pure]> {
  let summary = "Triangular mel filter bank (ONNX MelWeightMatrix-17)";
  let description = [{
    The `[floor(dft_length / 2) + 1, num_mel_bins]` matrix that maps a
    one-sided spectrum onto `num_mel_bins` triangular bands, equally spaced
    on the mel scale `mel(f) = 2595 log10(1 + f / 700)` between
    `lower_edge_hertz` and `upper_edge_hertz`, each with a peak of 1, as
    ONNX's reference computes it (band edges at spectrogram bins
    `floor((dft_length + 1) * hz / sample_rate)`; the mel range is cut into
    `num_mel_bins + 2` steps).

    The importer folds it to a constant when every operand is one; this op
    remains when an operand is computed at run time (the evaluator checks
    that the operands give the declared shape).

    Example:

    ```mlir
    %m = cim.mel_weight_matrix %bins, %n, %rate, %lo, %hi
        : tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>
        -> tensor<9x8xf32>
    ```
  }];
  let arguments = (ins Cim_IntegerTensor:$num_mel_bins,
      Cim_IntegerTensor:$dft_length, Cim_IntegerTensor:$sample_rate,
      Cim_FloatTensor:$lower_edge_hertz, Cim_FloatTensor:$upper_edge_hertz);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $num_mel_bins `,` $dft_length `,` $sample_rate `,` $lower_edge_hertz `,`
    $upper_edge_hertz attr-dict `:` type(operands) `->` type($output)
  }];
  let hasVerifier = 1;
}

#endif // CIM_DIALECT_CIM_CIMSIGNALOPS_TD
