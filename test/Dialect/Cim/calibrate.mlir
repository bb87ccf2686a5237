// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/calib.npy', np.array([[0.5, -1.0, 2.0, 0.25], [1.0, 3.0, -4.0, 0.0], [0.1, 0.2, 0.3, 0.4]], np.float32))"
// RUN: cim-opt %s --cim-calibrate="calib=%t/calib.npy method=max" | FileCheck %s --check-prefix=MAX
// RUN: cim-opt %s --cim-calibrate="calib=%t/calib.npy method=percentile percentile=50" | FileCheck %s --check-prefix=PCT
// RUN: cim-opt %s --cim-calibrate="calib=%t/calib.npy samples=1 method=max" | FileCheck %s --check-prefix=ONE
// RUN: cim-opt %s --cim-calibrate="calib=%t/calib.npy method=mse" | FileCheck %s --check-prefix=MSE
// RUN: cim-opt %s --cim-calibrate="calib=%t/calib.npy method=mse" -o %t/mse.mlir
// RUN: cim-opt %t/mse.mlir --cim-default-precision="weight-bits=8 act-bits=2" -o %t/a2.mlir
// RUN: cim-run %t/a2.mlir --quantize --input arg0=%t/calib.npy --output-dir %t/a2
// RUN: %python %S/Inputs/mse_clips.py %t/mse.mlir %t/calib.npy %t/a2/out0.npy | FileCheck %s --check-prefix=CLIPS
// RUN: cim-opt %s --cim-calibrate="calib=%t/calib.npy method=max" | FileCheck %s --check-prefix=NOCLIPS
// RUN: not cim-opt %s --cim-calibrate 2>&1 | FileCheck %s --check-prefix=NOCALIB
// RUN: not cim-opt %s --cim-calibrate="calib=%t/calib.npy method=best" 2>&1 | FileCheck %s --check-prefix=METHOD
// RUN: %python -c "import numpy as np; np.save('%t/wrong.npy', np.zeros((2, 5), np.float32))"
// RUN: not cim-opt %s --cim-calibrate="calib=%t/wrong.npy" 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not cim-opt %s --cim-calibrate="calib=%t/missing.npy" 2>&1 | FileCheck %s --check-prefix=MISSING

// Three batches of the 1x4 input. The gemm sees them directly: min -4,
// max 3, |x| up to 4. The mvm sees relu(x W): W = I (first two columns)
// gives relu of columns 0..1: [0.5, 0], [1, 3], [0.1, 0.2]: max 3. The
// target's inputs are unsigned: the gemm's were seen negative, so it is
// marked cim.signed_inputs (driven with an offset) and its clip covers
// |x|; the mvm's are not, and its clip covers the positive side.
// MAX: cim.gemm {{.*}}cim.calibration = {absmax = 4.000000e+00 : f64, clip = 4.000000e+00 : f64, max = 3.000000e+00 : f64, method = "max", min = -4.000000e+00 : f64, samples = 3 : i64}, cim.signed_inputs}
// MAX: cim.mvm {{.*}}cim.calibration = {absmax = 3.000000e+00 : f64, clip = 3.000000e+00 : f64, max = 3.000000e+00 : f64, method = "max", min = 0.000000e+00 : f64, samples = 3 : i64}}
// The median of the magnitudes of the 12 inputs (sorted: 0 0.1 0.2 0.25
// 0.3 0.4 0.5 1 1 2 3 4, index floor(0.5 * 11) = 5 -> 0.4).
// PCT: cim.gemm {{.*}}clip = 0.4000000{{[0-9]*}} : f64
// ONE: cim.gemm {{.*}}absmax = 2.000000e+00 : f64, clip = 2.000000e+00 : f64, max = 2.000000e+00 : f64, method = "max", min = -1.000000e+00 : f64, samples = 1 : i64
// MSE picks a clip at or below the maximum.
// MSE: cim.gemm {{.*}}clip = {{[0-9.]+}}e+00 : f64{{.*}}method = "mse"
// With mse, a clip per code width (2^m - 1 levels of magnitude, m = 1..16),
// checked against a direct search in numpy; max has one clip for all.
// CLIPS: clips ok
// CLIPS: a2 ok
// NOCLIPS-NOT: clips =
// NOCALIB: error: cim-calibrate needs calibration inputs: calib=FILE.npy
// METHOD: for the --method option: Cannot find option named 'best'!
// SHAPE: error: cim-calibrate: {{.*}}wrong.npy has shape [2, 5], the model's input is [1, 4] (or a multiple of its leading dimension)
// MISSING: error: cim-calibrate: {{.*}}missing.npy

module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = differential_columns, input_sign = unsigned, cores = 1, crossbars_per_core = 4>} {
  func.func @main(%x: tensor<1x4xf32>) -> tensor<1x2xf32> {
    %w = cim.constant dense<[[1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [0.0, 0.0]]> : tensor<4x2xf32>
    %g = cim.gemm %x, %w : tensor<1x4xf32>, tensor<4x2xf32> -> tensor<1x2xf32>
    %r = cim.relu %g : tensor<1x2xf32>
    %v = cim.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
    %y = cim.mvm %r, %v : tensor<1x2xf32>, tensor<2x2xf32> -> tensor<1x2xf32>
    return %y : tensor<1x2xf32>
  }
}
