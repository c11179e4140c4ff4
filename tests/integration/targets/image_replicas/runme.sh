#!/usr/bin/env bash
set -euo pipefail
source ../setup_emulator/emulator.sh
# Replicas take 2 s: long enough to see them in progress, short enough to wait for.
start_emulator --replication-seconds 2
ANSIBLE_ROLES_PATH=.. ansible-playbook playbook.yml "$@"
