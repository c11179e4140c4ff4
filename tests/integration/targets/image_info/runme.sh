#!/usr/bin/env bash
set -euo pipefail
source ../setup_emulator/emulator.sh
start_emulator
ANSIBLE_ROLES_PATH=.. ansible-playbook playbook.yml "$@"
