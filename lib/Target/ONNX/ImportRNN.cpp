//===- ImportRNN.cpp - RNN, GRU and LSTM, unrolled at import ----*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// ONNX's recurrent layers are unrolled over their static sequence length into
// cim graph ops. The input projection X * W^T of every time step and every
// direction is one gemm with the (usually constant) W, so it maps onto
// crossbars like any Gemm; the recurrent product H * R^T is one gemm per step
// with the constant R. Sequence lengths (constant, or non-constant for the
// forward direction) mask the state updates: a finished sequence keeps its
// state and yields zeros in Y, as ONNX specifies.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::onnx_import;

namespace {

enum class CellKind { RNN, GRU, LSTM };

/// One entry of `activations`, with the alpha/beta it takes.
struct Activation {
  std::string name; // lower case
  float alpha = 0.0f, beta = 0.0f;
};

/// Which of alpha and beta an ONNX RNN activation takes, and their defaults.
struct ActivationInfo {
  StringRef name;
  bool usesAlpha, usesBeta;
  float alpha, beta;
};

const ActivationInfo kActivations[] = {
    {"relu", false, false, 0, 0},
    {"tanh", false, false, 0, 0},
    {"sigmoid", false, false, 0, 0},
    {"affine", true, true, 1.0f, 0.0f},
    {"leakyrelu", true, false, 0.01f, 0},
    {"thresholdedrelu", true, false, 1.0f, 0},
    {"scaledtanh", true, true, 1.0f, 1.0f},
    {"hardsigmoid", true, true, 0.2f, 0.5f},
    {"elu", true, false, 1.0f, 0},
    {"softsign", false, false, 0, 0},
    {"softplus", false, false, 0, 0},
};

/// Builds the unrolled recurrence from cim graph ops. Shape-only ops fold on
/// constants (createOrFold), and add/sub/mul of two constants of one shape
/// are evaluated here, so constant weights and biases stay constants.
struct CellBuilder {
  OpBuilder &b;
  Location loc;
  Type elem;

  static RankedTensorType typeOf(Value v) {
    return cast<RankedTensorType>(v.getType());
  }
  static ArrayRef<int64_t> shapeOf(Value v) { return typeOf(v).getShape(); }

  RankedTensorType type(ArrayRef<int64_t> shape, Type element = {}) {
    return RankedTensorType::get(shape, element ? element : elem);
  }

  Value splat(ArrayRef<int64_t> shape, double value) {
    APFloat v = b.getFloatAttr(elem, value).getValue();
    return ConstantOp::create(b, loc, DenseElementsAttr::get(type(shape), v));
  }

  Value reshape(Value v, ArrayRef<int64_t> shape) {
    return b.createOrFold<ReshapeOp>(
        loc, type(shape, typeOf(v).getElementType()), v);
  }

  Value slice(Value v, ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes) {
    SmallVector<int64_t> strides(sizes.size(), 1);
    return b.createOrFold<SliceOp>(loc, type(sizes, typeOf(v).getElementType()),
                                   v, b.getDenseI64ArrayAttr(offsets),
                                   b.getDenseI64ArrayAttr(strides));
  }

  Value transpose(Value v, ArrayRef<int64_t> perm) {
    SmallVector<int64_t> shape;
    for (int64_t p : perm)
      shape.push_back(shapeOf(v)[p]);
    return b.createOrFold<TransposeOp>(loc,
                                       type(shape, typeOf(v).getElementType()),
                                       v, b.getDenseI64ArrayAttr(perm));
  }

  Value concat(ArrayRef<Value> values, int64_t axis) {
    if (values.size() == 1)
      return values.front();
    SmallVector<int64_t> shape(shapeOf(values.front()));
    shape[axis] = 0;
    for (Value v : values)
      shape[axis] += shapeOf(v)[axis];
    return ConcatOp::create(b, loc, type(shape), values,
                            b.getI64IntegerAttr(axis));
  }

  /// numpy broadcast of two shapes (the callers pass compatible ones).
  static SmallVector<int64_t> broadcast(ArrayRef<int64_t> x,
                                        ArrayRef<int64_t> y) {
    SmallVector<int64_t> shape(std::max(x.size(), y.size()), 1);
    for (size_t i = 0; i < shape.size(); ++i) {
      int64_t dx = i < x.size() ? x[x.size() - 1 - i] : 1;
      int64_t dy = i < y.size() ? y[y.size() - 1 - i] : 1;
      shape[shape.size() - 1 - i] = dx == 1 ? dy : dx;
    }
    return shape;
  }

  template <typename OpTy>
  Value binary(Value x, Value y, function_ref<APFloat(APFloat, APFloat)> fn) {
    auto cx = dyn_cast_or_null<DenseFPElementsAttr>(constantValue(x));
    auto cy = dyn_cast_or_null<DenseFPElementsAttr>(constantValue(y));
    if (cx && cy && cx.getType() == cy.getType()) {
      SmallVector<APFloat> result;
      for (auto [a, c] :
           llvm::zip(cx.getValues<APFloat>(), cy.getValues<APFloat>()))
        result.push_back(fn(a, c));
      return ConstantOp::create(b, loc,
                                DenseElementsAttr::get(cx.getType(), result));
    }
    return b.createOrFold<OpTy>(loc, type(broadcast(shapeOf(x), shapeOf(y))), x,
                                y);
  }
  static DenseElementsAttr constantValue(Value v) {
    DenseElementsAttr attr;
    if (v && matchPattern(v, m_Constant(&attr)))
      return attr;
    return {};
  }

  Value add(Value x, Value y) {
    return binary<AddOp>(x, y, [](APFloat a, APFloat c) { return a + c; });
  }
  Value sub(Value x, Value y) {
    return binary<SubOp>(x, y, [](APFloat a, APFloat c) { return a - c; });
  }
  Value mul(Value x, Value y) {
    return binary<MulOp>(x, y, [](APFloat a, APFloat c) { return a * c; });
  }

  /// [M, K] x [K, N] (+ bias [N]).
  Value gemm(Value x, Value w, Value bias = {}) {
    return GemmOp::create(b, loc, type({shapeOf(x)[0], shapeOf(w)[1]}), x, w,
                          bias,
                          /*precision=*/nullptr);
  }

  Value clip(Value x, std::optional<float> threshold) {
    if (!threshold)
      return x;
    return ClipOp::create(b, loc, x.getType(), x,
                          b.getF32FloatAttr(-*threshold),
                          b.getF32FloatAttr(*threshold));
  }

  Value activate(const Activation &f, Value x) {
    StringRef name = f.name;
    if (name == "relu")
      return ReluOp::create(b, loc, x);
    if (name == "tanh")
      return TanhOp::create(b, loc, x);
    if (name == "sigmoid")
      return SigmoidOp::create(b, loc, x);
    if (name == "affine")
      return add(mul(x, splat({}, f.alpha)), splat({}, f.beta));
    if (name == "leakyrelu")
      return LeakyReluOp::create(b, loc, x.getType(), x,
                                 b.getF32FloatAttr(f.alpha));
    if (name == "thresholdedrelu")
      return ThresholdedReluOp::create(b, loc, x.getType(), x,
                                       b.getF32FloatAttr(f.alpha));
    if (name == "scaledtanh")
      return mul(TanhOp::create(b, loc, mul(x, splat({}, f.beta))),
                 splat({}, f.alpha));
    if (name == "hardsigmoid")
      return HardSigmoidOp::create(b, loc, x.getType(), x,
                                   b.getF32FloatAttr(f.alpha),
                                   b.getF32FloatAttr(f.beta));
    if (name == "elu")
      return EluOp::create(b, loc, x.getType(), x, b.getF32FloatAttr(f.alpha));
    if (name == "softsign")
      return SoftsignOp::create(b, loc, x.getType(), x);
    assert(name == "softplus" && "activation checked at parse");
    return SoftplusOp::create(b, loc, x.getType(), x);
  }
};

} // namespace

LogicalResult ONNXImporter::importRecurrent(const onnx::NodeProto &node) {
  Location loc = nodeLoc(node);
  const std::string &opType = node.op_type();
  CellKind kind = opType == "LSTM"  ? CellKind::LSTM
                  : opType == "GRU" ? CellKind::GRU
                                    : CellKind::RNN;
  int64_t numGates = kind == CellKind::LSTM ? 4 : kind == CellKind::GRU ? 3 : 1;
  int64_t numActs = kind == CellKind::LSTM ? 3 : kind == CellKind::GRU ? 2 : 1;
  int maxInputs = kind == CellKind::LSTM ? 8 : 6;
  int maxOutputs = kind == CellKind::LSTM ? 3 : 2;
  if (node.input_size() < 3 || node.input_size() > maxInputs)
    return nodeError(node) << "expected 3 to " << maxInputs
                           << " inputs (X, W, R, ...), got "
                           << node.input_size();
  if (failed(checkOutputs(node, maxOutputs)))
    return failure();

  // Attributes.
  int64_t layout = attrInt(node, "layout", 0);
  if (layout != 0 && layout != 1)
    return nodeError(node) << "layout must be 0 or 1, got " << layout;
  std::string direction = attrString(node, "direction", "forward");
  if (direction != "forward" && direction != "reverse" &&
      direction != "bidirectional")
    return nodeError(node) << "direction must be forward, reverse or "
                              "bidirectional, got '"
                           << direction << "'";
  int64_t numDirs = direction == "bidirectional" ? 2 : 1;
  std::optional<float> clip;
  if (attr(node, "clip")) {
    clip = attrFloat(node, "clip", 0.0f);
    if (!(*clip > 0.0f))
      return nodeError(node) << "clip must be positive, got " << *clip;
  }
  bool linearBeforeReset =
      kind == CellKind::GRU && attrInt(node, "linear_before_reset", 0) != 0;
  bool inputForget =
      kind == CellKind::LSTM && attrInt(node, "input_forget", 0) != 0;

  // Activations: per direction, f (and g, h); alpha/beta are consumed in
  // order by the functions that take them.
  SmallVector<std::string> actNames;
  if (const auto *a = attr(node, "activations")) {
    for (const std::string &s : a->strings())
      actNames.push_back(StringRef(s).lower());
    if (int64_t(actNames.size()) == numActs && numDirs == 2)
      actNames.append(SmallVector<std::string>(actNames));
    if (int64_t(actNames.size()) != numActs * numDirs)
      return nodeError(node)
             << "expected " << numActs * numDirs << " activations (" << numActs
             << " per direction), got " << a->strings_size();
  } else {
    for (int64_t d = 0; d < numDirs; ++d) {
      if (kind != CellKind::RNN)
        actNames.push_back("sigmoid");
      actNames.push_back("tanh");
      if (kind == CellKind::LSTM)
        actNames.push_back("tanh");
    }
  }
  SmallVector<float> alphas, betas;
  if (const auto *a = attr(node, "activation_alpha"))
    alphas.assign(a->floats().begin(), a->floats().end());
  if (const auto *a = attr(node, "activation_beta"))
    betas.assign(a->floats().begin(), a->floats().end());
  SmallVector<Activation> acts;
  size_t nextAlpha = 0, nextBeta = 0;
  for (const std::string &name : actNames) {
    const ActivationInfo *info = llvm::find_if(
        kActivations, [&](const ActivationInfo &i) { return i.name == name; });
    if (info == std::end(kActivations))
      return nodeError(node)
             << "unsupported activation '" << name
             << "' (expected Relu, Tanh, Sigmoid, Affine, LeakyRelu, "
                "ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign or "
                "Softplus)";
    Activation act{name, info->alpha, info->beta};
    if (info->usesAlpha && nextAlpha < alphas.size())
      act.alpha = alphas[nextAlpha++];
    if (info->usesBeta && nextBeta < betas.size())
      act.beta = betas[nextBeta++];
    acts.push_back(act);
  }

  // Inputs.
  Value x = input(node, 0), w = input(node, 1), r = input(node, 2);
  if (!x || !w || !r)
    return failure();
  auto optional = [&](int i) -> FailureOr<Value> {
    if (!hasInput(node, i))
      return Value();
    Value v = input(node, i);
    if (!v)
      return failure();
    return v;
  };
  FailureOr<Value> bias = optional(3), seqLens = optional(4),
                   initialH = optional(5), initialC = optional(6),
                   peepholes = optional(7);
  if (failed(bias) || failed(seqLens) || failed(initialH) || failed(initialC) ||
      failed(peepholes))
    return failure();

  auto xType = cast<RankedTensorType>(x.getType());
  Type elem = xType.getElementType();
  if (!isa<FloatType>(elem))
    return nodeError(node) << "expected a floating-point X, got " << xType;
  auto expectShape = [&](Value v, StringRef what,
                         ArrayRef<int64_t> shape) -> LogicalResult {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getShape() != shape)
      return nodeError(node) << what << " must have shape "
                             << formatShape(shape) << ", got " << t;
    if (what != "sequence_lens" && t.getElementType() != elem)
      return nodeError(node)
             << what << " must have X's element type " << elem << ", got " << t;
    return success();
  };
  if (xType.getRank() != 3)
    return nodeError(node) << "X must have rank 3, got " << xType;
  auto rType = cast<RankedTensorType>(r.getType());
  if (rType.getRank() != 3)
    return nodeError(node) << "R must have rank 3, got " << rType;
  int64_t seq = xType.getDimSize(layout ? 1 : 0);
  int64_t batch = xType.getDimSize(layout ? 0 : 1);
  int64_t inSize = xType.getDimSize(2);
  int64_t hidden = rType.getDimSize(2);
  int64_t gh = numGates * hidden;
  if (seq == 0 || batch == 0 || hidden == 0)
    return nodeError(node) << "empty sequence, batch or hidden size";
  if (const auto *a = attr(node, "hidden_size"); a && a->i() != hidden)
    return nodeError(node) << "hidden_size is " << a->i() << " but R has "
                           << hidden << " columns";
  if (failed(expectShape(w, "W", {numDirs, gh, inSize})) ||
      failed(expectShape(r, "R", {numDirs, gh, hidden})))
    return failure();
  if (*bias && failed(expectShape(*bias, "B", {numDirs, 2 * gh})))
    return failure();
  SmallVector<int64_t> stateShape =
      layout ? SmallVector<int64_t>{batch, numDirs, hidden}
             : SmallVector<int64_t>{numDirs, batch, hidden};
  if (*initialH && failed(expectShape(*initialH, "initial_h", stateShape)))
    return failure();
  if (*initialC && failed(expectShape(*initialC, "initial_c", stateShape)))
    return failure();
  if (*peepholes && failed(expectShape(*peepholes, "P", {numDirs, 3 * hidden})))
    return failure();

  // Sequence lengths: constant (any direction) or, for the forward
  // direction only, computed at run time.
  SmallVector<int64_t> lengths(batch, seq);
  Value dynamicLengths;
  if (*seqLens) {
    auto t = cast<RankedTensorType>((*seqLens).getType());
    if (!isa<IntegerType>(t.getElementType()) ||
        t.getShape() != ArrayRef<int64_t>{batch})
      return nodeError(node)
             << "sequence_lens must be an integer tensor of shape [" << batch
             << "], got " << t;
    if (std::optional<SmallVector<int64_t>> ints = intsOf(*seqLens)) {
      lengths = *ints;
      for (int64_t len : lengths)
        if (len < 0 || len > seq)
          return nodeError(node) << "sequence length " << len
                                 << " is outside [0, " << seq << "]";
    } else if (direction != "forward") {
      return nodeError(node)
             << "sequence_lens must be a constant for the " << direction
             << " direction (a non-constant one is supported "
                "only for forward)";
    } else {
      dynamicLengths = *seqLens;
    }
  }

  CellBuilder cb{builder, loc, elem};

  // Time-major X: [seq, batch, input]; states: [dirs, batch, hidden].
  if (layout) {
    x = cb.transpose(x, {1, 0, 2});
    if (*initialH)
      *initialH = cb.transpose(*initialH, {1, 0, 2});
    if (*initialC)
      *initialC = cb.transpose(*initialC, {1, 0, 2});
  }

  // The input projection of all steps and directions: one gemm.
  Value wAll = cb.transpose(cb.reshape(w, {numDirs * gh, inSize}), {1, 0});
  Value projBias, recurrentBias; // [dirs * gh], [dirs, gh]
  if (*bias) {
    Value wb = cb.slice(*bias, {0, 0}, {numDirs, gh});
    Value rb = cb.slice(*bias, {0, gh}, {numDirs, gh});
    recurrentBias = rb;
    if (linearBeforeReset) {
      // Rb of the h gate stays inside r * (H * Rh^T + Rbh).
      SmallVector<APFloat> mask;
      for (int64_t i = 0; i < gh; ++i)
        mask.push_back(
            builder.getFloatAttr(elem, i < 2 * hidden ? 1.0 : 0.0).getValue());
      Value maskConst = ConstantOp::create(
          builder, loc, DenseElementsAttr::get(cb.type({gh}), mask));
      rb = cb.mul(rb, maskConst);
    }
    projBias = cb.reshape(cb.add(wb, rb), {numDirs * gh});
  }
  Value projection =
      cb.gemm(cb.reshape(x, {seq * batch, inSize}), wAll, projBias);
  projection = cb.reshape(projection, {seq, batch, numDirs * gh});

  Value zeroState = cb.splat({batch, hidden}, 0.0);
  Value one = cb.splat({}, 1.0);
  Value lengthColumn;
  if (dynamicLengths)
    lengthColumn = cb.reshape(dynamicLengths, {batch, 1});
  bool wantY = node.output_size() > 0 && !node.output(0).empty();

  SmallVector<Value> yDirs, hDirs, cDirs;
  for (int64_t d = 0; d < numDirs; ++d) {
    bool reverse = direction == "reverse" || d == 1;
    ArrayRef<Activation> f =
        ArrayRef<Activation>(acts).slice(d * numActs, numActs);
    Value rT = cb.transpose(
        cb.reshape(cb.slice(r, {d, 0, 0}, {1, gh, hidden}), {gh, hidden}),
        {1, 0}); // [hidden, gh]
    auto stateOf = [&](Value states) {
      if (!states)
        return zeroState;
      return cb.reshape(cb.slice(states, {d, 0, 0}, {1, batch, hidden}),
                        {batch, hidden});
    };
    Value h = stateOf(*initialH), c = stateOf(*initialC);
    auto vectorOf = [&](Value v, int64_t offset) {
      return cb.reshape(cb.slice(v, {d, offset}, {1, hidden}), {hidden});
    };
    Value pi, po, pf, rbh;
    if (*peepholes) {
      pi = vectorOf(*peepholes, 0);
      po = vectorOf(*peepholes, hidden);
      pf = vectorOf(*peepholes, 2 * hidden);
    }
    if (linearBeforeReset && recurrentBias)
      rbh = vectorOf(recurrentBias, 2 * hidden);
    auto cols = [&](Value v, int64_t offset, int64_t count) {
      return cb.slice(v, {0, offset}, {cb.shapeOf(v)[0], count});
    };

    // Time index of step s for batch entry b, or -1 past its length.
    auto timeOf = [&](int64_t s, int64_t b) -> int64_t {
      if (s >= lengths[b])
        return -1;
      return reverse ? lengths[b] - 1 - s : s;
    };

    SmallVector<Value> stepOutputs;
    for (int64_t s = 0; s < seq; ++s) {
      SmallVector<int64_t> times;
      for (int64_t b = 0; b < batch; ++b)
        times.push_back(timeOf(s, b));
      auto active = [](int64_t t) { return t >= 0; };
      if (llvm::none_of(times, active))
        break;
      int64_t t0 = *llvm::find_if(times, active);
      Value gx;
      if (llvm::all_of(times, [&](int64_t t) { return t < 0 || t == t0; })) {
        gx = cb.reshape(cb.slice(projection, {t0, 0, d * gh}, {1, batch, gh}),
                        {batch, gh});
      } else {
        // Reversed sequences of different lengths: each batch entry reads
        // its own time step.
        SmallVector<Value> rows;
        for (int64_t b = 0; b < batch; ++b)
          rows.push_back(cb.slice(projection,
                                  {times[b] < 0 ? t0 : times[b], b, d * gh},
                                  {1, 1, gh}));
        gx = cb.reshape(cb.concat(rows, 1), {batch, gh});
      }

      Value hNew, cNew;
      switch (kind) {
      case CellKind::RNN:
        hNew = cb.activate(f[0], cb.clip(cb.add(gx, cb.gemm(h, rT)), clip));
        break;
      case CellKind::GRU: {
        Value z, rGate, hTilde;
        Value zrIn = cols(gx, 0, 2 * hidden),
              hIn = cols(gx, 2 * hidden, hidden);
        if (linearBeforeReset) {
          Value rec = cb.gemm(h, rT);
          Value zr = cb.add(zrIn, cols(rec, 0, 2 * hidden));
          z = cb.activate(f[0], cb.clip(cols(zr, 0, hidden), clip));
          rGate = cb.activate(f[0], cb.clip(cols(zr, hidden, hidden), clip));
          Value hRec = cols(rec, 2 * hidden, hidden);
          if (rbh)
            hRec = cb.add(hRec, rbh);
          hTilde = cb.activate(f[1],
                               cb.clip(cb.add(hIn, cb.mul(rGate, hRec)), clip));
        } else {
          Value zr = cb.add(zrIn, cb.gemm(h, cols(rT, 0, 2 * hidden)));
          z = cb.activate(f[0], cb.clip(cols(zr, 0, hidden), clip));
          rGate = cb.activate(f[0], cb.clip(cols(zr, hidden, hidden), clip));
          Value hRec = cb.gemm(cb.mul(rGate, h), cols(rT, 2 * hidden, hidden));
          hTilde = cb.activate(f[1], cb.clip(cb.add(hIn, hRec), clip));
        }
        // (1 - z) * h~ + z * H = h~ + z * (H - h~).
        hNew = cb.add(hTilde, cb.mul(z, cb.sub(h, hTilde)));
        break;
      }
      case CellKind::LSTM: {
        Value g = cb.add(gx, cb.gemm(h, rT)); // i, o, f, c
        Value gi = cols(g, 0, hidden), go = cols(g, hidden, hidden),
              gf = cols(g, 2 * hidden, hidden),
              gc = cols(g, 3 * hidden, hidden);
        if (pi) {
          gi = cb.add(gi, cb.mul(c, pi));
          gf = cb.add(gf, cb.mul(c, pf));
        }
        Value iGate = cb.activate(f[0], cb.clip(gi, clip));
        Value fGate = inputForget ? cb.sub(one, iGate)
                                  : cb.activate(f[0], cb.clip(gf, clip));
        Value cTilde = cb.activate(f[1], cb.clip(gc, clip));
        cNew = cb.add(cb.mul(fGate, c), cb.mul(iGate, cTilde));
        if (po)
          go = cb.add(go, cb.mul(cNew, po));
        Value oGate = cb.activate(f[0], cb.clip(go, clip));
        hNew = cb.mul(oGate, cb.activate(f[2], cNew));
        break;
      }
      }

      // Entries past their sequence length keep their state and output 0.
      Value mask;
      if (lengthColumn) {
        auto lenType = cast<RankedTensorType>(lengthColumn.getType());
        Value step = ConstantOp::create(
            builder, loc,
            DenseElementsAttr::get(
                RankedTensorType::get({}, lenType.getElementType()),
                APInt(lenType.getElementType().getIntOrFloatBitWidth(), s)));
        mask = CmpOp::create(
            builder, loc, cb.type({batch, 1}, builder.getI1Type()),
            ComparePredicateAttr::get(context, ComparePredicate::gt),
            lengthColumn, step);
      } else if (!llvm::all_of(times, active)) {
        SmallVector<bool> bits;
        for (int64_t t : times)
          bits.push_back(t >= 0);
        mask = ConstantOp::create(
            builder, loc,
            DenseElementsAttr::get(cb.type({batch, 1}, builder.getI1Type()),
                                   ArrayRef<bool>(bits)));
      }
      auto select = [&](Value yes, Value no) -> Value {
        return SelectOp::create(builder, loc, yes.getType(), mask, yes, no);
      };
      if (mask) {
        stepOutputs.push_back(wantY ? select(hNew, zeroState) : Value());
        h = select(hNew, h);
        if (cNew)
          c = select(cNew, c);
      } else {
        stepOutputs.push_back(hNew);
        h = hNew;
        c = cNew;
      }
    }
    hDirs.push_back(cb.reshape(h, {1, batch, hidden}));
    if (kind == CellKind::LSTM)
      cDirs.push_back(cb.reshape(c, {1, batch, hidden}));
    if (!wantY)
      continue;

    // Y of this direction, [seq, 1, batch, hidden], in time order.
    SmallVector<Value> steps;
    Value zeroRow;
    for (int64_t t = 0; t < seq; ++t) {
      SmallVector<int64_t> stepIndex; // per batch entry, or -1
      for (int64_t b = 0; b < batch; ++b)
        stepIndex.push_back(t >= lengths[b] ? -1
                            : reverse       ? lengths[b] - 1 - t
                                            : t);
      Value yt;
      if (dynamicLengths) {
        yt = t < int64_t(stepOutputs.size()) ? stepOutputs[t] : zeroState;
      } else if (llvm::all_equal(stepIndex)) {
        yt = stepIndex[0] < 0 ? zeroState : stepOutputs[stepIndex[0]];
      } else {
        SmallVector<Value> rows;
        for (int64_t b = 0; b < batch; ++b) {
          if (stepIndex[b] < 0) {
            if (!zeroRow)
              zeroRow = cb.splat({1, hidden}, 0.0);
            rows.push_back(zeroRow);
          } else {
            rows.push_back(
                cb.slice(stepOutputs[stepIndex[b]], {b, 0}, {1, hidden}));
          }
        }
        yt = cb.concat(rows, 0);
      }
      steps.push_back(cb.reshape(yt, {1, 1, batch, hidden}));
    }
    yDirs.push_back(cb.concat(steps, 0));
  }

  auto finishState = [&](ArrayRef<Value> dirs) {
    Value v = cb.concat(dirs, 0); // [dirs, batch, hidden]
    return layout ? cb.transpose(v, {1, 0, 2}) : v;
  };
  if (wantY) {
    Value y = cb.concat(yDirs, 1); // [seq, dirs, batch, hidden]
    if (layout)
      y = cb.transpose(y, {2, 0, 1, 3});
    (void)define(node, 0, y);
  }
  (void)define(node, 1, finishState(hDirs));
  if (kind == CellKind::LSTM)
    (void)define(node, 2, finishState(cDirs));
  return success();
}
