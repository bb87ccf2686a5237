//===- LayerConfig.h - From the IR to the numerics ---------------*- C++
//-*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The bridge between the dialect and lib/Numerics (which knows no MLIR): a
// crossbar layer's `#cim.target`, `#cim.precision` and calibration
// attributes become the plain `numerics::CrossbarConfig` every evaluator,
// the lowering and the cost model compute with. The one place that reads
// those attributes for the arithmetic.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_HARDWARE_LAYERCONFIG_H
#define CIM_HARDWARE_LAYERCONFIG_H

#include "cim/Dialect/Cim/CimAttrs.h"
#include "cim/Dialect/Cim/CimInterfaces.h"
#include "cim/Numerics/FloatingPoint.h"
#include "cim/Numerics/Noise.h"
#include "cim/Numerics/Quantize.h"

#include "llvm/ADT/ArrayRef.h"

#include <vector>

namespace mlir {
class DenseElementsAttr;
class Operation;
} // namespace mlir

namespace mlir::cim {

/// The dialect's enums as the numerics' (case for case).
numerics::AdcMode toNumerics(AdcMode mode);
numerics::WeightSign toNumerics(WeightSign sign);
numerics::InputSign toNumerics(InputSign sign);
numerics::ScaleGranularity toNumerics(ScaleGranularity granularity);
/// And back, for ops that record a layer's arithmetic.
AdcMode toDialect(numerics::AdcMode mode);
WeightSign toDialect(numerics::WeightSign sign);
InputSign toDialect(numerics::InputSign sign);

/// What calibration attached to a crossbar layer's op: `cim.adc_range`,
/// `cim.nonnegative_inputs`, `cim.signed_inputs`, `cim.act_max_ones`,
/// `cim.weight_max_ones`.
numerics::LayerCalibration layerCalibrationOf(Operation *op);

/// The arithmetic of a crossbar layer at `precision` (the defaults when
/// null) on `target`, with explicit slice widths when given, adjusted by
/// its calibration (`numerics::applyLayerCalibration`).
numerics::CrossbarConfig
layerConfig(TargetAttr target, PrecisionAttr precision,
            llvm::ArrayRef<int64_t> slices, unsigned defaultWeightBits = 8,
            unsigned defaultActBits = 8,
            const numerics::LayerCalibration &calibration = {});

/// The arithmetic of crossbar layer `layer` on `target`: its precision (the
/// defaults when it has none), slice widths and calibration.
numerics::CrossbarConfig layerConfig(CrossbarLayerOpInterface layer,
                                     TargetAttr target,
                                     unsigned defaultWeightBits = 8,
                                     unsigned defaultActBits = 8);

/// The integer weight codes crossbar layer `layer` stores for its rows x
/// columns block of its k x n weight matrix (read through `at`) on
/// `config`: its precision's scale granularity (per channel without one),
/// its fixed scales when pre-quantized (`cim.weight_scales`) and its
/// zero-bit codebook. The one recipe the lowering, the cost model and the
/// evaluator share.
numerics::WeightCodes tileWeightCodes(CrossbarLayerOpInterface layer,
                                      const numerics::CrossbarConfig &config,
                                      llvm::function_ref<double(int64_t)> at,
                                      int64_t k, int64_t n);

/// The elements of a float constant (a layer's weights) as doubles: rounded
/// to float32 first with `viaFloat32` (what the evaluator computes with and
/// the lowering programs), else exactly (the cost model's reading; the two
/// differ only for constants wider than float32).
std::vector<double> floatValues(DenseElementsAttr dense, bool viaFloat32);

/// The FP-CIM formats of a floating-point layer (`#cim.fp`) on the crossbar
/// `config` (its row groups are the alignment groups). Weights are aligned
/// offline, so they round whatever `truncate` says of the inputs.
numerics::FpCimConfig fpConfigOf(FpAttr fp,
                                 const numerics::CrossbarConfig &config);

/// The non-idealities of a target's `#cim.noise` (a null attribute is
/// noiseless), with the given seed and stream.
numerics::NoiseConfig noiseFromAttr(NoiseAttr attr, uint64_t seed,
                                    uint64_t stream = 0);

} // namespace mlir::cim

#endif // CIM_HARDWARE_LAYERCONFIG_H
