#!/usr/bin/env bash
set -euo pipefail
source ../setup_emulator/emulator.sh
start_emulator --replication-seconds 2
ansible-playbook playbook.yml "$@"
