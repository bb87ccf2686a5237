"""FP-CIM reference for the bundled MLP, written independently of cim.

  fp_cim_reference.py MODEL.onnx X.npy LOGITS.npy IN W L TRUNCATE GROUP

Computes the MLP (Flatten, Gemm+ReLU, Gemm+ReLU, Gemm) the way the FP-CIM
model of ../shared/research/cim-numerics-and-quantization.md section 5
defines it, in float64 numpy: every Gemm input is rounded to the input
format (round to nearest even, subnormals, saturation, no inf/NaN) and
pre-aligned per GROUP consecutive rows to the group's largest exponent E
(M = round or floor(|x| 2^(L-1-E)), clamped to 2^L - 1); weights are rounded
to their format and aligned per GROUP rows and column with Lw = mantissa
bits + 1; y = sum_g sum_k M Mw 2^(E + F - (L-1) - (Lw-1)), plus the bias.
Then compares with cim-run's logits: prints the largest relative
difference and the top-1 agreement.
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def fmt(name):
    named = {"bf16": (8, 7), "fp16": (5, 10)}
    if name in named:
        return named[name]
    e, m = name[1:].split("m")
    return int(e), int(m)


def round_to(x, e, m):
    """Nearest value of the eXmY finite format (ties to even mantissa)."""
    bias = 2 ** (e - 1) - 1
    emin = 1 - bias
    emax = 2 ** e - 1 - bias
    maxv = (2 - 2.0 ** -m) * 2.0 ** emax
    a = np.abs(x)
    # Exponent of each value, subnormals at emin.
    ex = np.where(a > 0, np.floor(np.log2(np.where(a > 0, a, 1))), emin)
    ex = np.maximum(ex, emin)
    step = 2.0 ** (ex - m)
    q = np.round(a / step) * step  # numpy rounds half to even
    q = np.minimum(q, maxv)
    return np.sign(x) * q


def align(v, e, m, bits, truncate):
    """Aligned signed mantissas and the shared exponent of one group."""
    r = round_to(v, e, m)
    bias = 2 ** (e - 1) - 1
    a = np.abs(r)
    nz = a[a > 0]
    if nz.size == 0:
        return np.zeros_like(r), 1 - bias
    E = int(max(np.floor(np.log2(nz)).max(), 1 - bias))
    scaled = a * 2.0 ** (bits - 1 - E)
    q = np.floor(scaled) if truncate else np.round(scaled)
    q = np.minimum(q, 2 ** bits - 1)
    return np.sign(r) * q, E


def fp_gemm(x, w, fin, fw, L, truncate, group):
    k, n = w.shape
    Lw = fw[1] + 1
    y = np.zeros((x.shape[0], n))
    for g0 in range(0, k, group):
        g1 = min(k, g0 + group)
        wm = np.zeros((g1 - g0, n))
        F = np.zeros(n)
        for j in range(n):
            wm[:, j], F[j] = align(w[g0:g1, j], *fw, Lw, False)
        for p in range(x.shape[0]):
            xm, E = align(x[p, g0:g1], *fin, L, truncate)
            y[p] += (xm @ wm) * 2.0 ** (E + F - (L - 1) - (Lw - 1))
    return y


model, xs, logits, fin, fw, L, truncate, group = sys.argv[1:9]
fin, fw, L, truncate, group = fmt(fin), fmt(fw), int(L), truncate == "1", int(group)
m = onnx.load(model)
init = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in m.graph.initializer}
x = np.load(xs).astype(np.float64).reshape(len(np.load(xs)), -1)
gemms = [n for n in m.graph.node if n.op_type == "Gemm"]
for i, node in enumerate(gemms):
    w = init[node.input[1]].T  # transB = 1: K x N
    x = fp_gemm(x, w, fin, fw, L, truncate, group) + init[node.input[2]]
    if i + 1 < len(gemms):
        x = np.maximum(x, 0)
got = np.load(logits).astype(np.float64)
rel = np.abs(got - x).max() / np.abs(x).max()
agree = (got.argmax(1) == x.argmax(1)).mean()
print("max relative difference %s" % ("below 1e-5" if rel < 1e-5 else "%.3g" % rel))
print("top-1 agreement %.3f" % agree)
