#!/usr/bin/python3
"""Runs cim-run on every program in a directory; counts crashes.

  run_all.py DIR INPUT.npy

A run may succeed (a damaged weight is still a program) or fail with exit
code 1 and a message; anything else (a signal, an abort, another code, a
run longer than 60 s, an empty message) is a crash, listed by file.
"""
import os
import subprocess
import sys

directory, x = sys.argv[1], sys.argv[2]
names = sorted(os.listdir(directory))
crashes = []
for name in names:
    path = os.path.join(directory, name)
    try:
        run = subprocess.run(["cim-run", path, "--input", x, "--output-dir",
                              path + ".out"], capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        crashes.append((name, "timeout"))
        continue
    message = run.stderr.decode(errors="replace")
    if run.returncode == 1 and "error:" in message:
        continue
    if run.returncode == 0:
        continue
    crashes.append((name, "exit %d: %s" % (run.returncode, message[-300:])))
for name, what in crashes:
    print(name, what)
print("%d runs, %d crashes" % (len(names), len(crashes)))
