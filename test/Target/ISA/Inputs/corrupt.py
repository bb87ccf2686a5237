#!/usr/bin/python3
"""Writes damaged copies of a .cimbin for the reader's error tests.

  corrupt.py GOOD.cimbin OUTDIR          named damages (one file each)
  corrupt.py GOOD.cimbin OUTDIR fuzz N   N random byte edits and cuts

The layout (docs/isa.md): "CIMBIN\\0\\0", u32 version, u32 section count,
then (u32 kind, u64 offset, u64 size) per section; CODE is kind 5 and
starts with u32 count, u16 opcode, u16 pad, u32 core, u32 name length,
name, u32 operand count, u32 operand ids...; TENSORS is kind 3 and starts
with u32 count, u32 name length, name, u8 role, u8 kind, u8 bits, u8 pad,
u32 rank, i64 dims...
"""
import os
import random
import struct
import sys

good = open(sys.argv[1], "rb").read()
out = sys.argv[2]
os.makedirs(out, exist_ok=True)


def sections(data):
    count = struct.unpack_from("<I", data, 12)[0]
    table = {}
    for s in range(count):
        kind, offset, size = struct.unpack_from("<IQQ", data, 16 + 20 * s)
        table[kind] = (16 + 20 * s, offset, size)
    return table


def save(name, data):
    with open(os.path.join(out, name + ".cimbin"), "wb") as f:
        f.write(bytes(data))


if len(sys.argv) > 3 and sys.argv[3] == "fuzz":
    rng = random.Random(1)
    for i in range(int(sys.argv[4])):
        data = bytearray(good)
        choice = rng.random()
        if choice < 0.2:
            data = data[: rng.randrange(len(data))]
        else:
            # Edits land in the header, tables and code more often than in
            # the weights, where any value is a valid program.
            limit = len(data) if choice < 0.5 else min(len(data), 4096)
            for _ in range(rng.randint(1, 4)):
                data[rng.randrange(limit)] = rng.randrange(256)
        save("fuzz%03d" % i, data)
    sys.exit(0)

table = sections(good)
save("truncated-header", good[:10])
save("truncated", good[: len(good) // 2])
data = bytearray(good)
data[0:6] = b"NOTBIN"
save("magic", data)
data = bytearray(good)
struct.pack_into("<I", data, 8, 99)
save("version", data)
data = bytearray(good)
entry, offset, size = table[5]
struct.pack_into("<Q", data, entry + 4, len(good) + 100)
save("section-outside", data)
data = bytearray(good)
struct.pack_into("<I", data, 12, 0x10000000)
save("section-count", data)

# The first instruction: its opcode, then its first operand id.
entry, code, size = table[5]
data = bytearray(good)
struct.pack_into("<H", data, code + 4, 77)
save("opcode", data)
name_length = struct.unpack_from("<I", good, code + 12)[0]
operands_at = code + 16 + name_length
data = bytearray(good)
struct.pack_into("<I", data, operands_at, 1)  # one operand
struct.pack_into("<I", data, operands_at + 4, 999999)
save("operand-id", data)
data = bytearray(good)
struct.pack_into("<I", data, code, 0x7FFFFFFF)
save("instruction-count", data)

# The first tensor: claim 2^20 x 2^20 x 2^20 elements.
entry, tensors, size = table[3]
name_length = struct.unpack_from("<I", good, tensors + 4)[0]
rank_at = tensors + 8 + name_length + 4
rank = struct.unpack_from("<I", good, rank_at)[0]
data = bytearray(good)
for d in range(rank):
    struct.pack_into("<q", data, rank_at + 4 + 8 * d, 1 << 20)
save("huge-tensor", data)
data = bytearray(good)
struct.pack_into("<q", data, rank_at + 4, -3)
save("negative-dim", data)
