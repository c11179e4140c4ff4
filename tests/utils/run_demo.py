"""`make demo`: replicate an image against the local Linode API emulator, twice, with --diff.

Starts tests/emulator/linode_emulator.py on a free loopback port, runs playbooks/replicate_image.yml
against it (first run changed, with the diff; second run ok), prints where the image now lives and
stops the emulator. Nothing here can reach the real Linode API.
"""
from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
EMULATOR = ROOT / 'tests' / 'emulator' / 'linode_emulator.py'
PLAYBOOK = ROOT / 'playbooks' / 'replicate_image.yml'
IMAGE_ID = 'private/12345'
REGIONS = ['us-east', 'fr-par', 'ap-south']
READY = re.compile(r'Linode API emulator listening on (\S+)')


def collections_path() -> pathlib.Path:
    """A collections path whose ansible_collections/cloudops/linode is this working tree."""
    path = ROOT / '.build' / 'demo-collections'
    link = path / 'ansible_collections' / 'cloudops' / 'linode'
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.is_symlink():
        link.symlink_to(ROOT, target_is_directory=True)
    return path


def start_emulator() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(  # pylint: disable=consider-using-with  # stopped in main()'s finally
        [sys.executable, str(EMULATOR), '--port', '0', '--replication-seconds', '3'],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in process.stdout:
        match = READY.search(line)
        if match:
            return process, match.group(1)
    sys.exit(f'The emulator did not start (exit code {process.wait()}).')


def run_playbook(env: dict[str, str], title: str) -> str:
    print(f'\n===== {title} =====', flush=True)
    command = [str(pathlib.Path(sys.executable).parent / 'ansible-playbook'), str(PLAYBOOK), '--diff',
               '-e', json.dumps({'linode_image_id': IMAGE_ID, 'linode_regions': REGIONS, 'linode_wait': True})]
    completed = subprocess.run(command, env=env, text=True, capture_output=True, check=False)
    print(completed.stdout, end='')
    print(completed.stderr, end='', file=sys.stderr)
    if completed.returncode:
        sys.exit(f'ansible-playbook failed with exit code {completed.returncode}')
    return completed.stdout


def changed_count(output: str) -> int:
    match = re.search(r'localhost\s*:\s*ok=\d+\s+changed=(\d+)', output)
    if not match:
        sys.exit('No PLAY RECAP for localhost in the output.')
    return int(match.group(1))


def where_image_lives(url: str) -> str:
    request = urllib.request.Request(f'{url}/v4/images/{IMAGE_ID}', headers={'Authorization': 'Bearer demo-token-not-secret'})
    with urllib.request.urlopen(request, timeout=10) as answer:
        image = json.load(answer)
    return ', '.join(f"{entry['region']} ({entry['status']})" for entry in sorted(image['regions'], key=lambda e: e['region']))


def count_requests(url: str) -> str:
    with urllib.request.urlopen(f'{url}/__emulator/requests', timeout=10) as answer:
        methods = [entry['method'] for entry in json.load(answer)['requests']]
    return ', '.join(f'{methods.count(method)} {method}' for method in sorted(set(methods)))


def main() -> None:
    emulator, url = start_emulator()
    try:
        with tempfile.TemporaryDirectory() as home:
            env = dict(os.environ, LINODE_API_URL=url, LINODE_API_TOKEN='demo-token-not-secret', ANSIBLE_HOME=home,
                       ANSIBLE_COLLECTIONS_PATH=str(collections_path()), ANSIBLE_LOCALHOST_WARNING='false',
                       ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
            print(f'Linode API emulator at {url}; replicating {IMAGE_ID} to {", ".join(REGIONS)}')
            first = run_playbook(env, 'First run: replicates (changed, with diff)')
            second = run_playbook(env, 'Second run: nothing to do (ok)')
        if (changed_count(first), changed_count(second)) != (1, 0):
            sys.exit('Expected the first run to change the image and the second to change nothing.')
        calls = count_requests(url)
        print(f'\n{IMAGE_ID} now lives in: {where_image_lives(url)}')
        print(f'API calls over both runs, from the emulator\'s request log: {calls}')
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)


if __name__ == '__main__':
    main()
