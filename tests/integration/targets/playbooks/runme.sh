#!/usr/bin/env bash
set -euo pipefail
source ../setup_emulator/emulator.sh
# Replicas take 60 s, so the states the test reads (pending deletion, pending replication) hold still.
start_emulator --replication-seconds 60
ANSIBLE_ROLES_PATH=.. ansible-playbook playbook.yml -e "work_dir=${OUTPUT_DIR:-$(mktemp -d)}" "$@"
