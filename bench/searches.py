#!/usr/bin/python3
"""The precision searches compared (issue 6, item 4).

  bench/searches.py [BUILD_DIR] [MODEL...]

For each model (default: mlp, cnn_bn) on rwth-rram, `cimc --precision auto`
with each search (greedy; knapsack ranked by KL divergence and by top-1;
evolutionary; rl, both seed 1 with the default 20 x 16 budget) on the
validation images train[58000:60000], ranges calibrated on
models/fashion/calib_x.npy, a 0.4-point budget; the compiled .cimbin then
runs on cim-run over all 10000 test images. Records the modeled speedup
over W8A8, held-out top-1, the policies measured (pareto.json points) and
the wall time. Writes bench/results/searches.json.
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
models = sys.argv[2:] or ["mlp", "cnn_bn"]
bin_ = os.path.join(build, "bin")
work = os.path.join(build, "bench-searches")
os.makedirs(work, exist_ok=True)
fashion = os.path.join(src, "models", "fashion")


trx, try_ = load("train")
tx, ty = load("t10k")
paths = {"vx": trx[58000:], "vy": try_[58000:], "tx": tx}
for k, a in paths.items():
    np.save(os.path.join(work, k + ".npy"), a)


def run(program, out):
    subprocess.check_call([os.path.join(bin_, "cim-run"), program, "--input",
                           "input=" + os.path.join(work, "tx.npy"), "--output-dir", out],
                          stdout=subprocess.DEVNULL)
    return float((np.load(os.path.join(out, "logits.npy")).argmax(1) == ty).mean())


searches = [("greedy", []), ("knapsack", ["--sensitivity", "kl"]), ("knapsack-top1", ["--sensitivity", "top1"]),
            ("evolutionary", ["--seed", "1"]), ("rl", ["--seed", "1"])]
rows = []
for model in models:
    for name, extra in searches:
        out = os.path.join(work, model + "-" + name)
        start = time.time()
        subprocess.check_call([os.path.join(bin_, "cimc"), os.path.join(fashion, model + ".onnx"),
                               "--target", "rwth-rram", "--input-shape", "input:1x1x28x28",
                               "--calib", os.path.join(fashion, "calib_x.npy"),
                               "--validation", os.path.join(work, "vx.npy"),
                               "--labels", os.path.join(work, "vy.npy"), "--precision", "auto",
                               "--search", name.split("-")[0], "--max-accuracy-drop", "0.4",
                               "-o", out] + extra,
                              stdout=subprocess.DEVNULL, stderr=open(out + ".log", "w"))
        seconds = time.time() - start
        report = json.load(open(os.path.join(out, "report.json")))
        row = {"model": model, "search": name, "speedup_vs_w8a8": report["speedup_vs_w8a8"],
               "validation_top1": report.get("accuracy", {}).get("compiled"),
               "validation_float_top1": report.get("accuracy", {}).get("float"),
               "held_out_top1": run(os.path.join(out, "model.cimbin"), out + "/run"),
               "evaluations": len(json.load(open(os.path.join(out, "pareto.json")))["points"]),
               "seconds": round(seconds, 1),
               "policy": " ".join("W%dA%d" % (l["weight_bits"], l["act_bits"]) for l in report["policy"]["layers"])}
        rows.append(row)
        print(json.dumps(row), flush=True)
json.dump({"validation": "train[58000:60000]", "held_out": "t10k[0:10000]", "budget_points": 0.4,
           "calibration": "models/fashion/calib_x.npy", "rows": rows},
          open(os.path.join(src, "bench", "results", "searches.json"), "w"), indent=1)
