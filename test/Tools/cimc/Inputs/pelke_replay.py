#!/usr/bin/python3
"""Replays the 14 policies of Pelke et al. (DATE 2026) through cimc.

  pelke_replay.py SHARED_DIR SRC_DIR MODELS_DIR OUT_DIR

For every policy in SHARED_DIR/expected_speedups.json and each of the three
mappings the authors list (dc = differential columns, of = offset, dr =
differential rows): converts the policy (models/scripts/pelke_policy.py),
compiles the torchvision export with `cimc --precision policy.json --target
<rwth-rram at the policy's cell bits and mapping> --latency-model pelke2026`,
and compares cimc's speedup over uniform W8A8 with the published one
(tolerance 0.5%). Prints one line per replay and a summary line.
"""
import json
import os
import subprocess
import sys

shared, src, models, out = sys.argv[1:5]
os.makedirs(out, exist_ok=True)
expected = json.load(open(os.path.join(shared, "expected_speedups.json")))
preset = json.load(open(os.path.join(src, "targets", "rwth-rram.json")))
signs = {"dc": "differential_columns", "of": "offset", "dr": "differential_rows"}
checked, good = 0, 0
for entry in expected:
    model, name = entry["model"], entry["policy"]
    layers = os.path.join(shared, model + "_layers.json")
    policy = os.path.join(out, name.replace(".npy", ".json"))
    convert = subprocess.run(
        ["/usr/bin/python3", os.path.join(src, "models/scripts/pelke_policy.py"),
         os.path.join(shared, "policies", name), layers, policy],
        capture_output=True, text=True)
    if convert.returncode != 0:
        print("%s: not replayed: %s" % (name, convert.stderr.strip().split(": ", 1)[-1]))
        continue
    for mapping, sign in signs.items():
        target = dict(preset, name="rwth-rram-c%d-%s" % (entry["cell_bits"], mapping),
                      cell_bits=entry["cell_bits"], weight_sign=sign)
        target_path = os.path.join(out, target["name"] + ".json")
        json.dump(target, open(target_path, "w"))
        result = os.path.join(out, name[:-4] + "-" + mapping)
        run = subprocess.run(
            ["cimc", os.path.join(models, model + ".onnx"), "--target", target_path,
             "--precision", policy, "--latency-model", "pelke2026",
             "--no-program", "-o", result], capture_output=True, text=True)
        checked += 1
        if run.returncode != 0:
            print("%s %s: cimc failed: %s" % (name, mapping, run.stderr.strip()))
            continue
        ours = json.load(open(os.path.join(result, "report.json")))["speedup_vs_w8a8"]
        theirs = entry["speedup_vs_w8a8_" + mapping]
        within = abs(ours - theirs) <= 0.005 * theirs
        good += within
        print("%-55s %s ours %.4f published %.4f %s" % (
            name, mapping, ours, theirs, "ok" if within else "OFF"))
print("%d of %d replays within 0.5%%" % (good, checked))
