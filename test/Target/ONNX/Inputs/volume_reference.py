#!/usr/bin/python3
"""Direct numpy loops for the 3-D ops of volume.onnxtext (an independent
reference: no im2col, no 2-D decomposition).

  volume_reference.py X.npy OUT_DIR
writes conv.npy, maxp.npy, avgp.npy for the model's fixed weights."""
import itertools
import sys

import numpy as np

x = np.load(sys.argv[1]).astype(np.float64)  # [1, 2, 4, 4, 4]
out = sys.argv[2]

# Conv: weight w[m, c, kd, kh, kw] = (m + 1) * (c - 0.5) * (kd + 2 * kh - kw),
# bias [0.5, -1], strides (2, 1, 1), pads 1 on every side.
w = np.zeros((2, 2, 2, 2, 2))
for m, c, a, b, e in itertools.product(range(2), range(2), range(2), range(2),
                                       range(2)):
    w[m, c, a, b, e] = (m + 1) * (c - 0.5) * (a + 2 * b - e)
bias = np.array([0.5, -1.0])
xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1), (1, 1)))
od = (4 + 2 - 2) // 2 + 1
oh = (4 + 2 - 2) // 1 + 1
y = np.zeros((1, 2, od, oh, oh))
for m, d, h, ww in itertools.product(range(2), range(od), range(oh),
                                     range(oh)):
    y[0, m, d, h, ww] = bias[m] + np.sum(
        xp[0, :, 2 * d:2 * d + 2, h:h + 2, ww:ww + 2] * w[m])
np.save(out + "/conv.npy", y.astype(np.float32))

# MaxPool 2x2x2, strides 2, pads (1, 0, 0, 0, 0, 0): depth padded in front.
xm = np.pad(x, ((0, 0), (0, 0), (1, 0), (0, 0), (0, 0)),
            constant_values=-np.inf)
md = (4 + 1 - 2) // 2 + 1
ym = np.zeros((1, 2, md, 2, 2))
for c, d, h, ww in itertools.product(range(2), range(md), range(2), range(2)):
    ym[0, c, d, h, ww] = xm[0, c, 2 * d:2 * d + 2, 2 * h:2 * h + 2,
                            2 * ww:2 * ww + 2].max()
np.save(out + "/maxp.npy", ym.astype(np.float32))

# AveragePool 3x3x3, strides 1, pads 1, count_include_pad = 0: the mean of
# the window's elements inside the input.
ya = np.zeros((1, 2, 4, 4, 4))
for c, d, h, ww in itertools.product(range(2), range(4), range(4), range(4)):
    win = x[0, c, max(d - 1, 0):d + 2, max(h - 1, 0):h + 2,
            max(ww - 1, 0):ww + 2]
    ya[0, c, d, h, ww] = win.mean()
np.save(out + "/avgp.npy", ya.astype(np.float32))
