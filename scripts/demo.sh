#!/usr/bin/env bash
# `make demo`: shows what the pipeline does on bundled examples.
# Grows with each stage (import, mapping, instruction stream, interpreter).
set -euo pipefail
build="${1:-build}"
bin="$build/bin"
out="$build/demo"
mkdir -p "$out"
example=models/examples/tiny-cnn.mlir

step() { printf '\n== %s\n' "$*"; }

step "Target presets compiled into cim (targets/*.json)"
for t in isaac puma rwth-rram sram-dcim aihwkit-pcm; do
  "$bin/cim-opt" /dev/null --cim-set-target=target=$t |
    sed -nE 's/.*name = "([^"]+)", rows = ([0-9]+), cols = ([0-9]+), parallel_rows = [0-9]+, cell_bits = ([0-9]+), dac_bits = ([0-9]+), adc = <mode = ([a-z_]+)(, bits = ([0-9]+))?.*weight_sign = ([a-z_]+).*/  \1: \2x\3 crossbars, \4-bit cells, \5-bit DAC, ADC \6 \8, weights \9/p'
done

step "Import models/examples/tiny-cnn.onnx (PyTorch export, symbolic batch)"
"$bin/cim-translate" --import-onnx models/examples/tiny-cnn.onnx --input-shape input:1x1x28x28 \
  --mlir-print-debuginfo \
  -o "$out/tiny-cnn.imported.mlir"
"$bin/cim-opt" "$out/tiny-cnn.imported.mlir" --cim-set-target=target=isaac --canonicalize \
  --mlir-elide-elementsattrs-if-larger=8 | grep -E "func.func|cim\.(conv2d|gemm|max_pool2d|reshape|relu)" | cut -c1-140

step "Compile $example for isaac: attach the target, verify precisions, fold weights"
"$bin/cim-opt" "$example" --cim-set-target=target=isaac --canonicalize -o "$out/tiny-cnn.isaac.mlir"
grep -E "cim\.(conv2d|gemm|reshape)|676x10xf32>$" "$out/tiny-cnn.isaac.mlir" | cut -c1-150
echo "  (flatten became a reshape; the 10x676 transB weight is now a 676x10 constant)"

step "A precision the target cannot execute (a 12-bit ADC on isaac) is rejected"
sed 's/adc_bits = 7/adc_bits = 12/' "$example" > "$out/too-wide-adc.mlir"
if "$bin/cim-opt" "$out/too-wide-adc.mlir" --cim-set-target=target=isaac -o /dev/null 2> "$out/error.txt"; then
  echo "unexpected: the invalid precision was accepted" >&2
  exit 1
fi
sed 's/^/  /' "$out/error.txt" | head -2

step "Target description back to JSON (cim-translate --export-target-json)"
"$bin/cim-translate" --export-target-json "$out/tiny-cnn.isaac.mlir" -o "$out/isaac.json"
head -8 "$out/isaac.json"

step "Map the imported model onto every preset (cim-compile-pipeline at W8A8, bit-sliced view) and cost it"
for t in isaac puma rwth-rram sram-dcim aihwkit-pcm; do
  "$bin/cim-opt" "$out/tiny-cnn.imported.mlir" --cim-compile-pipeline="target=$t bit-slice=true" \
    --cim-report="json output=$out/report.$t.json" --mlir-print-debuginfo \
    -o "$out/tiny-cnn.$t.mapped.mlir"
  python3 -c "
import json
t = json.load(open('$out/report.$t.json'))['total']
print('  %-12s %3d crossbars, utilization %5.1f%%, %8.1f us, %8.1f nJ, %9d ADC conversions' % (
    '$t', t['crossbars'], 100 * t['utilization'], t['latency_ns'] / 1e3,
    t['energy_pj'] / 1e3, t['adc_conversions']))"
done

step "The cost report per layer (isaac, bit-sliced and placed)"
"$bin/cim-opt" "$out/tiny-cnn.isaac.mapped.mlir" --cim-report -o /dev/null | cut -c1-150

step "One crossbar tile after bit-slicing: DAC cycles, cell planes, ADC, shift-add"
grep -m1 -E "cim\.dac_cycles" "$out/tiny-cnn.isaac.mapped.mlir" | cut -c1-170
grep -m1 -E "cim\.cell_slices" "$out/tiny-cnn.isaac.mapped.mlir" | cut -c1-170
grep -m1 -E "cim\.crossbar_mvm" "$out/tiny-cnn.isaac.mapped.mlir" | cut -c1-170
grep -m1 -E "cim\.adc " "$out/tiny-cnn.isaac.mapped.mlir" | cut -c1-170
grep -m1 -E "cim\.shift_add" "$out/tiny-cnn.isaac.mapped.mlir" | cut -c1-170

step "Run a trained Fashion-MNIST CNN (models/fashion): float vs W8A8 on rwth-rram's crossbars"
m=models/fashion
"$bin/cim-translate" --import-onnx $m/cnn_bn.onnx --input-shape input:1x1x28x28 -o "$out/cnn_bn.mlir"
"$bin/cim-run" "$out/cnn_bn.mlir" --input $m/test_x.npy --output-dir "$out/float"
"$bin/cim-opt" "$out/cnn_bn.mlir" --cim-graph-pipeline=target=rwth-rram \
  --cim-calibrate="calib=$m/calib_x.npy samples=64" --cim-tile-crossbar -o "$out/cnn_bn.w8a8.mlir"
"$bin/cim-run" "$out/cnn_bn.w8a8.mlir" --quantize --input $m/test_x.npy --output-dir "$out/w8a8" \
  --stats "$out/w8a8.stats.json"
/usr/bin/python3 -c "
import json, numpy as np
y = np.load('$m/test_y.npy')
f = (np.load('$out/float/logits.npy').argmax(1) == y).mean()
q = (np.load('$out/w8a8/logits.npy').argmax(1) == y).mean()
s = json.load(open('$out/w8a8.stats.json'))
print('  1000 test images: float top-1 %.1f%%, W8A8 on crossbars %.1f%%' % (100 * f, 100 * q))
print('  %d ADC conversions, %.0f%% of DAC cycles drive only zeros, modeled %.1f ms per image' % (
    s['adc_conversions'], 100.0 * s['skippable_dac_cycles'] / s['dac_cycles'],
    s['modeled']['latency_ns_per_slice'] / 1e6))"

step "cimc: per-layer precision search (0.5 points allowed) and a program for rwth-rram"
/usr/bin/python3 -c "
import numpy as np
np.save('$out/val_x.npy', np.load('$m/test_x.npy')[:300])
np.save('$out/val_y.npy', np.load('$m/test_y.npy')[:300])"
"$bin/cimc" $m/cnn_bn.onnx --target rwth-rram --input-shape input:1x1x28x28 \
  --precision auto --calib "$out/val_x.npy" --labels "$out/val_y.npy" \
  --max-accuracy-drop 0.5 --weight-bits 4..8 --act-bits 4..8 -o "$out/cimc" 2> "$out/cimc.log" |
  sed 's/^/  /'
sed -n 3p "$out/cimc/report.md" | fold -s -w 100 | sed 's/^/  /'
echo "  the program's first instructions (cim assembly):"
grep -m4 -E "^  c[0-9]+ (ENCODE|MVM|DECODE)" "$out/cimc/model.cimasm" | cut -c1-110 | sed 's/^/  /'

step "Run the program (.cimbin) on the interpreter: all 1000 test images"
"$bin/cim-run" "$out/cimc/model.cimbin" --input $m/test_x.npy --output-dir "$out/program" \
  --stats "$out/program.stats.json"
/usr/bin/python3 -c "
import json, numpy as np
y = np.load('$m/test_y.npy')
f = (np.load('$out/float/logits.npy').argmax(1) == y).mean()
c = (np.load('$out/program/logits.npy').argmax(1) == y).mean()
s = json.load(open('$out/program.stats.json'))
print('  top-1: float %.1f%%, compiled program %.1f%% (the search saw the first 300 images)' % (100 * f, 100 * c))
print('  %d instructions per image, %.2f ms on the busiest core, %.1f uJ per image' % (
    s['instructions'] / s['slices'], s['latency_ns'] / s['slices'] / 1e6, s['energy_pj'] / s['slices'] / 1e6))"

step "Upstream mlir-opt runs cim passes through the plugin"
/usr/lib/llvm-22/bin/mlir-opt "$example" \
  --load-dialect-plugin="$build/lib/CimPlugin.so" \
  --load-pass-plugin="$build/lib/CimPlugin.so" \
  --pass-pipeline="builtin.module(cim-set-target{target=puma},canonicalize)" |
  head -1 | cut -c1-120

printf '\nOutputs in %s/ (cimc/report.md, report.svg, model.cimasm). More: the\nprecision search (docs/precision.md), TOSA/Linalg input (docs/interop.md),\nthe research techniques (docs/techniques.md: --act-max-ones, --noise-seed,\n--target fp-cim --precision fp:e4m3, --weight-max-ones).\n' "$out"
