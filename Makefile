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
	python3-onnx python3-numpy python3-torch python3-torchvision

.PHONY: all deps configure build check check-lit demo format format-check clean

all: build

deps:
	@./scripts/install-deps.sh $(DEB_PACKAGES)

$(BUILD_DIR)/build.ninja:
	cmake -G Ninja -S . -B $(BUILD_DIR) \
	  -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DMLIR_DIR=$(LLVM_DIR)/lib/cmake/mlir \
	  -DLLVM_EXTERNAL_LIT=$(LIT)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR)

# Runs every lit and unit test; the last line is "N passed, N failed".
check: build
	@./scripts/run-tests.sh $(LIT) $(BUILD_DIR) $(LIT_FLAGS)

demo: build
	@./scripts/demo.sh $(BUILD_DIR)

FORMAT_FILES = $(shell git ls-files '*.cpp' '*.h' 2>/dev/null)

format:
	$(CLANG_FORMAT) -i $(FORMAT_FILES)

format-check:
	@$(CLANG_FORMAT) --dry-run --Werror $(FORMAT_FILES) && echo "format-check: clean"

clean:
	rm -rf $(BUILD_DIR)
