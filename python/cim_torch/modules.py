"""CIM-aware replacements for nn.Linear, nn.Conv1d and nn.Conv2d.

Forward: exactly cim's quantized layer (lib/Interpreter/Crossbar.cpp and
the ISA's ENCODE / MVM / DECODE): input codes with the calibrated clip,
weight codes at the layer's granularity, the crossbar product per tile
(bit-sliced through the ADC when it is lossy), `float(acc * x_scale *
w_scale)` per column, tiles of unequal scales added in float32, then the
bias. Backward: straight-through, i.e. the gradient of the float layer on
fake-quantized inputs and weights (inputs beyond the clip get none), so a
network can be fine-tuned at its policy (quantization-aware training).
"""
from __future__ import annotations

import dataclasses
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import numerics as nx


@dataclasses.dataclass
class GroupSpec:
    """How one crossbar product (a conv group, or the whole layer) is
    computed: its config, calibration and tiling."""
    config: nx.Config
    calibration: nx.LayerCalibration
    granularity: str
    row_blocks: List[Tuple[int, int]]
    col_blocks: List[Tuple[int, int]]
    weight_scales: Optional[List[float]] = None

    @property
    def clip(self) -> Optional[float]:
        return self.calibration.input_clip(nx.input_code_range(self.config)[1])


def _cim_product(spec: GroupSpec, x2d: torch.Tensor, w_kn: torch.Tensor,
                 xq: Optional[torch.Tensor] = None, xs: Optional[float] = None
                 ) -> torch.Tensor:
    """The dequantized float32 output (P x N) of one crossbar product."""
    if xq is None:
        xq, xs = nx.quantize_inputs(x2d, spec.config, spec.clip)
    wq, ws = nx.quantize_weights(w_kn, spec.config, spec.granularity,
                                 spec.row_blocks, spec.col_blocks,
                                 spec.weight_scales)
    parts = nx.tiled_mvm(spec.config, xq, wq, spec.row_blocks)
    if ws.shape[0] == 1:
        acc = parts[0]
        for p in parts[1:]:
            acc = acc + p
        return ((acc * xs) * ws[0]).to(torch.float32)
    out = None
    for b, acc in enumerate(parts):
        y = ((acc * xs) * ws[b]).to(torch.float32)
        out = y if out is None else out + y
    return out


def _fake_quant_input(x: torch.Tensor, spec: GroupSpec) -> torch.Tensor:
    """Straight-through fake quantization of an input (for gradients)."""
    lo, hi = nx.input_code_range(spec.config)
    xq, xs = nx.quantize_inputs(x, spec.config, spec.clip)
    xc = torch.clamp(x, lo * xs, hi * xs)
    return xc + (xq.to(x.dtype) * xs - xc).detach()


def _fake_quant_weight(w_kn: torch.Tensor, spec: GroupSpec) -> torch.Tensor:
    wq, ws = nx.quantize_weights(w_kn, spec.config, spec.granularity,
                                 spec.row_blocks, spec.col_blocks,
                                 spec.weight_scales)
    if ws.shape[0] == 1:
        deq = wq * ws[0]
    else:
        deq = torch.empty_like(wq)
        for b, (r0, r1) in enumerate(spec.row_blocks):
            deq[r0:r1] = wq[r0:r1] * ws[b]
    return w_kn + (deq.to(w_kn.dtype) - w_kn).detach()


class _CimLayer(nn.Module):
    """Shared state: the wrapped float layer's parameters and one
    GroupSpec per group."""

    def __init__(self, float_layer: nn.Module, specs: Sequence[GroupSpec],
                 name: str = ""):
        super().__init__()
        self.weight = float_layer.weight
        self.bias = float_layer.bias
        self.specs = list(specs)
        self.layer_name = name
        #: "cim" (the default): forward computes what cim computes;
        #: "float": the wrapped layer's float arithmetic.
        self.mode = "cim"

    def _w_kn(self, g: int) -> torch.Tensor:
        raise NotImplementedError

    def _straight_through(self) -> bool:
        """Training mode with autograd on: add the straight-through path.
        In eval mode the output is cim's value exactly (the STE's
        `ste + (y - ste).detach()` would round it in float32)."""
        return self.training and torch.is_grad_enabled()

    def extra_repr(self) -> str:
        s = self.specs[0]
        c = s.config
        return (f"{self.layer_name or ''} W{c.weight_bits}A{c.input_bits} "
                f"{c.weight_sign}/{c.input_sign} adc={c.adc_mode}"
                f"{'' if c.adc_mode in ('ideal', 'adder_tree') else c.adc_bits}"
                f" clip={s.clip} granularity={s.granularity}"
                f" groups={len(self.specs)}")


class CimLinear(_CimLayer):
    def __init__(self, lin: nn.Linear, specs, name=""):
        super().__init__(lin, specs, name)
        self.in_features, self.out_features = lin.in_features, lin.out_features

    def _w_kn(self, g=0):
        return self.weight.t()

    def forward(self, x):
        if self.mode == "float":
            return F.linear(x, self.weight, self.bias)
        shape = x.shape
        x2 = x.reshape(-1, shape[-1])
        spec = self.specs[0]
        with torch.no_grad():
            y = _cim_product(spec, x2, self._w_kn().detach())
            if self.bias is not None:
                y = y + self.bias.detach()
        if self._straight_through():
            ste = F.linear(_fake_quant_input(x2, spec),
                           _fake_quant_weight(self._w_kn(), spec).t(), self.bias)
            y = ste + (y - ste).detach()
        return y.reshape(*shape[:-1], self.out_features)


class CimConv2d(_CimLayer):
    """nn.Conv2d on crossbars: cim-lower-conv's im2col (rows ordered
    channel, kernel row, kernel column, as PyTorch's weight.reshape(F, -1)),
    one crossbar product per group."""

    def __init__(self, conv: nn.Conv2d, specs, name=""):
        super().__init__(conv, specs, name)
        if conv.padding_mode != "zeros":
            raise NotImplementedError("padding_mode " + conv.padding_mode)
        if isinstance(conv.padding, str):
            raise NotImplementedError("string padding")
        self.stride, self.padding = conv.stride, conv.padding
        self.dilation, self.groups = conv.dilation, conv.groups
        self.kernel_size = conv.kernel_size
        self.out_channels = conv.out_channels

    def _float(self, x, w, b):
        return F.conv2d(x, w, b, self.stride, self.padding, self.dilation,
                        self.groups)

    def _w_kn(self, g):
        n = self.out_channels // self.groups
        return self.weight[g * n:(g + 1) * n].reshape(n, -1).t()

    def forward(self, x):
        if self.mode == "float":
            return self._float(x, self.weight, self.bias)
        b, cin, h, w = x.shape
        kh, kw = self.kernel_size
        oh = (h + 2 * self.padding[0] - self.dilation[0] * (kh - 1) - 1) // self.stride[0] + 1
        ow = (w + 2 * self.padding[1] - self.dilation[1] * (kw - 1) - 1) // self.stride[1] + 1
        cg = cin // self.groups
        outs = []
        with torch.no_grad():
            xd = x.detach()
            for g, spec in enumerate(self.specs):
                # Quantize before im2col: codes are elementwise with one
                # scale per tensor and padding 0 has code 0, so this equals
                # quantizing cim's im2col matrix, at 1/(kh*kw) of the work.
                xq, xs = nx.quantize_inputs(xd[:, g * cg:(g + 1) * cg], spec.config, spec.clip)
                # Codes are integers below 2^16: exact in float32.
                cols = F.unfold(xq.float(), (kh, kw), self.dilation, self.padding, self.stride).double()
                cols = cols.transpose(1, 2).reshape(-1, cg * kh * kw)
                outs.append(_cim_product(spec, None, self._w_kn(g).detach(), cols, xs))
            y = torch.cat(outs, dim=1) if len(outs) > 1 else outs[0]
            if self.bias is not None:
                y = y + self.bias.detach()
            y = y.reshape(b, oh, ow, self.out_channels).permute(0, 3, 1, 2).contiguous()
        if self._straight_through():
            xs_ = [_fake_quant_input(x[:, g * cg:(g + 1) * cg], s) for g, s in enumerate(self.specs)]
            n = self.out_channels // self.groups
            ws_ = [_fake_quant_weight(self._w_kn(g), s).t().reshape(n, cg, kh, kw)
                   for g, s in enumerate(self.specs)]
            ste = self._float(torch.cat(xs_, 1), torch.cat(ws_, 0), self.bias)
            y = ste + (y - ste).detach()
        return y


class CimConv1d(nn.Module):
    """nn.Conv1d as a 1 x L Conv2d (cim's importer lowers it the same way)."""

    def __init__(self, conv: nn.Conv1d, specs, name=""):
        super().__init__()
        if isinstance(conv.padding, str) or conv.padding_mode != "zeros":
            raise NotImplementedError("Conv1d padding " + repr(conv.padding)
                                      + " / " + conv.padding_mode)
        c2 = nn.Conv2d(conv.in_channels, conv.out_channels,
                       (1, conv.kernel_size[0]), (1, conv.stride[0]),
                       (0, conv.padding[0]), (1, conv.dilation[0]),
                       conv.groups, bias=False)
        self.conv1d = conv
        self.inner = CimConv2d(c2, specs, name)
        # The 1-D layer's parameters are the only ones: the inner layer
        # reads them (viewed as 2-D) at every forward.
        del self.inner.weight
        self.inner.weight = None

    @property
    def specs(self):
        return self.inner.specs

    def forward(self, x):
        self.inner.weight = self.conv1d.weight.unsqueeze(2)
        self.inner.bias = self.conv1d.bias
        return self.inner(x.unsqueeze(2)).squeeze(2)
