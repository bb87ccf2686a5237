#!/bin/bash
# identity.sh DIR MODEL TARGET TILE-OPTIONS CALIBRATE-PASS [NOISE-SEED]
#
# Tiles DIR/MODEL.mlir for TARGET, runs the tiled module on the graph
# evaluator (--quantize) and the compiled .cimbin on the interpreter, and
# requires byte-identical outputs. Also checks that the program round-trips
# through assembly and through the instruction-level IR unchanged, and that
# compiling twice gives the same bytes.
set -euo pipefail
dir=$1 model=$2 target=$3 tile=$4 calibrate=$5 seed=${6:-}
base=$dir/$model-$target
noise=()
[ -n "$seed" ] && noise=(--noise-seed "$seed")
passes=(--cim-graph-pipeline="target=$target")
[ -n "$calibrate" ] && passes+=("$calibrate")
cim-opt "$dir/$model.mlir" "${passes[@]}" --cim-tile-crossbar="$tile" --cim-map -o "$base.tiled.mlir"
cim-opt "$base.tiled.mlir" --cim-isa-pipeline -o "$base.isa.mlir"
cim-translate --export-cim-bin "$base.isa.mlir" -o "$base.cimbin"
cim-translate --export-cim-asm "$base.isa.mlir" -o "$base.cimasm"
cim-run "$base.tiled.mlir" --quantize "${noise[@]}" --input "$dir/x16.npy" --output-dir "$base-eval"
cim-run "$base.cimbin" "${noise[@]}" --input "$dir/x16.npy" --output-dir "$base-isa"
cmp "$base-eval/logits.npy" "$base-isa/logits.npy"
# asm <-> bin, and bin -> IR -> bin.
cim-translate --cim-asm-to-bin "$base.cimasm" -o "$base.rt.cimbin"
cmp "$base.cimbin" "$base.rt.cimbin"
cim-translate --import-cim-bin "$base.cimbin" -o "$base.back.mlir"
cim-translate --export-cim-bin "$base.back.mlir" -o "$base.back.cimbin"
cmp "$base.cimbin" "$base.back.cimbin"
# Deterministic compilation.
cim-opt "$base.tiled.mlir" --cim-isa-pipeline | cim-translate --export-cim-bin -o "$base.again.cimbin"
cmp "$base.cimbin" "$base.again.cimbin"
