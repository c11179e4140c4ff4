# `make bench` measures API calls and timings against the emulator and writes docs/benchmarks.md (a few minutes;
# not part of `make test`: it asserts nothing, it records). `make bench-smoke` runs the same harness at tiny
# sizes into a throw-away file, to show it still works end to end.
BENCH_ARGS ?=

.PHONY: bench bench-smoke

bench: venv
	$(BIN)/python tests/bench/bench.py --output docs/benchmarks.md $(BENCH_ARGS)

bench-smoke: venv
	$(BIN)/python tests/bench/bench.py --smoke --output $(BUILD)/bench-smoke.md
