//===- Npy.cpp - Reading and writing numpy .npy files ---------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The header dict is parsed by a small recursive-descent parser for the
// subset of Python literals numpy writes: a dict with string keys whose
// values are strings, True/False, or tuples of integers. Whitespace may
// appear between tokens and trailing commas are allowed, as in Python.
//
// The writer reproduces numpy.lib.format._write_array_header byte for byte:
// keys in sorted order, each followed by ", ", then spare spaces so the first
// dimension can grow to 21 digits in place, then padding to a multiple of 64
// bytes ending in a newline.
//
//===----------------------------------------------------------------------===//

#include "cim/Support/Npy.h"

#include "llvm/ADT/APFloat.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cassert>
#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>

using namespace mlir::cim;
using namespace mlir::cim::npy;

using llvm::endianness;
namespace endian = llvm::support::endian;

static constexpr char kMagic[] = "\x93NUMPY";
static constexpr size_t kMagicLen = 6;
static constexpr size_t kAlign = 64;
/// numpy leaves room for the growth axis to reach this many digits.
static constexpr size_t kGrowthAxisMaxDigits = 21;
static constexpr llvm::StringLiteral kExpectedDTypes =
    "<f4, <f8, <f2, |b1, |i1, |u1, <i2, <u2, <i4, <u4, <i8, <u8";

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

llvm::StringRef npy::dtypeName(DType dtype) {
  switch (dtype) {
  case DType::f32:
    return "float32";
  case DType::f64:
    return "float64";
  case DType::i8:
    return "int8";
  case DType::u8:
    return "uint8";
  case DType::i16:
    return "int16";
  case DType::i32:
    return "int32";
  case DType::i64:
    return "int64";
  case DType::f16:
    return "float16";
  case DType::b1:
    return "bool";
  case DType::u16:
    return "uint16";
  case DType::u32:
    return "uint32";
  case DType::u64:
    return "uint64";
  }
  llvm_unreachable("unknown dtype");
}

llvm::StringRef npy::dtypeDescr(DType dtype) {
  switch (dtype) {
  case DType::f32:
    return "<f4";
  case DType::f64:
    return "<f8";
  case DType::i8:
    return "|i1";
  case DType::u8:
    return "|u1";
  case DType::i16:
    return "<i2";
  case DType::i32:
    return "<i4";
  case DType::i64:
    return "<i8";
  case DType::f16:
    return "<f2";
  case DType::b1:
    return "|b1";
  case DType::u16:
    return "<u2";
  case DType::u32:
    return "<u4";
  case DType::u64:
    return "<u8";
  }
  llvm_unreachable("unknown dtype");
}

size_t npy::elementSize(DType dtype) {
  switch (dtype) {
  case DType::i8:
  case DType::u8:
  case DType::b1:
    return 1;
  case DType::i16:
  case DType::u16:
  case DType::f16:
    return 2;
  case DType::f32:
  case DType::i32:
  case DType::u32:
    return 4;
  case DType::f64:
  case DType::i64:
  case DType::u64:
    return 8;
  }
  llvm_unreachable("unknown dtype");
}

std::optional<DType> npy::dtypeFromDescr(llvm::StringRef descr) {
  return llvm::StringSwitch<std::optional<DType>>(descr)
      .Case("<f4", DType::f32)
      .Case("<f8", DType::f64)
      .Cases({"|i1", "<i1"}, DType::i8)
      .Cases({"|u1", "<u1"}, DType::u8)
      .Case("<i2", DType::i16)
      .Case("<i4", DType::i32)
      .Case("<i8", DType::i64)
      .Case("<f2", DType::f16)
      .Cases({"|b1", "<b1"}, DType::b1)
      .Case("<u2", DType::u16)
      .Case("<u4", DType::u32)
      .Case("<u8", DType::u64)
      .Default(std::nullopt);
}

//===----------------------------------------------------------------------===//
// Shapes and sizes
//===----------------------------------------------------------------------===//

/// The Python repr of `shape` as a tuple: "()", "(5,)", "(2, 3)".
static std::string shapeRepr(llvm::ArrayRef<int64_t> shape) {
  std::string text = "(";
  llvm::raw_string_ostream os(text);
  llvm::interleave(shape, os, ", ");
  if (shape.size() == 1)
    os << ',';
  os << ')';
  return text;
}

/// The number of elements of `shape`, saturated at UINT64_MAX.
static uint64_t saturatedElements(llvm::ArrayRef<int64_t> shape) {
  for (int64_t dim : shape)
    if (dim == 0)
      return 0;
  uint64_t count = 1;
  for (int64_t dim : shape)
    count = llvm::SaturatingMultiply(count, static_cast<uint64_t>(dim));
  return count;
}

int64_t Array::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

/// Checks that `array` is well formed: non-negative dimensions and exactly
/// product(shape) * itemsize bytes of data.
static llvm::Error checkArray(const Array &array) {
  for (int64_t dim : array.shape)
    if (dim < 0)
      return makeError("negative dimension " + llvm::Twine(dim) + " in shape " +
                       shapeRepr(array.shape));
  uint64_t count = saturatedElements(array.shape);
  uint64_t bytes =
      llvm::SaturatingMultiply(count, uint64_t(elementSize(array.dtype)));
  if (count > uint64_t(INT64_MAX) || bytes != array.data.size())
    return makeError("array data is " + llvm::Twine(array.data.size()) +
                     " bytes but shape " + shapeRepr(array.shape) + " of " +
                     dtypeName(array.dtype) + " needs " +
                     (count > uint64_t(INT64_MAX)
                          ? llvm::Twine("more than 2^63")
                          : llvm::Twine(bytes)) +
                     " bytes");
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Header dict parser
//===----------------------------------------------------------------------===//

namespace {

/// The fields of a header dict, as far as they were present.
struct Header {
  std::optional<std::string> descr;
  bool descrIsList = false;
  std::optional<bool> fortranOrder;
  std::optional<llvm::SmallVector<int64_t>> shape;
};

class HeaderParser {
public:
  HeaderParser(llvm::StringRef text, llvm::StringRef name)
      : text(text), name(name) {}

  llvm::Expected<Header> parse();

private:
  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' ||
                                 text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }
  bool atEnd() const { return pos >= text.size(); }
  char peek() const { return atEnd() ? '\0' : text[pos]; }
  bool consume(char c) {
    if (peek() != c)
      return false;
    ++pos;
    return true;
  }

  /// "<name>: malformed header: expected <what> at column N of "<header>"".
  llvm::Error malformed(const llvm::Twine &expected) const;
  /// "<name>: <message>".
  llvm::Error error(const llvm::Twine &message) const {
    return makeError(name + ": " + message);
  }

  llvm::Expected<std::string> parseString();
  llvm::Error parseValue(llvm::StringRef key, Header &header);
  llvm::Error parseShape(llvm::SmallVector<int64_t> &shape);
  llvm::Error parseDim(llvm::SmallVector<int64_t> &shape);
  /// Skips a bracketed Python literal (for a structured 'descr').
  llvm::Error skipBracketed();

  llvm::StringRef text;
  llvm::StringRef name;
  size_t pos = 0;
};

} // namespace

llvm::Error HeaderParser::malformed(const llvm::Twine &expected) const {
  std::string shown;
  llvm::raw_string_ostream os(shown);
  llvm::StringRef trimmed = text.rtrim(" \t\r\n");
  constexpr size_t maxShown = 160;
  llvm::printEscapedString(trimmed.take_front(maxShown), os);
  if (trimmed.size() > maxShown)
    os << "...";
  std::string found = atEnd() ? std::string("end of header")
                              : "'" + text.substr(pos, 1).str() + "'";
  return error("malformed header: expected " + expected + " but found " +
               found + " at column " + llvm::Twine(pos + 1) + " of \"" + shown +
               "\"");
}

llvm::Expected<std::string> HeaderParser::parseString() {
  char quote = peek();
  if (quote != '\'' && quote != '"')
    return malformed("a quoted string");
  size_t start = ++pos;
  while (!atEnd() && text[pos] != quote) {
    if (text[pos] == '\\' || text[pos] == '\n')
      return malformed("a plain string without escapes");
    ++pos;
  }
  if (atEnd())
    return malformed(llvm::Twine("closing ") + llvm::Twine(quote));
  std::string value = text.slice(start, pos).str();
  ++pos;
  return value;
}

llvm::Error HeaderParser::skipBracketed() {
  llvm::SmallVector<char> closers;
  do {
    if (atEnd())
      return malformed("closing bracket");
    char c = text[pos];
    if (c == '\'' || c == '"') {
      if (llvm::Expected<std::string> s = parseString(); !s)
        return s.takeError();
      continue;
    }
    if (c == '[' || c == '(')
      closers.push_back(c == '[' ? ']' : ')');
    else if (c == ']' || c == ')') {
      if (closers.back() != c)
        return malformed(llvm::Twine("'") + llvm::Twine(closers.back()) + "'");
      closers.pop_back();
    }
    ++pos;
  } while (!closers.empty());
  return llvm::Error::success();
}

llvm::Error HeaderParser::parseDim(llvm::SmallVector<int64_t> &shape) {
  size_t start = pos;
  bool negative = false;
  if (peek() == '-' || peek() == '+') {
    negative = peek() == '-';
    ++pos;
    skipSpace();
  }
  if (!llvm::isDigit(peek()))
    return error("'shape' must be a tuple of non-negative integers, found '" +
                 text.substr(start)
                     .take_until([](char c) { return c == ',' || c == ')'; })
                     .rtrim() +
                 "' in " + "\"" + text.rtrim(" \t\r\n") + "\"");
  uint64_t value = 0;
  bool overflow = false;
  while (llvm::isDigit(peek())) {
    value = llvm::SaturatingMultiplyAdd(value, uint64_t(10),
                                        uint64_t(text[pos] - '0'), &overflow);
    ++pos;
  }
  // Python 2 era numpy wrote long integers with an L suffix.
  if (peek() == 'L' || peek() == 'l')
    ++pos;
  llvm::StringRef literal = text.slice(start, pos);
  if (peek() == '.' || peek() == 'e' || peek() == 'E' || peek() == 'j' ||
      peek() == 'J' || llvm::isAlnum(peek()) || peek() == '_') {
    size_t end = pos;
    while (end < text.size() && text[end] != ',' && text[end] != ')')
      ++end;
    return error("'shape' must be a tuple of non-negative integers, found "
                 "non-integer dimension '" +
                 text.slice(start, end).rtrim() + "'");
  }
  if (negative && value != 0)
    return error("'shape' must be a tuple of non-negative integers, found "
                 "negative dimension " +
                 literal);
  if (overflow || value > uint64_t(INT64_MAX))
    return error("dimension " + literal + " in 'shape' is too large");
  shape.push_back(static_cast<int64_t>(value));
  return llvm::Error::success();
}

llvm::Error HeaderParser::parseShape(llvm::SmallVector<int64_t> &shape) {
  if (!consume('('))
    return error("'shape' must be a tuple of non-negative integers, e.g. "
                 "(2, 3), (5,) or ()");
  skipSpace();
  if (consume(')'))
    return llvm::Error::success();
  bool sawComma = false;
  while (true) {
    if (llvm::Error err = parseDim(shape))
      return err;
    skipSpace();
    if (consume(')'))
      break;
    if (!consume(','))
      return malformed("',' or ')' in 'shape'");
    sawComma = true;
    skipSpace();
    if (consume(')'))
      break;
  }
  // In Python "(5)" is the integer 5, not a tuple.
  if (shape.size() == 1 && !sawComma)
    return error("'shape' must be a tuple of non-negative integers, found "
                 "the integer " +
                 llvm::Twine(shape.front()) + " (write (" +
                 llvm::Twine(shape.front()) + ",) for a 1-d shape)");
  return llvm::Error::success();
}

llvm::Error HeaderParser::parseValue(llvm::StringRef key, Header &header) {
  if (key == "descr") {
    if (peek() == '[') {
      header.descrIsList = true;
      header.descr = "";
      return skipBracketed();
    }
    if (peek() != '\'' && peek() != '"')
      return malformed("a dtype string for 'descr'");
    llvm::Expected<std::string> descr = parseString();
    if (!descr)
      return descr.takeError();
    header.descr = std::move(*descr);
    return llvm::Error::success();
  }
  if (key == "fortran_order") {
    if (text.substr(pos).starts_with("True"))
      header.fortranOrder = true;
    else if (text.substr(pos).starts_with("False"))
      header.fortranOrder = false;
    else
      return malformed("True or False for 'fortran_order'");
    pos += *header.fortranOrder ? 4 : 5;
    if (llvm::isAlnum(peek()) || peek() == '_')
      return malformed("True or False for 'fortran_order'");
    return llvm::Error::success();
  }
  assert(key == "shape" && "unexpected key");
  header.shape.emplace();
  return parseShape(*header.shape);
}

llvm::Expected<Header> HeaderParser::parse() {
  Header header;
  skipSpace();
  if (!consume('{'))
    return malformed("'{' opening the header dict");
  skipSpace();
  while (!consume('}')) {
    llvm::Expected<std::string> key = parseString();
    if (!key)
      return key.takeError();
    if (*key != "descr" && *key != "fortran_order" && *key != "shape")
      return error("unexpected key '" + *key +
                   "' in header (expected 'descr', 'fortran_order' and "
                   "'shape')");
    if ((*key == "descr" && header.descr) ||
        (*key == "fortran_order" && header.fortranOrder) ||
        (*key == "shape" && header.shape))
      return error("malformed header: key '" + *key + "' appears twice");
    skipSpace();
    if (!consume(':'))
      return malformed("':' after key '" + *key + "'");
    skipSpace();
    if (llvm::Error err = parseValue(*key, header))
      return std::move(err);
    skipSpace();
    if (consume('}'))
      break;
    if (!consume(','))
      return malformed("',' or '}' after the value of '" + *key + "'");
    skipSpace();
  }
  skipSpace();
  if (!atEnd())
    return malformed("only padding after the header dict");
  return header;
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

llvm::Expected<Array> npy::parse(llvm::ArrayRef<uint8_t> bytes,
                                 llvm::StringRef name, const Limits &limits) {
  auto error = [&](const llvm::Twine &message) {
    return makeError(name + ": " + message);
  };

  if (bytes.size() < kMagicLen ||
      std::memcmp(bytes.data(), kMagic, kMagicLen) != 0)
    return error("not a .npy file (it does not start with the magic "
                 "\"\\x93NUMPY\")");
  if (bytes.size() < kMagicLen + 2)
    return error("truncated header: the file is " + llvm::Twine(bytes.size()) +
                 " bytes and ends inside the version field");
  unsigned major = bytes[kMagicLen], minor = bytes[kMagicLen + 1];
  if (major < 1 || major > 3 || minor != 0)
    return error("unsupported .npy format version " + llvm::Twine(major) + "." +
                 llvm::Twine(minor) + " (expected 1.0, 2.0 or 3.0)");

  size_t lengthBytes = major == 1 ? 2 : 4;
  size_t prefixLen = kMagicLen + 2 + lengthBytes;
  if (bytes.size() < prefixLen)
    return error("truncated header: the file is " + llvm::Twine(bytes.size()) +
                 " bytes, shorter than the " + llvm::Twine(prefixLen) +
                 "-byte preamble of a version " + llvm::Twine(major) +
                 ".0 file");
  const uint8_t *lengthField = bytes.data() + kMagicLen + 2;
  uint64_t headerLen =
      major == 1 ? endian::read<uint16_t, endianness::little>(lengthField)
                 : endian::read<uint32_t, endianness::little>(lengthField);
  if (headerLen > limits.maxHeaderBytes)
    return error("header length " + llvm::Twine(headerLen) +
                 " exceeds the limit of " + llvm::Twine(limits.maxHeaderBytes) +
                 " bytes");
  if (headerLen > bytes.size() - prefixLen)
    return error("truncated header: the header length field says " +
                 llvm::Twine(headerLen) + " bytes but only " +
                 llvm::Twine(bytes.size() - prefixLen) +
                 " bytes follow the preamble");

  llvm::StringRef text(reinterpret_cast<const char *>(bytes.data()) + prefixLen,
                       headerLen);
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = text[i];
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c >= 0x7f)
      return error("malformed header: unexpected byte 0x" +
                   llvm::utohexstr(c, /*LowerCase=*/true, /*Width=*/2) +
                   " at column " + llvm::Twine(i + 1) +
                   " (expected an ASCII Python dict literal)");
  }

  llvm::Expected<Header> header = HeaderParser(text, name).parse();
  if (!header)
    return header.takeError();
  for (auto [present, key] :
       {std::pair(header->descr.has_value(), "descr"),
        std::pair(header->fortranOrder.has_value(), "fortran_order"),
        std::pair(header->shape.has_value(), "shape")})
    if (!present)
      return error(llvm::Twine("header is missing the '") + key +
                   "' key (expected 'descr', 'fortran_order' and 'shape')");

  if (header->descrIsList)
    return error(llvm::Twine("unsupported structured dtype (a list 'descr'; "
                             "expected one of ") +
                 kExpectedDTypes + ")");
  std::optional<DType> dtype = dtypeFromDescr(*header->descr);
  if (!dtype) {
    llvm::StringRef descr = *header->descr;
    bool bigEndian = false;
    if (descr.consume_front(">"))
      bigEndian = dtypeFromDescr(("<" + descr).str()) ||
                  dtypeFromDescr(("|" + descr).str());
    descr = *header->descr;
    return error("unsupported dtype '" + descr + "'" +
                 (bigEndian ? ": big-endian data is not supported" : "") +
                 " (expected one of " + kExpectedDTypes + ")");
  }
  if (*header->fortranOrder)
    return error("fortran_order True is not supported (expected C order; "
                 "save np.ascontiguousarray(a) instead)");

  Array array;
  array.dtype = *dtype;
  array.shape = std::move(*header->shape);
  uint64_t count = saturatedElements(array.shape);
  if (count > limits.maxElements)
    return error("shape " + shapeRepr(array.shape) + " has " +
                 (count > uint64_t(INT64_MAX) ? llvm::Twine("2^63 or more")
                                              : llvm::Twine(count)) +
                 " elements, more than the limit of " +
                 llvm::Twine(limits.maxElements) + " (--max-array-elements)");
  uint64_t needed =
      llvm::SaturatingMultiply(count, uint64_t(elementSize(*dtype)));
  llvm::ArrayRef<uint8_t> data = bytes.drop_front(prefixLen + headerLen);
  if (data.size() != needed)
    return error("data is " + llvm::Twine(data.size()) + " bytes but shape " +
                 shapeRepr(array.shape) + " of " + dtypeName(*dtype) +
                 " needs " + llvm::Twine(needed) + " bytes (" +
                 (data.size() < needed ? "file truncated" : "trailing bytes") +
                 ")");
  array.data.assign(data.begin(), data.end());
  return array;
}

llvm::Expected<Array> npy::read(llvm::StringRef path, const Limits &limits) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buffer)
    return makeError(path + ": cannot read: " + buffer.getError().message());
  llvm::StringRef contents = (*buffer)->getBuffer();
  return parse(
      llvm::ArrayRef<uint8_t>(
          reinterpret_cast<const uint8_t *>(contents.data()), contents.size()),
      path, limits);
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

std::vector<uint8_t> npy::serialize(const Array &array) {
  assert(!llvm::errorToBool(checkArray(array)) &&
         "array data does not match its shape");

  std::string dict =
      "{'descr': '" + dtypeDescr(array.dtype).str() +
      "', 'fortran_order': False, 'shape': " + shapeRepr(array.shape) + ", }";
  if (!array.shape.empty())
    dict.append(kGrowthAxisMaxDigits - std::to_string(array.shape[0]).size(),
                ' ');
  // As numpy: version 1.0 unless the header length does not fit in a u16.
  unsigned major = 1;
  size_t headerLen = 0;
  for (; major <= 2; ++major) {
    size_t prefixLen = kMagicLen + 2 + (major == 1 ? 2 : 4);
    size_t withNewline = dict.size() + 1;
    size_t padding = kAlign - (prefixLen + withNewline) % kAlign;
    headerLen = withNewline + padding;
    if (major == 2 || headerLen <= UINT16_MAX)
      break;
  }
  dict.append(headerLen - dict.size() - 1, ' ');
  dict.push_back('\n');

  std::vector<uint8_t> bytes(kMagic, kMagic + kMagicLen);
  bytes.push_back(major);
  bytes.push_back(0);
  uint8_t length[4];
  if (major == 1)
    endian::write<uint16_t, endianness::little>(length, uint16_t(headerLen));
  else
    endian::write<uint32_t, endianness::little>(length, uint32_t(headerLen));
  bytes.insert(bytes.end(), length, length + (major == 1 ? 2 : 4));
  bytes.insert(bytes.end(), dict.begin(), dict.end());
  bytes.insert(bytes.end(), array.data.begin(), array.data.end());
  return bytes;
}

llvm::Error npy::write(llvm::StringRef path, const Array &array) {
  if (llvm::Error err = checkArray(array))
    return makeError(path +
                     ": cannot write: " + llvm::toString(std::move(err)));
  std::vector<uint8_t> bytes = serialize(array);
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return makeError(path + ": cannot open for writing: " + ec.message());
  os.write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
  os.close();
  if (os.has_error()) {
    std::string message = os.error().message();
    os.clear_error();
    return makeError(path + ": write failed: " + message);
  }
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Conversions
//===----------------------------------------------------------------------===//

/// Calls `fn(i, value)` for every element, with `value` the element as
/// `double` (floats) or `int64_t` (integers).
template <typename Fn> static void forEachElement(const Array &array, Fn fn) {
  const uint8_t *p = array.data.data();
  int64_t n = array.numElements();
  for (int64_t i = 0; i < n; ++i) {
    switch (array.dtype) {
    case DType::f32:
      fn(i, double(llvm::bit_cast<float>(
                endian::read<uint32_t, endianness::little>(p + 4 * i))));
      break;
    case DType::f64:
      fn(i, llvm::bit_cast<double>(
                endian::read<uint64_t, endianness::little>(p + 8 * i)));
      break;
    case DType::i8:
      fn(i, int64_t(static_cast<int8_t>(p[i])));
      break;
    case DType::u8:
      fn(i, int64_t(p[i]));
      break;
    case DType::i16:
      fn(i, int64_t(endian::read<int16_t, endianness::little>(p + 2 * i)));
      break;
    case DType::i32:
      fn(i, int64_t(endian::read<int32_t, endianness::little>(p + 4 * i)));
      break;
    case DType::i64:
      fn(i, endian::read<int64_t, endianness::little>(p + 8 * i));
      break;
    case DType::f16: {
      llvm::APFloat half(
          llvm::APFloat::IEEEhalf(),
          llvm::APInt(16,
                      endian::read<uint16_t, endianness::little>(p + 2 * i)));
      fn(i, half.convertToDouble());
      break;
    }
    case DType::b1:
      fn(i, int64_t(p[i] != 0));
      break;
    case DType::u16:
      fn(i, int64_t(endian::read<uint16_t, endianness::little>(p + 2 * i)));
      break;
    case DType::u32:
      fn(i, int64_t(endian::read<uint32_t, endianness::little>(p + 4 * i)));
      break;
    case DType::u64:
      // Values past int64's range wrap, as a C cast would.
      fn(i, int64_t(endian::read<uint64_t, endianness::little>(p + 8 * i)));
      break;
    }
  }
}

llvm::Expected<std::vector<float>> npy::toFloat32(const Array &array) {
  if (llvm::Error err = checkArray(array))
    return std::move(err);
  std::vector<float> values(array.numElements());
  forEachElement(array,
                 [&](int64_t i, auto value) { values[i] = float(value); });
  return values;
}

llvm::Expected<std::vector<int64_t>> npy::toInt64(const Array &array) {
  if (llvm::Error err = checkArray(array))
    return std::move(err);
  std::vector<int64_t> values(array.numElements());
  std::optional<std::pair<int64_t, double>> bad;
  forEachElement(array, [&](int64_t i, auto value) {
    if constexpr (std::is_same_v<decltype(value), double>) {
      // [-2^63, 2^63) is exactly the range of int64.
      if (!(value >= -0x1p63 && value < 0x1p63) || value != std::trunc(value)) {
        if (!bad)
          bad = {i, value};
        return;
      }
      values[i] = static_cast<int64_t>(value);
    } else {
      values[i] = value;
    }
  });
  if (bad) {
    std::string shown;
    llvm::raw_string_ostream(shown) << llvm::format("%g", bad->second);
    return makeError(
        "cannot convert element " + llvm::Twine(bad->first) + " (" + shown +
        ") of a " + dtypeName(array.dtype) + " array to int64: " +
        (std::isfinite(bad->second) && bad->second == std::trunc(bad->second)
             ? "out of range"
             : "not an integer"));
  }
  return values;
}

Array npy::fromFloat32(llvm::ArrayRef<int64_t> shape,
                       llvm::ArrayRef<float> values) {
  Array array;
  array.dtype = DType::f32;
  array.shape.assign(shape.begin(), shape.end());
  assert(int64_t(values.size()) == array.numElements() &&
         "values do not match the shape");
  array.data.resize(values.size() * 4);
  for (size_t i = 0; i < values.size(); ++i)
    endian::write<uint32_t, endianness::little>(
        array.data.data() + 4 * i, llvm::bit_cast<uint32_t>(values[i]));
  return array;
}

Array npy::fromInt64(llvm::ArrayRef<int64_t> shape,
                     llvm::ArrayRef<int64_t> values) {
  Array array;
  array.dtype = DType::i64;
  array.shape.assign(shape.begin(), shape.end());
  assert(int64_t(values.size()) == array.numElements() &&
         "values do not match the shape");
  array.data.resize(values.size() * 8);
  for (size_t i = 0; i < values.size(); ++i)
    endian::write<int64_t, endianness::little>(array.data.data() + 8 * i,
                                               values[i]);
  return array;
}
