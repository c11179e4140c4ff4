#!/usr/bin/env bash
set -euo pipefail
source ../setup_emulator/emulator.sh
# Replicas take 5 s: long enough that images waited for one after the other would show in the request log.
start_emulator --replication-seconds 5
ANSIBLE_ROLES_PATH=.. ansible-playbook playbook.yml "$@"
