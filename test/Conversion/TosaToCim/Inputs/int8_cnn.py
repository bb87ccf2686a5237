#!/usr/bin/env python3
# Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Writes the bundled cnn_bn as int8 TOSA, the way TFLite-style front ends
present a post-training-quantized network, plus the network's own integer
arithmetic computed here in numpy (the independent reference).

Quantization: symmetric int8 activations per tensor (scale from the
calibration maximum), int8 weights per output channel, i32 biases and
accumulators, and tosa.rescale with a 31-bit multiplier and a shift between
layers (TOSA's SINGLE_ROUND: round half up). The float input is scaled and
cast to i8 at the top; the logits are the last i32 accumulator cast to f32
and scaled.

Usage: int8_cnn.py model.onnx calib.npy test.npy OUT_DIR
writes OUT_DIR/int8.tosa.mlir, OUT_DIR/x.npy (the test images) and
OUT_DIR/reference.npy (their logits by the integer arithmetic).
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def ttype(shape, elem):
    return "tensor<" + "x".join(str(d) for d in shape) + "x" + elem + ">"


def dense_int(array, elem):
    return ("dense<" + np.array2string(np.asarray(array), separator=", ",
                                       threshold=1 << 30, max_line_width=1 << 30)
            .replace("\n", "") + "> : " + ttype(array.shape, elem))


def dense_f32(array):
    a = np.ascontiguousarray(array, dtype="<f4")
    return 'dense<"0x' + a.tobytes().hex().upper() + '"> : ' + ttype(a.shape, "f32")


def multiplier_shift(scale):
    """TOSA's 31-bit multiplier and shift for a positive real scale < 1."""
    shift = 0
    while scale < 0.5:
        scale *= 2
        shift += 1
    m = int(round(scale * (1 << 31)))
    if m == 1 << 31:
        m //= 2
        shift -= 1
    return m, shift + 31


def rescale(acc, mult, shift):
    """TOSA RESCALE, SINGLE_ROUND, zero points 0, to int8: exact integers."""
    acc = acc.astype(np.int64)
    mult = np.asarray(mult, np.int64)
    shift = np.asarray(shift, np.int64)
    v = (acc * mult + (np.int64(1) << (shift - 1))) >> shift
    return np.clip(v, -128, 127)


def conv_int(x, w, b, pad):
    """NCHW int64 convolution, stride 1, symmetric pad."""
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = h + 2 * pad - kh + 1, wd + 2 * pad - kw + 1
    cols = np.empty((n, c * kh * kw, oh * ow), np.int64)
    k = 0
    for ci in range(c):
        for i in range(kh):
            for j in range(kw):
                cols[:, k, :] = xp[:, ci, i:i + oh, j:j + ow].reshape(n, -1)
                k += 1
    out = np.einsum("fk,nkp->nfp", w.reshape(f, -1).astype(np.int64), cols)
    return out.reshape(n, f, oh, ow) + b.reshape(1, f, 1, 1)


def maxpool2(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def float_forward(x, p):
    """Float activations, for the calibration maxima."""
    acts = [x]
    a = x
    for conv in ("c1", "c2"):
        w, b = p[conv]
        a = maxpool2(np.maximum(conv_float(a, w, b), 0))
        acts.append(a)
    return acts


def conv_float(x, w, b):
    n, c, h, wd = x.shape
    f = w.shape[0]
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = np.stack([xp[:, ci, i:i + h, j:j + wd].reshape(n, -1)
                     for ci in range(c) for i in range(3) for j in range(3)], axis=1)
    return (np.einsum("fk,nkp->nfp", w.reshape(f, -1), cols).reshape(n, f, h, wd)
            + b.reshape(1, f, 1, 1))


def main():
    model_path, calib_path, test_path, out = sys.argv[1:5]
    model = onnx.load(model_path)
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    convs = [n for n in model.graph.node if n.op_type == "Conv"]
    gemm = [n for n in model.graph.node if n.op_type == "Gemm"][0]
    p = {"c1": (inits[convs[0].input[1]], inits[convs[0].input[2]]),
         "c2": (inits[convs[1].input[1]], inits[convs[1].input[2]])}
    fc_w = inits[gemm.input[1]].T  # K x N
    fc_b = inits[gemm.input[2]]

    calib = np.load(calib_path)[:256].astype(np.float32)
    acts = float_forward(calib, p)
    s_act = [float(np.abs(a).max()) / 127 for a in acts]  # input, after pool1, pool2

    # Weights per output channel; biases in the accumulator's scale.
    q = {}
    for i, conv in enumerate(("c1", "c2")):
        w, b = p[conv]
        sw = np.abs(w).reshape(w.shape[0], -1).max(axis=1) / 127
        wq = np.clip(np.rint(w / sw[:, None, None, None]), -127, 127).astype(np.int8)
        bq = np.rint(b / (s_act[i] * sw)).astype(np.int32)
        ms = [multiplier_shift(s_act[i] * s / s_act[i + 1]) for s in sw]
        q[conv] = (wq, bq, np.array([m for m, _ in ms], np.int64),
                   np.array([s for _, s in ms], np.int64))
    sw_fc = np.abs(fc_w).max(axis=0) / 127
    fc_wq = np.clip(np.rint(fc_w / sw_fc), -127, 127).astype(np.int8)
    fc_bq = np.rint(fc_b / (s_act[2] * sw_fc)).astype(np.int32)
    out_scale = (np.float32(s_act[2]) * sw_fc.astype(np.float32)).astype(np.float32)
    inv_in = np.float32(1.0 / s_act[0])

    # --- The integer reference -------------------------------------------
    x = np.load(test_path).astype(np.float32)
    a = np.clip(np.rint(x * inv_in), -128, 127).astype(np.int64)
    for conv in ("c1", "c2"):
        wq, bq, m, s = q[conv]
        acc = conv_int(a, wq, bq.astype(np.int64), 1)
        r = rescale(acc, m.reshape(1, -1, 1, 1), s.reshape(1, -1, 1, 1))
        a = maxpool2(np.clip(r, 0, 127))
    flat = a.reshape(a.shape[0], -1)  # NCHW order, as ONNX flattens
    acc = flat @ fc_wq.astype(np.int64) + fc_bq.astype(np.int64)
    logits = acc.astype(np.float32) * out_scale
    np.save(f"{out}/x.npy", x)
    np.save(f"{out}/reference.npy", logits.astype(np.float32))

    # --- The TOSA module (batch 1; cim-run runs the images one by one) ----
    n = 1
    lines = []
    count = [0]

    def fresh():
        count[0] += 1
        return f"%v{count[0]}"

    def emit(text):
        lines.append("    " + text)

    def const(array, elem):
        name = fresh()
        text = dense_f32(array) if elem == "f32" else dense_int(array, elem)
        emit(f'{name} = "tosa.const"() <{{values = {text}}}> : () -> {ttype(array.shape, elem)}')
        return name

    def shape(dims):
        name = fresh()
        emit(f"{name} = tosa.const_shape {{values = dense<[{', '.join(map(str, dims))}]> : "
             f"tensor<{len(dims)}xindex>}} : () -> !tosa.shape<{len(dims)}>")
        return name

    zp8 = const(np.zeros(1, np.int8), "i8")
    zp32 = const(np.zeros(1, np.int32), "i32")
    shift0 = const(np.zeros(1, np.int8), "i8")
    h = 28
    xs = [n, 1, h, h]
    v = fresh()
    emit(f"{v} = tosa.transpose %input {{perms = array<i32: 0, 2, 3, 1>}} : "
         f"({ttype(xs, 'f32')}) -> {ttype([n, h, h, 1], 'f32')}")
    inv = const(np.full((1, 1, 1, 1), inv_in, np.float32), "f32")
    scaled = fresh()
    emit(f"{scaled} = tosa.mul {v}, {inv}, {shift0} : ({ttype([n, h, h, 1], 'f32')}, "
         f"tensor<1x1x1x1xf32>, tensor<1xi8>) -> {ttype([n, h, h, 1], 'f32')}")
    cur = fresh()
    emit(f"{cur} = tosa.cast {scaled} : ({ttype([n, h, h, 1], 'f32')}) -> {ttype([n, h, h, 1], 'i8')}")
    c = 1
    for conv in ("c1", "c2"):
        wq, bq, m, s = q[conv]
        f = wq.shape[0]
        wt = const(wq.transpose(0, 2, 3, 1), "i8")  # OHWI
        bt = const(bq, "i32")
        acc = fresh()
        emit(f"{acc} = tosa.conv2d {cur}, {wt}, {bt}, {zp8}, {zp8} {{acc_type = i32, "
             f"dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}} : "
             f"({ttype([n, h, h, c], 'i8')}, {ttype([f, 3, 3, c], 'i8')}, {ttype([f], 'i32')}, "
             f"tensor<1xi8>, tensor<1xi8>) -> {ttype([n, h, h, f], 'i32')}")
        mt = const(m.astype(np.int32), "i32")
        st = const(s.astype(np.int8), "i8")
        r = fresh()
        emit(f"{r} = tosa.rescale {acc}, {mt}, {st}, {zp32}, {zp8} {{input_unsigned = false, "
             f"output_unsigned = false, per_channel = true, rounding_mode = SINGLE_ROUND, scale32 = true}} : "
             f"({ttype([n, h, h, f], 'i32')}, {ttype([f], 'i32')}, {ttype([f], 'i8')}, tensor<1xi32>, "
             f"tensor<1xi8>) -> {ttype([n, h, h, f], 'i8')}")
        relu = fresh()
        emit(f"{relu} = tosa.clamp {r} {{max_val = 127 : i8, min_val = 0 : i8}} : "
             f"({ttype([n, h, h, f], 'i8')}) -> {ttype([n, h, h, f], 'i8')}")
        pool = fresh()
        emit(f"{pool} = tosa.max_pool2d {relu} {{kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, "
             f"stride = array<i64: 2, 2>}} : ({ttype([n, h, h, f], 'i8')}) -> {ttype([n, h // 2, h // 2, f], 'i8')}")
        cur, h, c = pool, h // 2, f
    # Flatten in NCHW order, as the ONNX model does.
    nchw = fresh()
    emit(f"{nchw} = tosa.transpose {cur} {{perms = array<i32: 0, 3, 1, 2>}} : "
         f"({ttype([n, h, h, c], 'i8')}) -> {ttype([n, c, h, h], 'i8')}")
    k = c * h * h
    n_out = fc_wq.shape[1]
    s3 = shape([1, n, k])
    x3 = fresh()
    emit(f"{x3} = tosa.reshape {nchw}, {s3} : ({ttype([n, c, h, h], 'i8')}, !tosa.shape<3>) -> "
         f"{ttype([1, n, k], 'i8')}")
    wfc = const(fc_wq.reshape(1, k, n_out), "i8")
    mm = fresh()
    emit(f"{mm} = tosa.matmul {x3}, {wfc}, {zp8}, {zp8} : ({ttype([1, n, k], 'i8')}, "
         f"{ttype([1, k, n_out], 'i8')}, tensor<1xi8>, tensor<1xi8>) -> {ttype([1, n, n_out], 'i32')}")
    s2 = shape([n, n_out])
    mm2 = fresh()
    emit(f"{mm2} = tosa.reshape {mm}, {s2} : ({ttype([1, n, n_out], 'i32')}, !tosa.shape<2>) -> "
         f"{ttype([n, n_out], 'i32')}")
    bfc = const(fc_bq.reshape(1, n_out), "i32")
    biased = fresh()
    emit(f"{biased} = tosa.add {mm2}, {bfc} : ({ttype([n, n_out], 'i32')}, {ttype([1, n_out], 'i32')}) -> "
         f"{ttype([n, n_out], 'i32')}")
    fl = fresh()
    emit(f"{fl} = tosa.cast {biased} : ({ttype([n, n_out], 'i32')}) -> {ttype([n, n_out], 'f32')}")
    sc = const(out_scale.reshape(1, n_out), "f32")
    logits = fresh()
    emit(f"{logits} = tosa.mul {fl}, {sc}, {shift0} : ({ttype([n, n_out], 'f32')}, "
         f"{ttype([1, n_out], 'f32')}, tensor<1xi8>) -> {ttype([n, n_out], 'f32')}")
    text = ["module {",
            f"  func.func @main(%input: {ttype([n, 1, 28, 28], 'f32')} {{onnx.name = \"input\"}}) -> "
            f"({ttype([n, n_out], 'f32')} {{onnx.name = \"logits\"}}) {{"]
    text += lines
    text += [f"    return {logits} : {ttype([n, n_out], 'f32')}", "  }", "}"]
    with open(f"{out}/int8.tosa.mlir", "w") as fh:
        fh.write("\n".join(text) + "\n")


if __name__ == "__main__":
    main()
