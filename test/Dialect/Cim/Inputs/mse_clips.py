"""Checks cim-calibrate's per-width MSE clips against a direct search,
and (with out0.npy) that quantized evaluation at 2 bits uses its clip.

  mse_clips.py calibrated.mlir calib.npy [out0.npy]

The model of calibrate.mlir: the gemm sees the inputs themselves (signed
codes: its inputs go negative), the mvm sees relu of their first two
columns (unsigned codes). For every width m the clip is the candidate
top * k / 100 (k = 1..100, first best) minimizing the squared error of
rounding to 2^m - 1 levels of magnitude.
"""
import re
import sys

import numpy as np

ir = open(sys.argv[1]).read()
x = np.load(sys.argv[2]).astype(np.float64)


def best(sample, signed):
    top = np.abs(sample).max() if signed else max(sample.max(), 0.0)
    clips = []
    for m in range(1, 17):
        levels = 2.0 ** m - 1
        errs = []
        for k in range(1, 101):
            c = top * k / 100.0
            q = np.clip(sample, -c if signed else 0.0, c)
            step = c / levels
            errs.append(((np.rint(q / step) * step - sample) ** 2).sum())
        clips.append(top * (int(np.argmin(errs)) + 1) / 100.0)
    return np.array(clips)


got = [np.array([float(v) for v in a.split(",")]) for a in re.findall(r"clips = array<f64: ([^>]*)>", ir)]
want = [best(x.ravel(), True), best(np.maximum(x[:, :2], 0).ravel(), False)]
ok = len(got) == 2 and all(np.allclose(g, w, rtol=1e-12) for g, w in zip(got, want))
print("clips ok" if ok else "CLIPS DIFFER", got, want)
if len(sys.argv) > 3:
    # The mvm's output at 2 activation bits (identity weights, ideal read-out)
    # is its input rounded with the m = 2 clip: 3 levels of clip / 3.
    c = want[1][1]
    r = np.maximum(x[:, :2], 0)
    expect = np.rint(np.clip(r, 0, c) / (c / 3)) * (c / 3)
    out = np.load(sys.argv[3]).astype(np.float64)
    print("a2 ok" if np.allclose(out, expect, rtol=1e-6, atol=1e-7) else "A2 DIFFERS", out, expect)
