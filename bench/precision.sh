#!/usr/bin/env bash
# Precision search on the bundled Fashion-MNIST models (rwth-rram, our
# latency model and Pelke et al.'s): cim-assign-precision picks per-layer
# bits on the first 500 test images with a 0.5-point top-1 budget; the
# result is then measured on the other 500 (held out) against float and
# uniform W8A8. Writes bench/results/precision.json.
# Usage: bench/precision.sh [BUILD_DIR]
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_setup "${1:-}"
m="$src/models/fashion"
/usr/bin/python3 -c "
import numpy as np
x, y = np.load('$m/test_x.npy'), np.load('$m/test_y.npy')
np.save('$tmp/vx.npy', x[:500]); np.save('$tmp/vy.npy', y[:500])
np.save('$tmp/tx.npy', x[500:]); np.save('$tmp/ty.npy', y[500:])"
acc() { /usr/bin/python3 -c "import numpy as np; print((np.load('$1').argmax(1) == np.load('$tmp/ty.npy')).mean())"; }
latency() { "$bin/cim-opt" "$1" --cim-report="json model=$2" -o /dev/null |
  /usr/bin/python3 -c "import json, sys; print(json.load(sys.stdin)['total']['latency_ns'])"; }
out="$src/bench/results/precision.json"
echo "[" > "$out"
first=1
for model in cnn_bn resnet_tiny dwsep mlp; do
  for lm in cim pelke2026; do
    "$bin/cim-translate" --import-onnx "$m/$model.onnx" --input-shape input:1x1x28x28 |
      "$bin/cim-opt" --cim-graph-pipeline=target=rwth-rram \
        --cim-calibrate="calib=$m/calib_x.npy samples=64" --mlir-print-debuginfo -o "$tmp/cal.mlir"
    start=$(date +%s.%N)
    "$bin/cim-opt" "$tmp/cal.mlir" --cim-assign-precision="data=$tmp/vx.npy labels=$tmp/vy.npy max-accuracy-drop=0.5 model=$lm" \
      --mlir-print-debuginfo -o "$tmp/auto.mlir" 2> "$tmp/log.txt"
    end=$(date +%s.%N)
    "$bin/cim-opt" "$tmp/cal.mlir" --cim-tile-crossbar -o "$tmp/w8.mlir"
    "$bin/cim-opt" "$tmp/auto.mlir" --cim-tile-crossbar -o "$tmp/auto-t.mlir"
    "$bin/cim-run" "$tmp/cal.mlir" --input "$tmp/tx.npy" --output-dir "$tmp/f"
    "$bin/cim-run" "$tmp/w8.mlir" --quantize --input "$tmp/tx.npy" --output-dir "$tmp/q8"
    "$bin/cim-run" "$tmp/auto-t.mlir" --quantize --input "$tmp/tx.npy" --output-dir "$tmp/qa"
    bits=$(grep -o "weight_bits = [0-9], act_bits = [0-9]" "$tmp/auto.mlir" | sed 's/weight_bits = \([0-9]\), act_bits = \([0-9]\)/W\1A\2/' | tr '\n' ' ')
    l8=$(latency "$tmp/w8.mlir" "$lm"); la=$(latency "$tmp/auto-t.mlir" "$lm")
    [ $first -eq 1 ] || echo "," >> "$out"
    first=0
    cat >> "$out" <<JSON
  {"model": "$model", "latency_model": "$lm", "search_seconds": $(awk "BEGIN {print $end - $start}"),
   "float_top1": $(acc "$tmp/f/logits.npy"), "w8a8_top1": $(acc "$tmp/q8/logits.npy"), "auto_top1": $(acc "$tmp/qa/logits.npy"),
   "speedup_vs_w8a8": $(awk "BEGIN {print $l8 / $la}"), "policy": "$bits"}
JSON
  done
done
echo "]" >> "$out"
cat "$out"
