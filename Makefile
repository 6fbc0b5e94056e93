# dca-backtest: the two set-up commands of the README, install, and the benchmark targets.
SWIFT ?= swift
BIN := .build/debug/dca-backtest
PREFIX ?= /usr/local
SAMPLE := datasets/BTCUSDT-1m-2020-01-01.zip datasets/BTCUSDT-1m-2020-01-02.zip

.PHONY: all deps build release install uninstall backtest test cluster-test bench bench-check bench-allocations bench-thresholds clean

all: backtest

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build --product dca-backtest

## An optimised build of the tool alone: .build/release/dca-backtest.
release: deps
	$(SWIFT) build -c release --product dca-backtest

## Installs the optimised tool as $(PREFIX)/bin/dca-backtest (PREFIX=/usr/local unless given;
## e.g. make install PREFIX=$$HOME/.local).
install: release
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -m 0755 "$$($(SWIFT) build -c release --show-bin-path)/dca-backtest" "$(DESTDIR)$(PREFIX)/bin/dca-backtest"
	@echo "Installed $(DESTDIR)$(PREFIX)/bin/dca-backtest"

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/bin/dca-backtest"

## The main job: a real backtest of the bundled Binance sample, stored in reports/backtests.sqlite
## with a report folder under reports/.
backtest: build
	$(BIN) run --config datasets/btc-1m-ladder.json --data $(SAMPLE)

## Every test (Swift Testing and XCTest). Tests over the large data sets (not in the repository; CI provides them) skip, saying so, without them.
test: deps
	$(SWIFT) test

## A real one-node Slurm on localhost runs deploy/slurm-sweep.sh as a job array; the merged shards must
## equal the same sweep run locally (needs root: it installs slurm-wlm and munge and starts their daemons).
cluster-test: deps
	scripts/cluster-test.sh

## Every benchmark suite, release build (package-benchmark). The benchmarks are a package of their
## own in Benchmarks/, so the tool's build and tests never build package-benchmark.
bench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

## Compare against the committed thresholds in Benchmarks/Thresholds; fails on a regression.
bench-check: deps
	scripts/bench-check.sh

## The deterministic gate CI runs: the per-candle engine loop allocates nothing.
bench-allocations: deps
	scripts/bench-check.sh allocations

## Record the current figures as the new thresholds (after an intended change).
bench-thresholds: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark thresholds update --path Thresholds --target EngineBenchmarks

clean:
	rm -rf .build Benchmarks/.build reports/*/ reports/*.sqlite*
