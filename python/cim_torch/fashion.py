"""The bundled Fashion-MNIST models (models/fashion/*.onnx) as PyTorch
modules: the definitions of models/scripts/train_fashion_mnist.py (imported,
not copied) with the trained weights read from the ONNX initializers.

torch.onnx folded every BatchNorm into its convolution when it exported
these models, so the BatchNorms become nn.Identity and the convolutions
take the folded weights and biases: the modules compute what the ONNX
graph computes, and what cim compiled.
"""
from __future__ import annotations

import importlib
import os
import sys
from typing import Optional

import torch
import torch.nn as nn

from . import io as cio
from .prepare import execution_order

MODELS = ("mlp", "cnn_bn", "resnet_tiny", "dwsep")


def _trainer():
    root = cio.repo_root()
    if root is None:
        raise RuntimeError("the bundled models need the cim checkout")
    scripts = os.path.join(root, "models", "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    return importlib.import_module("train_fashion_mnist")


def onnx_path(name: str) -> str:
    return os.path.join(cio.repo_root(), "models", "fashion", name + ".onnx")


def load(name: str, path: Optional[str] = None) -> nn.Module:
    """The trained `name` (one of MODELS) in eval mode."""
    import onnx
    from onnx import numpy_helper
    trainer = _trainer()
    model = getattr(trainer, "make_" + name)()
    for parent in list(model.modules()):
        for child_name, child in list(parent.named_children()):
            if isinstance(child, (nn.BatchNorm1d, nn.BatchNorm2d)):
                setattr(parent, child_name, nn.Identity())
    graph = onnx.load(path or onnx_path(name)).graph
    inits = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy())
             for i in graph.initializer}
    nodes = [n for n in graph.node if n.op_type in ("Conv", "Gemm")]
    mods = dict(model.named_modules())
    order = execution_order(model, torch.zeros(1, 1, 28, 28))
    if len(order) != len(nodes):
        raise ValueError(f"{name}: {len(order)} layers, {len(nodes)} ONNX nodes")
    with torch.no_grad():
        for mname, node in zip(order, nodes):
            mod = mods[mname]
            w = inits[node.input[1]]
            if node.op_type == "Gemm":
                trans_b = any(a.name == "transB" and a.i for a in node.attribute)
                w = w if trans_b else w.t()
            if tuple(w.shape) != tuple(mod.weight.shape):
                raise ValueError(f"{mname}: {tuple(mod.weight.shape)} vs "
                                 f"{node.name} {tuple(w.shape)}")
            mod.weight.copy_(w)
            b = inits[node.input[2]] if len(node.input) > 2 else None
            if b is not None:
                if mod.bias is None:
                    mod.bias = nn.Parameter(b.clone())
                else:
                    mod.bias.copy_(b)
    return model.eval()
