"""cim's crossbar arithmetic in torch (docs/numerics.md, lib/Numerics).

This module is the Python mirror of `lib/Numerics` (CrossbarConfig.cpp,
Quantize.cpp, CrossbarMVMBatch.cpp, AdcTransfer.cpp) and of the bridge
`lib/Hardware/LayerConfig.cpp`. It must compute what they compute, bit for
bit where cim is integer arithmetic, so that a network trained through it
is the network `cim-run` will execute. Every function names the C++ it
mirrors; a change on either side must be made on both (the parity test,
test/Python/parity.test, catches a divergence).

Rounding: cim rounds with `std::nearbyint` (ties to even) and its ADC drops
bits with ties to even; `torch.round` also rounds half to even, so the two
agree. All integer work is done in float64 tensors, which hold integers
exactly below 2^53 (cim checks the same bound).
"""
from __future__ import annotations

import dataclasses
from typing import List, Optional, Sequence, Tuple

import torch

WEIGHT_SIGNS = ("offset", "offset_flipped", "differential_columns",
                "differential_rows", "twos_complement")
INPUT_SIGNS = ("unsigned", "twos_complement", "offset")
ADC_MODES = ("ideal", "adder_tree", "full_range", "clipped")
GRANULARITIES = ("tensor", "channel", "tile", "tile_column")


@dataclasses.dataclass
class Target:
    """The fields of a `targets/*.json` preset the arithmetic depends on."""
    name: str
    rows: int
    cols: int
    parallel_rows: int
    cell_bits: int
    dac_bits: int
    adc_mode: str
    adc_bits: int
    weight_sign: str
    input_sign: str
    noise: dict = dataclasses.field(default_factory=dict)
    float_alignment: bool = False

    @staticmethod
    def from_json(d: dict) -> "Target":
        adc = d.get("adc", {})
        t = Target(name=d["name"], rows=int(d["rows"]), cols=int(d["cols"]),
                   parallel_rows=int(d.get("parallel_rows", d["rows"])),
                   cell_bits=int(d["cell_bits"]), dac_bits=int(d["dac_bits"]),
                   adc_mode=adc.get("mode", "ideal"),
                   adc_bits=int(adc.get("bits", 0)),
                   weight_sign=d["weight_sign"], input_sign=d["input_sign"],
                   noise=dict(d.get("noise", {})),
                   float_alignment=bool(d.get("float_alignment", False)))
        assert t.weight_sign in WEIGHT_SIGNS, t.weight_sign
        assert t.input_sign in INPUT_SIGNS, t.input_sign
        assert t.adc_mode in ADC_MODES, t.adc_mode
        return t


@dataclasses.dataclass
class LayerCalibration:
    """What cim-calibrate / cim-quantize attached to a layer
    (numerics::LayerCalibration plus the input clips)."""
    clips: Optional[List[float]] = None     # cim.calibration clips[m-1]
    clip: Optional[float] = None            # cim.calibration clip
    input_scale: Optional[float] = None     # cim.input_scale (QDQ layers)
    nonnegative_inputs: bool = False        # cim.nonnegative_inputs
    signed_inputs: bool = False             # cim.signed_inputs
    adc_range: Optional[Tuple[int, int]] = None  # cim.adc_range
    act_max_ones: int = 0
    weight_max_ones: int = 0

    def input_clip(self, max_code: int) -> Optional[float]:
        """CimDialect::getInputClip: the clip for codes of `max_code`."""
        if self.input_scale is not None:
            return self.input_scale * float(max_code)
        if self.clips and max_code > 0 and ((max_code + 1) & max_code) == 0:
            m = (max_code + 1).bit_length() - 1
            if 1 <= m <= len(self.clips):
                return self.clips[m - 1]
        return self.clip


@dataclasses.dataclass
class Config:
    """numerics::CrossbarConfig (noise off)."""
    weight_bits: int
    input_bits: int
    cell_bits: int
    dac_bits: int
    parallel_rows: int
    weight_sign: str
    input_sign: str
    adc_mode: str
    adc_bits: int
    slice_widths: Tuple[int, ...] = ()
    clip_low: int = 0
    clip_high: int = 0
    weight_max_ones: int = 0
    zero_bit_layout: bool = False


def is_offset_weights(sign: str) -> bool:
    return sign in ("offset", "offset_flipped")


def encoded_weight_bits(c: Config) -> int:
    return c.weight_bits if is_offset_weights(c.weight_sign) else c.weight_bits - 1


def flips_columns(c: Config) -> bool:
    return c.weight_sign == "offset_flipped" and not c.zero_bit_layout


def weight_slice_widths(c: Config) -> List[int]:
    if c.slice_widths:
        return list(c.slice_widths)
    widths, left = [], encoded_weight_bits(c)
    while left > 0:
        w = min(left, c.cell_bits)
        widths.append(w)
        left -= w
    return widths


def group_row_count(c: Config) -> int:
    if c.weight_sign == "differential_rows":
        return max(1, c.parallel_rows // 2)
    return c.parallel_rows


def input_cycle_count(c: Config) -> int:
    if c.input_sign == "twos_complement":
        return -(-(c.input_bits - 1) // c.dac_bits) + 1
    return -(-c.input_bits // c.dac_bits)


def full_scale_column_sum(c: Config) -> int:
    cells = group_row_count(c) * ((1 << c.cell_bits) - 1)
    if flips_columns(c):
        cells //= 2
    return cells * ((1 << c.dac_bits) - 1)


def _log2_ceil(v: int) -> int:
    return 0 if v <= 1 else (v - 1).bit_length()


def lossless_adc_bits(c: Config) -> int:
    bits = _log2_ceil(full_scale_column_sum(c) + 1)
    return bits + 1 if c.weight_sign == "differential_rows" else bits


def dropped_bits(c: Config) -> int:
    """crossbar::droppedBits: low bits the converter drops."""
    if c.adc_mode == "full_range":
        window = lossless_adc_bits(c)
    elif c.adc_mode == "clipped":
        window = _log2_ceil(c.clip_high - c.clip_low + 1)
    else:
        window = 0
    return window - c.adc_bits if window > c.adc_bits else 0


def is_lossless(c: Config) -> bool:
    """numerics::isLosslessReadout: no bit dropped. Note that cim takes its
    exact integer-GEMM path then even for a clipped ADC whose calibrated
    range is narrower than the possible sums (the clamp is skipped); this
    mirrors that, since parity with cim-run is the point."""
    return dropped_bits(c) == 0


def weight_code_range(c: Config) -> Tuple[int, int]:
    m = (1 << (c.weight_bits - 1)) - 1
    if c.weight_max_ones and c.weight_max_ones < c.weight_bits - 1:
        m &= ~((1 << (c.weight_bits - 1 - c.weight_max_ones)) - 1)
    return -m, m


def input_code_range(c: Config) -> Tuple[int, int]:
    b = c.input_bits
    if c.input_sign == "unsigned":
        return 0, (1 << b) - 1
    return -(1 << (b - 1)), (1 << (b - 1)) - 1


def layer_config(target: Target, weight_bits: int, act_bits: int,
                 calibration: LayerCalibration, adc_bits: int = 0,
                 slices: Sequence[int] = ()) -> Config:
    """cim::layerConfig + numerics::applyLayerCalibration."""
    if calibration.act_max_ones:
        raise NotImplementedError("bit-sparse input codes (cim.act_max_ones)")
    c = Config(weight_bits=weight_bits, input_bits=act_bits,
               cell_bits=target.cell_bits, dac_bits=target.dac_bits,
               parallel_rows=target.parallel_rows,
               weight_sign=target.weight_sign, input_sign=target.input_sign,
               adc_mode=target.adc_mode,
               adc_bits=adc_bits or target.adc_bits,
               slice_widths=tuple(slices))
    if calibration.nonnegative_inputs and c.input_sign == "twos_complement":
        as_unsigned = dataclasses.replace(c, input_sign="unsigned")
        if c.dac_bits == 1 or input_cycle_count(as_unsigned) < input_cycle_count(c):
            c.input_sign = "unsigned"
    if calibration.signed_inputs and c.input_sign == "unsigned":
        c.input_sign = "offset"
    c.weight_max_ones = (calibration.weight_max_ones
                         if calibration.weight_max_ones < c.weight_bits - 1 else 0)
    c.zero_bit_layout = calibration.weight_max_ones > 0
    max_sum = full_scale_column_sum(c)
    c.clip_low = -max_sum if c.weight_sign == "differential_rows" else 0
    c.clip_high = max_sum
    if calibration.adc_range is not None and c.adc_mode == "clipped":
        c.clip_low, c.clip_high = int(calibration.adc_range[0]), int(calibration.adc_range[1])
    return c


# ------------------------------------------------------------ quantizers --

def quantize_weights(w: torch.Tensor, c: Config, granularity: str,
                     row_blocks: Sequence[Tuple[int, int]],
                     col_blocks: Sequence[Tuple[int, int]],
                     fixed_scales: Optional[Sequence[float]] = None
                     ) -> Tuple[torch.Tensor, torch.Tensor]:
    """numerics::quantizeWeights for a K x N matrix in crossbar layout.

    Returns (codes K x N, scales R x N) in float64, R the number of row
    blocks (1 unless the granularity is per tile: channel and tensor scales
    span the whole matrix, so every tile of a layer shares them)."""
    if c.weight_max_ones:
        raise NotImplementedError("zero-bit (ZEBRA) weight codebooks")
    w = w.detach().to(torch.float64)
    lo, hi = weight_code_range(c)
    k, n = w.shape
    if fixed_scales is not None:
        s = torch.as_tensor(list(fixed_scales), dtype=torch.float64)
        s = s.expand(n).clone() if s.numel() == 1 else s
        codes = torch.clamp(torch.round(w / s), lo, hi)
        return codes, s.unsqueeze(0)
    per_tile = granularity in ("tile", "tile_column")
    blocks = list(row_blocks) if per_tile else [(0, k)]
    codes = torch.empty_like(w)
    scales = torch.empty(len(blocks), n, dtype=torch.float64)
    for b, (r0, r1) in enumerate(blocks):
        s = w[r0:r1].abs().amax(dim=0) if r1 > r0 else torch.zeros(n, dtype=torch.float64)
        if granularity == "tensor":
            s = torch.full_like(s, float(w.abs().max()) if w.numel() else 0.0)
        if granularity == "tile":
            # One scale per crossbar tile: the max over the tile's columns.
            for c0, c1 in col_blocks:
                if c1 > c0:
                    s[c0:c1] = s[c0:c1].max()
        s = torch.where(s > 0, s / float(hi), torch.ones_like(s))
        scales[b] = s
        codes[r0:r1] = torch.clamp(torch.round(w[r0:r1] / s), lo, hi)
    return codes, scales


def quantize_inputs(x: torch.Tensor, c: Config, clip: Optional[float]
                    ) -> Tuple[torch.Tensor, float]:
    """numerics::quantizeInputs (dense codes): one scale per tensor,
    clip / max code; values beyond the clip saturate; NaN -> 0."""
    lo, hi = input_code_range(c)
    x64 = x.detach().to(torch.float64)
    if clip is None:
        xmax = float((x64.abs() if lo < 0 else x64).max()) if x64.numel() else 0.0
        xmax = max(xmax, 0.0)
    else:
        xmax = float(clip)
    scale = xmax / float(hi) if xmax > 0 else 1.0
    codes = torch.clamp(torch.round(x64 / scale), lo, hi)
    codes = torch.nan_to_num(codes, nan=0.0)
    return codes, scale


# ------------------------------------------------------------ crossbars --

def _input_cycles(c: Config) -> List[Tuple[int, int, int]]:
    """crossbar::inputCyclePlanes: (offset, width, sign), LSB first."""
    bx = c.input_bits
    x_bits = bx - 1 if c.input_sign == "twos_complement" else bx
    cycles = [(at, min(c.dac_bits, x_bits - at), +1)
              for at in range(0, x_bits, c.dac_bits)]
    if c.input_sign == "twos_complement":
        cycles.append((bx - 1, 1, -1))
    return cycles


def _driven(c: Config, xq: torch.Tensor) -> torch.Tensor:
    """crossbar::drivenCode, on float64 integer codes."""
    bx = c.input_bits
    if c.input_sign == "twos_complement":
        return torch.remainder(xq, float(1 << bx))
    if c.input_sign == "offset":
        return xq + float(1 << (bx - 1))
    return xq


def _weight_planes(c: Config, wq: torch.Tensor):
    """crossbar::weightPlanes: [(offset, width, sign, array)] and the
    unsigned codes each array holds."""
    bw = c.weight_bits
    differential = c.weight_sign in ("differential_columns", "differential_rows")
    planes, offset = [], 0
    for width in weight_slice_widths(c):
        planes.append((offset, width, +1, 0))
        if differential:
            planes.append((offset, width, -1, 1))
        offset += width
    if c.weight_sign == "twos_complement":
        planes.append((bw - 1, 1, -1, 0))
    if is_offset_weights(c.weight_sign):
        arrays = [wq + float(1 << (bw - 1))]
    elif c.weight_sign == "twos_complement":
        arrays = [torch.remainder(wq, float(1 << bw))]
    else:
        arrays = [torch.clamp(wq, min=0), torch.clamp(-wq, min=0)]
    return planes, arrays


def _bits(v: torch.Tensor, offset: int, width: int) -> torch.Tensor:
    """(v >> offset) & (2^width - 1) on non-negative float64 integers."""
    return torch.remainder(torch.floor(v / float(1 << offset)), float(1 << width))


def _round_shift(v: torch.Tensor, drop: int) -> torch.Tensor:
    """roundShiftFast then shift back: v rounded to a multiple of 2^drop,
    ties to even (torch.round rounds half to even)."""
    if drop == 0:
        return v
    q = float(1 << drop)
    return torch.round(v / q) * q


def adc(c: Config, sums: torch.Tensor) -> torch.Tensor:
    """crossbar::convert on integer column sums (float64)."""
    if c.adc_mode in ("ideal", "adder_tree"):
        return sums
    drop = dropped_bits(c)
    if c.adc_mode == "full_range":
        return _round_shift(sums, drop)
    lo, hi = float(c.clip_low), float(c.clip_high)
    clamped = torch.clamp(sums, lo, hi)
    return torch.clamp(lo + _round_shift(clamped - lo, drop), max=hi)


def crossbar_mvm(c: Config, xq: torch.Tensor, wq: torch.Tensor,
                 chunk: int = 4096) -> torch.Tensor:
    """numerics::crossbarMVMBatch on ONE crossbar block (its rows form the
    row groups from its first row): xq P x K input codes, wq K x N weight
    codes (float64 integers); returns the P x N integer results (float64).

    Lossless read-outs equal the integer GEMM (docs/numerics.md, identity
    1), so they skip slicing; lossy ones convert every (DAC cycle, row
    group, weight plane) column sum through the ADC, vectorized over the
    batch and columns."""
    if is_lossless(c):
        return xq @ wq
    if c.zero_bit_layout:
        raise NotImplementedError("zero-bit layout")
    p, k = xq.shape
    n = wq.shape[1]
    planes, arrays = _weight_planes(c, wq)
    diff_rows = c.weight_sign == "differential_rows"
    conv_planes = []   # (offset, width, sign, cells K x N)
    for (off, width, sign, arr) in planes:
        if diff_rows and arr == 1:
            continue
        cells = _bits(arrays[arr], off, width)
        if diff_rows:
            cells = cells - _bits(arrays[1], off, width)
        conv_planes.append((off, width, sign, cells))
    cycles = _input_cycles(c)
    n_planes, n_cycles = len(conv_planes), len(cycles)
    # Column sums are integers below the full-scale sum: exact in float32
    # below 2^24 whatever the order of additions (cim uses float there too).
    sum_dtype = torch.float32 if full_scale_column_sum(c) < (1 << 24) else torch.float64
    cells_all = torch.cat([cp[3] for cp in conv_planes], dim=1)  # K x (Pl*N)
    masks = torch.tensor([float((1 << cp[1]) - 1) for cp in conv_planes],
                         dtype=torch.float64).repeat_interleave(n)
    # coef[t, pl] = sign_t * sign_pl * 2^(offset_t + offset_pl)
    coef = torch.tensor([[float(xs * cp[2]) * float(2 ** (xo + cp[0]))
                          for cp in conv_planes] for (xo, _, xs) in cycles],
                        dtype=torch.float64)
    g_rows = group_row_count(c)
    flip = flips_columns(c)
    out = torch.zeros(p, n, dtype=torch.float64)
    driven_all = _driven(c, xq.to(torch.float64)).to(torch.int64)
    offs = torch.tensor([off for (off, _, _) in cycles], dtype=torch.int64).view(-1, 1, 1)
    dmasks = torch.tensor([(1 << w) - 1 for (_, w, _) in cycles], dtype=torch.int64).view(-1, 1, 1)
    for b0 in range(0, p, chunk):
        driven = driven_all[b0:b0 + chunk]
        bsz = driven.shape[0]
        # Every DAC cycle's digits at once: T x B x K.
        digits_all = ((driven.unsqueeze(0) >> offs) & dmasks).to(sum_dtype)
        acc = torch.zeros(bsz, n, dtype=torch.float64)
        for g0 in range(0, k, g_rows):
            g1 = min(k, g0 + g_rows)
            digits = digits_all[:, :, g0:g1]
            cg = cells_all[g0:g1]
            if flip:
                fl = (2 * cg.sum(0)) > (g1 - g0) * masks      # Pl*N
                cg = torch.where(fl, masks - cg, cg)
            sums = torch.matmul(digits, cg.to(sum_dtype)).to(torch.float64)
            conv = adc(c, sums)                                  # T x B x Pl*N
            if flip:
                dsum = digits.to(torch.float64).sum(-1, keepdim=True)
                conv = torch.where(fl, masks * dsum - conv, conv)
            acc += torch.einsum("tbpn,tp->bn",
                                conv.reshape(n_cycles, bsz, n_planes, n), coef)
        out[b0:b0 + chunk] = acc
    o_w = float(1 << (c.weight_bits - 1)) if is_offset_weights(c.weight_sign) else 0.0
    o_x = float(1 << (c.input_bits - 1)) if c.input_sign == "offset" else 0.0
    if o_w or o_x:
        sum_codes = (wq + o_w).sum(0)                  # N
        sum_driven = (xq + o_x).sum(1, keepdim=True)   # P x 1
        out += -o_w * sum_driven - o_x * sum_codes + k * o_w * o_x
    return out


def tiled_mvm(c: Config, xq: torch.Tensor, wq: torch.Tensor,
              row_blocks: Sequence[Tuple[int, int]]) -> List[torch.Tensor]:
    """The integer result of every row block (tile rows) of a layer; the
    columns are independent, so column tiles need no split here."""
    if is_lossless(c):
        if len(row_blocks) == 1:
            return [xq @ wq]
        return [xq[:, r0:r1] @ wq[r0:r1] for (r0, r1) in row_blocks]
    return [crossbar_mvm(c, xq[:, r0:r1], wq[r0:r1]) for (r0, r1) in row_blocks]


def default_row_blocks(k: int, rows: int) -> List[Tuple[int, int]]:
    """Row tiles of `rows` crossbar rows (what cim-tile-crossbar makes for
    one copy of a layer, without duplication)."""
    return [(r0, min(k, r0 + rows)) for r0 in range(0, k, rows)] or [(0, 0)]


def default_col_blocks(n: int, c: Config, target: Target) -> List[Tuple[int, int]]:
    """Column tiles (layout::tileMatrix): outputs per crossbar are its
    columns over the physical columns one output needs (every weight plane,
    twice for differential columns)."""
    planes = len(weight_slice_widths(c)) + (1 if c.weight_sign == "twos_complement" else 0)
    per_output = planes * (2 if c.weight_sign == "differential_columns" else 1)
    fit = max(1, target.cols // per_output)
    return [(c0, min(n, c0 + fit)) for c0 in range(0, n, fit)] or [(0, 0)]
