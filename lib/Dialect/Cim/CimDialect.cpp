//===- CimDialect.cpp - The cim dialect -----------------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimDialect.h"
#include "cim/Dialect/Cim/CimOps.h"

#include "mlir/IR/BuiltinOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::cim;

#include "cim/Dialect/Cim/CimOpsDialect.cpp.inc"

void CimDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "cim/Dialect/Cim/CimOps.cpp.inc"
      >();
  registerAttributes();
}

Operation *CimDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}

std::optional<std::pair<int64_t, int64_t>>
CimDialect::getAdcRange(Operation *op) {
  auto range = op->getAttrOfType<DenseI64ArrayAttr>(getAdcRangeAttrName());
  if (!range || range.size() != 2)
    return std::nullopt;
  return std::make_pair(range[0], range[1]);
}

bool CimDialect::hasFixedScales(Operation *op) {
  return op->hasAttr(getWeightScalesAttrName());
}

ArrayRef<double> CimDialect::getFixedWeightScales(Operation *op) {
  if (auto scales =
          op->getAttrOfType<DenseF64ArrayAttr>(getWeightScalesAttrName()))
    return scales.asArrayRef();
  return {};
}

std::optional<double> CimDialect::getInputClip(Operation *op, int64_t maxCode) {
  if (auto scale = op->getAttrOfType<FloatAttr>(getInputScaleAttrName()))
    return scale.getValueAsDouble() * double(maxCode);
  auto calibration =
      op->getAttrOfType<DictionaryAttr>(getCalibrationAttrName());
  if (!calibration)
    return std::nullopt;
  // A clip per code width (cim-calibrate method=mse): the one for
  // maxCode = 2^m - 1 levels of magnitude.
  if (auto clips = calibration.getAs<DenseF64ArrayAttr>("clips"))
    if (maxCode > 0 && llvm::isPowerOf2_64(uint64_t(maxCode) + 1)) {
      unsigned m = llvm::Log2_64(uint64_t(maxCode) + 1);
      if (m >= 1 && m <= clips.size())
        return clips[m - 1];
    }
  if (auto clip = calibration.getAs<FloatAttr>("clip"))
    return clip.getValueAsDouble();
  return std::nullopt;
}

LogicalResult CimDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  if (attr.getName() == getTargetAttrName()) {
    if (!isa<TargetAttr>(attr.getValue()))
      return op->emitError()
             << "'" << getTargetAttrName()
             << "' must be a #cim.target attribute, got " << attr.getValue();
    if (!isa<ModuleOp>(op))
      return op->emitError() << "'" << getTargetAttrName()
                             << "' may only be attached to a builtin.module";
    return success();
  }
  if (attr.getName() == getCalibrationAttrName()) {
    auto dict = dyn_cast<DictionaryAttr>(attr.getValue());
    if (!dict)
      return op->emitError()
             << "'" << getCalibrationAttrName()
             << "' must be a dictionary, got " << attr.getValue();
    for (StringRef key : {"min", "max", "absmax", "clip"})
      if (!dict.getAs<FloatAttr>(key))
        return op->emitError() << "'" << getCalibrationAttrName()
                               << "' needs a float '" << key << "'";
    if (!dict.getAs<IntegerAttr>("samples"))
      return op->emitError() << "'" << getCalibrationAttrName()
                             << "' needs an integer 'samples'";
    if (Attribute clips = dict.get("clips")) {
      auto array = dyn_cast<DenseF64ArrayAttr>(clips);
      if (!array || array.empty() ||
          llvm::any_of(array.asArrayRef(),
                       [](double c) { return !(c > 0) || !std::isfinite(c); }))
        return op->emitError()
               << "'" << getCalibrationAttrName()
               << "' has 'clips' that are not positive finite f64 values "
                  "(one per code width)";
    }
    return success();
  }
  if (attr.getName() == getCoreAttrName()) {
    auto core = dyn_cast<IntegerAttr>(attr.getValue());
    if (!core || core.getInt() < 0)
      return op->emitError()
             << "'" << getCoreAttrName()
             << "' must be a non-negative integer, got " << attr.getValue();
    if (TargetAttr target = lookupTarget(op))
      if (core.getInt() >= int64_t(target.getCores()))
        return op->emitError()
               << "runs on core " << core.getInt() << ", but target '"
               << target.getName() << "' has " << target.getCores();
    return success();
  }
  if (attr.getName() == getNonnegativeInputsAttrName() ||
      attr.getName() == getSignedInputsAttrName()) {
    if (!isa<UnitAttr>(attr.getValue()))
      return op->emitError() << "'" << attr.getName().getValue()
                             << "' must be a unit attribute";
    return success();
  }
  if (attr.getName() == getInputOnesAttrName() ||
      attr.getName() == getZeroCyclesAttrName()) {
    auto p = dyn_cast<FloatAttr>(attr.getValue());
    if (!p || !(p.getValueAsDouble() >= 0.0) || !(p.getValueAsDouble() <= 1.0))
      return op->emitError() << "'" << attr.getName().getValue()
                             << "' must be a float in [0, 1] ("
                             << (attr.getName() == getInputOnesAttrName()
                                     ? "the probability that an input bit is 1"
                                     : "the fraction of all-zero DAC cycles")
                             << "), got " << attr.getValue();
    return success();
  }
  if (attr.getName() == getActMaxOnesAttrName()) {
    auto maxOnes = dyn_cast<IntegerAttr>(attr.getValue());
    if (!maxOnes || maxOnes.getInt() < 1 || maxOnes.getInt() > 62)
      return op->emitError() << "'" << getActMaxOnesAttrName()
                             << "' must be an integer in [1, 62] (the most "
                                "'1' bits of an input code), got "
                             << attr.getValue();
    return success();
  }
  if (attr.getName() == getWeightMaxOnesAttrName()) {
    auto maxOnes = dyn_cast<IntegerAttr>(attr.getValue());
    if (!maxOnes || maxOnes.getInt() < 1 || maxOnes.getInt() > 16)
      return op->emitError() << "'" << getWeightMaxOnesAttrName()
                             << "' must be an integer in [1, 16] (the most "
                                "'1' bits of a weight magnitude), got "
                             << attr.getValue();
    return success();
  }
  if (attr.getName() == getInputScaleAttrName()) {
    auto scale = dyn_cast<FloatAttr>(attr.getValue());
    if (!scale || !(scale.getValueAsDouble() > 0) ||
        !std::isfinite(scale.getValueAsDouble()))
      return op->emitError()
             << "'" << getInputScaleAttrName()
             << "' must be a positive finite float, got " << attr.getValue();
    return success();
  }
  if (attr.getName() == getWeightScalesAttrName()) {
    auto scales = dyn_cast<DenseF64ArrayAttr>(attr.getValue());
    if (!scales || scales.empty() ||
        llvm::any_of(scales.asArrayRef(),
                     [](double s) { return !(s > 0) || !std::isfinite(s); }))
      return op->emitError() << "'" << getWeightScalesAttrName()
                             << "' must be a non-empty array<f64> of "
                                "positive finite scales, got "
                             << attr.getValue();
    // One per weight column (the last dimension of a crossbar layer's
    // weight), or one for all.
    if (op->getNumOperands() >= 2)
      if (auto weight = dyn_cast<RankedTensorType>(op->getOperand(1).getType()))
        if (weight.getRank() == 2 && scales.size() != 1 &&
            int64_t(scales.size()) != weight.getDimSize(1))
          return op->emitError()
                 << "'" << getWeightScalesAttrName() << "' has "
                 << scales.size() << " scales for a weight of "
                 << weight.getDimSize(1) << " columns (expected 1 or "
                 << weight.getDimSize(1) << ")";
    return success();
  }
  if (attr.getName() == getAdcRangeAttrName()) {
    auto range = dyn_cast<DenseI64ArrayAttr>(attr.getValue());
    if (!range || range.size() != 2 || range[0] > range[1])
      return op->emitError()
             << "'" << getAdcRangeAttrName()
             << "' must be array<i64: low, high> with low <= high, got "
             << attr.getValue();
    if (TargetAttr target = lookupTarget(op))
      if (target.getAdc().getMode() != AdcMode::clipped)
        return op->emitError()
               << "has an ADC range, but target '" << target.getName()
               << "' has a " << stringifyAdcMode(target.getAdc().getMode())
               << " ADC, whose range is fixed";
    return success();
  }
  return op->emitError() << "unknown cim dialect attribute '"
                         << attr.getName().getValue() << "'";
}
