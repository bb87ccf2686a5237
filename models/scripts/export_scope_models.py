#!/usr/bin/python3
"""Exports the importer's scope-bar models to ONNX with random weights.

torchvision classification networks at opset 13 and a PyTorch
nn.TransformerEncoder at opset 14, each with a 1x3x224x224 (or 1x50x256)
input named "input". Weights are random (seeded): the point is the graph
structure, and nothing here downloads anything.

Usage: export_scope_models.py OUTPUT_DIR [NAME ...]   (default: all but
vgg16, which is exported only when named)
Needs Debian's python3-torch, python3-torchvision and python3-onnx.
"""
import os
import sys

import torch
import torchvision

MODELS = {
    "resnet18": lambda: torchvision.models.resnet18(),
    "resnet50": lambda: torchvision.models.resnet50(),
    "mobilenet_v2": lambda: torchvision.models.mobilenet_v2(),
    "squeezenet1_1": lambda: torchvision.models.squeezenet1_1(),
    "vgg11": lambda: torchvision.models.vgg11(),
    "googlenet": lambda: torchvision.models.googlenet(aux_logits=False,
                                                      init_weights=True),
    "shufflenet_v2_x1_0": lambda: torchvision.models.shufflenet_v2_x1_0(),
    "efficientnet_b0": lambda: torchvision.models.efficientnet_b0(),
    "densenet121": lambda: torchvision.models.densenet121(),
    "alexnet": lambda: torchvision.models.alexnet(),
}

# Exported only when named (large: VGG-16 is 528 MB of weights); the Pelke
# et al. policy replay uses it.
ON_DEMAND = {
    "vgg16": lambda: torchvision.models.vgg16(),
}


class Encoder(torch.nn.Module):
    """Two post-norm encoder layers, batch first, as a transformer block
    stack would be compiled."""

    def __init__(self):
        super().__init__()
        layer = torch.nn.TransformerEncoderLayer(
            d_model=256, nhead=4, dim_feedforward=512, dropout=0.0,
            batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, num_layers=2)

    def forward(self, x):
        return self.encoder(x)


def export(name, out_dir):
    torch.manual_seed(0)
    if name == "transformer_encoder":
        model, example, opset = Encoder(), torch.randn(1, 50, 256), 14
    else:
        build = MODELS.get(name) or ON_DEMAND[name]
        model, example, opset = build(), torch.randn(1, 3, 224, 224), 13
    model.eval()
    path = os.path.join(out_dir, name + ".onnx")
    # With gradients enabled torch 1.13 skips the fused encoder fast path
    # (aten::_transformer_encoder_layer_fwd), which has no ONNX export.
    with torch.set_grad_enabled(name == "transformer_encoder"):
        torch.onnx.export(model, example, path, opset_version=opset,
                          input_names=["input"], output_names=["output"],
                          do_constant_folding=True)
    print(path)


def main():
    out_dir = sys.argv[1]
    names = sys.argv[2:] or list(MODELS) + ["transformer_encoder"]
    os.makedirs(out_dir, exist_ok=True)
    for name in names:
        export(name, out_dir)


if __name__ == "__main__":
    main()
