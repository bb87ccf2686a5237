# Shared by the benchmark scripts: `source "$(dirname "$0")/common.sh"`.

# bench_setup [BUILD_DIR] [PROBE_MODEL]: sets src, build, bin, models (the
# exported scope models, exported when PROBE_MODEL.onnx is missing) and tmp
# (removed on exit), and makes bench/results.
bench_setup() {
  src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  build=$(cd "${1:-$src/build}" && pwd)
  bin="$build/bin"
  models="$build/models/scope"
  if [ -n "${2:-}" ] && [ ! -f "$models/$2.onnx" ]; then
    /usr/bin/python3 "$src/models/scripts/export_scope_models.py" "$models" >/dev/null
  fi
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$src/bench/results"
}

# best N command...: the shortest wall time (seconds) of N runs.
best() {
  local n=$1 b=""
  shift
  for _ in $(seq "$n"); do
    local s e t
    s=$(date +%s.%N)
    "$@" > /dev/null
    e=$(date +%s.%N)
    t=$(awk "BEGIN {print $e - $s}")
    if [ -z "$b" ] || awk "BEGIN {exit !($t < $b)}"; then b=$t; fi
  done
  echo "$b"
}

# torch_resnet18: PyTorch float inference of torchvision's ResNet-18, batch
# 1, 2 threads, best of 5 (seconds).
torch_resnet18() {
  /usr/bin/python3 -c "
import time, torch, torchvision
torch.set_num_threads(2)
m = torchvision.models.resnet18().eval()
x = torch.rand(1, 3, 224, 224)
with torch.no_grad():
    m(x)
    best = min((lambda s: (m(x), time.time() - s)[1])(time.time()) for _ in range(5))
print('%.4f' % best)"
}
