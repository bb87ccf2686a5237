#!/usr/bin/python3
"""Compares cim-run's output with PyTorch on the same scope-bar network.

Usage: compare_scope.py SRC_DIR MODEL INPUT.npy OUTPUT.npy

Rebuilds the network exactly as SRC_DIR/models/scripts/export_scope_models.py
exported it (torch.manual_seed(0), eval mode), runs PyTorch in float32 on
INPUT.npy and prints the largest difference relative to the output range.
"""
import os
import sys

import numpy as np
import torch

src, name, x_path, y_path = sys.argv[1:5]
sys.path.insert(0, os.path.join(src, "models", "scripts"))
import export_scope_models as scope  # noqa: E402

torch.manual_seed(0)
model = scope.Encoder() if name == "transformer_encoder" else scope.MODELS[name]()
model.eval()
x = torch.from_numpy(np.load(x_path))
# The export ran with gradients on for the encoder (no fused fast path);
# evaluate the same way.
with torch.set_grad_enabled(name == "transformer_encoder"):
    reference = model(x).detach().numpy()
ours = np.load(y_path)
if ours.shape != reference.shape:
    print("shape mismatch", ours.shape, reference.shape)
    sys.exit(1)
spread = float(reference.max() - reference.min())
error = float(np.abs(ours - reference).max()) / spread
print("relative error %.1e" % error)
print("ok" if error <= 1e-4 else "TOO LARGE")
