"""Compiles a model from ONNX and from another front end's .mlir with the
same pipeline, runs both on cim-run and checks that the outputs are
bit-identical (and that they are real outputs: finite, one row per image,
not all equal). Usage: compare.py model.onnx model.mlir x.npy workdir"""
import os
import subprocess
import sys

import numpy as np

onnx_path, mlir_path, x_path, work = sys.argv[1:5]
pipeline = "--cim-compile-pipeline=target=isaac precision=w8a8"
os.makedirs(work, exist_ok=True)


def run(*cmd, stdin=None):
    return subprocess.run(cmd, check=True, input=stdin, stdout=subprocess.PIPE).stdout


graph = run("cim-translate", "--import-onnx", onnx_path, "--input-shape", "input:1x1x28x28")
for name, source in (("onnx", graph), ("other", None)):
    if source is None:
        isa = run("cim-opt", mlir_path, pipeline)
    else:
        isa = run("cim-opt", pipeline, stdin=source)
    binary = os.path.join(work, name + ".cimbin")
    run("cim-translate", "--export-cim-bin", "-o", binary, stdin=isa)
    run("cim-run", binary, "--input", x_path, "--output-dir", os.path.join(work, name))

a = np.load(os.path.join(work, "onnx", "logits.npy"))
b = np.load(os.path.join(work, "other", "logits.npy"))
n = np.load(x_path).shape[0]
assert a.shape == (n, 10) and b.shape == a.shape, (a.shape, b.shape)
assert np.isfinite(a).all() and np.ptp(a, axis=0).max() > 0, "degenerate outputs"
if not np.array_equal(a, b):
    sys.exit(f"{mlir_path}: outputs differ from the ONNX path in "
             f"{int((a != b).sum())} of {a.size} values (max {np.abs(a - b).max()})")
print(f"{os.path.basename(mlir_path)}: {a.shape[0]} images, outputs identical")
