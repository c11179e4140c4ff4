# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""image_info's main(): one GET or one filtered listing, with a fake client."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.linode.plugins.module_utils._api import LinodeAPIError
from ansible_collections.cloudops.linode.plugins.modules import image_info

PRIVATE_ONLY = {'is_public': False}


@pytest.fixture(autouse=True)
def images(fake_api):
    fake_api.update({
        'private/1': {'id': 'private/1', 'label': 'golden', 'status': 'available', 'is_public': False,
                      'regions': [{'region': 'us-east', 'status': 'available'}]},
        'private/2': {'id': 'private/2', 'label': 'wip', 'status': 'creating', 'is_public': False, 'regions': []},
        'private/3': {'id': 'private/3', 'label': 'golden', 'status': 'available', 'is_public': False, 'regions': []},
        'linode/debian12': {'id': 'linode/debian12', 'label': 'Debian 12', 'status': 'available', 'is_public': True, 'regions': []},
    })
    return fake_api


def ids_of(outcome):
    return [image['id'] for image in outcome.result['images']]


def test_no_option_lists_every_private_image_with_one_filtered_listing(run_module):
    outcome, client = run_module(image_info, {})
    assert not outcome.failed
    assert outcome.result['changed'] is False
    assert ids_of(outcome) == ['private/1', 'private/2', 'private/3']
    assert client.calls == [('LIST', 'images', PRIVATE_ONLY)]


def test_label_is_filtered_by_the_api(run_module):
    outcome, client = run_module(image_info, {'label': 'golden'})
    assert ids_of(outcome) == ['private/1', 'private/3']
    assert client.calls == [('LIST', 'images', {'+and': [PRIVATE_ONLY, {'label': 'golden'}]})]


def test_label_matching_nothing_gives_an_empty_list(run_module):
    outcome, _client = run_module(image_info, {'label': 'Debian 12'})
    assert not outcome.failed
    assert outcome.result['images'] == []


@pytest.mark.parametrize('given, read', [('1', 'private/1'), (' private/1 ', 'private/1'), ('linode/debian12', 'linode/debian12')])
def test_image_id_is_normalized_and_public_ids_may_be_read(run_module, images, given, read):
    outcome, client = run_module(image_info, {'image_id': given})
    assert outcome.result['images'] == [images[read]]
    assert client.calls == [('GET', read)]


def test_unknown_image_gives_an_empty_list_not_a_failure(run_module):
    outcome, _client = run_module(image_info, {'image_id': 'private/999'})
    assert not outcome.failed
    assert outcome.result['images'] == []


@pytest.mark.parametrize('image_id', ['abc', 'linode/', 'linode/a b', 'shared/x'])
def test_malformed_image_id_fails_without_a_request(run_module, image_id):
    outcome, client = run_module(image_info, {'image_id': image_id})
    assert outcome.failed
    assert 'image_id must be an image id such as private/12345' in outcome.result['msg']
    assert outcome.result['failure'] == {'kind': 'InvalidRequest', 'field': 'image_id'}
    assert client.calls == []


def test_image_id_and_label_are_mutually_exclusive(run_module):
    outcome, _client = run_module(image_info, {'image_id': '1', 'label': 'golden'})
    assert outcome.failed
    assert 'mutually exclusive' in outcome.result['msg']
    assert 'image_id' in outcome.result['msg'] and 'label' in outcome.result['msg']


def test_errors_other_than_404_fail(run_module):
    def forbid(client):
        def get_image(image_id):
            raise LinodeAPIError(403, [{'reason': 'Unauthorized'}], 'GET', '/v4/images/' + image_id)
        client.get_image = get_image
    outcome, _client = run_module(image_info, {'image_id': '1'}, prepare=forbid)
    assert outcome.failed
    assert outcome.result['failure']['status'] == 403
