//===- Accuracy.cpp - cimc's measured accuracy and its interval -----------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The measured top-1 (or output error) of the compiled module against
// float: on all measured inputs (as before the split), on the search and
// verify parts, and what to expect on unseen images: the verify drop with
// an interval of z paired standard errors (docs/precision.md).
//
//===----------------------------------------------------------------------===//

#include "Accuracy.h"

#include "cim/Interpreter/GraphEvaluator.h"
#include "cim/Precision/Validation.h"
#include "cim/Support/Npy.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace mlir;
using namespace mlir::cim;

namespace {
struct Inputs {
  std::vector<float> values;
  std::vector<int64_t> labels;
  int64_t batches = 0;
};

/// Float and compiled outputs of one set of inputs.
struct Outputs {
  std::vector<std::vector<float>> f, c;
};
} // namespace

static llvm::Expected<Inputs> readInputs(const eval::GraphEvaluator &e,
                                         llvm::StringRef path,
                                         llvm::StringRef labelPath,
                                         unsigned samples) {
  Inputs in;
  llvm::Expected<npy::Array> x = npy::read(path);
  if (!x)
    return x.takeError();
  llvm::Expected<std::vector<float>> values = npy::toFloat32(*x);
  if (!values)
    return values.takeError();
  int64_t size = 1;
  for (int64_t d : e.getInputShapes().front())
    size *= d;
  in.batches = int64_t(values->size()) / size;
  if (samples)
    in.batches = std::min<int64_t>(in.batches, samples);
  in.values = std::move(*values);
  if (labelPath.empty())
    return in;
  llvm::Expected<npy::Array> y = npy::read(labelPath);
  if (!y)
    return y.takeError();
  llvm::Expected<std::vector<int64_t>> ys = npy::toInt64(*y);
  if (!ys)
    return ys.takeError();
  in.labels = std::move(*ys);
  return in;
}

static llvm::Expected<Outputs> runBoth(const eval::GraphEvaluator &f,
                                       const eval::GraphEvaluator &c,
                                       const Inputs &in) {
  Outputs out;
  auto fo = eval::runBatches(f, in.values, in.batches);
  if (!fo)
    return fo.takeError();
  auto co = eval::runBatches(c, in.values, in.batches);
  if (!co)
    return co.takeError();
  out.f = std::move(*fo);
  out.c = std::move(*co);
  return out;
}

static double mean(const std::vector<bool> &v,
                   llvm::ArrayRef<int64_t> indices) {
  int64_t hits = 0;
  for (int64_t i : indices)
    hits += v[i];
  return indices.empty() ? 0.0 : double(hits) / double(indices.size());
}

static std::vector<bool> pick(const std::vector<bool> &v,
                              llvm::ArrayRef<int64_t> indices) {
  std::vector<bool> out;
  for (int64_t i : indices)
    out.push_back(v[i]);
  return out;
}

llvm::Expected<AccuracyReport>
mlir::cim::measureAccuracy(ModuleOp floatModule, ModuleOp compiled,
                           const CompilerOptions &o) {
  AccuracyReport r;
  llvm::Expected<eval::GraphEvaluator> floatEval =
      eval::GraphEvaluator::create(floatModule);
  if (!floatEval)
    return floatEval.takeError();
  // The program, or (--no-program) the tiled module it would be: the same
  // outputs either way (docs/isa.md, identity).
  eval::Options quantized;
  quantized.quantize = true;
  if (o.noiseSeed >= 0)
    quantized.noiseSeed = uint64_t(o.noiseSeed);
  llvm::Expected<eval::GraphEvaluator> compiledEval =
      eval::GraphEvaluator::create(compiled, "main", quantized);
  if (!compiledEval)
    return compiledEval.takeError();
  int64_t perBatch = floatEval->getInputShapes().front().front();
  double z = validation::normalQuantile(o.verifyLevel);
  bool labelled = !o.labels.empty();
  llvm::Expected<Inputs> all =
      readInputs(*floatEval, o.measuredInputs(), o.labels, o.samples);
  if (!all)
    return all.takeError();
  llvm::Expected<Outputs> out = runBoth(*floatEval, *compiledEval, *all);
  if (!out)
    return out.takeError();
  std::optional<Inputs> verify;
  std::optional<Outputs> verifyOut;
  if (!o.verify.empty()) {
    llvm::Expected<Inputs> v =
        readInputs(*floatEval, o.verify, o.verifyLabels, o.samples);
    if (!v)
      return v.takeError();
    llvm::Expected<Outputs> vo = runBoth(*floatEval, *compiledEval, *v);
    if (!vo)
      return vo.takeError();
    verify = std::move(*v);
    verifyOut = std::move(*vo);
  }
  // The split of cim-assign-precision, when the search made one.
  bool split =
      o.precision == "auto" && o.verify.empty() && o.verifyFraction > 0;

  if (labelled) {
    int64_t images = all->batches * perBatch;
    std::vector<int64_t> labels(all->labels.begin(),
                                all->labels.begin() + images);
    std::vector<bool> fc = eval::topOneCorrectOf(out->f, labels, perBatch),
                      cc = eval::topOneCorrectOf(out->c, labels, perBatch);
    std::vector<int64_t> every(images);
    for (int64_t i = 0; i < images; ++i)
      every[i] = i;
    double f = mean(fc, every), c = mean(cc, every);
    r.accuracy = llvm::json::Object{{"float", f},
                                    {"compiled", c},
                                    {"drop_points", 100.0 * (f - c)},
                                    {"batches", all->batches}};
    auto part = [&](const std::vector<bool> &pf, const std::vector<bool> &pc,
                    llvm::ArrayRef<int64_t> idx) {
      validation::Paired p = validation::pair(pick(pf, idx), pick(pc, idx));
      llvm::json::Object o{
          {"images", int64_t(idx.size())},
          {"float", mean(pf, idx)},
          {"compiled", mean(pc, idx)},
          {"drop_points", 100.0 * p.drop()},
          {"lost", p.lost},
          {"gained", p.gained},
          {"standard_error_points", 100.0 * p.standardError()}};
      return std::make_pair(std::move(o), p);
    };
    std::optional<validation::Paired> unseen;
    std::string source;
    if (split || verify) {
      validation::Split s;
      if (split && o.maxOutputError > 0) {
        // The search bounded the output error: it split batches.
        validation::Split b = validation::splitRandom(
            all->batches, o.verifyFraction, o.splitSeed);
        for (auto [from, to] :
             {std::pair{&b.search, &s.search}, std::pair{&b.verify, &s.verify}})
          for (int64_t batch : *from)
            for (int64_t i = 0; i < perBatch; ++i)
              to->push_back(batch * perBatch + i);
      } else if (split) {
        s = validation::splitStratified(labels, o.verifyFraction, o.splitSeed,
                                        perBatch);
      } else
        s.search = every;
      auto [searchJson, searchPair] = part(fc, cc, s.search);
      r.accuracy["search"] = std::move(searchJson);
      if (verify) {
        int64_t vImages = verify->batches * perBatch;
        std::vector<int64_t> vLabels(verify->labels.begin(),
                                     verify->labels.begin() + vImages);
        std::vector<bool> vf = eval::topOneCorrectOf(verifyOut->f, vLabels,
                                                     perBatch),
                          vc = eval::topOneCorrectOf(verifyOut->c, vLabels,
                                                     perBatch);
        std::vector<int64_t> vIdx(vImages);
        for (int64_t i = 0; i < vImages; ++i)
          vIdx[i] = i;
        auto [verifyJson, verifyPair] = part(vf, vc, vIdx);
        r.accuracy["verify"] = std::move(verifyJson);
        unseen = verifyPair;
        source = "verify images (--verify)";
      } else {
        auto [verifyJson, verifyPair] = part(fc, cc, s.verify);
        r.accuracy["verify"] = std::move(verifyJson);
        unseen = verifyPair;
        source = "verify images (held out of the search)";
      }
    } else {
      unseen = validation::pair(fc, cc);
      source = o.precision == "auto"
                   ? "search images (no verify part: optimistic)"
                   : "all images (no search chose on them)";
    }
    double d = 100.0 * unseen->drop(), se = 100.0 * unseen->standardError();
    // A two-sided interval of 1 - 2 alpha: each side is the verify check's
    // one-sided level.
    r.accuracy["unseen"] = llvm::json::Object{
        {"expected_drop_points", d},
        {"standard_error_points", se},
        {"interval_points", llvm::json::Array{d - z * se, d + z * se}},
        {"coverage", 2 * o.verifyLevel - 1},
        {"z", z},
        {"images", unseen->images},
        {"from", source}};
    llvm::raw_string_ostream md(r.markdown);
    md << llvm::formatv("Top-1 on {0} measured batches: float {1:f2}%, "
                        "compiled {2:f2}% (drop {3:f2} points).",
                        all->batches, 100 * f, 100 * c, 100 * (f - c));
    for (llvm::StringRef key : {"search", "verify"})
      if (const llvm::json::Object *p = r.accuracy.getObject(key))
        md << llvm::formatv(" On the {0} {1} images: drop {2:f2} points "
                            "({3} lost, {4} gained).",
                            *p->getInteger("images"), key,
                            *p->getNumber("drop_points"),
                            *p->getInteger("lost"), *p->getInteger("gained"));
    md << llvm::formatv(
        " Expected drop on unseen images: {0:f2} ± {1:f2} points ({2:f0}% "
        "interval [{3:f2}, {4:f2}], from {5} {6}).\n\n",
        d, z * se, 100 * (2 * o.verifyLevel - 1), d - z * se, d + z * se,
        unseen->images, source);
    return r;
  }

  // Without labels: the relative L2 error (what --max-output-error bounds)
  // per batch, summed over a part.
  auto errors = [](const Outputs &x, std::vector<double> &e,
                   std::vector<double> &s) {
    for (auto [f, c] : llvm::zip(x.f, x.c)) {
      double de = 0, ds = 0;
      for (auto [fi, ci] : llvm::zip(f, c)) {
        de += (double(ci) - double(fi)) * (double(ci) - double(fi));
        ds += double(fi) * double(fi);
      }
      e.push_back(de);
      s.push_back(ds);
    }
  };
  // Over all batches in one running sum (the figure reports had before
  // the split, to the last digit).
  double diff = 0, norm = 0;
  for (auto [f, c] : llvm::zip(out->f, out->c))
    for (auto [fi, ci] : llvm::zip(f, c)) {
      double d = double(ci) - double(fi);
      diff += d * d;
      norm += double(fi) * double(fi);
    }
  r.outputError = norm > 0 ? std::sqrt(diff / norm) : std::sqrt(diff);
  if (!split && !verify)
    return r;
  std::vector<double> e, s;
  errors(*out, e, s);
  auto ratio = [&](const std::vector<double> &pe, const std::vector<double> &ps,
                   llvm::ArrayRef<int64_t> idx) {
    double de = 0, ds = 0;
    for (int64_t i : idx) {
      de += pe[i];
      ds += ps[i];
    }
    return ds > 0 ? std::sqrt(de / ds) : std::sqrt(de);
  };
  std::vector<int64_t> every(e.size());
  for (size_t i = 0; i < every.size(); ++i)
    every[i] = int64_t(i);
  validation::Split parts;
  std::vector<double> ve, vs;
  if (split) {
    parts =
        validation::splitRandom(all->batches, o.verifyFraction, o.splitSeed);
    for (int64_t i : parts.verify) {
      ve.push_back(e[i]);
      vs.push_back(s[i]);
    }
  } else {
    parts.search = every;
    errors(*verifyOut, ve, vs);
  }
  validation::Verdict v = validation::checkOutputError(
      ve, vs, o.maxOutputError > 0 ? o.maxOutputError : 1e300, z);
  r.outputErrorSplit =
      llvm::json::Object{{"search", ratio(e, s, parts.search)},
                         {"search_batches", int64_t(parts.search.size())},
                         {"verify", v.measured},
                         {"verify_batches", int64_t(ve.size())},
                         {"verify_standard_error", v.standardError},
                         {"verify_bound", v.bound},
                         {"z", z}};
  r.markdown = llvm::formatv(
      "Relative output error: {0:e3} on {1} search batches, {2:e3} on {3} "
      "verify batches (one-sided {4:f0}% bound {5:e3}).\n\n",
      *r.outputErrorSplit.getNumber("search"), parts.search.size(), v.measured,
      ve.size(), 100 * o.verifyLevel, v.bound);
  return r;
}
