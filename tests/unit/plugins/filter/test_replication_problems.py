# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's validation: every problem of a batch, from one regions listing and one images listing."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.linode.plugins.filter.replication_problems import FilterModule, replication_problems

STORAGE = ['Linodes', 'Object Storage']
REGIONS = [
    {'id': 'us-west', 'status': 'ok', 'capabilities': ['Linodes']},
    {'id': 'us-east', 'status': 'ok', 'capabilities': STORAGE},
    {'id': 'fr-par', 'status': 'ok', 'capabilities': STORAGE},
    {'id': 'nl-ams', 'status': 'ok', 'capabilities': STORAGE + ['GPU Linodes']},
    {'id': 'ca-central', 'status': 'ok', 'capabilities': ['Linodes']},
    {'id': 'jp-osa', 'status': 'outage', 'capabilities': STORAGE},
]


def image(number, status='available', regions=('us-east',)):
    return {'id': 'private/%d' % number, 'status': status, 'is_public': False,
            'regions': [{'region': region, 'status': 'available'} for region in regions]}


IMAGES = [image(1), image(2), image(3, status='creating')]


def check(requests, **kwargs):
    return replication_problems(requests, REGIONS, IMAGES, **kwargs)


def test_a_good_batch_has_no_problem_and_lists_the_qualifying_regions():
    result = check([{'image_id': '1', 'regions': ['FR-PAR ', 'nl-ams']}, {'image_id': 'private/2', 'regions': ['us-east']}])
    # us-west lacks Object Storage, so it does not qualify
    assert result == {'problems': [], 'qualifying_regions': ['fr-par', 'nl-ams', 'us-east'], 'msg': ''}


def test_every_problem_is_reported_together_in_one_message():
    result = check([
        {'image_id': 'private/1', 'regions': ['us-eest', 'ca-central', 'jp-osa']},
        {'image_id': 'private/999', 'regions': ['fr-par']},
        {'image_id': 'linode/debian12', 'regions': ['fr-par']},
        {'image_id': '3', 'regions': ['fr-par', 'jp-osa']},
    ])
    by_id = {problem['id']: problem for problem in result['problems']}
    assert [problem['id'] for problem in result['problems']] == [
        'ca-central', 'jp-osa', 'us-eest', 'private/999', 'linode/debian12', 'private/3']
    assert by_id['us-eest']['reason'] == 'not a Linode region (did you mean us-east or us-west?)'
    assert check([{'image_id': '1', 'regions': ['fr-paris']}])['problems'][0]['reason'] == 'not a Linode region (did you mean fr-par?)'
    assert by_id['ca-central']['reason'] == 'lacks Object Storage'
    assert by_id['jp-osa']['reason'] == 'status is outage, not ok'
    assert by_id['jp-osa']['images'] == ['private/1', 'private/3']
    assert 'no private image' in by_id['private/999']['reason']
    assert 'public' in by_id['linode/debian12']['reason']
    assert by_id['private/3']['reason'].startswith('has status creating')
    msg = result['msg']
    assert msg.startswith('Image replication stopped before any change: 6 problems.')
    assert '- region jp-osa (requested for private/1, private/3): status is outage, not ok' in msg
    assert '- image private/999: ' in msg
    assert msg.endswith('Regions that can hold a replica (status ok, with Object Storage): fr-par, nl-ams, us-east')


def test_required_capabilities_are_all_needed_and_case_sensitive():
    result = check([{'image_id': '1', 'regions': ['fr-par', 'nl-ams']}], required_capabilities=['Object Storage', 'GPU Linodes'])
    assert [(p['id'], p['reason']) for p in result['problems']] == [('fr-par', 'lacks GPU Linodes')]
    assert result['qualifying_regions'] == ['nl-ams']
    lower = check([{'image_id': '1', 'regions': ['fr-par']}], required_capabilities=['object storage'])
    assert lower['problems'][0]['reason'] == 'lacks object storage'


def test_absent_only_needs_the_region_to_exist():
    image_in_two = image(4, regions=('us-east', 'jp-osa'))
    result = replication_problems([{'image_id': '4', 'regions': ['jp-osa', 'ca-central', 'xx-nowhere'], 'state': 'absent'}],
                                  REGIONS, [image_in_two])
    assert [(p['id'], p['reason']) for p in result['problems']] == [('xx-nowhere', 'not a Linode region')]


def test_the_replication_rules_of_image_replicas_apply():
    result = check([{'image_id': '1', 'regions': ['us-east'], 'state': 'absent'}])
    assert result['problems'][0]['id'] == 'private/1'
    assert 'remove image private/1 from every region' in result['problems'][0]['reason']


def test_an_unchanged_request_of_an_available_image_passes_even_for_held_regions():
    result = check([{'image_id': '1', 'regions': ['us-east'], 'purge_regions': True}])
    assert result['problems'] == []


def test_malformed_ids_are_problems_not_crashes():
    result = check([{'image_id': 'abc', 'regions': ['us east!']}, {'image_id': '2', 'regions': []}])
    reasons = [(p['id'], p['reason']) for p in result['problems']]
    assert reasons[0][0] == 'abc' and 'private/12345' in reasons[0][1]
    assert reasons[1][0] == 'abc' and "'us east!'" in reasons[1][1]
    assert reasons[2][0] == 'private/2' and 'at least one region' in reasons[2][1]
    assert len(reasons) == 3


def test_an_image_listed_twice_is_a_problem():
    result = check([{'image_id': '1', 'regions': ['fr-par']}, {'image_id': 'private/1', 'regions': ['nl-ams']}])
    assert [(p['id'], p['reason']) for p in result['problems']] == [('private/1', 'listed more than once; merge its entries into one')]


def test_a_region_wanted_by_many_images_is_one_problem():
    requests = [{'image_id': str(n), 'regions': ['ca-central']} for n in (1, 2)]
    result = check(requests)
    assert result['problems'] == [{'subject': 'region', 'id': 'ca-central', 'reason': 'lacks Object Storage',
                                   'images': ['private/1', 'private/2']}]


@pytest.mark.parametrize('args', [('nope', REGIONS, IMAGES), ([], 'x', IMAGES), ([], REGIONS, None), (['x'], REGIONS, IMAGES)])
def test_wrong_input_types_raise_a_filter_error(args):
    with pytest.raises(AnsibleFilterError, match='replication_problems'):
        replication_problems(*args)


def test_the_filter_is_registered_under_its_name():
    assert FilterModule().filters()['replication_problems'] is replication_problems
