#!/usr/bin/env bash
# Instruction-level interpreter speed (cim-run on .cimbin programs) on
# ResNet-18, batch-1 program, W8A8 on isaac, against PyTorch float inference
# of the same network in the same run (issue 5, item 6):
#   lossless  isaac with a 9-bit ADC: the read-out provably loses nothing, so
#             each MVM instruction runs as one exact integer GEMM (float
#             sgemm, sums below 2^24)
#   sliced    isaac with a clipped 8-bit ADC: every DAC cycle, cell plane, row
#             group and conversion through lib/Numerics (one exact GEMM per
#             cycle x group x plane, then each sum through the ADC)
# Times are wall seconds of the whole cim-run command (reading the 48 MB
# program and decoding the weights included), best of 3 (sliced: 1 run);
# "per image" is (N images - 1 image) / (N - 1) with the default 2 workers,
# the steady-state cost when a test set runs in one call.
# Writes bench/results/isa.json. Usage: bench/isa.sh [BUILD_DIR]
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_setup "${1:-}" resnet18

# isaac variants: a lossless 9-bit ADC, and a clipped 8-bit one.
"$bin/cim-opt" "$src/models/examples/tiny-cnn.mlir" --cim-set-target=target=isaac |
  "$bin/cim-translate" --export-target-json > "$tmp/isaac.json"
/usr/bin/python3 - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
t = json.load(open(d + "/isaac.json"))
json.dump(dict(t, name="isaac-adc9", adc=dict(t["adc"], bits=9)), open(d + "/lossless.json", "w"))
json.dump(dict(t, name="isaac-clipped", adc=dict(t["adc"], mode="clipped")), open(d + "/sliced.json", "w"))
PY
/usr/bin/python3 -c "import numpy as np; np.random.seed(1); x = np.random.rand(20, 3, 224, 224).astype(np.float32); np.save('$tmp/img.npy', x[:1]); np.save('$tmp/img5.npy', x[:5]); np.save('$tmp/img20.npy', x)"
"$bin/cim-translate" --import-onnx "$models/resnet18.onnx" -o "$tmp/r18.mlir"
compile_s=()
for v in lossless sliced; do
  s=$(date +%s.%N)
  "$bin/cim-opt" "$tmp/r18.mlir" --cim-compile-pipeline="target=$tmp/$v.json" |
    "$bin/cim-translate" --export-cim-bin -o "$tmp/$v.cimbin"
  e=$(date +%s.%N)
  compile_s+=("$(awk "BEGIN {print $e - $s}")")
done

l1=$(best 3 "$bin/cim-run" "$tmp/lossless.cimbin" --input "input=$tmp/img.npy" --output-dir "$tmp/l")
l20=$(best 3 "$bin/cim-run" "$tmp/lossless.cimbin" --input "input=$tmp/img20.npy" --output-dir "$tmp/l")
s1=$(best 1 "$bin/cim-run" "$tmp/sliced.cimbin" --input "input=$tmp/img.npy" --output-dir "$tmp/s")
s5=$(best 1 "$bin/cim-run" "$tmp/sliced.cimbin" --input "input=$tmp/img5.npy" --output-dir "$tmp/s")
"$bin/cim-run" "$tmp/sliced.cimbin" --input "input=$tmp/img.npy" --output-dir "$tmp/s" --stats "$tmp/s.json"
torch=$(torch_resnet18)
# T x S: DAC cycles x weight planes of an 8-bit input and weight on isaac
# (1-bit DAC: 8 cycles; 2-bit cells, offset weights: 4 planes).
ts=32
lper=$(awk "BEGIN {print ($l20 - $l1) / 19}")
sper=$(awk "BEGIN {print ($s5 - $s1) / 4}")
cat > "$src/bench/results/isa.json" <<JSON
{
  "machine": "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB",
  "commit": "$(git -C "$src" rev-parse --short HEAD)",
  "model": "resnet18, batch-1 program, W8A8, isaac (ADC variants)",
  "program_bytes": $(stat -c %s "$tmp/lossless.cimbin"),
  "compile_seconds": {"lossless": ${compile_s[0]}, "sliced": ${compile_s[1]}},
  "pytorch_float_seconds": $torch,
  "lossless_one_image_seconds": $l1,
  "lossless_per_image_seconds": $lper,
  "lossless_per_image_vs_pytorch": $(awk "BEGIN {print $lper / $torch}"),
  "sliced_one_image_seconds": $s1,
  "sliced_per_image_seconds": $sper,
  "sliced_per_image_vs_pytorch": $(awk "BEGIN {print $sper / $torch}"),
  "sliced_goal_vs_pytorch": $((3 * ts)),
  "sliced_adc_conversions": $(/usr/bin/python3 -c "import json; print(json.load(open('$tmp/s.json'))['adc_conversions'])"),
  "sliced_modeled_latency_ns": $(/usr/bin/python3 -c "import json; print(json.load(open('$tmp/s.json'))['latency_ns'])")
}
JSON
cat "$src/bench/results/isa.json"
