#!/usr/bin/env python3
# Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Writes an ONNX CNN as a TOSA function, the way TOSA front ends (TFLite,
torch-mlir) present a network: NHWC activations, OHWI / HWCM weights,
matmuls on rank-3 tensors, clamps for ReLU. Used by the interop tests
(docs/interop.md) to check that the TOSA and Linalg paths give the same
compiled program as the ONNX importer.

Weights are copied or transposed, never recomputed, so the TOSA model holds
bit-identical float values. Handles the ops of the bundled models: Conv
(grouped as depthwise), Relu, MaxPool, AveragePool, GlobalAveragePool, Add,
Flatten, Reshape to 2-D, Gemm, MatMul.

Usage: onnx_to_tosa.py model.onnx [--batch N] > model.tosa.mlir
"""
import argparse
import sys

import numpy as np
import onnx
from onnx import numpy_helper

FLT_MAX = "3.40282347E+38"


def ttype(shape, elem="f32"):
    return "tensor<" + "x".join(str(d) for d in shape) + ("x" if shape else "") + elem + ">"


def dense(array):
    """A dense attribute holding the exact float32 bytes of `array`."""
    a = np.ascontiguousarray(array, dtype="<f4")
    return 'dense<"0x' + a.tobytes().hex().upper() + '"> : ' + ttype(a.shape)


class Writer:
    def __init__(self):
        self.lines = []
        self.count = 0

    def fresh(self):
        self.count += 1
        return "%v" + str(self.count)

    def emit(self, text):
        self.lines.append("    " + text)

    def const(self, array):
        name = self.fresh()
        self.emit(f'{name} = "tosa.const"() <{{values = {dense(array)}}}> : () -> {ttype(array.shape)}')
        return name

    def zero_point(self):
        return self.const(np.zeros((1,), np.float32))

    def transpose(self, value, shape, perm):
        out_shape = [shape[p] for p in perm]
        name = self.fresh()
        perms = ", ".join(str(p) for p in perm)
        self.emit(f"{name} = tosa.transpose {value} {{perms = array<i32: {perms}>}} : "
                  f"({ttype(shape)}) -> {ttype(out_shape)}")
        return name, out_shape

    def shape(self, dims):
        s = self.fresh()
        text = ", ".join(str(d) for d in dims)
        self.emit(f"{s} = tosa.const_shape {{values = dense<[{text}]> : tensor<{len(dims)}xindex>}} "
                  f": () -> !tosa.shape<{len(dims)}>")
        return s

    def reshape(self, value, shape, new_shape):
        s = self.shape(new_shape)
        name = self.fresh()
        self.emit(f"{name} = tosa.reshape {value}, {s} : ({ttype(shape)}, !tosa.shape<{len(new_shape)}>) "
                  f"-> {ttype(new_shape)}")
        return name, list(new_shape)


def attr(node, name, default=None):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def pool_out(size, k, s, p0, p1):
    return (size + p0 + p1 - k) // s + 1


def exact_window(w, x, xs, pads, kernel, strides, dil=(1, 1)):
    """TOSA wants (size - 1 + pads - span) divisible by the stride, as
    TFLite converters emit: drops the bottom/right padding no output reads,
    then slices off input rows/columns no output reads. Returns the input,
    its NHWC shape and the ONNX-order pads [t, l, b, r]."""
    pads = list(pads)
    crop = [0, 0]
    for axis in range(2):
        span = dil[axis] * (kernel[axis] - 1)
        rem = (xs[axis + 1] - 1 + pads[axis] + pads[axis + 2] - span) % strides[axis]
        cut = min(rem, pads[axis + 2])
        pads[axis + 2] -= cut
        crop[axis] = rem - cut
    if crop != [0, 0]:
        size = [xs[0], xs[1] - crop[0], xs[2] - crop[1], xs[3]]
        start = w.shape([0, 0, 0, 0])
        count = w.shape(size)
        name = w.fresh()
        w.emit(f"{name} = tosa.slice {x}, {start}, {count} : ({ttype(xs)}, !tosa.shape<4>, "
               f"!tosa.shape<4>) -> {ttype(size)}")
        x, xs = name, size
    return x, xs, pads


def convert(model, batch):
    graph = model.graph
    inits = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    w = Writer()
    # Values are kept NHWC inside (rank 4) and remembered with their shape.
    values = {}
    inp = [i for i in graph.input if i.name not in inits][0]
    in_shape = [d.dim_value or batch for d in inp.type.tensor_type.shape.dim]
    in_shape[0] = batch
    v, s = w.transpose("%input", in_shape, [0, 2, 3, 1])
    values[inp.name] = (v, s)

    for node in graph.node:
        op = node.op_type
        if op == "Conv":
            x, xs = values[node.input[0]]
            weight = inits[node.input[1]]
            f, cg, kh, kw = weight.shape
            group = attr(node, "group", 1)
            bias = inits[node.input[2]] if len(node.input) > 2 else np.zeros((f,), np.float32)
            pads = attr(node, "pads", [0, 0, 0, 0])  # ONNX: t, l, b, r
            strides = attr(node, "strides", [1, 1])
            dil = attr(node, "dilations", [1, 1])
            x, xs, pads = exact_window(w, x, xs, pads, (kh, kw), strides, dil)
            oh = (xs[1] + pads[0] + pads[2] - dil[0] * (kh - 1) - 1) // strides[0] + 1
            ow = (xs[2] + pads[1] + pads[3] - dil[1] * (kw - 1) - 1) // strides[1] + 1
            out = [xs[0], oh, ow, f]
            common = (f"acc_type = f32, dilation = array<i64: {dil[0]}, {dil[1]}>, "
                      f"pad = array<i64: {pads[0]}, {pads[2]}, {pads[1]}, {pads[3]}>, "
                      f"stride = array<i64: {strides[0]}, {strides[1]}>")
            b = w.const(bias)
            izp, wzp = w.zero_point(), w.zero_point()
            name = w.fresh()
            if group == 1:
                wt = w.const(weight.transpose(0, 2, 3, 1))  # FCHW -> OHWI
                w.emit(f"{name} = tosa.conv2d {x}, {wt}, {b}, {izp}, {wzp} {{{common}}} : "
                       f"({ttype(xs)}, {ttype([f, kh, kw, cg])}, {ttype([f])}, tensor<1xf32>, "
                       f"tensor<1xf32>) -> {ttype(out)}")
            elif group == xs[3] and cg == 1:
                m = f // group
                # FCHW with F = C*M -> HWCM.
                wt_arr = weight.reshape(group, m, kh, kw).transpose(2, 3, 0, 1)
                wt = w.const(wt_arr)
                w.emit(f"{name} = tosa.depthwise_conv2d {x}, {wt}, {b}, {izp}, {wzp} {{{common}}} : "
                       f"({ttype(xs)}, {ttype(list(wt_arr.shape))}, {ttype([f])}, tensor<1xf32>, "
                       f"tensor<1xf32>) -> {ttype(out)}")
            else:
                sys.exit(f"onnx_to_tosa: {node.name}: grouped convolution that is not depthwise")
            values[node.output[0]] = (name, out)
        elif op == "Relu":
            x, xs = values[node.input[0]]
            name = w.fresh()
            w.emit(f"{name} = tosa.clamp {x} {{max_val = {FLT_MAX} : f32, min_val = 0.0 : f32}} : "
                   f"({ttype(xs)}) -> {ttype(xs)}")
            values[node.output[0]] = (name, xs)
        elif op in ("MaxPool", "AveragePool"):
            x, xs = values[node.input[0]]
            k = attr(node, "kernel_shape")
            st = attr(node, "strides", [1, 1])
            x, xs, pads = exact_window(w, x, xs, attr(node, "pads", [0, 0, 0, 0]), k, st)
            out = [xs[0], pool_out(xs[1], k[0], st[0], pads[0], pads[2]),
                   pool_out(xs[2], k[1], st[1], pads[1], pads[3]), xs[3]]
            common = (f"kernel = array<i64: {k[0]}, {k[1]}>, "
                      f"pad = array<i64: {pads[0]}, {pads[2]}, {pads[1]}, {pads[3]}>, "
                      f"stride = array<i64: {st[0]}, {st[1]}>")
            name = w.fresh()
            if op == "MaxPool":
                w.emit(f"{name} = tosa.max_pool2d {x} {{{common}}} : ({ttype(xs)}) -> {ttype(out)}")
            else:
                izp, ozp = w.zero_point(), w.zero_point()
                w.emit(f"{name} = tosa.avg_pool2d {x}, {izp}, {ozp} {{acc_type = f32, {common}}} : "
                       f"({ttype(xs)}, tensor<1xf32>, tensor<1xf32>) -> {ttype(out)}")
            values[node.output[0]] = (name, out)
        elif op == "GlobalAveragePool":
            x, xs = values[node.input[0]]
            out = [xs[0], 1, 1, xs[3]]
            izp, ozp = w.zero_point(), w.zero_point()
            name = w.fresh()
            w.emit(f"{name} = tosa.avg_pool2d {x}, {izp}, {ozp} {{acc_type = f32, "
                   f"kernel = array<i64: {xs[1]}, {xs[2]}>, pad = array<i64: 0, 0, 0, 0>, "
                   f"stride = array<i64: 1, 1>}} : ({ttype(xs)}, tensor<1xf32>, tensor<1xf32>) -> {ttype(out)}")
            values[node.output[0]] = (name, out)
        elif op == "Add":
            (a, as_), (b, bs) = values[node.input[0]], values[node.input[1]]
            if as_ != bs:
                sys.exit(f"onnx_to_tosa: {node.name}: Add of different shapes")
            name = w.fresh()
            w.emit(f"{name} = tosa.add {a}, {b} : ({ttype(as_)}, {ttype(bs)}) -> {ttype(as_)}")
            values[node.output[0]] = (name, as_)
        elif op in ("Flatten", "Reshape"):
            x, xs = values[node.input[0]]
            if len(xs) == 4:  # back to NCHW so the element order is ONNX's
                x, xs = w.transpose(x, xs, [0, 3, 1, 2])
            values[node.output[0]] = w.reshape(x, xs, [xs[0], int(np.prod(xs[1:]))])
        elif op in ("Gemm", "MatMul"):
            x, xs = values[node.input[0]]
            weight = inits[node.input[1]]
            if op == "Gemm":
                if attr(node, "transA", 0) or attr(node, "alpha", 1.0) != 1.0 or attr(node, "beta", 1.0) != 1.0:
                    sys.exit(f"onnx_to_tosa: {node.name}: Gemm with transA, alpha or beta")
                if attr(node, "transB", 0):
                    weight = weight.T
            k, n = weight.shape
            x3, x3s = w.reshape(x, xs, [1, xs[0], k])
            wc = w.const(weight.reshape(1, k, n))
            azp, bzp = w.zero_point(), w.zero_point()
            mm = w.fresh()
            w.emit(f"{mm} = tosa.matmul {x3}, {wc}, {azp}, {bzp} : ({ttype(x3s)}, {ttype([1, k, n])}, "
                   f"tensor<1xf32>, tensor<1xf32>) -> {ttype([1, xs[0], n])}")
            y, ys = w.reshape(mm, [1, xs[0], n], [xs[0], n])
            if op == "Gemm" and len(node.input) > 2:
                bias = inits[node.input[2]].reshape(1, n)
                bc = w.const(bias)
                name = w.fresh()
                w.emit(f"{name} = tosa.add {y}, {bc} : ({ttype(ys)}, {ttype([1, n])}) -> {ttype(ys)}")
                y = name
            values[node.output[0]] = (y, ys)
        else:
            sys.exit(f"onnx_to_tosa: {node.name or op}: unsupported op {op}")

    outs = []
    for o in graph.output:
        v, s = values[o.name]
        if len(s) == 4:
            v, s = w.transpose(v, s, [0, 3, 1, 2])
        outs.append((o.name, v, s))
    head = (f"func.func @main(%input: {ttype(in_shape)} {{onnx.name = \"{inp.name}\"}}) -> ("
            + ", ".join(f"{ttype(s)} {{onnx.name = \"{n}\"}}" for n, _, s in outs) + ") {")
    ret = ("    return " + ", ".join(v for _, v, _ in outs) + " : "
           + ", ".join(ttype(s) for _, _, s in outs))
    return "\n".join(["module {", "  " + head] + w.lines + [ret, "  }", "}"]) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--batch", type=int, default=1)
    args = parser.parse_args()
    sys.stdout.write(convert(onnx.load(args.model), args.batch))


if __name__ == "__main__":
    main()
