#!/usr/bin/python3
"""Writes tiny hostile inputs that declare huge tensors (limits.test).

  hostile.py GOOD.cimbin OUTDIR

huge-tensor.cimbin: GOOD with tensor 0's shape replaced by [2, 16384, 16384]
(2^29 elements, over the default --max-tensor-elements of 2^28), same size.
huge-input.onnx: a 100-byte ONNX model whose graph input is 2^40 floats.
"""
import os
import struct
import sys

import onnx
from onnx import TensorProto, helper

good = open(sys.argv[1], "rb").read()
out = sys.argv[2]
os.makedirs(out, exist_ok=True)

# Section table (docs/isa.md): u32 kind, u64 offset, u64 size after a 16-byte
# header; TENSORS is kind 3: u32 count, then per tensor u32 name length,
# name, 4 bytes of role/kind/bits/pad, u32 rank, i64 dims.
count = struct.unpack_from("<I", good, 12)[0]
for s in range(count):
    kind, offset, size = struct.unpack_from("<IQQ", good, 16 + 20 * s)
    if kind == 3:
        tensors = offset
name_length = struct.unpack_from("<I", good, tensors + 4)[0]
rank_at = tensors + 8 + name_length + 4
rank = struct.unpack_from("<I", good, rank_at)[0]
assert rank >= 2, rank
data = bytearray(good)
dims = [1] * (rank - 3) + [2, 16384, 16384] if rank >= 3 else [32768, 16384]
for i, d in enumerate(dims):
    struct.pack_into("<q", data, rank_at + 4 + 8 * i, d)
open(os.path.join(out, "huge-tensor.cimbin"), "wb").write(bytes(data))

x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1 << 20, 1 << 20])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1 << 20, 1 << 20])
graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g", [x], [y])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
open(os.path.join(out, "huge-input.onnx"), "wb").write(model.SerializeToString())
