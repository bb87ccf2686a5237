#!/usr/bin/python3
"""Parity of cim_torch with cim-run on layers the bundled models lack:
Conv1d (dilated, grouped, strided) on signed inputs (two's-complement
codes, and offset codes on isaac's unsigned DACs), and BatchNorms kept in
the ONNX graph (BatchNorm2d after a Conv2d, BatchNorm1d after a Linear),
which cim-fold-batchnorm folds and cim_torch.fold_batchnorm must fold to
the same float32 weights.

    layers.py --bin-dir BUILD/bin --work DIR

Prints one line per (model, target, precision) with the max |logit diff|
and top-1 agreement, and whether prepare() found weights differing from
the compiled ones; exits 1 unless all are bit-identical.
"""
import argparse
import os
import sys
import warnings

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(ROOT, "python"))

import cim_torch  # noqa: E402


def conv1d_model(work):
    torch.manual_seed(0)
    m = nn.Sequential(
        nn.Conv1d(2, 8, 3, padding=1), nn.ReLU(),
        nn.Conv1d(8, 8, 3, padding=2, dilation=2, groups=2), nn.ReLU(),
        nn.Conv1d(8, 6, 1, stride=2), nn.Flatten(), nn.Linear(6 * 16, 5)).eval()
    x = torch.randn(64, 2, 32)
    path = os.path.join(work, "conv1d.onnx")
    torch.onnx.export(m, x[:1], path, opset_version=13, input_names=["input"],
                      output_names=["logits"],
                      dynamic_axes={"input": {0: "b"}, "logits": {0: "b"}})
    return m, x, x[:32], path


def batchnorm_model(work):
    """An ONNX graph with BatchNormalization nodes (torch.onnx would fold
    them itself): the layers exported alone, the BatchNorms inserted."""
    import onnx
    from onnx import helper, numpy_helper
    torch.manual_seed(1)
    m = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8),
                      nn.ReLU(), nn.Flatten(), nn.Linear(8 * 28 * 28, 10),
                      nn.BatchNorm1d(10))
    with torch.no_grad():
        for bn in (m[1], m[5]):
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.3, 3)
            bn.weight.uniform_(0.5, 2)
            bn.bias.uniform_(-0.3, 0.3)
    m.eval()
    x = torch.from_numpy(np.load(os.path.join(ROOT, "models", "fashion", "test_x.npy"))[:100])
    bare = nn.Sequential(m[0], m[2], m[3], m[4]).eval()
    bare_path = os.path.join(work, "bare.onnx")
    torch.onnx.export(bare, x[:1], bare_path, opset_version=13,
                      input_names=["input"], output_names=["pre"],
                      dynamic_axes={"input": {0: "b"}, "pre": {0: "b"}})
    g = onnx.load(bare_path)
    gr = g.graph
    conv = [n for n in gr.node if n.op_type == "Conv"][0]
    old = conv.output[0]
    conv.output[0] = old + "_c"

    def inits(bn, p):
        return [numpy_helper.from_array(t.detach().numpy().astype(np.float32), p + s)
                for t, s in ((bn.weight, "_g"), (bn.bias, "_b"),
                             (bn.running_mean, "_m"), (bn.running_var, "_v"))]
    gr.initializer.extend(inits(m[1], "bn1") + inits(m[5], "bn2"))
    gr.node.insert(list(gr.node).index(conv) + 1, helper.make_node(
        "BatchNormalization", [old + "_c", "bn1_g", "bn1_b", "bn1_m", "bn1_v"],
        [old], epsilon=m[1].eps))
    gr.node.append(helper.make_node(
        "BatchNormalization", ["pre", "bn2_g", "bn2_b", "bn2_m", "bn2_v"],
        ["logits"], epsilon=m[5].eps))
    gr.output[0].name = "logits"
    path = os.path.join(work, "batchnorm.onnx")
    onnx.save(g, path)
    calib = torch.from_numpy(np.load(os.path.join(ROOT, "models", "fashion", "calib_x.npy")))
    return m, x, calib, path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin-dir", default="")
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    torch.set_num_threads(2)
    os.makedirs(args.work, exist_ok=True)
    ok = True
    inputs = os.path.join(HERE, "Inputs")
    cases = [("conv1d", conv1d_model, [("rwth-rram", "w8a8"), ("puma", "w4a4"),
                                       ("aihwkit-pcm", "w4a4"), ("isaac", "w4a4"),
                                       (os.path.join(inputs, "isaac-offset.json"), "w4a4"),
                                       (os.path.join(inputs, "puma-diffrows.json"), "w4a4"),
                                       (os.path.join(inputs, "puma-twos.json"), "w4a4")]),
             ("batchnorm", batchnorm_model, [("rwth-rram", "w8a8"), ("puma", "w4a4")])]
    for name, make, runs in cases:
        model, x, calib, onnx_path = make(args.work)
        x_path = os.path.join(args.work, name + "-x.npy")
        calib_path = os.path.join(args.work, name + "-calib.npy")
        np.save(x_path, x.numpy())
        np.save(calib_path, calib.numpy())
        for target, prec in runs:
            label = os.path.basename(target).replace(".json", "")
            out = os.path.join(args.work, f"{name}-{label}-{prec}")
            cimbin = cim_torch.compile_model(onnx_path, out, target, prec,
                                             calib_path, bin_dir=args.bin_dir)
            ref = cim_torch.run_cimbin(cimbin, x_path, os.path.join(out, "run"),
                                       bin_dir=args.bin_dir).reshape(len(x), -1)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                q = cim_torch.prepare(model, target,
                                      os.path.join(out, "policy.json"),
                                      calibration=os.path.join(out, "tiled.mlir"),
                                      example_input=x[:1])
            with torch.no_grad():
                got = q(x).numpy()
            diff = float(np.abs(got - ref).max())
            agree = float(np.mean(got.argmax(1) == ref.argmax(1)))
            same_w = not [w for w in caught if "weights differ" in str(w.message)]
            good = diff == 0 and same_w
            ok &= good
            print(f"{name} {label} {prec} images {len(x)} top-1 agreement "
                  f"{agree * 100:.2f}% max|diff| {diff:.3g} weights "
                  f"{'identical' if same_w else 'DIFFER'} "
                  f"{'ok' if good else 'FAIL'}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
