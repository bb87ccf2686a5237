//===- cim-plugin.cpp - cim as a plugin for upstream mlir-opt -------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
//   mlir-opt --load-dialect-plugin=CimPlugin.so \
//            --load-pass-plugin=CimPlugin.so \
//            --pass-pipeline='builtin.module(cim-set-target{target=isaac})'
//
//===----------------------------------------------------------------------===//

#include "cim/InitAll.h"

#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "Cim", LLVM_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            mlir::cim::registerAllDialects(*registry);
            mlir::cim::registerAllPasses();
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "CimPasses", LLVM_VERSION_STRING,
          []() { mlir::cim::registerAllPasses(); }};
}
