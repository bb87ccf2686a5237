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
