# cloudops.linode: `make demo` runs the main job against the emulator, `make test` runs every test.
# Both create their own virtual environment (.venv) and install what they need.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The controller needs Python >= 3.12 for ansible-core 2.20+: take the first python3.12+ that runs.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 $(HOME)/.pyenv/versions/3.1[234]*/bin/python3.1[234] /usr/bin/python3.12; do \
            $$p -c 'import sys; assert sys.version_info >= (3, 12)' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
BUILD := $(CURDIR)/.build
COLLECTION := $(BUILD)/ansible_collections/cloudops/linode
PYTHONS := $(BUILD)/pythons
# The venv's bin first, then every installed python3.X, so ansible-test finds working interpreters
# rather than unselected pyenv shims.
export PATH := $(BIN):$(PYTHONS):$(PATH)
PY_VERSION = $(shell $(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
ANSIBLE_TEST = cd $(COLLECTION) && $(BIN)/ansible-test

.PHONY: help venv layout demo test sanity units emulator-tests integration clean

# Every suite `make test` runs; the makefiles in mk/ add theirs to this list.
TEST_TARGETS := sanity units emulator-tests integration

help:
	@echo "make demo   replicate an image against the local Linode API emulator (changed, then ok), with diff"
	@echo "make test   every test: sanity, units, emulator, integration, lint"
	@echo "make clean  remove .venv and .build"

$(BIN)/.installed: tests/dev-requirements.txt
	@test -n "$(PYTHON)" || { echo "Python >= 3.12 is needed (python3.12 on PATH or under ~/.pyenv); set PYTHON=/path/to/python3.12" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r tests/dev-requirements.txt
	touch $@

venv: $(BIN)/.installed

layout: venv
	tests/utils/layout_collection.sh $(COLLECTION)
	tests/utils/link_pythons.sh $(PYTHONS)

demo: venv
	$(BIN)/python tests/utils/run_demo.py

sanity: layout
	$(BIN)/python tests/utils/seed_ansible_test_cache.py
	# No --python: the version-specific tests (compile, import) run on every Python found.
	$(ANSIBLE_TEST) sanity --venv --color no

units: layout
	$(BIN)/python tests/utils/seed_ansible_test_cache.py
	$(ANSIBLE_TEST) units --venv --python $(PY_VERSION) --requirements --color no

emulator-tests: venv
	$(BIN)/python -m pytest -p no:cacheprovider -q tests/emulator

integration: layout
	$(ANSIBLE_TEST) integration --venv --python $(PY_VERSION) --requirements --color no

-include mk/*.mk

test: $(TEST_TARGETS)
	@echo "make test: every suite passed ($(TEST_TARGETS))"

clean:
	rm -rf $(VENV) $(BUILD)
