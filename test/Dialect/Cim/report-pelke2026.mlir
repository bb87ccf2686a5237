// RUN: cim-opt %s --cim-set-target=target=rwth-rram --cim-lower-conv --canonicalize --cim-report="model=pelke2026 json" -o /dev/null | FileCheck %s
// RUN: cim-opt %s --cim-set-target=target=rwth-rram --cim-lower-conv --canonicalize --cim-report="model=pelke2026 json output=%t.json" -o /dev/null
// RUN: FileCheck %s < %t.json
// RUN: not cim-opt %s --cim-set-target=target=rwth-rram --cim-lower-conv --cim-report=model=ours 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not cim-opt %s --cim-set-target=target=rwth-rram --cim-report 2>&1 | FileCheck %s --check-prefix=GRAPH

// The published latency model of Pelke et al. (DATE 2026) on their
// hardware: ResNet-18's conv1 (147 x 64, 112*112 pixels) at W8A8 takes
// 1 write * 56 us + 12544 * 1 * 8 * 1.4 us = 140548.8 us, its fc (512 x
// 1000, one invocation) 32 writes: 32 * 56 + 32 * 8 * 1.4 = 2150.4 us
// (the sanity values of their code). Digital layers cost nothing there.
// CHECK: "layers": [
// CHECK:     "kind": "crossbar",
// CHECK:     "latency_ns": 140548800,
// CHECK:     "name": "conv1",
// CHECK:     "writes": 1
// CHECK:     "kind": "crossbar",
// CHECK:     "latency_ns": 2150400,
// CHECK:     "name": "fc",
// CHECK:     "writes": 32
// CHECK: "model": "pelke2026",
// CHECK: "target": "rwth-rram",
// CHECK: "total": {
// CHECK:   "latency_ns": 142699200,
// BAD: for the --model option: Cannot find option named 'ours'!
// GRAPH: error: {{.*}}'cim.conv2d' op is a crossbar layer still at the graph level: run --cim-lower-conv before costing
func.func @main(%x: tensor<1x3x224x224xf32>, %v: tensor<1x512xf32>) -> (tensor<1x64x112x112xf32>, tensor<1x1000xf32>) {
  %w = cim.constant dense<0.01> : tensor<64x3x7x7xf32>
  %y = cim.conv2d %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>, precision = #cim.precision<weight_bits = 8, act_bits = 8>}
      : tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32> -> tensor<1x64x112x112xf32> loc("conv1")
  %fw = cim.constant dense<0.01> : tensor<512x1000xf32>
  %fb = cim.constant dense<0.0> : tensor<1000xf32>
  %z = cim.gemm %v, %fw, %fb {precision = #cim.precision<weight_bits = 8, act_bits = 8>} : tensor<1x512xf32>, tensor<512x1000xf32>, tensor<1000xf32> -> tensor<1x1000xf32> loc("fc")
  return %y, %z : tensor<1x64x112x112xf32>, tensor<1x1000xf32>
}
