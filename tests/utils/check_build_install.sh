#!/usr/bin/env bash
# Build the collection artifact the way a release does, install it the way users do, and run the demo
# playbook from the installed copy against the emulator. Catches files missing from (or leaking into)
# the tarball, which no test run from the source tree can see.
#   usage: check_build_install.sh OUTPUT_DIR      (OUTPUT_DIR receives cloudops-linode-VERSION.tar.gz)
set -euo pipefail
output_dir=${1:?usage: check_build_install.sh OUTPUT_DIR}
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d -t cloudops-linode-install.XXXXXX)
emulator_pid=""
cleanup() {
  [ -n "$emulator_pid" ] && kill -TERM "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "check_build_install: $*" >&2; exit 1; }

# 1. Build from the working tree, as `ansible-galaxy collection build` in a checkout does: galaxy.yml's
#    build_ignore is what keeps virtual environments, test output and caches out.
mkdir -p "$output_dir"
rm -f "$output_dir"/cloudops-linode-*.tar.gz
(cd "$root" && ansible-galaxy collection build --force --output-path "$output_dir" >/dev/null)
tarballs=("$output_dir"/cloudops-linode-*.tar.gz)
[ "${#tarballs[@]}" -eq 1 ] && [ -f "${tarballs[0]}" ] || fail "expected one tarball in $output_dir, found: ${tarballs[*]}"
tarball=${tarballs[0]}

# 2. What users need is in it; what only a developer's checkout has is not.
tar -tzf "$tarball" | sed 's:^\./::; s:/$::' | sort >"$work/members"
for needed in MANIFEST.json FILES.json meta/runtime.yml plugins/modules/image_replicas.py plugins/module_utils/_api.py \
              plugins/doc_fragments/linode.py playbooks/replicate_image.yml \
              meta/execution-environment.yml meta/ee-requirements.txt meta/ee-bindep.txt; do
  grep -qxF "$needed" "$work/members" || fail "$needed is missing from $tarball"
done
grep -q '^roles/[^/]*/tasks/main\.yml$' "$work/members" || fail "$tarball holds no role (roles/*/tasks/main.yml)"
for unwanted in .venv '.venv-[^/]*' .build '.build-[^/]*' tests/output .git .hypothesis .pytest_cache; do
  if grep -E "^(${unwanted})(/|$)" "$work/members" | head -3 | grep -q .; then
    fail "$tarball contains $(grep -E "^(${unwanted})(/|$)" "$work/members" | head -3 | tr '\n' ' ')"
  fi
done
if grep -E '(^|/)__pycache__(/|$)|\.pyc$' "$work/members" | grep -q .; then
  fail "$tarball contains compiled Python files"
fi

# 3. Install it offline into a collections path of its own.
# (ansible-galaxy warns that this path is not configured: intended, it is given to ansible-playbook below.)
ansible-galaxy collection install --offline --no-deps -p "$work/collections" "$tarball" >/dev/null 2>"$work/install.log" \
  || fail "ansible-galaxy could not install $tarball: $(cat "$work/install.log")"
installed="$work/collections/ansible_collections/cloudops/linode"
[ -f "$installed/MANIFEST.json" ] || fail "the install did not create $installed"

# 4. Run the demo playbook from the installed copy only: the one collections path, no site-packages, and
#    a working directory outside the checkout.
python "$root/tests/emulator/linode_emulator.py" --port 0 >"$work/emulator.log" 2>&1 &
emulator_pid=$!
api_url=""
for _ in $(seq 200); do
  api_url=$(sed -n 's/^Linode API emulator listening on //p' "$work/emulator.log")
  [ -n "$api_url" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || break
  sleep 0.05
done
[ -n "$api_url" ] || fail "the emulator did not start: $(cat "$work/emulator.log")"

run_demo() {
  (cd "$work" && env -u LINODE_TOKEN ANSIBLE_COLLECTIONS_PATH="$work/collections" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false \
     LINODE_API_URL="$api_url" LINODE_API_TOKEN=build-check-token ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false \
     ansible-playbook cloudops.linode.replicate_image)
}
found=$(cd "$work" && ANSIBLE_COLLECTIONS_PATH="$work/collections" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false \
        ansible-galaxy collection list cloudops.linode 2>/dev/null | sed -n 's/^# //p')
[ "$found" = "$work/collections/ansible_collections" ] || fail "cloudops.linode is found in '$found', not only in the install"

run_demo >"$work/first.log" || { cat "$work/first.log"; fail "the demo playbook failed from the installed collection"; }
grep -Eq 'localhost +: ok=[0-9]+ +changed=1 .*failed=0' "$work/first.log" || { cat "$work/first.log"; fail "the first run did not change the image"; }
run_demo >"$work/second.log" || { cat "$work/second.log"; fail "the second demo run failed"; }
grep -Eq 'localhost +: ok=[0-9]+ +changed=0 .*failed=0' "$work/second.log" || { cat "$work/second.log"; fail "the second run was not idempotent"; }

# 5. The writes reached the emulator: one replicate request for the demo's default image, in all.
posts=$(python - "$api_url" <<'PY'
import json, sys, urllib.request
log = json.load(urllib.request.urlopen(sys.argv[1] + "/__emulator/requests"))["requests"]
print(" ".join(entry["path"] for entry in log if entry["method"] == "POST"))
PY
)
[ "$posts" = "/v4/images/private/12345/regions" ] || fail "expected one POST /v4/images/private/12345/regions, the emulator logged: '$posts'"
echo "check_build_install: $(basename "$tarball") has what it needs, installs offline, and its demo playbook ran changed then ok"
