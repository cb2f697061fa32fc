# The two commands of the README: `make run` and `make test`. Everything else is CMake.
BUILD ?= build
BUILD_ASAN ?= build-asan
JOBS ?= $(shell nproc)
DATA ?= ./devnet
HTTP ?= 127.0.0.1:8420

.PHONY: all deps build build-asan run test test-plain test-asan clean bench

all: build

deps:
	@./scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DPETRO_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD_ASAN) -j $(JOBS)

run: build
	$(BUILD)/bin/petrod devnet --data $(DATA) --http $(HTTP)

test-plain: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS)

test: test-plain test-asan

# Benchmarks (bench/): every instrument, then bench/RESULTS.md. Scale: BENCH_* (bench/run-bench).
bench: build
	@./scripts/install-bench-deps
	./bench/run-bench $(BUILD)/bin

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
