// The mapping passes and the report need a target and usable layers; each
// error names what is missing.
// RUN: not cim-opt %s --cim-tile-crossbar 2>&1 | FileCheck %s --check-prefix=TILE
// RUN: not cim-opt %s --cim-bit-slice 2>&1 | FileCheck %s --check-prefix=SLICE
// RUN: not cim-opt %s --cim-map 2>&1 | FileCheck %s --check-prefix=MAP
// RUN: not cim-opt %s --cim-report 2>&1 | FileCheck %s --check-prefix=REPORT
// TILE: error: cim-tile-crossbar needs a target: attach one with --cim-set-target=target=NAME
// SLICE: error: cim-bit-slice needs a target: attach one with --cim-set-target=target=NAME
// MAP: error: cim-map needs a target: attach one with --cim-set-target=target=NAME
// REPORT: error: the cost model needs a target: attach one with --cim-set-target=target=NAME
module {
  func.func @f() {
    return
  }
}
