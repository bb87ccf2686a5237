#!/usr/bin/env bash
# Import time and peak memory of the scope-bar models (exported into the
# build tree by models/scripts/export_scope_models.py when missing).
# Writes bench/results/import.json. Usage: bench/import.sh [BUILD_DIR]
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
models="$build/models/scope"
[ -f "$models/transformer_encoder.onnx" ] ||
  /usr/bin/python3 "$src/models/scripts/export_scope_models.py" "$models" >/dev/null
mkdir -p "$src/bench/results"
out="$src/bench/results/import.json"
{
  echo "{"
  echo "  \"machine\": \"$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB\","
  echo "  \"commit\": \"$(git -C "$src" rev-parse --short HEAD)\","
  echo "  \"models\": ["
  first=1
  for f in "$models"/*.onnx; do
    name=$(basename "$f" .onnx)
    bytes=$(stat -c %s "$f")
    # Best of three runs for time; peak RSS from GNU time.
    best=""
    for i in 1 2 3; do
      line=$(/usr/bin/time -f "%e %M" "$build/bin/cim-translate" --import-onnx "$f" \
        --mlir-elide-elementsattrs-if-larger=16 -o /dev/null 2>&1 | tail -n 1)
      t=${line% *}
      rss=${line#* }
      if [ -z "$best" ] || awk "BEGIN {exit !($t < $best)}"; then best=$t; fi
    done
    [ $first -eq 1 ] || echo ","
    first=0
    printf '    {"name": "%s", "file_bytes": %s, "seconds": %s, "peak_rss_kb": %s}' \
      "$name" "$bytes" "$best" "$rss"
  done
  echo
  echo "  ]"
  echo "}"
} > "$out"
cat "$out"
