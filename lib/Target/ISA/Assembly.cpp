//===- Assembly.cpp - The .cimasm text format -----------------------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// One directive or instruction per line (docs/isa.md):
//
//   .version 1
//   .target "<JSON>"
//   .entry "main"
//   .inputs %0
//   .outputs %57
//   .tensor %0 input "input" f32 [1, 1, 28, 28]
//   .tensor %1 const "" i32 [9, 16] "<base64 of the bytes>"
//   c0 MVM isa.mvm %9 <- %5, %2 {rows = ints [0, 9], stream = i64 0, ...}
//   c0 HALT halt <- %57
//
// Floats print with 17 significant digits, so text and binary round-trip
// exactly.
//
//===----------------------------------------------------------------------===//

#include "cim/Support/Limits.h"
#include "cim/Target/ISA.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Base64.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstdlib>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::isa;

//===----------------------------------------------------------------------===//
// Printer
//===----------------------------------------------------------------------===//

static void printString(llvm::raw_ostream &os, llvm::StringRef s) {
  os << '"';
  llvm::printEscapedString(s, os);
  os << '"';
}

static void printDouble(llvm::raw_ostream &os, double d) {
  os << llvm::format("%.17g", d);
}

static std::string typeName(const TensorDesc &d) {
  switch (d.kind) {
  case ElementKind::Float:
    return "f" + std::to_string(d.bits);
  case ElementKind::BFloat:
    return "bf16";
  case ElementKind::Signless:
    return "i" + std::to_string(d.bits);
  case ElementKind::Signed:
    return "si" + std::to_string(d.bits);
  case ElementKind::Unsigned:
    return "ui" + std::to_string(d.bits);
  }
  return "?";
}

static const char *roleName(Role role) {
  switch (role) {
  case Role::Input:
    return "input";
  case Role::Output:
    return "output";
  case Role::Constant:
    return "const";
  case Role::Temp:
    return "temp";
  }
  return "?";
}

static void printIds(llvm::raw_ostream &os, llvm::ArrayRef<uint32_t> ids) {
  llvm::interleave(
      ids, os, [&](uint32_t id) { os << '%' << id; }, ", ");
}

void isa::writeAssembly(const Program &program, llvm::raw_ostream &os) {
  os << "; cim assembly (docs/isa.md)\n";
  os << ".version " << kVersion << "\n";
  os << ".target ";
  printString(os, program.target);
  os << "\n.entry ";
  printString(os, program.entry);
  os << "\n.inputs ";
  printIds(os, program.inputs);
  os << "\n.outputs ";
  printIds(os, program.outputs);
  os << "\n";
  for (size_t t = 0; t < program.tensors.size(); ++t) {
    const TensorDesc &d = program.tensors[t];
    os << ".tensor %" << t << ' ' << roleName(d.role) << ' ';
    printString(os, d.name);
    os << ' ' << typeName(d) << " [";
    llvm::interleaveComma(d.shape, os);
    os << ']';
    if (d.role == Role::Constant) {
      llvm::ArrayRef<uint8_t> data(program.constants);
      os << " \"" << llvm::encodeBase64(data.slice(d.offset, d.size)) << '"';
    }
    os << '\n';
  }
  for (const Instruction &inst : program.code) {
    os << "  c" << inst.core << ' ' << mnemonicOf(inst.opcode) << ' '
       << inst.name << ' ';
    printIds(os, inst.results);
    os << (inst.results.empty() ? "<-" : " <-");
    if (!inst.operands.empty())
      os << ' ';
    printIds(os, inst.operands);
    if (!inst.fields.empty()) {
      os << " {";
      llvm::interleave(
          inst.fields, os,
          [&](const Field &f) {
            os << f.name << " = ";
            switch (f.kind) {
            case Field::Kind::Int:
              os << 'i' << unsigned(f.bits) << ' ' << f.i;
              break;
            case Field::Kind::Bool:
              os << "bool " << (f.i ? "true" : "false");
              break;
            case Field::Kind::Float:
              os << 'f' << unsigned(f.bits) << ' ';
              printDouble(os, f.f);
              break;
            case Field::Kind::String:
              os << "str ";
              printString(os, f.s);
              break;
            case Field::Kind::Text:
              os << "attr ";
              printString(os, f.s);
              break;
            case Field::Kind::Ints:
              os << "ints [";
              llvm::interleaveComma(f.ints, os);
              os << ']';
              break;
            case Field::Kind::Floats:
              os << "floats [";
              llvm::interleave(
                  f.floats, os, [&](double d) { printDouble(os, d); }, ", ");
              os << ']';
              break;
            }
          },
          ", ");
      os << '}';
    }
    os << '\n';
  }
}

//===----------------------------------------------------------------------===//
// Parser
//===----------------------------------------------------------------------===//

namespace {
class LineParser {
public:
  LineParser(llvm::StringRef line, std::string where)
      : rest(line), where(std::move(where)) {}

  llvm::Error fail(const llvm::Twine &what) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   where + ": " + what.str() + " (at '" +
                                       rest.take_front(24).str() + "')");
  }
  void skip() { rest = rest.ltrim(" \t\r"); }
  bool consume(llvm::StringRef token) {
    skip();
    return rest.consume_front(token);
  }
  llvm::Error expect(llvm::StringRef token) {
    if (!consume(token))
      return fail("expected '" + token + "'");
    return llvm::Error::success();
  }
  bool atEnd() {
    skip();
    return rest.empty();
  }
  llvm::Error word(llvm::StringRef &out, const char *what) {
    skip();
    size_t n = rest.find_first_of(" \t\r,[]{}=\"");
    out = rest.take_front(n);
    rest = rest.drop_front(out.size());
    if (out.empty())
      return fail(llvm::Twine("expected ") + what);
    return llvm::Error::success();
  }
  llvm::Error integer(int64_t &v, const char *what) {
    llvm::StringRef w;
    if (llvm::Error e = word(w, what))
      return e;
    if (w.getAsInteger(10, v))
      return fail(llvm::Twine("expected an integer ") + what + ", got '" + w +
                  "'");
    return llvm::Error::success();
  }
  llvm::Error real(double &v, const char *what) {
    llvm::StringRef w;
    if (llvm::Error e = word(w, what))
      return e;
    std::string text = w.str();
    char *end = nullptr;
    v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size())
      return fail(llvm::Twine("expected a number ") + what + ", got '" + w +
                  "'");
    return llvm::Error::success();
  }
  llvm::Error id(uint32_t &v) {
    if (!consume("%"))
      return fail("expected a tensor id '%N'");
    int64_t n;
    if (llvm::Error e = integer(n, "tensor id"))
      return e;
    if (n < 0 || n > int64_t(UINT32_MAX))
      return fail("tensor id out of range");
    v = uint32_t(n);
    return llvm::Error::success();
  }
  /// Comma-separated ids up to the end of the list (none allowed).
  llvm::Error ids(std::vector<uint32_t> &out) {
    skip();
    if (!rest.starts_with("%"))
      return llvm::Error::success();
    do {
      uint32_t v;
      if (llvm::Error e = id(v))
        return e;
      out.push_back(v);
    } while (consume(","));
    return llvm::Error::success();
  }
  llvm::Error string(std::string &out) {
    if (!consume("\""))
      return fail("expected a string");
    out.clear();
    while (!rest.empty() && rest.front() != '"') {
      char c = rest.front();
      rest = rest.drop_front();
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (rest.consume_front("\\")) {
        out.push_back('\\');
        continue;
      }
      if (rest.size() < 2 || !llvm::isHexDigit(rest[0]) ||
          !llvm::isHexDigit(rest[1]))
        return fail("bad escape in string");
      out.push_back(char(llvm::hexFromNibbles(rest[0], rest[1])));
      rest = rest.drop_front(2);
    }
    if (!rest.consume_front("\""))
      return fail("unterminated string");
    return llvm::Error::success();
  }
  template <typename T, typename F>
  llvm::Error list(std::vector<T> &out, F element) {
    if (llvm::Error e = expect("["))
      return e;
    if (consume("]"))
      return llvm::Error::success();
    do {
      T v;
      if (llvm::Error e = element(v))
        return e;
      out.push_back(v);
    } while (consume(","));
    return expect("]");
  }

  llvm::StringRef rest;
  std::string where;
};
} // namespace

static llvm::Error parseType(LineParser &p, TensorDesc &d) {
  llvm::StringRef w;
  if (llvm::Error e = p.word(w, "element type"))
    return e;
  unsigned bits = 0;
  auto width = [&](llvm::StringRef digits) {
    return !digits.getAsInteger(10, bits) && bits >= 1 && bits <= 64;
  };
  if (w == "bf16") {
    d.kind = ElementKind::BFloat;
    bits = 16;
  } else if (w.starts_with("si") && width(w.drop_front(2))) {
    d.kind = ElementKind::Signed;
  } else if (w.starts_with("ui") && width(w.drop_front(2))) {
    d.kind = ElementKind::Unsigned;
  } else if (w.starts_with("i") && width(w.drop_front(1))) {
    d.kind = ElementKind::Signless;
  } else if (w.starts_with("f") && width(w.drop_front(1))) {
    d.kind = ElementKind::Float;
  } else {
    return p.fail("unknown element type '" + w + "'");
  }
  d.bits = uint8_t(bits);
  return llvm::Error::success();
}

static llvm::Error parseField(LineParser &p, Field &f) {
  llvm::StringRef name, kind;
  if (llvm::Error e = p.word(name, "field name"))
    return e;
  f.name = name.str();
  if (llvm::Error e = p.expect("="))
    return e;
  if (llvm::Error e = p.word(kind, "field kind"))
    return e;
  unsigned bits = 0;
  if (kind == "bool") {
    f.kind = Field::Kind::Bool;
    llvm::StringRef v;
    if (llvm::Error e = p.word(v, "true or false"))
      return e;
    if (v != "true" && v != "false")
      return p.fail("expected true or false");
    f.i = v == "true";
    return llvm::Error::success();
  }
  if (kind == "str" || kind == "attr") {
    f.kind = kind == "str" ? Field::Kind::String : Field::Kind::Text;
    return p.string(f.s);
  }
  if (kind == "ints") {
    f.kind = Field::Kind::Ints;
    return p.list(f.ints,
                  [&](int64_t &v) { return p.integer(v, "list element"); });
  }
  if (kind == "floats") {
    f.kind = Field::Kind::Floats;
    return p.list(f.floats,
                  [&](double &v) { return p.real(v, "list element"); });
  }
  if (kind.starts_with("i") && !kind.drop_front().getAsInteger(10, bits) &&
      bits >= 1 && bits <= 64) {
    f.kind = Field::Kind::Int;
    f.bits = uint8_t(bits);
    return p.integer(f.i, "field value");
  }
  if (kind.starts_with("f") && !kind.drop_front().getAsInteger(10, bits) &&
      (bits == 32 || bits == 64)) {
    f.kind = Field::Kind::Float;
    f.bits = uint8_t(bits);
    return p.real(f.f, "field value");
  }
  return p.fail("unknown field kind '" + kind + "'");
}

llvm::Expected<Program> isa::parseAssembly(llvm::StringRef text,
                                           llvm::StringRef sourceName) {
  if (llvm::Error e = checkLimit(text.size(), getResourceLimits().maxModelBytes,
                                 sourceName, "bytes", "max-model-bytes"))
    return std::move(e);
  Program program;
  bool sawVersion = false;
  llvm::SmallVector<llvm::StringRef> lines;
  text.split(lines, '\n');
  for (size_t n = 0; n < lines.size(); ++n) {
    llvm::StringRef line = lines[n].trim();
    if (line.empty() || line.starts_with(";"))
      continue;
    LineParser p(line, (sourceName + ":" + llvm::Twine(n + 1)).str());
    if (p.consume(".version")) {
      int64_t v;
      if (llvm::Error e = p.integer(v, "version"))
        return std::move(e);
      if (v != kVersion)
        return p.fail(llvm::formatv("format version {0}; this reader reads "
                                    "version {1}",
                                    v, kVersion));
      sawVersion = true;
    } else if (!sawVersion) {
      return p.fail("expected '.version' first");
    } else if (p.consume(".target")) {
      if (llvm::Error e = p.string(program.target))
        return std::move(e);
    } else if (p.consume(".entry")) {
      if (llvm::Error e = p.string(program.entry))
        return std::move(e);
    } else if (p.consume(".inputs")) {
      if (llvm::Error e = p.ids(program.inputs))
        return std::move(e);
    } else if (p.consume(".outputs")) {
      if (llvm::Error e = p.ids(program.outputs))
        return std::move(e);
    } else if (p.consume(".tensor")) {
      uint32_t id;
      if (llvm::Error e = p.id(id))
        return std::move(e);
      if (id != program.tensors.size())
        return p.fail(llvm::formatv("expected tensor %{0} next, got %{1}",
                                    program.tensors.size(), id));
      TensorDesc d;
      llvm::StringRef role;
      if (llvm::Error e = p.word(role, "tensor role"))
        return std::move(e);
      if (role == "input")
        d.role = Role::Input;
      else if (role == "output")
        d.role = Role::Output;
      else if (role == "const")
        d.role = Role::Constant;
      else if (role == "temp")
        d.role = Role::Temp;
      else
        return p.fail("unknown tensor role '" + role + "'");
      if (llvm::Error e = p.string(d.name))
        return std::move(e);
      if (llvm::Error e = parseType(p, d))
        return std::move(e);
      std::vector<int64_t> shape;
      if (llvm::Error e = p.list(
              shape, [&](int64_t &v) { return p.integer(v, "dimension"); }))
        return std::move(e);
      if (shape.size() > 16)
        return p.fail("rank above 16");
      d.shape.assign(shape.begin(), shape.end());
      if (d.role == Role::Constant) {
        std::string encoded;
        if (llvm::Error e = p.string(encoded))
          return std::move(e);
        std::vector<char> bytes;
        if (llvm::Error e = llvm::decodeBase64(encoded, bytes))
          return p.fail("constant data: " + llvm::toString(std::move(e)));
        d.offset = program.constants.size();
        d.size = bytes.size();
        program.constants.insert(program.constants.end(), bytes.begin(),
                                 bytes.end());
      }
      program.tensors.push_back(std::move(d));
    } else if (p.consume("c")) {
      Instruction inst;
      int64_t core;
      if (llvm::Error e = p.integer(core, "core"))
        return std::move(e);
      if (core < 0 || core > int64_t(UINT32_MAX))
        return p.fail("core out of range");
      inst.core = uint32_t(core);
      llvm::StringRef mnemonic, name;
      if (llvm::Error e = p.word(mnemonic, "opcode"))
        return std::move(e);
      bool known = false;
      for (uint16_t o = uint16_t(Opcode::Program); o <= uint16_t(Opcode::Halt);
           ++o)
        if (mnemonicOf(Opcode(o)) == mnemonic) {
          inst.opcode = Opcode(o);
          known = true;
        }
      if (!known)
        return p.fail("unknown opcode '" + mnemonic + "'");
      if (llvm::Error e = p.word(name, "operation"))
        return std::move(e);
      inst.name = name.str();
      if (llvm::Error e = p.ids(inst.results))
        return std::move(e);
      if (llvm::Error e = p.expect("<-"))
        return std::move(e);
      if (llvm::Error e = p.ids(inst.operands))
        return std::move(e);
      if (p.consume("{")) {
        do {
          Field f;
          if (llvm::Error e = parseField(p, f))
            return std::move(e);
          inst.fields.push_back(std::move(f));
        } while (p.consume(","));
        if (llvm::Error e = p.expect("}"))
          return std::move(e);
      }
      program.code.push_back(std::move(inst));
    } else {
      return p.fail("expected a directive or an instruction");
    }
    if (!p.atEnd())
      return p.fail("unexpected text at the end of the line");
  }
  if (!sawVersion)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   sourceName + ": empty program (no "
                                                "'.version')");
  if (llvm::Error e = verifyProgram(program))
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   sourceName + ": " +
                                       llvm::toString(std::move(e)));
  return program;
}
