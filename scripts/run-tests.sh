#!/usr/bin/env bash
# Runs the lit regression tests and the GoogleTest unit tests in one lit
# invocation and ends with the line "N passed, N failed".
# Usage: run-tests.sh LIT BUILD_DIR [lit flags...]
set -uo pipefail

lit="$1"
build="$2"
shift 2

log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$lit" "$@" "$build/test" "$build/test/Unit" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# lit's summary lines look like "  Passed: 42 (100.00%)".
count() {
  local n
  n=$(sed -nE "s/^ *$1 *: *([0-9]+).*/\1/p" "$log" | tail -n 1)
  echo "${n:-0}"
}
passed=$(( $(count "Passed") + $(count "Expectedly Failed") ))
failed=$(( $(count "Failed") + $(count "Unresolved") + $(count "Timed Out") \
  + $(count "Unexpectedly Passed") ))
skipped=$(( $(count "Unsupported") + $(count "Excluded") + $(count "Skipped") ))

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # lit itself failed (configuration error): count it as a failure.
  failed=1
fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
