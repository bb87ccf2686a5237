# -*- Python -*-
# Runs the GoogleTest unit tests under lit, one lit test per gtest case.

import os

import lit.formats

config.name = "CIM-Unit"
config.suffixes = []
config.test_source_root = os.path.join(config.cim_obj_root, "test", "Unit")
config.test_exec_root = config.test_source_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
config.environment["CIM_SOURCE_DIR"] = config.cim_src_root
# Sanitized builds (make check-asan): the caller's sanitizer options, else
# the defaults test/lit.cfg.py explains (ignored by other builds).
for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
    if name in os.environ:
        config.environment[name] = os.environ[name]
config.environment.setdefault("ASAN_OPTIONS", "allow_user_poisoning=0:detect_leaks=0")
