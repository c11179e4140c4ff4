# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""image_replicas' main(): the calls it makes and the result it returns, with a fake client."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.linode.plugins.module_utils._api import LinodeAPIError, LinodeConnectionError
from ansible_collections.cloudops.linode.plugins.modules import image_replicas


@pytest.fixture(autouse=True)
def golden_image(fake_api):
    fake_api['private/1'] = {'id': 'private/1', 'label': 'golden', 'status': 'available', 'is_public': False,
                             'regions': [{'region': 'us-east', 'status': 'available'}]}


def test_no_change_is_one_get_and_unchanged(run_module):
    outcome, client = run_module(image_replicas, {'image_id': '1', 'regions': ['US-EAST ']})
    assert not outcome.failed
    assert outcome.result['changed'] is False
    assert client.calls == [('GET', 'private/1')]
    assert outcome.result['regions'] == [{'region': 'us-east', 'status': 'available'}]


def test_add_is_one_get_and_one_post_of_the_sorted_set(run_module):
    outcome, client = run_module(image_replicas, {'image_id': 'private/1', 'regions': ['nl-ams', 'fr-par'], '_ansible_diff': True})
    assert outcome.result['changed'] is True
    assert client.calls == [('GET', 'private/1'), ('POST', 'private/1', ['fr-par', 'nl-ams', 'us-east'])]
    assert outcome.result['added'] == ['fr-par', 'nl-ams'] and outcome.result['removed'] == []
    assert outcome.result['diff'] == {'before': {'regions': ['us-east']}, 'after': {'regions': ['fr-par', 'nl-ams', 'us-east']}}
    assert outcome.result['image']['regions'][0] == {'region': 'fr-par', 'status': 'pending replication'}


def test_check_mode_predicts_without_writing(run_module):
    outcome, client = run_module(image_replicas, {'image_id': '1', 'regions': ['fr-par'], '_ansible_check_mode': True})
    assert outcome.result['changed'] is True
    assert client.calls == [('GET', 'private/1')]
    assert outcome.result['regions'] == [{'region': 'fr-par', 'status': 'pending replication'},
                                         {'region': 'us-east', 'status': 'available'}]


def test_check_mode_reports_unchanged_when_nothing_differs(run_module):
    outcome, _client = run_module(image_replicas, {'image_id': '1', 'regions': ['us-east'], '_ansible_check_mode': True})
    assert outcome.result['changed'] is False


def test_absent_removing_everything_is_refused_without_write(run_module):
    outcome, client = run_module(image_replicas, {'image_id': '1', 'regions': ['us-east'], 'state': 'absent'})
    assert outcome.failed
    assert 'image delete operation' in outcome.result['msg']
    assert outcome.result['failure'] == {'kind': 'InvalidRequest', 'field': 'regions'}
    assert [call[0] for call in client.calls] == ['GET']


@pytest.mark.parametrize('args, field, fragment', [
    ({'image_id': 'linode/debian12', 'regions': ['us-east']}, 'image_id', 'public'),
    ({'image_id': 'abc', 'regions': ['us-east']}, 'image_id', 'private/12345'),
    ({'image_id': '1', 'regions': []}, 'regions', 'at least one region'),
    ({'image_id': '1', 'regions': ['us east']}, 'regions', 'region ids'),
    ({'image_id': '1', 'regions': ['fr-par'], 'wait_timeout': 0}, 'wait_timeout', 'greater than 0'),
])
def test_bad_input_names_the_field_and_sends_nothing(run_module, args, field, fragment):
    outcome, client = run_module(image_replicas, args)
    assert outcome.failed
    assert outcome.result['failure']['field'] == field
    assert fragment in outcome.result['msg'] and field in outcome.result['msg']
    assert client.calls == []


def test_unknown_image_names_image_id(run_module):
    outcome, _client = run_module(image_replicas, {'image_id': '404', 'regions': ['fr-par']})
    assert outcome.failed
    assert outcome.result['msg'].startswith('image_id private/404: no such image')


def test_missing_token_names_every_source(run_module, monkeypatch):
    monkeypatch.delenv('LINODE_API_TOKEN', raising=False)
    monkeypatch.delenv('LINODE_TOKEN', raising=False)
    outcome, _client = run_module(image_replicas, {'image_id': '1', 'regions': ['fr-par'], 'api_token': None})
    assert outcome.failed
    for name in ('api_token', 'LINODE_API_TOKEN', 'LINODE_TOKEN'):
        assert name in outcome.result['msg']


def test_api_error_becomes_structured_failure(run_module):
    error = LinodeAPIError(400, [{'reason': 'Region ca-central does not support Object Storage', 'field': 'regions'}],
                           'POST', '/v4/images/private/1/regions')

    def prepare(client):
        client.post_failures = [{'error': error}]
    outcome, client = run_module(image_replicas, {'image_id': '1', 'regions': ['ca-central']}, prepare)
    assert outcome.failed
    assert outcome.result['msg'] == str(error)
    assert outcome.result['failure']['status'] == 400
    assert [call[0] for call in client.calls] == ['GET', 'POST'], 'a 400 is not retried'


def test_ambiguous_write_that_was_applied_is_not_sent_again(run_module):
    def prepare(client):
        client.post_failures = [{'error': LinodeConnectionError('POST', '/v4/images/private/1/regions', 'read timed out', True),
                                 'applied': True}]
    outcome, client = run_module(image_replicas, {'image_id': '1', 'regions': ['fr-par']}, prepare)
    assert not outcome.failed and outcome.result['changed']
    assert [call[0] for call in client.calls] == ['GET', 'POST', 'GET']
    assert any('may not have been applied' in w for w in outcome.result['warnings'])


def test_ambiguous_write_that_was_lost_is_sent_again(run_module):
    def prepare(client):
        client.post_failures = [{'error': LinodeAPIError(502, [{'reason': 'Bad Gateway'}], 'POST', '/v4/images/private/1/regions')}]
    outcome, client = run_module(image_replicas, {'image_id': '1', 'regions': ['fr-par']}, prepare)
    assert not outcome.failed
    assert [call[0] for call in client.calls] == ['GET', 'POST', 'GET', 'POST']
    assert client.images['private/1']['regions'][0] == {'region': 'fr-par', 'status': 'pending replication'}


def test_connection_refused_before_sending_is_not_retried_as_ambiguous(run_module):
    def prepare(client):
        client.post_failures = [{'error': LinodeConnectionError('POST', '/v4/images/private/1/regions', 'refused', False)}]
    outcome, client = run_module(image_replicas, {'image_id': '1', 'regions': ['fr-par']}, prepare)
    assert outcome.failed
    assert [call[0] for call in client.calls] == ['GET', 'POST']


def test_region_added_concurrently_and_dropped_is_put_back(run_module):
    def another_run_added_nl_ams_before_our_write(client):
        client.images['private/1']['regions'].append({'region': 'nl-ams', 'status': 'pending replication'})

    def prepare(client):
        original = client.replicate_image
        state = {'first': True}

        def replicate(image_id, regions):
            if state.pop('first', False):
                another_run_added_nl_ams_before_our_write(client)
            return original(image_id, regions)
        client.replicate_image = replicate
    outcome, client = run_module(image_replicas, {'image_id': '1', 'regions': ['fr-par']}, prepare)
    assert not outcome.failed
    posts = [call[2] for call in client.calls if call[0] == 'POST']
    assert posts == [['fr-par', 'us-east'], ['fr-par', 'nl-ams', 'us-east']]
    assert outcome.result['restored'] == ['nl-ams']
    assert any('Another run added nl-ams' in w for w in outcome.result['warnings'])
    held = {e['region'] for e in client.images['private/1']['regions'] if e['status'] != 'pending deletion'}
    assert held == {'fr-par', 'nl-ams', 'us-east'}


def test_restore_write_keeps_a_region_that_a_later_run_wrote_into_the_answer(run_module):
    """Our answer may already show a third run's write: the restore adds to it and drops nothing held."""
    def prepare(client):
        original = client.replicate_image
        state = {'first': True}

        def replicate(image_id, regions):
            first = state.pop('first', False)
            if first:
                client.images['private/1']['regions'].append({'region': 'nl-ams', 'status': 'pending replication'})
            answer = original(image_id, regions)
            if first:
                client.images['private/1']['regions'].append({'region': 'se-sto', 'status': 'pending replication'})
                answer = client.get_image(image_id)
            return answer
        client.replicate_image = replicate
    outcome, client = run_module(image_replicas, {'image_id': '1', 'regions': ['fr-par']}, prepare)
    assert not outcome.failed
    posts = [call[2] for call in client.calls if call[0] == 'POST']
    assert posts == [['fr-par', 'us-east'], ['fr-par', 'nl-ams', 'se-sto', 'us-east']]
    assert outcome.result['restored'] == ['nl-ams']
    held = {e['region'] for e in client.images['private/1']['regions'] if e['status'] != 'pending deletion'}
    assert held == {'fr-par', 'nl-ams', 'se-sto', 'us-east'}


def test_wait_polls_until_available(run_module, monkeypatch):
    monkeypatch.setattr('time.sleep', lambda seconds: None)

    def prepare(client):
        original = client.get_image
        reads = {'n': 0}

        def get_image(image_id):
            reads['n'] += 1
            if reads['n'] == 3:
                for entry in client.images[image_id]['regions']:
                    entry['status'] = 'available'
            return original(image_id)
        client.get_image = get_image
    outcome, client = run_module(image_replicas, {'image_id': '1', 'regions': ['fr-par'], 'wait': True}, prepare)
    assert not outcome.failed
    assert [call[0] for call in client.calls] == ['GET', 'POST', 'GET', 'GET']
    assert outcome.result['regions'] == [{'region': 'fr-par', 'status': 'available'}, {'region': 'us-east', 'status': 'available'}]


def test_wait_timeout_reports_pending_regions_and_time(run_module, monkeypatch):
    clock = {'now': 0.0}
    monkeypatch.setattr('time.monotonic', lambda: clock['now'])
    monkeypatch.setattr('time.sleep', lambda seconds: clock.__setitem__('now', clock['now'] + seconds))
    outcome, _client = run_module(image_replicas, {'image_id': '1', 'regions': ['fr-par'], 'wait': True, 'wait_timeout': 7})
    assert outcome.failed
    assert outcome.result['msg'] == 'Timed out after 7 s waiting for the replicas of image private/1; still pending: fr-par (pending replication).'
    assert outcome.result['pending'] == [{'region': 'fr-par', 'status': 'pending replication'}]
    assert outcome.result['waited'] == 7.0
    assert outcome.result['changed'] is True


def test_check_mode_never_waits(run_module, monkeypatch):
    monkeypatch.setattr('time.sleep', lambda seconds: pytest.fail('check mode slept'))
    outcome, client = run_module(image_replicas, {'image_id': '1', 'regions': ['fr-par'], 'wait': True, '_ansible_check_mode': True})
    assert not outcome.failed
    assert client.calls == [('GET', 'private/1')]


def test_token_is_never_in_the_result(run_module):
    outcome, _client = run_module(image_replicas, {'image_id': '1', 'regions': ['fr-par'], 'api_token': 'secret-token-xyz'})
    assert 'secret-token-xyz' not in repr(outcome.result)


def test_third_ambiguous_write_that_was_applied_still_succeeds(run_module):
    lost = LinodeAPIError(503, [{'reason': 'busy'}], 'POST', '/v4/images/private/1/regions')

    def prepare(client):
        client.post_failures = [{'error': lost}, {'error': lost}, {'error': lost, 'applied': True}]
    outcome, client = run_module(image_replicas, {'image_id': '1', 'regions': ['fr-par']}, prepare)
    assert not outcome.failed and outcome.result['changed']
    assert [call[0] for call in client.calls] == ['GET', 'POST', 'GET', 'POST', 'GET', 'POST', 'GET']
    assert [w.split(' to image')[0] for w in outcome.result['warnings']] == ['Write 1 of at most 3', 'Write 2 of at most 3', 'Write 3 of at most 3']
