#!/usr/bin/env bash
# Copy the collection's files (what git tracks, plus new files git does not ignore) to DEST, a path
# ending in ansible_collections/cloudops/linode, as ansible-test and ansible-galaxy need it.
# A copy, not a symlink: ansible-test resolves the working directory to its real path.
set -euo pipefail
dest=${1:?usage: layout_collection.sh DEST}
case "$dest" in */ansible_collections/cloudops/linode) ;; *) echo "DEST must end in ansible_collections/cloudops/linode" >&2; exit 2 ;; esac
root=$(git rev-parse --show-toplevel)
cd "$root"
# Keep ansible-test's output folder between runs; replace everything else.
if [ -d "$dest" ]; then
  find "$dest" -mindepth 1 -maxdepth 1 ! -name tests ! -name .git -exec rm -rf {} +
  find "$dest/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} + 2>/dev/null || true
fi
mkdir -p "$dest"
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' path; do [ -e "$path" ] && printf '%s\0' "$path"; done \
  | tar --null -T - -cf - | tar -xf - -C "$dest"
# The copy sits inside this repository's ignored .build folder, where ansible-test would find the outer
# repository and see no files; a repository of its own gives it the file list to test.
cd "$dest"
[ -d .git ] || git init -q .
git add -A .
