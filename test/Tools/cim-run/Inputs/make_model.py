#!/usr/bin/python3
"""Fills a model template: make_model.py TEMPLATE W.npy OUT KEY=VALUE...

Replaces WEIGHTS with W.npy as an MLIR dense literal and each KEY with its
VALUE (weight/input sign schemes, ADC, bits) in the module after the last
RUN/CHECK comment line.
"""
import sys

import numpy as np

template, weights, out = sys.argv[1:4]
text = "\n".join(l for l in open(template).read().splitlines()
                 if not l.startswith("//"))
w = np.load(weights)
rows = ", ".join("[" + ", ".join("%.9e" % v for v in row) + "]" for row in w)
text = text.replace("WEIGHTS", "[" + rows + "]")
for pair in sys.argv[4:]:
    key, value = pair.split("=", 1)
    text = text.replace(key, value)
open(out, "w").write(text)
