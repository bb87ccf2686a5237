#!/usr/bin/python3
"""Checks a cimc report.json.

  check_report.py REPORT.json MIN_SPEEDUP MAX_SPEEDUP [MAX_DROP_POINTS]

The report must carry the cost model's layers and total, a policy naming
every crossbar layer, the W8A8 baseline, and a speedup within the bounds
recomputed from the two latencies; with MAX_DROP_POINTS, an accuracy
section whose drop (float - compiled, in points) is within it.
"""
import json
import sys

r = json.load(open(sys.argv[1]))
lo, hi = float(sys.argv[2]), float(sys.argv[3])
problems = []
for key in ("layers", "total", "policy", "baseline_w8a8", "speedup_vs_w8a8"):
    if key not in r:
        problems.append("missing " + key)
if not problems:
    speedup = r["baseline_w8a8"]["latency_ns"] / r["total"]["latency_ns"]
    if abs(speedup - r["speedup_vs_w8a8"]) > 1e-9 * speedup:
        problems.append("speedup %g does not match the latencies" % r["speedup_vs_w8a8"])
    if not lo <= speedup <= hi:
        problems.append("speedup %g outside [%g, %g]" % (speedup, lo, hi))
    crossbar_layers = {l["name"] for l in r["layers"] if l.get("kind") == "crossbar"}
    policy_layers = {l["name"] for l in r["policy"]["layers"]}
    if crossbar_layers != policy_layers:
        problems.append("policy layers %s != report layers %s" % (policy_layers, crossbar_layers))
    if len(sys.argv) > 4:
        drop = r["accuracy"]["drop_points"]
        if drop > float(sys.argv[4]) + 1e-9:
            problems.append("accuracy drop %g points" % drop)
print("ok" if not problems else "; ".join(problems))
