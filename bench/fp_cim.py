#!/usr/bin/python3
"""Floating-point CIM against float and integer quantization (issue 7, item 1).

  bench/fp_cim.py [BUILD_DIR]

For each bundled model on the fp-cim target (32-row alignment groups, exact
adder tree), compile with cimc and run the .cimbin on cim-run over the
1000-image test slice:
  * floating-point layers: BF16, FP8 E5M2 and E4M3, E3M4, E4M3 with 5
    aligned bits and with truncation instead of rounding, and E4M3 weights
    with BF16 inputs aligned to 8 bits;
  * integer layers at the same weight storage (the FP weight's mantissa,
    sign and amortized shared exponent, rounded to whole bits) and 8-bit
    activations, calibrated on models/fashion/calib_x.npy.
Weight storage is bits per weight against FP32; the float top-1 is the
PyTorch one recorded in models/fashion/accuracy.json for the same images.

Writes bench/results/fp_cim.json and prints the markdown table of
docs/techniques.md. Outputs are cached in BUILD_DIR/bench-fp-cim.
"""
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(src, "build"))
fashion = os.path.join(src, "models", "fashion")
work = os.path.join(build, "bench-fp-cim")
os.makedirs(work, exist_ok=True)
bin_ = os.path.join(build, "bin")
x = os.path.join(fashion, "test_x.npy")
y = np.load(os.path.join(fashion, "test_y.npy"))
calib = os.path.join(fashion, "calib_x.npy")
MODELS = ["mlp", "cnn_bn", "resnet_tiny", "dwsep"]
GROUP = json.load(open(os.path.join(src, "targets", "fp-cim.json")))["parallel_rows"]
# (spec, weight exponent bits, weight mantissa bits, input storage bits)
FORMATS = [
    ("fp:bf16", 8, 7, 16),
    ("fp:e5m2", 5, 2, 8),
    ("fp:e4m3", 4, 3, 8),
    ("fp:e3m4", 3, 4, 8),
    ("fp:e4m3:L=5", 4, 3, 8),
    ("fp:e4m3:truncate", 4, 3, 8),
    ("fp:bf16/e4m3:L=8", 4, 3, 16),
]


def compile_run(model, precision, tag, calibrate):
    out = os.path.join(work, "%s-%s" % (model, tag))
    if not os.path.exists(os.path.join(out, "report.json")):
        args = [os.path.join(bin_, "cimc"), os.path.join(fashion, model + ".onnx"), "--target", "fp-cim",
                "--input-shape", "input:1x1x28x28", "--precision", precision, "-o", out]
        if calibrate:
            args += ["--calib", calib]
        subprocess.check_call(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run = out + "-run"
    if not os.path.exists(os.path.join(run, "logits.npy")):
        subprocess.check_call([os.path.join(bin_, "cim-run"), os.path.join(out, "model.cimbin"),
                               "--input", "input=" + x, "--output-dir", run], stdout=subprocess.DEVNULL)
    report = json.load(open(os.path.join(out, "report.json")))
    top1 = float((np.load(os.path.join(run, "logits.npy")).argmax(1) == y).mean())
    return top1, report["speedup_vs_w8a8"]


start = time.time()
accuracy = json.load(open(os.path.join(fashion, "accuracy.json")))
rows = []
for model in MODELS:
    float_top1 = accuracy[model]["test_accuracy_first_1000"]
    for spec, wexp, wman, in_bits in FORMATS:
        # Sign, hidden bit and mantissa, plus the shared exponent per group.
        wbits = wman + 2 + wexp / GROUP
        int_w = max(2, min(8, round(wbits)))
        fp_top1, fp_speed = compile_run(model, spec, spec.replace(":", "_").replace("=", ""), False)
        int_top1, int_speed = compile_run(model, "w%da8" % int_w, "w%da8" % int_w, True)
        row = {"model": model, "format": spec, "weight_bits_per_weight": wbits,
               "weight_storage_saving_vs_fp32": 1 - wbits / 32, "input_bits": in_bits,
               "float_top1": float_top1, "fp_top1": fp_top1, "fp_speedup_vs_w8a8": fp_speed,
               "int_weight_bits": int_w, "int_top1": int_top1, "int_speedup_vs_w8a8": int_speed}
        rows.append(row)
        print(model, spec, "%.3f float %.3f int%d %.3f" % (fp_top1, float_top1, int_w, int_top1), flush=True)

result = {
    "machine": "%s, %d cores, %s" % (platform.machine(), os.cpu_count(), platform.platform()),
    "date": time.strftime("%Y-%m-%d"), "images": int(len(y)), "group_rows": GROUP,
    "rows": rows, "seconds": round(time.time() - start, 1),
}
os.makedirs(os.path.join(src, "bench", "results"), exist_ok=True)
json.dump(result, open(os.path.join(src, "bench", "results", "fp_cim.json"), "w"), indent=1)

print()
print("| model | format | weight bits (saving vs FP32) | top-1 FP-CIM | vs float | integer W·A8 at equal storage | FP − integer | modeled speedup vs W8A8 (FP / integer) |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    print("| %s | `%s` | %.2f (%.0f%%) | %.1f%% | %+.1f pt | W%dA8: %.1f%% | %+.1f pt | %.2f× / %.2f× |" % (
        r["model"], r["format"], r["weight_bits_per_weight"], 100 * r["weight_storage_saving_vs_fp32"],
        100 * r["fp_top1"], 100 * (r["fp_top1"] - r["float_top1"]), r["int_weight_bits"],
        100 * r["int_top1"], 100 * (r["fp_top1"] - r["int_top1"]), r["fp_speedup_vs_w8a8"],
        r["int_speedup_vs_w8a8"]))
