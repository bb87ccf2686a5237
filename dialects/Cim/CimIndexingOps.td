//===- CimIndexingOps.td - Indexing ops of the cim dialect -*- tablegen -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Graph-level ops that move elements by run-time indices (scatters, N-D
// gathers), select them by run-time values (Compress, NonZero, Unique, TopK)
// or compute small closed forms (BitShift, OneHot, Einsum, the spectral
// windows, Det). All run on the digital side.
//
// The dialect is static-shaped. Where ONNX makes an output's shape depend on
// input values (NonZero, Unique, Compress, a run-time TopK k, OneHot depth or
// window size), the op carries the shape the model declares, and the
// interpreter checks at run time that the values give that shape.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMINDEXINGOPS_TD
#define CIM_DIALECT_CIM_CIMINDEXINGOPS_TD

include "Cim/CimGraphOps.td"

//===----------------------------------------------------------------------===//
// Scatters and N-D gathers
//===----------------------------------------------------------------------===//

def Cim_ScatterElementsOp : Cim_Op<"scatter_elements", [Pure]> {
  let summary = "Write elements at run-time indices along one axis";
  let description = [{
    ONNX ScatterElements (and its opset 9-10 name Scatter): the output is
    `data` with, for every position `p` of `indices`,
    `output[p with p[axis] = indices[p]] = updates[p]`, or combined with
    the existing value by `reduction` (`add`, `mul`, `max`, `min`; `none`
    overwrites, the last write winning). Negative indices count from the
    end; an index out of range is a run-time error.

    Example:

    ```mlir
    %y = cim.scatter_elements %data[%i], %u {axis = 1 : i64}
        : tensor<1x5xf32>, tensor<1x2xi64>, tensor<1x2xf32> -> tensor<1x5xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$data, Cim_IntegerTensor:$indices,
      Cim_Tensor:$updates, DefaultValuedAttr<I64Attr, "0">:$axis,
      DefaultValuedAttr<StrAttr, "\"none\"">:$reduction);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $data `[` $indices `]` `,` $updates attr-dict `:` type($data) `,`
    type($indices) `,` type($updates) `->` type($output)
  }];
  let hasVerifier = 1;
}

def Cim_ScatterNdOp : Cim_Op<"scatter_nd", [Pure]> {
  let summary = "Write slices at run-time N-D indices";
  let description = [{
    ONNX ScatterND: `indices` is `[..., k]`; every index vector addresses a
    slice `data[i0, ..., ik-1]` of shape `data.shape[k:]`, which becomes the
    matching slice of `updates` (shape `indices.shape[:-1] +
    data.shape[k:]`), or is combined with it by `reduction`.

    Example:

    ```mlir
    %y = cim.scatter_nd %data[%i], %u {reduction = "add"}
        : tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x4xf32> -> tensor<4x4xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$data, Cim_IntegerTensor:$indices,
      Cim_Tensor:$updates,
      DefaultValuedAttr<StrAttr, "\"none\"">:$reduction);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $data `[` $indices `]` `,` $updates attr-dict `:` type($data) `,`
    type($indices) `,` type($updates) `->` type($output)
  }];
  let hasVerifier = 1;
}

def Cim_GatherNdOp : Cim_Op<"gather_nd", [Pure]> {
  let summary = "Take slices at run-time N-D indices";
  let description = [{
    ONNX GatherND: the first `batch_dims` dimensions of `data` and
    `indices` correspond; each index vector (the last dimension of
    `indices`, of size `k`) addresses a slice of `data` past the batch
    dimensions. The output is `indices.shape[:-1] +
    data.shape[batch_dims + k:]`.

    Example:

    ```mlir
    %y = cim.gather_nd %data[%i] {batch_dims = 1 : i64}
        : tensor<2x2x2xi32>, tensor<2x1xi64> -> tensor<2x2xi32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$data, Cim_IntegerTensor:$indices,
      DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $data `[` $indices `]` attr-dict `:` type($data) `,` type($indices) `->`
    type($output)
  }];
  let hasVerifier = 1;
}

def Cim_ReverseSequenceOp : Cim_Op<"reverse_sequence", [Pure]> {
  let summary = "Reverse the first sequence_lens[b] steps of every batch";
  let description = [{
    ONNX ReverseSequence: for batch `b` (along `batch_axis`), the first
    `sequence_lens[b]` elements along `time_axis` come in reverse order,
    the rest stay. A length outside `[0, time steps]` is a run-time error.

    Example:

    ```mlir
    %y = cim.reverse_sequence %x, %lens {batch_axis = 0 : i64,
                                         time_axis = 1 : i64}
        : tensor<4x4xf32>, tensor<4xi64> -> tensor<4x4xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, Cim_IntegerTensor:$sequence_lens,
      DefaultValuedAttr<I64Attr, "1">:$batch_axis,
      DefaultValuedAttr<I64Attr, "0">:$time_axis);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $sequence_lens attr-dict `:` type($input) `,`
    type($sequence_lens) `->` type($output)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Selections whose size depends on values
//===----------------------------------------------------------------------===//

def Cim_CompressOp : Cim_Op<"compress", [Pure]> {
  let summary = "Keep the slices along an axis where a condition holds";
  let description = [{
    ONNX Compress: slice `i` along `axis` is kept where `condition[i]` is
    non-zero (entries past the condition's end drop); without `axis` the
    input is flattened first. The output has the shape the model declares;
    the interpreter checks that the condition selects that many slices.

    Example:

    ```mlir
    %y = cim.compress %x, %c {axis = 0 : i64}
        : tensor<3x2xf32>, tensor<3xi1> -> tensor<2x2xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, Cim_Tensor:$condition,
      OptionalAttr<I64Attr>:$axis);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $condition attr-dict `:` type($input) `,` type($condition)
    `->` type($output)
  }];
  let hasVerifier = 1;
}

def Cim_NonZeroOp : Cim_Op<"nonzero", [Pure]> {
  let summary = "Indices of the non-zero elements";
  let description = [{
    ONNX NonZero: `[rank, count]`, the coordinates of every non-zero element
    in row-major order. `count` is the model's declared size, checked at
    run time.

    Example:

    ```mlir
    %i = cim.nonzero %x : tensor<2x2xi1> -> tensor<2x3xi64>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input);
  let results = (outs RankedTensorOf<[I64]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

def Cim_UniqueOp : Cim_Op<"unique", [Pure]> {
  let summary = "Unique elements (or slices along an axis) of a tensor";
  let description = [{
    ONNX Unique: `output` holds the unique elements of the flattened input
    (or, with `axis`, the unique slices along it), sorted ascending with
    `sorted`, else in order of first occurrence; `indices` the position of
    each one's first occurrence, `inverse_indices` for every input element
    (slice) the position of its value in `output`, `counts` how often each
    occurs. The number of unique values is the model's declared size,
    checked at run time.

    Example:

    ```mlir
    %y, %i, %inv, %c = cim.unique %x {sorted = false}
        : tensor<6xf32> -> tensor<4xf32>, tensor<4xi64>, tensor<6xi64>,
          tensor<4xi64>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, OptionalAttr<I64Attr>:$axis,
      DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs Cim_Tensor:$output, RankedTensorOf<[I64]>:$indices,
      RankedTensorOf<[I64]>:$inverse_indices, RankedTensorOf<[I64]>:$counts);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` type($output) `,` type($indices)
    `,` type($inverse_indices) `,` type($counts)
  }];
  let hasVerifier = 1;
}

def Cim_TopKOp : Cim_Op<"top_k", [Pure]> {
  let summary = "The k largest (or smallest) elements along one axis";
  let description = [{
    ONNX TopK: `values` and their `indices` along `axis`, largest first
    (smallest with `largest = false`); equal values keep the lower index
    first. `k` is the size of the results along `axis`; a run-time `k`
    operand must equal it (checked by the interpreter).

    Example:

    ```mlir
    %v, %i = cim.top_k %x k(%k : tensor<1xi64>) {axis = 1 : i64}
        : tensor<3x4xf32> -> tensor<3x3xf32>, tensor<3x3xi64>
    ```
  }];
  let arguments = (ins Cim_Tensor:$input, Optional<Cim_IntegerTensor>:$k,
      DefaultValuedAttr<I64Attr, "-1">:$axis,
      DefaultValuedAttr<BoolAttr, "true">:$largest,
      DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs Cim_Tensor:$values, RankedTensorOf<[I64]>:$indices);
  let assemblyFormat = [{
    $input (`k` `(` $k^ `:` type($k) `)`)? attr-dict `:` type($input) `->`
    type($values) `,` type($indices)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Closed forms
//===----------------------------------------------------------------------===//

def Cim_BitShiftOp : Cim_Op<"bit_shift", [Pure]> {
  let summary = "Shift unsigned integers left or right (ONNX BitShift)";
  let description = [{
    `lhs << rhs` (`direction = "left"`) or `lhs >> rhs` (`"right"`) with
    numpy broadcasting, in the width of the unsigned element type (bits
    shifted out are lost; a shift by the width or more gives 0).

    Example:

    ```mlir
    %z = cim.bit_shift %x, %y {direction = "left"}
        : tensor<3xui8>, tensor<3xui8> -> tensor<3xui8>
    ```
  }];
  let arguments = (ins Cim_IntegerTensor:$lhs, Cim_IntegerTensor:$rhs,
      StrAttr:$direction);
  let results = (outs Cim_IntegerTensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)
  }];
  let hasVerifier = 1;
}

def Cim_OneHotOp : Cim_Op<"one_hot", [Pure]> {
  let summary = "One-hot encoding along a new axis";
  let description = [{
    ONNX OneHot: a new dimension of size `depth` is inserted at `axis`;
    `output[..., j, ...]` is `values[1]` where `j` equals the index
    (negative indices count from the end, non-integer ones are truncated)
    and `values[0]` elsewhere. Indices outside `[-depth, depth)` give a
    row of `values[0]`. `depth` is the output's size at `axis`; a run-time
    `depth` operand must equal it (checked by the interpreter).

    Example:

    ```mlir
    %y = cim.one_hot %i, %v depth(%d : tensor<f32>) {axis = 1 : i64}
        : tensor<2x2xf32>, tensor<2xf32> -> tensor<2x10x2xf32>
    ```
  }];
  let arguments = (ins Cim_Tensor:$indices, Cim_Tensor:$values,
      Optional<Cim_Tensor>:$depth, DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $indices `,` $values (`depth` `(` $depth^ `:` type($depth) `)`)?
    attr-dict `:` type($indices) `,` type($values) `->` type($output)
  }];
  let hasVerifier = 1;
}

def Cim_EinsumOp : Cim_Op<"einsum", [Pure]> {
  let summary = "Einstein summation (ONNX Einsum)";
  let description = [{
    `equation` names every operand's dimensions with letters
    (`"bij,bjk->bik"`); `...` stands for the leading (broadcast)
    dimensions. Letters missing from the output (after `->`, or, without
    it, every letter that occurs once, in alphabetical order) are summed
    over; a letter repeated in one operand takes its diagonal. Sums run in
    double, rounded to the element type once.

    Example:

    ```mlir
    %z = cim.einsum %x, %y {equation = "bij,bjk->bik"}
        : tensor<5x2x3xf32>, tensor<5x3x4xf32> -> tensor<5x2x4xf32>
    ```
  }];
  let arguments = (ins Variadic<Cim_Tensor>:$inputs, StrAttr:$equation);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $inputs attr-dict `:` type($inputs) `->` type($output)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The subscripts of every operand and of the output, with `...`
    /// expanded into one digit per broadcast dimension; failure
    /// (without a diagnostic) if the equation does not parse or does not
    /// match the operands' ranks.
    ::llvm::LogicalResult getSubscripts(
        ::llvm::SmallVectorImpl<std::string> &inputs, std::string &output);
  }];
}

def Cim_WindowOp : Cim_Op<"window", [Pure]> {
  let summary = "A spectral window (ONNX Hann-, Hamming-, BlackmanWindow)";
  let description = [{
    `kind` is `hann`, `hamming` or `blackman`; with `periodic` the window
    is that of size + 1 without its last sample (for spectral analysis),
    else symmetric. The size is the output's; a run-time `size` operand
    must equal it (checked by the interpreter).

    Example:

    ```mlir
    %w = cim.window "hann" size(%n : tensor<i32>) : tensor<10xf32>
    ```
  }];
  let arguments = (ins Optional<Cim_IntegerTensor>:$size, StrAttr:$kind,
      DefaultValuedAttr<BoolAttr, "true">:$periodic);
  let results = (outs Cim_Tensor:$output);
  let assemblyFormat = [{
    $kind (`size` `(` $size^ `:` type($size) `)`)? attr-dict `:`
    type($output)
  }];
  let hasVerifier = 1;
}

def Cim_DetOp : Cim_Op<"det", [Pure]> {
  let summary = "Determinant of square matrices (ONNX Det)";
  let description = [{
    The determinant of each `[M, M]` matrix in the last two dimensions (LU
    with partial pivoting in double).

    Example:

    ```mlir
    %d = cim.det %x : tensor<3x2x2xf32> -> tensor<3xf32>
    ```
  }];
  let arguments = (ins Cim_FloatTensor:$input);
  let results = (outs Cim_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
}

#endif // CIM_DIALECT_CIM_CIMINDEXINGOPS_TD
