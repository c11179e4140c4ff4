#!/usr/bin/env bash
set -euo pipefail
source ../setup_emulator/emulator.sh
start_emulator --replication-seconds 2
ANSIBLE_ROLES_PATH=../../../../roles ansible-playbook playbook.yml "$@"
