"""prepare(): put a PyTorch model on cim's crossbars.

Layers are matched to cim's crossbar products by execution order (a
forward pass on `example_input` records it), which is the order cim's ONNX
importer keeps: for a model exported with torch.onnx, the k-th Conv/Gemm
node is the k-th Conv/Linear module called. Every match is checked: the
product's K x N shape, and, when the compiled IR carries the weights, that
they equal the module's (after BatchNorm folding) bit for bit.
"""
from __future__ import annotations

import copy
import warnings
from typing import List, Optional

import torch
import torch.nn as nn

from . import io as cio
from . import numerics as nx
from .modules import CimConv1d, CimConv2d, CimLinear, GroupSpec

LAYER_TYPES = (nn.Linear, nn.Conv1d, nn.Conv2d)


def fold_batchnorm(model: nn.Module) -> nn.Module:
    """Folds every BatchNorm that directly follows a Conv/Linear inside an
    nn.Sequential into it, as cim-fold-batchnorm does (in double, rounded
    to float32 once): w' = w * gamma / sqrt(var + eps), b' = (b - mean) *
    s + beta. The BatchNorm becomes nn.Identity. Eval-mode semantics (the
    running statistics); other placements are left alone."""
    for mod in list(model.modules()):
        if not isinstance(mod, nn.Sequential):
            continue
        names = list(mod._modules.keys())
        for a, b in zip(names, names[1:]):
            layer, bn = mod._modules[a], mod._modules[b]
            if not isinstance(layer, LAYER_TYPES) or not isinstance(
                    bn, (nn.BatchNorm1d, nn.BatchNorm2d)):
                continue
            with torch.no_grad():
                var = bn.running_var.double()
                gamma = bn.weight.double() if bn.weight is not None else torch.ones_like(var)
                beta = bn.bias.double() if bn.bias is not None else torch.zeros_like(var)
                s = gamma / torch.sqrt(var + float(bn.eps))
                w = layer.weight.double()
                shape = [-1] + [1] * (w.dim() - 1)
                new_w = (w * s.reshape(shape)).float()
                b0 = layer.bias.double() if layer.bias is not None else torch.zeros_like(var)
                new_b = ((b0 - bn.running_mean.double()) * s + beta).float()
                layer.weight.copy_(new_w)
                if layer.bias is None:
                    layer.bias = nn.Parameter(new_b)
                else:
                    layer.bias.copy_(new_b)
            mod._modules[b] = nn.Identity()
    return model


def execution_order(model: nn.Module, example_input) -> List[str]:
    """Names of the Conv/Linear modules in the order a forward pass calls
    them (each must be called once)."""
    order: List[str] = []
    hooks = []
    for name, mod in model.named_modules():
        if isinstance(mod, LAYER_TYPES):
            hooks.append(mod.register_forward_pre_hook(
                lambda m, inp, name=name: order.append(name)))
    try:
        with torch.no_grad():
            model(example_input)
    finally:
        for h in hooks:
            h.remove()
    if len(set(order)) != len(order):
        raise ValueError("a layer is called more than once per forward; "
                         "cim compiles each call as its own layer")
    return order


def _set_module(model: nn.Module, name: str, new: nn.Module):
    parent = model
    parts = name.split(".")
    for p in parts[:-1]:
        parent = getattr(parent, p)
    setattr(parent, parts[-1], new)


def _layer_matrices(mod: nn.Module) -> List[torch.Tensor]:
    """The K x N crossbar matrix of each group, as cim-lower-conv builds it."""
    w = mod.weight.detach()
    if isinstance(mod, nn.Linear):
        return [w.t()]
    groups = mod.groups
    n = w.shape[0] // groups
    return [w[g * n:(g + 1) * n].reshape(n, -1).t() for g in range(groups)]


def prepare(model: nn.Module, target, policy=None, calibration=None,
            example_input: Optional[torch.Tensor] = None,
            inplace: bool = False, fold_bn: bool = True,
            check_weights: bool = True) -> nn.Module:
    """Returns `model` with its Conv1d/Conv2d/Linear layers replaced by CIM
    modules computing what cim computes for `target` at `policy`.

    target: preset name (targets/NAME.json), JSON path, dict or Target.
    policy: policy.json (path, dict or list, in the model's layer order) or
        "wXaY"; None takes the bits recorded in `calibration`.
    calibration: the tiled IR cimc calibrated (path of the
        `--dump-ir-after=cim-tile-crossbar` dump, e.g. OUT/tiled.mlir from
        io.compile_model, or read_tiled_ir's records). It supplies the
        activation clips, input sign marks, ADC ranges and the tiling. Without
        it, inputs are scaled by their own range per call and tiles are the
        target's default: not cim-run's numbers.
    example_input: one input batch, to find the layers' execution order.
    """
    tgt = cio.load_target(target)
    if not inplace:
        model = copy.deepcopy(model)
    model.eval()
    if fold_bn:
        fold_batchnorm(model)
    if example_input is None:
        raise ValueError("prepare needs example_input to order the layers")
    order = execution_order(model, example_input)
    modules = dict(model.named_modules())
    records = None
    if calibration is not None:
        records = (calibration if isinstance(calibration, list)
                   else cio.read_tiled_ir(calibration))
    layers = cio.load_policy(policy)
    if len(layers) == 1 and layers[0]["name"] is None:
        layers = [dict(layers[0]) for _ in order]
    if layers and len(layers) != len(order):
        raise ValueError(f"policy has {len(layers)} layers, the model "
                         f"{len(order)} crossbar layers")
    at = 0
    for i, name in enumerate(order):
        mod = modules[name]
        mats = _layer_matrices(mod)
        specs = []
        for g, w_kn in enumerate(mats):
            k, n = w_kn.shape
            rec = None
            if records is not None:
                if at >= len(records):
                    raise ValueError(f"the compiled IR has fewer crossbar "
                                     f"products than {name} needs")
                rec = records[at]
                at += 1
                if (rec.first.k, rec.first.n) != (k, n):
                    raise ValueError(f"{name} group {g}: K x N {k}x{n}, the "
                                     f"IR's product {at - 1} is "
                                     f"{rec.first.k}x{rec.first.n}")
                if check_weights and rec.weight is not None and not torch.equal(
                        rec.weight.reshape(k, n), w_kn.float()):
                    diff = (rec.weight.reshape(k, n) - w_kn.float()).abs().max()
                    warnings.warn(f"{name} group {g}: weights differ from the "
                                  f"compiled ones by up to {float(diff):.3g}")
            wb = ab = adcb = None
            if layers:
                wb, ab = layers[i]["weight_bits"], layers[i]["act_bits"]
                adcb = layers[i].get("adc_bits", 0)
            if rec is not None:
                t = rec.first
                if layers and (t.weight_bits, t.act_bits) != (wb, ab):
                    raise ValueError(f"{name}: policy W{wb}A{ab}, compiled "
                                     f"W{t.weight_bits}A{t.act_bits}")
                wb, ab, adcb = t.weight_bits, t.act_bits, t.adc_bits
                cal, gran, slices = t.calibration, t.granularity, t.slices
                rows, cols = rec.row_blocks(), rec.col_blocks()
                wscales = t.weight_scales
            else:
                if wb is None:
                    wb, ab = 8, 8
                cal, gran, slices = nx.LayerCalibration(), "channel", ()
                wscales = None
                rows = cols = None
            cfg = nx.layer_config(tgt, wb, ab, cal, adc_bits=adcb or 0,
                                  slices=slices)
            if rows is None:
                rows = nx.default_row_blocks(k, tgt.rows)
                cols = nx.default_col_blocks(n, cfg, tgt)
            specs.append(GroupSpec(cfg, cal, gran, rows, cols, wscales))
        cls = {nn.Linear: CimLinear, nn.Conv2d: CimConv2d,
               nn.Conv1d: CimConv1d}[type(mod)]
        _set_module(model, name, cls(mod, specs, name))
    if records is not None and at != len(records):
        raise ValueError(f"the compiled IR has {len(records)} crossbar "
                         f"products, the model's layers use {at}")
    return model


def cim_layers(model: nn.Module):
    """The CIM modules of a prepared model."""
    from .modules import _CimLayer
    return [m for m in model.modules() if isinstance(m, (_CimLayer, CimConv1d))]


def set_mode(model: nn.Module, mode: str) -> nn.Module:
    """"cim" (default) or "float" for every CIM layer of `model`."""
    from .modules import _CimLayer
    for m in model.modules():
        if isinstance(m, _CimLayer):
            m.mode = mode
    return model
