# The oldest ansible-core the collection supports (requires_ansible in meta/runtime.yml), on the Python it is
# tested with there. `make test` already covers the newest through .venv; `make oldest` repeats the unit and
# integration tests on the oldest, in a virtual environment and collection copy of its own.
OLDEST_CORE := 2.17
OLDEST_CORE_REQUIREMENT := ansible-core>=2.17,<2.18
OLDEST_PY_VERSION := 3.11
OLDEST_PYTHON ?= $(shell for p in python3.11 $(HOME)/.pyenv/versions/3.11.*/bin/python3.11; do \
                   $$p -c 'import sys; assert sys.version_info[:2] == (3, 11)' >/dev/null 2>&1 && { echo $$p; break; }; done)
OLDEST_VENV := $(CURDIR)/.venv-$(OLDEST_CORE)
OLDEST_COLLECTION := $(CURDIR)/.build-$(OLDEST_CORE)/ansible_collections/cloudops/linode
# Its own bin first, so ansible-test (and the python3.11 it looks for) come from the oldest venv, not .venv.
OLDEST_ENV := PATH=$(OLDEST_VENV)/bin:$(PATH)
OLDEST_TEST = cd $(OLDEST_COLLECTION) && $(OLDEST_ENV) $(OLDEST_VENV)/bin/ansible-test

TEST_TARGETS += oldest

.PHONY: oldest oldest-units oldest-integration oldest-layout

$(OLDEST_VENV)/.installed: mk/versions.mk
	@test -n "$(OLDEST_PYTHON)" || { echo "Python $(OLDEST_PY_VERSION) is needed for the ansible-core $(OLDEST_CORE) tests; set OLDEST_PYTHON=/path/to/python$(OLDEST_PY_VERSION)" >&2; exit 1; }
	rm -rf $(OLDEST_VENV)
	$(OLDEST_PYTHON) -m venv $(OLDEST_VENV)
	$(OLDEST_VENV)/bin/python -m pip install --quiet --disable-pip-version-check '$(OLDEST_CORE_REQUIREMENT)'
	touch $@

# ansible-test pins the pip version it bootstraps, and each release a different one: seed the one this release wants.
oldest-layout: $(OLDEST_VENV)/.installed
	tests/utils/layout_collection.sh $(OLDEST_COLLECTION)
	$(OLDEST_VENV)/bin/python tests/utils/seed_ansible_test_cache.py

oldest-units: oldest-layout
	$(OLDEST_TEST) units --venv --python $(OLDEST_PY_VERSION) --requirements --color no

oldest-integration: oldest-layout
	$(OLDEST_TEST) integration --venv --python $(OLDEST_PY_VERSION) --requirements --color no

oldest: oldest-units oldest-integration
	@echo "ansible-core $$($(OLDEST_VENV)/bin/python -c 'import ansible; print(ansible.__version__)') on Python $(OLDEST_PY_VERSION): units and integration passed"
