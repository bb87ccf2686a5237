//===- ISA.h - The cim instruction stream and its file formats -*- C++ -*-===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A compiled program (docs/isa.md): the target, a table of tensors (inputs,
// outputs, constants and temporaries, addressed by id), the constants'
// bytes and the instructions. `.cimbin` and `.cimasm` are two spellings of
// it; the instruction-level cim IR is a third. Conversions:
//
//   instruction-level module --programFromModule--> Program
//   Program --writeBinary / writeAssembly--> .cimbin / .cimasm
//   .cimbin / .cimasm --readBinary / parseAssembly--> Program (validated)
//   Program --moduleFromProgram--> instruction-level module (the
//                                   interpreter runs it)
//
// Readers check every count, offset and id before allocating or indexing,
// and report the section, instruction or tensor at fault.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TARGET_ISA_H
#define CIM_TARGET_ISA_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::cim::isa {

/// Version of the format; readers reject any other.
constexpr uint32_t kVersion = 1;

enum class Opcode : uint16_t {
  Program = 1,
  Encode = 2,
  Mvm = 3,
  Acc = 4,
  Decode = 5,
  Vec = 6,
  Sync = 7,
  Halt = 8,
};

/// Opcode of the op `cim.<name>` (VEC for the digital ops).
Opcode opcodeOf(llvm::StringRef name);
llvm::StringRef mnemonicOf(Opcode opcode);

enum class Role : uint8_t { Input = 0, Output = 1, Constant = 2, Temp = 3 };

enum class ElementKind : uint8_t {
  Float = 0,
  Signless = 1,
  Signed = 2,
  Unsigned = 3,
  BFloat = 4,
};

struct TensorDesc {
  std::string name;
  Role role = Role::Temp;
  ElementKind kind = ElementKind::Float;
  uint8_t bits = 32;
  llvm::SmallVector<int64_t> shape;
  /// Constants: where their bytes are in the constant section (row-major,
  /// little-endian, `bits` rounded up to bytes per element; 1 byte for i1).
  uint64_t offset = 0, size = 0;

  /// Elements, or -1 when the shape is invalid or the count overflows.
  int64_t numElements() const;
  /// Bytes per element.
  unsigned elementBytes() const { return bits <= 8 ? 1 : (bits + 7) / 8; }
};

/// An instruction field: what an MLIR attribute of the op holds.
struct Field {
  enum class Kind : uint8_t {
    Int = 0,
    Float = 1,
    Bool = 2,
    String = 3,
    Ints = 4,
    Floats = 5,
    /// Any other attribute, in MLIR's textual syntax (enums, precision).
    Text = 6,
  };
  std::string name;
  Kind kind = Kind::Int;
  /// Int: the integer width; Float: 32 or 64.
  uint8_t bits = 64;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<double> floats;
};

struct Instruction {
  Opcode opcode = Opcode::Vec;
  /// The op, without the dialect prefix (`isa.mvm`, `relu`, ...).
  std::string name;
  uint32_t core = 0;
  std::vector<uint32_t> operands, results;
  std::vector<Field> fields;
};

struct Program {
  /// The target, as JSON (docs/targets.md).
  std::string target;
  std::string entry = "main";
  std::vector<TensorDesc> tensors;
  std::vector<uint32_t> inputs, outputs;
  std::vector<uint8_t> constants;
  /// Ends with the HALT instruction, whose operands are the outputs.
  std::vector<Instruction> code;
};

/// The program of the scheduled instruction-level function `entry`.
llvm::Expected<Program> programFromModule(ModuleOp module,
                                          llvm::StringRef entry = "main");

/// Checks ids, shapes and data ranges of a program (readers call it).
llvm::Error verifyProgram(const Program &program);

void writeBinary(const Program &program, llvm::raw_ostream &os);
llvm::Expected<Program> readBinary(llvm::StringRef bytes,
                                   llvm::StringRef sourceName);

void writeAssembly(const Program &program, llvm::raw_ostream &os);
llvm::Expected<Program> parseAssembly(llvm::StringRef text,
                                      llvm::StringRef sourceName);

/// True when `bytes` start with the `.cimbin` magic.
bool isBinary(llvm::StringRef bytes);

/// The instruction-level module of a program; every instruction is checked
/// by its op's verifier, and errors name the instruction.
llvm::Expected<OwningOpRef<ModuleOp>>
moduleFromProgram(const Program &program, MLIRContext *context,
                  llvm::StringRef sourceName);

/// Registers --export-cim-bin, --export-cim-asm, --import-cim-bin,
/// --import-cim-asm and --cim-asm-to-bin / --cim-bin-to-asm.
void registerISATranslations();

} // namespace mlir::cim::isa

#endif // CIM_TARGET_ISA_H
