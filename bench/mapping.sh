#!/usr/bin/env bash
# Crossbar mapping figures: crossbars and utilization of real networks on the
# preset targets, and how long the mapping passes and the cost report take
# on ResNet-50. Models are exported into the build tree by
# models/scripts/export_scope_models.py when missing (seeded random weights:
# mapping depends on shapes only). Writes bench/results/mapping.json.
# Usage: bench/mapping.sh [BUILD_DIR]
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_setup "${1:-}" transformer_encoder

for m in resnet18 resnet50 mobilenet_v2; do
  "$bin/cim-translate" --import-onnx "$models/$m.onnx" --mlir-print-debuginfo \
    -o "$tmp/$m.mlir"
done

# One line of JSON per configuration: the report's totals.
run() { # model target extra-pipeline-options
  "$bin/cim-opt" "$tmp/$1.mlir" --cim-compile-pipeline="target=$2 $3" \
    --cim-report=json -o /dev/null |
    /usr/bin/python3 -c "
import json, sys
t = json.load(sys.stdin)['total']
print(json.dumps({'model': '$1', 'target': '$2', 'options': '$3',
                  'crossbars': t['crossbars'],
                  'utilization': round(t['utilization'], 4),
                  'latency_us': round(t['latency_ns'] / 1e3, 1),
                  'energy_uj': round(t['energy_pj'] / 1e6, 2),
                  'reprogrammed': t['reprogrammed']}))"
}

# Wall time of each mapping pass on ResNet-50 (best of three), from MLIR's
# own pass timing; parsing and printing the 200 MB module are excluded.
timing() {
  for i in 1 2 3; do
    "$bin/cim-opt" "$tmp/resnet50.mlir" --cim-compile-pipeline="target=isaac" \
      --cim-report=json --mlir-timing -o /dev/null 2>&1 >/dev/null
  done | /usr/bin/python3 -c "
import json, re, sys
best = {}
for line in sys.stdin:
    m = re.match(r'\s*([0-9.]+) \(\s*[0-9.]+%\)\s+(\w+)$', line)
    if m:
        name, t = m.group(2), float(m.group(1))
        best[name] = min(best.get(name, t), t)
keys = ['Parser', 'CimLowerConv', 'CimTileCrossbar', 'CimBitSlice',
        'CimMap', 'CimReport', 'Total']
print(json.dumps({k: best[k] for k in keys if k in best}))"
}

{
  echo "{"
  echo "  \"machine\": \"$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB\","
  echo "  \"commit\": \"$(git -C "$src" rev-parse --short HEAD)\","
  echo "  \"configurations\": ["
  run resnet18 isaac "" ; echo ","
  run resnet18 isaac "reference-column=false" ; echo ","
  run resnet18 isaac "duplicate=auto" ; echo ","
  run resnet18 isaac "channel-aligned=true" ; echo ","
  run resnet18 puma "" ; echo ","
  run resnet18 rwth-rram "" ; echo ","
  run resnet50 isaac "" ; echo ","
  run mobilenet_v2 isaac "" ; echo ","
  run mobilenet_v2 isaac "pack=false"
  echo "  ],"
  echo "  \"resnet50_isaac_seconds\": $(timing)"
  echo "}"
} > "$src/bench/results/mapping.json"
cat "$src/bench/results/mapping.json"
