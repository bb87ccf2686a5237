#!/usr/bin/python3
"""Top-1 of a compiled model against the float model on the same images.

  check_presets.py LABELS.npy FLOAT_LOGITS.npy PRESET_LOGITS.npy NAME [POINTS]

Prints the two accuracies in percent on the images both ran (the first N of
LABELS), their difference, the standard error of that difference over the
images (paired: from the images on which exactly one of the two is right),
and "within-one-point" if the difference is within POINTS (default 1) percentage points,
else 'FAIL'.
"""
import sys

import numpy as np

labels = np.load(sys.argv[1])
ref = np.load(sys.argv[2])
ours = np.load(sys.argv[3])
name = sys.argv[4]
points = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0
n = ours.shape[0]
if ref.shape[0] != n or n > labels.shape[0]:
    print("shape mismatch", ref.shape, ours.shape, labels.shape)
    sys.exit(1)
right_ref = ref.argmax(axis=1) == labels[:n]
right = ours.argmax(axis=1) == labels[:n]
diff = 100.0 * (right.mean() - right_ref.mean())
d = right.astype(float) - right_ref.astype(float)
se = 100.0 * d.std(ddof=1) / np.sqrt(n) if n > 1 else 0.0
print("%s: %d images, float %.1f%%, compiled %.1f%%, difference %+.1f "
      "points (SE %.2f)" % (name, n, 100.0 * right_ref.mean(),
                            100.0 * right.mean(), diff, se))
print("within-one-point" if abs(diff) <= points + 1e-9 else "FAIL: more than %g points" % points)
