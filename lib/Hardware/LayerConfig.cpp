//===- LayerConfig.cpp - From the IR to the numerics ----------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Hardware/LayerConfig.h"

#include "cim/Dialect/Cim/CimDialect.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace mlir::cim;

// The numerics mirror the dialect's enums case for case; a new case on
// either side must be added to both.
#define CIM_SAME_CASE(Enum, Case)                                              \
  static_assert(uint32_t(Enum::Case) == uint32_t(numerics::Enum::Case),        \
                #Enum "::" #Case " differs between the dialect and numerics")
CIM_SAME_CASE(AdcMode, ideal);
CIM_SAME_CASE(AdcMode, full_range);
CIM_SAME_CASE(AdcMode, clipped);
CIM_SAME_CASE(AdcMode, adder_tree);
CIM_SAME_CASE(WeightSign, offset);
CIM_SAME_CASE(WeightSign, differential_columns);
CIM_SAME_CASE(WeightSign, differential_rows);
CIM_SAME_CASE(WeightSign, twos_complement);
CIM_SAME_CASE(WeightSign, offset_flipped);
CIM_SAME_CASE(InputSign, unsigned_);
CIM_SAME_CASE(InputSign, twos_complement);
CIM_SAME_CASE(InputSign, offset);
CIM_SAME_CASE(ScaleGranularity, tensor);
CIM_SAME_CASE(ScaleGranularity, channel);
CIM_SAME_CASE(ScaleGranularity, tile);
CIM_SAME_CASE(ScaleGranularity, tile_column);
#undef CIM_SAME_CASE

numerics::AdcMode cim::toNumerics(AdcMode mode) {
  return numerics::AdcMode(uint32_t(mode));
}
numerics::WeightSign cim::toNumerics(WeightSign sign) {
  return numerics::WeightSign(uint32_t(sign));
}
numerics::InputSign cim::toNumerics(InputSign sign) {
  return numerics::InputSign(uint32_t(sign));
}
numerics::ScaleGranularity cim::toNumerics(ScaleGranularity granularity) {
  return numerics::ScaleGranularity(uint32_t(granularity));
}

AdcMode cim::toDialect(numerics::AdcMode mode) {
  return AdcMode(uint32_t(mode));
}
WeightSign cim::toDialect(numerics::WeightSign sign) {
  return WeightSign(uint32_t(sign));
}
InputSign cim::toDialect(numerics::InputSign sign) {
  return InputSign(uint32_t(sign));
}

numerics::LayerCalibration cim::layerCalibrationOf(Operation *op) {
  numerics::LayerCalibration calibration;
  if (auto range = CimDialect::getAdcRange(op))
    calibration.adcRange = numerics::AdcRange{range->first, range->second};
  calibration.nonnegativeInputs =
      op->hasAttr(CimDialect::getNonnegativeInputsAttrName());
  calibration.signedInputs = op->hasAttr(CimDialect::getSignedInputsAttrName());
  if (auto maxOnes =
          op->getAttrOfType<IntegerAttr>(CimDialect::getActMaxOnesAttrName()))
    calibration.actMaxOnes = unsigned(maxOnes.getInt());
  if (auto maxOnes = op->getAttrOfType<IntegerAttr>(
          CimDialect::getWeightMaxOnesAttrName()))
    calibration.weightMaxOnes = unsigned(maxOnes.getInt());
  return calibration;
}

numerics::CrossbarConfig
cim::layerConfig(TargetAttr target, PrecisionAttr precision,
                 llvm::ArrayRef<int64_t> slices, unsigned defaultWeightBits,
                 unsigned defaultActBits,
                 const numerics::LayerCalibration &calibration) {
  numerics::CrossbarConfig config;
  config.weightBits = precision ? precision.getWeightBits() : defaultWeightBits;
  config.inputBits = precision ? precision.getActBits() : defaultActBits;
  config.cellBits = target.getCellBits();
  config.dacBits = target.getDacBits();
  for (int64_t s : slices)
    config.sliceWidths.push_back(unsigned(s));
  config.parallelRows = target.getParallelRows();
  config.weightSign = toNumerics(target.getWeightSign());
  config.inputSign = toNumerics(target.getInputSign());
  config.adcMode = toNumerics(target.getAdc().getMode());
  config.adcBits = precision && precision.getAdcBits()
                       ? precision.getAdcBits()
                       : target.getAdc().getBits();
  numerics::applyLayerCalibration(config, calibration,
                                  /*alignedInputs=*/precision &&
                                      precision.getFp());
  return config;
}

numerics::CrossbarConfig cim::layerConfig(CrossbarLayerOpInterface layer,
                                          TargetAttr target,
                                          unsigned defaultWeightBits,
                                          unsigned defaultActBits) {
  return layerConfig(target, layer.getLayerPrecision(), layer.getSliceWidths(),
                     defaultWeightBits, defaultActBits,
                     layerCalibrationOf(layer));
}

numerics::WeightCodes cim::tileWeightCodes(
    CrossbarLayerOpInterface layer, const numerics::CrossbarConfig &config,
    llvm::function_ref<double(int64_t)> at, int64_t k, int64_t n) {
  PrecisionAttr precision = layer.getLayerPrecision();
  auto [r0, r1] = layer.getRowRange();
  auto [c0, c1] = layer.getColumnRange();
  return numerics::quantizeWeights(at, k, n, r0, r1, c0, c1,
                                   toNumerics(precision
                                                  ? precision.getGranularity()
                                                  : ScaleGranularity::channel),
                                   numerics::weightCodeRange(config),
                                   CimDialect::getFixedWeightScales(layer),
                                   numerics::weightCodebook(config));
}

std::vector<double> cim::floatValues(DenseElementsAttr dense, bool viaFloat32) {
  std::vector<double> values;
  values.reserve(dense.getNumElements());
  if (dense.getElementType().isF32()) {
    for (float v : dense.getValues<float>())
      values.push_back(double(v));
    return values;
  }
  for (const APFloat &v : dense.getValues<APFloat>()) {
    bool lost;
    APFloat f = v;
    f.convert(viaFloat32 ? APFloat::IEEEsingle() : APFloat::IEEEdouble(),
              APFloat::rmNearestTiesToEven, &lost);
    values.push_back(viaFloat32 ? double(f.convertToFloat())
                                : f.convertToDouble());
  }
  return values;
}

numerics::FpCimConfig cim::fpConfigOf(FpAttr fp,
                                      const numerics::CrossbarConfig &config) {
  numerics::FpCimConfig out;
  out.input = {fp.getInputExp(), fp.getInputMan()};
  out.weight = {fp.getWeightExp(), fp.getWeightMan()};
  out.inputAlignedBits = fp.getAlignedBits();
  out.weightAlignedBits = fp.getWeightMan() + 1;
  out.truncate = fp.getTruncate();
  out.groupRows = numerics::groupRowCount(config);
  return out;
}

numerics::NoiseConfig cim::noiseFromAttr(NoiseAttr attr, uint64_t seed,
                                         uint64_t stream) {
  numerics::NoiseConfig noise;
  noise.seed = seed;
  noise.stream = stream;
  if (!attr)
    return noise;
  noise.thermalLsb = attr.getThermalLsb().convertToDouble();
  noise.read = attr.getRead().convertToDouble();
  noise.programming = attr.getProgramming().convertToDouble();
  noise.adcNonlinearity = attr.getAdcNonlinearity().convertToDouble();
  noise.activeCell = attr.getActiveCell().convertToDouble();
  return noise;
}
