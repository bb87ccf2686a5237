#!/usr/bin/env bash
# Runs the libFuzzer targets of a CIM_ENABLE_FUZZERS build, one after the
# other, each for SECONDS, seeded from the committed test fixtures (copied
# at run time into BUILD_DIR/fuzz/, never into the source tree), and prints
# one line per target: "fuzz-X: N executions, C crashes".
# Usage: fuzz.sh BUILD_DIR SECONDS [TARGET...]
# A crash leaves its input in BUILD_DIR/fuzz/TARGET/artifacts/; the script
# then exits 1. Extra libFuzzer flags can be given in FUZZ_FLAGS (e.g.
# FUZZ_FLAGS=-runs=1000000 to stop after a million executions).
set -uo pipefail

build=$(cd "$1" && pwd)
seconds="$2"
shift 2
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz-onnx fuzz-cimbin fuzz-target-json fuzz-mlir)
src=$(cd "$(dirname "$0")/.." && pwd)
work="$build/fuzz"
bin="$build/bin"

# allow_user_poisoning=0: llvm/Support/Allocator.h poisons bump-allocator
# slabs in our instrumented code, but Debian's uninstrumented LLVM/MLIR
# allocates from them without unpoisoning, which ASan would report as a
# use-after-poison that is not one (docs/reliability.md).
export ASAN_OPTIONS="${ASAN_OPTIONS:-allow_user_poisoning=0:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

seed_onnx() {
  cp "$src"/test/Target/ONNX/*.onnxtext "$src"/test/Target/ONNX/errors/*.onnxtext \
     "$src"/test/Target/ONNX/Inputs/*.onnx "$src"/models/examples/*.onnx \
     "$src"/models/fashion/dwsep.onnx "$1"/
}

seed_cimbin() {
  # Compiled from the bundled models by this build's own tools.
  local tmp="$work/tmp" model target base
  mkdir -p "$tmp"
  for model in "$src"/test/Target/ONNX/Inputs/tiny.onnx "$src"/models/examples/tiny-cnn.onnx; do
    for target in isaac sram-dcim aihwkit-pcm; do
      base="$1/$(basename "$model" .onnx)-$target"
      "$bin"/cim-translate --import-onnx "$model" -o "$tmp/model.mlir" &&
        "$bin"/cim-opt "$tmp/model.mlir" \
          --cim-compile-pipeline="target=$target precision=w4a4" -o "$tmp/isa.mlir" &&
        "$bin"/cim-translate --export-cim-bin "$tmp/isa.mlir" -o "$base.cimbin" &&
        "$bin"/cim-translate --export-cim-asm "$tmp/isa.mlir" -o "$base.cimasm" ||
        echo "warning: could not compile seed $base" >&2
    done
  done
}

seed_target_json() {
  cp "$src"/targets/*.json "$src"/test/Target/JSON/Inputs/*.json "$1"/
}

seed_mlir() {
  # One seed per `// -----` split of the dialect and tool tests.
  local f
  for f in "$src"/test/Dialect/Cim/*.mlir "$src"/test/Tools/cim-run/*.mlir \
           "$src"/models/examples/*.mlir; do
    awk -v out="$1/$(basename "$f" .mlir)" '
      /^\/\/ -----/ { n++; next }
      { print > (out "-" n ".mlir") }' n=0 "$f"
  done
}

status=0
summary=()
for target in "${targets[@]}"; do
  exe="$bin/$target"
  if [ ! -x "$exe" ]; then
    echo "error: $exe not built (configure with -DCIM_ENABLE_FUZZERS=ON)" >&2
    exit 1
  fi
  dir="$work/$target"
  rm -rf "$dir/seeds"
  mkdir -p "$dir/seeds" "$dir/corpus" "$dir/artifacts"
  seed_name=${target#fuzz-}
  "seed_${seed_name//-/_}" "$dir/seeds"
  log="$dir/run.log"
  echo "== $target for ${seconds}s ($(ls "$dir/seeds" | wc -l) seeds)"
  touch "$dir/start"
  # One process on one core; 4 GiB and 20 s per input flag missing guards.
  "$exe" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
    -max_len=1048576 -print_final_stats=1 \
    -artifact_prefix="$dir/artifacts/" ${FUZZ_FLAGS:-} \
    "$dir/corpus" "$dir/seeds" >"$log" 2>&1
  rc=$?
  execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)
  # Only this run's findings; older ones stay for inspection.
  crashes=$(find "$dir/artifacts" -type f -newer "$dir/start" | wc -l)
  line="$target: ${execs:-0} executions, $crashes crashes/timeouts/ooms (exit $rc)"
  echo "$line"
  summary+=("$line")
  if [ "$rc" -ne 0 ]; then
    status=1
    grep -m1 -E "ERROR|runtime error|==ERROR|Test unit written" "$log" || true
    echo "   log: $log; inputs: $dir/artifacts/"
  fi
done
echo "== summary"
printf '%s\n' "${summary[@]}"
exit $status
