#!/usr/bin/python3
"""Parity of cim_torch with cim-run: compile a bundled model with cimc,
run the .cimbin on cim-run, run cim_torch.prepare's model (eval mode, noise
off) on the same images, and compare top-1 and logits.

    parity.py --bin-dir BUILD/bin [--models mlp cnn_bn] [--targets rwth-rram]
              [--precisions w8a8 w4a4] [--images 200] [--work DIR]
              [--min-agreement 0.999] [--tolerance 1e-4]

Prints one line per (model, target, precision): images, top-1 agreement,
max |logit difference| (relative to the largest |logit|), and exits 1 if
any falls short. The tolerance is on max|diff| / max|logit|: the integer
arithmetic is identical, what remains is float32 rounding of the digital
ops between crossbar layers (bias adds, pooling sums), which can move an
activation code by one at a rounding boundary.
"""
import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True  # leave no __pycache__ in the checkout
sys.path.insert(0, os.path.join(ROOT, "python"))

import cim_torch  # noqa: E402
from cim_torch import fashion  # noqa: E402


def compile_at(name, out, target, prec, calib, bin_dir, extra=()):
    """cimc at a uniform precision "wXaY", or "wXaY:adcB" (every layer's
    ADC at B bits: cimc compiles it from a policy file)."""
    if ":adc" not in prec:
        return cim_torch.compile_model(fashion.onnx_path(name), out, target,
                                       prec, calib, bin_dir=bin_dir,
                                       extra=extra)
    base, adc = prec.split(":adc")
    first = out + "-base"
    cim_torch.compile_model(fashion.onnx_path(name), first, target, base,
                            calib, bin_dir=bin_dir, extra=["--no-program", *extra])
    with open(os.path.join(first, "policy.json")) as f:
        policy = json.load(f)
    for layer in policy["layers"]:
        layer["adc_bits"] = int(adc)
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "requested-policy.json")
    with open(path, "w") as f:
        json.dump(policy, f)
    return cim_torch.compile_model(fashion.onnx_path(name), out, target, path,
                                   calib, bin_dir=bin_dir, extra=extra)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin-dir", default="")
    ap.add_argument("--models", nargs="+", default=["mlp", "cnn_bn"])
    ap.add_argument("--targets", nargs="+", default=["rwth-rram"])
    ap.add_argument("--precisions", nargs="+", default=["w8a8", "w4a4"])
    ap.add_argument("--images", type=int, default=200)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--work", default="")
    ap.add_argument("--granularity", default="",
                    help="weight scale granularity passed to cimc")
    ap.add_argument("--min-agreement", type=float, default=0.999)
    ap.add_argument("--tolerance", type=float, default=1e-4)
    args = ap.parse_args()
    torch.set_num_threads(2)
    work = args.work or tempfile.mkdtemp(prefix="cim-parity-")
    calib = os.path.join(ROOT, "models", "fashion", "calib_x.npy")
    x = np.load(os.path.join(ROOT, "models", "fashion", "test_x.npy"))
    x = np.ascontiguousarray(x[args.offset:args.offset + args.images])
    x_path = os.path.join(work, "x.npy")
    os.makedirs(work, exist_ok=True)
    np.save(x_path, x)
    ok = True
    for name in args.models:
        float_model = fashion.load(name)
        for target in args.targets:
            for prec in args.precisions:
                tag = f"-{args.granularity}" if args.granularity else ""
                label = os.path.basename(target).replace(".json", "")
                out = os.path.join(work, f"{name}-{label}-{prec}{tag}")
                extra = ["--granularity", args.granularity] if args.granularity else []
                t0 = time.time()
                cimbin = compile_at(name, out, target, prec, calib, args.bin_dir,
                                    extra)
                ref = cim_torch.run_cimbin(cimbin, x_path, os.path.join(out, "run"),
                                           bin_dir=args.bin_dir).reshape(len(x), -1)
                t1 = time.time()
                q = cim_torch.prepare(float_model, target,
                                      os.path.join(out, "policy.json"),
                                      calibration=os.path.join(out, "tiled.mlir"),
                                      example_input=torch.from_numpy(x[:1]))
                with torch.no_grad():
                    got = torch.cat([q(torch.from_numpy(x[i:i + 50]))
                                     for i in range(0, len(x), 50)]).numpy()
                t2 = time.time()
                agree = float(np.mean(got.argmax(1) == ref.argmax(1)))
                diff = float(np.abs(got - ref).max())
                rel = diff / max(float(np.abs(ref).max()), 1e-30)
                good = agree >= args.min_agreement and rel <= args.tolerance
                ok &= good
                print(f"{name:12s} {label:12s} {prec:5s}{tag} images {len(x)} "
                      f"top-1 agreement {agree * 100:.2f}% max|diff| {diff:.3g} "
                      f"(rel {rel:.2g}) cim {t1 - t0:.1f}s torch {t2 - t1:.1f}s "
                      f"{'ok' if good else 'FAIL'}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
