# `make docs` renders the reference of every module, plugin and role from their own documentation (antsibull-docs,
# RST) into .build/docs. The docs-lint suite checks that documentation (schema, markup, references) and that the
# relative links of the Markdown guides point at files that exist.
DOCS_DIR := $(BUILD)/docs
# antsibull-docs runs ansible-doc on the laid-out copy, which `layout` puts under $(BUILD)/ansible_collections.
DOCS_ENV := ANSIBLE_COLLECTIONS_PATH=$(BUILD)

TEST_TARGETS += docs-lint

.PHONY: docs docs-lint

docs: layout
	rm -rf $(DOCS_DIR)
	mkdir -p $(DOCS_DIR)
	$(DOCS_ENV) $(BIN)/antsibull-docs collection --use-current --dest-dir $(DOCS_DIR) cloudops.linode
	@echo "Reference written to $(DOCS_DIR)/collections/cloudops/linode/ (index.rst)"

docs-lint: layout
	cd $(COLLECTION) && $(DOCS_ENV) $(BIN)/antsibull-docs lint-collection-docs --plugin-docs .
	$(BIN)/python -c "$$DOCS_LINK_CHECK" README.md docs/*.md roles/*/README.md

# Every relative Markdown link [text](path#anchor) resolves to an existing file (anchors are not checked).
define DOCS_LINK_CHECK
import os, re, sys
broken = []
for page in sys.argv[1:]:
    for target in re.findall(r"\]\(([^)\s]+)\)", open(page, encoding="utf-8").read()):
        path = target.split("#", 1)[0]
        if path and "://" not in path and not path.startswith("mailto:") and not os.path.exists(os.path.join(os.path.dirname(page), path)):
            broken.append("%s: %s" % (page, target))
if broken:
    sys.exit("Broken links:\n" + "\n".join(broken))
print("docs links: %d pages checked" % len(sys.argv[1:]))
endef
export DOCS_LINK_CHECK
