//===- CimPasses.td - Passes of the cim dialect -------------*- tablegen -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMPASSES_TD
#define CIM_DIALECT_CIM_CIMPASSES_TD

include "mlir/Pass/PassBase.td"

def CimSetTarget : Pass<"cim-set-target", "::mlir::ModuleOp"> {
  let summary = "Attach a hardware description to the module";
  let description = [{
    Loads a target description and stores it as the module attribute
    `cim.target`, where every later pass and the verifiers find it. `target`
    is a preset name (`isaac`, `puma`, `rwth-rram`, `sram-dcim`,
    `aihwkit-pcm`) or the path of a JSON file in the schema of
    docs/targets.md. Without `force`, a module that already carries a
    different target is an error rather than silently retargeted.

    Example:

    ```
    cim-opt model.mlir --cim-set-target=target=isaac
    ```

    ```mlir
    module attributes {cim.target = #cim.target<name = "isaac", rows = 128, ...>}
    ```
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"\"",
           "Preset name or path of a target JSON file">,
    Option<"force", "force", "bool", /*default=*/"false",
           "Replace a target the module already has">
  ];
}

#endif // CIM_DIALECT_CIM_CIMPASSES_TD
