#!/usr/bin/python3
"""quantize_layer.py make DIR | check DIR | signed DIR | check-signed DIR

make: writes DIR/layer.mlir, one crossbar layer y = x @ W (mapped level, a
clipped-ADC target) at W3A8 with per-tensor weight scales, whose
quantization error has a clear per-column bias (unsigned inputs times the
rounding error of each column's weights), and DIR/x.npy (64 rows: 4
batches of 16).

check: reads the quantized outputs of the layer before (DIR/q) and after
(DIR/bc) cim-quantize bias-correction, and checks with numpy's own GEMM that
the mean error per column was large before and is ~0 after on the
calibration data.

signed: the same layer at W8A8 (per-channel scales) with an ideal ADC as
DIR/layer8.mlir, and
signed inputs DIR/xs.npy for its unsigned-input target. check-signed: with
the inputs driven offset (DIR/offset) the layer's relative L2 error against
numpy's GEMM is small; cut to their positive part (DIR/cut) it is not.
"""
import sys

import numpy as np

mode, d = sys.argv[1], sys.argv[2]
rng = np.random.RandomState(7)
k, n = 32, 6
w = rng.randn(k, n).astype(np.float32)
if mode == "make":
    x = rng.rand(64, k).astype(np.float32)
    np.save(d + "/x.npy", x)
    values = ", ".join("[" + ", ".join("%.9g" % v for v in row) + "]" for row in w)
    open(d + "/layer.mlir", "w").write(
        '''module attributes {cim.target = #cim.target<name = "pcm", rows = 64, cols = 64, parallel_rows = 64, cell_bits = 4, dac_bits = 4, adc = <mode = clipped, bits = 6, min_bits = 3, max_bits = 8>, weight_sign = differential_columns, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @main(%%x: tensor<16x%dxf32>) -> tensor<16x%dxf32> {
    %%w = cim.constant dense<[%s]> : tensor<%dx%dxf32>
    %%y = cim.mvm %%x, %%w {precision = #cim.precision<weight_bits = 3, act_bits = 8, granularity = tensor>} : tensor<16x%dxf32>, tensor<%dx%dxf32> -> tensor<16x%dxf32>
    return %%y : tensor<16x%dxf32>
  }
}
''' % (k, n, values, k, n, k, k, n, n, n))
elif mode == "signed":
    np.save(d + "/xs.npy", rng.randn(64, k).astype(np.float32))
    text = open(d + "/layer.mlir").read()
    open(d + "/layer8.mlir", "w").write(
        text.replace("weight_bits = 3, act_bits = 8, granularity = tensor",
                     "weight_bits = 8, act_bits = 8")
        .replace("adc = <mode = clipped, bits = 6, min_bits = 3, max_bits = 8>",
                 "adc = <mode = ideal>"))
elif mode == "check-signed":
    f = np.load(d + "/xs.npy") @ w.astype(np.float64)
    err = lambda o: np.linalg.norm(np.load(d + "/" + o + "/out0.npy") - f) / np.linalg.norm(f)
    print("offset %.4f cut %.4f" % (err("offset"), err("cut")))
    print("signed inputs kept" if err("offset") < 0.02 and err("cut") > 0.3 else "SIGNED INPUTS LOST")
else:
    x = np.load(d + "/x.npy")
    f = x @ w.astype(np.float64)
    scale = np.abs(f).mean()
    before = np.abs((f - np.load(d + "/q/out0.npy")).mean(0)).max() / scale
    after = np.abs((f - np.load(d + "/bc/out0.npy")).mean(0)).max() / scale
    print("bias before %.4f after %.6f" % (before, after))
    print("corrected" if before > 0.02 and after < 1e-4 else "NOT CORRECTED")
