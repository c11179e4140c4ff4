# shellcheck shell=bash
# Sourced by the runme.sh of every target that talks to the Linode API: `start_emulator [FLAGS...]`
# starts tests/emulator/linode_emulator.py on a free loopback port for that target alone, points the
# modules at it through LINODE_API_URL / LINODE_API_TOKEN, and stops it when the target's script exits.

# ansible-test runs targets from a copy of tests/integration; the collection itself is on ANSIBLE_COLLECTIONS_PATH.
EMULATOR_SCRIPT="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/cloudops/linode/tests/emulator/linode_emulator.py"
# Distinctive, so that the token-hygiene checks can grep every output for it.
export LINODE_API_TOKEN="${LINODE_API_TOKEN:-itest-token-7c1d93e2b5}"

start_emulator() {
  EMULATOR_LOG="$(mktemp -t linode-emulator.XXXXXX)"
  python "$EMULATOR_SCRIPT" --port 0 "$@" >"$EMULATOR_LOG" 2>&1 &
  EMULATOR_PID=$!
  trap stop_emulator EXIT
  local line="" _
  for _ in $(seq 200); do
    line="$(grep -m1 'Linode API emulator listening on' "$EMULATOR_LOG" || true)"
    [ -n "$line" ] && break
    kill -0 "$EMULATOR_PID" 2>/dev/null || break
    sleep 0.05
  done
  if [ -z "$line" ]; then
    echo "The emulator did not start:" >&2
    cat "$EMULATOR_LOG" >&2
    exit 1
  fi
  export LINODE_API_URL="${line##* on }"
  export EMULATOR_URL="$LINODE_API_URL"
}

stop_emulator() {
  if [ -n "${EMULATOR_PID:-}" ]; then
    kill -TERM "$EMULATOR_PID" 2>/dev/null || true
    wait "$EMULATOR_PID" 2>/dev/null || true
    EMULATOR_PID=""
  fi
}
