#!/usr/bin/python3
"""Checks cim-run outputs against references.

  check_outputs.py golden OURS.npy GOLDEN.npy
      largest difference relative to the golden's range (goal 1e-4)
  check_outputs.py accuracy OURS.npy LABELS.npy [EXPECTED [TOLERANCE]]
      top-1 accuracy of logits against labels, optionally checked
"""
import sys

import numpy as np

mode = sys.argv[1]
ours = np.load(sys.argv[2])
if mode == "golden":
    gold = np.load(sys.argv[3])
    n = gold.shape[0]
    if ours.shape[1:] != gold.shape[1:] or ours.shape[0] < n:
        print("shape mismatch", ours.shape, gold.shape)
        sys.exit(1)
    error = float(np.abs(ours[:n] - gold).max()) / float(gold.max() - gold.min())
    print("relative error %.1e" % error)
    print("ok" if error <= 1e-4 else "TOO LARGE")
else:
    labels = np.load(sys.argv[3])
    accuracy = float((ours.argmax(axis=1) == labels[: ours.shape[0]]).mean())
    print("accuracy %.4f" % accuracy)
    if len(sys.argv) > 4:
        expected = float(sys.argv[4])
        tolerance = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
        print("ok" if abs(accuracy - expected) <= tolerance + 1e-9 else
              "MISMATCH (expected %.4f +- %.4f)" % (expected, tolerance))
