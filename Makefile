# The two set-up commands (README): `make run` and `make test`. Both install what is missing
# (as root) or print the apt-get line to run (otherwise), then configure and build.
BUILD     ?= build
PRESET    ?= default
SAMPLE    ?= smb-converged
JOBS      ?= $(shell nproc)
FUZZ_SECONDS ?= 60

.PHONY: all deps configure build run test test-asan fuzz fuzz-build fuzz-corpus tidy lengths bench screenshots format clean

all: build

deps:
	@installer/deps.sh

configure: deps
	@if command -v ninja >/dev/null; then gen="-G Ninja"; else gen=""; fi; \
	 [ -f $(BUILD)/CMakeCache.txt ] || cmake --preset $(PRESET) $$gen

build: configure
	cmake --build --preset $(PRESET) -j $(JOBS)

run: build
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	    ./$(BUILD)/app/converge --sample $(SAMPLE); \
	 else \
	    echo "No display: running the GUI under Xvfb (xvfb-run); set DISPLAY to see it."; \
	    xvfb-run -a -s "-screen 0 1280x800x24" ./$(BUILD)/app/converge --sample $(SAMPLE); \
	 fi

test: build
	cd $(BUILD) && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j $(JOBS)

# AddressSanitizer + UBSan build of the whole suite.
test-asan: deps
	@if command -v ninja >/dev/null; then gen="-G Ninja"; else gen=""; fi; \
	 [ -f build-asan/CMakeCache.txt ] || cmake --preset asan $$gen
	cmake --build --preset asan -j $(JOBS)
	cd build-asan && QT_QPA_PLATFORM=offscreen ASAN_OPTIONS=detect_leaks=0 ctest --output-on-failure -j $(JOBS)

# libFuzzer targets (tests/fuzz, docs/design.md "Fuzzing"), FUZZ_SECONDS split across them.
fuzz: fuzz-build
	tests/fuzz/run build-fuzz $(FUZZ_SECONDS)

fuzz-build: deps
	@if command -v ninja >/dev/null; then gen="-G Ninja"; else gen=""; fi; \
	 [ -f build-fuzz/CMakeCache.txt ] || cmake --preset fuzz $$gen
	cmake --build --preset fuzz -j $(JOBS)

# Rewrites the seeds of the checked-in corpus from the protocol structs (tests/fuzz/fuzz_seeds.cpp);
# the reproducers of fixed bugs stay.
fuzz-corpus: fuzz-build
	./build-fuzz/tests/fuzz/fuzz_seeds tests/fuzz/corpus

# clang-tidy with the checked-in .clang-tidy over core, collectors, views, app and bench.
tidy: build
	.ci/clang-tidy $(BUILD)

# Function lengths (median, p90) and any function over 80 lines.
lengths: deps
	.ci/function-lengths

bench: build
	./$(BUILD)/bench/bench-document 1000 5 resources/samples/smb-iscsi-highperf.converge.json
	./$(BUILD)/bench/bench-validation 1000 5
	./$(BUILD)/bench/bench-metering-ingest
	./$(BUILD)/bench/bench-metering-query
	./$(BUILD)/bench/bench-alerts
	./$(BUILD)/bench/bench-alert-store
	./$(BUILD)/bench/agent/bench-sampler
	QT_QPA_PLATFORM=offscreen ./$(BUILD)/bench/gui/bench-gui-frames --hosts 1000 --frames 240
	QT_QPA_PLATFORM=offscreen ./$(BUILD)/bench/gui/bench-metering-chart
	./$(BUILD)/bench/agent/bench-agent-apply 5
	./$(BUILD)/bench/agent/bench-acl-plan 21
	./$(BUILD)/bench/fleet/bench-deploy 20 5
	./$(BUILD)/bench/fleet/bench-deploy 20 5 --host-delay 1000
	./$(BUILD)/bench/wire/bench-wire 5 4
	./$(BUILD)/bench/capture/bench-capture 5 5
	./$(BUILD)/bench/capture/bench-capture-live 20
	./$(BUILD)/bench/capture/bench-dissect
	QT_QPA_PLATFORM=offscreen ./$(BUILD)/bench/capture/bench-capture-gui
	./$(BUILD)/bench/capture/bench-displayfilter

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) build-asan build-fuzz
