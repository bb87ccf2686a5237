//===- CimAttrs.td - Attributes of the cim dialect ----------*- tablegen -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The hardware description (`#cim.target`) and the per-layer number formats
// (`#cim.precision`). Parameter names equal the keys of the target JSON files
// (docs/targets.md) so that one error message serves both.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMATTRS_TD
#define CIM_DIALECT_CIM_CIMATTRS_TD

include "Cim/CimDialect.td"
include "Cim/CimEnums.td"
include "mlir/IR/AttrTypeBase.td"

class Cim_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Cim_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Cim_PadModeAttr : EnumAttr<Cim_Dialect, Cim_PadMode, "pad_mode">;
def Cim_GeluApproximationAttr
    : EnumAttr<Cim_Dialect, Cim_GeluApproximation, "gelu_approximation">;
def Cim_ReduceKindAttr : EnumAttr<Cim_Dialect, Cim_ReduceKind, "reduce_kind">;
def Cim_ComparePredicateAttr
    : EnumAttr<Cim_Dialect, Cim_ComparePredicate, "predicate">;
def Cim_ScaleGranularityAttr
    : EnumAttr<Cim_Dialect, Cim_ScaleGranularity, "granularity">;
def Cim_AdcModeAttr : EnumAttr<Cim_Dialect, Cim_AdcMode, "adc_mode">;
def Cim_WeightSignAttr : EnumAttr<Cim_Dialect, Cim_WeightSign, "weight_sign">;
def Cim_InputSignAttr : EnumAttr<Cim_Dialect, Cim_InputSign, "input_sign">;

/// A non-negative real number (latency in ns, energy in pJ, noise sigma),
/// printed in the shortest form that parses back to the same double.
class Cim_RealParameter<string desc>
    : AttrParameter<"::llvm::APFloat", desc> {
  let parser = [{ [&]() -> ::mlir::FailureOr<::llvm::APFloat> {
      double value;
      if ($_parser.parseFloat(value))
        return ::mlir::failure();
      return ::llvm::APFloat(value);
    }() }];
  let printer = [{ $_printer.printFloat($_self) }];
  let comparator = "$_lhs.bitwiseIsEqual($_rhs)";
  let defaultValue = "::llvm::APFloat(0.0)";
}

//===----------------------------------------------------------------------===//
// Parts of the target description
//===----------------------------------------------------------------------===//

def Cim_AdcAttr : Cim_Attr<"Adc", "adc"> {
  let summary = "Column read-out of a crossbar: ADC mode and resolution";
  let description = [{
    `mode` is one of `ideal`, `full_range`, `clipped`, `adder_tree`. For the
    converting modes (`full_range`, `clipped`) `bits` is the default
    resolution and `[min_bits, max_bits]` the range a precision choice may
    pick from (1..16). `ideal` and `adder_tree` have no resolution: all three
    numbers are 0.

    Example:

    ```mlir
    #cim.adc<mode = full_range, bits = 8, min_bits = 4, max_bits = 10>
    #cim.adc<mode = ideal>
    ```
  }];
  let parameters = (ins
    EnumParameter<Cim_AdcMode>:$mode,
    DefaultValuedParameter<"unsigned", "0">:$bits,
    DefaultValuedParameter<"unsigned", "0">:$min_bits,
    DefaultValuedParameter<"unsigned", "0">:$max_bits);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// True when the read-out converts with finite resolution.
    bool isConverting() const {
      return getMode() == AdcMode::full_range || getMode() == AdcMode::clipped;
    }
  }];
}

def Cim_MemoryAttr : Cim_Attr<"Memory", "memory"> {
  let summary = "Buffer and memory sizes of the target, in bytes";
  let description = [{
    Example:

    ```mlir
    #cim.memory<input_buffer_bytes = 2048, output_buffer_bytes = 256,
                global_bytes = 67108864>
    ```
  }];
  let parameters = (ins
    DefaultValuedParameter<"uint64_t", "0">:$input_buffer_bytes,
    DefaultValuedParameter<"uint64_t", "0">:$output_buffer_bytes,
    DefaultValuedParameter<"uint64_t", "0">:$global_bytes);
  let assemblyFormat = "`<` struct(params) `>`";
}

def Cim_LatencyAttr : Cim_Attr<"Latency", "latency"> {
  let summary = "Latencies of the target's events, in nanoseconds";
  let description = [{
    * `mvm_cycle`: one DAC cycle on one row group of a crossbar, including the
      conversion of all its columns;
    * `program_crossbar`: writing the cells of one whole crossbar;
    * `digital_op`: one element of a digital vector operation;
    * `memory_byte`: moving one byte between global memory and a core;
    * `sync`: one inter-core synchronization.

    Example:

    ```mlir
    #cim.latency<mvm_cycle = 100.0, program_crossbar = 1.0e+05,
                 digital_op = 1.0, memory_byte = 0.0625, sync = 10.0>
    ```
  }];
  let parameters = (ins
    Cim_RealParameter<"ns per DAC cycle and row group">:$mvm_cycle,
    Cim_RealParameter<"ns per crossbar programmed">:$program_crossbar,
    Cim_RealParameter<"ns per digital element op">:$digital_op,
    Cim_RealParameter<"ns per byte moved">:$memory_byte,
    Cim_RealParameter<"ns per synchronization">:$sync);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Cim_EnergyAttr : Cim_Attr<"Energy", "energy"> {
  let summary = "Energies of the target's events, in picojoules";
  let description = [{
    * `dac`: driving one row for one DAC cycle;
    * `cell`: one active cell for one DAC cycle (array read energy);
    * `adc`: one conversion at the ADC's default resolution (the cost model
      scales it with the chosen bits);
    * `shift_add`: one shift-and-add of a partial sum;
    * `digital_op`: one element of a digital vector operation;
    * `buffer_byte`: one byte read or written in a core buffer;
    * `memory_byte`: one byte moved to or from global memory;
    * `program_cell`: programming one cell.

    Example:

    ```mlir
    #cim.energy<dac = 0.417, cell = 0.001, adc = 1.67, shift_add = 0.021>
    ```
  }];
  let parameters = (ins
    Cim_RealParameter<"pJ per row drive">:$dac,
    Cim_RealParameter<"pJ per active cell and cycle">:$cell,
    Cim_RealParameter<"pJ per conversion">:$adc,
    Cim_RealParameter<"pJ per shift-add">:$shift_add,
    Cim_RealParameter<"pJ per digital element op">:$digital_op,
    Cim_RealParameter<"pJ per buffer byte">:$buffer_byte,
    Cim_RealParameter<"pJ per global memory byte">:$memory_byte,
    Cim_RealParameter<"pJ per programmed cell">:$program_cell);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Cim_NoiseAttr : Cim_Attr<"Noise", "noise"> {
  let summary = "Analog non-idealities of the target (all 0 = noiseless)";
  let description = [{
    * `thermal_lsb`: sigma of Gaussian noise per conversion, in ADC LSBs;
    * `read`: sigma of read noise per conversion, relative to the full-scale
      column sum;
    * `programming`: sigma of per-cell programming variation, relative to the
      cell's conductance range;
    * `adc_nonlinearity`: the aihwkit-style compression coefficient `n`,
      `y <- y / (1 + n |y|)` on the normalized column sum (must be < 1);
    * `active_cell`: sigma of the read noise of each conducting cell (a
      non-zero cell driven by a non-zero input digit), relative to the
      cell's largest level: a conversion with n such cells carries
      `sigma^2 = active_cell^2 (2^cell - 1)^2 n` (ZEBRA's model
      `sigma_col^2 = sigma_cell^2 n_active + sigma_adc^2`, with
      `thermal_lsb` the ADC's term).

    Example:

    ```mlir
    #cim.noise<thermal_lsb = 0.5, programming = 0.02>
    ```
  }];
  let parameters = (ins
    Cim_RealParameter<"sigma in ADC LSBs">:$thermal_lsb,
    Cim_RealParameter<"sigma relative to full scale">:$read,
    Cim_RealParameter<"sigma relative to cell range">:$programming,
    Cim_RealParameter<"compression coefficient">:$adc_nonlinearity,
    Cim_RealParameter<"sigma per active cell">:$active_cell);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    bool isNoiseless() const {
      return getThermalLsb().isZero() && getRead().isZero() &&
             getProgramming().isZero() && getAdcNonlinearity().isZero() &&
             getActiveCell().isZero();
    }
  }];
}

//===----------------------------------------------------------------------===//
// TargetAttr
//===----------------------------------------------------------------------===//

def Cim_TargetAttr : Cim_Attr<"Target", "target"> {
  let summary = "Description of a computing-in-memory accelerator";
  let description = [{
    Everything the compiler needs to know about the hardware: crossbar
    geometry (`rows` x `cols`, of which `parallel_rows` are driven at once),
    bits per cell and per DAC cycle, the column read-out (`#cim.adc`), how
    signed weights and inputs are represented, the number of cores and of
    crossbars per core, buffer sizes, and the latency, energy and noise of
    each hardware event. `weight_reprogramming` says whether a model larger
    than the chip may run by rewriting crossbars between layers (the mapping
    then counts the writes, as Pelke et al. do) instead of being rejected.
    `float_alignment` says the macro has floating-point CIM's exponent
    comparison tree and mantissa shifters (FP-CIM): layers may then use a
    floating-point precision (`#cim.fp`), pre-aligned per row group of
    `parallel_rows`.

    A module compiled for a target carries it as the discardable attribute
    `cim.target`; `cim-set-target` attaches a preset or a JSON file
    (docs/targets.md). Ops with a `#cim.precision` are verified against it.

    Example:

    ```mlir
    module attributes {cim.target = #cim.target<name = "tiny", rows = 64,
        cols = 64, parallel_rows = 16, cell_bits = 2, dac_bits = 1,
        adc = <mode = clipped, bits = 6, min_bits = 3, max_bits = 8>,
        weight_sign = differential_columns, input_sign = unsigned,
        cores = 4, crossbars_per_core = 8>} {}
    ```
  }];
  let parameters = (ins
    StringRefParameter<"preset or file name">:$name,
    "unsigned":$rows,
    "unsigned":$cols,
    "unsigned":$parallel_rows,
    "unsigned":$cell_bits,
    "unsigned":$dac_bits,
    "AdcAttr":$adc,
    EnumParameter<Cim_WeightSign>:$weight_sign,
    EnumParameter<Cim_InputSign>:$input_sign,
    "unsigned":$cores,
    "unsigned":$crossbars_per_core,
    OptionalParameter<"MemoryAttr">:$memory,
    OptionalParameter<"LatencyAttr">:$latency,
    OptionalParameter<"EnergyAttr">:$energy,
    OptionalParameter<"NoiseAttr">:$noise,
    DefaultValuedParameter<"bool", "false">:$weight_reprogramming,
    DefaultValuedParameter<"bool", "false">:$float_alignment);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Largest ideal column sum of one conversion,
    /// rows * (2^dac_bits - 1) * (2^cell_bits - 1) with rows the
    /// parallel_rows (half of them for differential rows), from
    /// numerics::fullScaleColumnSum.
    uint64_t getMaxColumnSum() const;
    /// ADC resolution that converts every column sum exactly
    /// (numerics::losslessAdcBits, the one formula).
    unsigned getLosslessAdcBits() const;
    /// Total number of crossbars on the chip.
    uint64_t getNumCrossbars() const {
      return uint64_t(getCores()) * getCrossbarsPerCore();
    }
  }];
}

//===----------------------------------------------------------------------===//
// PrecisionAttr
//===----------------------------------------------------------------------===//

def Cim_FpAttr : Cim_Attr<"Fp", "fp"> {
  let summary = "Floating-point CIM formats of one layer (FP-CIM)";
  let description = [{
    Inputs are floating-point numbers with `input_exp` exponent and
    `input_man` mantissa bits (sign separate; no inf/NaN), weights likewise
    with `weight_exp` and `weight_man`. Each group of `parallel_rows` rows
    that accumulate together is pre-aligned to the group's largest exponent
    E: every input becomes a signed integer mantissa of `aligned_bits`
    magnitude bits, `round(|x| 2^(aligned_bits - 1 - E))` (`truncate`
    floors instead; small values underflow to 0). Weights share one
    exponent per row group and column, with `weight_man + 1` magnitude bits.
    The crossbar computes the integer MAC of the mantissas bit-serially
    (the precision's `act_bits = aligned_bits + 1` and
    `weight_bits = weight_man + 2`), and the digital unit scales each group's
    sum by its exponents and accumulates (lib/Numerics/FloatingPoint.h).

    Example (FP8 E4M3 inputs and weights, 8 aligned bits):

    ```mlir
    #cim.precision<weight_bits = 5, act_bits = 9,
      fp = <input_exp = 4, input_man = 3, weight_exp = 4, weight_man = 3,
            aligned_bits = 8>>
    ```
  }];
  let parameters = (ins
    "unsigned":$input_exp,
    "unsigned":$input_man,
    "unsigned":$weight_exp,
    "unsigned":$weight_man,
    "unsigned":$aligned_bits,
    DefaultValuedParameter<"bool", "false">:$truncate);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Cim_PrecisionAttr : Cim_Attr<"Precision", "precision"> {
  let summary = "Number formats of one crossbar layer";
  let description = [{
    `weight_bits` and `act_bits` are the integer widths of the quantized
    weights and input activations (1..8; 16-bit formats belong to the
    floating-point CIM mode: with `fp`, the layer computes in floating point
    and the two widths are those of its aligned integer mantissas, see
    `#cim.fp`). `adc_bits` is the read-out resolution; 0 means
    "the target's default" and is the only legal value on targets whose
    read-out does not convert (`ideal`, `adder_tree`). `granularity` says
    which weights share a scale: the whole tensor, one output channel, one
    crossbar tile (CIMQ's array-wise scales) or one column of a tile.

    On an op inside a module with a `cim.target`, the verifier also checks
    the choice against the hardware (ADC bits within the target's range).

    Example:

    ```mlir
    #cim.precision<weight_bits = 4, act_bits = 6, adc_bits = 7, granularity = tile>
    ```
  }];
  let parameters = (ins
    "unsigned":$weight_bits,
    "unsigned":$act_bits,
    DefaultValuedParameter<"unsigned", "0">:$adc_bits,
    DefaultValuedParameter<"ScaleGranularity",
                           "ScaleGranularity::channel">:$granularity,
    OptionalParameter<"FpAttr">:$fp);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "unsigned":$weight_bits, "unsigned":$act_bits,
                     "unsigned":$adc_bits, "ScaleGranularity":$granularity), [{
      return $_get($_ctxt, weight_bits, act_bits, adc_bits, granularity,
                   FpAttr());
    }]>
  ];
  let extraClassDeclaration = [{
    /// Checks this precision against what `target` can execute; reports
    /// through `emitError`.
    ::mlir::LogicalResult verifyAgainst(
        TargetAttr target,
        ::llvm::function_ref<::mlir::InFlightDiagnostic()> emitError) const;
  }];
}

#endif // CIM_DIALECT_CIM_CIMATTRS_TD
