#!/usr/bin/python3
"""Trains four small networks on Fashion-MNIST and exports what the
compiler's tests need, so that tests never retrain.

    /usr/bin/python3 models/scripts/train_fashion_mnist.py OUTPUT_DIR [--epochs N]

Needs Debian's python3-torch (1.13; the ONNX exporter also needs
python3-onnx) and the dataset-fashion-mnist package (IDX files under
/usr/share/datasets/fashion-mnist, read here with numpy; torchvision is
not used). No network access, no onnxruntime.

Writes into OUTPUT_DIR:
  <name>.onnx          eval-mode model, opset 13, input `input`
                       (N x 1 x 28 x 28 float32 in [0, 1]), output `logits`
                       (N x 10), dynamic batch on dim 0
  <name>_golden.npy    float32 PyTorch logits on test_x[:16]
  calib_x.npy          first 256 training images, float32 N x 1 x 28 x 28
  test_x.npy           first 1000 test images, float32 N x 1 x 28 x 28
  test_y.npy           their labels, int32
  accuracy.json        per model: test accuracy (10k and the 1000 slice),
                       parameter count, epochs, seed, torch version

Training is deterministic (fixed seeds, fixed thread count, deterministic
algorithms), so two runs give byte-identical outputs.
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

DATA_DIR = "/usr/share/datasets/fashion-mnist"
SEED = 0
BATCH = 128
NUM_CALIB = 256
NUM_TEST_SLICE = 1000
NUM_GOLDEN = 16


# ---------------------------------------------------------------- data ----

def _open(path):
    if os.path.exists(path):
        return open(path, "rb")
    if os.path.exists(path + ".gz"):
        return gzip.open(path + ".gz", "rb")
    sys.exit(f"missing {path}[.gz]: apt-get install dataset-fashion-mnist")


def read_idx(path):
    """Reads an IDX file (raw or .gz) into a numpy array."""
    with _open(path) as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    assert magic >> 8 == 0x08, f"{path}: not an unsigned-byte IDX file"
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
            for i in range(ndim)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    return arr.reshape(dims)


def load_split(prefix):
    images = read_idx(os.path.join(DATA_DIR, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(os.path.join(DATA_DIR, f"{prefix}-labels-idx1-ubyte"))
    x = (images.astype(np.float32) / np.float32(255.0)).reshape(-1, 1, 28, 28)
    return np.ascontiguousarray(x), labels.astype(np.int64)


# -------------------------------------------------------------- models ----

def conv_bn_relu(cin, cout, k=3, stride=1, groups=1):
    return [nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2,
                      groups=groups, bias=False),
            nn.BatchNorm2d(cout), nn.ReLU()]


def make_cnn_bn():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 10))


class BasicBlock(nn.Module):
    """conv-BN-ReLU-conv-BN, plus identity or 1x1-projection shortcut, ReLU."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1,
                               bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride=stride, bias=False),
                nn.BatchNorm2d(cout))
        else:
            self.shortcut = nn.Identity()
        self.relu2 = nn.ReLU()

    def forward(self, x):
        y = self.relu1(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu2(y + self.shortcut(x))


def make_resnet_tiny():
    # 28x28 -> stem 16ch, pool -> 14x14 -> block (identity) -> block
    # (stride 2, 1x1 projection, 32ch) -> 7x7 -> global avg pool -> linear.
    return nn.Sequential(
        *conv_bn_relu(1, 16), nn.MaxPool2d(2),
        BasicBlock(16, 16, 1),
        BasicBlock(16, 32, 2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))


def dwsep_block(cin, cout, stride):
    # depthwise 3x3 (groups = channels) + BN + ReLU, pointwise 1x1 + BN + ReLU
    return (conv_bn_relu(cin, cin, 3, stride=stride, groups=cin)
            + conv_bn_relu(cin, cout, 1))


def make_dwsep():
    return nn.Sequential(
        *conv_bn_relu(1, 16, 3, stride=2),      # 14x14
        *dwsep_block(16, 32, 1),                # 14x14
        *dwsep_block(32, 64, 2),                # 7x7
        *dwsep_block(64, 64, 1),                # 7x7
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def make_mlp():
    return nn.Sequential(
        nn.Flatten(), nn.Linear(784, 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))


MODELS = [
    ("cnn_bn", make_cnn_bn, 1e-3),
    ("resnet_tiny", make_resnet_tiny, 2e-3),
    ("dwsep", make_dwsep, 3e-3),
    ("mlp", make_mlp, 1e-3),
]


# ------------------------------------------------------------ training ----

def train(model, x, y, epochs, lr, seed):
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * ((len(x) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr,
                                                total_steps=steps)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), BATCH):
            idx = perm[i:i + BATCH]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            sched.step()
    model.eval()


@torch.no_grad()
def accuracy(model, x, y):
    correct = 0
    for i in range(0, len(x), 1000):
        correct += (model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum()
    return float(correct) / len(x)


def export_onnx(model, path):
    with torch.no_grad():
        torch.onnx.export(
            model, torch.zeros(1, 1, 28, 28), path, opset_version=13,
            input_names=["input"], output_names=["logits"],
            dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
            training=torch.onnx.TrainingMode.EVAL, do_constant_folding=True)


# ---------------------------------------------------------------- main ----

def _reexec_with_malloc_settings():
    """PyTorch frees and re-allocates its large activation buffers every
    step; glibc returns them to the kernel (mmap/trim), and the page faults
    of re-touching them made training 3-10x slower on the 2-core VM this was
    written on. Keep freed memory in the process instead. Does not change
    any numbers."""
    if os.environ.get("MALLOC_MMAP_THRESHOLD_"):
        return
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_=str(1 << 32),
               MALLOC_TRIM_THRESHOLD_=str(1 << 36),
               MALLOC_TOP_PAD_=str(1 << 28))
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def main():
    _reexec_with_malloc_settings()
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("output_dir")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--only", nargs="*", help="train only these models")
    args = ap.parse_args()
    os.makedirs(args.output_dir, exist_ok=True)

    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    torch.backends.mkldnn.deterministic = True

    train_x, train_y = load_split("train")
    test_x, test_y = load_split("t10k")
    out = args.output_dir
    np.save(os.path.join(out, "calib_x.npy"), train_x[:NUM_CALIB])
    np.save(os.path.join(out, "test_x.npy"), test_x[:NUM_TEST_SLICE])
    np.save(os.path.join(out, "test_y.npy"),
            test_y[:NUM_TEST_SLICE].astype(np.int32))

    tx, ty = torch.from_numpy(train_x), torch.from_numpy(train_y)
    vx, vy = torch.from_numpy(test_x), torch.from_numpy(test_y)

    acc_path = os.path.join(out, "accuracy.json")
    report = {}
    if args.only and os.path.exists(acc_path):
        with open(acc_path) as f:
            report = json.load(f)
    for i, (name, make, lr) in enumerate(MODELS):
        if args.only and name not in args.only:
            continue
        seed = SEED + i
        torch.manual_seed(seed)
        model = make()
        t0 = time.time()
        train(model, tx, ty, args.epochs, lr, seed)
        secs = time.time() - t0
        acc_full = accuracy(model, vx, vy)
        acc_slice = accuracy(model, vx[:NUM_TEST_SLICE], vy[:NUM_TEST_SLICE])
        with torch.no_grad():
            golden = model(vx[:NUM_GOLDEN]).numpy().astype(np.float32)
        np.save(os.path.join(out, f"{name}_golden.npy"), golden)
        export_onnx(model, os.path.join(out, f"{name}.onnx"))
        report[name] = {
            "test_accuracy": round(acc_full, 4),
            "test_accuracy_first_1000": round(acc_slice, 4),
            "parameters": sum(p.numel() for p in model.parameters()),
            "epochs": args.epochs,
            "seed": seed,
            "torch_version": torch.__version__,
        }
        print(f"{name}: acc {acc_full:.4f} (first 1000: {acc_slice:.4f}), "
              f"{report[name]['parameters']} params, {secs:.1f} s",
              flush=True)
    with open(acc_path, "w") as f:
        json.dump(report, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
