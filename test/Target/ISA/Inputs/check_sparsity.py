#!/usr/bin/python3
"""Checks cim-run's bit-sparsity figures (docs/techniques.md).

  check_sparsity.py skip DENSE.json SKIP.json
      a run without --skip-zero-cycles and one with it: the same counts;
      the skipping run's energy is the first run's energy_pj_with_skipping,
      and lower by exactly the skippable ADC and shift-add energy
  check_sparsity.py fewer-ones DENSE.json SPARSE.json
      the sparse-code run drives a smaller fraction of '1' bits
"""
import json
import sys

mode, a, b = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))


def close(x, y):
    return abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))


ok = True
if mode == "skip":
    for key in ["dac_cycles", "skippable_dac_cycles", "input_ones", "input_bits",
                "skippable_adc_conversions", "adc_conversions"]:
        ok &= a[key] == b[key]
    ok &= not a["skip_zero_cycles"] and b["skip_zero_cycles"]
    ok &= a["skippable_dac_cycles"] > 0 and a["skippable_adc_conversions"] > 0
    ok &= close(a["energy_pj_with_skipping"], b["energy_pj"])
    ok &= close(b["energy_pj_without_skipping"], a["energy_pj"])
    ok &= b["energy_pj"] < a["energy_pj"]
    # Only conversions and shift-adds are saved; DAC and cell energy stay.
    ea, eb = a["energy_pj_by_component"], b["energy_pj_by_component"]
    ok &= close(ea["dac"], eb["dac"]) and close(ea["cell"], eb["cell"])
    saved = (ea["adc"] - eb["adc"]) + (ea["shift_add"] - eb["shift_add"])
    ok &= close(saved, a["energy_pj"] - b["energy_pj"])
    ok &= b["latency_ns"] < a["latency_ns"]
    ok &= b["modeled"]["energy_pj_per_slice"] <= a["modeled"]["energy_pj_per_slice"]
else:
    pa = a["input_ones"] / a["input_bits"]
    pb = b["input_ones"] / b["input_bits"]
    print("p1 %.4f -> %.4f" % (pa, pb))
    ok &= pb < pa
print("ok" if ok else "FAILED")
