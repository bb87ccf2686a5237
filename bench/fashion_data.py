"""Fashion-MNIST from Debian's dataset-fashion-mnist, as the models see it:
images float32 in [0, 1], N x 1 x 28 x 28; labels int32."""
import gzip
import os

import numpy as np

DATA = "/usr/share/datasets/fashion-mnist"


def load(split):
    """split: "train" or "t10k"."""
    def raw(kind):
        path = os.path.join(DATA, "%s-%s-idx%d-ubyte.gz" % (split, kind, 3 if kind == "images" else 1))
        if not os.path.exists(path):
            raise SystemExit("missing %s: apt-get install dataset-fashion-mnist" % path)
        return gzip.open(path).read()
    x = np.frombuffer(raw("images"), np.uint8, offset=16).astype(np.float32) / np.float32(255.0)
    y = np.frombuffer(raw("labels"), np.uint8, offset=8).astype(np.int32)
    return x.reshape(-1, 1, 28, 28), y
