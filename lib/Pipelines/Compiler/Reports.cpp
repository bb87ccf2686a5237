//===- Reports.cpp - The compiler's human-readable reports ----------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "cim/Pipelines/Reports.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <map>

using namespace mlir;
using namespace mlir::cim;

void mlir::cim::writeLatencySvg(const cost::ModelCost &ours,
                                const cost::ModelCost &baseline,
                                llvm::raw_ostream &os) {
  // One pair of bars per crossbar layer: latency compiled vs uniform W8A8.
  std::map<std::string, double> base;
  for (const cost::LayerCost &l : baseline.layers)
    base[l.name] = l.latencyNs;
  std::vector<const cost::LayerCost *> layers;
  double most = 1e-9;
  for (const cost::LayerCost &l : ours.layers)
    if (l.kind == "crossbar") {
      layers.push_back(&l);
      most = std::max({most, l.latencyNs, base[l.name]});
    }
  const int row = 22, left = 260, width = 420;
  int height = 60 + row * int(layers.size());
  os << llvm::formatv("<svg xmlns=\"http://www.w3.org/2000/svg\" "
                      "width=\"{0}\" height=\"{1}\" font-family=\"sans-serif\" "
                      "font-size=\"11\">\n",
                      left + width + 40, height);
  os << llvm::formatv("<text x=\"10\" y=\"18\" font-size=\"13\">Modeled "
                      "latency per layer on {0}: compiled (blue) vs uniform "
                      "W8A8 (grey)</text>\n",
                      ours.target);
  for (auto [i, l] : llvm::enumerate(layers)) {
    int y = 36 + row * int(i);
    std::string name = l->name;
    for (char &c : name)
      if (c == '<' || c == '>' || c == '&' || c == '"')
        c = '_';
    os << llvm::formatv("<text x=\"{0}\" y=\"{1}\" "
                        "text-anchor=\"end\">{2} W{3}A{4}</text>\n",
                        left - 6, y + 12, name, l->weightBits, l->actBits);
    os << llvm::formatv("<rect x=\"{0}\" y=\"{1}\" width=\"{2:f1}\" "
                        "height=\"8\" fill=\"#999\"/>\n",
                        left, y + 1, width * base[l->name] / most);
    os << llvm::formatv("<rect x=\"{0}\" y=\"{1}\" width=\"{2:f1}\" "
                        "height=\"8\" fill=\"#2a6fdb\"/>\n",
                        left, y + 10, width * l->latencyNs / most);
  }
  os << "</svg>\n";
}

LogicalResult mlir::cim::writeParetoSvg(llvm::StringRef jsonPath,
                                        llvm::raw_ostream &os) {
  auto buffer = llvm::MemoryBuffer::getFile(jsonPath);
  if (!buffer)
    return failure();
  llvm::Expected<llvm::json::Value> json =
      llvm::json::parse((*buffer)->getBuffer());
  if (!json) {
    llvm::consumeError(json.takeError());
    return failure();
  }
  const llvm::json::Object *root = json->getAsObject();
  const llvm::json::Array *points = root ? root->getArray("points") : nullptr;
  const llvm::json::Array *front = root ? root->getArray("front") : nullptr;
  if (!points || !front || points->empty())
    return failure();
  auto pair = [](const llvm::json::Value &v) {
    const llvm::json::Array *a = v.getAsArray();
    return std::make_pair(a ? *(*a)[0].getAsNumber() : 0.0,
                          a ? *(*a)[1].getAsNumber() : 0.0);
  };
  double top = pair(points->front()).first, maxSpeedup = 1, maxLoss = 1e-9,
         minLoss = 0;
  for (const llvm::json::Value &v : *points) {
    auto [cost, loss] = pair(v);
    maxSpeedup = std::max(maxSpeedup, top / cost);
    maxLoss = std::max(maxLoss, loss);
    minLoss = std::min(minLoss, loss);
  }
  const double w = 520, h = 320, x0 = 60, y0 = 20;
  auto px = [&](double cost) {
    return x0 + (top / cost - 1) / std::max(maxSpeedup - 1, 1e-9) * (w - 90);
  };
  auto py = [&](double loss) {
    return y0 + (h - 60) * (1 - (loss - minLoss) / (maxLoss - minLoss));
  };
  os << llvm::formatv("<svg xmlns=\"http://www.w3.org/2000/svg\" "
                      "width=\"{0}\" height=\"{1}\" "
                      "font-family=\"sans-serif\" font-size=\"11\">\n",
                      w, h);
  os << llvm::formatv(
      "<text x=\"{0}\" y=\"14\" font-size=\"13\">Measured policies: "
      "speedup over the top of the ranges (x, 1.00 to {1:f2}) vs {2} "
      "(y, up)</text>\n",
      x0, maxSpeedup, root->getString("loss").value_or("loss"));
  os << llvm::formatv("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" "
                      "stroke=\"black\"/>\n",
                      x0, h - 40, w - 20);
  for (const llvm::json::Value &v : *points) {
    auto [cost, loss] = pair(v);
    os << llvm::formatv("<circle cx=\"{0:f1}\" cy=\"{1:f1}\" r=\"2\" "
                        "fill=\"#bbb\"/>\n",
                        px(cost), py(loss));
  }
  std::string path;
  for (const llvm::json::Value &v : *front) {
    const llvm::json::Object *p = v.getAsObject();
    double cost = *p->getNumber("cost"), loss = *p->getNumber("loss");
    path += llvm::formatv("{0}{1:f1},{2:f1} ", path.empty() ? "M" : "L",
                          px(cost), py(loss));
    os << llvm::formatv("<circle cx=\"{0:f1}\" cy=\"{1:f1}\" r=\"3\" "
                        "fill=\"#2a6fdb\"/>\n",
                        px(cost), py(loss));
  }
  os << "<path d=\"" << path
     << "\" fill=\"none\" stroke=\"#2a6fdb\"/>\n</svg>\n";
  return success();
}
