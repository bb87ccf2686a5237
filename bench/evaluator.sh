#!/usr/bin/env bash
# Graph evaluator speed (cim-run on .mlir modules) on ResNet-18, batch 1,
# against PyTorch float inference of the same network in the same run:
#   float      float32 evaluation (OpenBLAS GEMMs)
#   exact      W8A8 on rwth-rram (ideal read-out: one exact integer GEMM per
#              tile, provably identical to the bit-sliced result)
#   sliced     W8A8 on isaac (8-bit full-range ADC, lossy: every DAC cycle,
#              cell plane and conversion through lib/Numerics)
# Times are wall seconds of the whole cim-run command (parsing the 93 MB
# module and decoding/quantizing weights included), best of 3 (sliced: 1
# run); "per extra image" is (20 images - 1 image) / 19, the steady-state cost
# of one inference. Writes
# bench/results/evaluator.json. Usage: bench/evaluator.sh [BUILD_DIR]
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_setup "${1:-}" transformer_encoder

/usr/bin/python3 -c "import numpy as np; np.random.seed(1); x = np.random.rand(20, 3, 224, 224).astype(np.float32); np.save('$tmp/img.npy', x[:1]); np.save('$tmp/img5.npy', x)"
"$bin/cim-translate" --import-onnx "$models/resnet18.onnx" -o "$tmp/r18.mlir"
"$bin/cim-opt" "$tmp/r18.mlir" --cim-graph-pipeline=target=rwth-rram --cim-tile-crossbar -o "$tmp/r18-rwth.mlir"
"$bin/cim-opt" "$tmp/r18.mlir" --cim-graph-pipeline=target=isaac --cim-tile-crossbar -o "$tmp/r18-isaac.mlir"

float=$(best 3 "$bin/cim-run" "$tmp/r18.mlir" --input "input=$tmp/img.npy" --output-dir "$tmp/f")
float5=$(best 3 "$bin/cim-run" "$tmp/r18.mlir" --input "input=$tmp/img5.npy" --output-dir "$tmp/f")
exact=$(best 3 "$bin/cim-run" "$tmp/r18-rwth.mlir" --quantize --input "input=$tmp/img.npy" --output-dir "$tmp/e")
exact5=$(best 3 "$bin/cim-run" "$tmp/r18-rwth.mlir" --quantize --input "input=$tmp/img5.npy" --output-dir "$tmp/e")
sliced=$(best 1 "$bin/cim-run" "$tmp/r18-isaac.mlir" --quantize --input "input=$tmp/img.npy" --output-dir "$tmp/s")
torch=$(torch_resnet18)
cat > "$src/bench/results/evaluator.json" <<JSON
{
  "machine": "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB",
  "commit": "$(git -C "$src" rev-parse --short HEAD)",
  "model": "resnet18, batch 1",
  "pytorch_float_seconds": $torch,
  "cim_run_float_seconds": $float,
  "cim_run_float_per_extra_image_seconds": $(awk "BEGIN {print ($float5 - $float) / 19}"),
  "cim_run_exact_w8a8_rwth_rram_seconds": $exact,
  "cim_run_exact_per_extra_image_seconds": $(awk "BEGIN {print ($exact5 - $exact) / 19}"),
  "cim_run_sliced_w8a8_isaac_seconds": $sliced
}
JSON
cat "$src/bench/results/evaluator.json"
