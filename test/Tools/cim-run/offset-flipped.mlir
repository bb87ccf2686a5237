// ISAAC's flipped columns (`offset_flipped`) end to end: 16-row groups of
// 2-bit cells under a 1-bit DAC sum to at most floor(16 x 3 / 2) = 24 once
// flipped, so a 5-bit full-range ADC is lossless (plain offset weights need
// 6 bits). Graph evaluation and the compiled program (.cimbin, whose target
// carries the scheme) equal an independent integer GEMM of the same codes
// (Inputs/integer_reference.py), for unsigned and offset inputs, on 3 row
// tiles; plain offset weights on the same ADC do not.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; r = np.random.RandomState(7); np.save('%t/x.npy', r.rand(5, 40).astype(np.float32)); np.save('%t/xs.npy', (r.rand(5, 40) - 0.5).astype(np.float32)); np.save('%t/w.npy', (r.rand(40, 6) - 0.5).astype(np.float32))"
// RUN: %python %S/Inputs/integer_reference.py %t/x.npy %t/w.npy 6 5 0 %t/ref.npy
// RUN: %python %S/Inputs/integer_reference.py %t/xs.npy %t/w.npy 6 5 1 %t/ref-signed.npy

// RUN: %python %S/Inputs/make_model.py %s %t/w.npy %t/fl.mlir WSIGN=offset_flipped ISIGN=unsigned ADCBITS=5
// RUN: cim-opt %t/fl.mlir --cim-tile-crossbar -o %t/fl-tiled.mlir
// RUN: cim-run %t/fl-tiled.mlir --quantize --input %t/x.npy --output-dir %t/fl --stats %t/fl.json
// RUN: cmp %t/fl/y.npy %t/ref.npy
// RUN: FileCheck %s --check-prefix=EXACT < %t/fl.json
// EXACT: "bit_sliced_layer_runs": 0,
// EXACT: "exact_layer_runs": {{[1-9][0-9]*}},
// RUN: cim-opt %t/fl-tiled.mlir --cim-map --cim-isa-pipeline | cim-translate --export-cim-bin -o %t/fl.cimbin
// RUN: cim-run %t/fl.cimbin --input %t/x.npy --output-dir %t/fl-isa
// RUN: cmp %t/fl-isa/y.npy %t/ref.npy

// Signed activations take offset inputs.
// RUN: %python %S/Inputs/make_model.py %s %t/w.npy %t/fls.mlir WSIGN=offset_flipped ISIGN=offset ADCBITS=5
// RUN: cim-opt %t/fls.mlir --cim-tile-crossbar --cim-map --cim-isa-pipeline | cim-translate --export-cim-bin -o %t/fls.cimbin
// RUN: cim-run %t/fls.cimbin --input %t/xs.npy --output-dir %t/fls-isa
// RUN: cmp %t/fls-isa/y.npy %t/ref-signed.npy

// Bit-sliced, conversion by conversion (a 4-bit ADC drops a bit): the
// program still computes what the graph evaluator does.
// RUN: %python %S/Inputs/make_model.py %s %t/w.npy %t/fl4.mlir WSIGN=offset_flipped ISIGN=unsigned ADCBITS=4
// RUN: cim-opt %t/fl4.mlir --cim-tile-crossbar -o %t/fl4-tiled.mlir
// RUN: cim-run %t/fl4-tiled.mlir --quantize --input %t/x.npy --output-dir %t/fl4 --stats %t/fl4.json
// RUN: not cmp -s %t/fl4/y.npy %t/ref.npy
// RUN: FileCheck %s --check-prefix=SLICED < %t/fl4.json
// SLICED: "bit_sliced_layer_runs": {{[1-9][0-9]*}},
// RUN: cim-opt %t/fl4-tiled.mlir --cim-map --cim-isa-pipeline | cim-translate --export-cim-bin -o %t/fl4.cimbin
// RUN: cim-run %t/fl4.cimbin --input %t/x.npy --output-dir %t/fl4-isa
// RUN: cmp %t/fl4-isa/y.npy %t/fl4/y.npy

// Plain offset weights on the same 5-bit ADC lose a bit.
// RUN: %python %S/Inputs/make_model.py %s %t/w.npy %t/of.mlir WSIGN=offset ISIGN=unsigned ADCBITS=5
// RUN: cim-opt %t/of.mlir --cim-tile-crossbar --cim-map --cim-isa-pipeline | cim-translate --export-cim-bin -o %t/of.cimbin
// RUN: cim-run %t/of.cimbin --input %t/x.npy --output-dir %t/of-isa
// RUN: not cmp -s %t/of-isa/y.npy %t/ref.npy

// The program's target names the scheme; a damaged name is a clear error.
// RUN: %python -c "d = open('%t/fl.cimbin', 'rb').read(); assert b'offset_flipped' in d; open('%t/bad.cimbin', 'wb').write(d.replace(b'offset_flipped', b'offset_flipxed'))"
// RUN: not cim-run %t/bad.cimbin --input %t/x.npy 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: field 'weight_sign' must be one of 'offset', 'differential_columns', 'differential_rows', 'twos_complement', 'offset_flipped', got 'offset_flipxed'

module attributes {cim.target = #cim.target<name = "t", rows = 16, cols = 16, parallel_rows = 16, cell_bits = 2, dac_bits = 1, adc = <mode = full_range, bits = 5, min_bits = 2, max_bits = 8>, weight_sign = WSIGN, input_sign = ISIGN, cores = 1, crossbars_per_core = 16>} {
  func.func @main(%x: tensor<5x40xf32> {onnx.name = "x"}) -> (tensor<5x6xf32> {onnx.name = "y"}) {
    %w = cim.constant dense<WEIGHTS> : tensor<40x6xf32>
    %y = cim.mvm %x, %w {precision = #cim.precision<weight_bits = 6, act_bits = 5, adc_bits = ADCBITS>} : tensor<5x40xf32>, tensor<40x6xf32> -> tensor<5x6xf32>
    return %y : tensor<5x6xf32>
  }
}
