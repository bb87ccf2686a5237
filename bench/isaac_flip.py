#!/usr/bin/python3
"""ISAAC's flipped columns on the bundled Fashion-MNIST models (issue 21).

  bench/isaac_flip.py [BUILD_DIR]

For each model: the float model's top-1 on the 1000-image test slice
(cim-run at the graph level), and the isaac preset at uniform W8A8 compiled
by cimc (calibrated on models/fashion/calib_x.npy, 256 images) and run as a
.cimbin by cim-run, once with the preset's `offset_flipped` weights and
once with plain `offset` weights (the preset as it was before, a copy of
targets/isaac.json with only weight_sign changed). Writes
bench/results/isaac-flip.json.
"""
import json
import os
import subprocess
import sys

import numpy as np

src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(src, "build"))
fashion = os.path.join(src, "models", "fashion")
work = os.path.join(build, "bench-isaac-flip")
os.makedirs(work, exist_ok=True)
bin_ = os.path.join(build, "bin")
x = os.path.join(fashion, "test_x.npy")
y = np.load(os.path.join(fashion, "test_y.npy"))
calib = os.path.join(fashion, "calib_x.npy")

preset = json.load(open(os.path.join(src, "targets", "isaac.json")))
plain = dict(preset, name="isaac-offset", weight_sign="offset")
plain_path = os.path.join(work, "isaac-offset.json")
json.dump(plain, open(plain_path, "w"), indent=1)


def top1(out):
    return float((np.load(os.path.join(out, "logits.npy")).argmax(1) == y).mean())


def compiled(model, target, tag):
    out = os.path.join(work, model + "-" + tag)
    subprocess.check_call([os.path.join(bin_, "cimc"), os.path.join(fashion, model + ".onnx"),
                           "--target", target, "--input-shape", "input:1x1x28x28",
                           "--precision", "w8a8", "--calib", calib, "-o", out],
                          stdout=subprocess.DEVNULL)
    subprocess.check_call([os.path.join(bin_, "cim-run"), os.path.join(out, "model.cimbin"),
                           "--input", "input=" + x, "--output-dir", out + "/run"],
                          stdout=subprocess.DEVNULL)
    return top1(out + "/run")


rows = []
for model in ["cnn_bn", "resnet_tiny", "dwsep", "mlp"]:
    mlir = os.path.join(work, model + ".mlir")
    subprocess.check_call([os.path.join(bin_, "cim-translate"), "--import-onnx",
                           os.path.join(fashion, model + ".onnx"), "--input-shape",
                           "input:1x1x28x28", "-o", mlir])
    subprocess.check_call([os.path.join(bin_, "cim-opt"), mlir, "--cim-graph-pipeline",
                           "-o", os.path.join(work, model + ".g.mlir")])
    subprocess.check_call([os.path.join(bin_, "cim-run"), os.path.join(work, model + ".g.mlir"),
                           "--input", x, "--output-dir", os.path.join(work, model + "-float")],
                          stdout=subprocess.DEVNULL)
    row = {"model": model, "float": top1(os.path.join(work, model + "-float")),
           "isaac_offset_w8a8": compiled(model, plain_path, "offset"),
           "isaac_offset_flipped_w8a8": compiled(model, "isaac", "flipped")}
    rows.append(row)
    print(json.dumps(row), flush=True)
json.dump({"test_images": int(len(y)), "calibration_images": 256, "rows": rows},
          open(os.path.join(src, "bench", "results", "isaac-flip.json"), "w"), indent=1)
