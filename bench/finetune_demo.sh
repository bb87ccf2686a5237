#!/bin/bash
# QAT at a uniform cim precision, measured on cim-run (docs/training.md):
#   bench/finetune_demo.sh BIN_DIR MODEL TARGET PRECISION STEPS LR [WORK]
# compiles MODEL with cimc, fine-tunes it through cim_torch at cimc's
# policy and calibration, compiles the tuned model again, and prints the
# cim-run top-1 of both programs on the 1000 bundled test images.
set -euo pipefail
B=$1; MODEL=$2; T=$3; P=$4; STEPS=$5; LR=$6
ROOT=$(cd "$(dirname "$0")/.." && pwd); M=$ROOT/models/fashion
W=${7:-$(mktemp -d)}; mkdir -p "$W"
"$B/cimc" "$M/$MODEL.onnx" --target "$T" --precision "$P" --calib "$M/calib_x.npy" \
  -o "$W/base" --dump-ir-after=cim-tile-crossbar 2> "$W/base.mlir" > /dev/null
PYTHONPATH=$ROOT/python PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m cim_torch.finetune \
  --model "$MODEL" --target "$T" --policy "$W/base/policy.json" \
  --calibration "$W/base.mlir" --steps "$STEPS" --batch 64 --lr "$LR" \
  --onnx "$W/tuned.onnx" --eval-images 1000
"$B/cimc" "$W/tuned.onnx" --target "$T" --precision "$P" --calib "$M/calib_x.npy" \
  -o "$W/tuned" > /dev/null
for v in base tuned; do
  "$B/cim-run" "$W/$v/model.cimbin" --input "input=$M/test_x.npy" --output-dir "$W/run-$v" > /dev/null
done
/usr/bin/python3 - "$W" "$M" "$MODEL $T $P" <<'PY'
import sys, numpy as np
w, m, tag = sys.argv[1:]
y = np.load(m + "/test_y.npy")
for v in ("base", "tuned"):
    logits = np.load(f"{w}/run-{v}/logits.npy").reshape(len(y), -1)
    print(f"{tag} {v}: cim-run top-1 on {len(y)} test images {100 * (logits.argmax(1) == y).mean():.1f}%")
PY
