//===- Passes.td - Data-driven precision passes ------------*- tablegen -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef CIM_PRECISION_PASSES_TD
#define CIM_PRECISION_PASSES_TD

include "mlir/Pass/PassBase.td"

def CimEqualize : Pass<"cim-equalize", "::mlir::ModuleOp"> {
  let summary = "Equalize activation ranges across channels (cross-layer "
                "scaling)";
  let description = [{
    Post-training cross-layer equalization in the form that suits CIM: the
    crossbar input is quantized with one range per tensor, while weights
    are quantized per output channel. Where a layer `P` (constant-weight
    `conv2d` or `gemm`) feeds another such layer `C` only through ops that
    commute with a positive per-channel scale (`relu`, `leaky_relu`, max and
    average pooling, global average pooling, and the flatten/reshape of
    NCHW to rows), channel `c` of `P`'s output (its filter and bias) is
    divided by `s_c` and the weights `C` applies to that channel multiplied
    by `s_c`. The float function is unchanged; the channels' ranges at
    `C`'s input move closer together, so a per-tensor activation range
    wastes fewer levels on them (Nagel et al., "Data-free quantization",
    2019, equalizing weights; SmoothQuant, 2023, migrating activation
    range into weights).

    With `r_c` the largest |x| of channel `c` at `C`'s input, measured by
    the float graph evaluator on `calib`, and `w_c` the largest |weight|
    `C` applies to it,

    ```
    s_c = r_c^alpha / w_c^(1 - alpha)      (normalized to geometric mean 1)
    ```

    so `alpha = 1` makes every channel's range equal and `alpha = 0.5`
    makes each channel's range equal to its weights' range. Channels never
    active (`r_c = 0`) or without weights keep `s_c = 1`; `s_c` is bounded
    by `max-scale`. Pairs are equalized in program order. Runs at the graph
    level, before `cim-lower-conv`; pre-quantized (QDQ) layers, whose
    weights are not float constants, are left alone.

    ```
    cim-opt m.mlir --cim-equalize="calib=x.npy samples=64 alpha=0.5"
    ```
  }];
  let options = [
    Option<"calib", "calib", "std::string", /*default=*/"\"\"",
           "Calibration inputs (.npy)">,
    Option<"samples", "samples", "unsigned", /*default=*/"0",
           "Batches of calibration data to use (0 = all)">,
    Option<"alpha", "alpha", "double", /*default=*/"0.5",
           "Migration strength in [0, 1]: 1 equalizes the activation "
           "ranges, 0 the weight ranges">,
    Option<"maxScale", "max-scale", "double", /*default=*/"16.0",
           "Bound on s_c and 1/s_c">
  ];
}

def CimCalibrate : Pass<"cim-calibrate", "::mlir::ModuleOp"> {
  let summary = "Record activation statistics from calibration inputs";
  let description = [{
    Runs `@main` in float32 on the calibration inputs (`calib`, a `.npy`
    whose leading dimension holds `samples` or more batches of the model's
    input) with the graph evaluator, and records on every crossbar layer
    (`cim.mvm`, `cim.tile`, constant-weight `cim.gemm`) the statistics of its
    input as `cim.calibration = {min, max, absmax, clip, samples}`. `clip` is
    the input range the quantizer will use: the largest magnitude (`max`),
    the `percentile` of magnitudes, or the clip minimizing the mean squared
    quantization error at the layer's activation bits (`mse`; searched over
    100 candidates). With `mse` the record also holds `clips`, the MSE
    clip for every code width (`clips[m-1]` for 2^m - 1 levels of
    magnitude, m = 1..16), and quantized evaluation and ENCODE take the
    one for the layer's activation bits: a precision chosen after
    calibration (by `cim-assign-precision` or a replayed policy) gets the
    range that suits its width. Signed or unsigned per the target's input scheme;
    on a target driving two's-complement inputs, a layer whose inputs were
    never negative is marked `cim.nonnegative_inputs` and quantized unsigned
    when the DAC is 1-bit or that saves a cycle (its sign cycle carries
    magnitude instead; `nonnegative-inputs=false` turns this off). On a
    target that drives unsigned inputs, a layer whose inputs were seen
    negative is marked `cim.signed_inputs` and driven offset by 2^(B-1),
    with the digital correction, instead of losing its negative part.
    Quantized evaluation (`cim-run --quantize`) then uses these static
    ranges instead of each input's own.

    Example:

    ```
    cim-opt model.mlir --cim-calibrate="calib=x.npy samples=256 method=mse"
    ```
  }];
  let options = [
    Option<"calib", "calib", "std::string", /*default=*/"\"\"",
           "Calibration inputs (.npy)">,
    Option<"samples", "samples", "unsigned", /*default=*/"0",
           "Batches of calibration data to use (0 = all)">,
    Option<"method", "method", "::mlir::cim::ClipMethod",
           /*default=*/"::mlir::cim::ClipMethod::mse",
           "Clip selection: max, percentile or mse",
           "::mlir::cim::clipMethodValues()">,
    Option<"percentile", "percentile", "double", /*default=*/"99.99",
           "Percentile of |x| for method=percentile">,
    Option<"nonnegativeInputs", "nonnegative-inputs", "bool",
           /*default=*/"true",
           "On targets with two's-complement inputs, mark layers whose "
           "inputs were never negative cim.nonnegative_inputs (unsigned "
           "codes where that helps)">
  ];
}

def CimQuantize : Pass<"cim-quantize", "::mlir::ModuleOp"> {
  let summary = "Fix weight scales, calibrate ADC ranges and correct biases";
  let description = [{
    Settles how each crossbar layer (`cim.mvm`, or `cim.tile` after
    tiling) is quantized, from calibration data run through the graph
    evaluator in quantized mode (the target's crossbar arithmetic):

    * `granularity=tensor|channel|tile|tile_column` sets which weights share
      a scale on every layer (`#cim.precision`'s `granularity`; `tile` is
      CIMQ's array-wise scale). Empty keeps each layer's.
    * `adc-clip=mse|sigma|max|none` calibrates clipped ADCs (targets whose
      `adc.mode` is `clipped`; others have a fixed range and are left
      alone): the column sums each layer converts are recorded and its
      range set as `cim.adc_range = array<i64: low, high>` by the
      shift-weighted MSE search, the OCC mu +- k sigma table, or the
      extremes seen. Each round re-runs the model with the ranges chosen so
      far, so later layers see the inputs they will get (`rounds`). Run on
      the mapped level, every tile of a layer shares its range; on the
      tiled level each tile gets its own.
    * `bias-correction` (mapped level only) measures, per output column of
      every `cim.mvm`, the mean of float minus quantized results on the
      same (quantized-model) inputs, and adds it back after the layer as a
      `cim.add` of a constant: the forward-only, post-training form of
      PIM-QAT's BN calibration (and of Nagel et al.'s bias correction). It
      runs after the ADC ranges, so it also removes their bias.

    * `act-max-ones=N` (CIMQ's bit-sparsity activation quantizer) marks
      every layer with unsigned input codes `cim.act_max_ones = N`: its
      codes are restricted to those with at most N '1' bits (the clip maps
      to the largest such code, each value takes the nearest), so fewer
      bits are driven and more DAC cycles are all zero. The evaluator and
      the instructions (`cim.isa.encode`) quantize identically.
    * `weight-max-ones=N` (ZEBRA's zero-bit patterns) marks every layer
      `cim.weight_max_ones = N`: weight magnitudes take the nearest code
      with at most N '1' bits (the scale maps the largest weight to the
      largest such code), and the tiles store them in the zero-bit layout:
      each physical column complemented when that leaves fewer conducting
      cells (corrected digitally), all-zero rows not mapped and all-zero
      columns not converted. Fewer conducting cells means less
      per-active-cell noise (`#cim.noise<active_cell = ...>`). It needs no
      data and is applied before the ADC ranges and biases are measured.
      Pre-quantized layers keep their codes.
    * `input-ones` runs the quantized model on `calib` and records each
      layer's fraction of '1' input bits as `cim.input_ones`, which the
      cost model uses for DAC and cell energy and for the all-zero cycles a
      skipping target saves (`cim-report="skip-zero-cycles"`).

    Run it after `cim-assign-precision` (and `cim-calibrate`, whose input
    clips it uses); the result runs on `cim-run --quantize` and lowers to
    instructions as usual.

    Example:

    ```
    cim-opt m.mlir --cim-quantize="calib=x.npy samples=64 adc-clip=mse bias-correction=true"
    ```
  }];
  let options = [
    Option<"calib", "calib", "std::string", /*default=*/"\"\"",
           "Calibration inputs (.npy)">,
    Option<"samples", "samples", "unsigned", /*default=*/"0",
           "Batches of calibration data to use (0 = all)">,
    Option<"adcClip", "adc-clip", "::mlir::cim::AdcClip",
           /*default=*/"::mlir::cim::AdcClip::mse",
           "Clipped-ADC range selection: mse, sigma, max or none",
           "::mlir::cim::adcClipValues()">,
    Option<"rounds", "rounds", "unsigned", /*default=*/"2",
           "Calibration rounds for ADC ranges (each sees the ranges chosen "
           "by the one before)">,
    Option<"biasCorrection", "bias-correction", "bool", /*default=*/"false",
           "Add back each layer's mean quantization error per column">,
    Option<"granularity", "granularity", "std::string", /*default=*/"\"\"",
           "Weight scale granularity for every layer: tensor, channel, tile "
           "or tile_column (empty = keep)">,
    Option<"actMaxOnes", "act-max-ones", "unsigned", /*default=*/"0",
           "Restrict unsigned activation codes to at most this many '1' "
           "bits (bit sparsity; 0 = off)">,
    Option<"inputOnes", "input-ones", "bool", /*default=*/"false",
           "Measure each layer's probability of a '1' input bit on calib "
           "(cim.input_ones, for the cost model)">,
    Option<"noiseSeed", "noise-seed", "int64_t", /*default=*/"-1",
           "Measure on the target's noisy crossbars (#cim.noise) drawn with "
           "this seed: ADC ranges and bias correction then see the analog "
           "errors (PIM-QAT's calibration on the hardware; -1 = noiseless)">,
    Option<"weightMaxOnes", "weight-max-ones", "unsigned", /*default=*/"0",
           "ZEBRA's zero-bit patterns: weight magnitudes with at most this "
           "many '1' bits, in the zero-bit layout (0 = off)">
  ];
}

def CimAssignPrecision : Pass<"cim-assign-precision", "::mlir::ModuleOp"> {
  let summary = "Choose per-layer weight, activation (and ADC) bits under an "
                "accuracy budget";
  let description = [{
    Chooses the bits of every crossbar layer (`cim.mvm`, one unit per
    location so the groups of a convolution move together) under a budget:
    top-1 within `max-accuracy-drop` percentage points of float on
    `data`/`labels` (the graph evaluator runs the target's crossbar
    arithmetic), or without labels the relative L2 error of the outputs
    within `max-output-error`. The cost comes from the cost model. The
    result is written as `#cim.precision` on every crossbar layer; progress
    goes to stderr.

    Budgets that hold on unseen images: the data is split (seeded by
    `split-seed`, stratified by label) into search images, on which the
    search compares its policies, and `verify-fraction` of them (0.5 by
    default) that only check the chosen policy; `verify`/`verify-labels`
    give separate images instead. The chosen policy must meet the budget
    on the verify images with a margin: the measured drop plus z standard
    errors of the paired drop (z the one-sided normal quantile of
    `verify-level`, 0.95 by default). A policy that fails is backed off
    along the search's measured policies (the top of the ranges first, then
    the Pareto front from the most expensive down, stopping at the first
    that fails); a warning says when even the top fails. A warning also
    says when the verify images are too few to resolve the budget
    (2 z^2 / budget images), and the search then bounds every measured drop
    with the same margin (`confidence`). `verify-fraction=0` searches and
    checks on all of `data` (the behaviour before the split).

    `search=knapsack` (the default) measures each layer's loss and cost
    saving at every weight bit width (activations at the top) and every
    activation width (weights at the top), takes the cheapest combination
    whose summed losses fit the budget (a multiple-choice knapsack), then
    measures that policy and tightens the budget until the measurement
    fits. With labels, layers are ranked by default (`sensitivity=kl`) by
    the mean KL divergence of the quantized classifier's softmax from
    float's on `data`, a smooth measure that adds up over layers to first
    order, where a single layer's top-1 change on a few thousand images is
    mostly noise; the knapsack's budget on the summed divergence is then
    bisected (on a log scale, at most 13 verifications) for the cheapest
    combination whose measured top-1 drop fits `max-accuracy-drop`.
    `sensitivity=top1` ranks by the measured top-1 drops instead. With
    `refine` the greedy search continues from the knapsack's policy; off
    by default, as its many steps measured on the same images pick the
    luckiest (resnet_tiny: 2.20x instead of 1.64x, but 2.2 instead of 0.2
    points lost on held-out images).

    `search=greedy` starts every layer at the top of the allowed ranges;
    each step tries lowering one layer's weight or activation bits by one,
    measures every such move, and takes the one with the largest cost
    saving per accuracy point lost that keeps within the budget. It stops
    when no move fits (an order of magnitude slower than the knapsack).

    `search=evolutionary` is a genetic algorithm over per-layer genomes:
    `population` individuals (the top of the ranges and random lowerings of
    it), then `generations` generations of tournament selection, uniform
    crossover, one-bit mutations and elitism (the two best survive).
    Fitness is the measured cost when the measured loss fits the budget;
    policies over the budget rank after all others. Every individual is
    measured like the other searches' candidates (identical genomes once).
    Deterministic for a given `seed`.

    `search=rl` is a policy-gradient (REINFORCE) search in the spirit of
    the reinforcement-learning agents of HAQ and Pelke et al., at compile
    time and without training the network: each (layer, kind) has a
    softmax over its widths, biased toward the top at the start; every
    iteration (`generations`) samples `population` policies, measures
    them, rewards those within the budget with their speedup over the top
    and those over it with minus their relative overshoot, and moves the
    logits along the reward gradient (batch-mean baseline, scaled by the
    batch's spread). The best measured policy wins; deterministic for a
    given `seed`.

    `adc-bits=LO..HI` adds each layer's ADC resolution to the search (within
    the target's `min_bits..max_bits`; only on targets with a converting
    ADC, `full_range` or `clipped`): greedy also tries lowering a layer's
    ADC bits, the knapsack measures every ADC width per layer, the
    evolutionary search has a third gene per layer. ADC bits change energy,
    not latency: with `objective=latency` they stay at the top.

    `float=fp:IN[/W][:L=N][:truncate]` searches floating-point layers (FP-CIM,
    on a target with `float_alignment`): the formats' exponent widths and
    rounding stay as given, and each layer's weight mantissa (`weight_bits`
    - 2 bits) and aligned input width (`act_bits` - 1 bits), which set its
    cells and DAC cycles, are what the search lowers within `weight-bits`
    and `act-bits` (act-bits from 2).

    Run it on the mapped level before tiling (after `cim-lower-conv`, and
    `cim-calibrate` for static input ranges).

    Example:

    ```
    cim-opt m.mlir --cim-assign-precision="data=x.npy labels=y.npy max-accuracy-drop=0.5 objective=latency weight-bits=2..8 act-bits=2..8"
    cim-opt m.mlir --cim-assign-precision="data=x.npy labels=y.npy verify=v.npy verify-labels=w.npy search=greedy"
    cim-opt m.mlir --cim-assign-precision="data=x.npy labels=y.npy search=evolutionary seed=3 objective=energy adc-bits=4..8"
    ```
  }];
  let options = [
    Option<"data", "data", "std::string", /*default=*/"\"\"",
           "Validation inputs (.npy)">,
    Option<"labels", "labels", "std::string", /*default=*/"\"\"",
           "Validation labels (.npy, integers)">,
    Option<"samples", "samples", "unsigned", /*default=*/"0",
           "Validation batches to use (0 = all)">,
    Option<"maxAccuracyDrop", "max-accuracy-drop", "double",
           /*default=*/"0.5",
           "Allowed top-1 loss against float, in percentage points">,
    Option<"verify", "verify", "std::string", /*default=*/"\"\"",
           "Inputs (.npy) that only check the chosen policy, instead of "
           "verify-fraction of `data`">,
    Option<"verifyLabels", "verify-labels", "std::string", /*default=*/"\"\"",
           "Labels of `verify` (.npy, integers; with `labels`)">,
    Option<"verifyFraction", "verify-fraction", "double", /*default=*/"0.5",
           "Without `verify`: the share of `data` held out to check the "
           "chosen policy (stratified by label, seeded by split-seed; 0 = "
           "search and check on all of `data`)">,
    Option<"verifyLevel", "verify-level", "double", /*default=*/"0.95",
           "One-sided confidence of the verify check: the measured loss "
           "plus z(level) standard errors must meet the budget">,
    Option<"splitSeed", "split-seed", "unsigned", /*default=*/"1",
           "Seed of the search/verify split">,
    Option<"confidence", "confidence", "double", /*default=*/"0",
           "Top-1 budget only: add this many standard errors of the paired "
           "drop (sqrt(images lost + images gained) / images) to every "
           "measured drop, so the budget holds beyond the validation set "
           "(0 = the measured drop)">,
    Option<"objective", "objective", "::mlir::cim::SearchObjective",
           /*default=*/"::mlir::cim::SearchObjective::latency",
           "What to minimize: latency, energy or edp",
           "::mlir::cim::searchObjectiveValues()">,
    Option<"model", "model", "::mlir::cim::cost::LatencyModel",
           /*default=*/"::mlir::cim::cost::LatencyModel::cim",
           "Latency model: cim or pelke2026",
           "::mlir::cim::latencyModelValues()">,
    Option<"weightBits", "weight-bits", "std::string", /*default=*/"\"2..8\"",
           "Allowed weight bits, LO..HI">,
    Option<"actBits", "act-bits", "std::string", /*default=*/"\"2..8\"",
           "Allowed activation bits, LO..HI">,
    Option<"adcBits", "adc-bits", "std::string", /*default=*/"\"\"",
           "Allowed ADC bits, LO..HI, clamped to the target's ADC range "
           "(converting ADCs only; empty = keep each layer's ADC bits)">,
    Option<"fixFirstLast", "fix-first-last", "bool", /*default=*/"false",
           "Keep the first and last layer at the top of the ranges">,
    Option<"maxOutputError", "max-output-error", "double", /*default=*/"0",
           "Budget without labels: the relative L2 error of the outputs "
           "against float (0 = use top-1 with labels)">,
    Option<"pareto", "pareto", "std::string", /*default=*/"\"\"",
           "Write every measured policy's cost and loss, and the Pareto "
           "front of the two, to this JSON file">,
    Option<"search", "search", "::mlir::cim::SearchKind",
           /*default=*/"::mlir::cim::SearchKind::knapsack",
           "knapsack (the default: per-layer sensitivities, then a "
           "multiple-choice knapsack, verified), greedy (one bit per step, "
           "every step measured), evolutionary (a seeded genetic algorithm) or rl "
           "(a seeded policy-gradient search)",
           "::mlir::cim::searchKindValues()">,
    Option<"sensitivity", "sensitivity", "::mlir::cim::Sensitivity",
           /*default=*/"::mlir::cim::Sensitivity::kl",
           "search=knapsack with labels: rank layers by the divergence of "
           "the classifier from float (kl; the budget on it is bisected "
           "against measured top-1) or by their measured top-1 drop (top1)",
           "::mlir::cim::sensitivityValues()">,
    Option<"refine", "refine", "bool", /*default=*/"false",
           "search=knapsack: continue greedily (one bit per step, every "
           "step measured) from the knapsack's policy (overfits the "
           "validation images more)">,
    Option<"seed", "seed", "unsigned", /*default=*/"1",
           "search=evolutionary or rl: the random seed (the same seed gives the "
           "same result)">,
    Option<"generations", "generations", "unsigned", /*default=*/"20",
           "search=evolutionary: generations after the initial population; rl: "
           "iterations (1..10000)">,
    Option<"population", "population", "unsigned", /*default=*/"16",
           "search=evolutionary: individuals per generation; rl: policies sampled per iteration (4..4096)">,
    Option<"noiseSeed", "noise-seed", "int64_t", /*default=*/"-1",
           "Measure every policy on the target's noisy crossbars (#cim.noise) "
           "drawn with this seed, and offer only ADC bits that noise leaves "
           "effective (-1 = noiseless)">,
    Option<"floatSpec", "float", "std::string", /*default=*/"\"\"",
           "Search floating-point layers with these formats' exponents "
           "(fp:IN[/W][:L=N][:truncate]): weight mantissa and aligned input "
           "widths per layer (empty = integer)">
  ];
}

#endif // CIM_PRECISION_PASSES_TD
