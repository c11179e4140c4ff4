#!/usr/bin/env bash
# Put every installed CPython 3.x as pythonX.Y in DIR, for ansible-test's multi-version sanity tests.
# pyenv's shims answer "command not found" for versions that are installed but not selected, and
# ansible-test does not pass PYENV_VERSION on, so it gets real paths instead.
set -euo pipefail
dir=${1:?usage: link_pythons.sh DIR}
mkdir -p "$dir"
for candidate in "${HOME}"/.pyenv/versions/3.*/bin/python3.* /usr/bin/python3.* /usr/local/bin/python3.*; do
  name=$(basename "$candidate")
  [[ "$name" =~ ^python3\.[0-9]+$ ]] || continue
  [ -e "$dir/$name" ] && continue
  "$candidate" -c 'import sys' >/dev/null 2>&1 && ln -sfn "$candidate" "$dir/$name"
done
