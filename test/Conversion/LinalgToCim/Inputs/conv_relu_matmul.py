"""A small conv + relu + max pool + matmul network written in Linalg (as
tosa-to-linalg emits it: NHWC, FHWC weights, padding, bias inits), its input
and its numpy reference.

  conv_relu_matmul.py make DIR   writes DIR/model.mlir, DIR/x.npy, DIR/ref.npy
  conv_relu_matmul.py check OUT REF   compares cim-run's output with numpy
"""
import sys

import numpy as np


def hexdense(a):
    a = np.ascontiguousarray(a, dtype="<f4")
    shape = "x".join(str(d) for d in a.shape)
    return 'dense<"0x%s"> : tensor<%sxf32>' % (a.tobytes().hex().upper(), shape)


def reference(x, w, b, wm, bm):
    """numpy in float64: x NCHW, w FHWC (stride 1, pad 1), 2x2 max pool."""
    n, c, h, wd = x.shape
    f, kh, kw, _ = w.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
    y = np.zeros((n, f, h, wd))
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i:i + h, j:j + wd]  # n c h w
            y += np.einsum("nchw,fc->nfhw", patch, w[:, i, j, :].astype(np.float64))
    y += b.reshape(1, f, 1, 1)
    y = np.maximum(y, 0)
    y = y.reshape(n, f, h // 2, 2, wd // 2, 2).max(axis=(3, 5))
    # Flattened in NHWC order, as the Linalg model does.
    flat = y.transpose(0, 2, 3, 1).reshape(n, -1)
    return flat @ wm.astype(np.float64) + bm.astype(np.float64)


def make(d):
    rng = np.random.default_rng(7)
    c, f, h, k = 2, 3, 4, 5
    w = rng.standard_normal((f, 3, 3, c)).astype(np.float32)
    b = rng.standard_normal(f).astype(np.float32)
    wm = rng.standard_normal((f * (h // 2) * (h // 2), k)).astype(np.float32)
    bm = rng.standard_normal(k).astype(np.float32)
    x = rng.standard_normal((3, c, h, h)).astype(np.float32)
    np.save(d + "/x.npy", x)
    np.save(d + "/ref.npy", reference(x, w, b, wm, bm))
    flat = f * (h // 2) * (h // 2)
    text = """#bias = affine_map<(d0, d1, d2, d3) -> (d3)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#row = affine_map<(d0, d1) -> (d1)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @main(%x: tensor<1x@C@x@H@x@H@xf32> {onnx.name = "x"}) -> (tensor<1x@K@xf32> {onnx.name = "y"}) {
  %zero = arith.constant 0.0 : f32
  %lowest = arith.constant -3.40282347E+38 : f32
  %w = arith.constant @W@
  %b = arith.constant @B@
  %wm = arith.constant @WM@
  %bm = arith.constant @BM@
  %e0 = tensor.empty() : tensor<1x@H@x@H@x@C@xf32>
  %xt = linalg.transpose ins(%x : tensor<1x@C@x@H@x@H@xf32>) outs(%e0 : tensor<1x@H@x@H@x@C@xf32>) permutation = [0, 2, 3, 1]
  %p = tensor.pad %xt low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<1x@H@x@H@x@C@xf32> to tensor<1x@P@x@P@x@C@xf32>
  %e1 = tensor.empty() : tensor<1x@H@x@H@x@F@xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<@F@xf32>) outs(%e1 : tensor<1x@H@x@H@x@F@xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x@H@x@H@x@F@xf32>
  %c = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%p, %w : tensor<1x@P@x@P@x@C@xf32>, tensor<@F@x3x3x@C@xf32>) outs(%init : tensor<1x@H@x@H@x@F@xf32>) -> tensor<1x@H@x@H@x@F@xf32>
  %r = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c : tensor<1x@H@x@H@x@F@xf32>) outs(%e1 : tensor<1x@H@x@H@x@F@xf32>) {
  ^bb0(%in: f32, %out: f32):
    %hi = arith.constant 3.40282347E+38 : f32
    %m = arith.minimumf %in, %hi : f32
    %l = arith.maximumf %m, %zero : f32
    linalg.yield %l : f32
  } -> tensor<1x@H@x@H@x@F@xf32>
  %e2 = tensor.empty() : tensor<1x@Q@x@Q@x@F@xf32>
  %f2 = linalg.fill ins(%lowest : f32) outs(%e2 : tensor<1x@Q@x@Q@x@F@xf32>) -> tensor<1x@Q@x@Q@x@F@xf32>
  %k2 = tensor.empty() : tensor<2x2xf32>
  %mp = linalg.pooling_nhwc_max {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
      ins(%r, %k2 : tensor<1x@H@x@H@x@F@xf32>, tensor<2x2xf32>) outs(%f2 : tensor<1x@Q@x@Q@x@F@xf32>) -> tensor<1x@Q@x@Q@x@F@xf32>
  %fl = tensor.collapse_shape %mp [[0], [1, 2, 3]] : tensor<1x@Q@x@Q@x@F@xf32> into tensor<1x@N@xf32>
  %e3 = tensor.empty() : tensor<1x@K@xf32>
  %f3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<1x@K@xf32>) -> tensor<1x@K@xf32>
  %mm = linalg.matmul ins(%fl, %wm : tensor<1x@N@xf32>, tensor<@N@x@K@xf32>) outs(%f3 : tensor<1x@K@xf32>) -> tensor<1x@K@xf32>
  %y = linalg.generic {indexing_maps = [#id2, #row, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %bm : tensor<1x@K@xf32>, tensor<@K@xf32>) outs(%e3 : tensor<1x@K@xf32>) {
  ^bb0(%in: f32, %in2: f32, %out: f32):
    %s = arith.addf %in, %in2 : f32
    linalg.yield %s : f32
  } -> tensor<1x@K@xf32>
  return %y : tensor<1x@K@xf32>
}
"""
    values = {"C": c, "H": h, "P": h + 2, "Q": h // 2, "F": f, "K": k,
              "N": flat, "W": hexdense(w), "B": hexdense(b),
              "WM": hexdense(wm), "BM": hexdense(bm)}
    for key, value in values.items():
        text = text.replace("@" + key + "@", str(value))
    open(d + "/model.mlir", "w").write(text)


def check(out, ref):
    y, r = np.load(out), np.load(ref)
    err = np.abs(y - r).max() / max(np.abs(r).max(), 1e-30)
    print("shape", list(y.shape), "ok" if y.shape == r.shape and err < 1e-5 else "MISMATCH", err)


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        check(sys.argv[2], sys.argv[3])
