# Thin wrapper over CMake + Ninja. `make demo` and `make check` work on a
# fresh Debian 12 machine as root: they install what is missing first.

BUILD_DIR ?= build
BUILD_TYPE ?= Release
LLVM_DIR ?= /usr/lib/llvm-22
LIT ?= $(LLVM_DIR)/bin/lit
CLANG_FORMAT ?= clang-format
LIT_FLAGS ?= -v

# Debian packages the build, the tests and the demo need.
DEB_PACKAGES := llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools \
	libonnx-dev libprotobuf-dev protobuf-compiler cmake ninja-build \
	libgtest-dev g++ python3 lld-22 clang-format libopenblas-dev \
	python3-onnx python3-numpy python3-torch python3-torchvision \
	libonnx-testdata python3-venv python3-pip python3-setuptools

# Sanitizer and fuzzer builds (make check-asan, make fuzz) need clang's
# runtimes; they are installed only for those targets, so `make check`
# (and CI's time for it) is unchanged.
SANITIZER_PACKAGES := clang-22 libclang-rt-22-dev
CLANG_CMAKE_FLAGS := -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22
ASAN_BUILD_DIR ?= $(BUILD_DIR)-asan
FUZZ_BUILD_DIR ?= $(BUILD_DIR)-fuzz
FUZZ_SECONDS ?= 60
FUZZERS := fuzz-onnx fuzz-cimbin fuzz-target-json fuzz-mlir
# allow_user_poisoning=0: LLVM's Allocator.h poisons bump-allocator slabs in
# our instrumented code that Debian's uninstrumented LLVM then uses (false
# use-after-poison). Leak checking is off for the suite; the fuzzers run
# with it on (docs/reliability.md).
CHECK_ASAN_OPTIONS ?= allow_user_poisoning=0:detect_leaks=0
CHECK_UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1

.PHONY: all deps configure build check check-lit demo format format-check clean \
	check-asan fuzz

all: build

deps:
	@./scripts/install-deps.sh $(DEB_PACKAGES)

# One configure command for every build directory; targets add their flags.
CMAKE_CONFIGURE = cmake -G Ninja -S . -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DMLIR_DIR=$(LLVM_DIR)/lib/cmake/mlir -DLLVM_EXTERNAL_LIT=$(LIT)

$(BUILD_DIR)/build.ninja:
	$(CMAKE_CONFIGURE) -B $(BUILD_DIR)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR)

# Runs every lit and unit test; the last line is "N passed, N failed".
check: build
	@./scripts/run-tests.sh $(LIT) $(BUILD_DIR) $(LIT_FLAGS)

# The whole suite on an ASan+UBSan build (clang-22); any report fails a test.
check-asan:
	@./scripts/install-deps.sh $(DEB_PACKAGES) $(SANITIZER_PACKAGES)
	$(CMAKE_CONFIGURE) -B $(ASAN_BUILD_DIR) $(CLANG_CMAKE_FLAGS) \
	  -DCIM_ENABLE_SANITIZERS=ON
	cmake --build $(ASAN_BUILD_DIR)
	@ASAN_OPTIONS=$(CHECK_ASAN_OPTIONS) UBSAN_OPTIONS=$(CHECK_UBSAN_OPTIONS) \
	  ./scripts/run-tests.sh $(LIT) $(ASAN_BUILD_DIR) $(LIT_FLAGS)

# Each libFuzzer target for FUZZ_SECONDS, one after the other (docs/reliability.md).
fuzz:
	@./scripts/install-deps.sh $(DEB_PACKAGES) $(SANITIZER_PACKAGES)
	$(CMAKE_CONFIGURE) -B $(FUZZ_BUILD_DIR) $(CLANG_CMAKE_FLAGS) \
	  -DCIM_ENABLE_FUZZERS=ON
	cmake --build $(FUZZ_BUILD_DIR) --target $(FUZZERS) cim-translate cim-opt
	./scripts/fuzz.sh $(FUZZ_BUILD_DIR) $(FUZZ_SECONDS)

demo: build
	@./scripts/demo.sh $(BUILD_DIR)

FORMAT_FILES = $(shell git ls-files '*.cpp' '*.h' 2>/dev/null)

format:
	$(CLANG_FORMAT) -i $(FORMAT_FILES)

format-check:
	@$(CLANG_FORMAT) --dry-run --Werror $(FORMAT_FILES) && echo "format-check: clean"

clean:
	rm -rf $(BUILD_DIR)
