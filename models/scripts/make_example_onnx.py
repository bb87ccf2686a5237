#!/usr/bin/python3
"""Writes models/examples/tiny-cnn.onnx: a small Fashion-MNIST-shaped CNN
(conv-batchnorm-relu-pool, twice, then a classifier) with seeded random
weights, exported by PyTorch at opset 13 (its eval export fuses the batch
norms into the convolutions). The trained models come with the
precision issue; this one exists to show the import path in `make demo`."""
import os

import torch

torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.BatchNorm2d(8),
    torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.BatchNorm2d(16),
    torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Flatten(), torch.nn.Linear(16 * 7 * 7, 10)).eval()
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                   "examples", "tiny-cnn.onnx")
with torch.no_grad():
    torch.onnx.export(model, torch.randn(1, 1, 28, 28), out, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"},
                                    "logits": {0: "batch"}},
                      do_constant_folding=False, training=torch.onnx.TrainingMode.EVAL)
print(out)
