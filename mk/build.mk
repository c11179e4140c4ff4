# `make build` makes the release artifact .build/dist/cloudops-linode-VERSION.tar.gz; the build-install suite
# checks its contents, installs it offline into a throw-away collections path, and runs the demo playbook
# from that installed copy against the emulator.
DIST := $(BUILD)/dist

TEST_TARGETS += build-install

.PHONY: build build-install

build: venv
	$(BIN)/ansible-galaxy collection build --force --output-path $(DIST)

build-install: venv
	tests/utils/check_build_install.sh $(DIST)
