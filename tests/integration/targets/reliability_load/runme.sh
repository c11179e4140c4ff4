#!/usr/bin/env bash
# One playbook over IMAGES hosts (one image each, ansible_connection local) with forks 10, against an emulator
# that allows RATE requests per second per token: the runs collide with the limit, wait what Retry-After says
# and still converge with the minimum of requests per image.
set -euo pipefail
source ../setup_emulator/emulator.sh
IMAGES="${RELIABILITY_LOAD_IMAGES:-50}"
# 4/s: well under what 10 forks ask for, so many calls meet a 429; rate limiting has its own retry budget in
# the transport (not max_retries), so every call still gets through (docs/reliability.md).
RATE="${RELIABILITY_LOAD_RATE:-4}"
start_emulator --rate-limit "$RATE" --replication-seconds 60

INVENTORY="$(mktemp -t reliability-load.XXXXXX.yml)"
python - "$EMULATOR_URL" "$IMAGES" "$INVENTORY" <<'PY'
import json, sys, urllib.request
url, count, inventory = sys.argv[1], int(sys.argv[2]), sys.argv[3]
hosts = {}
for number in range(1, count + 1):
    image_id = "private/%d" % (70000 + number)
    body = json.dumps({"id": image_id, "label": "load-%02d" % number, "size": 100, "regions": ["us-east"]}).encode()
    request = urllib.request.Request(url + "/__emulator/images", data=body, method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request).read()
    hosts["image-%02d" % number] = {"image_id": image_id}
with open(inventory, "w") as handle:
    json.dump({"images": {"hosts": hosts, "vars": {"ansible_connection": "local",
                                                   "ansible_python_interpreter": "{{ ansible_playbook_python }}"}}}, handle)
urllib.request.urlopen(urllib.request.Request(url + "/__emulator/requests", method="DELETE")).read()
PY
ansible-playbook -i "$INVENTORY" --forks 10 replicate.yml "$@"
ansible-playbook -i "$INVENTORY" check.yml -e "images=$IMAGES" -e "rate=$RATE" "$@"
rm -f "$INVENTORY"
