//===- Dataset.cpp - Batches and top-1 accuracy over a data set -----------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Runs an evaluator over slices of a data set on two threads (slice b is
// invocation b for the noise model) and scores its logits: what cimc's
// accuracy report, calibration and the precision search measure with.
//
//===----------------------------------------------------------------------===//

#include "cim/Interpreter/GraphEvaluator.h"

#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::eval;

llvm::Expected<std::vector<std::vector<float>>>
eval::runBatches(const GraphEvaluator &evaluator, llvm::ArrayRef<float> inputs,
                 int64_t batches) {
  if (evaluator.getInputShapes().empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "the model has no input");
  llvm::ArrayRef<int64_t> shape = evaluator.getInputShapes().front();
  int64_t size = 1;
  for (int64_t d : shape)
    size *= d;
  if (batches < 0 || int64_t(inputs.size()) < batches * size)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::formatv("{0} batches need {1} input values, got {2}", batches,
                      batches * size, inputs.size()));
  std::vector<std::vector<float>> outputs(batches);
  std::string error;
  std::mutex errorLock;
  std::atomic<int64_t> next{0};
  auto worker = [&] {
    for (int64_t b = next++; b < batches; b = next++) {
      auto begin = inputs.begin() + b * size;
      Tensor input =
          Tensor::floats(shape, std::vector<float>(begin, begin + size));
      llvm::Expected<std::vector<Tensor>> out =
          evaluator.run({input}, nullptr, {}, uint64_t(b));
      if (!out) {
        std::lock_guard<std::mutex> guard(errorLock);
        error = llvm::toString(out.takeError());
        return;
      }
      Tensor &first = out->front();
      outputs[b] = first.isInteger
                       ? std::vector<float>(first.i.begin(), first.i.end())
                       : std::move(first.f);
    }
  };
  std::thread helper(worker);
  worker();
  helper.join();
  if (!error.empty())
    return llvm::createStringError(llvm::inconvertibleErrorCode(), error);
  return outputs;
}

llvm::Expected<std::vector<bool>>
eval::topOneCorrect(const GraphEvaluator &evaluator,
                    llvm::ArrayRef<float> inputs,
                    llvm::ArrayRef<int64_t> labels, int64_t batches) {
  llvm::Expected<std::vector<std::vector<float>>> outputs =
      runBatches(evaluator, inputs, batches);
  if (!outputs)
    return outputs.takeError();
  llvm::ArrayRef<int64_t> shape = evaluator.getInputShapes().front();
  int64_t perBatch = shape.empty() ? 1 : shape[0];
  if (int64_t(labels.size()) < batches * perBatch)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::formatv("{0} batches need {1} labels, got {2}", batches,
                      batches * perBatch, labels.size()));
  return topOneCorrectOf(*outputs, labels, perBatch);
}

std::vector<bool>
eval::topOneCorrectOf(llvm::ArrayRef<std::vector<float>> outputs,
                      llvm::ArrayRef<int64_t> labels, int64_t perBatch) {
  std::vector<bool> correct;
  correct.reserve(outputs.size() * perBatch);
  for (auto [b, logits] : llvm::enumerate(outputs)) {
    int64_t classes = int64_t(logits.size()) / perBatch;
    for (int64_t i = 0; i < perBatch; ++i) {
      auto row = logits.begin() + i * classes;
      int64_t best = std::max_element(row, row + classes) - row;
      correct.push_back(best == labels[b * perBatch + i]);
    }
  }
  return correct;
}

llvm::Expected<double> eval::topOneAccuracy(const GraphEvaluator &evaluator,
                                            llvm::ArrayRef<float> inputs,
                                            llvm::ArrayRef<int64_t> labels,
                                            int64_t batches) {
  llvm::Expected<std::vector<bool>> correct =
      topOneCorrect(evaluator, inputs, labels, batches);
  if (!correct)
    return correct.takeError();
  if (correct->empty())
    return 0.0;
  return double(llvm::count(*correct, true)) / double(correct->size());
}
