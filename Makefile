# The two commands of the README: `make run` and `make test`. Everything else is CMake.
MAKEFLAGS += --no-print-directory
BUILD ?= build
BUILD_ASAN ?= build-asan
JOBS ?= $(shell nproc)
DATA ?= ./devnet
HTTP ?= 127.0.0.1:8420
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME ?= 300
FUZZ_SHORT ?= 20
SOAK_ROUNDS ?= 50

.PHONY: all deps build build-asan run test test-plain test-asan clean bench bench-scale bench-cluster \
	fuzz fuzz-build test-fuzz fuzz-seeds soak docs-ops docs-vectors screenshots

all: build

deps:
	@./scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DPETRO_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD_ASAN) -j $(JOBS)

# The explorer's pages (web/, their npm packages installed by scripts/install-deps) are served
# at http://$(HTTP)/ next to the API.
run: build
	$(BUILD)/bin/petrod devnet --data $(DATA) --http $(HTTP) --web web

test-plain: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS)

test: test-plain test-asan test-fuzz

# Fuzzing (tests/fuzz): libFuzzer targets built with clang. `make fuzz` runs each for FUZZ_TIME
# seconds (default 300; FUZZ_TARGETS="fuzz_amount ..." picks some); `make test` runs each for
# FUZZ_SHORT (20) seconds. Corpus replay runs in the plain and ASan ctest runs already.
# -Werror is on like the gcc builds (explicitly, so an old build-fuzz cache with it off is
# overridden): clang must build the whole tree warning-free too.
fuzz-build: deps
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPETRO_FUZZ=ON \
		-DPETRO_WERROR=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_all

fuzz: fuzz-build
	./tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_TIME) $(FUZZ_TARGETS)

test-fuzz: fuzz-build
	./tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SHORT)

# Regenerate the committed seed corpora (tests/fuzz/corpus) with project code.
fuzz-seeds: build
	$(BUILD)/bin/gen_corpus tests/fuzz/corpus

# Rewrite the operation field tables of docs/protocol.md from the family registry (CTest's
# unit.ops_doc fails while the committed ones differ), then web/src/ops.js from those tables
# (web.unit fails while it is stale).
docs-ops: build
	$(BUILD)/bin/gen_ops_doc --write docs/protocol.md
	node web/tools/gen-ops.mjs --write

# The protocol test vectors (docs/vectors/README.md); unit.vectors checks them.
docs-vectors: build
	$(BUILD)/bin/gen_vectors --write docs/vectors

# The README's screenshots (docs/img/home.png, proof-check.png) from a fresh devnet of this
# build, in headless chromium (web/tools/screenshots.mjs).
screenshots: build
	node web/tools/screenshots.mjs --bin $(BUILD)/bin --out docs/img

# Long crash campaign: SOAK_ROUNDS (50) SIGKILL rounds, each checked by petrod verify.
soak: build
	PETRO_BIN=$(CURDIR)/$(BUILD)/bin PETRO_CRASH_ROUNDS=$(SOAK_ROUNDS) \
		python3 tests/integration/test_crash_replay.py

# Benchmarks (bench/): every instrument, then bench/RESULTS.md. Scale: BENCH_* (bench/run-bench).
bench: build
	@./scripts/install-bench-deps
	./bench/run-bench $(BUILD)/bin

# The node at 100k and 10M accounts, one run (not in `make bench`: about 15 minutes and
# several GiB of disk). Scale: BENCH_SCALE_* (bench/run-bench-scale).
bench-scale: build
	./bench/run-bench-scale $(BUILD)/bin

# 3 etcd members + 3 petrods on this machine, loaded through the leader and through a follower
# (not in `make bench`; issue #17). Its own section of bench/RESULTS.md. Scale:
# BENCH_CLUSTER_* (bench/run-bench-cluster).
bench-cluster: build
	./bench/run-bench-cluster $(BUILD)/bin

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
