# -*- Python -*-
# lit configuration of the cim regression tests.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "CIM"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".onnxtext"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.cim_obj_root, "test")
# Inputs hold data read by tests; Unit has its own GoogleTest config.
config.excludes = ["Inputs", "Unit", "CMakeLists.txt", "README.md", "lit.cfg.py"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%shlibext", config.llvm_shlib_ext))
config.substitutions.append(("%cim_libs", os.path.join(config.cim_obj_root, "lib")))
config.substitutions.append(("%cim_src", config.cim_src_root))
config.substitutions.append(("%cim_obj", config.cim_obj_root))
config.substitutions.append(("%cxx", config.cim_cxx_compiler))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
# Test helper scripts call the tools by name.
llvm_config.with_environment("PATH", os.path.join(config.cim_obj_root, "bin"), append_path=True)

tool_dirs = [os.path.join(config.cim_obj_root, "bin"), config.llvm_tools_dir]
tools = [
    # CIM_OPT_CHECK_IR_ROUNDTRIP=1 makes every cim-opt test also check that
    # its output parses back to the same IR (as CIRCT does).
    ToolSubst("cim-opt", extra_args=["--verify-roundtrip"], unresolved="fatal")
    if os.environ.get("CIM_OPT_CHECK_IR_ROUNDTRIP")
    else "cim-opt",
    "cim-translate",
    "cim-run",
    "cimc",
    "mlir-opt",
]
# ASan/UBSan builds (make check-asan): the instrumented plugin needs the
# sanitizer runtime in Debian's uninstrumented mlir-opt, so preload it there.
if getattr(config, "cim_sanitized", False):
    import subprocess as _sp

    config.available_features.add("cim-sanitized")
    # Unless the caller chose (make check-asan does): Allocator.h poisons
    # bump-allocator slabs in our instrumented code that Debian's
    # uninstrumented LLVM then uses, so user poisoning must be off
    # (docs/reliability.md).
    config.environment.setdefault(
        "ASAN_OPTIONS", "allow_user_poisoning=0:detect_leaks=0"
    )
    runtime = _sp.run(
        [config.cim_cxx_compiler, "-print-file-name=libclang_rt.asan-x86_64.so"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    tools[-1] = ToolSubst(
        "mlir-opt",
        command="/usr/bin/env",
        extra_args=[
            "LD_PRELOAD=" + runtime,
            os.path.join(config.llvm_tools_dir, "mlir-opt"),
        ],
    )
llvm_config.add_tool_substitutions(tools, tool_dirs)

# The scope-bar model tests export torchvision networks with Debian's PyTorch.
import subprocess

if (
    subprocess.call(
        ["/usr/bin/python3", "-c", "import torch, torchvision, onnx"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    == 0
):
    config.available_features.add("torch")
config.substitutions.append(("%torch_python", "/usr/bin/python3"))
# The policies released with Pelke et al. (DATE 2026) are read in place from
# ../shared; tests that need them are skipped without it.
pelke = os.path.join(config.cim_src_root, "..", "shared", "data", "pelke2026")
if os.path.isdir(pelke):
    config.available_features.add("pelke2026-data")
    config.substitutions.append(("%pelke2026", os.path.abspath(pelke)))
# Debian's python3 with numpy (make deps) for independent checks of outputs.
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%cim_obj", config.cim_obj_root))
