"""cim_torch: PyTorch layers that compute what cim's crossbars compute.

    import cim_torch
    q = cim_torch.prepare(model, "rwth-rram", "out/policy.json",
                          calibration="out/tiled.mlir",
                          example_input=x[:1])

The arithmetic is cim's (docs/numerics.md), mirrored in `numerics`; the
target and policy are the JSON files cimc reads and writes; calibration is
read from the IR cimc calibrated (see `io`). docs/training.md says what
works and what does not yet.
"""
from .numerics import Config, LayerCalibration, Target, layer_config
from .io import compile_model, load_policy, load_target, read_tiled_ir, run_cimbin
from .modules import CimConv1d, CimConv2d, CimLinear
from .prepare import cim_layers, fold_batchnorm, prepare, set_mode

__all__ = ["Config", "LayerCalibration", "Target", "layer_config",
           "compile_model", "load_policy", "load_target", "read_tiled_ir",
           "run_cimbin", "CimConv1d", "CimConv2d", "CimLinear", "cim_layers",
           "fold_batchnorm", "prepare", "set_mode"]
__version__ = "0.1.0"
