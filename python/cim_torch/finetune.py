"""Quantization-aware fine-tuning at a cim policy (a first, minimal driver).

    python -m cim_torch.finetune --model cnn_bn --target rwth-rram \\
        --policy OUT/policy.json --calibration OUT/tiled.mlir \\
        --steps 50 --batch 64 --lr 1e-4 --seed 0 [--onnx tuned.onnx]

The forward pass is cim's arithmetic (cim_torch.modules), the backward pass
straight-through; the activation clips and ADC ranges stay those cimc
calibrated (OUT/tiled.mlir) while the weights move. Seeded and
deterministic on CPU (fixed threads, deterministic algorithms, a seeded
shuffle). Progress goes to stderr when it is a terminal; the summary line
always goes to stdout. `--onnx` writes the tuned float model, which cimc
compiles (and re-calibrates: see docs/training.md).
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import torch
import torch.nn as nn

from . import fashion
from .prepare import prepare, set_mode


def load_fashion_train():
    """The 60000 Fashion-MNIST training images and labels, as the models
    were trained on them (models/scripts/train_fashion_mnist.py)."""
    trainer = fashion._trainer()
    x, y = trainer.load_split("train")
    return torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(np.asarray(y)).long()


@torch.no_grad()
def top1(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch=250) -> float:
    model.eval()
    hits = 0
    for i in range(0, len(x), batch):
        hits += int((model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum())
    return hits / max(1, len(x))


def finetune(model: nn.Module, x: torch.Tensor, y: torch.Tensor, steps: int,
             batch: int = 64, lr: float = 1e-4, seed: int = 0,
             progress: bool = False):
    """Adam on cross-entropy through the prepared model; returns the loss
    of every step. Only the layers' weights and biases train (the clips and
    ADC ranges are cimc's calibration)."""
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    model.train()
    perm = torch.randperm(len(x), generator=gen)
    at = 0
    t0 = time.time()
    for step in range(steps):
        if at + batch > len(perm):
            perm, at = torch.randperm(len(x), generator=gen), 0
        idx = perm[at:at + batch]
        at += batch
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        losses.append(float(loss))
        if progress:
            print(f"\rstep {step + 1}/{steps} loss {losses[-1]:.4f} "
                  f"({time.time() - t0:.0f} s)", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    model.eval()
    return losses


def export_onnx(model: nn.Module, path: str, example_input: torch.Tensor):
    """Writes the model's float function (the trained weights, no
    quantization) as ONNX for cimc, in the bundled models' form (opset 13,
    input `input`, output `logits`, dynamic batch)."""
    set_mode(model, "float")
    try:
        with torch.no_grad():
            torch.onnx.export(model, example_input, path, opset_version=13,
                              input_names=["input"], output_names=["logits"],
                              dynamic_axes={"input": {0: "batch"},
                                            "logits": {0: "batch"}},
                              training=torch.onnx.TrainingMode.EVAL,
                              do_constant_folding=True)
    finally:
        set_mode(model, "cim")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, choices=fashion.MODELS)
    ap.add_argument("--target", required=True)
    ap.add_argument("--policy", required=True, help="policy.json or wXaY")
    ap.add_argument("--calibration", required=True,
                    help="the tiled IR cimc calibrated (OUT/tiled.mlir)")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval-images", type=int, default=1000,
                    help="test images scored before and after (0: none)")
    ap.add_argument("--onnx", default="", help="write the tuned model here")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    x, y = load_fashion_train()
    model = prepare(fashion.load(args.model), args.target, args.policy,
                    calibration=args.calibration, example_input=x[:1])
    tx = ty = None
    if args.eval_images:
        trainer = fashion._trainer()
        tx, ty = trainer.load_split("t10k")
        tx = torch.from_numpy(np.ascontiguousarray(tx[:args.eval_images]))
        ty = torch.from_numpy(np.asarray(ty[:args.eval_images])).long()
        before = top1(model, tx, ty)
    t0 = time.time()
    losses = finetune(model, x, y, args.steps, args.batch, args.lr, args.seed,
                      progress=sys.stderr.isatty())
    secs = time.time() - t0
    k = max(1, len(losses) // 5)
    first, last = float(np.mean(losses[:k])), float(np.mean(losses[-k:]))
    line = (f"{args.model} {args.target} steps {args.steps} batch {args.batch} "
            f"loss {first:.4f} -> {last:.4f} (mean of first/last {k} steps)")
    if tx is not None:
        line += (f"; top-1 on {len(tx)} test images (cim arithmetic) "
                 f"{before * 100:.2f}% -> {top1(model, tx, ty) * 100:.2f}%")
    print(line, flush=True)
    print(f"fine-tuning took {secs:.1f} s", file=sys.stderr)
    if args.onnx:
        export_onnx(model, args.onnx, x[:1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
