#!/usr/bin/python3
"""Our precision search against the policies of Pelke et al. (DATE 2026)
on their cost model (issue 10, item 3).

  bench/pelke_search.py [BUILD_DIR [MODEL...]]

For each chosen ResNet-18 and VGG-16 policy: compile it with cimc (--latency-model
pelke2026, their cell resolution, differential columns) and measure its
relative L2 output error against float on 4 seeded random 224x224 images
(random weights: no ImageNet here); then run our search (knapsack) with the
same bit ranges and first/last constraint under that output error as the
budget, and compare the modeled speedups over W8A8. Writes
bench/results/pelke_search.json.

What this shows: how low each search can push the same cost model for the
same measured deviation from float on these inputs. What it does not show:
accuracy on ImageNet (their policies were found with a trained network and
top-1 on real data; ours sees random weights and inputs), nor anything about
weight-bit multiples of the cell resolution (their weight_constraint), which
our search does not model.
"""
import json
import os
import subprocess
import sys

import numpy as np

src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(src, "build"))
shared = os.path.join(src, "..", "shared", "data", "pelke2026")
models = os.path.join(build, "models", "scope")
work = os.path.join(build, "bench-pelke")
os.makedirs(work, exist_ok=True)
x = os.path.join(work, "random4.npy")
np.save(x, np.random.RandomState(3).rand(4, 3, 224, 224).astype(np.float32))
cimc = os.path.join(build, "bin", "cimc")
# policy, search ranges and constraint they were found under.
cases = [
    ("resnet18", "policy-resnet18-no_constraint-acc05-rcell4.npy", "2..8", "2..8", False),
    ("resnet18", "policy-resnet18-input_output_constraint-acc05-rcell4.npy", "2..8", "2..8", True),
    ("resnet18", "policy-resnet18-both_constraints-acc05-rcell4.npy", "4..8", "2..8", True),
    ("vgg16", "policy-vgg16-both_constraints-acc05-rcell4.npy", "4..8", "2..8", True),
]
# Models named after the build directory run alone; their rows replace
# those of the same model in the results file.
only = sys.argv[2:]
if only:
    cases = [c for c in cases if c[0] in only]
for m in sorted({c[0] for c in cases}):
    if not os.path.exists(os.path.join(models, m + ".onnx")):
        subprocess.check_call(["/usr/bin/python3", os.path.join(src, "models/scripts/export_scope_models.py"), models, m])
expected = {e["policy"]: e for e in json.load(open(os.path.join(shared, "expected_speedups.json")))}
rows = []
for model, name, wbits, abits, fix in cases:
    onnx = os.path.join(models, model + ".onnx")
    cell = expected[name]["cell_bits"]
    target = json.load(open(os.path.join(src, "targets", "rwth-rram.json")))
    target.update(name="rwth-rram-c%d" % cell, cell_bits=cell)
    tpath = os.path.join(work, target["name"] + ".json")
    json.dump(target, open(tpath, "w"))
    policy = os.path.join(work, name.replace(".npy", ".json"))
    subprocess.check_call(["/usr/bin/python3", os.path.join(src, "models/scripts/pelke_policy.py"),
                           os.path.join(shared, "policies", name), os.path.join(shared, model + "_layers.json"), policy])
    common = ["--target", tpath, "--calib", x, "--latency-model", "pelke2026", "--no-program"]
    theirs = os.path.join(work, name[:-4] + "-theirs")
    subprocess.check_call([cimc, onnx, "--precision", policy, "-o", theirs] + common, stdout=subprocess.DEVNULL)
    t = json.load(open(os.path.join(theirs, "report.json")))
    ours = os.path.join(work, name[:-4] + "-ours")
    args = [cimc, onnx, "--precision", "auto", "--search", "knapsack",
            "--max-output-error", repr(t["output_error"]), "--weight-bits", wbits,
            "--act-bits", abits, "-o", ours] + common + (["--fix-first-last"] if fix else [])
    subprocess.check_call(args, stdout=subprocess.DEVNULL, stderr=open(ours + ".log", "w"))
    o = json.load(open(os.path.join(ours, "report.json")))
    rows.append({"model": model, "policy": name, "weight_bits": wbits, "act_bits": abits, "fix_first_last": fix,
                 "their_speedup": t["speedup_vs_w8a8"], "their_output_error": t["output_error"],
                 "published_speedup": expected[name]["speedup_vs_w8a8_dc"],
                 "our_speedup": o["speedup_vs_w8a8"], "our_output_error": o["output_error"]})
    print(json.dumps(rows[-1]))
out = os.path.join(src, "bench", "results", "pelke_search.json")
if only and os.path.exists(out):
    kept = [r for r in json.load(open(out))["rows"] if r.get("model", "resnet18") not in only]
    rows = kept + rows
json.dump({"model": "torchvision models with random weights, 4 random inputs", "rows": rows},
          open(out, "w"), indent=1)
