//===- Target.h - Hardware descriptions from JSON ---------------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Loading and saving `#cim.target` attributes in the JSON schema of
// docs/targets.md. Presets from targets/ are compiled into the library, so
// tools find them wherever they are installed.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_HARDWARE_TARGET_H
#define CIM_HARDWARE_TARGET_H

#include "cim/Dialect/Cim/CimAttrs.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <optional>

namespace mlir::cim {

/// Names of the bundled presets, sorted.
llvm::ArrayRef<llvm::StringRef> getTargetPresetNames();

/// JSON text of the preset `name`, if there is one.
std::optional<llvm::StringRef> getTargetPresetJSON(llvm::StringRef name);

/// Parses a target description. Errors name `sourceName` and the offending
/// field; every range rule of `#cim.target` applies.
llvm::Expected<TargetAttr> parseTargetJSON(llvm::StringRef json,
                                           llvm::StringRef sourceName,
                                           MLIRContext *context);

/// Loads a preset by name, or else the JSON file at `nameOrPath`.
llvm::Expected<TargetAttr> loadTarget(llvm::StringRef nameOrPath,
                                      MLIRContext *context);

/// The JSON form of `target`; parseTargetJSON of its text gives `target` back.
llvm::json::Value targetToJSON(TargetAttr target);

} // namespace mlir::cim

#endif // CIM_HARDWARE_TARGET_H
