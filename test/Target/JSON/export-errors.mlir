// RUN: not cim-translate --export-target-json %s 2>&1 | FileCheck %s

// CHECK: error: no 'cim.target' attribute to export (run cim-set-target first)
module {
}
