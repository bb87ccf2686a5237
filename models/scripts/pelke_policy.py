#!/usr/bin/python3
"""Converts a policy released with Pelke et al. (DATE 2026) to a cimc policy.

  pelke_policy.py POLICY.npy LAYERS.json OUT.json

POLICY.npy is an (L, 2) array of [weight_bits, act_bits] rows in the
authors' layer order; LAYERS.json (../shared/data/pelke2026/<model>_layers.json)
names layer i by its torchvision module path in that same order, which
already accounts for ResNet-18's downsample convs (policy order puts them
before block0.conv1, module order after block0.conv2). The output names each
layer as cim does: the ONNX node torch.onnx.export makes of the module, e.g.
layer2.0.downsample.0 -> "/layer2/layer2.0/downsample/downsample.0/Conv:Conv".

Attention matmuls (ViT-B/32's Q.K^T and Attn.V) multiply two activations:
cim runs them on the digital unit, not on crossbars, so a policy that
assigns them bits cannot be replayed; the script says so and fails.
"""
import json
import sys

import numpy as np


def onnx_name(module_path, kind):
    scopes, previous = [], None
    for part in module_path.split("."):
        # torch.onnx names a Sequential's numbered child after its parent.
        scopes.append(previous + "." + part if part.isdigit() and previous
                      else part)
        previous = part if not part.isdigit() else scopes[-1]
    op = {"conv": "Conv", "linear": "Gemm"}[kind]
    return "/" + "/".join(scopes) + "/" + op + ":" + op


def main():
    policy = np.load(sys.argv[1])
    layers = json.load(open(sys.argv[2]))
    if policy.shape != (len(layers), 2):
        sys.exit("%s: %s rows for %d layers" % (sys.argv[1], policy.shape,
                                                 len(layers)))
    out = []
    for row, layer in zip(policy, layers):
        if layer["kind"] == "attention_matmul":
            sys.exit("%s: layer %d (%s) multiplies two activations; cim runs "
                     "it on the digital unit, so its bits cannot be replayed"
                     % (sys.argv[1], layer["index"], layer["name"]))
        out.append({"name": onnx_name(layer["name"], layer["kind"]),
                    "weight_bits": int(row[0]), "act_bits": int(row[1])})
    json.dump({"layers": out}, open(sys.argv[3], "w"), indent=1)


if __name__ == "__main__":
    main()
