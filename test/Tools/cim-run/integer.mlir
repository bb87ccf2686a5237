// Quantized evaluation against an independent integer GEMM of the same
// codes (Inputs/integer_reference.py): bit-exact wherever the read-out
// loses nothing, for every weight and input sign scheme, on tiles smaller
// than the matrix (row tiles added digitally); a lossy ADC must differ.
// The same holds for the compiled program (.cimbin) on the interpreter.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python -c "import numpy as np; r = np.random.RandomState(7); np.save('%t/x.npy', r.rand(5, 40).astype(np.float32)); np.save('%t/xs.npy', (r.rand(5, 40) - 0.5).astype(np.float32)); np.save('%t/w.npy', (r.rand(40, 6) - 0.5).astype(np.float32))"
// RUN: %python %S/Inputs/integer_reference.py %t/x.npy %t/w.npy 6 5 0 %t/ref.npy
// RUN: %python %S/Inputs/integer_reference.py %t/xs.npy %t/w.npy 6 5 1 %t/ref-signed.npy

// Ideal ADC, differential columns, 2-bit cells, 16x16 crossbars (3 row tiles).
// RUN: %python %S/Inputs/make_model.py %s %t/w.npy %t/dc.mlir WSIGN=differential_columns ISIGN=unsigned "ADCMODE=mode = ideal" ADCBITS=0
// RUN: cim-opt %t/dc.mlir --cim-tile-crossbar -o %t/dc-tiled.mlir
// RUN: cim-run %t/dc-tiled.mlir --quantize --input %t/x.npy --output-dir %t/dc --stats %t/dc.json
// RUN: cmp %t/dc/y.npy %t/ref.npy
// RUN: cim-opt %t/dc-tiled.mlir --cim-map --cim-isa-pipeline | cim-translate --export-cim-bin -o %t/dc.cimbin
// RUN: cim-run %t/dc.cimbin --input %t/x.npy --output-dir %t/dc-isa
// RUN: cmp %t/dc-isa/y.npy %t/ref.npy
// RUN: FileCheck %s --check-prefix=EXACT < %t/dc.json
// EXACT: "bit_sliced_layer_runs": 0,
// EXACT: "exact_layer_runs": {{[1-9][0-9]*}},

// Offset weights and a full-range ADC at the lossless width (16 rows x 1 x 3
// -> 6 bits): exact, computed as one GEMM per tile.
// RUN: %python %S/Inputs/make_model.py %s %t/w.npy %t/of.mlir WSIGN=offset ISIGN=unsigned "ADCMODE=mode = full_range, bits = 6, min_bits = 2, max_bits = 8" ADCBITS=6
// RUN: cim-opt %t/of.mlir --cim-tile-crossbar -o %t/of-tiled.mlir
// RUN: cim-run %t/of-tiled.mlir --quantize --input %t/x.npy --output-dir %t/of
// RUN: cmp %t/of/y.npy %t/ref.npy
// RUN: cim-opt %t/of-tiled.mlir --cim-map --cim-isa-pipeline | cim-translate --export-cim-bin -o %t/of.cimbin
// RUN: cim-run %t/of.cimbin --input %t/x.npy --output-dir %t/of-isa
// RUN: cmp %t/of-isa/y.npy %t/ref.npy

// Signed activations: two's-complement weights and inputs; differential rows
// with offset inputs.
// RUN: %python %S/Inputs/make_model.py %s %t/w.npy %t/tc.mlir WSIGN=twos_complement ISIGN=twos_complement "ADCMODE=mode = ideal" ADCBITS=0
// RUN: cim-opt %t/tc.mlir --cim-tile-crossbar -o %t/tc-tiled.mlir
// RUN: cim-run %t/tc-tiled.mlir --quantize --input %t/xs.npy --output-dir %t/tc
// RUN: cmp %t/tc/y.npy %t/ref-signed.npy
// RUN: cim-opt %t/tc-tiled.mlir --cim-map --cim-isa-pipeline | cim-translate --export-cim-bin -o %t/tc.cimbin
// RUN: cim-run %t/tc.cimbin --input %t/xs.npy --output-dir %t/tc-isa
// RUN: cmp %t/tc-isa/y.npy %t/ref-signed.npy
// RUN: %python %S/Inputs/make_model.py %s %t/w.npy %t/dr.mlir WSIGN=differential_rows ISIGN=offset "ADCMODE=mode = ideal" ADCBITS=0
// RUN: cim-opt %t/dr.mlir --cim-tile-crossbar -o %t/dr-tiled.mlir
// RUN: cim-run %t/dr-tiled.mlir --quantize --input %t/xs.npy --output-dir %t/dr
// RUN: cmp %t/dr/y.npy %t/ref-signed.npy
// RUN: cim-opt %t/dr-tiled.mlir --cim-map --cim-isa-pipeline | cim-translate --export-cim-bin -o %t/dr.cimbin
// RUN: cim-run %t/dr.cimbin --input %t/xs.npy --output-dir %t/dr-isa
// RUN: cmp %t/dr-isa/y.npy %t/ref-signed.npy

// A 3-bit full-range ADC drops 3 bits per conversion: computed conversion by
// conversion, and no longer the GEMM.
// RUN: %python %S/Inputs/make_model.py %s %t/w.npy %t/lossy.mlir WSIGN=offset ISIGN=unsigned "ADCMODE=mode = full_range, bits = 6, min_bits = 2, max_bits = 8" ADCBITS=3
// RUN: cim-opt %t/lossy.mlir --cim-tile-crossbar -o %t/lossy-tiled.mlir
// RUN: cim-run %t/lossy-tiled.mlir --quantize --input %t/x.npy --output-dir %t/lossy --stats %t/lossy.json
// RUN: not cmp -s %t/lossy/y.npy %t/ref.npy
// RUN: cim-opt %t/lossy-tiled.mlir --cim-map --cim-isa-pipeline | cim-translate --export-cim-bin -o %t/lossy.cimbin
// RUN: cim-run %t/lossy.cimbin --input %t/x.npy --output-dir %t/lossy-isa
// RUN: cmp %t/lossy-isa/y.npy %t/lossy/y.npy
// RUN: FileCheck %s --check-prefix=SLICED < %t/lossy.json
// SLICED: "bit_sliced_layer_runs": {{[1-9][0-9]*}},

module attributes {cim.target = #cim.target<name = "t", rows = 16, cols = 16, parallel_rows = 16, cell_bits = 2, dac_bits = 1, adc = <ADCMODE>, weight_sign = WSIGN, input_sign = ISIGN, cores = 1, crossbars_per_core = 16>} {
  func.func @main(%x: tensor<5x40xf32> {onnx.name = "x"}) -> (tensor<5x6xf32> {onnx.name = "y"}) {
    %w = cim.constant dense<WEIGHTS> : tensor<40x6xf32>
    %y = cim.mvm %x, %w {precision = #cim.precision<weight_bits = 6, act_bits = 5, adc_bits = ADCBITS>} : tensor<5x40xf32>, tensor<40x6xf32> -> tensor<5x6xf32>
    return %y : tensor<5x6xf32>
  }
}
