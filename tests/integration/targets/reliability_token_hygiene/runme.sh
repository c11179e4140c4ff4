#!/usr/bin/env bash
# Runs succeeding and failing tasks with -vvv --diff against emulators that accept only known tokens, keeps every
# byte of output (stdout and stderr of ansible-playbook, the emulator's request log, the emulator's own
# stdout/stderr), then checks that no token appears anywhere in it.
set -euo pipefail
source ../setup_emulator/emulator.sh

OUT="$(mktemp -d -t reliability-token.XXXXXX)"
GOOD_TOKEN="$LINODE_API_TOKEN"
export WRONG_TOKEN="wrong-token-4f0e8a61c2d9"
export READ_ONLY_TOKEN="ro-token-b83d27c5e119"
export SPACED_TOKEN="spaced token-90ac1e77"

save_emulator_logs() {
  python - "$EMULATOR_URL" >"$OUT/requests-$1.json" <<'PY'
import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1] + "/__emulator/requests").read().decode())
PY
  cp "$EMULATOR_LOG" "$OUT/emulator-$1.log"
}

# 1. An emulator that accepts only GOOD_TOKEN: success, check mode, API errors, faults, a 401, a refused token.
start_emulator --token "$GOOD_TOKEN" --replication-seconds 1
ansible-playbook -vvv --diff read_write.yml "$@" >"$OUT/read_write.log" 2>&1 || { cat "$OUT/read_write.log"; exit 1; }
save_emulator_logs read_write
stop_emulator

# 2. An emulator where the only token is read-only: a write is refused with 403.
LINODE_API_TOKEN="$READ_ONLY_TOKEN" start_emulator --token "$READ_ONLY_TOKEN:read_only"
LINODE_API_TOKEN="$READ_ONLY_TOKEN" ansible-playbook -vvv --diff read_only.yml "$@" >"$OUT/read_only.log" 2>&1 \
  || { cat "$OUT/read_only.log"; exit 1; }
save_emulator_logs read_only
stop_emulator

# 3. No token at all.
env -u LINODE_API_TOKEN -u LINODE_TOKEN ansible-playbook -vvv --diff missing.yml "$@" >"$OUT/missing.log" 2>&1 \
  || { cat "$OUT/missing.log"; exit 1; }

# The check must be able to fail: the secrets are findable where they were put on purpose.
printf '%s\n' "$GOOD_TOKEN" "$WRONG_TOKEN" "$READ_ONLY_TOKEN" "$SPACED_TOKEN" >"$OUT.control"
for secret in "$GOOD_TOKEN" "$WRONG_TOKEN" "$READ_ONLY_TOKEN" "$SPACED_TOKEN"; do
  grep -qF -- "$secret" "$OUT.control"
done
rm -f "$OUT.control"

# Each run really happened and ran verbose: the outputs are not empty and show module invocations.
for log in read_write read_only missing; do
  grep -q 'PLAY RECAP' "$OUT/$log.log"
  grep -q 'ESTABLISH LOCAL CONNECTION' "$OUT/$log.log"  # -vvv really was on
done
grep -q '"method":"POST"' "$OUT/requests-read_write.json"

leaks=0
for secret in "$GOOD_TOKEN" "$WRONG_TOKEN" "$READ_ONLY_TOKEN" "$SPACED_TOKEN" "${SPACED_TOKEN#* }"; do
  if grep -rlF -- "$secret" "$OUT"; then
    echo "LEAK: a token appears in the files above" >&2
    leaks=$((leaks + 1))
  fi
done
[ "$leaks" -eq 0 ]
echo "token hygiene: $(cat "$OUT"/*.log "$OUT"/*.json | wc -c) bytes of output and logs checked, no token found"
rm -rf "$OUT"
