//===- Binary.cpp - The .cimbin format ------------------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Layout (little-endian; docs/isa.md):
//
//   "CIMBIN\0\0" | u32 version | u32 section count
//   section table: (u32 kind, u64 offset, u64 size) per section
//   sections: TARGET (JSON), IO (entry name, input ids, output ids),
//             TENSORS, CONSTANTS (raw bytes), CODE
//
// The reader bounds every count by the bytes left before reserving memory,
// so a small file cannot claim a huge table.
//
//===----------------------------------------------------------------------===//

#include "cim/Support/Limits.h"
#include "cim/Target/ISA.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstring>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::isa;

static constexpr char kMagic[8] = {'C', 'I', 'M', 'B', 'I', 'N', 0, 0};

enum class Section : uint32_t {
  Target = 1,
  IO = 2,
  Tensors = 3,
  Constants = 4,
  Code = 5,
};

bool isa::isBinary(llvm::StringRef bytes) {
  return bytes.size() >= sizeof(kMagic) &&
         std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) == 0;
}

//===----------------------------------------------------------------------===//
// Writer
//===----------------------------------------------------------------------===//

namespace {
class Writer {
public:
  std::string bytes;
  template <typename T> void put(T v) {
    char buf[sizeof(T)];
    llvm::support::endian::write<T, llvm::endianness::little>(buf, v);
    bytes.append(buf, sizeof(T));
  }
  void putString(llvm::StringRef s) {
    put<uint32_t>(uint32_t(s.size()));
    bytes.append(s.data(), s.size());
  }
  void putDouble(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof(bits));
    put<uint64_t>(bits);
  }
};
} // namespace

static void writeField(Writer &w, const Field &f) {
  w.putString(f.name);
  w.put<uint8_t>(uint8_t(f.kind));
  w.put<uint8_t>(f.bits);
  switch (f.kind) {
  case Field::Kind::Int:
  case Field::Kind::Bool:
    w.put<int64_t>(f.i);
    break;
  case Field::Kind::Float:
    w.putDouble(f.f);
    break;
  case Field::Kind::String:
  case Field::Kind::Text:
    w.putString(f.s);
    break;
  case Field::Kind::Ints:
    w.put<uint32_t>(uint32_t(f.ints.size()));
    for (int64_t v : f.ints)
      w.put<int64_t>(v);
    break;
  case Field::Kind::Floats:
    w.put<uint32_t>(uint32_t(f.floats.size()));
    for (double v : f.floats)
      w.putDouble(v);
    break;
  }
}

void isa::writeBinary(const Program &program, llvm::raw_ostream &os) {
  std::vector<std::pair<Section, std::string>> sections;
  sections.emplace_back(Section::Target, program.target);
  {
    Writer w;
    w.putString(program.entry);
    w.put<uint32_t>(uint32_t(program.inputs.size()));
    for (uint32_t id : program.inputs)
      w.put<uint32_t>(id);
    w.put<uint32_t>(uint32_t(program.outputs.size()));
    for (uint32_t id : program.outputs)
      w.put<uint32_t>(id);
    sections.emplace_back(Section::IO, std::move(w.bytes));
  }
  {
    Writer w;
    w.put<uint32_t>(uint32_t(program.tensors.size()));
    for (const TensorDesc &d : program.tensors) {
      w.putString(d.name);
      w.put<uint8_t>(uint8_t(d.role));
      w.put<uint8_t>(uint8_t(d.kind));
      w.put<uint8_t>(d.bits);
      w.put<uint8_t>(0);
      w.put<uint32_t>(uint32_t(d.shape.size()));
      for (int64_t dim : d.shape)
        w.put<int64_t>(dim);
      w.put<uint64_t>(d.offset);
      w.put<uint64_t>(d.size);
    }
    sections.emplace_back(Section::Tensors, std::move(w.bytes));
  }
  sections.emplace_back(
      Section::Constants,
      std::string(program.constants.begin(), program.constants.end()));
  {
    Writer w;
    w.put<uint32_t>(uint32_t(program.code.size()));
    for (const Instruction &inst : program.code) {
      w.put<uint16_t>(uint16_t(inst.opcode));
      w.put<uint16_t>(0);
      w.put<uint32_t>(inst.core);
      // The op of a VEC instruction; other opcodes name theirs too, so the
      // reader can check the two agree.
      w.putString(inst.name);
      w.put<uint32_t>(uint32_t(inst.operands.size()));
      for (uint32_t id : inst.operands)
        w.put<uint32_t>(id);
      w.put<uint32_t>(uint32_t(inst.results.size()));
      for (uint32_t id : inst.results)
        w.put<uint32_t>(id);
      w.put<uint32_t>(uint32_t(inst.fields.size()));
      for (const Field &f : inst.fields)
        writeField(w, f);
    }
    sections.emplace_back(Section::Code, std::move(w.bytes));
  }

  Writer header;
  header.bytes.append(kMagic, sizeof(kMagic));
  header.put<uint32_t>(kVersion);
  header.put<uint32_t>(uint32_t(sections.size()));
  uint64_t offset = header.bytes.size() + sections.size() * (4 + 8 + 8);
  for (const auto &[kind, data] : sections) {
    header.put<uint32_t>(uint32_t(kind));
    header.put<uint64_t>(offset);
    header.put<uint64_t>(data.size());
    offset += data.size();
  }
  os << header.bytes;
  for (const auto &entry : sections)
    os << entry.second;
}

//===----------------------------------------------------------------------===//
// Reader
//===----------------------------------------------------------------------===//

namespace {
class Reader {
public:
  Reader(llvm::StringRef data, std::string where)
      : data(data), where(std::move(where)) {}

  llvm::Error fail(const llvm::Twine &what) {
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        llvm::formatv("{0} at byte {1}: {2}", where, at, what.str()).str());
  }
  template <typename T> llvm::Error get(T &v, const char *what) {
    if (data.size() - at < sizeof(T))
      return fail(llvm::Twine("truncated ") + what);
    v = llvm::support::endian::read<T, llvm::endianness::little>(data.data() +
                                                                 at);
    at += sizeof(T);
    return llvm::Error::success();
  }
  llvm::Error getDouble(double &d, const char *what) {
    uint64_t bits;
    if (llvm::Error e = get(bits, what))
      return e;
    std::memcpy(&d, &bits, sizeof(d));
    return llvm::Error::success();
  }
  llvm::Error getString(std::string &s, const char *what) {
    uint32_t n;
    if (llvm::Error e = get(n, what))
      return e;
    if (n > data.size() - at)
      return fail(
          llvm::formatv("{0} of {1} bytes runs past the section end", what, n));
    s.assign(data.data() + at, n);
    at += n;
    return llvm::Error::success();
  }
  /// A count of items of at least `itemBytes` each: it cannot exceed what
  /// the section still holds.
  llvm::Error getCount(uint32_t &n, size_t itemBytes, const char *what) {
    if (llvm::Error e = get(n, what))
      return e;
    if (itemBytes && uint64_t(n) * itemBytes > data.size() - at)
      return fail(llvm::formatv("{0} {1} does not fit the {2} bytes left", what,
                                n, data.size() - at));
    return llvm::Error::success();
  }
  bool done() const { return at == data.size(); }

  llvm::StringRef data;
  size_t at = 0;
  std::string where;
};
} // namespace

static llvm::Error readField(Reader &r, Field &f) {
  uint8_t kind;
  if (llvm::Error e = r.getString(f.name, "field name"))
    return e;
  if (llvm::Error e = r.get(kind, "field kind"))
    return e;
  if (llvm::Error e = r.get(f.bits, "field width"))
    return e;
  if (kind > uint8_t(Field::Kind::Text))
    return r.fail("field '" + f.name + "' has unknown kind " +
                  llvm::Twine(unsigned(kind)));
  f.kind = Field::Kind(kind);
  uint32_t n;
  switch (f.kind) {
  case Field::Kind::Int:
  case Field::Kind::Bool:
    return r.get(f.i, "integer field");
  case Field::Kind::Float:
    return r.getDouble(f.f, "float field");
  case Field::Kind::String:
  case Field::Kind::Text:
    return r.getString(f.s, "string field");
  case Field::Kind::Ints:
    if (llvm::Error e = r.getCount(n, 8, "integer list length"))
      return e;
    f.ints.resize(n);
    for (int64_t &v : f.ints)
      if (llvm::Error e = r.get(v, "integer list"))
        return e;
    return llvm::Error::success();
  case Field::Kind::Floats:
    if (llvm::Error e = r.getCount(n, 8, "float list length"))
      return e;
    f.floats.resize(n);
    for (double &v : f.floats)
      if (llvm::Error e = r.getDouble(v, "float list"))
        return e;
    return llvm::Error::success();
  }
  return llvm::Error::success();
}

static llvm::Error readIds(Reader &r, std::vector<uint32_t> &ids,
                           const char *what) {
  uint32_t n;
  if (llvm::Error e = r.getCount(n, 4, what))
    return e;
  ids.resize(n);
  for (uint32_t &id : ids)
    if (llvm::Error e = r.get(id, what))
      return e;
  return llvm::Error::success();
}

llvm::Expected<Program> isa::readBinary(llvm::StringRef bytes,
                                        llvm::StringRef sourceName) {
  auto error = [&](const llvm::Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   sourceName + ": " + message);
  };
  if (!isBinary(bytes))
    return error("not a .cimbin file (bad magic)");
  if (llvm::Error e =
          checkLimit(bytes.size(), getResourceLimits().maxModelBytes,
                     "the file", "bytes", "max-model-bytes"))
    return error(llvm::toString(std::move(e)));
  Reader header(bytes, (sourceName + ": header").str());
  header.at = sizeof(kMagic);
  uint32_t version, count;
  if (llvm::Error e = header.get(version, "version"))
    return std::move(e);
  if (version != kVersion)
    return error(llvm::formatv("format version {0}; this reader reads "
                               "version {1}",
                               version, kVersion));
  if (llvm::Error e = header.getCount(count, 20, "section count"))
    return std::move(e);
  std::map<uint32_t, llvm::StringRef> sections;
  for (uint32_t s = 0; s < count; ++s) {
    uint32_t kind;
    uint64_t offset, size;
    if (llvm::Error e = header.get(kind, "section kind"))
      return std::move(e);
    if (llvm::Error e = header.get(offset, "section offset"))
      return std::move(e);
    if (llvm::Error e = header.get(size, "section size"))
      return std::move(e);
    if (kind < uint32_t(Section::Target) || kind > uint32_t(Section::Code))
      return error(llvm::formatv("section {0} has unknown kind {1}", s, kind));
    if (offset > bytes.size() || size > bytes.size() - offset)
      return error(llvm::formatv("section {0} (kind {1}) at [{2}, +{3}) lies "
                                 "outside the {4}-byte file",
                                 s, kind, offset, size, bytes.size()));
    if (!sections.try_emplace(kind, bytes.substr(offset, size)).second)
      return error(llvm::formatv("section kind {0} appears twice", kind));
  }
  static const char *names[] = {"",        "TARGET",    "IO",
                                "TENSORS", "CONSTANTS", "CODE"};
  for (uint32_t kind = 1; kind <= 5; ++kind)
    if (!sections.count(kind))
      return error(llvm::Twine("missing section ") + names[kind]);

  Program program;
  program.target = sections[uint32_t(Section::Target)].str();
  {
    Reader r(sections[uint32_t(Section::IO)], (sourceName + ": IO").str());
    if (llvm::Error e = r.getString(program.entry, "entry name"))
      return std::move(e);
    if (llvm::Error e = readIds(r, program.inputs, "input ids"))
      return std::move(e);
    if (llvm::Error e = readIds(r, program.outputs, "output ids"))
      return std::move(e);
  }
  {
    Reader r(sections[uint32_t(Section::Tensors)],
             (sourceName + ": TENSORS").str());
    uint32_t n;
    // name length + role/kind/bits/pad + rank + offset + size.
    if (llvm::Error e = r.getCount(n, 4 + 4 + 4 + 16, "tensor count"))
      return std::move(e);
    program.tensors.resize(n);
    for (uint32_t t = 0; t < n; ++t) {
      TensorDesc &d = program.tensors[t];
      uint8_t role, kind, pad;
      uint32_t rank;
      if (llvm::Error e = r.getString(d.name, "tensor name"))
        return std::move(e);
      if (llvm::Error e = r.get(role, "tensor role"))
        return std::move(e);
      if (llvm::Error e = r.get(kind, "element kind"))
        return std::move(e);
      if (llvm::Error e = r.get(d.bits, "element width"))
        return std::move(e);
      if (llvm::Error e = r.get(pad, "padding"))
        return std::move(e);
      if (role > uint8_t(Role::Temp) || kind > uint8_t(ElementKind::BFloat))
        return r.fail(llvm::formatv("tensor {0} has role {1}, element kind {2}",
                                    t, unsigned(role), unsigned(kind)));
      d.role = Role(role);
      d.kind = ElementKind(kind);
      if (llvm::Error e = r.getCount(rank, 8, "rank"))
        return std::move(e);
      if (rank > 16)
        return r.fail(
            llvm::formatv("tensor {0} has rank {1} (at most 16)", t, rank));
      d.shape.resize(rank);
      for (int64_t &dim : d.shape)
        if (llvm::Error e = r.get(dim, "dimension"))
          return std::move(e);
      if (llvm::Error e = r.get(d.offset, "data offset"))
        return std::move(e);
      if (llvm::Error e = r.get(d.size, "data size"))
        return std::move(e);
    }
    if (!r.done())
      return r.fail("trailing bytes");
  }
  llvm::StringRef constants = sections[uint32_t(Section::Constants)];
  program.constants.assign(constants.begin(), constants.end());
  {
    Reader r(sections[uint32_t(Section::Code)], (sourceName + ": CODE").str());
    uint32_t n;
    if (llvm::Error e = r.getCount(n, 2 + 2 + 4 + 4 + 12, "instruction count"))
      return std::move(e);
    if (llvm::Error e =
            checkLimit(n, getResourceLimits().maxInstructions, "the program",
                       "instructions", "max-instructions"))
      return r.fail(llvm::toString(std::move(e)));
    program.code.resize(n);
    for (uint32_t i = 0; i < n; ++i) {
      Instruction &inst = program.code[i];
      uint16_t opcode, pad;
      if (llvm::Error e = r.get(opcode, "opcode"))
        return std::move(e);
      if (opcode < uint16_t(Opcode::Program) || opcode > uint16_t(Opcode::Halt))
        return r.fail(
            llvm::formatv("instruction {0} has unknown opcode {1}", i, opcode));
      inst.opcode = Opcode(opcode);
      if (llvm::Error e = r.get(pad, "padding"))
        return std::move(e);
      if (llvm::Error e = r.get(inst.core, "core"))
        return std::move(e);
      if (llvm::Error e = r.getString(inst.name, "operation name"))
        return std::move(e);
      if (llvm::Error e = readIds(r, inst.operands, "operand ids"))
        return std::move(e);
      if (llvm::Error e = readIds(r, inst.results, "result ids"))
        return std::move(e);
      uint32_t fields;
      if (llvm::Error e = r.getCount(fields, 4 + 2 + 4, "field count"))
        return std::move(e);
      inst.fields.resize(fields);
      for (Field &f : inst.fields)
        if (llvm::Error e = readField(r, f))
          return std::move(e);
    }
    if (!r.done())
      return r.fail("trailing bytes");
  }
  if (llvm::Error e = verifyProgram(program))
    return error(llvm::toString(std::move(e)));
  return program;
}
