//===- Elementwise.cpp - Arithmetic and activation kernels ----------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"

#include <algorithm>
#include <cmath>
#include <functional>

using namespace mlir::cim::eval;
using llvm::ArrayRef;

Tensor kernels::binary(BinaryKind kind, const Tensor &l, const Tensor &r,
                       ArrayRef<int64_t> shape, bool integer) {
  std::function<double(double, double)> fn;
  switch (kind) {
  case BinaryKind::add:
    fn = [](double x, double y) { return x + y; };
    break;
  case BinaryKind::sub:
    fn = [](double x, double y) { return x - y; };
    break;
  case BinaryKind::mul:
    fn = [](double x, double y) { return x * y; };
    break;
  case BinaryKind::div:
    if (integer)
      fn = [](double x, double y) { return y == 0 ? 0.0 : std::trunc(x / y); };
    else
      fn = [](double x, double y) { return double(float(x) / float(y)); };
    break;
  case BinaryKind::pow:
    fn = [](double x, double y) {
      return double(std::pow(float(x), float(y)));
    };
    break;
  case BinaryKind::max:
    fn = [](double x, double y) {
      return std::isnan(x) || std::isnan(y) ? NAN : std::max(x, y);
    };
    break;
  case BinaryKind::min:
    fn = [](double x, double y) {
      return std::isnan(x) || std::isnan(y) ? NAN : std::min(x, y);
    };
    break;
  case BinaryKind::prelu:
    fn = [](double x, double y) { return x >= 0 ? x : y * x; };
    break;
  case BinaryKind::logicalAnd:
    fn = [](double x, double y) { return double(x != 0 && y != 0); };
    break;
  case BinaryKind::logicalOr:
    fn = [](double x, double y) { return double(x != 0 || y != 0); };
    break;
  case BinaryKind::logicalXor:
    fn = [](double x, double y) { return double((x != 0) != (y != 0)); };
    break;
  case BinaryKind::mod:
    fn = [](double x, double y) {
      if (y == 0)
        return 0.0;
      double r = std::fmod(x, y);
      return r != 0 && (r < 0) != (y < 0) ? r + y : r;
    };
    break;
  case BinaryKind::fmod:
    fn = [integer](double x, double y) {
      return y == 0 ? (integer ? 0.0 : NAN) : std::fmod(x, y);
    };
    break;
  case BinaryKind::eq:
    fn = [](double x, double y) { return double(x == y); };
    break;
  case BinaryKind::lt:
    fn = [](double x, double y) { return double(x < y); };
    break;
  case BinaryKind::le:
    fn = [](double x, double y) { return double(x <= y); };
    break;
  case BinaryKind::gt:
    fn = [](double x, double y) { return double(x > y); };
    break;
  case BinaryKind::ge:
    fn = [](double x, double y) { return double(x >= y); };
    break;
  }
  // Float results round each operation to float32, like the frameworks.
  return broadcast(l, r, shape, integer, [&](double x, double y) {
    double v = fn(x, y);
    return integer ? v : double(float(v));
  });
}

Tensor kernels::relu(const Tensor &x) {
  return unary(x, [](float v) { return v > 0 ? v : 0.0f; });
}

Tensor kernels::leakyRelu(const Tensor &x, float alpha) {
  return unary(x, [&](float v) { return v >= 0 ? v : alpha * v; });
}

Tensor kernels::clip(const Tensor &x, float lo, float hi) {
  Tensor out = x;
  for (int64_t e = 0, n = x.numElements(); e < n; ++e) {
    if (x.isInteger)
      out.i[e] = std::clamp<int64_t>(
          x.i[e], int64_t(std::clamp(double(std::ceil(lo)), -9.2e18, 9.2e18)),
          int64_t(std::clamp(double(std::floor(hi)), -9.2e18, 9.2e18)));
    else
      out.f[e] = std::min(std::max(x.f[e], lo), hi);
  }
  return out;
}

Tensor kernels::sigmoid(const Tensor &x) {
  return unary(x, [](float v) { return 1.0f / (1.0f + std::exp(-v)); });
}

Tensor kernels::hardSigmoid(const Tensor &x, float alpha, float beta) {
  return unary(x, [&](float v) {
    return std::max(0.0f, std::min(1.0f, alpha * v + beta));
  });
}

Tensor kernels::hardSwish(const Tensor &x) {
  return unary(x, [](float v) {
    return v * std::max(0.0f, std::min(1.0f, v / 6.0f + 0.5f));
  });
}

Tensor kernels::tanh(const Tensor &x) {
  return unary(x, [](float v) { return std::tanh(v); });
}

Tensor kernels::gelu(const Tensor &x, bool tanhApproximation) {
  return unary(x, [&](float v) {
    if (tanhApproximation)
      return 0.5f * v *
             (1.0f +
              std::tanh(0.7978845608028654f * (v + 0.044715f * v * v * v)));
    return 0.5f * v * (1.0f + std::erf(v / std::sqrt(2.0f)));
  });
}

Tensor kernels::erf(const Tensor &x) {
  return unary(x, [](float v) { return std::erf(v); });
}

Tensor kernels::sqrt(const Tensor &x) {
  return unary(x, [](float v) { return std::sqrt(v); });
}

Tensor kernels::exp(const Tensor &x) {
  return unary(x, [](float v) { return std::exp(v); });
}
