// The graph evaluator through cim-run: hand-computed results, batch slices,
// quantized mode and every input error.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.array([[1, -2, 3, 4]], np.float32)); np.save('%t/x3.npy', np.array([[1, -2, 3, 4], [0, 0, 0, 1], [2, 2, 2, 2]], np.float32)); np.save('%t/bad.npy', np.zeros((1, 5), np.float32)); open('%t/text.npy', 'w').write('hello')"
// RUN: cim-run %s --input in=%t/x.npy --output-dir %t/out --stats %t/stats.json
// RUN: %python -c "import numpy as np; y = np.load('%t/out/y.npy'); print(y.dtype, y.shape, y.tolist())" | FileCheck %s --check-prefix=ONE
// RUN: cim-run %s --input %t/x3.npy --output-dir %t/out3
// RUN: %python -c "import numpy as np; print(np.load('%t/out3/y.npy').tolist())" | FileCheck %s --check-prefix=THREE
// RUN: FileCheck %s --check-prefix=STATS < %t/stats.json

// y = relu(x W + b), W = [[1, 0], [0, 1], [1, 1], [-1, 2]], b = [0.5, -1]:
// x = [1, -2, 3, 4]: [1+3-4, -2+3+8] + b = [0.5, 8]; relu -> [0.5, 8].
// ONE: float32 (1, 2) {{\[}}[0.5, 8.0]]
// [0,0,0,1] -> [-1, 2] + b = [-0.5, 1] -> [0, 1]; [2,2,2,2] -> [2, 8] + b.
// THREE: {{\[}}[0.5, 8.0], [0.0, 1.0], [2.5, 7.0]]
// STATS: "mode": "float"
// STATS: "slices": 1

// Quantized on an ideal crossbar at W8A8: codes are exact for these values
// (the weight scale is 1/127 of the largest |w| per column) up to
// rounding of 1/127 steps (checked to 0.1).
// RUN: %python -c "import numpy as np; np.save('%t/xp.npy', np.array([[1, 2, 3, 4]], np.float32))"
// RUN: cim-run %s --input in=%t/xp.npy --output-dir %t/q --quantize --stats %t/q.json
// RUN: %python -c "import numpy as np; y = np.load('%t/q/y.npy'); print(np.round(y, 1).tolist())" | FileCheck %s --check-prefix=QUANT
// RUN: FileCheck %s --check-prefix=QSTATS < %t/q.json
// x = [1, 2, 3, 4]: [1+3-4, 2+3+8] + b = [0.5, 12]
// QUANT: {{\[}}[0.5, 12.0]]
// QSTATS: "crossbar_macs": 8,
// QSTATS: "exact_layer_runs": 1,

// Errors name the input and what was expected.
// RUN: not cim-run %s --input in=%t/bad.npy --output-dir %t/e 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: cim-run: error: {{.*}}bad.npy: input 'in' has shape [1, 5], the model expects [1, 4] (or a multiple of its leading dimension)
// RUN: not cim-run %s --input in=%t/text.npy --output-dir %t/e 2>&1 | FileCheck %s --check-prefix=TEXT
// TEXT: cim-run: error: {{.*}}text.npy: {{.*}}
// RUN: not cim-run %s --output-dir %t/e 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: cim-run: error: missing --input in=file.npy
// RUN: not cim-run %s --input other=%t/x.npy --output-dir %t/e 2>&1 | FileCheck %s --check-prefix=NAME
// NAME: cim-run: error: --input other={{.*}}: the model has no input 'other' (inputs: in)
// RUN: cp %t/text.npy %t/model.cimbin
// RUN: not cim-run %t/model.cimbin --input in=%t/x.npy 2>&1 | FileCheck %s --check-prefix=CIMBIN
// CIMBIN: cim-run: error: {{.*}}model.cimbin: not a .cimbin file (bad magic)
// RUN: not cim-run %t/missing.mlir --input in=%t/x.npy 2>&1 | FileCheck %s --check-prefix=NOFILE
// NOFILE: cim-run: error: {{.*}}missing.mlir: cannot open input file

module attributes {cim.target = #cim.target<name = "ideal", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 4, dac_bits = 1, adc = <mode = ideal>, weight_sign = differential_columns, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @main(%x: tensor<1x4xf32> {onnx.name = "in"}) -> (tensor<1x2xf32> {onnx.name = "y"}) {
    %w = cim.constant dense<[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 2.0]]> : tensor<4x2xf32>
    %b = cim.constant dense<[0.5, -1.0]> : tensor<2xf32>
    %g = cim.gemm %x, %w, %b : tensor<1x4xf32>, tensor<4x2xf32>, tensor<2xf32> -> tensor<1x2xf32>
    %r = cim.relu %g : tensor<1x2xf32>
    return %r : tensor<1x2xf32>
  }
}
