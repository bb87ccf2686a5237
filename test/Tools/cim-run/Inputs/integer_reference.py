#!/usr/bin/python3
"""Independent reference for cim-run --quantize on one crossbar layer.

Usage: integer_reference.py X.npy W.npy WEIGHT_BITS ACT_BITS SIGNED_INPUT OUT.npy

Quantizes like the documented model (docs/costmodel.md, docs/numerics.md):
weights symmetric per output column, scale max|w| / (2^(B-1) - 1); inputs per
tensor, unsigned scale max(x) / (2^B - 1) or signed max|x| / (2^(B-1) - 1);
round half to even, clamp; then a plain integer GEMM and the dequantization
acc * s_x * s_w in float64, stored as float32.
"""
import sys

import numpy as np

x = np.load(sys.argv[1]).astype(np.float64)
w = np.load(sys.argv[2]).astype(np.float64)
wb, ab, signed = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
wmax = 2 ** (wb - 1) - 1
sw = np.abs(w).max(axis=0)
sw = np.where(sw > 0, sw / wmax, 1.0)
wq = np.clip(np.round(w / sw), -wmax, wmax).astype(np.int64)
if signed:
    lo, hi = -(2 ** (ab - 1)), 2 ** (ab - 1) - 1
    m = np.abs(x).max()
else:
    lo, hi = 0, 2 ** ab - 1
    m = x.max()
sx = m / hi if m > 0 else 1.0
xq = np.clip(np.round(x / sx), lo, hi).astype(np.int64)
acc = xq @ wq
np.save(sys.argv[6], ((acc.astype(np.float64) * sx) * sw).astype(np.float32))
