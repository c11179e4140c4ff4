#!/usr/bin/env bash
# ROUNDS rounds; in each, one fresh image in us-east and RUNS ansible-playbook processes started together, each
# adding its own region. Every write is held DELAY seconds before the emulator applies it, so each run reads the
# image before the others' writes land and its write drops what they added: the module must put those back.
set -euo pipefail
source ../setup_emulator/emulator.sh
start_emulator --replication-seconds 30

ROUNDS="${RELIABILITY_ROUNDS:-3}"
REGIONS=(fr-par nl-ams se-sto it-mil ap-south)
DELAY=3
OUT="$(mktemp -d -t reliability-concurrency.XXXXXX)"

for round in $(seq "$ROUNDS"); do
  ansible-playbook prepare.yml -e "round=$round" -e "runs=${#REGIONS[@]}" -e "delay=$DELAY" -e "out=$OUT" "$@"
  image_id="$(cat "$OUT/image-$round")"
  pids=()
  for region in "${REGIONS[@]}"; do
    ansible-playbook run.yml -e "image_id=$image_id" -e "region=$region" -e "result=$OUT/result-$round-$region.json" \
      >"$OUT/run-$round-$region.log" 2>&1 &
    pids+=("$!")
  done
  failed=0
  for pid in "${pids[@]}"; do
    wait "$pid" || failed=$((failed + 1))
  done
  if [ "$failed" -ne 0 ]; then
    cat "$OUT"/run-"$round"-*.log >&2
    echo "round $round: $failed of ${#REGIONS[@]} runs failed" >&2
    exit 1
  fi
  ansible-playbook check.yml -e "round=$round" -e "image_id=$image_id" -e "out=$OUT" \
    -e "{\"asked\": [\"us-east\", $(printf '"%s",' "${REGIONS[@]}" | sed 's/,$//')]}" "$@"
done
