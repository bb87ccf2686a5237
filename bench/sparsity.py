#!/usr/bin/python3
"""Bit-level sparsity (CIMQ) on the bundled Fashion-MNIST models (issue 7, item 3).

  bench/sparsity.py [BUILD_DIR]

For each model and target: compile at W8A8, calibrated on
models/fashion/calib_x.npy, with the dense activation codes and with the
bit-sparse quantizer (codes of at most 3 and 2 '1' bits, cim-quantize
act-max-ones), measuring each layer's '1'-bit probability for the cost model
(input-ones); run the .cimbin with cim-run on the 1000-image test slice
without and with --skip-zero-cycles, and record the fraction of input bits
that are 1, the all-zero DAC cycles, energy and latency with and without
skipping, the cost model's energy, and top-1. Writes
bench/results/sparsity.json and prints the markdown table of
docs/techniques.md.
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
work = os.path.join(build, "bench-sparsity")
os.makedirs(work, exist_ok=True)
bin_ = os.path.join(build, "bin")
x = os.path.join(fashion, "test_x.npy")
y = np.load(os.path.join(fashion, "test_y.npy"))
calib = os.path.join(fashion, "calib_x.npy")


def tool(name, *args):
    subprocess.check_call([os.path.join(bin_, name)] + list(args), stdout=subprocess.DEVNULL)


def run(cimbin, out, skip):
    stats = out + ".json"
    tool("cim-run", cimbin, "--input", "input=" + x, "--output-dir", out, "--stats", stats,
         *(["--skip-zero-cycles"] if skip else []))
    top1 = float((np.load(os.path.join(out, "logits.npy")).argmax(1) == y).mean())
    return top1, json.load(open(stats))


rows = []
for model in ["cnn_bn", "resnet_tiny", "dwsep", "mlp"]:
    mlir = os.path.join(work, model + ".mlir")
    tool("cim-translate", "--import-onnx", os.path.join(fashion, model + ".onnx"),
         "--input-shape", "input:1x1x28x28", "-o", mlir)
    for target in ["isaac", "rwth-rram"]:
        for max_ones in [0, 3, 2]:
            name = "%s-%s-ones%d" % (model, target, max_ones)
            base = os.path.join(work, name)
            pipeline = ("--cim-compile-pipeline=target=%s precision=w8a8 calib=%s input-ones "
                        "act-max-ones=%d" % (target, calib, max_ones))
            tool("cim-opt", mlir, pipeline, "-o", base + ".isa.mlir")
            tool("cim-translate", "--export-cim-bin", base + ".isa.mlir", "-o", base + ".cimbin")
            top1, dense = run(base + ".cimbin", base + "-run", False)
            top1_skip, skip = run(base + ".cimbin", base + "-skip", True)
            assert top1 == top1_skip, "skipping changed the outputs"
            rows.append({
                "model": model, "target": target, "precision": "w8a8",
                "act_max_ones": max_ones or None, "top1": top1,
                "input_one_fraction": dense["input_ones"] / dense["input_bits"],
                "dac_cycles": dense["dac_cycles"],
                "skipped_dac_cycles": dense["skippable_dac_cycles"],
                "skipped_fraction": dense["skippable_dac_cycles"] / dense["dac_cycles"],
                "skipped_adc_conversions": dense["skippable_adc_conversions"],
                "adc_conversions": dense["adc_conversions"],
                "energy_pj_without_skipping": dense["energy_pj"],
                "energy_pj_with_skipping": skip["energy_pj"],
                "latency_ns_without_skipping": dense["latency_ns"],
                "latency_ns_with_skipping": skip["latency_ns"],
                "modeled_energy_pj_per_image_without_skipping":
                    dense["modeled"]["energy_pj_per_slice"],
                "modeled_energy_pj_per_image_with_skipping":
                    skip["modeled"]["energy_pj_per_slice"],
                "images": dense["slices"],
            })
            print(name, rows[-1]["top1"], file=sys.stderr)

result = {
    "machine": "%s, %s, %d cores" % (platform.node(), platform.processor() or platform.machine(),
                                     os.cpu_count()),
    "date": time.strftime("%Y-%m-%d", time.gmtime()),
    "images": int(y.shape[0]),
    "rows": rows,
}
os.makedirs(os.path.join(src, "bench", "results"), exist_ok=True)
with open(os.path.join(src, "bench", "results", "sparsity.json"), "w") as f:
    json.dump(result, f, indent=1)

print("| model | target | codes | top-1 | '1' bits | all-zero DAC cycles | energy µJ (no skip → skip) | saved | latency ms (no skip → skip) | modeled nJ/image (no skip → skip) |")
print("|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    e0, e1 = r["energy_pj_without_skipping"], r["energy_pj_with_skipping"]
    print("| %s | %s | %s | %.1f%% | %.1f%% | %.1f%% | %.1f → %.1f | %.1f%% | %.2f → %.2f | %.1f → %.1f |" % (
        r["model"], r["target"], "≤%d ones" % r["act_max_ones"] if r["act_max_ones"] else "dense",
        100 * r["top1"], 100 * r["input_one_fraction"], 100 * r["skipped_fraction"],
        e0 / 1e6, e1 / 1e6, 100 * (1 - e1 / e0),
        r["latency_ns_without_skipping"] / 1e6, r["latency_ns_with_skipping"] / 1e6,
        r["modeled_energy_pj_per_image_without_skipping"] / 1e3,
        r["modeled_energy_pj_per_image_with_skipping"] / 1e3))
