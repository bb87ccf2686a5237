// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; np.save('%t/x.npy', np.array([[5, 1], [2, 0.5]], np.float32))"
// RUN: cim-opt %s --split-input-file --cim-equalize="calib=%t/x.npy alpha=1" --canonicalize | FileCheck %s --check-prefix=ONE
// RUN: cim-opt %s --split-input-file --cim-equalize="calib=%t/x.npy alpha=0.5" --canonicalize | FileCheck %s --check-prefix=HALF
// RUN: cim-opt %s --split-input-file --cim-equalize="calib=%t/x.npy alpha=1 max-scale=1.5" --canonicalize | FileCheck %s --check-prefix=BOUND
// RUN: not cim-opt %s --split-input-file --cim-equalize 2>&1 | FileCheck %s --check-prefix=NOCALIB
// RUN: not cim-opt %s --split-input-file --cim-equalize="calib=%t/x.npy alpha=2" 2>&1 | FileCheck %s --check-prefix=ALPHA
// RUN: not cim-opt %s --split-input-file --cim-equalize="calib=%t/x.npy max-scale=0.5" 2>&1 | FileCheck %s --check-prefix=SCALE

// Two calibration batches, [5, 1] and [2, 0.5]: after the identity layer,
// the bias [-1, 0] and the ReLU, channel ranges r = [4, 1]; the consumer's
// weights have max |w| = 3 on both rows. By hand:
//   alpha = 1:   s = r / geomean(r) = [2, 0.5]
//   alpha = 0.5: s = sqrt(r / w) / geomean = [sqrt 2, 1 / sqrt 2]
//   max-scale = 1.5 bounds alpha = 1's scales to [1.5, 1 / 1.5]
// Producer column n and bias n are divided by s_n, consumer row k is
// multiplied by s_k.
// ONE-LABEL: func.func @main
// ONE-DAG: dense<{{\[}}[5.000000e-01, 0.000000e+00], [0.000000e+00, 2.000000e+00]]> : tensor<2x2xf32>
// ONE-DAG: dense<[-5.000000e-01, 0.000000e+00]> : tensor<2xf32>
// ONE-DAG: dense<{{\[}}[2.000000e+00, 6.000000e+00], [5.000000e-01, 1.500000e+00]]> : tensor<2x2xf32>
// HALF-LABEL: func.func @main
// HALF-DAG: dense<{{\[}}[0.707106769, 0.000000e+00], [0.000000e+00, 1.41421354]]> : tensor<2x2xf32>
// HALF-DAG: dense<[-0.707106769, 0.000000e+00]> : tensor<2xf32>
// HALF-DAG: dense<{{\[}}[1.41421354, 4.2426405], [0.707106769, 2.12132025]]> : tensor<2x2xf32>
// BOUND-LABEL: func.func @main
// BOUND-DAG: dense<{{\[}}[0.666666686, 0.000000e+00], [0.000000e+00, 1.500000e+00]]> : tensor<2x2xf32>
// BOUND-DAG: dense<{{\[}}[1.500000e+00, 4.500000e+00], [0.666666686, 2.000000e+00]]> : tensor<2x2xf32>
// NOCALIB: error: cim-equalize needs calibration inputs: calib=FILE.npy
// ALPHA: error: cim-equalize: alpha must be in [0, 1], got 2
// SCALE: error: cim-equalize: max-scale must be at least 1, got 5.000000e-01
module {
  func.func @main(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
    %w1 = cim.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
    %b1 = cim.constant dense<[-1.0, 0.0]> : tensor<2xf32>
    %w2 = cim.constant dense<[[1.0, 3.0], [1.0, 3.0]]> : tensor<2x2xf32>
    %g1 = cim.gemm %x, %w1, %b1 : tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32> -> tensor<1x2xf32>
    %r = cim.relu %g1 : tensor<1x2xf32>
    %g2 = cim.gemm %r, %w2 : tensor<1x2xf32>, tensor<2x2xf32> -> tensor<1x2xf32>
    return %g2 : tensor<1x2xf32>
  }
}

// -----

// A second user of the ReLU would see the scaled values: nothing changes.
// ONE-LABEL: func.func @main
// ONE: dense<{{\[}}[1.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00]]>
// ONE: dense<{{\[}}[1.000000e+00, 3.000000e+00], [1.000000e+00, 3.000000e+00]]>
module {
  func.func @main(%x: tensor<1x2xf32>) -> (tensor<1x2xf32>, tensor<1x2xf32>) {
    %w1 = cim.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
    %w2 = cim.constant dense<[[1.0, 3.0], [1.0, 3.0]]> : tensor<2x2xf32>
    %g1 = cim.gemm %x, %w1 : tensor<1x2xf32>, tensor<2x2xf32> -> tensor<1x2xf32>
    %r = cim.relu %g1 : tensor<1x2xf32>
    %g2 = cim.gemm %r, %w2 : tensor<1x2xf32>, tensor<2x2xf32> -> tensor<1x2xf32>
    return %g2, %r : tensor<1x2xf32>, tensor<1x2xf32>
  }
}

// -----

// A sigmoid does not commute with a scale: nothing changes.
// ONE-LABEL: func.func @main
// ONE: dense<{{\[}}[1.000000e+00, 0.000000e+00], [0.000000e+00, 1.000000e+00]]>
// ONE: dense<{{\[}}[1.000000e+00, 3.000000e+00], [1.000000e+00, 3.000000e+00]]>
module {
  func.func @main(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
    %w1 = cim.constant dense<[[1.0, 0.0], [0.0, 1.0]]> : tensor<2x2xf32>
    %w2 = cim.constant dense<[[1.0, 3.0], [1.0, 3.0]]> : tensor<2x2xf32>
    %g1 = cim.gemm %x, %w1 : tensor<1x2xf32>, tensor<2x2xf32> -> tensor<1x2xf32>
    %r = cim.sigmoid %g1 : tensor<1x2xf32>
    %g2 = cim.gemm %r, %w2 : tensor<1x2xf32>, tensor<2x2xf32> -> tensor<1x2xf32>
    return %g2 : tensor<1x2xf32>
  }
}
