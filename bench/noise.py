#!/usr/bin/python3
"""Accuracy under analog noise, and noise-aware compilation (issue 7, item 4).

  bench/noise.py [BUILD_DIR]

Targets are aihwkit-pcm (clipped ADC, differential PCM pairs, 7-bit DAC)
with its programming variation (0.0175 of the cell range) and read noise
scaled from 0 to 4x its preset (1.17e-4 of the full-scale column sum).

1. Sweep: for each bundled model, read noise x ADC bits x weight encoding,
   compile W8A7 (one DAC cycle) calibrated on models/fashion/calib_x.npy
   (clipped-ADC ranges by MSE) and run the .cimbin with cim-run on the
   1000-image test slice with noise seed 1.
2. DAC cycles: W8A8 against W8A7 at the preset noise (the 8th input bit
   needs a second DAC cycle, whose conversion noise the shift-add scales by
   2^7).
3. Noise-aware compilation: bias correction measured noiselessly against
   measured on the noisy crossbars of seed 7 (cimc --noise-seed 7), both
   evaluated on three other chips (seeds 11, 12, 13); cnn_bn, resnet_tiny
   and mlp.

Writes bench/results/noise.json and docs/noise-sweep.svg, and prints the
markdown tables of docs/techniques.md.
"""
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(src, "build"))
fashion = os.path.join(src, "models", "fashion")
work = os.path.join(build, "bench-noise")
os.makedirs(work, exist_ok=True)
bin_ = os.path.join(build, "bin")
x = os.path.join(fashion, "test_x.npy")
y = np.load(os.path.join(fashion, "test_y.npy"))
calib = os.path.join(fashion, "calib_x.npy")
preset = json.load(open(os.path.join(src, "targets", "aihwkit-pcm.json")))
PRESET_READ = preset["noise"]["read"]
MODELS = ["cnn_bn", "resnet_tiny", "dwsep", "mlp"]
READ_SCALES = [0, 0.25, 1, 4]
ADC_BITS = [6, 9, 12]
ENCODINGS = ["differential_columns", "offset"]


def target(read, bits, encoding):
    t = json.loads(json.dumps(preset))
    t["name"] = "aihwkit-pcm-r%g-b%d-%s" % (read, bits, encoding)
    t["noise"]["read"] = read
    t["adc"]["bits"] = bits
    t["weight_sign"] = encoding
    path = os.path.join(work, t["name"] + ".json")
    json.dump(t, open(path, "w"), indent=1)
    return path


def cimc(model, tgt, out, precision, *extra):
    # Results of an earlier run are reused; delete build/bench-noise to redo.
    if os.path.exists(os.path.join(out, "report.json")):
        return
    subprocess.check_call(
        [os.path.join(bin_, "cimc"), os.path.join(fashion, model + ".onnx"), "--target", tgt,
         "--input-shape", "input:1x1x28x28", "--precision", precision, "--calib", calib,
         "-o", out] + list(extra), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def top1(cimbin, seed):
    out = cimbin + ("-run%d" % seed if seed is not None else "-noiseless")
    args = [os.path.join(bin_, "cim-run"), cimbin, "--input", "input=" + x, "--output-dir", out]
    if seed is not None:
        args += ["--noise-seed", str(seed)]
    if not os.path.exists(os.path.join(out, "logits.npy")):
        subprocess.check_call(args, stdout=subprocess.DEVNULL)
    return float((np.load(os.path.join(out, "logits.npy")).argmax(1) == y).mean())


start = time.time()
sweep = []
for model in MODELS:
    for scale in READ_SCALES:
        for bits in ADC_BITS:
            for enc in ENCODINGS:
                read = scale * PRESET_READ
                out = os.path.join(work, "%s-r%g-b%d-%s" % (model, scale, bits, enc))
                cimc(model, target(read, bits, enc), out, "w8a7")
                acc = top1(os.path.join(out, "model.cimbin"), 1)
                sweep.append({"model": model, "read": read, "read_scale": scale,
                              "adc_bits": bits, "encoding": enc, "top1": acc})
                print(model, scale, bits, enc, acc, flush=True)

cycles = []
for model in MODELS:
    tgt = target(PRESET_READ, 9, "differential_columns")
    row = {"model": model}
    for precision in ["w8a7", "w8a8"]:
        out = os.path.join(work, "%s-cycles-%s" % (model, precision))
        cimc(model, tgt, out, precision)
        row[precision + "_noiseless"] = top1(os.path.join(out, "model.cimbin"), None)
        row[precision + "_noisy"] = top1(os.path.join(out, "model.cimbin"), 1)
    cycles.append(row)
    print(row, flush=True)

CHIPS = [11, 12, 13]
# dwsep is at chance under the preset noise whatever the calibration (the
# sweep), and its noisy calibration is the slowest: left out here.
AWARE_MODELS = ["cnn_bn", "resnet_tiny", "mlp"]
aware = []
for model in AWARE_MODELS:
    for scale in [1, 4]:
        tgt = target(scale * PRESET_READ, 9, "differential_columns")
        row = {"model": model, "read_scale": scale, "read": scale * PRESET_READ}
        for mode, extra in [("plain", []), ("noise_aware", ["--noise-seed", "7"])]:
            out = os.path.join(work, "%s-aware-r%g-%s" % (model, scale, mode))
            t0 = time.time()
            cimc(model, tgt, out, "w8a7", "--bias-correction", *extra)
            row[mode + "_compile_s"] = round(time.time() - t0, 1)
            accs = [top1(os.path.join(out, "model.cimbin"), s) for s in CHIPS]
            row[mode] = accs
            row[mode + "_mean"] = float(np.mean(accs))
        row["noiseless"] = top1(os.path.join(work, "%s-aware-r%g-plain" % (model, scale), "model.cimbin"), None)
        aware.append(row)
        print(row, flush=True)

result = {
    "machine": "%s, %d cores, %s" % (platform.machine(), os.cpu_count(), platform.platform()),
    "date": time.strftime("%Y-%m-%d"),
    "images": int(len(y)),
    "preset_read": PRESET_READ,
    "programming": preset["noise"]["programming"],
    "sweep": sweep, "dac_cycles": cycles, "noise_aware": aware,
    "seconds": round(time.time() - start, 1),
}
json.dump(result, open(os.path.join(src, "bench", "results", "noise.json"), "w"), indent=1)

# The sweep as a plot: one panel per model, top-1 against read noise, a line
# per ADC width and encoding.
W, H, PW, PH, M = 1000, 300, 220, 200, 40
colors = {6: "#d62728", 9: "#1f77b4", 12: "#2ca02c"}
dash = {"differential_columns": "", "offset": "5,4"}
svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
       'font-size="11">' % (W, H + 40), '<rect width="100%" height="100%" fill="white"/>']
for i, model in enumerate(MODELS):
    ox, oy = M + i * (PW + 25), 20
    svg.append('<text x="%d" y="%d" font-weight="bold">%s</text>' % (ox, oy - 5, model))
    svg.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#888"/>' % (ox, oy, PW, PH))
    for acc in [0, 0.25, 0.5, 0.75, 1.0]:
        yy = oy + PH - acc * PH
        svg.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#eee"/>' % (ox, ox + PW, yy, yy))
        if i == 0:
            svg.append('<text x="%d" y="%.1f" text-anchor="end">%d%%</text>' % (ox - 4, yy + 4, acc * 100))
    for j, scale in enumerate(READ_SCALES):
        xx = ox + 15 + j * (PW - 30) / (len(READ_SCALES) - 1)
        svg.append('<text x="%.1f" y="%d" text-anchor="middle">%gx</text>' % (xx, oy + PH + 14, scale))
    for bits in ADC_BITS:
        for enc in ENCODINGS:
            pts = []
            for j, scale in enumerate(READ_SCALES):
                r = [s for s in sweep if s["model"] == model and s["read_scale"] == scale
                     and s["adc_bits"] == bits and s["encoding"] == enc][0]
                pts.append("%.1f,%.1f" % (ox + 15 + j * (PW - 30) / (len(READ_SCALES) - 1),
                                          oy + PH - r["top1"] * PH))
            svg.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="1.6" '
                       'stroke-dasharray="%s"/>' % (" ".join(pts), colors[bits], dash[enc]))
svg.append('<text x="%d" y="%d">read noise (x aihwkit-pcm preset, %.3g of full scale); '
           'lines: ADC bits 6 (red), 9 (blue), 12 (green); solid differential columns, dashed offset; '
           'W8A7, 1000 test images</text>' % (M, H + 30, PRESET_READ))
svg.append("</svg>")
open(os.path.join(src, "docs", "noise-sweep.svg"), "w").write("\n".join(svg) + "\n")

print("\n| model | read noise | " + " | ".join("ADC %d, %s" % (b, "diff." if e == "differential_columns" else "offset")
                                       for b in ADC_BITS for e in ENCODINGS) + " |")
print("|---|---|" + "---|" * (len(ADC_BITS) * len(ENCODINGS)))
for model in MODELS:
    for scale in READ_SCALES:
        cells = []
        for b in ADC_BITS:
            for e in ENCODINGS:
                r = [s for s in sweep if s["model"] == model and s["read_scale"] == scale
                     and s["adc_bits"] == b and s["encoding"] == e][0]
                cells.append("%.1f%%" % (100 * r["top1"]))
        print("| %s | %gx | %s |" % (model, scale, " | ".join(cells)))
print("\n| model | W8A7 noiseless | W8A7 noisy | W8A8 noiseless | W8A8 noisy |")
print("|---|---|---|---|---|")
for r in cycles:
    print("| %s | %.1f%% | %.1f%% | %.1f%% | %.1f%% |" % (
        r["model"], 100 * r["w8a7_noiseless"], 100 * r["w8a7_noisy"],
        100 * r["w8a8_noiseless"], 100 * r["w8a8_noisy"]))
print("\n| model | read noise | noiseless | plain bias correction (chips 11/12/13) | noise-aware (seed 7) | gain |")
print("|---|---|---|---|---|---|")
for r in aware:
    print("| %s | %gx | %.1f%% | %s (mean %.1f%%) | %s (mean %.1f%%) | %+.1f pt |" % (
        r["model"], r["read_scale"], 100 * r["noiseless"],
        " / ".join("%.1f" % (100 * a) for a in r["plain"]), 100 * r["plain_mean"],
        " / ".join("%.1f" % (100 * a) for a in r["noise_aware"]), 100 * r["noise_aware_mean"],
        100 * (r["noise_aware_mean"] - r["plain_mean"])))
print("\n%.0f s" % result["seconds"])
