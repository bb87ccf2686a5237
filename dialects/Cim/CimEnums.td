//===- CimEnums.td - Enumerations of the cim dialect --------*- tablegen -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMENUMS_TD
#define CIM_DIALECT_CIM_CIMENUMS_TD

include "mlir/IR/EnumAttr.td"

def Cim_AdcMode : I32EnumAttr<"AdcMode", "how column sums are digitized", [
    I32EnumAttrCase<"ideal", 0>,
    I32EnumAttrCase<"full_range", 1>,
    I32EnumAttrCase<"clipped", 2>,
    I32EnumAttrCase<"adder_tree", 3>
  ]> {
  let cppNamespace = "::mlir::cim";
  let genSpecializedAttr = 0;
  let description = [{
    * `ideal`: an infinitely precise converter (reference model);
    * `full_range`: a uniform ADC of `bits` spanning the largest possible
      column sum;
    * `clipped`: a uniform ADC of `bits` over a calibrated range [lo, hi];
    * `adder_tree`: no ADC at all, a digital adder tree (SRAM digital CIM),
      exact by construction.
  }];
}

def Cim_WeightSign : I32EnumAttr<"WeightSign", "how signed weights are stored", [
    I32EnumAttrCase<"offset", 0>,
    I32EnumAttrCase<"differential_columns", 1>,
    I32EnumAttrCase<"differential_rows", 2>,
    I32EnumAttrCase<"twos_complement", 3>,
    I32EnumAttrCase<"offset_flipped", 4>
  ]> {
  let cppNamespace = "::mlir::cim";
  let genSpecializedAttr = 0;
}

def Cim_InputSign : I32EnumAttr<"InputSign", "how signed inputs are driven", [
    I32EnumAttrCase<"unsigned_", 0, "unsigned">,
    I32EnumAttrCase<"twos_complement", 1>,
    I32EnumAttrCase<"offset", 2>
  ]> {
  let cppNamespace = "::mlir::cim";
  let genSpecializedAttr = 0;
}

def Cim_ScaleGranularity : I32EnumAttr<"ScaleGranularity",
    "which weights share one quantization scale", [
    I32EnumAttrCase<"tensor", 0>,
    I32EnumAttrCase<"channel", 1>,
    I32EnumAttrCase<"tile", 2>,
    I32EnumAttrCase<"tile_column", 3>
  ]> {
  let cppNamespace = "::mlir::cim";
  let genSpecializedAttr = 0;
}

def Cim_PadMode : I32EnumAttr<"PadMode", "how padding values are produced", [
    I32EnumAttrCase<"constant", 0>,
    I32EnumAttrCase<"reflect", 1>,
    I32EnumAttrCase<"edge", 2>
  ]> {
  let cppNamespace = "::mlir::cim";
  let genSpecializedAttr = 0;
}

def Cim_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "formula used for GELU", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"tanh", 1>
  ]> {
  let cppNamespace = "::mlir::cim";
  let genSpecializedAttr = 0;
}

def Cim_ReduceKind : I32EnumAttr<"ReduceKind",
    "how cim.reduce combines the reduced elements", [
    I32EnumAttrCase<"sum", 0>,
    I32EnumAttrCase<"mean", 1>,
    I32EnumAttrCase<"max", 2>,
    I32EnumAttrCase<"min", 3>,
    I32EnumAttrCase<"prod", 4>,
    I32EnumAttrCase<"l1", 5>,
    I32EnumAttrCase<"l2", 6>,
    I32EnumAttrCase<"log_sum", 7>,
    I32EnumAttrCase<"log_sum_exp", 8>,
    I32EnumAttrCase<"sum_square", 9>
  ]> {
  let cppNamespace = "::mlir::cim";
  let genSpecializedAttr = 0;
}

def Cim_ComparePredicate : I32EnumAttr<"ComparePredicate",
    "the relation cim.cmp tests", [
    I32EnumAttrCase<"eq", 0>,
    I32EnumAttrCase<"lt", 1>,
    I32EnumAttrCase<"le", 2>,
    I32EnumAttrCase<"gt", 3>,
    I32EnumAttrCase<"ge", 4>
  ]> {
  let cppNamespace = "::mlir::cim";
  let genSpecializedAttr = 0;
}

#endif // CIM_DIALECT_CIM_CIMENUMS_TD
