//===- Utils.cpp - Helpers of convert-linalg-to-cim -----------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Reading what Linalg spells out: static types, splats and fills, constant
// padding (and the trims tosa-to-linalg adds), window attributes and sizes,
// and what a convolution or product accumulates onto.
//
//===----------------------------------------------------------------------===//

#include "Patterns.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::linalg_to_cim;

RankedTensorType linalg_to_cim::staticFloatTensor(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape() ||
      !llvm::isa<FloatType>(type.getElementType()))
    return {};
  return type;
}

RankedTensorType linalg_to_cim::staticTensor(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape())
    return {};
  return type;
}

Value linalg_to_cim::reshape(PatternRewriter &rewriter, Location loc, Value v,
                             ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getShape() == shape)
    return v;
  return cim::ReshapeOp::create(
      rewriter, loc, RankedTensorType::get(shape, type.getElementType()), v);
}

Value linalg_to_cim::splatConstant(PatternRewriter &rewriter, Location loc,
                                   RankedTensorType type, double value) {
  auto elementType = cast<FloatType>(type.getElementType());
  APFloat apValue(value);
  bool lost;
  apValue.convert(elementType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                  &lost);
  return cim::ConstantOp::create(rewriter, loc,
                                 DenseElementsAttr::get(type, apValue));
}

std::optional<APFloat> linalg_to_cim::getSplatValue(Value v) {
  if (auto fill = v.getDefiningOp<linalg::FillOp>()) {
    APFloat value(0.0);
    if (matchPattern(fill.getInputs()[0], m_ConstantFloat(&value)))
      return value;
    return std::nullopt;
  }
  DenseElementsAttr dense;
  if (matchPattern(v, m_Constant(&dense)) && dense.isSplat() &&
      llvm::isa<FloatType>(dense.getElementType()))
    return dense.getSplatValue<APFloat>();
  APFloat value(0.0);
  if (matchPattern(v, m_ConstantFloat(&value)))
    return value;
  return std::nullopt;
}

bool linalg_to_cim::isZero(const APFloat &value) { return value.isZero(); }

bool linalg_to_cim::isLowest(const APFloat &value) {
  if (value.isInfinity() && value.isNegative())
    return true;
  APFloat lowest = APFloat::getLargest(value.getSemantics(), true);
  return value.compare(lowest) != APFloat::cmpGreaterThan;
}

std::optional<Padding> linalg_to_cim::getPadding(Value v) {
  Padding padding;
  if (auto pad = v.getDefiningOp<tensor::PadOp>()) {
    Value padValue = pad.getConstantPaddingValue();
    if (!padValue || !matchPattern(padValue, m_ConstantFloat(&padding.value)))
      return std::nullopt;
    if (!pad.getLow().empty() || !pad.getHigh().empty())
      return std::nullopt;
    padding.source = pad.getSource();
    padding.low = llvm::to_vector(pad.getStaticLow());
    padding.high = llvm::to_vector(pad.getStaticHigh());
    return padding;
  }
  if (auto pad = v.getDefiningOp<cim::PadOp>()) {
    if (pad.getMode() != PadMode::constant)
      return std::nullopt;
    int64_t rank = pad.getType().getRank();
    padding.source = pad.getInput();
    padding.low = llvm::to_vector(pad.getPads().take_front(rank));
    padding.high = llvm::to_vector(pad.getPads().drop_front(rank));
    padding.value = pad.getValue();
    return padding;
  }
  return std::nullopt;
}

/// If `v` is a slice with zero offsets and unit strides that only trims
/// trailing rows and columns (dims `h` and `w`), returns its source.
/// tosa-to-linalg trims input rows that no window reads this way.
static Value peelTrailingTrim(Value v, int64_t h, int64_t w) {
  Value source;
  SmallVector<int64_t> offsets, strides;
  if (auto slice = v.getDefiningOp<tensor::ExtractSliceOp>()) {
    if (ShapedType::isDynamicShape(slice.getStaticOffsets()) ||
        ShapedType::isDynamicShape(slice.getStaticStrides()))
      return {};
    source = slice.getSource();
    offsets = llvm::to_vector(slice.getStaticOffsets());
    strides = llvm::to_vector(slice.getStaticStrides());
  } else if (auto slice = v.getDefiningOp<cim::SliceOp>()) {
    source = slice.getInput();
    offsets = llvm::to_vector(slice.getOffsets());
    strides = llvm::to_vector(slice.getStrides());
  } else {
    return {};
  }
  RankedTensorType from = staticTensor(source), to = staticTensor(v);
  if (!from || !to || from.getRank() != to.getRank())
    return {};
  for (int64_t d = 0; d < from.getRank(); ++d)
    if (offsets[d] != 0 || strides[d] != 1 ||
        (d != h && d != w && from.getDimSize(d) != to.getDimSize(d)))
      return {};
  return source;
}

Value linalg_to_cim::peelSpatialPadding(
    Value v, int64_t h, int64_t w, function_ref<bool(const APFloat &)> accept,
    SmallVectorImpl<int64_t> &pads) {
  pads.assign({0, 0, 0, 0});
  // Rows and columns a trim removes were never read, so the trim goes away
  // and fitTrailingPads drops the padding that only they needed.
  if (Value untrimmed = peelTrailingTrim(v, h, w))
    v = untrimmed;
  std::optional<Padding> padding = getPadding(v);
  if (!padding || !accept(padding->value))
    return v;
  for (size_t d = 0; d < padding->low.size(); ++d)
    if ((int64_t)d != h && (int64_t)d != w &&
        (padding->low[d] != 0 || padding->high[d] != 0))
      return v;
  if (llvm::any_of(padding->low, [](int64_t p) { return p < 0; }) ||
      llvm::any_of(padding->high, [](int64_t p) { return p < 0; }))
    return v;
  pads.assign(
      {padding->low[h], padding->low[w], padding->high[h], padding->high[w]});
  return padding->source;
}

/// Output size of a window along one dimension (floor mode, as cim verifies).
static int64_t windowedSize(int64_t in, int64_t kernel, int64_t stride,
                            int64_t dilation, int64_t padBegin,
                            int64_t padEnd) {
  int64_t room = in + padBegin + padEnd - (dilation * (kernel - 1) + 1);
  return room < 0 ? 0 : room / stride + 1;
}

bool linalg_to_cim::fitTrailingPads(ArrayRef<int64_t> in, ArrayRef<int64_t> out,
                                    ArrayRef<int64_t> kernel,
                                    ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> dilations,
                                    SmallVectorImpl<int64_t> &pads) {
  for (int i = 0; i < 2; ++i) {
    auto fits = [&](int64_t end) {
      return windowedSize(in[i], kernel[i], strides[i], dilations[i], pads[i],
                          end) == out[i];
    };
    if (fits(pads[i])) {
      pads[2 + i] = pads[i];
      continue;
    }
    bool found = false;
    for (int64_t end = std::max(pads[2 + i], pads[i]); end >= 0 && !found;
         --end)
      if (fits(end)) {
        pads[2 + i] = end;
        found = true;
      }
    if (!found)
      return false;
  }
  return true;
}

SmallVector<int64_t> linalg_to_cim::getWindowAttr(Operation *op,
                                                  StringRef name) {
  SmallVector<int64_t> values = {1, 1};
  if (auto attr = op->getAttrOfType<DenseIntElementsAttr>(name))
    values = llvm::to_vector(attr.getValues<int64_t>());
  return values;
}

/// True if `map` reads exactly the dims `dims` (in order), plus constant-0
/// results on unit dimensions of `type`.
static bool readsOnlyDims(AffineMap map, RankedTensorType type,
                          ArrayRef<int64_t> dims) {
  SmallVector<int64_t> read;
  for (auto [i, expr] : llvm::enumerate(map.getResults())) {
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      read.push_back(dim.getPosition());
      continue;
    }
    auto constant = dyn_cast<AffineConstantExpr>(expr);
    if (!constant || constant.getValue() != 0 || type.getDimSize(i) != 1)
      return false;
  }
  return llvm::equal(read, dims);
}

InitValue linalg_to_cim::analyzeInit(Value init,
                                     ArrayRef<int64_t> channelDims) {
  InitValue result;
  if (init.getDefiningOp<tensor::EmptyOp>())
    return result;
  if (std::optional<APFloat> splat = getSplatValue(init)) {
    if (!isZero(*splat)) {
      result.kind = InitValue::Bias;
      result.splat = *splat;
    }
    return result;
  }
  auto initType = cast<RankedTensorType>(init.getType());
  int64_t channels = 1;
  for (int64_t d : channelDims)
    channels *= initType.getDimSize(d);
  auto isBias = [&](Value source) {
    RankedTensorType type = staticTensor(source);
    return type && type.getNumElements() == channels &&
           type.getElementType() == initType.getElementType();
  };
  // A linalg.generic that copies a broadcast of its input.
  if (auto generic = init.getDefiningOp<linalg::GenericOp>()) {
    if (generic.getNumDpsInputs() == 1 && generic.getNumResults() == 1 &&
        generic.getNumParallelLoops() == generic.getNumLoops()) {
      Block &body = generic.getRegion().front();
      auto yield = cast<linalg::YieldOp>(body.getTerminator());
      Value source = generic.getDpsInputs()[0];
      if (yield.getNumOperands() == 1 &&
          yield.getOperand(0) == body.getArgument(0) &&
          generic.getIndexingMapsArray()[1].isIdentity() && isBias(source) &&
          readsOnlyDims(generic.getIndexingMapsArray()[0],
                        cast<RankedTensorType>(source.getType()),
                        channelDims)) {
        result.kind = InitValue::Bias;
        result.value = source;
        return result;
      }
    }
  }
  if (auto broadcast = init.getDefiningOp<linalg::BroadcastOp>()) {
    SmallVector<int64_t> kept;
    for (int64_t d = 0; d < initType.getRank(); ++d)
      if (!llvm::is_contained(broadcast.getDimensions(), d))
        kept.push_back(d);
    if (kept == channelDims && isBias(broadcast.getInput())) {
      result.kind = InitValue::Bias;
      result.value = broadcast.getInput();
      return result;
    }
  }
  result.kind = InitValue::Tensor;
  result.value = init;
  return result;
}

Value linalg_to_cim::materializeBias(PatternRewriter &rewriter, Location loc,
                                     const InitValue &init, int64_t channels,
                                     Type elementType) {
  if (init.kind != InitValue::Bias)
    return {};
  auto type = RankedTensorType::get({channels}, elementType);
  if (init.splat)
    return cim::ConstantOp::create(rewriter, loc,
                                   DenseElementsAttr::get(type, *init.splat));
  return reshape(rewriter, loc, init.value, {channels});
}

bool linalg_to_cim::onlyUsedAsInit(Value v) {
  return !v.use_empty() && llvm::all_of(v.getUses(), [](OpOperand &use) {
    auto dps = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
    return dps && llvm::isa<linalg::LinalgOp>(use.getOwner()) &&
           dps.isDpsInit(&use);
  });
}
