#!/usr/bin/python3
"""Writes the binary ONNX inputs of the importer tests (committed; rerun only
to change them). Needs Debian's python3-onnx and python3-numpy."""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

here = os.path.dirname(os.path.abspath(__file__))


def save(model, name, **kwargs):
    onnx.save_model(model, os.path.join(here, name), **kwargs)


def tiny_gemm():
    w = numpy_helper.from_array(
        np.arange(12, dtype=np.float32).reshape(4, 3) / 10, name="w")
    b = numpy_helper.from_array(np.array([1, 2, 3], np.float32), name="b")
    node = helper.make_node("Gemm", ["x", "w", "b"], ["y"], name="fc")
    graph = helper.make_graph(
        [node], "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3])],
        [w, b])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


model = tiny_gemm()
save(model, "tiny.onnx")
data = model.SerializeToString()
with open(os.path.join(here, "truncated.onnx"), "wb") as f:
    f.write(data[: len(data) // 2])

# Weights in a file beside the model.
save(tiny_gemm(), "external.onnx", save_as_external_data=True,
     all_tensors_to_one_file=True, location="external.bin",
     size_threshold=0)

# An initializer that claims 10^12 elements but carries 4 bytes.
w = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[1000000, 1000000],
                raw_data=b"\0\0\0\0")
graph = helper.make_graph(
    [helper.make_node("Identity", ["w"], ["z"], name="copy")], "huge", [],
    [helper.make_tensor_value_info("z", TensorProto.FLOAT, [1000000, 1000000])],
    [w])
save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]),
     "huge-initializer.onnx")

# An initializer whose data is shorter than its shape.
short = tiny_gemm()
short.graph.initializer[1].raw_data = b"\0\0\0\0"
save(short, "short-initializer.onnx")
