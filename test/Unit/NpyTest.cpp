//===- NpyTest.cpp - Reading and writing numpy .npy files -----------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// npy::parse and npy::serialize against files written by numpy itself (their
// bytes are embedded below), round trips of every dtype, the conversion
// helpers, and one test per class of malformed input, each checking that the
// message names the file and the problem. Malformed files are assembled by
// hand here, independently of the writer.
//
//===----------------------------------------------------------------------===//

#include "cim/Support/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cstring>

using namespace mlir::cim;
using namespace mlir::cim::npy;

namespace {

//===----------------------------------------------------------------------===//
// Reference files written by Debian's numpy 1.24.2:
//
//   import numpy as np, io
//   def dump(arr, version=None):
//       b = io.BytesIO()
//       if version: np.lib.format.write_array(b, arr, version=version)
//       else: np.save(b, arr)
//       return b.getvalue()
//
// kNumpyF32x2x3:   np.array([[1.5, -2.0, 3.25], [0.0, 1e-3, -7.5]], np.float32)
// kNumpyI32x5:     np.array([1, -2, 2**31 - 1, -2**31, 0], np.int32)
// kNumpyU8x3x1x2:  (np.arange(6, dtype=np.uint8) * 40).reshape(3, 1, 2)
// kNumpyF64V2:     np.array([1.0, -0.5, 2.0]), version=(2, 0)
// kNumpyI16V3:     np.array([[-300, 300]], np.int16), version=(3, 0)
// kNumpyI64Scalar: np.array(7, np.int64)
// kNumpyU8Aligned: np.zeros((0, 0, 10**8, 10**9, 1, 1, 1, 1, 1), np.uint8),
//                  whose dict exactly fills its 64-byte blocks, so numpy
//                  pads with a further 64 spaces.
//===----------------------------------------------------------------------===//

// clang-format off
const uint8_t kNumpyF32x2x3[] = {
    0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00, 0x7b, 0x27,
    0x64, 0x65, 0x73, 0x63, 0x72, 0x27, 0x3a, 0x20, 0x27, 0x3c, 0x66, 0x34,
    0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f, 0x72, 0x74, 0x72, 0x61, 0x6e, 0x5f,
    0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x46, 0x61, 0x6c, 0x73,
    0x65, 0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27, 0x3a, 0x20,
    0x28, 0x32, 0x2c, 0x20, 0x33, 0x29, 0x2c, 0x20, 0x7d, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0a, 0x00, 0x00, 0xc0, 0x3f,
    0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x50, 0x40, 0x00, 0x00, 0x00, 0x00,
    0x6f, 0x12, 0x83, 0x3a, 0x00, 0x00, 0xf0, 0xc0,
};

const uint8_t kNumpyI32x5[] = {
    0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00, 0x7b, 0x27,
    0x64, 0x65, 0x73, 0x63, 0x72, 0x27, 0x3a, 0x20, 0x27, 0x3c, 0x69, 0x34,
    0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f, 0x72, 0x74, 0x72, 0x61, 0x6e, 0x5f,
    0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x46, 0x61, 0x6c, 0x73,
    0x65, 0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27, 0x3a, 0x20,
    0x28, 0x35, 0x2c, 0x29, 0x2c, 0x20, 0x7d, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0a, 0x01, 0x00, 0x00, 0x00,
    0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x00, 0x00, 0x80,
    0x00, 0x00, 0x00, 0x00,
};

const uint8_t kNumpyU8x3x1x2[] = {
    0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00, 0x7b, 0x27,
    0x64, 0x65, 0x73, 0x63, 0x72, 0x27, 0x3a, 0x20, 0x27, 0x7c, 0x75, 0x31,
    0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f, 0x72, 0x74, 0x72, 0x61, 0x6e, 0x5f,
    0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x46, 0x61, 0x6c, 0x73,
    0x65, 0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27, 0x3a, 0x20,
    0x28, 0x33, 0x2c, 0x20, 0x31, 0x2c, 0x20, 0x32, 0x29, 0x2c, 0x20, 0x7d,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0a, 0x00, 0x28, 0x50, 0x78,
    0xa0, 0xc8,
};

const uint8_t kNumpyF64V2[] = {
    0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x02, 0x00, 0x74, 0x00, 0x00, 0x00,
    0x7b, 0x27, 0x64, 0x65, 0x73, 0x63, 0x72, 0x27, 0x3a, 0x20, 0x27, 0x3c,
    0x66, 0x38, 0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f, 0x72, 0x74, 0x72, 0x61,
    0x6e, 0x5f, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x46, 0x61,
    0x6c, 0x73, 0x65, 0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27,
    0x3a, 0x20, 0x28, 0x33, 0x2c, 0x29, 0x2c, 0x20, 0x7d, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0a, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0xf0, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe0, 0xbf,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40,
};

const uint8_t kNumpyI16V3[] = {
    0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x03, 0x00, 0x74, 0x00, 0x00, 0x00,
    0x7b, 0x27, 0x64, 0x65, 0x73, 0x63, 0x72, 0x27, 0x3a, 0x20, 0x27, 0x3c,
    0x69, 0x32, 0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f, 0x72, 0x74, 0x72, 0x61,
    0x6e, 0x5f, 0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x46, 0x61,
    0x6c, 0x73, 0x65, 0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27,
    0x3a, 0x20, 0x28, 0x31, 0x2c, 0x20, 0x32, 0x29, 0x2c, 0x20, 0x7d, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0a, 0xd4, 0xfe, 0x2c, 0x01,
};

const uint8_t kNumpyI64Scalar[] = {
    0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 0x76, 0x00, 0x7b, 0x27,
    0x64, 0x65, 0x73, 0x63, 0x72, 0x27, 0x3a, 0x20, 0x27, 0x3c, 0x69, 0x38,
    0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f, 0x72, 0x74, 0x72, 0x61, 0x6e, 0x5f,
    0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x46, 0x61, 0x6c, 0x73,
    0x65, 0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27, 0x3a, 0x20,
    0x28, 0x29, 0x2c, 0x20, 0x7d, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0a, 0x07, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
};

const uint8_t kNumpyU8Aligned[] = {
    0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00, 0xb6, 0x00, 0x7b, 0x27,
    0x64, 0x65, 0x73, 0x63, 0x72, 0x27, 0x3a, 0x20, 0x27, 0x7c, 0x75, 0x31,
    0x27, 0x2c, 0x20, 0x27, 0x66, 0x6f, 0x72, 0x74, 0x72, 0x61, 0x6e, 0x5f,
    0x6f, 0x72, 0x64, 0x65, 0x72, 0x27, 0x3a, 0x20, 0x46, 0x61, 0x6c, 0x73,
    0x65, 0x2c, 0x20, 0x27, 0x73, 0x68, 0x61, 0x70, 0x65, 0x27, 0x3a, 0x20,
    0x28, 0x30, 0x2c, 0x20, 0x30, 0x2c, 0x20, 0x31, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x2c, 0x20, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x2c, 0x20, 0x31, 0x2c, 0x20, 0x31, 0x2c, 0x20,
    0x31, 0x2c, 0x20, 0x31, 0x2c, 0x20, 0x31, 0x29, 0x2c, 0x20, 0x7d, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x0a,
};

// clang-format on

llvm::ArrayRef<uint8_t> bytesOf(llvm::StringRef text) {
  return llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(text.data()),
                                 text.size());
}

/// A parse that must succeed.
Array parseOk(llvm::ArrayRef<uint8_t> bytes, llvm::StringRef name = "x.npy") {
  llvm::Expected<Array> array = parse(bytes, name);
  if (!array) {
    ADD_FAILURE() << llvm::toString(array.takeError());
    return Array();
  }
  return std::move(*array);
}

/// The message of a parse expected to fail.
std::string failure(llvm::ArrayRef<uint8_t> bytes,
                    const Limits &limits = Limits()) {
  llvm::Expected<Array> array = parse(bytes, "x.npy", limits);
  if (array) {
    ADD_FAILURE() << "parse unexpectedly succeeded";
    return "";
  }
  return llvm::toString(array.takeError());
}

/// A .npy file with header dict `dict` (padded to 64 bytes unless `pad` is
/// false) and `dataBytes` bytes of data.
std::vector<uint8_t> makeFile(llvm::StringRef dict, size_t dataBytes,
                              uint8_t major = 1, bool pad = true) {
  std::string header = dict.str();
  size_t prefix = major == 1 ? 10 : 12;
  if (pad)
    while ((prefix + header.size() + 1) % 64 != 0)
      header += ' ';
  header += '\n';
  std::vector<uint8_t> file = {0x93, 'N', 'U', 'M', 'P', 'Y', major, 0};
  for (size_t i = 0; i < prefix - 8; ++i)
    file.push_back(uint8_t(header.size() >> (8 * i)));
  file.insert(file.end(), header.begin(), header.end());
  for (size_t i = 0; i < dataBytes; ++i)
    file.push_back(uint8_t(i * 7 + 1));
  return file;
}

std::string dictFor(llvm::StringRef descr, llvm::StringRef shape,
                    llvm::StringRef fortran = "False") {
  return ("{'descr': '" + descr + "', 'fortran_order': " + fortran +
          ", 'shape': " + shape + ", }")
      .str();
}

/// Checks that `message` names x.npy and contains every one of `parts`.
void expectMessage(const std::string &message,
                   std::initializer_list<llvm::StringRef> parts) {
  EXPECT_TRUE(llvm::StringRef(message).starts_with("x.npy: ")) << message;
  for (llvm::StringRef part : parts)
    EXPECT_TRUE(llvm::StringRef(message).contains(part))
        << "missing '" << part.str() << "' in: " << message;
}

template <typename T> std::vector<T> valuesOf(const Array &array) {
  std::vector<T> values(array.data.size() / sizeof(T));
  std::memcpy(values.data(), array.data.data(), array.data.size());
  return values;
}

//===----------------------------------------------------------------------===//
// Files written by numpy
//===----------------------------------------------------------------------===//

TEST(NpyNumpyTest, Float32Matrix) {
  Array array = parseOk(kNumpyF32x2x3);
  EXPECT_EQ(array.dtype, DType::f32);
  EXPECT_EQ(array.shape, (llvm::SmallVector<int64_t>{2, 3}));
  EXPECT_EQ(array.numElements(), 6);
  EXPECT_EQ(valuesOf<float>(array),
            (std::vector<float>{1.5f, -2.0f, 3.25f, 0.0f, 1e-3f, -7.5f}));
  EXPECT_EQ(serialize(array), std::vector<uint8_t>(std::begin(kNumpyF32x2x3),
                                                   std::end(kNumpyF32x2x3)));
}

TEST(NpyNumpyTest, Int32Vector) {
  Array array = parseOk(kNumpyI32x5);
  EXPECT_EQ(array.dtype, DType::i32);
  EXPECT_EQ(array.shape, (llvm::SmallVector<int64_t>{5}));
  EXPECT_EQ(valuesOf<int32_t>(array),
            (std::vector<int32_t>{1, -2, INT32_MAX, INT32_MIN, 0}));
  EXPECT_EQ(serialize(array), std::vector<uint8_t>(std::begin(kNumpyI32x5),
                                                   std::end(kNumpyI32x5)));
}

TEST(NpyNumpyTest, UInt8ThreeDims) {
  Array array = parseOk(kNumpyU8x3x1x2);
  EXPECT_EQ(array.dtype, DType::u8);
  EXPECT_EQ(array.shape, (llvm::SmallVector<int64_t>{3, 1, 2}));
  EXPECT_EQ(array.data, (std::vector<uint8_t>{0, 40, 80, 120, 160, 200}));
  EXPECT_EQ(serialize(array), std::vector<uint8_t>(std::begin(kNumpyU8x3x1x2),
                                                   std::end(kNumpyU8x3x1x2)));
}

TEST(NpyNumpyTest, Float64Version2) {
  Array array = parseOk(kNumpyF64V2);
  EXPECT_EQ(array.dtype, DType::f64);
  EXPECT_EQ(array.shape, (llvm::SmallVector<int64_t>{3}));
  EXPECT_EQ(valuesOf<double>(array), (std::vector<double>{1.0, -0.5, 2.0}));
  // We write version 1.0 instead; the data still starts at byte 128 and the
  // header dicts differ only in padding.
  std::vector<uint8_t> ours = serialize(array);
  ASSERT_EQ(ours.size(), sizeof(kNumpyF64V2));
  EXPECT_EQ(ours[6], 1);
  EXPECT_EQ(kNumpyF64V2[6], 2);
  auto dictOf = [](llvm::ArrayRef<uint8_t> file, size_t prefix) {
    return llvm::StringRef(reinterpret_cast<const char *>(file.data()),
                           file.size())
        .slice(prefix, 128)
        .rtrim(" \n")
        .str();
  };
  EXPECT_EQ(dictOf(ours, 10), dictOf(kNumpyF64V2, 12));
  EXPECT_TRUE(std::equal(ours.begin() + 128, ours.end(),
                         std::begin(kNumpyF64V2) + 128));
}

TEST(NpyNumpyTest, Int16Version3) {
  Array array = parseOk(kNumpyI16V3);
  EXPECT_EQ(array.dtype, DType::i16);
  EXPECT_EQ(array.shape, (llvm::SmallVector<int64_t>{1, 2}));
  EXPECT_EQ(valuesOf<int16_t>(array), (std::vector<int16_t>{-300, 300}));
}

TEST(NpyNumpyTest, Int64Scalar) {
  Array array = parseOk(kNumpyI64Scalar);
  EXPECT_EQ(array.dtype, DType::i64);
  EXPECT_TRUE(array.shape.empty());
  EXPECT_EQ(array.numElements(), 1);
  EXPECT_EQ(valuesOf<int64_t>(array), (std::vector<int64_t>{7}));
  EXPECT_EQ(serialize(array), std::vector<uint8_t>(std::begin(kNumpyI64Scalar),
                                                   std::end(kNumpyI64Scalar)));
}

TEST(NpyNumpyTest, HeaderFillingWholeBlocks) {
  Array array = parseOk(kNumpyU8Aligned);
  EXPECT_EQ(array.shape, (llvm::SmallVector<int64_t>{
                             0, 0, 100000000, 1000000000, 1, 1, 1, 1, 1}));
  EXPECT_EQ(array.numElements(), 0);
  EXPECT_TRUE(array.data.empty());
  EXPECT_EQ(serialize(array), std::vector<uint8_t>(std::begin(kNumpyU8Aligned),
                                                   std::end(kNumpyU8Aligned)));
}

/// Other spellings of the dict that Python (and so numpy) accepts.
TEST(NpyNumpyTest, PythonLiteralVariants) {
  Array a = parseOk(makeFile(
      "{\"shape\" : ( 2 ,3 ) ,\n \"fortran_order\":False,'descr':\"<i2\"}",
      12));
  EXPECT_EQ(a.dtype, DType::i16);
  EXPECT_EQ(a.shape, (llvm::SmallVector<int64_t>{2, 3}));

  Array b = parseOk(
      makeFile("{'descr': '<u1', 'fortran_order': False, 'shape': (4L,)}", 4,
               /*major=*/1, /*pad=*/false));
  EXPECT_EQ(b.dtype, DType::u8);
  EXPECT_EQ(b.shape, (llvm::SmallVector<int64_t>{4}));

  Array c = parseOk(makeFile(dictFor("<i1", "(0, 5)"), 0, /*major=*/2));
  EXPECT_EQ(c.dtype, DType::i8);
  EXPECT_EQ(c.numElements(), 0);
}

//===----------------------------------------------------------------------===//
// Round trips
//===----------------------------------------------------------------------===//

TEST(NpyRoundTripTest, EveryDTypeAndShape) {
  const DType dtypes[] = {DType::f32, DType::f64, DType::i8, DType::u8,
                          DType::i16, DType::i32, DType::i64};
  const llvm::SmallVector<int64_t> shapes[] = {
      {}, {1}, {7}, {2, 3}, {2, 3, 1, 4}, {0}, {3, 0, 2}, {1000}};
  for (DType dtype : dtypes) {
    for (const auto &shape : shapes) {
      Array array;
      array.dtype = dtype;
      array.shape = shape;
      array.data.resize(array.numElements() * elementSize(dtype));
      for (size_t i = 0; i < array.data.size(); ++i)
        array.data[i] = uint8_t(i * 37 + 11);
      std::vector<uint8_t> bytes = serialize(array);
      EXPECT_EQ(bytes[6], 1);
      size_t headerEnd = 10 + (bytes[8] | bytes[9] << 8);
      EXPECT_EQ(headerEnd % 64, 0u);
      EXPECT_EQ(bytes[headerEnd - 1], '\n');
      EXPECT_EQ(bytes.size(), headerEnd + array.data.size());

      Array back = parseOk(bytes);
      EXPECT_EQ(back.dtype, dtype) << dtypeName(dtype).str();
      EXPECT_EQ(back.shape, shape);
      EXPECT_EQ(back.data, array.data);
    }
  }
}

TEST(NpyRoundTripTest, DTypeNames) {
  EXPECT_EQ(dtypeName(DType::f32), "float32");
  EXPECT_EQ(dtypeName(DType::u8), "uint8");
  EXPECT_EQ(dtypeDescr(DType::i8), "|i1");
  EXPECT_EQ(dtypeDescr(DType::i64), "<i8");
  EXPECT_EQ(elementSize(DType::f64), 8u);
  EXPECT_EQ(elementSize(DType::i16), 2u);
  EXPECT_EQ(dtypeFromDescr("<f4"), DType::f32);
  EXPECT_EQ(dtypeFromDescr("<u1"), DType::u8);
  EXPECT_EQ(dtypeFromDescr(">f4"), std::nullopt);
}

TEST(NpyRoundTripTest, WriteAndReadFile) {
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("npytest", "npy", path));
  llvm::FileRemover remover(path);
  Array array = fromFloat32({2, 2}, {1.0f, -2.5f, 3.0f, 1e30f});
  ASSERT_FALSE(llvm::errorToBool(write(path, array)));
  llvm::Expected<Array> back = read(path);
  ASSERT_TRUE(static_cast<bool>(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(back->dtype, DType::f32);
  EXPECT_EQ(back->shape, array.shape);
  EXPECT_EQ(back->data, array.data);
}

TEST(NpyRoundTripTest, ConversionHelpers) {
  Array f = fromFloat32({3}, {1.0f, -0.25f, 4e9f});
  EXPECT_EQ(f.dtype, DType::f32);
  llvm::Expected<std::vector<float>> floats = toFloat32(f);
  ASSERT_TRUE(static_cast<bool>(floats));
  EXPECT_EQ(*floats, (std::vector<float>{1.0f, -0.25f, 4e9f}));

  Array i = fromInt64({2, 1}, {INT64_MIN, 42});
  EXPECT_EQ(i.dtype, DType::i64);
  llvm::Expected<std::vector<int64_t>> ints = toInt64(i);
  ASSERT_TRUE(static_cast<bool>(ints));
  EXPECT_EQ(*ints, (std::vector<int64_t>{INT64_MIN, 42}));

  // Every dtype converts; check signedness and widths with numpy's files.
  llvm::Expected<std::vector<int64_t>> fromI32 = toInt64(parseOk(kNumpyI32x5));
  ASSERT_TRUE(static_cast<bool>(fromI32));
  EXPECT_EQ(*fromI32, (std::vector<int64_t>{1, -2, INT32_MAX, INT32_MIN, 0}));
  llvm::Expected<std::vector<float>> fromU8 =
      toFloat32(parseOk(kNumpyU8x3x1x2));
  ASSERT_TRUE(static_cast<bool>(fromU8));
  EXPECT_EQ(*fromU8, (std::vector<float>{0, 40, 80, 120, 160, 200}));
  llvm::Expected<std::vector<float>> fromF64 = toFloat32(parseOk(kNumpyF64V2));
  ASSERT_TRUE(static_cast<bool>(fromF64));
  EXPECT_EQ(*fromF64, (std::vector<float>{1.0f, -0.5f, 2.0f}));
  llvm::Expected<std::vector<int64_t>> fromI16 = toInt64(parseOk(kNumpyI16V3));
  ASSERT_TRUE(static_cast<bool>(fromI16));
  EXPECT_EQ(*fromI16, (std::vector<int64_t>{-300, 300}));
  Array bytes;
  bytes.dtype = DType::i8;
  bytes.shape = {2};
  bytes.data = {0x80, 0x7f};
  llvm::Expected<std::vector<float>> fromI8 = toFloat32(bytes);
  ASSERT_TRUE(static_cast<bool>(fromI8));
  EXPECT_EQ(*fromI8, (std::vector<float>{-128.0f, 127.0f}));

  // Integral floats convert to int64; others do not.
  llvm::Expected<std::vector<int64_t>> exact =
      toInt64(fromFloat32({2}, {-3.0f, 4e9f}));
  ASSERT_TRUE(static_cast<bool>(exact));
  EXPECT_EQ(*exact, (std::vector<int64_t>{-3, 4000000000}));
  std::string fraction =
      llvm::toString(toInt64(fromFloat32({3}, {1.0f, 2.5f, 3.0f})).takeError());
  EXPECT_NE(fraction.find("element 1 (2.5)"), std::string::npos) << fraction;
  EXPECT_NE(fraction.find("not an integer"), std::string::npos) << fraction;
  std::string range =
      llvm::toString(toInt64(fromFloat32({1}, {1e30f})).takeError());
  EXPECT_NE(range.find("out of range"), std::string::npos) << range;
}

TEST(NpyRoundTripTest, RejectsInconsistentArrays) {
  Array array;
  array.dtype = DType::i32;
  array.shape = {2, 3};
  array.data.resize(20);
  std::string message = llvm::toString(write("/nonexistent/y.npy", array));
  EXPECT_NE(message.find("/nonexistent/y.npy"), std::string::npos) << message;
  EXPECT_NE(message.find("needs 24 bytes"), std::string::npos) << message;
  std::string conversion = llvm::toString(toFloat32(array).takeError());
  EXPECT_NE(conversion.find("needs 24 bytes"), std::string::npos) << conversion;

  array.data.resize(24);
  std::string open = llvm::toString(write("/nonexistent/y.npy", array));
  EXPECT_NE(open.find("/nonexistent/y.npy: cannot open"), std::string::npos)
      << open;
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST(NpyErrorTest, BadMagic) {
  std::vector<uint8_t> file(std::begin(kNumpyF32x2x3), std::end(kNumpyF32x2x3));
  file[1] = 'n';
  expectMessage(failure(file), {"not a .npy file", "magic"});
  expectMessage(failure({}), {"not a .npy file"});
  expectMessage(failure(bytesOf("\x93NUM")), {"not a .npy file"});
}

TEST(NpyErrorTest, UnsupportedVersion) {
  std::vector<uint8_t> file(std::begin(kNumpyF32x2x3), std::end(kNumpyF32x2x3));
  file[6] = 4;
  expectMessage(failure(file), {"unsupported .npy format version 4.0",
                                "expected 1.0, 2.0 or 3.0"});
  file[6] = 1;
  file[7] = 1;
  expectMessage(failure(file), {"version 1.1"});
  file[6] = 0;
  file[7] = 0;
  expectMessage(failure(file), {"version 0.0"});
}

TEST(NpyErrorTest, TruncatedHeader) {
  expectMessage(failure(bytesOf("\x93NUMPY\x01")),
                {"truncated header", "7 bytes"});
  expectMessage(
      failure(bytesOf(llvm::StringRef("\x93NUMPY\x02\x00\x10\x00", 10))),
      {"truncated header", "12-byte preamble"});
  std::vector<uint8_t> file(std::begin(kNumpyF32x2x3),
                            std::begin(kNumpyF32x2x3) + 50);
  expectMessage(failure(file), {"truncated header", "118 bytes", "only 40"});
}

TEST(NpyErrorTest, HeaderLengthBeyondFile) {
  std::vector<uint8_t> file(std::begin(kNumpyI32x5), std::end(kNumpyI32x5));
  file[8] = 0xff;
  file[9] = 0x7f;
  expectMessage(failure(file),
                {"header length field says 32767 bytes", "only 138 bytes"});
  // A version 2.0 length of 4 GiB is refused by the header limit.
  std::vector<uint8_t> v2(std::begin(kNumpyF64V2), std::end(kNumpyF64V2));
  v2[8] = v2[9] = v2[10] = v2[11] = 0xff;
  expectMessage(failure(v2),
                {"header length 4294967295", "limit of 65536 bytes"});
  Limits small;
  small.maxHeaderBytes = 64;
  expectMessage(failure(kNumpyI32x5, small),
                {"header length 118", "limit of 64 bytes"});
}

TEST(NpyErrorTest, MalformedDict) {
  expectMessage(failure(makeFile("['descr', '<f4']", 0)),
                {"malformed header", "'{'", "column 1"});
  expectMessage(failure(makeFile("{'descr' '<f4', 'fortran_order': False, "
                                 "'shape': (1,)}",
                                 4)),
                {"malformed header", "expected ':' after key 'descr'"});
  expectMessage(failure(makeFile("{'descr': '<f4' 'fortran_order': False}", 4)),
                {"malformed header", "',' or '}'"});
  expectMessage(failure(makeFile("{'descr': '<f4', 'fortran_order': False, "
                                 "'shape': (1,)",
                                 4)),
                {"malformed header", "end of header"});
  expectMessage(failure(makeFile("{'descr': '<f4, 'fortran_order': False, "
                                 "'shape': (1,)}",
                                 4)),
                {"malformed header"});
  expectMessage(failure(makeFile("{'descr': '<f4', 'fortran_order': 0, "
                                 "'shape': (1,)}",
                                 4)),
                {"malformed header", "True or False for 'fortran_order'"});
  expectMessage(failure(makeFile(dictFor("<f4", "(1,)") + " x", 4)),
                {"malformed header", "only padding after the header dict"});
  expectMessage(failure(makeFile("{'descr': '<f4', 'descr': '<f4', "
                                 "'fortran_order': False, 'shape': (1,)}",
                                 4)),
                {"malformed header", "'descr' appears twice"});
  expectMessage(failure(makeFile("{'descr': '<f4', 'fortran_order': False, "
                                 "'shape': (1,), 'extra': 1}",
                                 4)),
                {"unexpected key 'extra'"});
  expectMessage(failure(makeFile(dictFor("<f4", "(1,)") + "\xc3\xa9", 4)),
                {"malformed header", "byte 0xc3"});
}

TEST(NpyErrorTest, BadShape) {
  expectMessage(failure(makeFile(dictFor("<f4", "(2, -3)"), 0)),
                {"negative dimension -3"});
  expectMessage(failure(makeFile(dictFor("<f4", "(2.0, 3)"), 24)),
                {"non-integer dimension '2.0'"});
  expectMessage(failure(makeFile(dictFor("<f4", "(2, None)"), 24)),
                {"'shape' must be a tuple of non-negative integers", "'None'"});
  expectMessage(failure(makeFile(dictFor("<f4", "(6)"), 24)),
                {"found the integer 6", "(6,)"});
  expectMessage(failure(makeFile(dictFor("<f4", "[2, 3]"), 24)),
                {"'shape' must be a tuple"});
  expectMessage(failure(makeFile(dictFor("<f4", "(2 3)"), 24)),
                {"malformed header", "',' or ')'"});
  expectMessage(failure(makeFile(dictFor("<f4", "(99999999999999999999,)"), 0)),
                {"dimension 99999999999999999999", "too large"});
}

TEST(NpyErrorTest, MissingKeys) {
  expectMessage(
      failure(makeFile("{'descr': '<f4', 'fortran_order': False}", 4)),
      {"missing the 'shape' key"});
  expectMessage(failure(makeFile("{'fortran_order': False, 'shape': ()}", 4)),
                {"missing the 'descr' key"});
  expectMessage(failure(makeFile("{'descr': '<f4', 'shape': ()}", 4)),
                {"missing the 'fortran_order' key"});
  expectMessage(failure(makeFile("{}", 4)), {"missing the 'descr' key"});
}

TEST(NpyErrorTest, FortranOrder) {
  expectMessage(failure(makeFile(dictFor("<f4", "(2, 3)", "True"), 24)),
                {"fortran_order True is not supported", "C order"});
}

TEST(NpyErrorTest, BigEndian) {
  expectMessage(failure(makeFile(dictFor(">f4", "(2, 3)"), 24)),
                {"unsupported dtype '>f4'", "big-endian",
                 "(expected one of <f4, <f8, <f2, |b1, |i1, |u1, <i2, <u2, "
                 "<i4, <u4, <i8, <u8)"});
  expectMessage(failure(makeFile(dictFor(">i8", "(1,)"), 8)),
                {"unsupported dtype '>i8'", "big-endian"});
}

TEST(NpyErrorTest, UnsupportedDType) {
  for (llvm::StringRef descr : {"|O", "<U3", "<c8", "<f16", ""})
    expectMessage(failure(makeFile(dictFor(descr, "(1,)"), 8)),
                  {("unsupported dtype '" + descr + "'").str(),
                   "(expected one of <f4, <f8, <f2, |b1, |i1, |u1, <i2, "
                   "<u2, <i4, <u4, <i8, <u8)"});
  expectMessage(failure(makeFile("{'descr': [('a', '<f4'), ('b', '<i4')], "
                                 "'fortran_order': False, 'shape': (1,), }",
                                 8)),
                {"unsupported structured dtype", "expected one of <f4"});
}

// ONNX's conformance data holds float16, bool and unsigned tensors; their
// bytes here are written by hand (IEEE half: 0x3C00 = 1, 0xC000 = -2,
// 0x3800 = 0.5).
TEST(NpyTest, HalfBoolAndUnsigned) {
  std::vector<uint8_t> half = makeFile(dictFor("<f2", "(3,)"), 0);
  for (uint8_t b : {0x00, 0x3C, 0x00, 0xC0, 0x00, 0x38})
    half.push_back(b);
  Array h = parseOk(half);
  EXPECT_EQ(h.dtype, DType::f16);
  llvm::Expected<std::vector<float>> hv = npy::toFloat32(h);
  ASSERT_TRUE(bool(hv));
  EXPECT_EQ(*hv, (std::vector<float>{1.0f, -2.0f, 0.5f}));

  std::vector<uint8_t> mask = makeFile(dictFor("|b1", "(3,)"), 0);
  for (uint8_t b : {1, 0, 1})
    mask.push_back(b);
  llvm::Expected<std::vector<int64_t>> mv = npy::toInt64(parseOk(mask));
  ASSERT_TRUE(bool(mv));
  EXPECT_EQ(*mv, (std::vector<int64_t>{1, 0, 1}));

  std::vector<uint8_t> u32 = makeFile(dictFor("<u4", "(1,)"), 0);
  for (uint8_t b : {0xFF, 0xFF, 0xFF, 0xFF})
    u32.push_back(b);
  llvm::Expected<std::vector<int64_t>> uv = npy::toInt64(parseOk(u32));
  ASSERT_TRUE(bool(uv));
  EXPECT_EQ(*uv, (std::vector<int64_t>{4294967295}));
}

TEST(NpyErrorTest, DataLengthMismatch) {
  std::vector<uint8_t> file(std::begin(kNumpyF32x2x3), std::end(kNumpyF32x2x3));
  file.pop_back();
  expectMessage(failure(file), {"data is 23 bytes", "shape (2, 3) of float32",
                                "needs 24 bytes", "truncated"});
  file.push_back(0);
  file.push_back(0);
  expectMessage(failure(file), {"data is 25 bytes", "trailing bytes"});
  expectMessage(failure(makeFile(dictFor("<i8", "()"), 0)),
                {"data is 0 bytes", "shape () of int64", "needs 8 bytes"});
}

TEST(NpyErrorTest, HugeShape) {
  // 1e15 float32 elements declared by a 128-byte file: must fail on the
  // header alone (allocating 4 PB would abort the test).
  expectMessage(
      failure(makeFile(dictFor("<f4", "(100000, 100000, 100000)"), 0)),
      {"shape (100000, 100000, 100000) has 1000000000000000 "
       "elements, more than the limit of 4294967296"});
  expectMessage(
      failure(makeFile(
          dictFor("<f8", "(9223372036854775807, 9223372036854775807)"), 0)),
      {"has 2^63 or more elements"});
  Limits small;
  small.maxElements = 5;
  expectMessage(failure(kNumpyF32x2x3, small),
                {"has 6 elements, more than the limit of 5"});
}

TEST(NpyErrorTest, NotANpyFile) {
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("npytest", "txt", path));
  llvm::FileRemover remover(path);
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    ASSERT_FALSE(ec);
    os << "x,y\n1.0,2.0\n";
  }
  llvm::Expected<Array> array = read(path);
  ASSERT_FALSE(static_cast<bool>(array));
  std::string message = llvm::toString(array.takeError());
  EXPECT_EQ(message,
            (path.str() + ": not a .npy file (it does not start with the "
                          "magic \"\\x93NUMPY\")")
                .str());

  std::string missing =
      llvm::toString(read("/nonexistent/missing.npy").takeError());
  EXPECT_NE(missing.find("/nonexistent/missing.npy: cannot read"),
            std::string::npos)
      << missing;
}

} // namespace
