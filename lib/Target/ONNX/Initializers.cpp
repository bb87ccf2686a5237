//===- Initializers.cpp - Initializers and tensor data
//----------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Initializer tensors (raw, typed, external data) into dense attributes,
// materialized lazily at first use.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::onnx_import;

Value ONNXImporter::materialize(StringRef name, bool transposed) {
  auto it = pending.find(name);
  if (it == pending.end())
    return {};
  onnx::TensorProto *tensor = it->second;
  FailureOr<DenseElementsAttr> attr = tensorAttr(*tensor, transposed);
  if (failed(attr))
    return {};
  // Constants go to the top of the body, in creation order.
  OpBuilder constantBuilder(context);
  if (lastConstant)
    constantBuilder.setInsertionPointAfter(lastConstant);
  else
    constantBuilder.setInsertionPointToStart(body);
  auto op = ConstantOp::create(
      constantBuilder, NameLoc::get(builder.getStringAttr(name), fileLoc),
      *attr);
  lastConstant = op;
  Value value = op;
  if (transposed) {
    // Later uses may want the plain layout: keep the bytes until the last.
    if (--remainingUses[name] > 0)
      return value;
  } else {
    // Every later plain use shares this constant (and a later transB use
    // transposes it by folding), so the bytes are no longer needed.
    values[name] = value;
  }
  std::string().swap(*tensor->mutable_raw_data());
  pending.erase(name);
  return value;
}

FailureOr<DenseElementsAttr>
ONNXImporter::tensorAttr(const onnx::TensorProto &tensor, bool transposed) {
  std::string what = "tensor '" + tensor.name() + "'";
  Type element = elementType(tensor.data_type());
  if (!element)
    return error() << what << " has unsupported element type "
                   << onnx::TensorProto::DataType_Name(
                          static_cast<onnx::TensorProto::DataType>(
                              tensor.data_type())),
           failure();
  SmallVector<int64_t> shape(tensor.dims().begin(), tensor.dims().end());
  int64_t count = checkedProduct(shape);
  if (count < 0 || count > maxElements())
    return error() << what << " declares shape " << formatShape(shape)
                   << " (expected non-negative dimensions and at most "
                   << maxElements() << " elements, --max-tensor-elements)",
           failure();
  auto type = RankedTensorType::get(shape, element);
  size_t width = (element.getIntOrFloatBitWidth() + 7) / 8;
  size_t bytes = size_t(count) * width;

  if (transposed && shape.size() != 2)
    return error() << what << " must be 2-D to be transposed", failure();
  auto fromRaw = [&](StringRef raw) -> FailureOr<DenseElementsAttr> {
    if (raw.size() != bytes)
      return error() << what << " declares " << count << " elements (" << bytes
                     << " bytes) but holds " << raw.size() << " bytes",
             failure();
    if (transposed && !element.isInteger(1)) {
      int64_t rows = shape[0], cols = shape[1];
      std::vector<char> buffer(bytes);
      // Blocked, so that both sides stay in cache for large FC weights.
      constexpr int64_t kBlock = 64;
      for (int64_t r0 = 0; r0 < rows; r0 += kBlock)
        for (int64_t c0 = 0; c0 < cols; c0 += kBlock)
          for (int64_t r = r0; r < std::min(rows, r0 + kBlock); ++r)
            for (int64_t c = c0; c < std::min(cols, c0 + kBlock); ++c)
              std::memcpy(&buffer[(c * rows + r) * width],
                          &raw.data()[(r * cols + c) * width], width);
      return DenseElementsAttr::getFromRawBuffer(
          RankedTensorType::get({cols, rows}, element), buffer);
    }
    if (element.isInteger(1)) {
      SmallVector<bool> bits;
      for (char c : raw)
        bits.push_back(c != 0);
      return DenseElementsAttr::get(type, bits);
    }
    return DenseElementsAttr::getFromRawBuffer(
        type, ArrayRef<char>(raw.data(), raw.size()));
  };

  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    int64_t offset = 0, length = -1;
    for (const auto &entry : tensor.external_data()) {
      if (entry.key() == "location")
        location = entry.value();
      else if (entry.key() == "offset")
        offset = std::strtoll(entry.value().c_str(), nullptr, 10);
      else if (entry.key() == "length")
        length = std::strtoll(entry.value().c_str(), nullptr, 10);
    }
    if (location.empty() || llvm::sys::path::is_absolute(location) ||
        StringRef(location).contains(".."))
      return error() << what << " has an invalid external data location '"
                     << location << "' (expected a file beside the model)",
             failure();
    SmallString<256> path(
        options.externalDataDir.empty() ? modelDir : options.externalDataDir);
    llvm::sys::path::append(path, location);
    auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    if (!buffer)
      return error() << what << ": cannot read external data file '" << path
                     << "': " << buffer.getError().message(),
             failure();
    StringRef data = (*buffer)->getBuffer();
    if (offset < 0 || size_t(offset) > data.size())
      return error() << what << ": external data offset " << offset
                     << " is beyond the end of '" << path << "'",
             failure();
    data = data.drop_front(offset);
    if (length >= 0) {
      if (size_t(length) > data.size())
        return error() << what << ": external data of " << length
                       << " bytes runs past the end of '" << path << "'",
               failure();
      data = data.take_front(length);
    }
    return fromRaw(data);
  }

  if (tensor.has_raw_data())
    return fromRaw(tensor.raw_data());
  if (transposed) {
    FailureOr<DenseElementsAttr> plain = tensorAttr(tensor);
    if (failed(plain))
      return failure();
    auto t = RankedTensorType::get({shape[1], shape[0]}, element);
    SmallVector<Attribute> data(plain->getValues<Attribute>());
    SmallVector<Attribute> result;
    for (int64_t c = 0; c < shape[1]; ++c)
      for (int64_t r = 0; r < shape[0]; ++r)
        result.push_back(data[r * shape[1] + c]);
    return DenseElementsAttr::get(t, result);
  }

  auto checkCount = [&](int64_t have) -> LogicalResult {
    if (have != count)
      return error() << what << " declares " << count << " elements but holds "
                     << have,
             failure();
    return success();
  };
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (failed(checkCount(tensor.float_data_size())))
      return failure();
    return DenseElementsAttr::get(
        type,
        ArrayRef<float>(tensor.float_data().data(), tensor.float_data_size()));
  case onnx::TensorProto::DOUBLE:
    if (failed(checkCount(tensor.double_data_size())))
      return failure();
    return DenseElementsAttr::get(type,
                                  ArrayRef<double>(tensor.double_data().data(),
                                                   tensor.double_data_size()));
  case onnx::TensorProto::INT64:
    if (failed(checkCount(tensor.int64_data_size())))
      return failure();
    return DenseElementsAttr::get(type,
                                  ArrayRef<int64_t>(tensor.int64_data().data(),
                                                    tensor.int64_data_size()));
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16: {
    if (failed(checkCount(tensor.int32_data_size())))
      return failure();
    SmallVector<APFloat> data;
    const llvm::fltSemantics &sem =
        cast<FloatType>(element).getFloatSemantics();
    for (int32_t bits : tensor.int32_data())
      data.emplace_back(sem, APInt(16, uint16_t(bits)));
    return DenseElementsAttr::get(type, data);
  }
  default: {
    // int8/uint8/int16/int32/bool are stored widened in int32_data.
    if (failed(checkCount(tensor.int32_data_size())))
      return failure();
    unsigned bitWidth = element.getIntOrFloatBitWidth();
    SmallVector<APInt> data;
    for (int32_t v : tensor.int32_data())
      data.push_back(APInt(bitWidth, uint64_t(int64_t(v)), /*isSigned=*/true,
                           /*implicitTrunc=*/true));
    return DenseElementsAttr::get(type, data);
  }
  }
}
