"""Reading what cimc reads and writes: target presets, policy.json, and the
calibration cimc attached to the compiled IR.

Calibration is read, never re-derived: cim-calibrate's activation clips
(`cim.calibration`, one clip per code width), the `cim.nonnegative_inputs`
/ `cim.signed_inputs` marks, cim-quantize's clipped-ADC ranges
(`cim.adc_range`) and the per-layer precision all live on the tiled IR's
`cim.tile` ops, which `cimc --dump-ir-after=cim-tile-crossbar` prints.
`compile_model` runs cimc that way and keeps the dump next to the
`.cimbin` (`tiled.mlir`); `read_tiled_ir` parses it. report.json and
policy.json do not carry the clips or ADC ranges.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import struct
from typing import Dict, List, Optional, Sequence, Tuple

import torch

from .numerics import LayerCalibration, Target

_HERE = os.path.dirname(os.path.abspath(__file__))


def repo_root() -> Optional[str]:
    """The checkout this package sits in (python/cim_torch -> ../..), if
    it is one."""
    root = os.path.dirname(os.path.dirname(_HERE))
    return root if os.path.isdir(os.path.join(root, "targets")) else None


def load_target(target) -> Target:
    """A Target from a preset name (targets/NAME.json of the checkout), a
    JSON path, a dict, or a Target."""
    if isinstance(target, Target):
        return target
    if isinstance(target, dict):
        return Target.from_json(target)
    path = target
    if not os.path.exists(path):
        # The checkout's presets, else the copies installed with the package.
        dirs = [os.path.join(repo_root(), "targets")] if repo_root() else []
        dirs.append(os.path.join(_HERE, "targets"))
        cands = [os.path.join(d, target + ".json") for d in dirs]
        found = [c for c in cands if os.path.exists(c)]
        if not found:
            raise FileNotFoundError(f"no target preset or file {target!r}")
        path = found[0]
    with open(path) as f:
        return Target.from_json(json.load(f))


def load_policy(policy) -> List[dict]:
    """policy.json's layers ({"name", "weight_bits", "act_bits"[,
    "adc_bits"]}, in the model's order), from a path, a dict, a list, or a
    uniform "wXaY" string (returned as a one-entry list with name None)."""
    if policy is None:
        return []
    if isinstance(policy, str) and re.fullmatch(r"w\d+a\d+", policy):
        w, a = re.fullmatch(r"w(\d+)a(\d+)", policy).groups()
        return [{"name": None, "weight_bits": int(w), "act_bits": int(a)}]
    if isinstance(policy, str):
        with open(policy) as f:
            policy = json.load(f)
    if isinstance(policy, dict):
        policy = policy["layers"]
    return list(policy)


@dataclasses.dataclass
class TileRecord:
    """One `cim.tile` of the compiled IR."""
    input: str
    weight: str
    rows: Tuple[int, int]
    cols: Tuple[int, int]
    weight_bits: int
    act_bits: int
    adc_bits: int
    granularity: str
    slices: Tuple[int, ...]
    calibration: LayerCalibration
    weight_scales: Optional[List[float]]
    k: int
    n: int


@dataclasses.dataclass
class LayerRecord:
    """One crossbar product of a layer (a conv group, or the whole layer):
    its tiles, and its weight matrix (K x N) as compiled, when found."""
    tiles: List[TileRecord]
    weight: Optional[torch.Tensor]

    @property
    def first(self) -> TileRecord:
        return self.tiles[0]

    def row_blocks(self) -> List[Tuple[int, int]]:
        return sorted({t.rows for t in self.tiles})

    def col_blocks(self) -> List[Tuple[int, int]]:
        return sorted({t.cols for t in self.tiles})


_TILE = re.compile(r"%[\w.]+ = cim\.tile (%[\w.#]+), (%[\w.#]+) \{(.*)\} : "
                   r"tensor<(\d+)x(\d+)xf32>, tensor<(\d+)x(\d+)xf32>")
_CONST = re.compile(r"(%[\w.]+) = cim\.constant dense<(.*)> : tensor<([\dx]+)xf32>")
_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def _floats(text: str) -> List[float]:
    return [float(v) for v in re.findall(_NUM, text)]


def _decode_dense(body: str, shape: Sequence[int]) -> Optional[torch.Tensor]:
    count = 1
    for d in shape:
        count *= d
    if body.startswith('"0x'):
        raw = bytes.fromhex(body[3:-1])
        vals = struct.unpack("<%df" % (len(raw) // 4), raw)
        t = torch.tensor(vals, dtype=torch.float32)
        if t.numel() == 1 and count > 1:
            t = t.expand(count).clone()
        return t.reshape(*shape)
    if body.startswith("["):
        vals = _floats(body)
        return torch.tensor(vals, dtype=torch.float32).reshape(*shape)
    vals = _floats(body)
    if len(vals) == 1:
        return torch.full(tuple(shape), vals[0], dtype=torch.float32)
    return None


def _tile_record(m: re.Match) -> TileRecord:
    attrs = m.group(3)
    k, n = int(m.group(6)), int(m.group(7))

    def arr(name, kind="i64"):
        mm = re.search(re.escape(name) + r" = array<" + kind + r": ([^>]*)>", attrs)
        return None if not mm else _floats(mm.group(1))

    cal = LayerCalibration()
    cm = re.search(r"cim\.calibration = \{([^}]*)\}", attrs)
    if cm:
        body = cm.group(1)
        clips = re.search(r"clips = array<f64: ([^>]*)>", body)
        cal.clips = _floats(clips.group(1)) if clips else None
        clip = re.search(r"(?:^|[ ,{])clip = (" + _NUM + r") : f64", body)
        cal.clip = float(clip.group(1)) if clip else None
    rest = re.sub(r"cim\.calibration = \{[^}]*\}", "", attrs)
    cal.nonnegative_inputs = re.search(r"\bcim\.nonnegative_inputs\b", rest) is not None
    cal.signed_inputs = re.search(r"\bcim\.signed_inputs\b", rest) is not None
    adc = arr("cim.adc_range")
    cal.adc_range = (int(adc[0]), int(adc[1])) if adc else None
    sc = re.search(r"cim\.input_scale = (" + _NUM + ")", rest)
    cal.input_scale = float(sc.group(1)) if sc else None
    for name in ("act_max_ones", "weight_max_ones"):
        mm = re.search(r"cim\." + name + r" = (\d+)", rest)
        if mm:
            setattr(cal, name, int(mm.group(1)))
    prec = re.search(r"precision = #cim\.precision<([^>]*)>", rest)
    pbody = prec.group(1) if prec else ""
    if "fp = " in pbody:
        raise NotImplementedError("floating-point (FP-CIM) layers")

    def pint(name, default=0):
        mm = re.search(r"\b" + name + r" = (\d+)", pbody)
        return int(mm.group(1)) if mm else default

    gran = re.search(r"granularity = (\w+)", pbody)
    rows, cols = arr("rows"), arr("columns")
    slices = arr("slices")
    wscales = arr("cim.weight_scales", "f64")
    return TileRecord(input=m.group(1), weight=m.group(2),
                      rows=(int(rows[0]), int(rows[1])),
                      cols=(int(cols[0]), int(cols[1])),
                      weight_bits=pint("weight_bits", 8),
                      act_bits=pint("act_bits", 8), adc_bits=pint("adc_bits"),
                      granularity=gran.group(1) if gran else "channel",
                      slices=tuple(int(s) for s in slices) if slices else (),
                      calibration=cal, weight_scales=wscales, k=k, n=n)


def read_tiled_ir(path_or_text: str) -> List[LayerRecord]:
    """The crossbar products of a tiled module (cim-tile-crossbar's output,
    or any later dump that still has `cim.tile` ops), in program order:
    consecutive tiles reading the same input and weight form one product."""
    text = path_or_text
    if "\n" not in path_or_text and os.path.exists(path_or_text):
        with open(path_or_text) as f:
            text = f.read()
    consts: Dict[str, Tuple[str, List[int]]] = {}
    records: List[LayerRecord] = []
    for line in text.splitlines():
        line = line.strip()
        if " = cim.constant " in line:
            cm = _CONST.match(line)
            if cm:
                consts[cm.group(1)] = (cm.group(2), [int(d) for d in cm.group(3).split("x")])
            continue
        if " = cim.tile " not in line:
            continue
        m = _TILE.match(line)
        if not m:
            raise ValueError("cannot parse tile: " + line[:200])
        t = _tile_record(m)
        last = records[-1].tiles[-1] if records else None
        if last is not None and last.input == t.input and last.weight == t.weight:
            records[-1].tiles.append(t)
            continue
        weight = None
        if t.weight in consts:
            body, shape = consts[t.weight]
            weight = _decode_dense(body, shape)
        records.append(LayerRecord(tiles=[t], weight=weight))
    return records


def compile_model(onnx_path: str, out_dir: str, target: str, precision: str,
                  calib: str, bin_dir: str = "", extra: Sequence[str] = ()
                  ) -> str:
    """Runs cimc (from `bin_dir`, else PATH) and keeps the tiled IR it
    calibrated as OUT/tiled.mlir; returns OUT/model.cimbin."""
    cimc = os.path.join(bin_dir, "cimc") if bin_dir else "cimc"
    os.makedirs(out_dir, exist_ok=True)
    ir_path = os.path.join(out_dir, "tiled.mlir")
    with open(ir_path, "w") as ir:
        rc = subprocess.run([cimc, onnx_path, "--target", target,
                             "--precision", precision, "--calib", calib,
                             "-o", out_dir, "--dump-ir-after=cim-tile-crossbar",
                             *extra], stderr=ir,
                            stdout=subprocess.DEVNULL).returncode
    if rc != 0:
        with open(ir_path) as f:
            tail = [l for l in f.read().splitlines() if not l.startswith((" ", "}", "module", "//", "#"))]
        raise RuntimeError(f"cimc failed ({rc}) on {onnx_path} for {target} "
                           f"at {precision}:\n" + "\n".join(tail[-5:]))
    return os.path.join(out_dir, "model.cimbin")


def run_cimbin(cimbin: str, x_npy: str, out_dir: str, bin_dir: str = "",
               input_name: str = "input", output_name: str = "logits"):
    """Runs `cim-run` on a program; returns the output array."""
    import numpy as np
    tool = os.path.join(bin_dir, "cim-run") if bin_dir else "cim-run"
    subprocess.run([tool, cimbin, "--input", f"{input_name}={x_npy}",
                    "--output-dir", out_dir], check=True,
                   stdout=subprocess.DEVNULL)
    return np.load(os.path.join(out_dir, output_name + ".npy"))
