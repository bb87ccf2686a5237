//===- Npy.h - Reading and writing numpy .npy files -------------*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A small reader and writer for numpy's .npy format, as described in
// numpy.lib.format: the magic "\x93NUMPY", a major and minor version byte, a
// little-endian header length (u16 for version 1.0, u32 for 2.0 and 3.0), and
// an ASCII Python dict literal such as
//
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
//
// padded with spaces and a newline so that the data starts at a multiple of
// 64 bytes. The data follows, in C order.
//
// Only plain little-endian numeric arrays in C order are supported; every
// other file is rejected with a message naming the file and what was
// expected. Headers are checked against `Limits` before anything is
// allocated, so a tiny file declaring a huge shape fails cheaply.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_SUPPORT_NPY_H
#define CIM_SUPPORT_NPY_H

#include "cim/Support/Limits.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace mlir::cim::npy {

/// Element types of the supported arrays.
enum class DType { f32, f64, i8, u8, i16, i32, i64, f16, b1, u16, u32, u64 };

/// The numpy name of `dtype`: "float32", "int8", ...
llvm::StringRef dtypeName(DType dtype);

/// The .npy descriptor numpy writes for `dtype`: "<f4", "|i1", ...
llvm::StringRef dtypeDescr(DType dtype);

/// Bytes per element of `dtype`.
size_t elementSize(DType dtype);

/// The element type of a .npy descriptor, if it is a supported one. Accepts
/// what numpy writes ("<f4", "|u1", ...) and "<i1"/"<u1" for bytes.
std::optional<DType> dtypeFromDescr(llvm::StringRef descr);

/// A dense array: `data` holds the elements little-endian, in C order.
struct Array {
  DType dtype = DType::f32;
  /// Empty for a scalar.
  llvm::SmallVector<int64_t> shape;
  std::vector<uint8_t> data;

  /// The product of `shape` (1 for a scalar).
  int64_t numElements() const;
};

/// Bounds a header must respect before any data is allocated. The element
/// bound defaults to the process-wide --max-array-elements (Limits.h).
struct Limits {
  uint64_t maxElements = getResourceLimits().maxArrayElements;
  uint64_t maxHeaderBytes = 1 << 16;
};

/// Parses the contents of a .npy file (format version 1.0, 2.0 or 3.0).
/// `name` identifies the file in error messages. The data must be exactly
/// as long as the shape and dtype require.
llvm::Expected<Array> parse(llvm::ArrayRef<uint8_t> bytes, llvm::StringRef name,
                            const Limits &limits = {});

/// Reads and parses the .npy file at `path` ("-" for standard input).
llvm::Expected<Array> read(llvm::StringRef path, const Limits &limits = {});

/// The .npy form of `array` with a version 1.0 header, byte-identical to
/// what numpy.save writes. `array.data` must match its shape and dtype.
std::vector<uint8_t> serialize(const Array &array);

/// Writes `array` to `path` ("-" for standard output). Fails if the data
/// does not match the shape and dtype, or the file cannot be written.
llvm::Error write(llvm::StringRef path, const Array &array);

/// The elements of `array` converted to float (exactly for all but large
/// integers and doubles, which are rounded).
llvm::Expected<std::vector<float>> toFloat32(const Array &array);

/// The elements of `array` converted to int64. Floating-point elements must
/// be integers in the range of int64.
llvm::Expected<std::vector<int64_t>> toInt64(const Array &array);

/// A float32 array; `values` must have product(`shape`) elements.
Array fromFloat32(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<float> values);

/// An int64 array; `values` must have product(`shape`) elements.
Array fromInt64(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int64_t> values);

} // namespace mlir::cim::npy

#endif // CIM_SUPPORT_NPY_H
