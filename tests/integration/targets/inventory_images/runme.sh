#!/usr/bin/env bash
# The cloudops.linode.images inventory plugin against the emulator: ansible-inventory --list (groups, host
# variables, one listing, caching), then playbooks/replicate_by_inventory.yml replicating a group of images
# in parallel, converged and idempotent.
set -euo pipefail
source ../setup_emulator/emulator.sh
# Replicas stay in progress and removed ones in pending deletion for the whole test.
start_emulator --replication-seconds 120

collection_root="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/cloudops/linode"
work="$(mktemp -d -t inventory-images.XXXXXX)"
mkdir -p "$work/inventory"
cat >"$work/inventory/itest.linode_images.yml" <<'YAML'
plugin: cloudops.linode.images
labels:
  - itest-inv-*
keyed_groups:
  - key: linode_image_tags
    prefix: tag
YAML
cat >"$work/cached.linode_images.yml" <<YAML
plugin: cloudops.linode.images
labels:
  - itest-inv-*
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: $work/cache
YAML

# Nothing any step prints may show the token.
check_no_token() {
  if grep -qF "$LINODE_API_TOKEN" "$@"; then
    echo "The API token appears in $*" >&2
    exit 1
  fi
}

step() {
  ansible-playbook step.yml -e "step=$1" -e "work=$work" "${@:2}" | tee "$work/step.out"
  check_no_token "$work/step.out"
}

# ansible-inventory marks strings that came from the API as unsafe ({"__ansible_unsafe": ...}); unwrap them for the asserts.
list_inventory() {
  ansible-inventory -i "$1" --list "${@:3}" >"$work/raw.json"
  check_no_token "$work/raw.json"
  python - "$work/raw.json" "$2" <<'PY'
import json, sys
def plain(value):
    if isinstance(value, dict):
        return value["__ansible_unsafe"] if set(value) == {"__ansible_unsafe"} else {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
with open(sys.argv[1]) as raw, open(sys.argv[2], "w") as out:
    json.dump(plain(json.load(raw)), out)
PY
}

step setup "$@"

list_inventory "$work/inventory/itest.linode_images.yml" "$work/inventory.json"
step inventory "$@"

list_inventory "$work/cached.linode_images.yml" "$work/cached1.json"
list_inventory "$work/cached.linode_images.yml" "$work/cached2.json"
# ansible-inventory of ansible-core 2.17 has no --flush-cache: refresh through ansible-playbook, whose
# inventory is parsed (and listed once more) before the step reads the request log.
step cache -i "$work/cached.linode_images.yml" --flush-cache "$@"

replicate() {
  ansible-playbook -i "$work/inventory/itest.linode_images.yml" "$collection_root/playbooks/replicate_by_inventory.yml" \
    --forks 10 -e '{"linode_regions": ["fr-par", "nl-ams"]}' "$@" | tee "$work/replicate.out"
  check_no_token "$work/replicate.out"
}

replicate "$@"
step replicated "$@"

replicate "$@"
grep -q 'changed=0' "$work/replicate.out"
if grep -E 'changed=[1-9]' "$work/replicate.out"; then
  echo "The second run changed something" >&2
  exit 1
fi
step idempotent "$@"

# Without linode_regions the playbook stops before any request.
step clear "$@"
if ansible-playbook -i "$work/inventory/itest.linode_images.yml" "$collection_root/playbooks/replicate_by_inventory.yml" \
    >"$work/missing.out" 2>&1; then
  echo "The playbook ran without linode_regions" >&2
  exit 1
fi
grep -q 'Set linode_regions to a list of region ids' "$work/missing.out"
step no_write "$@"
