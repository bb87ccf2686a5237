//===- ImportControlFlow.cpp - If with a condition known at import -------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// cim compiles static dataflow graphs, so control flow only imports where it
// folds: an If whose condition is a constant once shapes are static and
// constants are folded (exporters guard rank and size checks this way, and
// --input-value fixes a mode or sample-rate input) is replaced by the nodes
// of the branch it takes. Loop and Scan are rejected in ImportONNX.cpp.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "llvm/ADT/ScopeExit.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::onnx_import;

LogicalResult ONNXImporter::importIf(const onnx::NodeProto &node) {
  Value cond = input(node, 0);
  if (!cond)
    return failure();
  DenseElementsAttr condition = constantOf(cond);
  if (!condition)
    return nodeError(node) << "the condition is not known at import, and cim "
                              "only imports an If that folds: "
                           << unknownValueReason(node.input(0));
  if (condition.getNumElements() != 1 ||
      !condition.getElementType().isInteger(1))
    return nodeError(node) << "the condition must be a one-element boolean, "
                              "got "
                           << condition.getType();
  bool taken = *condition.getValues<bool>().begin();
  StringRef branchName = taken ? "then_branch" : "else_branch";
  const onnx::AttributeProto *branchAttr = attr(node, branchName);
  if (!branchAttr || !branchAttr->has_g())
    return nodeError(node) << "missing graph attribute '" << branchName << "'";
  const onnx::GraphProto &branch = branchAttr->g();
  if (branch.output_size() != node.output_size())
    return nodeError(node) << branchName << " has " << branch.output_size()
                           << " outputs, the node " << node.output_size();

  // The branch's own constants join the pending initializers; the model
  // outlives the import, so their bytes can be released after use as the
  // main graph's are.
  for (const auto &init : branch.initializer())
    pending[init.name()] = const_cast<onnx::TensorProto *>(&init);
  for (const auto &init : branch.initializer())
    remainingUses[init.name()] = 0;
  countUses(branch);
  for (const auto &info : branch.value_info())
    if (isStaticTensor(info.type()))
      valueTypes[info.name()] = &info.type();

  std::string outerScope = scope;
  int outerIndex = nodeIndex;
  scope = " in the " + branchName.str() + " of node " +
          (node.name().empty() ? "#" + std::to_string(nodeIndex)
                               : "'" + node.name() + "'") +
          " (If)" + outerScope;
  nodeIndex = 0;
  llvm::scope_exit restore([&] {
    scope = outerScope;
    nodeIndex = outerIndex;
  });
  for (const auto &inner : branch.node()) {
    ++nodeIndex;
    if (failed(importNode(inner)))
      return failure();
  }
  for (int i = 0; i < node.output_size(); ++i) {
    const std::string &name = branch.output(i).name();
    if (pending.count(name) && !materialize(name))
      return failure();
    Value v = values.lookup(name);
    if (!v)
      return emitError(nodeLoc(node)) << branchName << " output '" << name
                                      << "' is not produced by any node";
    (void)define(node, i, v);
  }
  return success();
}
