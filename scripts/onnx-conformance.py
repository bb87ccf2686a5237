#!/usr/bin/python3
"""ONNX's own conformance tests on cim (issue 20).

Imports every model under libonnx-testdata's node/, pytorch-converted/,
pytorch-operator/ and simple/ with `cim-translate --import-onnx`, runs each
test_data_set_* on `cim-run` (float) and compares every output with the
expected one at ONNX's backend-test tolerances (rtol 1e-3, atol 1e-7, NaN
equal, same shape).

The expected-results file (test/ONNX/conformance-expected.txt) holds one line
per test: `DIR/TEST pass`, `DIR/TEST scope: REASON` (out of scope: training
ops, random numbers, sequence/map/optional/string types) or `DIR/TEST fail:
REASON` (in scope, not supported yet: a bug to fix). A test whose outcome
differs from its line fails the run, in both directions, so the file stays
true: a regression fails, and so does a newly passing test still listed as
`fail` or `scope`.

  onnx-conformance.py --bin BUILD/bin [--data DIR] [--expected FILE]
                      [--update] [--only SUBSTR] [--jobs N] [--markdown FILE]

--update rewrites the expected file from this run (keeping `scope:` lines
and their reasons); --markdown writes docs/onnx-coverage.md's table.
"""

import argparse
import collections
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

DIRS = ["node", "pytorch-converted", "pytorch-operator", "simple"]
RTOL, ATOL = 1e-3, 1e-7
TIMEOUT = 120

# Out of scope by issue 20 item 6: training ops, random number generators,
# sequence/map/optional/string types. Matched against the test name.
SCOPE_RULES = [
    (r"^test_(adagrad|adam|momentum|nesterov_momentum|gradient)",
     "training op"),
    (r"_expanded_training|training_mode|_training$|test_training_dropout",
     "training mode"),
    (r"^test_(random|bernoulli|multinomial)", "random number generator"),
    (r"^test_(sequence|split_to_sequence|concat_from_sequence|"
     r"optional|identity_sequence|identity_opt|if_seq|if_opt|loop13_seq|"
     r"loop16_seq)", "sequence/optional type"),
    (r"^test_(string|strnorm|regex|cast_.*STRING|castlike_.*STRING)",
     "string type"),
    (r"^test_(nllloss|sce)_", "loss op (a training output)"),
]


# The importer's clean rejections of control flow it cannot fold.
CONTROL_FLOW = re.compile(r"\((If|Loop|Scan)\): (the condition is not known "
                          r"at import|(Loop|Scan) is not supported)")
# The importer's hint that a shape depends on a graph input's value.
INPUT_VALUE = re.compile(r"fix its value with --input-value (\S+)=")


def scope_reason(name):
    for pattern, reason in SCOPE_RULES:
        if re.search(pattern, name):
            return reason
    return None


def load_tensor(path, declared=None):
    """The tensor at `path` as numpy. ONNX 1.12's test data stores bfloat16
    tensors as their uint16 bit patterns; where the model declares
    bfloat16 (`declared`), they are widened to the float32 they encode."""
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    arr = numpy_helper.to_array(t)
    if declared == onnx.TensorProto.BFLOAT16 and arr.dtype == np.uint16:
        arr = (arr.astype(np.uint32) << 16).view(np.float32)
    return t.name, arr


def declared_types(values):
    """Element type and static shape (None if unknown) of graph values."""
    result = []
    for v in values:
        tt = v.type.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else None
                for d in tt.shape.dim]
        known = tt.HasField("shape") and all(d is not None for d in dims)
        result.append((tt.elem_type, dims if known else None))
    return result


def first_error_line(text):
    for line in text.splitlines():
        line = line.strip()
        if "error" in line.lower() or line:
            # Drop the temporary path prefix to keep reasons stable.
            line = re.sub(r"\S*/(model|out|in)[^\s:]*:?", "", line).strip()
            line = re.sub(r"^(\d+:\d+:\s*)?error:\s*", "", line)
            return line[:160]
    return "no message"


def run_test(bin_dir, test_dir):
    model = os.path.join(test_dir, "model.onnx")
    sets = sorted(d for d in os.listdir(test_dir)
                  if d.startswith("test_data_set_"))
    try:
        graph = onnx.load(model).graph
    except Exception as e:  # noqa: BLE001 - a corrupt file is a result
        return "fail", "model does not load: %s" % e
    inits = {i.name for i in graph.initializer}
    in_names = [i.name for i in graph.input if i.name not in inits]
    in_types = declared_types(i for i in graph.input if i.name not in inits)
    out_names = [o.name for o in graph.output]
    out_types = declared_types(graph.output)
    with tempfile.TemporaryDirectory(prefix="cim-onnx-") as tmp:
        mlir = os.path.join(tmp, "model.mlir")
        fixed = {}  # graph inputs fixed at import (--input-value)
        p = subprocess.run([os.path.join(bin_dir, "cim-translate"),
                            "--import-onnx", model, "-o", mlir],
                           capture_output=True, text=True, timeout=TIMEOUT)
        m = INPUT_VALUE.search(p.stderr) \
            if "cannot infer the shape" in p.stderr else None
        if p.returncode != 0 and m and m.group(1) in in_names and sets:
            # A shape that depends on an input's value: as a user would,
            # import for the value the test feeds (every data set must feed
            # the same one), then run on the remaining inputs.
            k = in_names.index(m.group(1))
            vals = set()
            for s in sets:
                f = os.path.join(test_dir, s, "input_%d.pb" % k)
                _, arr = load_tensor(f) if os.path.exists(f) else (None, None)
                if arr is None or arr.size > 16 or arr.dtype.kind not in "iub":
                    vals = None
                    break
                vals.add(",".join(str(int(v)) for v in arr.ravel()))
            if vals and len(vals) == 1:
                fixed[k] = vals.pop()
                p = subprocess.run(
                    [os.path.join(bin_dir, "cim-translate"), "--import-onnx",
                     model, "-o", mlir, "--input-value",
                     "%s=%s" % (in_names[k], fixed[k])],
                    capture_output=True, text=True, timeout=TIMEOUT)
        if p.returncode != 0:
            if CONTROL_FLOW.search(p.stderr):
                return "scope", "control flow decided at run time (If on " \
                    "a run-time condition, Loop, Scan): rejected, as issue " \
                    "20 item 2 says"
            return "fail", "import: " + first_error_line(p.stderr)
        if not sets:
            return "fail", "no test data"
        for s in sets:
            sdir = os.path.join(test_dir, s)
            args = [os.path.join(bin_dir, "cim-run"), mlir, "--output-dir",
                    os.path.join(tmp, "out")]
            inputs = sorted(f for f in os.listdir(sdir)
                            if f.startswith("input_"))
            for i, f in enumerate(sorted(inputs,
                                         key=lambda f: int(f[6:-3]))):
                decl = in_types[i] if i < len(in_types) else (None, None)
                _, arr = load_tensor(os.path.join(sdir, f), decl[0])
                if decl[1] is not None and list(arr.shape) != decl[1]:
                    return "scope", "test data disagrees with the model: " \
                        "input %d has shape %s, the model declares %s" % (
                            i, list(arr.shape), decl[1])
                if i in fixed:
                    continue
                name = in_names[i] if i < len(in_names) else "input_%d" % i
                npy = os.path.join(tmp, "in%d.npy" % i)
                np.save(npy, arr)
                args += ["--input", "%s=%s" % (name, npy)]
            p = subprocess.run(args, capture_output=True, text=True,
                               timeout=TIMEOUT)
            if p.returncode != 0:
                return "fail", "run: " + first_error_line(p.stderr)
            outputs = sorted((f for f in os.listdir(sdir)
                              if f.startswith("output_")),
                             key=lambda f: int(f[7:-3]))
            for i, f in enumerate(outputs):
                _, want = load_tensor(os.path.join(sdir, f),
                                      out_types[i][0] if i < len(out_types)
                                      else None)
                name = out_names[i] if i < len(out_names) else "output_%d" % i
                path = os.path.join(tmp, "out", name.replace("/", "_") +
                                    ".npy")
                if not os.path.exists(path):
                    return "fail", "output '%s' not written" % name
                got = np.load(path)
                if got.shape != want.shape:
                    return "fail", "output '%s' shape %s, expected %s" % (
                        name, list(got.shape), list(want.shape))
                if want.dtype == object:
                    return "fail", "non-numeric output"
                if want.dtype == np.float64 and np.any(
                        np.abs(want[np.isfinite(want)]) >
                        np.finfo(np.float32).max):
                    # Old PyTorch exports hold uninitialized memory here.
                    return "scope", "expected float64 values beyond the " \
                        "float32 range cim computes in"
                w = want.astype(np.float64)
                g = got.astype(np.float64)
                if not np.allclose(g, w, rtol=RTOL, atol=ATOL,
                                   equal_nan=True):
                    err = np.nanmax(np.abs(g - w)) if g.size else 0.0
                    return "fail", "output '%s' differs (max abs error %.3g)" \
                        % (name, err)
    return "pass", ""


def read_expected(path):
    expected = {}
    if not os.path.exists(path):
        return expected
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            name, _, rest = line.partition(" ")
            if rest == "pass":
                expected[name] = ("pass", "")
            else:
                kind, _, reason = rest.partition(": ")
                expected[name] = (kind, reason)
    return expected


def op_types(test_dir):
    try:
        return sorted({n.op_type for n in
                       onnx.load(os.path.join(test_dir, "model.onnx"))
                       .graph.node})
    except Exception:  # noqa: BLE001
        return []


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", default="/usr/share/libonnx-testdata/data")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--expected", default=os.path.join(
        here, "..", "test", "ONNX", "conformance-expected.txt"))
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--only", default="")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--markdown")
    a = ap.parse_args()

    if not os.path.isdir(a.data):
        print("error: %s not found: install Debian's libonnx-testdata "
              "(make deps)" % a.data, file=sys.stderr)
        return 2
    tests = []
    for d in DIRS:
        root = os.path.join(a.data, d)
        for t in sorted(os.listdir(root)):
            if a.only in d + "/" + t:
                tests.append((d, t, os.path.join(root, t)))
    expected = read_expected(a.expected)

    results = {}
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        futures = {}
        for d, t, path in tests:
            name = d + "/" + t
            if scope_reason(t) or expected.get(name, ("",))[0] == "scope":
                reason = scope_reason(t) or expected[name][1]
                results[name] = ("scope", reason)
                continue
            futures[pool.submit(run_test, a.bin, path)] = name
        for fut in concurrent.futures.as_completed(futures):
            name = futures[fut]
            try:
                results[name] = fut.result()
            except subprocess.TimeoutExpired:
                results[name] = ("fail", "timeout after %d s" % TIMEOUT)

    unexpected = []
    counts = collections.defaultdict(collections.Counter)
    for d, t, _ in tests:
        name = d + "/" + t
        kind, reason = results[name]
        counts[d][kind] += 1
        want = expected.get(name)
        if want is None:
            unexpected.append("%s: not in the expected file (%s%s)" % (
                name, kind, ": " + reason if reason else ""))
        elif want[0] != kind:
            if kind == "pass":
                unexpected.append("%s: passes now; the expected file says "
                                  "'%s: %s'" % (name, want[0], want[1]))
            else:
                unexpected.append("%s: %s (%s), expected %s" % (
                    name, kind, reason, want[0]))

    for d in DIRS:
        c = counts[d]
        if sum(c.values()):
            print("%s: %d passed, %d failed, %d out of scope" % (
                d, c["pass"], c["fail"], c["scope"]))

    if a.update:
        with open(a.expected, "w") as f:
            f.write("# ONNX conformance (libonnx-testdata 1.12) on cim: "
                    "pass | scope: REASON | fail: REASON.\n"
                    "# Written by scripts/onnx-conformance.py --update; "
                    "see docs/onnx-coverage.md.\n")
            for name in sorted(set(expected) | set(results)):
                kind, reason = results[name] if name in results else expected[name]
                f.write("%s %s\n" % (name, "pass" if kind == "pass"
                                     else kind + ": " + reason))
        print("wrote %s" % a.expected)
        unexpected = []

    if a.markdown:
        write_markdown(a.markdown, tests, results)

    for u in unexpected:
        print("UNEXPECTED " + u)
    return 1 if unexpected else 0


def write_markdown(path, tests, results):
    per_op = collections.defaultdict(lambda: collections.Counter())
    reasons = collections.defaultdict(set)
    for d, t, p in tests:
        if d != "node":
            continue
        kind, reason = results[d + "/" + t]
        # An expanded test runs the function body of its op, not the op.
        ops = (["(function-expanded tests)"] if "_expanded" in t
               else op_types(p) or ["(none)"])
        reason = reason[:90]
        for op in ops:
            per_op[op][kind] += 1
            if kind != "pass":
                reasons[op].add(reason)
    # What follows the marker is written by hand and kept.
    tail = ""
    if os.path.exists(path):
        with open(path) as f:
            text = f.read()
        if MARKER in text:
            tail = text[text.index(MARKER):]
    with open(path, "w") as f:
        f.write("# ONNX operator coverage\n\n"
                "Generated by `scripts/onnx-conformance.py --markdown` from "
                "ONNX's own conformance tests\n(Debian `libonnx-testdata` "
                "1.12, `node/`): every test imported with `cim-translate`\n"
                "and run on `cim-run` (float), outputs compared at rtol "
                "1e-3, atol 1e-7.\nA test counts for every op in its "
                "model (the `_expanded` variants, which run an\nop's "
                "function body, in a row of their own). `make check` runs "
                "the same tests\nagainst "
                "`test/ONNX/conformance-expected.txt`.\n\n")
        totals = collections.Counter()
        for d, t, _ in tests:
            totals[(d, results[d + "/" + t][0])] += 1
        f.write("| directory | passed | failed | out of scope |\n"
                "|---|---:|---:|---:|\n")
        for d in DIRS:
            f.write("| %s | %d | %d | %d |\n" % (
                d, totals[(d, "pass")], totals[(d, "fail")],
                totals[(d, "scope")]))
        f.write("\n| op | passed | failed | out of scope | reasons "
                "(first three) |\n|---|---:|---:|---:|---|\n")
        for op in sorted(per_op):
            c = per_op[op]
            why = "; ".join(sorted(reasons[op])[:3]).replace("|", "\\|")
            f.write("| %s | %d | %d | %d | %s |\n" % (
                op, c["pass"], c["fail"], c["scope"], why))
        if tail:
            f.write("\n" + tail)


MARKER = "<!-- The rest of this file is written by hand"


if __name__ == "__main__":
    sys.exit(main())
