#!/usr/bin/python3
"""Independent checks of cim-assign-precision's search/verify split.

  check_verify.py split PARETO.json LABELS.npy FRACTION
      The split in pareto.json is a partition of the images, and every
      label's verify share is floor or ceil of its count * FRACTION, with
      round(n * FRACTION) verify images in all.
  check_verify.py topone FLOAT.npy QUANT.npy LABELS.npy BUDGET_POINTS [Z]
      Recounts lost/gained of the quantized logits against float and checks
      drop + z * SE <= budget (SE = sqrt(lost + gained + 1 - (lost -
      gained)^2 / (n + 2)) / (n + 2), Agresti-Min's adjustment; z = 1.6449
      for 95% one-sided).
  check_verify.py error PARETO.json FLOAT.npy QUANT.npy BUDGET [Z]
      The relative L2 error on the verify batches and its delta-method
      bound, recomputed, within the budget.
"""
import json
import math
import sys

import numpy as np

Z95 = 1.6448536269514722
mode = sys.argv[1]
if mode == "split":
    split = json.load(open(sys.argv[2]))["split"]
    y = np.load(sys.argv[3])
    f = float(sys.argv[4])
    s, v = split["search"], split["verify"]
    problems = []
    if sorted(s + v) != list(range(len(y))):
        problems.append("not a partition of %d images" % len(y))
    if len(v) != int(math.floor(len(y) * f + 0.5)):
        problems.append("verify has %d images" % len(v))
    for c in sorted(set(y.tolist())):
        n = int((y == c).sum())
        k = int((y[v] == c).sum())
        if k not in (math.floor(n * f), math.ceil(n * f)):
            problems.append("label %d: %d of %d to verify" % (c, k, n))
    print("split ok" if not problems else "; ".join(problems),
          len(s), len(v))
elif mode == "topone":
    f = np.load(sys.argv[2]).argmax(1)
    q = np.load(sys.argv[3]).argmax(1)
    y = np.load(sys.argv[4])
    budget = float(sys.argv[5]) / 100
    z = float(sys.argv[6]) if len(sys.argv) > 6 else Z95
    fc, qc = f == y, q == y
    lost, gained, n = int((fc & ~qc).sum()), int((~fc & qc).sum()), len(y)
    drop = (lost - gained) / n
    se = math.sqrt(max(lost + gained + 1 - (lost - gained) ** 2 / (n + 2), 0)) / (n + 2)
    bound = drop + z * se
    print("verify bound within budget" if bound <= budget + 1e-9 else
          "OVER BUDGET", lost, gained, n, "%.5f" % bound)
elif mode == "error":
    split = json.load(open(sys.argv[2]))["split"]
    f = np.load(sys.argv[3]).astype(np.float64)
    q = np.load(sys.argv[4]).astype(np.float64)
    budget = float(sys.argv[5])
    z = float(sys.argv[6]) if len(sys.argv) > 6 else Z95
    v = split["verify"]
    e = ((q[v] - f[v]) ** 2).reshape(len(v), -1).sum(1)
    s = (f[v] ** 2).reshape(len(v), -1).sum(1)
    r = e.sum() / s.sum()
    n = len(v)
    se = math.sqrt(n / (n - 1) * ((e - r * s) ** 2).sum()) / s.sum()
    bound = math.sqrt(r + z * se)
    print("error bound within budget" if bound <= budget else "OVER BUDGET",
          "%.5f %.5f" % (math.sqrt(r), bound))
