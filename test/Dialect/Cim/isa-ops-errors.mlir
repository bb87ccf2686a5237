// RUN: cim-opt %s --split-input-file --verify-diagnostics

// Instructions the hardware cannot execute are rejected by their verifiers
// (the .cimbin reader runs the same checks on every instruction it loads).

module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 2, crossbars_per_core = 2>} {
  func.func @f(%w: tensor<4x2xi32>) -> tensor<4x2xi32> {
    // expected-error @+1 {{crossbar 4 does not exist: target 't' has 4}}
    %p = cim.isa.program %w {crossbars = array<i64: 4>} : tensor<4x2xi32>
    return %p : tensor<4x2xi32>
  }
}

// -----

module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 2, crossbars_per_core = 2>} {
  func.func @f(%w: tensor<9x2xi32>) -> tensor<9x2xi32> {
    // expected-error @+1 {{tile of 9x2 weights does not fit a 8x8 crossbar of target 't'}}
    %p = cim.isa.program %w {crossbars = array<i64: 0>} : tensor<9x2xi32>
    return %p : tensor<9x2xi32>
  }
}

// -----

func.func @f(%x: tensor<3x4xf32>) -> tensor<3x4xi32> {
  // expected-error @+1 {{expects a code range with min <= 0 < max within 32 bits, got [1, 7]}}
  %q = cim.isa.encode %x {min = 1 : i64, max = 7 : i64} : tensor<3x4xf32> -> tensor<3x4xi32>
  return %q : tensor<3x4xi32>
}

// -----

func.func @f(%x: tensor<3x4xf32>) -> tensor<3x4xi32> {
  // expected-error @+1 {{expects a positive 'clip', got -1}}
  %q = cim.isa.encode %x {min = 0 : i64, max = 7 : i64, clip = -1.0 : f64} : tensor<3x4xf32> -> tensor<3x4xi32>
  return %q : tensor<3x4xi32>
}

// -----

module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 2, crossbars_per_core = 2>} {
  func.func @f(%q: tensor<3x4xi32>, %c: tensor<4x2xi32>) -> tensor<3x2xi32> {
    %p = cim.isa.program %c {crossbars = array<i64: 0>} : tensor<4x2xi32>
    // expected-error @+1 {{expects 'rows' [2, 6) to be a non-empty range within [0, 4)}}
    %a = cim.isa.mvm %q, %p {rows = array<i64: 2, 6>, precision = #cim.precision<weight_bits = 4, act_bits = 4>, stream = 0 : i64, crossbars = array<i64: 0>, footprint = array<i64: 4, 5>, groups = 1 : i64} : tensor<3x4xi32>, tensor<4x2xi32> -> tensor<3x2xi32>
    return %a : tensor<3x2xi32>
  }
}

// -----

module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 2, crossbars_per_core = 2>} {
  func.func @f(%q: tensor<3x4xi32>, %c: tensor<4x2xi32>) -> tensor<3x2xi32> {
    %w = cim.accumulate %c, %c : tensor<4x2xi32>
    // expected-error @+1 {{expects weights programmed by cim.isa.program}}
    %a = cim.isa.mvm %q, %w {rows = array<i64: 0, 4>, precision = #cim.precision<weight_bits = 4, act_bits = 4>, stream = 0 : i64, crossbars = array<i64: 0>, footprint = array<i64: 4, 5>, groups = 1 : i64} : tensor<3x4xi32>, tensor<4x2xi32> -> tensor<3x2xi32>
    return %a : tensor<3x2xi32>
  }
}

// -----

module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 2, crossbars_per_core = 2>} {
  func.func @f(%q: tensor<3x4xi32>, %c: tensor<4x2xi32>) -> tensor<3x2xi32> {
    %p = cim.isa.program %c {crossbars = array<i64: 0>} : tensor<4x2xi32>
    // expected-error @+1 {{footprint 4x9 does not fit a 8x8 crossbar of target 't'}}
    %a = cim.isa.mvm %q, %p {rows = array<i64: 0, 4>, precision = #cim.precision<weight_bits = 4, act_bits = 4>, stream = 0 : i64, crossbars = array<i64: 0>, footprint = array<i64: 4, 9>, groups = 1 : i64} : tensor<3x4xi32>, tensor<4x2xi32> -> tensor<3x2xi32>
    return %a : tensor<3x2xi32>
  }
}

// -----

module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 2, crossbars_per_core = 2>} {
  func.func @f(%q: tensor<3x4xi32>, %c: tensor<4x2xi32>) -> tensor<3x2xi32> {
    %p = cim.isa.program %c {crossbars = array<i64: 0>} : tensor<4x2xi32>
    // expected-error @+1 {{weight_bits must be in [2, 8], got 12}}
    %a = cim.isa.mvm %q, %p {rows = array<i64: 0, 4>, precision = #cim.precision<weight_bits = 12, act_bits = 4>, stream = 0 : i64, crossbars = array<i64: 0>, footprint = array<i64: 4, 5>, groups = 1 : i64} : tensor<3x4xi32>, tensor<4x2xi32> -> tensor<3x2xi32>
    return %a : tensor<3x2xi32>
  }
}

// -----

func.func @f(%a: tensor<3x2xi32>, %x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %q = cim.isa.encode %x {min = 0 : i64, max = 7 : i64} : tensor<3x4xf32> -> tensor<3x4xi32>
  // expected-error @+1 {{expects one scale per column (2), got 3}}
  %y = cim.isa.decode %a, %q {scales = array<f64: 1.0, 1.0, 1.0>} : tensor<3x2xi32>, tensor<3x4xi32> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

func.func @f(%a: tensor<3x2xi32>) -> tensor<3x2xf32> {
  %q = cim.accumulate %a, %a : tensor<3x2xi32>
  // expected-error @+1 {{expects 'codes' produced by cim.isa.encode (it carries the input scale)}}
  %y = cim.isa.decode %a, %q {scales = array<f64: 1.0, 1.0>} : tensor<3x2xi32>, tensor<3x2xi32> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 2, crossbars_per_core = 2>} {
  func.func @f() {
    // expected-error @+1 {{core 2 does not exist}}
    cim.isa.sync {barrier = 0 : i64, cores = array<i64: 0, 2>}
    return
  }
}

// -----

module attributes {cim.target = #cim.target<name = "t", rows = 8, cols = 8, parallel_rows = 8, cell_bits = 2, dac_bits = 1, adc = <mode = ideal>, weight_sign = offset, input_sign = unsigned, cores = 2, crossbars_per_core = 2>} {
  func.func @f(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
    // expected-error @+1 {{runs on core 5, but target 't' has 2}}
    %r = cim.relu %x {cim.core = 5 : i64} : tensor<3x2xf32>
    return %r : tensor<3x2xf32>
  }
}
