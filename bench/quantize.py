#!/usr/bin/python3
"""cim-quantize on the bundled Fashion-MNIST models (issue 6, item 3).

  bench/quantize.py [BUILD_DIR]

For each model and target: compile with cimc at uniform precision,
calibrated on models/fashion/calib_x.npy (256 images), with each clipped-ADC
range method (--adc-clip none|max|sigma|mse) and with bias correction, run
the .cimbin with cim-run on the 1000-image test slice, and record top-1
against the float model's. Writes bench/results/quantize.json.
"""
import json
import os
import subprocess
import sys

import numpy as np

src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(src, "build"))
fashion = os.path.join(src, "models", "fashion")
work = os.path.join(build, "bench-quantize")
os.makedirs(work, exist_ok=True)
bin_ = os.path.join(build, "bin")
x = os.path.join(fashion, "test_x.npy")
y = np.load(os.path.join(fashion, "test_y.npy"))
calib = os.path.join(fashion, "calib_x.npy")
floats = json.load(open(os.path.join(fashion, "accuracy.json")))


def top1(out):
    return float((np.load(os.path.join(out, "logits.npy")).argmax(1) == y).mean())


def compiled(model, target, precision, extra):
    name = "-".join([model, target, precision] + [e.strip("-") for e in extra])
    out = os.path.join(work, name)
    subprocess.check_call([os.path.join(bin_, "cimc"), os.path.join(fashion, model + ".onnx"),
                           "--target", target, "--input-shape", "input:1x1x28x28",
                           "--precision", precision, "--calib", calib, "-o", out] + extra,
                          stdout=subprocess.DEVNULL)
    subprocess.check_call([os.path.join(bin_, "cim-run"), os.path.join(out, "model.cimbin"),
                           "--input", "input=" + x, "--output-dir", out + "/run"],
                          stdout=subprocess.DEVNULL)
    return top1(out + "/run")


rows = []
for model in ["cnn_bn", "resnet_tiny", "dwsep", "mlp"]:
    subprocess.check_call([os.path.join(bin_, "cim-translate"), "--import-onnx",
                           os.path.join(fashion, model + ".onnx"), "--input-shape",
                           "input:1x1x28x28", "-o", os.path.join(work, model + ".mlir")])
    subprocess.check_call([os.path.join(bin_, "cim-opt"), os.path.join(work, model + ".mlir"),
                           "--cim-graph-pipeline", "-o", os.path.join(work, model + ".g.mlir")])
    subprocess.check_call([os.path.join(bin_, "cim-run"), os.path.join(work, model + ".g.mlir"),
                           "--input", x, "--output-dir", os.path.join(work, model + "-float")],
                          stdout=subprocess.DEVNULL)
    f = top1(os.path.join(work, model + "-float"))
    for target, precision in [("aihwkit-pcm", "w8a8"), ("rwth-rram", "w4a4"), ("isaac", "w8a8")]:
        row = {"model": model, "target": target, "precision": precision, "float": f}
        clips = ["none", "max", "sigma", "mse"] if target == "aihwkit-pcm" else ["none"]
        for clip in clips:
            row["adc_" + clip] = compiled(model, target, precision, ["--adc-clip", clip])
        row["bias_correction"] = compiled(model, target, precision,
                                          ["--adc-clip", clips[-1], "--bias-correction"])
        rows.append(row)
        print(json.dumps(row), flush=True)
json.dump({"test_images": int(len(y)), "calibration_images": 256, "rows": rows},
          open(os.path.join(src, "bench", "results", "quantize.json"), "w"), indent=1)
