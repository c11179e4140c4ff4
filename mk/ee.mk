# The execution environment: `ansible-builder create` on examples/execution-environment.yml, then the image
# build's galaxy and introspection stages replayed offline, to show the image gets the collection's
# dependencies from meta/execution-environment.yml (no container runtime needed).
TEST_TARGETS += ee

.PHONY: ee

ee: venv
	tests/utils/check_ee.sh
