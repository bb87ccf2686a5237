//===- Signal.h - Closed-form signal-processing tables ----------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Tables that are pure functions of a few scalars: the importer folds them
// to constants when the scalars are constants, the evaluator computes them
// when they are not, and both must agree, so they live here, below both.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_NUMERICS_SIGNAL_H
#define CIM_NUMERICS_SIGNAL_H

#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace mlir::cim::numerics {

/// ONNX MelWeightMatrix-17 as ONNX's reference computes it: the row-major
/// [dftLength / 2 + 1, numMelBins] triangular filter bank. Fails with a
/// message (no op name) when the parameters are out of range, e.g. a band
/// beyond the spectrogram's last bin.
llvm::Expected<std::vector<double>>
melWeightMatrix(int64_t numMelBins, int64_t dftLength, int64_t sampleRate,
                double lowerEdgeHertz, double upperEdgeHertz);

} // namespace mlir::cim::numerics

#endif // CIM_NUMERICS_SIGNAL_H
