#!/usr/bin/python3
"""Compares cim-run's output with PyTorch on the same torchvision network.

Usage: compare_torchvision.py MODEL INPUT.npy OUTPUT.npy

Rebuilds the network exactly as models/scripts/export_scope_models.py
exported it (torch.manual_seed(0), eval mode), runs PyTorch in float32 on
INPUT.npy and prints the largest difference relative to the output range.
"""
import sys

import numpy as np
import torch
import torchvision

name, x_path, y_path = sys.argv[1:4]
torch.manual_seed(0)
model = getattr(torchvision.models, name)()
model.eval()
x = torch.from_numpy(np.load(x_path))
with torch.no_grad():
    reference = model(x).numpy()
ours = np.load(y_path)
if ours.shape != reference.shape:
    print("shape mismatch", ours.shape, reference.shape)
    sys.exit(1)
spread = float(reference.max() - reference.min())
error = float(np.abs(ours - reference).max()) / spread
print("relative error %.1e" % error)
print("ok" if error <= 1e-4 else "TOO LARGE")
