#!/usr/bin/env bash
# Behaviour-preservation check for refactorings (issue 23): compiles every
# bundled model on every preset with cimc, runs each program on cim-run,
# exercises the four precision searches and the cim-opt pipeline, and
# compares a SHA-256 of every file produced against the committed manifest
# scripts/identical.sha256.
#
#   scripts/check-identical.sh [BUILD_DIR]            compare (exit 1 on a diff)
#   scripts/check-identical.sh [BUILD_DIR] --update   rewrite the manifest
#
# A change that is meant to alter outputs (a new numeric model, a new report
# field) updates the manifest in the same commit, so the diff shows it.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
mode="${2:-check}"
bin="$build/bin"
manifest=scripts/identical.sha256
work="$build/identical"
rm -rf "$work"
mkdir -p "$work"

m=models/fashion
/usr/bin/python3 - "$work" <<'EOF'
import sys, numpy as np
w = sys.argv[1]
x = np.load('models/fashion/calib_x.npy')[:64]
np.save(f'{w}/calib.npy', x)
tx = np.load('models/fashion/test_x.npy')
ty = np.load('models/fashion/test_y.npy')
np.save(f'{w}/val.npy', tx[:48]); np.save(f'{w}/val_y.npy', ty[:48])
np.save(f'{w}/run.npy', tx[100:116])
EOF

run() { "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log" >&2; echo "failed: $*" >&2; exit 1; }; }

presets="isaac puma rwth-rram sram-dcim aihwkit-pcm fp-cim"
models="mlp cnn_bn resnet_tiny dwsep"
for model in $models; do
  for t in $presets; do
    precision=w8a8
    [ "$t" = fp-cim ] && precision=fp:e4m3
    out="$work/$model.$t"
    run "$bin/cimc" "$m/$model.onnx" --target "$t" --input-shape input:1x1x28x28 \
      --precision "$precision" --calib "$work/calib.npy" -o "$out"
    run "$bin/cim-run" "$out/model.cimbin" --input "input=$work/run.npy" \
      --output-dir "$out/run" --stats "$out/run/stats.json"
  done
  # A lossy point: 4-bit weights and activations, clipped MSE ADC ranges.
  out="$work/$model.isaac-w4a4"
  run "$bin/cimc" "$m/$model.onnx" --target isaac --input-shape input:1x1x28x28 \
    --precision w4a4 --calib "$work/calib.npy" --bias-correction -o "$out"
  run "$bin/cim-run" "$out/model.cimbin" --input "input=$work/run.npy" \
    --output-dir "$out/run" --stats "$out/run/stats.json"
done

# The searches (small budgets: the point is the same answer, not a good one),
# on all 48 validation images (--verify-fraction 0: half of them could not
# resolve the budget, and every search would keep the top).
for search in greedy knapsack evolutionary rl; do
  out="$work/mlp.search-$search"
  run "$bin/cimc" "$m/mlp.onnx" --target rwth-rram --input-shape input:1x1x28x28 \
    --precision auto --search "$search" --verify-fraction 0 \
    --calib "$work/calib.npy" \
    --validation "$work/val.npy" --labels "$work/val_y.npy" \
    --max-accuracy-drop 1 --weight-bits 4..8 --act-bits 4..8 -o "$out"
done
# The defaults: knapsack, the 48 images split 24/24 with the verify check.
out="$work/mlp.search-default"
run "$bin/cimc" "$m/mlp.onnx" --target rwth-rram --input-shape input:1x1x28x28 \
  --precision auto --calib "$work/calib.npy" \
  --validation "$work/val.npy" --labels "$work/val_y.npy" \
  --max-accuracy-drop 1 --weight-bits 4..8 --act-bits 4..8 -o "$out"

# cim-opt's pipeline and report on an imported model, every preset.
run "$bin/cim-translate" --import-onnx "$m/cnn_bn.onnx" --input-shape input:1x1x28x28 \
  -o "$work/cnn_bn.graph.mlir"
for t in $presets; do
  [ "$t" = fp-cim ] && continue
  run "$bin/cim-opt" "$work/cnn_bn.graph.mlir" \
    --cim-compile-pipeline="target=$t bit-slice=true" \
    --cim-report="json output=$work/cnn_bn.$t.report.json" \
    -o "$work/cnn_bn.$t.mapped.mlir"
done

# Hash everything but logs and the inputs made above.
(cd "$work" && find . -type f ! -name '*.log' ! -name calib.npy ! -name val.npy \
  ! -name val_y.npy ! -name run.npy | LC_ALL=C sort | xargs sha256sum) > "$work/manifest"

if [ "$mode" = --update ]; then
  cp "$work/manifest" "$manifest"
  echo "check-identical: wrote $(wc -l < "$manifest") hashes to $manifest"
  exit 0
fi
if diff -u "$manifest" "$work/manifest" > "$work/diff"; then
  echo "check-identical: $(wc -l < "$manifest") files byte-identical"
else
  cat "$work/diff"
  echo "check-identical: outputs differ from $manifest" >&2
  exit 1
fi
