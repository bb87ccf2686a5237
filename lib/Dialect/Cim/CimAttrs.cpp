//===- CimAttrs.cpp - Attributes of the cim dialect -----------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Range checks of the hardware description and of precision choices. The
// target JSON loader (lib/Hardware) builds attributes through these
// verifiers, so every rule lives here once.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/Cim/CimAttrs.h"
#include "cim/Dialect/Cim/CimDialect.h"
#include "cim/Numerics/CrossbarMVM.h"
#include "cim/Numerics/FloatingPoint.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::cim;

#include "cim/Dialect/Cim/CimEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "cim/Dialect/Cim/CimAttrs.cpp.inc"

void CimDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "cim/Dialect/Cim/CimAttrs.cpp.inc"
      >();
}

TargetAttr mlir::cim::lookupTarget(Operation *op) {
  for (; op; op = op->getParentOp())
    if (auto target =
            op->getAttrOfType<TargetAttr>(CimDialect::getTargetAttrName()))
      return target;
  return {};
}

FailureOr<TargetAttr> mlir::cim::requireTarget(Operation *op, StringRef user) {
  if (TargetAttr target = lookupTarget(op))
    return target;
  // A missing target is a property of the module: name its location
  // rather than printing the whole module after the message.
  InFlightDiagnostic diag =
      llvm::isa<ModuleOp>(op) ? emitError(op->getLoc()) : op->emitError();
  return diag << user
              << " needs a target: attach one with "
                 "--cim-set-target=target=NAME";
}

/// Shortest decimal form of `value` ("0.1", "-1", "+Inf") for messages.
static std::string formatReal(const APFloat &value) {
  SmallString<16> text;
  value.toString(text);
  return std::string(text);
}

/// Latencies, energies and noise levels are physical quantities: finite and
/// not negative.
static LogicalResult checkReal(function_ref<InFlightDiagnostic()> emitError,
                               StringRef group,
                               ArrayRef<std::pair<StringRef, APFloat>> fields) {
  for (const auto &[name, value] : fields)
    if (!value.isFinite() || value.isNegative())
      return emitError() << group << "." << name
                         << " must be a finite non-negative number, got "
                         << formatReal(value);
  return success();
}

//===----------------------------------------------------------------------===//
// AdcAttr
//===----------------------------------------------------------------------===//

/// Widest ADC the cost model and the interpreter accept.
static constexpr unsigned kMaxAdcBits = 16;

LogicalResult AdcAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                              AdcMode mode, unsigned bits, unsigned minBits,
                              unsigned maxBits) {
  if (mode != AdcMode::full_range && mode != AdcMode::clipped) {
    if (bits || minBits || maxBits)
      return emitError() << "adc.mode '" << stringifyAdcMode(mode)
                         << "' has no resolution: adc.bits, adc.min_bits and "
                            "adc.max_bits must be 0";
    return success();
  }
  if (minBits < 1 || maxBits > kMaxAdcBits || minBits > bits || bits > maxBits)
    return emitError() << "adc bits must satisfy 1 <= adc.min_bits (" << minBits
                       << ") <= adc.bits (" << bits << ") <= adc.max_bits ("
                       << maxBits << ") <= " << kMaxAdcBits;
  return success();
}

//===----------------------------------------------------------------------===//
// LatencyAttr, EnergyAttr, NoiseAttr
//===----------------------------------------------------------------------===//

LogicalResult LatencyAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  APFloat mvmCycle, APFloat programCrossbar,
                                  APFloat digitalOp, APFloat memoryByte,
                                  APFloat sync) {
  return checkReal(emitError, "latency",
                   {{"mvm_cycle", mvmCycle},
                    {"program_crossbar", programCrossbar},
                    {"digital_op", digitalOp},
                    {"memory_byte", memoryByte},
                    {"sync", sync}});
}

LogicalResult EnergyAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 APFloat dac, APFloat cell, APFloat adc,
                                 APFloat shiftAdd, APFloat digitalOp,
                                 APFloat bufferByte, APFloat memoryByte,
                                 APFloat programCell) {
  return checkReal(emitError, "energy",
                   {{"dac", dac},
                    {"cell", cell},
                    {"adc", adc},
                    {"shift_add", shiftAdd},
                    {"digital_op", digitalOp},
                    {"buffer_byte", bufferByte},
                    {"memory_byte", memoryByte},
                    {"program_cell", programCell}});
}

LogicalResult NoiseAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                APFloat thermalLsb, APFloat read,
                                APFloat programming, APFloat adcNonlinearity,
                                APFloat activeCell) {
  if (failed(checkReal(emitError, "noise",
                       {{"thermal_lsb", thermalLsb},
                        {"read", read},
                        {"programming", programming},
                        {"adc_nonlinearity", adcNonlinearity},
                        {"active_cell", activeCell}})))
    return failure();
  // y / (1 + n|y|) on |y| <= 1 must stay monotonic and invertible.
  if (adcNonlinearity.convertToDouble() >= 1.0)
    return emitError() << "noise.adc_nonlinearity must be below 1, got "
                       << formatReal(adcNonlinearity);
  return success();
}

//===----------------------------------------------------------------------===//
// TargetAttr
//===----------------------------------------------------------------------===//

/// Crossbar dimensions beyond this are not physical and would overflow the
/// cost model's counters.
static constexpr unsigned kMaxCrossbarDim = 65536;
/// Cells and DACs resolve at most this many bits.
static constexpr unsigned kMaxCellBits = 8;

LogicalResult
TargetAttr::verify(function_ref<InFlightDiagnostic()> emitError, StringRef name,
                   unsigned rows, unsigned cols, unsigned parallelRows,
                   unsigned cellBits, unsigned dacBits, AdcAttr adc,
                   WeightSign weightSign, InputSign inputSign, unsigned cores,
                   unsigned crossbarsPerCore, MemoryAttr memory,
                   LatencyAttr latency, EnergyAttr energy, NoiseAttr noise,
                   bool weightReprogramming, bool floatAlignment) {
  if (name.empty())
    return emitError() << "name must not be empty";
  if (rows < 1 || rows > kMaxCrossbarDim)
    return emitError() << "rows must be in [1, " << kMaxCrossbarDim << "], got "
                       << rows;
  if (cols < 1 || cols > kMaxCrossbarDim)
    return emitError() << "cols must be in [1, " << kMaxCrossbarDim << "], got "
                       << cols;
  if (parallelRows < 1 || parallelRows > rows)
    return emitError() << "parallel_rows must be in [1, rows = " << rows
                       << "], got " << parallelRows;
  if (cellBits < 1 || cellBits > kMaxCellBits)
    return emitError() << "cell_bits must be in [1, " << kMaxCellBits
                       << "], got " << cellBits;
  if (dacBits < 1 || dacBits > kMaxCellBits)
    return emitError() << "dac_bits must be in [1, " << kMaxCellBits
                       << "], got " << dacBits;
  if (!adc)
    return emitError() << "adc must be given";
  if (weightSign == WeightSign::differential_rows && parallelRows < 2)
    return emitError() << "weight_sign 'differential_rows' needs at least 2 "
                          "parallel rows (one pair), got "
                       << parallelRows;
  // A digital adder tree adds exact products: one cell bit, one input bit.
  if (adc.getMode() == AdcMode::adder_tree && (cellBits != 1 || dacBits != 1))
    return emitError() << "adc.mode 'adder_tree' needs cell_bits = 1 and "
                          "dac_bits = 1, got "
                       << cellBits << " and " << dacBits;
  if (cores < 1)
    return emitError() << "cores must be at least 1, got " << cores;
  if (crossbarsPerCore < 1)
    return emitError() << "crossbars_per_core must be at least 1, got "
                       << crossbarsPerCore;
  return success();
}

/// The array of `target` as the numerics see it: what sets the column sums
/// (rows per conversion, DAC and cell widths, analog subtraction of
/// differential rows); precisions and the ADC do not enter.
static numerics::CrossbarConfig arrayConfig(const TargetAttr &target) {
  numerics::CrossbarConfig config;
  config.parallelRows = target.getParallelRows();
  config.dacBits = target.getDacBits();
  config.cellBits = target.getCellBits();
  // Analog subtraction and flipped columns change the largest sum.
  if (target.getWeightSign() == WeightSign::differential_rows)
    config.weightSign = numerics::WeightSign::differential_rows;
  if (target.getWeightSign() == WeightSign::offset_flipped)
    config.weightSign = numerics::WeightSign::offset_flipped;
  return config;
}

uint64_t TargetAttr::getMaxColumnSum() const {
  return uint64_t(numerics::fullScaleColumnSum(arrayConfig(*this)));
}

unsigned TargetAttr::getLosslessAdcBits() const {
  return numerics::losslessAdcBits(arrayConfig(*this));
}

//===----------------------------------------------------------------------===//
// PrecisionAttr
//===----------------------------------------------------------------------===//

/// Integer formats run on crossbars up to this width; 16-bit formats are the
/// floating-point CIM mode's.
static constexpr unsigned kMaxIntBits = 8;

LogicalResult
PrecisionAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      unsigned weightBits, unsigned actBits, unsigned adcBits,
                      ScaleGranularity granularity, FpAttr fp) {
  if (fp) {
    // The crossbar computes on the aligned mantissas: the widths follow.
    if (weightBits != fp.getWeightMan() + 2)
      return emitError() << "weight_bits must be weight_man + 2 = "
                         << fp.getWeightMan() + 2
                         << " for a floating-point layer (sign, hidden bit "
                            "and mantissa), got "
                         << weightBits;
    if (actBits != fp.getAlignedBits() + 1)
      return emitError() << "act_bits must be aligned_bits + 1 = "
                         << fp.getAlignedBits() + 1
                         << " for a floating-point layer (sign and aligned "
                            "mantissa), got "
                         << actBits;
    if (granularity != ScaleGranularity::channel)
      return emitError() << "a floating-point layer has one exponent per row "
                            "group and column: granularity must be 'channel'";
    return success();
  }
  // Symmetric signed weights need a sign and at least one magnitude bit.
  if (weightBits < 2 || weightBits > kMaxIntBits)
    return emitError() << "weight_bits must be in [2, " << kMaxIntBits
                       << "], got " << weightBits;
  if (actBits < 1 || actBits > kMaxIntBits)
    return emitError() << "act_bits must be in [1, " << kMaxIntBits << "], got "
                       << actBits;
  if (adcBits > kMaxAdcBits)
    return emitError() << "adc_bits must be in [0, " << kMaxAdcBits << "], got "
                       << adcBits;
  return success();
}

LogicalResult FpAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                             unsigned inputExp, unsigned inputMan,
                             unsigned weightExp, unsigned weightMan,
                             unsigned alignedBits, bool truncate) {
  for (auto [name, bits] :
       {std::pair<const char *, unsigned>{"input_exp", inputExp},
        {"weight_exp", weightExp}})
    if (bits < numerics::kMinExpBits || bits > numerics::kMaxExpBits)
      return emitError() << name << " must be in [" << numerics::kMinExpBits
                         << ", " << numerics::kMaxExpBits << "], got " << bits;
  for (auto [name, bits] :
       {std::pair<const char *, unsigned>{"input_man", inputMan},
        {"weight_man", weightMan}})
    if (bits > numerics::kMaxManBits)
      return emitError() << name << " must be in [0, " << numerics::kMaxManBits
                         << "], got " << bits;
  // Signed aligned mantissas drive at most 16-bit inputs.
  if (alignedBits < 1 || alignedBits > 15)
    return emitError() << "aligned_bits must be in [1, 15], got "
                       << alignedBits;
  return success();
}

LogicalResult PrecisionAttr::verifyAgainst(
    TargetAttr target, function_ref<InFlightDiagnostic()> emitError) const {
  if (getFp() && !target.getFloatAlignment())
    return emitError() << "a floating-point precision needs a target with "
                          "float_alignment (FP-CIM); target '"
                       << target.getName() << "' has none";
  if (getFp() && target.getRows() % target.getParallelRows() != 0)
    return emitError() << "floating-point layers align per row group: target '"
                       << target.getName() << "' has " << target.getRows()
                       << " rows, not a multiple of its "
                       << target.getParallelRows() << " parallel rows";
  AdcAttr adc = target.getAdc();
  unsigned adcBits = getAdcBits();
  if (!adc.isConverting()) {
    if (adcBits != 0)
      return emitError() << "adc_bits = " << adcBits << " but target '"
                         << target.getName() << "' has a read-out of mode '"
                         << stringifyAdcMode(adc.getMode())
                         << "' without resolution (adc_bits must be 0)";
    return success();
  }
  if (adcBits != 0 &&
      (adcBits < adc.getMinBits() || adcBits > adc.getMaxBits()))
    return emitError() << "adc_bits = " << adcBits << " is outside ["
                       << adc.getMinBits() << ", " << adc.getMaxBits()
                       << "], the ADC range of target '" << target.getName()
                       << "'";
  return success();
}
