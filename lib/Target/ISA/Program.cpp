//===- Program.cpp - Instruction-level cim IR <-> Program -----------------===//
//
// Part of the cim project, under the Apache License v2.0 with LLVM Exceptions.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The emitter side is a pure printer: it numbers the values of a scheduled
// instruction-level function and records each op's attributes as fields.
// The reader side rebuilds the ops through their verifiers, so a program
// that names an unknown op, a wrong shape or an impossible field is
// rejected with the instruction it came from.
//
//===----------------------------------------------------------------------===//

#include "cim/Target/ISA.h"

#include "cim/Dialect/Cim/CimDialect.h"
#include "cim/Dialect/Cim/CimOps.h"
#include "cim/Hardware/Target.h"
#include "cim/Support/Limits.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstring>

using namespace mlir;
using namespace mlir::cim;
using namespace mlir::cim::isa;

static llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

Opcode isa::opcodeOf(llvm::StringRef name) {
  return llvm::StringSwitch<Opcode>(name)
      .Case("isa.program", Opcode::Program)
      .Case("isa.encode", Opcode::Encode)
      .Case("isa.mvm", Opcode::Mvm)
      .Case("accumulate", Opcode::Acc)
      .Case("isa.decode", Opcode::Decode)
      .Case("isa.sync", Opcode::Sync)
      .Default(Opcode::Vec);
}

llvm::StringRef isa::mnemonicOf(Opcode opcode) {
  switch (opcode) {
  case Opcode::Program:
    return "PROGRAM";
  case Opcode::Encode:
    return "ENCODE";
  case Opcode::Mvm:
    return "MVM";
  case Opcode::Acc:
    return "ACC";
  case Opcode::Decode:
    return "DECODE";
  case Opcode::Vec:
    return "VEC";
  case Opcode::Sync:
    return "SYNC";
  case Opcode::Halt:
    return "HALT";
  }
  return "?";
}

int64_t TensorDesc::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d && n > (int64_t(1) << 40) / d))
      return -1;
    n *= d;
  }
  return n;
}

//===----------------------------------------------------------------------===//
// Module -> Program
//===----------------------------------------------------------------------===//

static llvm::Expected<TensorDesc> describe(Type type, const llvm::Twine &what) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  if (!ranked || !ranked.hasStaticShape())
    return error(what + " must be a statically shaped tensor");
  TensorDesc d;
  d.shape.assign(ranked.getShape().begin(), ranked.getShape().end());
  Type element = ranked.getElementType();
  if (element.isBF16()) {
    d.kind = ElementKind::BFloat;
    d.bits = 16;
  } else if (auto f = dyn_cast<FloatType>(element);
             f && (f.isF16() || f.isF32() || f.isF64())) {
    d.kind = ElementKind::Float;
    d.bits = f.getWidth();
  } else if (auto i = dyn_cast<IntegerType>(element); i && i.getWidth() <= 64) {
    d.kind = i.isUnsigned() ? ElementKind::Unsigned
             : i.isSigned() ? ElementKind::Signed
                            : ElementKind::Signless;
    d.bits = i.getWidth();
  } else {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << element;
    return error(what + " has element type " + text +
                 ", which the ISA cannot hold");
  }
  return d;
}

static Field fieldOf(NamedAttribute named) {
  Field f;
  f.name = named.getName().str();
  Attribute attr = named.getValue();
  if (auto b = dyn_cast<BoolAttr>(attr)) {
    f.kind = Field::Kind::Bool;
    f.i = b.getValue();
  } else if (auto i = dyn_cast<IntegerAttr>(attr);
             i && i.getType().isSignlessInteger() &&
             i.getType().getIntOrFloatBitWidth() <= 64) {
    f.kind = Field::Kind::Int;
    f.bits = i.getType().getIntOrFloatBitWidth();
    f.i = i.getValue().getSExtValue();
  } else if (auto fl = dyn_cast<FloatAttr>(attr);
             fl && (fl.getType().isF32() || fl.getType().isF64())) {
    f.kind = Field::Kind::Float;
    f.bits = fl.getType().getIntOrFloatBitWidth();
    f.f = fl.getValueAsDouble();
  } else if (auto s = dyn_cast<StringAttr>(attr)) {
    f.kind = Field::Kind::String;
    f.s = s.str();
  } else if (auto ints = dyn_cast<DenseI64ArrayAttr>(attr)) {
    f.kind = Field::Kind::Ints;
    f.ints.assign(ints.asArrayRef().begin(), ints.asArrayRef().end());
  } else if (auto floats = dyn_cast<DenseF64ArrayAttr>(attr)) {
    f.kind = Field::Kind::Floats;
    f.floats.assign(floats.asArrayRef().begin(), floats.asArrayRef().end());
  } else {
    f.kind = Field::Kind::Text;
    llvm::raw_string_ostream os(f.s);
    os << attr;
  }
  return f;
}

llvm::Expected<Program> isa::programFromModule(ModuleOp module,
                                               llvm::StringRef entry) {
  Program program;
  TargetAttr target = lookupTarget(module);
  if (!target)
    return error("the module has no cim.target: only an instruction-level "
                 "module (after cim-compile-pipeline) can be emitted");
  llvm::raw_string_ostream targetText(program.target);
  targetText << targetToJSON(target);
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func || func.isExternal())
    return error("no function '" + entry + "' to emit");
  if (func.getBody().getBlocks().size() != 1)
    return error("function '" + entry + "' must have a single block");
  program.entry = entry.str();

  llvm::DenseMap<Value, uint32_t> ids;
  auto add = [&](Value v, TensorDesc d) {
    ids[v] = uint32_t(program.tensors.size());
    program.tensors.push_back(std::move(d));
    return ids[v];
  };
  Block &body = func.getBody().front();
  uint64_t constantElements = 0;
  for (BlockArgument arg : body.getArguments()) {
    auto d =
        describe(arg.getType(), "argument " + llvm::Twine(arg.getArgNumber()));
    if (!d)
      return d.takeError();
    d->role = Role::Input;
    auto name =
        func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "onnx.name");
    d->name = name ? name.str() : "arg" + std::to_string(arg.getArgNumber());
    program.inputs.push_back(add(arg, std::move(*d)));
  }
  auto opText = [](Operation &op) {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << "'" << op.getName() << "' at " << op.getLoc();
    return text;
  };
  for (Operation &op : body) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      Instruction halt;
      halt.opcode = Opcode::Halt;
      halt.name = "halt";
      for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
        uint32_t id = ids.lookup(v);
        TensorDesc &d = program.tensors[id];
        if (d.role == Role::Temp) {
          d.role = Role::Output;
          auto name = func.getResultAttrOfType<StringAttr>(i, "onnx.name");
          d.name = name ? name.str() : "out" + std::to_string(i);
        }
        halt.operands.push_back(id);
        program.outputs.push_back(id);
      }
      program.code.push_back(std::move(halt));
      break;
    }
    if (auto constant = dyn_cast<ConstantOp>(op)) {
      auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
      if (!dense)
        return error(opText(op) + ": only dense constants can be emitted");
      auto d = describe(constant.getType(), opText(op));
      if (!d)
        return d.takeError();
      d->role = Role::Constant;
      // Row-major bytes; a splat is expanded (the reader needs no special
      // case, and splats of weights are rare), so the expanded total is
      // bounded before allocating.
      int64_t n = d->numElements();
      constantElements += uint64_t(n);
      if (llvm::Error e =
              checkLimit(constantElements, getResourceLimits().maxTotalElements,
                         "the constants (up to " + opText(op) + ")", "elements",
                         "max-total-elements"))
        return std::move(e);
      unsigned bytes = d->elementBytes();
      d->offset = program.constants.size();
      d->size = uint64_t(n) * bytes;
      program.constants.resize(d->offset + d->size);
      uint8_t *out = program.constants.data() + d->offset;
      if (dense.getElementType().isInteger(1)) {
        int64_t e = 0;
        for (bool b : dense.getValues<bool>())
          out[e++] = b;
      } else {
        ArrayRef<char> raw = dense.getRawData();
        if (dense.isSplat()) {
          for (int64_t e = 0; e < n; ++e)
            std::memcpy(out + e * bytes, raw.data(), bytes);
        } else {
          std::memcpy(out, raw.data(), d->size);
        }
      }
      add(constant.getResult(), std::move(*d));
      continue;
    }
    if (!op.getDialect() || op.getDialect()->getNamespace() != "cim")
      return error(opText(op) + " is not a cim instruction");
    if (llvm::isa<TileOp, MvmOp, GemmOp, Conv2dOp, EncodeOp, DecodeOp,
                  DacCyclesOp, CellSlicesOp, CrossbarMvmOp, AdcOp, ShiftAddOp,
                  OffsetCorrectOp>(op))
      return error(opText(op) +
                   " is not at the instruction level: run cim-lower-to-isa "
                   "and cim-schedule (or cim-compile-pipeline) first");
    auto core = op.getAttrOfType<IntegerAttr>(CimDialect::getCoreAttrName());
    if (!core)
      return error(opText(op) + " has no core: run cim-schedule first");
    Instruction inst;
    inst.name = op.getName().stripDialect().str();
    inst.opcode = opcodeOf(inst.name);
    inst.core = uint32_t(core.getInt());
    for (Value operand : op.getOperands()) {
      auto it = ids.find(operand);
      if (it == ids.end())
        return error(opText(op) + " reads a value defined outside the "
                                  "function body");
      inst.operands.push_back(it->second);
    }
    for (OpResult result : op.getResults()) {
      auto d = describe(result.getType(), opText(op));
      if (!d)
        return d.takeError();
      inst.results.push_back(add(result, std::move(*d)));
    }
    for (NamedAttribute named : op.getAttrs())
      if (named.getName() != CimDialect::getCoreAttrName())
        inst.fields.push_back(fieldOf(named));
    program.code.push_back(std::move(inst));
  }
  if (program.code.empty() || program.code.back().opcode != Opcode::Halt)
    return error("function '" + entry + "' has no return");
  return program;
}

//===----------------------------------------------------------------------===//
// Checks
//===----------------------------------------------------------------------===//

llvm::Error isa::verifyProgram(const Program &program) {
  // Limits that keep a hostile file from making the reader or the
  // interpreter allocate without bound (--max-tensor-elements,
  // --max-total-elements, --max-instructions; docs/reliability.md).
  const ResourceLimits &limits = getResourceLimits();
  if (llvm::Error e =
          checkLimit(program.code.size(), limits.maxInstructions, "the program",
                     "instructions", "max-instructions"))
    return e;
  uint64_t total = 0;
  size_t n = program.tensors.size();
  std::vector<bool> defined(n, false);
  for (size_t t = 0; t < n; ++t) {
    const TensorDesc &d = program.tensors[t];
    auto where = [&] {
      return llvm::formatv("tensor {0} ('{1}')", t, d.name).str();
    };
    if (d.shape.size() > 16)
      return error(where() + ": rank " + llvm::Twine(d.shape.size()) +
                   " exceeds 16");
    int64_t elements = d.numElements();
    if (elements < 0)
      return error(where() + ": shape has a negative dimension or more "
                             "than 2^40 elements");
    if (llvm::Error e = checkLimit(elements, limits.maxTensorElements, where(),
                                   "elements", "max-tensor-elements"))
      return e;
    total += elements;
    if (llvm::Error e =
            checkLimit(total, limits.maxTotalElements,
                       "the program (up to " + where() + ")",
                       "elements in its tensors", "max-total-elements"))
      return e;
    if (d.bits == 0 || d.bits > 64 ||
        ((d.kind == ElementKind::Float) && d.bits != 16 && d.bits != 32 &&
         d.bits != 64) ||
        (d.kind == ElementKind::BFloat && d.bits != 16) ||
        uint8_t(d.kind) > uint8_t(ElementKind::BFloat))
      return error(where() + ": invalid element type (kind " +
                   llvm::Twine(unsigned(d.kind)) + ", " +
                   llvm::Twine(unsigned(d.bits)) + " bits)");
    if (uint8_t(d.role) > uint8_t(Role::Temp))
      return error(where() + ": invalid role " + llvm::Twine(unsigned(d.role)));
    if (d.role == Role::Constant) {
      if (d.size != uint64_t(elements) * d.elementBytes())
        return error(where() + llvm::formatv(": {0} bytes of data for {1} "
                                             "elements of {2} bytes",
                                             d.size, elements,
                                             d.elementBytes()));
      if (d.offset > program.constants.size() ||
          d.size > program.constants.size() - d.offset)
        return error(where() + llvm::formatv(": data [{0}, +{1}) lies outside "
                                             "the {2}-byte constant section",
                                             d.offset, d.size,
                                             program.constants.size()));
      defined[t] = true;
    }
  }
  for (uint32_t id : program.inputs) {
    if (id >= n || program.tensors[id].role != Role::Input)
      return error(llvm::formatv("input list names tensor {0}, which is not "
                                 "an input tensor",
                                 id));
    defined[id] = true;
  }
  if (program.code.empty() || program.code.back().opcode != Opcode::Halt)
    return error("the code does not end with HALT");
  for (size_t i = 0; i < program.code.size(); ++i) {
    const Instruction &inst = program.code[i];
    auto where = [&] {
      return llvm::formatv("instruction {0} ({1} {2})", i,
                           mnemonicOf(inst.opcode), inst.name)
          .str();
    };
    if (inst.opcode == Opcode::Halt && i + 1 != program.code.size())
      return error(where() + ": HALT before the end of the code");
    if (inst.opcode != Opcode::Halt && opcodeOf(inst.name) != inst.opcode)
      return error(where() + ": the opcode does not match the operation");
    // Crossbar work reaches the chip only as PROGRAM/ENCODE/MVM/DECODE;
    // data only as constants.
    if (llvm::is_contained({"tile", "mvm", "gemm", "conv2d", "encode", "decode",
                            "dac_cycles", "cell_slices", "crossbar_mvm", "adc",
                            "shift_add", "offset_correct", "constant"},
                           llvm::StringRef(inst.name)))
      return error(where() + ": '" + inst.name +
                   "' is not an instruction of the ISA");
    for (uint32_t id : inst.operands) {
      if (id >= n)
        return error(where() + llvm::formatv(": operand tensor {0} does not "
                                             "exist ({1} tensors)",
                                             id, n));
      if (!defined[id])
        return error(where() + llvm::formatv(": reads tensor {0} before any "
                                             "instruction writes it",
                                             id));
    }
    for (uint32_t id : inst.results) {
      if (id >= n)
        return error(where() + llvm::formatv(": result tensor {0} does not "
                                             "exist ({1} tensors)",
                                             id, n));
      if (defined[id])
        return error(where() +
                     llvm::formatv(": tensor {0} is written twice", id));
      if (program.tensors[id].role != Role::Temp &&
          program.tensors[id].role != Role::Output)
        return error(where() + llvm::formatv(": writes tensor {0}, which is "
                                             "an input or a constant",
                                             id));
      defined[id] = true;
    }
  }
  if (program.code.back().operands != program.outputs)
    return error("HALT's operands differ from the output list");
  return llvm::Error::success();
}

//===----------------------------------------------------------------------===//
// Program -> Module
//===----------------------------------------------------------------------===//

static Type elementType(const TensorDesc &d, MLIRContext *ctx) {
  switch (d.kind) {
  case ElementKind::Float:
    return d.bits == 16   ? Type(Float16Type::get(ctx))
           : d.bits == 64 ? Type(Float64Type::get(ctx))
                          : Type(Float32Type::get(ctx));
  case ElementKind::BFloat:
    return BFloat16Type::get(ctx);
  case ElementKind::Signless:
    return IntegerType::get(ctx, d.bits);
  case ElementKind::Signed:
    return IntegerType::get(ctx, d.bits, IntegerType::Signed);
  case ElementKind::Unsigned:
    return IntegerType::get(ctx, d.bits, IntegerType::Unsigned);
  }
  return {};
}

static llvm::Expected<Attribute> attributeOf(const Field &f, Builder &b) {
  switch (f.kind) {
  case Field::Kind::Int:
    if (f.bits == 0 || f.bits > 64)
      return error("field '" + f.name + "' has an integer width of " +
                   llvm::Twine(unsigned(f.bits)));
    return Attribute(b.getIntegerAttr(b.getIntegerType(f.bits), f.i));
  case Field::Kind::Float:
    if (f.bits != 32 && f.bits != 64)
      return error("field '" + f.name + "' has a float width of " +
                   llvm::Twine(unsigned(f.bits)));
    return Attribute(f.bits == 32 ? b.getF32FloatAttr(float(f.f))
                                  : b.getF64FloatAttr(f.f));
  case Field::Kind::Bool:
    return Attribute(b.getBoolAttr(f.i != 0));
  case Field::Kind::String:
    return Attribute(b.getStringAttr(f.s));
  case Field::Kind::Ints:
    return Attribute(b.getDenseI64ArrayAttr(f.ints));
  case Field::Kind::Floats:
    return Attribute(b.getDenseF64ArrayAttr(f.floats));
  case Field::Kind::Text: {
    // Diagnostics of the nested parse go to the error, not to stderr.
    std::string message;
    ScopedDiagnosticHandler handler(b.getContext(), [&](Diagnostic &diag) {
      message = diag.str();
      return success();
    });
    size_t read = 0;
    Attribute attr = parseAttribute(f.s, b.getContext(), Type(), &read);
    if (!attr || read != f.s.size())
      return error("field '" + f.name + "' is not a valid attribute: '" + f.s +
                   "'" + (message.empty() ? "" : " (" + message + ")"));
    return attr;
  }
  }
  return error("field '" + f.name + "' has an unknown kind");
}

llvm::Expected<OwningOpRef<ModuleOp>>
isa::moduleFromProgram(const Program &program, MLIRContext *context,
                       llvm::StringRef sourceName) {
  if (llvm::Error e = verifyProgram(program))
    return std::move(e);
  context->loadDialect<CimDialect, func::FuncDialect>();
  llvm::Expected<TargetAttr> target =
      parseTargetJSON(program.target, sourceName, context);
  if (!target)
    return error("target section: " + llvm::toString(target.takeError()));
  Builder b(context);
  OwningOpRef<ModuleOp> module =
      ModuleOp::create(FileLineColLoc::get(context, sourceName, 0, 0));
  (*module)->setAttr(CimDialect::getTargetAttrName(), *target);

  auto typeOf = [&](uint32_t id) {
    const TensorDesc &d = program.tensors[id];
    return RankedTensorType::get(d.shape, elementType(d, context));
  };
  SmallVector<Type> inputTypes, outputTypes;
  for (uint32_t id : program.inputs)
    inputTypes.push_back(typeOf(id));
  for (uint32_t id : program.outputs)
    outputTypes.push_back(typeOf(id));
  OpBuilder builder(context);
  builder.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(
      builder, module->getLoc(), program.entry.empty() ? "main" : program.entry,
      builder.getFunctionType(inputTypes, outputTypes));
  for (auto [i, id] : llvm::enumerate(program.inputs))
    func.setArgAttr(i, "onnx.name",
                    builder.getStringAttr(program.tensors[id].name));
  for (auto [i, id] : llvm::enumerate(program.outputs))
    func.setResultAttr(i, "onnx.name",
                       builder.getStringAttr(program.tensors[id].name));
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToEnd(body);

  std::vector<Value> values(program.tensors.size());
  for (auto [i, id] : llvm::enumerate(program.inputs))
    values[id] = body->getArgument(i);
  // Constants are created where their ids fall among the instructions'
  // results, so importing and exporting again numbers tensors the same way.
  size_t nextConstant = 0;
  auto createConstantsBelow = [&](size_t limit) -> llvm::Error {
    for (; nextConstant < std::min(limit, program.tensors.size());
         ++nextConstant) {
      size_t t = nextConstant;
      const TensorDesc &d = program.tensors[t];
      if (d.role != Role::Constant)
        continue;
      RankedTensorType type = typeOf(t);
      ArrayRef<char> raw(
          reinterpret_cast<const char *>(program.constants.data()) + d.offset,
          d.size);
      DenseElementsAttr dense;
      if (type.getElementType().isInteger(1)) {
        SmallVector<bool> bits;
        for (char c : raw)
          bits.push_back(c != 0);
        dense = DenseElementsAttr::get(type, bits);
      } else {
        bool splat = false;
        if (!DenseElementsAttr::isValidRawBuffer(type, raw, splat))
          return error(
              llvm::formatv("tensor {0} ('{1}'): constant data does not "
                            "match its type",
                            t, d.name));
        dense = DenseElementsAttr::getFromRawBuffer(type, raw);
      }
      Location loc = NameLoc::get(b.getStringAttr(
          d.name.empty() ? "tensor" + std::to_string(t) : d.name));
      values[t] = ConstantOp::create(builder, loc, dense);
    }
    return llvm::Error::success();
  };

  for (size_t i = 0; i < program.code.size(); ++i) {
    const Instruction &inst = program.code[i];
    auto where = [&] {
      return llvm::formatv("{0}: instruction {1} ({2} {3})", sourceName, i,
                           mnemonicOf(inst.opcode), inst.name)
          .str();
    };
    size_t limit = program.tensors.size();
    if (!inst.results.empty())
      limit = *std::min_element(inst.results.begin(), inst.results.end());
    else if (inst.opcode != Opcode::Halt)
      limit = 0;
    if (llvm::Error e = createConstantsBelow(limit))
      return std::move(e);
    SmallVector<Value> operands;
    for (uint32_t id : inst.operands) {
      if (!values[id] && program.tensors[id].role == Role::Constant)
        if (llvm::Error e = createConstantsBelow(id + 1))
          return std::move(e);
      operands.push_back(values[id]);
    }
    Location loc = FileLineColLoc::get(context, sourceName, unsigned(i), 0);
    if (inst.opcode == Opcode::Halt) {
      if (operands.size() != outputTypes.size())
        return error(where() + ": HALT returns a different number of outputs");
      func::ReturnOp::create(builder, loc, operands);
      break;
    }
    std::optional<RegisteredOperationName> name =
        RegisteredOperationName::lookup("cim." + inst.name, context);
    if (!name)
      return error(where() + ": unknown operation 'cim." + inst.name + "'");
    OperationState state(loc, *name);
    state.addOperands(operands);
    for (uint32_t id : inst.results)
      state.addTypes(typeOf(id));
    for (const Field &f : inst.fields) {
      llvm::Expected<Attribute> attr = attributeOf(f, b);
      if (!attr)
        return error(where() + ": " + llvm::toString(attr.takeError()));
      state.addAttribute(f.name, *attr);
    }
    state.addAttribute(CimDialect::getCoreAttrName(),
                       b.getI64IntegerAttr(inst.core));
    Operation *op = builder.create(state);
    for (auto [r, id] : llvm::enumerate(inst.results))
      values[id] = op->getResult(r);
  }
  // Every op's verifier (shapes, fields, crossbars and cores of the target).
  std::string message;
  {
    llvm::raw_string_ostream os(message);
    ScopedDiagnosticHandler handler(context, [&](Diagnostic &diag) {
      if (auto loc = dyn_cast<FileLineColLoc>(diag.getLocation()))
        os << "instruction " << loc.getLine() << ": ";
      os << diag.str() << "\n";
      for (Diagnostic &note : diag.getNotes())
        os << "  note: " << note.str() << "\n";
      return success();
    });
    if (failed(verify(*module)))
      return error(sourceName +
                   ": invalid program: " + llvm::StringRef(message).rtrim());
  }
  return module;
}
