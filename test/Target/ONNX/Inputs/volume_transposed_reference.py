#!/usr/bin/python3
"""Direct numpy loops for the 3-D transposed convolutions of
volume-transposed.onnxtext (an independent reference: every input voxel
scatters its weighted kernel into the full output, which is then cropped by
the begin pads; no matrix products, no 2-D decomposition).

  volume_transposed_reference.py X.npy OUT_DIR
writes y.npy and same.npy for the model's fixed weights."""
import itertools
import sys

import numpy as np

x = np.load(sys.argv[1]).astype(np.float64)  # [1, 2, 2, 3, 2]
out = sys.argv[2]


def conv_transpose(x, w, group, strides, dilations, begins, out_shape):
    n, c = x.shape[:2]
    cg, mg = c // group, w.shape[1]
    k = w.shape[2:]
    full = [strides[i] * (x.shape[2 + i] - 1) + dilations[i] * (k[i] - 1) + 1
            for i in range(3)]
    # Room for output_padding past the full result.
    size = [max(full[i], begins[i] + out_shape[i]) for i in range(3)]
    y = np.zeros((n, mg * group) + tuple(size))
    for b, ci, d, h, ww in itertools.product(range(n), range(c),
                                             *[range(s) for s in x.shape[2:]]):
        g = ci // cg
        for mo, a, e, f in itertools.product(range(mg), *[range(s) for s in k]):
            y[b, g * mg + mo, d * strides[0] + a * dilations[0],
              h * strides[1] + e * dilations[1],
              ww * strides[2] + f * dilations[2]] += x[b, ci, d, h, ww] * w[
                  ci, mo, a, e, f]
    return y[:, :, begins[0]:begins[0] + out_shape[0],
             begins[1]:begins[1] + out_shape[1],
             begins[2]:begins[2] + out_shape[2]]


# w[c, m, a, e, f] = (c + 1) * (m - 0.5) * (a - e + 0.5 * f), the model's w.
w = np.zeros((2, 2, 2, 2, 3))
for idx in itertools.product(*[range(s) for s in w.shape]):
    c, m, a, e, f = idx
    w[idx] = (c + 1) * (m - 0.5) * (a - e + 0.5 * f)
bias = np.array([0.5, -1.0, 2.0, 0.0])
# Groups 2, strides (2, 1, 2), dilations (1, 2, 1), pads (1, 0, 0 | 0, 1, 1),
# output_padding (1, 0, 0): output [1, 4, 4, 4, 4].
y = conv_transpose(x, w, 2, (2, 1, 2), (1, 2, 1), (1, 0, 0), (4, 4, 4))
y += bias[None, :, None, None, None]
np.save(out + "/y.npy", y.astype(np.float32))

# SAME_UPPER, strides (2, 2, 1), w2[c, m, a, e, f] = c - m + a * e - f:
# output = input * stride = [1, 2, 4, 6, 2]; the one extra column of the
# width (full 3) is cut at the end.
w2 = np.zeros((2, 2, 2, 2, 2))
for idx in itertools.product(*[range(s) for s in w2.shape]):
    c, m, a, e, f = idx
    w2[idx] = c - m + a * e - f
same = conv_transpose(x, w2, 1, (2, 2, 1), (1, 1, 1), (0, 0, 0), (4, 6, 2))
np.save(out + "/same.npy", same.astype(np.float32))
