# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""image_replicas under faults, end to end through the real LinodeClient and the in-process emulator.

The module builds its client with the default retry_after_cap (60 s), which is no module option; these tests
give the client a 1 s cap instead, so that a capped Retry-After can be proven in a second rather than a minute.
"""

from __future__ import annotations

import functools
import os
import sys

import pytest

from ansible_collections.cloudops.linode.plugins.module_utils import _api, _base
from ansible_collections.cloudops.linode.plugins.modules import image_replicas

EMULATOR_DIR = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'emulator')
sys.path.insert(0, os.path.abspath(EMULATOR_DIR))
linode_emulator = pytest.importorskip('linode_emulator')

TOKEN = 'unit-reliability-token-5be1'


@pytest.fixture
def emulator():
    running = linode_emulator.start_emulator(replication_seconds=30)
    yield running
    running.stop()


@pytest.fixture
def real_client(monkeypatch, fake_api):
    """Undo fake_api's FakeClient: the real transport, with a 1 s Retry-After cap and quick backoff."""
    monkeypatch.setattr(_base, 'LinodeClient', functools.partial(_api.LinodeClient, retry_after_cap=1, backoff_factor=0.05))


def add_image(emulator, regions):
    return emulator.state.add_image({'label': 'unit', 'size': 10, 'regions': regions})['id']


def held(emulator, image_id):
    return sorted(entry['region'] for entry in emulator.state.get_image(image_id)['regions'] if entry['status'] != 'pending deletion')


def run(run_module, emulator, **args):
    outcome, _client = run_module(image_replicas, dict({'api_url': emulator.url, 'api_token': TOKEN}, **args))
    return outcome


def statuses(emulator):
    return [(entry['method'], entry['status']) for entry in sorted(emulator.state.request_log(), key=lambda entry: entry['time'])]


def test_huge_retry_after_is_capped_and_surfaced_as_a_task_warning(run_module, real_client, emulator):
    image_id = add_image(emulator, ['us-east'])
    emulator.state.add_faults({'method': 'GET', 'path': image_id + '$', 'status': 429, 'retry_after': 3600})
    outcome = run(run_module, emulator, image_id=image_id, regions=['fr-par'])
    assert not outcome.failed and outcome.result['changed']
    capped = [w for w in outcome.result['warnings'] if 'Retry-After' in w]
    assert capped == ['The API asked to wait 3600 s (Retry-After) on GET /v4/images/%s; waited 1 s, the retry_after_cap' % image_id]
    log = sorted(emulator.state.request_log(), key=lambda entry: entry['time'])
    assert statuses(emulator) == [('GET', 429), ('GET', 200), ('POST', 200)]
    assert 1 <= log[1]['time'] - log[0]['time'] < 30
    assert held(emulator, image_id) == ['fr-par', 'us-east']


def test_capped_retry_after_on_a_failed_run_is_still_warned(run_module, real_client, emulator, monkeypatch):
    # 2 answers on the rate-limit budget, then the 5 retries of max_retries: 8 attempts, 7 capped waits
    monkeypatch.setattr(_api, 'RATE_LIMIT_RETRIES', 2)
    image_id = add_image(emulator, ['us-east'])
    emulator.state.add_faults({'method': 'POST', 'path': '/regions$', 'status': 429, 'retry_after': 3600, 'count': 10})
    outcome = run(run_module, emulator, image_id=image_id, regions=['fr-par'])
    assert outcome.failed
    assert 'gave up after 8 attempts' in outcome.result['msg']
    assert len([w for w in outcome.result['warnings'] if 'Retry-After' in w]) == 7
    assert held(emulator, image_id) == ['us-east']


@pytest.mark.parametrize('phase, expected', [
    ('before', [('GET', 200), ('POST', None), ('GET', 200), ('POST', 200)]),
    ('after', [('GET', 200), ('POST', None), ('GET', 200)]),
])
def test_dropped_write_is_resent_only_when_it_was_lost(run_module, real_client, emulator, phase, expected):
    image_id = add_image(emulator, ['us-east', 'eu-central'])
    emulator.state.add_faults({'method': 'POST', 'path': '/regions$', 'drop': True, 'phase': phase})
    outcome = run(run_module, emulator, image_id=image_id, regions=['fr-par'])
    assert not outcome.failed and outcome.result['changed']
    assert statuses(emulator) == expected
    assert held(emulator, image_id) == ['eu-central', 'fr-par', 'us-east']


def test_three_lost_writes_fail_without_losing_a_region(run_module, real_client, emulator):
    image_id = add_image(emulator, ['us-east', 'eu-central'])
    emulator.state.add_faults({'method': 'POST', 'path': '/regions$', 'status': 503, 'count': 5})
    outcome = run(run_module, emulator, image_id=image_id, regions=['fr-par'], state='present', purge_regions=False)
    assert outcome.failed
    # each lost write is followed by a read that shows the set still differs
    assert [method for method, _status in statuses(emulator)] == ['GET', 'POST', 'GET', 'POST', 'GET', 'POST', 'GET']
    assert outcome.result['failure']['status'] == 503 and not outcome.result['changed']
    assert held(emulator, image_id) == ['eu-central', 'us-east']


def test_missing_ca_path_is_named_before_any_request(run_module, real_client, emulator):
    image_id = add_image(emulator, ['us-east'])
    outcome = run(run_module, emulator, image_id=image_id, regions=['fr-par'], ca_path='/nonexistent/ca.pem')
    assert outcome.failed
    assert outcome.result['failure']['kind'] == 'LinodeConfigError'
    assert outcome.result['msg'].startswith('ca_path must be a CA bundle file')
    assert emulator.state.request_log() == []


def test_token_never_in_result_of_any_fault(run_module, real_client, emulator):
    image_id = add_image(emulator, ['us-east'])
    emulator.state.add_faults([{'method': 'GET', 'path': image_id + '$', 'status': 200, 'body': 'token %s echoed' % TOKEN,
                                'content_type': 'text/plain'}])
    outcome = run(run_module, emulator, image_id=image_id, regions=['fr-par'])
    assert outcome.failed
    assert 'text/plain instead of JSON' in outcome.result['msg']
    assert TOKEN not in repr(outcome.result)
    assert 'token ******** echoed' in outcome.result['msg']
