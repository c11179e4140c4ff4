# `make bench` measures API calls and timings against the emulator and writes docs/benchmarks.md (a few minutes;
# not part of `make test`: it asserts nothing, it records). `make bench-smoke` runs the same harness at tiny
# sizes into a throw-away file, to show it still works end to end.
BENCH_ARGS ?=

# About 30 s on an idle 2-core machine (90 s under heavy load); it fails only if a playbook of the harness
# fails, never on a time.
TEST_TARGETS += bench-smoke

.PHONY: bench bench-smoke

bench: venv
	$(BIN)/python tests/bench/bench.py --output docs/benchmarks.md $(BENCH_ARGS)

bench-smoke: venv
	$(BIN)/python tests/bench/bench.py --smoke --output $(BUILD)/bench-smoke.md
