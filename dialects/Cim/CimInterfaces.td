//===- CimInterfaces.td - Op interfaces of the cim dialect -*- tablegen -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What passes, the cost model and the evaluator ask of ops across the three
// levels, so that they name a concept instead of listing op types.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMINTERFACES_TD
#define CIM_DIALECT_CIM_CIMINTERFACES_TD

include "mlir/IR/OpBase.td"

def Cim_CrossbarLayerOpInterface : OpInterface<"CrossbarLayerOpInterface"> {
  let description = [{
    An op whose product runs on crossbars, at any level: a whole weight
    matrix (`cim.gemm` with a constant weight, `cim.mvm`), one crossbar's
    block of it (`cim.tile`), or the instruction that drives that block
    (`cim.isa.mvm`). Each computes

    `output[p, j] = sum_{k in [rowBegin, rowEnd)} input[p, k] * W[k, colBegin + j]`

    for the P rows of its input, where W is the weight matrix the op reads
    (for `cim.isa.mvm`, the programmed block itself, indexed from the block's
    first row and column), at its `#cim.precision` (null: the defaults) with
    the cell slice widths it records (empty: the target's uniform slicing).
    The layer's target is the module's `#cim.target` (`lookupTarget`);
    `cim::layerConfig(layer, target)` (lib/Hardware/LayerConfig) turns the
    two into the arithmetic lib/Numerics computes with.
  }];
  let cppNamespace = "::mlir::cim";

  let methods = [
    InterfaceMethod<[{
        The P x K activation matrix (integer codes for `cim.isa.mvm`).
      }], "::mlir::Value", "getLayerInput", (ins), "",
      [{ return $_op.getInput(); }]>,
    InterfaceMethod<[{
        The weight matrix the op reads (float weights, or the programmed
        codes for `cim.isa.mvm`).
      }], "::mlir::Value", "getLayerWeight", (ins), "",
      [{ return $_op.getWeight(); }]>,
    InterfaceMethod<[{
        The layer's number formats, null when not chosen yet.
      }], "::mlir::cim::PrecisionAttr", "getLayerPrecision", (ins), "",
      [{ return $_op.getPrecisionAttr(); }]>,
    InterfaceMethod<[{
        The rows `[begin, end)` of the weight matrix the op applies, which
        are also the columns of the input it reads.
      }], "std::pair<int64_t, int64_t>", "getRowRange", (ins), "",
      [{
        auto type = ::llvm::cast<::mlir::RankedTensorType>(
            $_op.getWeight().getType());
        return {0, type.getDimSize(0)};
      }]>,
    InterfaceMethod<[{
        The columns `[begin, end)` of the weight matrix the op applies (its
        output's columns).
      }], "std::pair<int64_t, int64_t>", "getColumnRange", (ins), "",
      [{
        auto type = ::llvm::cast<::mlir::RankedTensorType>(
            $_op.getWeight().getType());
        return {0, type.getDimSize(1)};
      }]>,
    InterfaceMethod<[{
        Explicit cell slice widths, least significant first; empty for the
        target's uniform slicing.
      }], "::llvm::ArrayRef<int64_t>", "getSliceWidths", (ins), "",
      [{ return {}; }]>,
    InterfaceMethod<[{
        Whether the op is one crossbar's block, placed by the tiling
        (`cim.tile`, `cim.isa.mvm`), rather than a whole layer matrix still
        to be tiled (`cim.mvm`, `cim.gemm`).
      }], "bool", "isTile", (ins), "", [{ return false; }]>,
  ];
}

#endif // CIM_DIALECT_CIM_CIMINTERFACES_TD
