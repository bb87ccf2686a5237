// Upstream mlir-opt (Debian's, linked against libMLIR.so) loads the cim
// dialect and passes from the plugin and runs them.

// RUN: mlir-opt %s --load-dialect-plugin=%cim_libs/CimPlugin%shlibext | FileCheck %s --check-prefix=DIALECT
// RUN: mlir-opt %s --load-dialect-plugin=%cim_libs/CimPlugin%shlibext --load-pass-plugin=%cim_libs/CimPlugin%shlibext --pass-pipeline="builtin.module(cim-set-target{target=rwth-rram},canonicalize)" | FileCheck %s --check-prefix=PASS
// RUN: mlir-opt %s --load-pass-plugin=%cim_libs/CimPlugin%shlibext --load-dialect-plugin=%cim_libs/CimPlugin%shlibext --pass-pipeline="builtin.module(cim-set-target{target=isaac})" | FileCheck %s --check-prefix=ISAAC
// RUN: not mlir-opt %s --load-dialect-plugin=%cim_libs/CimPlugin%shlibext --load-pass-plugin=%cim_libs/CimPlugin%shlibext --pass-pipeline="builtin.module(cim-set-target{target=nope})" 2>&1 | FileCheck %s --check-prefix=ERROR
// RUN: not mlir-opt %s 2>&1 | FileCheck %s --check-prefix=NOPLUGIN

// DIALECT-LABEL: func.func @f
// DIALECT: cim.reshape
// DIALECT: cim.reshape
// PASS: module attributes {cim.target = #cim.target<name = "rwth-rram"
// PASS-LABEL: func.func @f
// PASS-NEXT: cim.reshape %{{.*}} : tensor<2x3x4xf32> -> tensor<24xf32>
// PASS-NEXT: return
// ISAAC: #cim.target<name = "isaac"
// ERROR: error: unknown target 'nope'
// NOPLUGIN: Dialect `cim' not found for custom op 'cim.reshape'

func.func @f(%x: tensor<2x3x4xf32>) -> tensor<24xf32> {
  %0 = cim.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = cim.reshape %0 : tensor<6x4xf32> -> tensor<24xf32>
  return %1 : tensor<24xf32>
}
