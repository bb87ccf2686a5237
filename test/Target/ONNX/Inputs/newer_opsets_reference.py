#!/usr/bin/python3
"""numpy reference for newer-opsets.onnxtext: Gelu (erf and tanh forms),
Mish and GroupNormalization as the ONNX operator documents define them.

  newer_opsets_reference.py write DIR   writes DIR/x.npy and DIR/g.npy
  newer_opsets_reference.py check DIR   compares DIR/out/*.npy with numpy
"""
import math
import os
import sys

import numpy as np

mode, d = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(18)
x = rng.uniform(-4, 4, (2, 4, 3)).astype(np.float32)
g = rng.uniform(-2, 2, (1, 6, 2, 2)).astype(np.float32)
if mode == "write":
    np.save(os.path.join(d, "x.npy"), x)
    np.save(os.path.join(d, "g.npy"), g)
    sys.exit(0)

xd = x.astype(np.float64)
erf = np.vectorize(math.erf)
expected = {
    "gelu": 0.5 * xd * (1 + erf(xd / math.sqrt(2))),
    "gelu_tanh": 0.5 * xd * (1 + np.tanh(math.sqrt(2 / math.pi) * (xd + 0.044715 * xd ** 3))),
    "mish": xd * np.tanh(np.log1p(np.exp(xd))),
}
# GroupNormalization-18: 3 groups of 2 channels, scale and bias per group.
scale, bias, eps = np.array([2.0, 0.5, -1.0]), np.array([0.25, -1.0, 0.0]), 1e-3
grouped = g.astype(np.float64).reshape(1, 3, -1)
mean = grouped.mean(axis=2, keepdims=True)
var = grouped.var(axis=2, keepdims=True)
normed = (grouped - mean) / np.sqrt(var + eps)
expected["gn"] = (normed * scale[None, :, None] + bias[None, :, None]).reshape(g.shape)

bad = 0
for name, want in expected.items():
    got = np.load(os.path.join(d, "out", name + ".npy"))
    err = np.abs(got - want).max()
    print("%s: max abs error %.2e" % (name, err))
    if got.shape != want.shape or not np.allclose(got, want, rtol=1e-5, atol=1e-5):
        print("MISMATCH in %s" % name)
        bad += 1
sys.exit(1 if bad else 0)
