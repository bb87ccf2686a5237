//===- CalibrationData.cpp - Reading calibration batches ------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "CalibrationData.h"

#include "cim/Support/Npy.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::cim;

llvm::Expected<CalibrationData>
cim::readCalibrationData(const eval::GraphEvaluator &evaluator,
                         llvm::StringRef path, unsigned samples) {
  auto error = [](const llvm::Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  };
  if (evaluator.getInputShapes().size() != 1)
    return error("the model has " +
                 llvm::Twine(evaluator.getInputShapes().size()) +
                 " inputs; calibration supports one");
  llvm::Expected<npy::Array> array = npy::read(path);
  if (!array)
    return array.takeError();
  llvm::Expected<std::vector<float>> values = npy::toFloat32(*array);
  if (!values)
    return error(path + ": " + llvm::toString(values.takeError()));
  llvm::ArrayRef<int64_t> want = evaluator.getInputShapes().front();
  llvm::ArrayRef<int64_t> got = array->shape;
  if (want.empty() || want[0] < 1 || got.size() != want.size() || got[0] == 0 ||
      got[0] % want[0] != 0 || got.drop_front() != want.drop_front()) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << path << " has shape [";
    llvm::interleaveComma(got, os);
    os << "], the model's input is [";
    llvm::interleaveComma(want, os);
    os << "] (or a multiple of its leading dimension)";
    return error(text);
  }
  CalibrationData data;
  data.batches = got[0] / want[0];
  if (samples > 0)
    data.batches = std::min<int64_t>(data.batches, samples);
  data.batchSize = 1;
  for (int64_t d : want)
    data.batchSize *= d;
  data.values = std::move(*values);
  data.values.resize(data.batches * data.batchSize);
  return data;
}

llvm::Error cim::runCalibrationBatches(
    const eval::GraphEvaluator &evaluator, const CalibrationData &data,
    const eval::GraphEvaluator::Observer &observer,
    llvm::function_ref<void(const eval::Tensor &)> onInput, eval::Stats *stats,
    bool numberedInvocations) {
  llvm::ArrayRef<int64_t> shape = evaluator.getInputShapes().front();
  for (int64_t b = 0; b < data.batches; ++b) {
    auto begin = data.values.begin() + b * data.batchSize;
    eval::Tensor input = eval::Tensor::floats(
        shape, std::vector<float>(begin, begin + data.batchSize));
    if (onInput)
      onInput(input);
    eval::Stats batchStats;
    llvm::Expected<std::vector<eval::Tensor>> out =
        evaluator.run({input}, stats ? &batchStats : nullptr, observer,
                      numberedInvocations ? uint64_t(b) : 0);
    if (!out)
      return out.takeError();
    if (stats)
      stats->merge(batchStats);
  }
  return llvm::Error::success();
}
