# The two commands of the README. Everything they need is installed by scripts/install-deps.
#   make run   — build the release binary and the web UI, set up the demo once (with 20,000
#                demo cases), serve on http://127.0.0.1:8080
#   make test  — build the dev preset (Debug + ASan + UBSan) and run every test, SQLite and
#                PostgreSQL (a throw-away cluster on loopback, started and stopped by the run)
#   make fuzz  — (not part of the contract) the fuzz targets under libFuzzer for a while
#   make tsan  — (not part of the contract) every test again under ThreadSanitizer
SHELL := /bin/bash
JOBS ?= $(shell nproc)
DEMO_CASES ?= 20000

.PHONY: run test deps release dev web bench fuzz tsan format clean

run: deps release web
	build/release/jiceng demo --cases $(DEMO_CASES)
	exec build/release/jiceng serve

test: deps dev web
	scripts/with-pg ctest --preset dev -j $(JOBS)

deps:
	@scripts/install-deps

release:
	@cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)

dev:
	@cmake --preset dev >/dev/null
	cmake --build --preset dev -j $(JOBS)

# The web UI, served by `jiceng serve` from web/dist (server.web_root); rebuilt when a source
# changed.
WEB_SOURCES := $(shell find web/src web/public web/index.html web/package-lock.json \
                 web/vite.config.ts web/tsconfig.json -type f 2>/dev/null)
web: deps web/dist/index.html

web/dist/index.html: $(WEB_SOURCES)
	npm --prefix web run build

bench: deps release
	bench/run $(BENCH_ARGS)

# The fuzz targets under libFuzzer (clang), FUZZ_SECONDS each (fuzz/README.md).
fuzz: deps
	@cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j $(JOBS)
	scripts/fuzz

# Every test under ThreadSanitizer (the tsan preset; scripts/tsan): a separate build, about
# 12 minutes on two CPUs, and 11 of tests. Not in make test, for CI's time.
tsan: deps web
	@cmake --preset tsan >/dev/null
	cmake --build --preset tsan -j $(JOBS)
	scripts/with-pg scripts/tsan

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf build
