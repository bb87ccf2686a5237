#!/usr/bin/python3
"""Checks the search/verify figures of a cimc report.json against cim-run.

  check_verify_report.py OUT_DIR FLOAT_LOGITS.npy PROGRAM_LOGITS.npy LABELS.npy

The verify (and search) parts are the indices in OUT_DIR/pareto.json; each
part's float and compiled top-1, lost, gained and drop are recounted from
the logits, the standard error as sqrt(lost + gained + 1 - (lost -
gained)^2 / (n + 2)) / (n + 2) (Agresti-Min), and the unseen interval as
verify drop +- z * SE.
"""
import json
import math
import sys

import numpy as np

out, fpath, qpath, ypath = sys.argv[1:5]
r = json.load(open(out + "/report.json"))["accuracy"]
split = json.load(open(out + "/pareto.json"))["split"]
y = np.load(ypath)
f = np.load(fpath).argmax(1) == y
q = np.load(qpath).argmax(1) == y
problems = []


def close(a, b, what):
    if abs(a - b) > 1e-9 * max(1, abs(b)):
        problems.append("%s: report %r, recomputed %r" % (what, a, b))


for part in ("search", "verify"):
    idx = split[part]
    pf, pq = f[idx], q[idx]
    lost, gained, n = int((pf & ~pq).sum()), int((~pf & pq).sum()), len(idx)
    got = r[part]
    close(got["images"], n, part + " images")
    close(got["float"], pf.mean(), part + " float")
    close(got["compiled"], pq.mean(), part + " compiled")
    close(got["lost"], lost, part + " lost")
    close(got["gained"], gained, part + " gained")
    close(got["drop_points"], 100 * (lost - gained) / n, part + " drop")
    se = 100 * math.sqrt(lost + gained + 1 - (lost - gained) ** 2 / (n + 2)) / (n + 2)
    close(got["standard_error_points"], se, part + " SE")
u = r["unseen"]
v = r["verify"]
z = 1.6448536269514722
close(u["z"], z, "z")
close(u["expected_drop_points"], v["drop_points"], "expected drop")
close(u["interval_points"][0], v["drop_points"] - z * v["standard_error_points"], "low")
close(u["interval_points"][1], v["drop_points"] + z * v["standard_error_points"], "high")
close(u["coverage"], 0.9, "coverage")
print("report ok" if not problems else "; ".join(problems),
      len(split["search"]), len(split["verify"]))
