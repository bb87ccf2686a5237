#!/usr/bin/env bash
# Measures a clean configure + build + full test run from a fresh clone and
# writes bench/results/build-time.json. Usage: bench/build-time.sh [clone-dir]
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
dir="${1:-$(mktemp -d)/cim}"
rm -rf "$dir"
git clone -q "$src" "$dir"
cd "$dir"
make deps >/dev/null
start=$(date +%s.%N)
make build >/dev/null
built=$(date +%s.%N)
summary=$(make check 2>&1 | tail -n 1)
done=$(date +%s.%N)
mkdir -p "$src/bench/results"
cat > "$src/bench/results/build-time.json" <<JSON
{
  "commit": "$(git rev-parse --short HEAD)",
  "machine": "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB",
  "compiler": "$(c++ --version | head -n 1)",
  "build_seconds": $(echo "$built - $start" | bc),
  "test_seconds": $(echo "$done - $built" | bc),
  "tests": "$summary"
}
JSON
cat "$src/bench/results/build-time.json"
