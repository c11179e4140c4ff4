#!/usr/bin/env bash
# The API options reach the modules through module_defaults alone: the emulator accepts only this run's
# token, and neither the URL nor the token is left in the environment the modules read.
set -euo pipefail
source ../setup_emulator/emulator.sh
start_emulator --token "$LINODE_API_TOKEN"

defaults_file="$(mktemp -t module-defaults.XXXXXX)"
trap 'rm -f "$defaults_file"; stop_emulator' EXIT
# A file, not -e on the command line, so the token is in no process listing.
api_token="$LINODE_API_TOKEN"
printf 'linode_api_url: "%s"\nlinode_api_token: "%s"\n' "$LINODE_API_URL" "$api_token" >"$defaults_file"
unset LINODE_API_URL LINODE_API_TOKEN LINODE_TOKEN

ansible-playbook playbook.yml -e @"$defaults_file" "$@" | tee "$OUTPUT_DIR/module_defaults_group.log"
if grep -Fq "$api_token" "$OUTPUT_DIR/module_defaults_group.log"; then
  echo "The API token appears in the playbook output" >&2
  exit 1
fi
