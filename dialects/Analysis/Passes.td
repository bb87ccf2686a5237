//===- Passes.td - Passes of the analysis layer ------------*- tablegen -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef CIM_ANALYSIS_PASSES_TD
#define CIM_ANALYSIS_PASSES_TD

include "mlir/Pass/PassBase.td"

def CimReport : Pass<"cim-report", "::mlir::ModuleOp"> {
  let summary = "Print the cost model's per-layer table or JSON";
  let description = [{
    Runs the cost model (lib/Hardware/CostModel) on the module and prints,
    per layer (one ONNX node) and in total: crossbars, utilization, DAC
    cycles, row groups, ADC conversions, latency (MVM, programming, digital,
    data movement), energy by component and the expected input popcount.
    `json` prints JSON (a `layers` list and a `total` object); `model=
    pelke2026` uses the published latency model of Pelke et al. (DATE 2026)
    instead of ours; `output` writes to a file instead of stdout;
    `skip-zero-cycles` models hardware that skips all-zero DAC cycles (their
    expected number, from each layer's `cim.input_ones`, is reported as
    `skipped_dac_cycles`). The module is not changed.

    Example:

    ```
    cim-opt model.mlir --cim-report=json
    cim-opt model.mlir --cim-report="model=pelke2026 json output=r.json"
    ```
  }];
  let options = [
    Option<"json", "json", "bool", /*default=*/"false", "Print JSON">,
    Option<"model", "model", "::mlir::cim::cost::LatencyModel",
           /*default=*/"::mlir::cim::cost::LatencyModel::cim",
           "Latency model: cim (ours) or pelke2026",
           "::mlir::cim::cost::latencyModelValues()">,
    Option<"output", "output", "std::string", /*default=*/"\"-\"",
           "File to write the report to ('-' = stdout)">,
    Option<"skipZeroCycles", "skip-zero-cycles", "bool", /*default=*/"false",
           "The hardware skips DAC cycles whose input bits are all zero in "
           "a row group (expected from cim.input_ones)">
  ];
}

#endif // CIM_ANALYSIS_PASSES_TD
