//===- CimOps.td - Root of the cim dialect's ODS ------------*- tablegen -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Root file for add_mlir_dialect: includes the dialect, its attributes and
// the ops of every level. Each level keeps its ops in its own file.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMOPS_TD
#define CIM_DIALECT_CIM_CIMOPS_TD

include "Cim/CimDialect.td"
include "Cim/CimAttrs.td"
include "Cim/CimGraphOps.td"
include "Cim/CimMathOps.td"
include "Cim/CimImageOps.td"
include "Cim/CimDynamicOps.td"
include "Cim/CimMappedOps.td"
include "Cim/CimIsaOps.td"
// Indexing ops (issue 20).
include "Cim/CimIndexingOps.td"
// Signal ops (issue 20).
include "Cim/CimSignalOps.td"

#endif // CIM_DIALECT_CIM_CIMOPS_TD
