#!/usr/bin/env python3
"""Checks that cim's libraries layer in the pipeline's order.

The library graph is derived from the tree itself: the CMake files
(`add_mlir_*library(NAME ... LINK_LIBS ... CIMOther ...)`) and the
`#include "cim/..."` lines of every source and header. Each file and each
library belongs to a layer (by its directory); an edge may only point to
the same layer or to a lower one, and the library graph must be acyclic.

    check-layering.py [ROOT]      exit 0 when clean, 1 with one line per
                                  offending edge otherwise

The layer order is the one docs/design.md draws.
"""

import os
import re
import sys

# Lowest first. Peers at the same rank may not depend on each other.
LAYERS = [
    ("Support", 0),
    ("Numerics", 1),
    ("Dialect", 2),
    ("Hardware", 3),
    ("Transforms", 4),
    ("Conversion", 4),
    ("Target", 4),
    ("Analysis", 5),
    ("Interpreter", 6),
    ("Precision", 7),
    ("Pipelines", 8),
    ("tools", 9),
]
RANK = dict(LAYERS)


def layer_of_path(rel):
    """Layer of a file under lib/, include/cim/ or tools/ (None: not ours)."""
    parts = rel.split("/")
    if parts[0] == "tools":
        return "tools"
    if parts[0] == "include" and len(parts) > 1 and parts[1] == "cim":
        parts = parts[1:]
    elif parts[0] != "lib":
        return None
    if len(parts) < 2:
        return None
    if parts[1] == "InitAll.h":
        return "Pipelines"
    top = parts[1]
    if top == "Dialect":
        name = parts[-1]
        if "Transforms" in parts or name.startswith("CimPasses"):
            return "Transforms"
        return "Dialect"
    return top if top in RANK else None


def layer_of_include(header):
    """Layer of an included `cim/...` header."""
    return layer_of_path("include/" + header)


LIB_RE = re.compile(r"add_mlir_(?:dialect_|translation_|conversion_)?library\(\s*(\w+)(.*?)\n\s*\)", re.S)


def libraries(root):
    """name -> (layer, [CIM libraries it links], cmake file)."""
    libs = {}
    for base in ("lib",):
        for dirpath, _, files in os.walk(os.path.join(root, base)):
            if "CMakeLists.txt" not in files:
                continue
            path = os.path.join(dirpath, "CMakeLists.txt")
            text = open(path).read()
            rel = os.path.relpath(dirpath, root)
            layer = layer_of_path(rel + "/x.cpp")
            for m in LIB_RE.finditer(text):
                name, body = m.group(1), m.group(2)
                links = []
                if "LINK_LIBS" in body:
                    tail = body.split("LINK_LIBS", 1)[1]
                    links = [t for t in tail.split() if t.startswith("CIM")]
                libs[name] = (layer, links, os.path.relpath(path, root))
    return libs


INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"(cim/[^"]+)"', re.M)


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
    errors = []
    files = 0
    for base in ("lib", "include/cim", "tools"):
        for dirpath, _, names in os.walk(os.path.join(root, base)):
            for n in sorted(names):
                if not n.endswith((".cpp", ".h")):
                    continue
                path = os.path.join(dirpath, n)
                rel = os.path.relpath(path, root)
                src = layer_of_path(rel)
                if src is None:
                    continue
                files += 1
                for header in INCLUDE_RE.findall(open(path, errors="replace").read()):
                    dst = layer_of_include(header)
                    if dst is None or dst == src:
                        continue
                    if RANK[dst] >= RANK[src]:
                        errors.append(f"{rel}: {src} includes {header} ({dst})")

    libs = libraries(root)
    for name, (layer, links, cmake) in sorted(libs.items()):
        for dep in links:
            if dep not in libs:
                continue
            dlayer = libs[dep][0]
            if dlayer != layer and RANK[dlayer] >= RANK[layer]:
                errors.append(f"{cmake}: {name} ({layer}) links {dep} ({dlayer})")

    # Cycles in the library graph (depth-first search).
    state = {}

    def visit(n, stack):
        state[n] = 1
        for d in libs[n][1]:
            if d not in libs:
                continue
            if state.get(d) == 1:
                cyc = stack[stack.index(d):] + [d]
                errors.append("cycle: " + " -> ".join(cyc))
            elif d not in state:
                visit(d, stack + [d])
        state[n] = 2

    for n in sorted(libs):
        if n not in state:
            visit(n, [n])

    for e in errors:
        print(e)
    print(f"check-layering: {files} files, {len(libs)} libraries, "
          f"{len(errors)} upward edges or cycles")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
