#!/usr/bin/python3
"""Mixed precision on the bundled Fashion-MNIST models (issue 6, item 7).

  bench/precision.py [BUILD_DIR] [MODEL...]

For each model, target and latency model: `cimc --precision auto` searches
per-layer bits (knapsack search) on 2000 labelled test images (t10k
[1000:3000], which also calibrate), with a 0.3-point top-1 budget, i.e. a
0.2-point margin under the 0.5-point goal for the sampling error of the
validation set; then the compiled model.cimbin runs on cim-run over 7000
held-out test images (t10k [3000:10000]) beside the float model and uniform W8A8
(compiled the same way). Speedup is the modelled latency of W8A8 over the
chosen policy from cimc's report. Writes bench/results/precision.json.
BUDGET=points and CONFIDENCE=z (environment; defaults 0.3 and 0) set
cimc's --max-accuracy-drop and --confidence. CALIB=train calibrates the
activation and ADC ranges on models/fashion/calib_x.npy (training images)
and keeps the 2000 test images for measuring accuracy only (cimc
--validation); OUT=name.json writes there instead. VAL=train validates on the last
5000 training images (train[55000:60000]) and holds out all 10000 test
images. EXTRA="--equalize ..." adds cimc
options to every compile (W8A8 and the search alike); LATENCY=cim runs one
latency model only; TARGET=isaac another target (with EXTRA="--adc-bits
9..10" the search may keep a lossless ADC where W8A8's 8 bits are not).
"""
import json
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fashion_data import load  # noqa: E402

src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(src, "build"))
only = sys.argv[2:]
# The budget (top-1 points on the validation slice) and how many standard
# errors of the paired drop the search adds to each measurement.
budget = os.environ.get("BUDGET", "0.3")
confidence = os.environ.get("CONFIDENCE", "0")
separate_calib = os.environ.get("CALIB", "") == "train"
train_validation = os.environ.get("VAL", "") == "train"
extra = os.environ.get("EXTRA", "").split()
latency_models = os.environ.get("LATENCY", "cim,pelke2026").split(",")
target_name = os.environ.get("TARGET", "rwth-rram")
bin_ = os.path.join(build, "bin")
work = os.path.join(build, "bench-" + os.path.splitext(os.environ.get("OUT", "precision.json"))[0])
os.makedirs(work, exist_ok=True)


x, y = load("t10k")
if train_validation:
    # Validation from the training split (the last 5000 images; the
    # models saw them in training, as PTQ calibration data usually is),
    # so every test image is held out.
    trx, tr_y = load("train")
    splits = [("vx", trx[55000:]), ("vy", tr_y[55000:]), ("tx", x), ("ty", y)]
    validation_name, held_name = "train[55000:60000]", "t10k[0:10000]"
else:
    splits = [("vx", x[1000:3000]), ("vy", y[1000:3000]), ("tx", x[3000:]), ("ty", y[3000:])]
    validation_name, held_name = "t10k[1000:3000]", "t10k[3000:10000]"
paths = {}
for name, a in splits:
    paths[name] = os.path.join(work, name + ".npy")
    np.save(paths[name], a)
held = dict(splits)["ty"]


def run(program, out):
    subprocess.check_call([os.path.join(bin_, "cim-run"), program, "--input", "input=" + paths["tx"],
                           "--output-dir", out], stdout=subprocess.DEVNULL)
    return float((np.load(os.path.join(out, "logits.npy")).argmax(1) == held).mean())


calib_args = (["--calib", os.path.join(src, "models", "fashion", "calib_x.npy"), "--validation", paths["vx"]]
              if separate_calib else ["--calib", paths["vx"]])


def cimc(model, target, out, args):
    start = time.time()
    subprocess.check_call([os.path.join(bin_, "cimc"), os.path.join(src, "models", "fashion", model + ".onnx"),
                           "--target", target, "--input-shape", "input:1x1x28x28"] + calib_args +
                          ["-o", out] + args + extra, stdout=subprocess.DEVNULL,
                          stderr=open(out + ".log", "w"))
    return time.time() - start, json.load(open(os.path.join(out, "report.json")))


out_file = os.path.join(src, "bench", "results", os.environ.get("OUT", "precision.json"))
rows = []
if only and os.path.exists(out_file):
    rows = [r for r in json.load(open(out_file))["rows"] if r["model"] not in only]
for model in ["cnn_bn", "resnet_tiny", "dwsep", "mlp"]:
    if only and model not in only:
        continue
    g = os.path.join(work, model + ".g.mlir")
    subprocess.check_call([os.path.join(bin_, "cim-translate"), "--import-onnx",
                           os.path.join(src, "models", "fashion", model + ".onnx"), "--input-shape",
                           "input:1x1x28x28", "-o", g + ".in"])
    subprocess.check_call([os.path.join(bin_, "cim-opt"), g + ".in", "--cim-graph-pipeline", "-o", g])
    f = run(g, os.path.join(work, model + "-float"))
    for target, lm in [(target_name, m) for m in latency_models]:
        base = os.path.join(work, "-".join([model, target, lm]))
        _, r8 = cimc(model, target, base + "-w8a8", ["--precision", "w8a8", "--labels", paths["vy"],
                                                     "--latency-model", lm])
        seconds, ra = cimc(model, target, base + "-auto",
                           ["--precision", "auto", "--labels", paths["vy"], "--search", "knapsack",
                            "--max-accuracy-drop", budget, "--confidence", confidence,
                            "--latency-model", lm])
        row = {"model": model, "target": target, "latency_model": lm,
               "float_top1": f, "w8a8_top1": run(base + "-w8a8/model.cimbin", base + "-w8a8/run"),
               "auto_top1": run(base + "-auto/model.cimbin", base + "-auto/run"),
               "speedup_vs_w8a8": ra["speedup_vs_w8a8"],
               "energy_saving_vs_w8a8": ra.get("energy_saving_vs_w8a8"),
               "search_seconds": round(seconds, 1),
               "policy": " ".join("W%dA%d" % (l["weight_bits"], l["act_bits"]) for l in ra["policy"]["layers"])}
        rows.append(row)
        print(json.dumps(row), flush=True)
json.dump({"validation": validation_name, "held_out": held_name, "budget_points": float(budget),
           "calibration": "models/fashion/calib_x.npy" if separate_calib else validation_name,
           "confidence": float(confidence), "extra_options": " ".join(extra),
           "rows": rows}, open(out_file, "w"), indent=1)
