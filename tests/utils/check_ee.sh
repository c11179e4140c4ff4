#!/usr/bin/env bash
# Check that an execution environment built from examples/execution-environment.yml gets the collection's
# dependencies, without a container runtime and without fetching anything:
#  1. `ansible-builder create` turns the example definition into a build context. Builder 3 resolves
#     collection dependencies only inside the image build, so the context holds no requirements.txt for
#     them; what it holds is the galaxy requirements and a Containerfile that installs them and then runs
#     _build/scripts/introspect.py over the installed collections.
#  2. The galaxy and builder stages are replayed here: the same requirements file installs the locally built
#     tarball (type: file, not Galaxy), and the context's own introspect.py, with the arguments the
#     Containerfile gives it, writes the pip and bindep lists the image would install.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
work=$(mktemp -d -t cloudops-linode-ee.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "check_ee: $*" >&2; exit 1; }

(cd "$root" && ansible-galaxy collection build --force --output-path "$work/dist" >/dev/null)
tarball=$(echo "$work"/dist/cloudops-linode-*.tar.gz)
[ -f "$tarball" ] || fail "no tarball was built"

# The example definition as shipped; only where the collection comes from differs (the local tarball).
mkdir "$work/ee"
cp "$root/examples/execution-environment.yml" "$work/ee/"
galaxy_requirements=$(sed -n 's/^  galaxy: *//p' "$root/examples/execution-environment.yml")
[ -n "$galaxy_requirements" ] || fail "examples/execution-environment.yml names no galaxy requirements file"
printf -- '---\ncollections:\n  - name: %s\n    type: file\n' "$tarball" >"$work/ee/$galaxy_requirements"
(cd "$work/ee" && ansible-builder create -f execution-environment.yml -c context >"$work/create.log" 2>&1) \
  || fail "ansible-builder create failed: $(cat "$work/create.log")"

context="$work/ee/context"
# Containerfile for podman, Dockerfile when builder's container runtime is docker.
containerfile=""
for candidate in "$context/Containerfile" "$context/Dockerfile"; do
  [ -f "$candidate" ] && containerfile=$candidate && break
done
[ -n "$containerfile" ] || fail "no Containerfile or Dockerfile in the build context"
cmp -s "$work/ee/$galaxy_requirements" "$context/_build/requirements.yml" \
  || fail "the context's _build/requirements.yml is not the definition's galaxy requirements"
grep -q 'ansible-galaxy collection install .*-r requirements.yml --collections-path "/usr/share/ansible/collections"' "$containerfile" \
  || fail "$containerfile does not install the galaxy requirements into /usr/share/ansible/collections"
# shellcheck disable=SC2016  # $PYCMD is the Containerfile's, matched literally
introspect_arguments=$(sed -n 's:^RUN $PYCMD /output/scripts/introspect.py \(introspect .*\)$:\1:p' "$containerfile")
[ "$introspect_arguments" = "introspect --write-bindep=/tmp/src/bindep.txt --write-pip=/tmp/src/requirements.txt" ] \
  || fail "$containerfile runs introspect.py differently than this check replays it: '$introspect_arguments'"
grep -q 'ansible-core>=2.17.0' "$containerfile" || fail "$containerfile does not install ansible-core>=2.17.0"

# Galaxy stage: the requirements file from the context, offline.
(cd "$context/_build" && ansible-galaxy collection install --offline --no-deps -r requirements.yml -p "$work/share/collections" >/dev/null 2>&1) \
  || fail "the context's requirements.yml does not install"
# Builder stage: introspect.py over the installed collections, writing where the Containerfile's assemble step reads.
mkdir -p "$work/src"
python "$context/_build/scripts/introspect.py" introspect "$work/share/collections" \
  --write-bindep="$work/src/bindep.txt" --write-pip="$work/src/requirements.txt" >"$work/introspect.log"

grep -qx 'requests>=2.20  # from collection cloudops.linode' "$work/src/requirements.txt" \
  || fail "the image's pip requirements lack requests from cloudops.linode: $(cat "$work/src/requirements.txt" 2>/dev/null)"
grep -qx 'ca-certificates \[platform:rpm\]  # from collection cloudops.linode' "$work/src/bindep.txt" \
  || fail "the image's bindep requirements lack ca-certificates from cloudops.linode: $(cat "$work/src/bindep.txt" 2>/dev/null)"
listed() { sed -n 's/  # from collection cloudops.linode$//p' "$1" | paste -sd, -; }
echo "check_ee: an image built from examples/execution-environment.yml gets pip: $(listed "$work/src/requirements.txt"); bindep: $(listed "$work/src/bindep.txt")"
