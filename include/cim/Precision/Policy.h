//===- Policy.h - Per-layer precision policies as JSON ----------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The policy file cimc writes (`policy.json`) and replays (`--precision
// policy.json`), the one home of its schema:
//
//   {"layers": [{"name": N, "weight_bits": W, "act_bits": A,
//                "adc_bits": B (optional), "fp": "fp:..." (optional)}]}
//
// Layers are named as the cost model's reports name them.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_PRECISION_POLICY_H
#define CIM_PRECISION_POLICY_H

#include "cim/Dialect/Cim/CimOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/JSON.h"

#include <map>
#include <string>

namespace mlir::cim {

/// Crossbar layers by the name reports and policies use.
std::map<std::string, llvm::SmallVector<MvmOp>> policyLayersOf(ModuleOp module);

/// One layer's entry of a policy.
llvm::json::Object policyEntry(llvm::StringRef name, unsigned weightBits,
                               unsigned actBits, unsigned adcBits, FpAttr fp);

/// The policy of `module`: every crossbar layer's precision (`defaultW` /
/// `defaultA` for layers without one).
llvm::json::Value policyOf(ModuleOp module, unsigned defaultW,
                           unsigned defaultA);

/// Sets every layer's precision from the policy file at `path`; `error`
/// names the file, entry and field on failure.
LogicalResult applyPolicy(ModuleOp module, llvm::StringRef path,
                          std::string &error);

} // namespace mlir::cim

#endif // CIM_PRECISION_POLICY_H
