# sakimori — the front door. Everything real happens in CMake; these targets
# are the commands a person types.
#
#   make run     install dependencies, build, run the main job on embedded defaults
#   make check   install dependencies, build, run every test (also under ASan+UBSan)
#   make bench   build and run the benchmarks (results: docs/PERFORMANCE.md)
#   make fuzz    build the libFuzzer targets with clang and run each for FUZZ_SECONDS
#   make eval    measure detection accuracy, write docs/DETECTION.md

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 60
RUN_DIR    ?= $(BUILD)/run
CMAKE_FLAGS ?=

.PHONY: all deps build build-asan run check test test-asan bench fuzz clean eval

all: build

deps:
	@./scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSK_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

run: build
	@./scripts/run.sh $(BUILD)/sakimori $(RUN_DIR)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

check: test test-asan
	@echo "make check: all tests passed (release and ASan+UBSan builds)"

bench: build
	@./bench/run.sh $(BUILD)

eval: build
	@./scripts/eval.sh $(BUILD) docs/DETECTION.md

fuzz: deps
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSK_FUZZ=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@./tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
