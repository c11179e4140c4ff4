# ansible-lint (production profile) on the roles, playbooks and examples, from the laid-out collection so
# that cloudops.linode.* modules, filters and roles resolve; offline (.ansible-lint) and without its online
# self-update check. --strict: warnings fail too. A needed exception goes in .ansible-lint-ignore with a reason.
TEST_TARGETS += lint

.PHONY: lint
lint: layout
	cd $(COLLECTION) && ANSIBLE_LINT_SKIP_VERSION_CHECK=1 ANSIBLE_COLLECTIONS_PATH=$(BUILD) \
	  $(BIN)/ansible-lint --offline --strict
