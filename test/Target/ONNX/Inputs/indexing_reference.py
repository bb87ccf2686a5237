#!/usr/bin/python3
"""Inputs and numpy reference outputs of test/Target/ONNX/indexing.onnxtext.

  indexing_reference.py write DIR        writes DIR/<model>.<input>.npy and
                                         DIR/<model>.ref.<output>.npy
  indexing_reference.py check DIR MODEL  compares DIR/MODEL/<output>.npy
                                         (cim-run's) with the references

The references follow the ONNX operator definitions with plain numpy loops
and numpy's own routines (einsum, linalg.det, blackman), not cim's code.
Needs Debian's python3-numpy.
"""
import os
import sys

import numpy as np


def scatter_elements(data, idx, upd, axis, reduction=None):
    out = data.copy()
    for pos in np.ndindex(*idx.shape):
        dst = list(pos)
        dst[axis] = idx[pos]
        dst = tuple(dst)
        if reduction == "add":
            out[dst] += upd[pos]
        else:
            out[dst] = upd[pos]
    return out


def models():
    data = np.arange(12, dtype=np.float32).reshape(3, 4)
    idx = np.array([[0, 2, 1, -1], [2, 2, 0, 1]], np.int64)
    upd = np.array([[1, 2, 3, 4], [5, 6, 7, 8]], np.float32)
    ndidx = np.array([[2], [0]], np.int64)
    ndupd = np.array([[2, 2, 2, 2], [-1, 0, 1, 3]], np.float32)
    c = data.copy()
    for j in range(2):
        c[ndidx[j, 0]] *= ndupd[j]
    gdata = np.arange(12, dtype=np.int32).reshape(2, 2, 3)
    gidx = np.array([[[1, 2]], [[0, 1]]], np.int64)
    d = np.stack([gdata[b][tuple(gidx[b, 0])] for b in range(2)])[:, None]
    yield "scatter", dict(data=data, idx=idx, upd=upd, ndidx=ndidx,
                          ndupd=ndupd, gdata=gdata, gidx=gidx), dict(
        a=scatter_elements(data, idx, upd, 0, "add"),
        b=scatter_elements(data, idx % 4, upd, 1),
        c=c, d=d)

    x = np.array([2.0, 1.0, 2.0, 3.0, 0.5, 1.0], np.float32)
    cond = np.array([1, 0, 1, 0, 1, 0], bool)
    m = np.array([[3, 1, 2, 1], [0, 0, 5, -1], [7, 7, 7, 7]], np.float32)
    k = np.array([2], np.int64)
    # Unique, not sorted: first-occurrence order.
    u = []
    for v in x:
        if v not in u:
            u.append(v)
    u = np.array(u, np.float32)
    # TopK smallest, ties to the lower index.
    ti = np.argsort(m, axis=1, kind="stable")[:, :2]
    yield "select", dict(x=x, cond=cond, m=m, k=k), dict(
        cmp=x[cond], nz=np.array(np.nonzero(cond), np.int64), u=u,
        ui=np.array([list(x).index(v) for v in u], np.int64),
        uinv=np.array([list(u).index(v) for v in x], np.int64),
        uc=np.array([np.sum(x == v) for v in u], np.int64),
        tv=np.take_along_axis(m, ti, axis=1), ti=ti.astype(np.int64))

    a = np.array([1, 3, 128, 255], np.uint8)
    s = np.array([1, 2, 1, 9], np.uint8)
    # cim-run reads inputs through float32 (exact here), the shift is on
    # the 64-bit value.
    b = np.array([2**62 + 2**39, 12], np.uint64)
    t = np.array([3], np.uint64)
    oi = np.array([1, -1, 7], np.int64)
    ov = np.array([-1, 4], np.float32)
    oh = np.full((3, 5), -1, np.float32)
    oh[0, 1] = oh[1, 4] = 4
    ex = np.array([[1, 2, 3], [4, 5, 6]], np.float32)
    ey = np.arange(12, dtype=np.float32).reshape(3, 4) / 4
    r = np.arange(12, dtype=np.float32).reshape(4, 3)
    lens = np.array([4, 0, 2], np.int64)
    rs = r.copy()
    for bi, n in enumerate(lens):
        rs[:n, bi] = r[:n, bi][::-1]
    dm = np.array([[[2, 1, 0], [1, 3, 1], [0, 1, 4]],
                   [[1, 2, 3], [2, 4, 6], [0, 1, 1]]], np.float32)
    wn = np.array(8, np.int32)
    n = np.arange(8)
    hw = 25 / 46 - 21 / 46 * np.cos(2 * np.pi * n / 7)
    yield "misc", dict(a=a, s=s, b=b, t=t, oi=oi, ov=ov, ex=ex, ey=ey, r=r,
                       lens=lens, dm=dm, wn=wn), dict(
        l=np.left_shift(a.astype(np.uint64), s).astype(np.uint8) * (s < 8),
        rr=np.right_shift(b, t), oh=oh,
        em=np.einsum("ij,jk->ik", ex, ey), et=np.einsum("ij->i", ex), rs=rs,
        dt=np.linalg.det(dm.astype(np.float64)).astype(np.float32),
        hw=hw.astype(np.float32),
        bw=np.blackman(9)[:8].astype(np.float32))


def main():
    mode, root = sys.argv[1], sys.argv[2]
    for name, inputs, outputs in models():
        if mode == "write":
            for key, value in inputs.items():
                np.save(os.path.join(root, "%s.%s.npy" % (name, key)), value)
            for key, value in outputs.items():
                np.save(os.path.join(root, "%s.ref.%s.npy" % (name, key)),
                        value)
        elif name == sys.argv[3]:
            for key, want in outputs.items():
                got = np.load(os.path.join(root, name, key + ".npy"))
                if got.shape != want.shape or not np.allclose(
                        got.astype(np.float64), want.astype(np.float64),
                        rtol=1e-5, atol=1e-6):
                    sys.exit("%s.%s: got %s, expected %s" % (name, key, got,
                                                             want))
            print("%s: %d outputs match" % (name, len(outputs)))


if __name__ == "__main__":
    main()
