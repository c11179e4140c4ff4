#!/usr/bin/env bash
set -euo pipefail
source ../setup_emulator/emulator.sh
CERTS="$(mktemp -d -t reliability-tls.XXXXXX)"
python make_certs.py "$CERTS"
start_emulator --tls-cert "$CERTS/server.pem" --tls-key "$CERTS/server.key"
case "$LINODE_API_URL" in https://*) ;; *) echo "the emulator did not start with TLS: $LINODE_API_URL" >&2; exit 1;; esac
ansible-playbook playbook.yml -e "ca_file=$CERTS/ca.pem" "$@"
rm -rf "$CERTS"
