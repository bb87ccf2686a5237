//===- TargetJSON.h - Target description translations -----------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TARGET_TARGETJSON_H
#define CIM_TARGET_TARGETJSON_H

namespace mlir::cim {

/// Registers `--import-target-json` (JSON file -> module carrying the
/// cim.target) and `--export-target-json` (module -> JSON).
void registerTargetJSONTranslations();

} // namespace mlir::cim

#endif // CIM_TARGET_TARGETJSON_H
