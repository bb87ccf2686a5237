//===- CimIndexingOps.cpp - Indexing ops of the cim dialect ---------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Verifiers of the ops in CimIndexingOps.td, and the parser of Einsum's
// equation (shared with the interpreter through EinsumOp::getSubscripts).
//
//===----------------------------------------------------------------------===//

#include "CimOpsCommon.h"
#include "cim/Dialect/Cim/CimOps.h"

#include "llvm/ADT/StringExtras.h"

#include <map>
#include <set>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::detail;

static LogicalResult checkReduction(Operation *op, StringRef reduction) {
  if (!llvm::is_contained({"none", "add", "mul", "max", "min"}, reduction))
    return op->emitOpError()
           << "expects reduction none, add, mul, max or min, got '" << reduction
           << "'";
  return success();
}

/// Shapes that must match where both are known.
static LogicalResult checkSameDims(Operation *op, const Twine &what,
                                   ArrayRef<int64_t> actual,
                                   ArrayRef<int64_t> expected) {
  if (actual.size() != expected.size())
    return op->emitOpError() << "expects " << what << " of rank "
                             << expected.size() << ", got " << actual.size();
  for (auto [i, a, e] : llvm::enumerate(actual, expected))
    if (failed(checkDim(op, what + " dimension " + Twine(i), a, e)))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Scatters and N-D gathers
//===----------------------------------------------------------------------===//

LogicalResult ScatterElementsOp::verify() {
  RankedTensorType data = tensorType(getData());
  if (failed(normalizeAxis(*this, "axis", getAxis(), data.getRank())) ||
      failed(checkReduction(*this, getReduction())) ||
      failed(checkSameElementType(*this, getData(), getUpdates(), "data",
                                  "updates")))
    return failure();
  if (getOutput().getType() != data)
    return emitOpError() << "expects the output type to be the data's (" << data
                         << "), got " << getOutput().getType();
  if (failed(checkSameDims(*this, "updates",
                           tensorType(getUpdates()).getShape(),
                           tensorType(getIndices()).getShape())))
    return failure();
  if (tensorType(getIndices()).getRank() != data.getRank())
    return emitOpError() << "expects indices of the data's rank "
                         << data.getRank() << ", got "
                         << getIndices().getType();
  return success();
}

LogicalResult ScatterNdOp::verify() {
  RankedTensorType data = tensorType(getData()),
                   indices = tensorType(getIndices());
  if (failed(checkReduction(*this, getReduction())) ||
      failed(checkSameElementType(*this, getData(), getUpdates(), "data",
                                  "updates")))
    return failure();
  if (getOutput().getType() != data)
    return emitOpError() << "expects the output type to be the data's (" << data
                         << "), got " << getOutput().getType();
  if (indices.getRank() < 1 || !isStatic(indices.getShape().back()) ||
      indices.getShape().back() > data.getRank())
    return emitOpError() << "expects indices [..., k] with a static k of at "
                            "most the data's rank "
                         << data.getRank() << ", got " << indices;
  int64_t k = indices.getShape().back();
  SmallVector<int64_t> expected(indices.getShape().drop_back());
  llvm::append_range(expected, data.getShape().drop_front(k));
  return checkShape(*this, "updates", tensorType(getUpdates()), expected);
}

LogicalResult GatherNdOp::verify() {
  RankedTensorType data = tensorType(getData()),
                   indices = tensorType(getIndices());
  if (failed(checkSameElementType(*this, getData(), getOutput(), "data",
                                  "output")))
    return failure();
  int64_t b = getBatchDims();
  if (b < 0 || b >= std::min(data.getRank(), indices.getRank()))
    return emitOpError() << "expects batch_dims in [0, "
                         << std::min(data.getRank(), indices.getRank())
                         << "), got " << b;
  int64_t k = indices.getShape().back();
  if (!isStatic(k) || k < 1 || k > data.getRank() - b)
    return emitOpError() << "expects the index vectors' size in [1, "
                         << data.getRank() - b << "], got " << k;
  for (int64_t d = 0; d < b; ++d)
    if (failed(checkDim(*this, "indices batch dimension " + Twine(d),
                        indices.getDimSize(d), data.getDimSize(d))))
      return failure();
  SmallVector<int64_t> expected(indices.getShape().drop_back());
  llvm::append_range(expected, data.getShape().drop_front(b + k));
  return checkShape(*this, "output", tensorType(getOutput()), expected);
}

LogicalResult ReverseSequenceOp::verify() {
  RankedTensorType in = tensorType(getInput());
  if (getOutput().getType() != in)
    return emitOpError() << "expects the output type to be the input's (" << in
                         << "), got " << getOutput().getType();
  if (in.getRank() < 2)
    return emitOpError() << "expects an input of rank 2 or more, got " << in;
  int64_t batch = getBatchAxis(), time = getTimeAxis();
  if (!((batch == 0 && time == 1) || (batch == 1 && time == 0)))
    return emitOpError() << "expects batch_axis and time_axis to be 0 and 1 "
                            "in some order, got "
                         << batch << " and " << time;
  RankedTensorType lens = tensorType(getSequenceLens());
  if (lens.getRank() != 1)
    return emitOpError() << "expects 1-D sequence_lens, got " << lens;
  return checkDim(*this, "the number of sequence_lens", lens.getDimSize(0),
                  in.getDimSize(batch));
}

//===----------------------------------------------------------------------===//
// Selections whose size depends on values
//===----------------------------------------------------------------------===//

LogicalResult CompressOp::verify() {
  RankedTensorType in = tensorType(getInput()), out = tensorType(getOutput()),
                   condition = tensorType(getCondition());
  if (failed(checkSameElementType(*this, getInput(), getOutput(), "input",
                                  "output")))
    return failure();
  if (condition.getRank() != 1)
    return emitOpError() << "expects a 1-D condition, got " << condition;
  int64_t available = product(in.getShape());
  std::optional<int64_t> axis = getAxis();
  if (axis) {
    FailureOr<int64_t> a = normalizeAxis(*this, "axis", *axis, in.getRank());
    if (failed(a))
      return failure();
    SmallVector<int64_t> expected(in.getShape());
    expected[*a] = out.getRank() == in.getRank() ? out.getDimSize(*a)
                                                 : ShapedType::kDynamic;
    if (failed(checkShape(*this, "output", out, expected)))
      return failure();
    available = in.getDimSize(*a);
    int64_t kept = out.getDimSize(*a);
    if (isStatic(kept) && isStatic(available) &&
        isStatic(condition.getDimSize(0)) &&
        kept > std::min(available, condition.getDimSize(0)))
      return emitOpError() << "keeps " << kept << " slices of at most "
                           << std::min(available, condition.getDimSize(0));
    return success();
  }
  if (out.getRank() != 1)
    return emitOpError() << "expects a 1-D output without an axis, got " << out;
  int64_t kept = out.getDimSize(0);
  if (isStatic(kept) && isStatic(available) &&
      isStatic(condition.getDimSize(0)) &&
      kept > std::min(available, condition.getDimSize(0)))
    return emitOpError() << "keeps " << kept << " elements of at most "
                         << std::min(available, condition.getDimSize(0));
  return success();
}

LogicalResult NonZeroOp::verify() {
  RankedTensorType in = tensorType(getInput()), out = tensorType(getOutput());
  if (out.getRank() != 2)
    return emitOpError() << "expects a 2-D output [rank, count], got " << out;
  if (failed(checkDim(*this, "the output's first dimension (the input's rank)",
                      out.getDimSize(0), in.getRank())))
    return failure();
  int64_t n = product(in.getShape()), count = out.getDimSize(1);
  if (isStatic(n) && isStatic(count) && count > n)
    return emitOpError() << "expects at most " << n
                         << " non-zero elements, got " << count;
  return success();
}

LogicalResult UniqueOp::verify() {
  RankedTensorType in = tensorType(getInput()), out = tensorType(getOutput());
  if (failed(checkSameElementType(*this, getInput(), getOutput(), "input",
                                  "output")))
    return failure();
  int64_t unique, total;
  if (std::optional<int64_t> axis = getAxis()) {
    FailureOr<int64_t> a = normalizeAxis(*this, "axis", *axis, in.getRank());
    if (failed(a))
      return failure();
    SmallVector<int64_t> expected(in.getShape());
    expected[*a] = out.getRank() == in.getRank() ? out.getDimSize(*a)
                                                 : ShapedType::kDynamic;
    if (failed(checkShape(*this, "output", out, expected)))
      return failure();
    unique = out.getDimSize(*a);
    total = in.getDimSize(*a);
  } else {
    if (out.getRank() != 1)
      return emitOpError() << "expects a 1-D output without an axis, got "
                           << out;
    unique = out.getDimSize(0);
    total = product(in.getShape());
  }
  if (isStatic(unique) && isStatic(total) && unique > total)
    return emitOpError() << "expects at most " << total
                         << " unique values, got " << unique;
  if (failed(
          checkShape(*this, "indices", tensorType(getIndices()), {unique})) ||
      failed(checkShape(*this, "counts", tensorType(getCounts()), {unique})) ||
      failed(checkShape(*this, "inverse_indices",
                        tensorType(getInverseIndices()), {total})))
    return failure();
  return success();
}

LogicalResult TopKOp::verify() {
  RankedTensorType in = tensorType(getInput()),
                   values = tensorType(getValues());
  FailureOr<int64_t> axis =
      normalizeAxis(*this, "axis", getAxis(), in.getRank());
  if (failed(axis) || failed(checkSameElementType(
                          *this, getInput(), getValues(), "input", "values")))
    return failure();
  SmallVector<int64_t> expected(in.getShape());
  expected[*axis] = values.getRank() == in.getRank() ? values.getDimSize(*axis)
                                                     : ShapedType::kDynamic;
  if (failed(checkShape(*this, "values", values, expected)) ||
      failed(checkShape(*this, "indices", tensorType(getIndices()),
                        values.getShape())))
    return failure();
  int64_t k = values.getDimSize(*axis), size = in.getDimSize(*axis);
  if (isStatic(k) && isStatic(size) && k > size)
    return emitOpError() << "expects k of at most " << size << ", got " << k;
  if (Value kValue = getK())
    if (product(tensorType(kValue).getShape()) != 1)
      return emitOpError() << "expects a one-element k, got "
                           << kValue.getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Closed forms
//===----------------------------------------------------------------------===//

LogicalResult BitShiftOp::verify() {
  if (failed(verifyBroadcastBinary(*this)))
    return failure();
  if (!tensorType(getLhs()).getElementType().isUnsignedInteger())
    return emitOpError() << "expects unsigned integers, got "
                         << getLhs().getType();
  if (getDirection() != "left" && getDirection() != "right")
    return emitOpError() << "expects direction left or right, got '"
                         << getDirection() << "'";
  return success();
}

LogicalResult OneHotOp::verify() {
  RankedTensorType indices = tensorType(getIndices()),
                   out = tensorType(getOutput());
  if (failed(checkSameElementType(*this, getValues(), getOutput(), "values",
                                  "output")))
    return failure();
  if (product(tensorType(getValues()).getShape()) != 2)
    return emitOpError() << "expects two values (off, on), got "
                         << getValues().getType();
  if (Value depth = getDepth())
    if (product(tensorType(depth).getShape()) != 1)
      return emitOpError() << "expects a one-element depth, got "
                           << depth.getType();
  FailureOr<int64_t> axis =
      normalizeAxis(*this, "axis", getAxis(), indices.getRank() + 1);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> expected(indices.getShape());
  expected.insert(expected.begin() + *axis,
                  out.getRank() == indices.getRank() + 1
                      ? out.getDimSize(*axis)
                      : ShapedType::kDynamic);
  return checkShape(*this, "output", out, expected);
}

LogicalResult EinsumOp::getSubscripts(SmallVectorImpl<std::string> &inputs,
                                      std::string &output) {
  std::string equation;
  for (char c : getEquation())
    if (c != ' ')
      equation += c;
  StringRef lhs = equation, rhs;
  bool explicitOutput = StringRef(equation).contains("->");
  if (explicitOutput)
    std::tie(lhs, rhs) = StringRef(equation).split("->");
  SmallVector<StringRef> terms;
  lhs.split(terms, ',');
  if (terms.size() != getInputs().size())
    return failure();
  // The broadcast dimensions: as many as the largest `...` covers, aligned
  // to the right, named '0', '1', ... (the equation's own are letters).
  int64_t ellipsisRank = 0;
  for (auto [term, v] : llvm::zip(terms, getInputs())) {
    int64_t rank = tensorType(v).getRank();
    if (llvm::any_of(term,
                     [](char c) { return !llvm::isAlpha(c) && c != '.'; }))
      return failure();
    size_t dots = term.find("...");
    if (dots == StringRef::npos) {
      if (int64_t(term.size()) != rank)
        return failure();
      continue;
    }
    int64_t letters = int64_t(term.size()) - 3;
    if (term.find("...", dots + 3) != StringRef::npos || letters > rank)
      return failure();
    ellipsisRank = std::max(ellipsisRank, rank - letters);
  }
  if (ellipsisRank > 10 ||
      llvm::any_of(rhs, [](char c) { return !llvm::isAlpha(c) && c != '.'; }))
    return failure();
  auto expand = [&](StringRef term, int64_t rank) -> std::string {
    std::string result;
    size_t dots = term.find("...");
    if (dots == StringRef::npos)
      return term.str();
    int64_t n = rank - (int64_t(term.size()) - 3);
    result = term.take_front(dots).str();
    for (int64_t i = ellipsisRank - n; i < ellipsisRank; ++i)
      result += char('0' + i);
    result += term.drop_front(dots + 3).str();
    return result;
  };
  inputs.clear();
  for (auto [term, v] : llvm::zip(terms, getInputs())) {
    inputs.push_back(expand(term, tensorType(v).getRank()));
    for (char c : inputs.back())
      if (c == '.')
        return failure();
  }
  if (explicitOutput) {
    output = expand(rhs, ellipsisRank + int64_t(rhs.size()) -
                             (rhs.contains("...") ? 3 : 0));
    std::set<char> seen;
    for (char c : output)
      if (c == '.' || !seen.insert(c).second ||
          llvm::none_of(inputs, [&](const std::string &s) {
            return s.find(c) != std::string::npos;
          }))
        return failure();
    return success();
  }
  // Implicit output: the broadcast dimensions, then the letters that occur
  // once, alphabetically.
  output.clear();
  for (int64_t i = 0; i < ellipsisRank; ++i)
    output += char('0' + i);
  std::map<char, int> occurrences;
  for (const std::string &s : inputs)
    for (char c : s)
      if (llvm::isAlpha(c))
        ++occurrences[c];
  for (auto [c, n] : occurrences)
    if (n == 1)
      output += c;
  return success();
}

LogicalResult EinsumOp::verify() {
  if (getInputs().empty())
    return emitOpError() << "expects at least one operand";
  for (Value v : getInputs())
    if (failed(checkSameElementType(*this, getInputs().front(), v, "operands",
                                    "operands")))
      return failure();
  if (failed(checkSameElementType(*this, getInputs().front(), getOutput(),
                                  "operands", "output")))
    return failure();
  SmallVector<std::string> inputs;
  std::string output;
  if (failed(getSubscripts(inputs, output)))
    return emitOpError() << "equation '" << getEquation()
                         << "' does not match the operands' ranks";
  // Every letter has one size (broadcast dimensions may be 1).
  std::map<char, int64_t> sizes;
  for (auto [term, v] : llvm::zip(inputs, getInputs())) {
    ArrayRef<int64_t> shape = tensorType(v).getShape();
    for (auto [c, d] : llvm::zip(term, shape)) {
      auto [it, inserted] = sizes.try_emplace(c, d);
      if (inserted || it->second == d || !isStatic(d))
        continue;
      if (llvm::isDigit(c) && (it->second == 1 || d == 1)) {
        it->second = std::max(it->second, d);
        continue;
      }
      return emitOpError() << "expects one size for subscript '" << c
                           << "', got " << it->second << " and " << d;
    }
  }
  SmallVector<int64_t> expected;
  for (char c : output)
    expected.push_back(sizes[c]);
  return checkShape(*this, "output", tensorType(getOutput()), expected);
}

LogicalResult WindowOp::verify() {
  if (!llvm::is_contained({"hann", "hamming", "blackman"}, getKind()))
    return emitOpError() << "expects kind hann, hamming or blackman, got '"
                         << getKind() << "'";
  if (failed(checkRank(*this, "output", getOutput(), 1)))
    return failure();
  if (Value size = getSize())
    if (product(tensorType(size).getShape()) != 1)
      return emitOpError() << "expects a one-element size, got "
                           << size.getType();
  return success();
}

LogicalResult DetOp::verify() {
  RankedTensorType in = tensorType(getInput());
  if (failed(checkSameElementType(*this, getInput(), getOutput(), "input",
                                  "output")))
    return failure();
  if (in.getRank() < 2)
    return emitOpError() << "expects matrices [..., M, M], got " << in;
  if (failed(checkDim(*this, "the matrices' columns", in.getShape().back(),
                      in.getShape()[in.getRank() - 2])))
    return failure();
  return checkShape(*this, "output", tensorType(getOutput()),
                    in.getShape().drop_back(2));
}
