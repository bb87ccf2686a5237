"""Writes a pre-quantized (QDQ) CNN as ONNX, its input, and the outputs the
model's integer arithmetic defines, computed here directly in numpy integer
GEMMs (independent of cim): uint8 activations with zero point 0, int8
weights with per-output-channel scales, as onnxruntime's static
quantization emits them.
Usage: qdq_cnn.py OUT_DIR"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)

n, c, h, w, f, k, classes = 4, 2, 8, 8, 6, 3, 5
s_x, s_a = np.float32(0.01), np.float32(0.04)
w1 = rng.integers(-127, 128, size=(f, c, k, k)).astype(np.int8)
s_w1 = rng.uniform(0.002, 0.01, size=f).astype(np.float32)
b1 = rng.normal(0, 0.1, size=f).astype(np.float32)
oh, ow = h - k + 1, w - k + 1
w2 = rng.integers(-127, 128, size=(classes, f * oh * ow)).astype(np.int8)  # [N, K], transB
s_w2 = rng.uniform(0.0005, 0.002, size=classes).astype(np.float32)
b2 = rng.normal(0, 0.1, size=classes).astype(np.float32)
x = rng.uniform(0, 2.0, size=(n, c, h, w)).astype(np.float32)

def q(name, shape_len=None):
    return name

inits = [
    numpy_helper.from_array(np.array(s_x), "s_x"),
    numpy_helper.from_array(np.array(0, np.uint8), "z_u8"),
    numpy_helper.from_array(w1, "w1_q"),
    numpy_helper.from_array(s_w1, "s_w1"),
    numpy_helper.from_array(np.zeros(f, np.int8), "z_w1"),
    numpy_helper.from_array(b1, "b1"),
    numpy_helper.from_array(np.array(s_a), "s_a"),
    numpy_helper.from_array(w2, "w2_q"),
    numpy_helper.from_array(s_w2, "s_w2"),
    numpy_helper.from_array(np.zeros(classes, np.int8), "z_w2"),
    numpy_helper.from_array(b2, "b2"),
]
nodes = [
    helper.make_node("QuantizeLinear", ["x", "s_x", "z_u8"], ["x_q"]),
    helper.make_node("DequantizeLinear", ["x_q", "s_x", "z_u8"], ["x_dq"]),
    helper.make_node("DequantizeLinear", ["w1_q", "s_w1", "z_w1"], ["w1"], axis=0),
    helper.make_node("Conv", ["x_dq", "w1", "b1"], ["c1"]),
    helper.make_node("Relu", ["c1"], ["r1"]),
    helper.make_node("QuantizeLinear", ["r1", "s_a", "z_u8"], ["r1_q"]),
    helper.make_node("DequantizeLinear", ["r1_q", "s_a", "z_u8"], ["r1_dq"]),
    helper.make_node("Flatten", ["r1_dq"], ["flat"]),
    helper.make_node("DequantizeLinear", ["w2_q", "s_w2", "z_w2"], ["w2"], axis=0),
    helper.make_node("Gemm", ["flat", "w2", "b2"], ["logits"], transB=1),
]
graph = helper.make_graph(
    nodes, "qdq_cnn",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, h, w])],
    [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, classes])],
    inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, os.path.join(out, "qdq_cnn.onnx"))
np.save(os.path.join(out, "x.npy"), x)

# The reference: integer codes, integer GEMMs, float scales.
def quant_u8(v, s):
    return np.clip(np.round(v.astype(np.float64) / np.float64(s)), 0, 255).astype(np.int64)

ref = []
for img in x:
    xq = quant_u8(img, s_x)                                  # [c, h, w]
    cols = np.stack([xq[:, i:i + k, j:j + k].reshape(-1)
                     for i in range(oh) for j in range(ow)])   # [P, c*k*k]
    acc1 = cols @ w1.reshape(f, -1).astype(np.int64).T        # [P, f]
    y1 = acc1 * (np.float64(s_x) * s_w1.astype(np.float64)) + b1
    r1 = np.maximum(y1, 0)                                    # [P, f], pixel-major
    aq = quant_u8(r1.T.reshape(-1), s_a)                      # NCHW flatten
    acc2 = w2.astype(np.int64) @ aq
    ref.append(acc2 * (np.float64(s_a) * s_w2.astype(np.float64)) + b2)
np.save(os.path.join(out, "reference.npy"), np.array(ref, np.float32))
