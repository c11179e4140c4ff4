# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""region_info's main(): one listing, then the filters, with a fake client."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.linode.plugins.module_utils._api import LinodeAPIError
from ansible_collections.cloudops.linode.plugins.modules import region_info

WITH_STORAGE = ['Linodes', 'Object Storage']


@pytest.fixture(autouse=True)
def regions(fake_regions):
    fake_regions.extend([
        {'id': 'us-east', 'label': 'Newark, NJ', 'status': 'ok', 'capabilities': WITH_STORAGE},
        {'id': 'ca-central', 'label': 'Toronto, CA', 'status': 'ok', 'capabilities': ['Linodes']},
        {'id': 'jp-osa', 'label': 'Osaka, JP', 'status': 'outage', 'capabilities': WITH_STORAGE},
        {'id': 'fr-par', 'label': 'Paris, FR', 'status': 'ok', 'capabilities': WITH_STORAGE + ['Block Storage']},
    ])
    return fake_regions


def ids_of(outcome):
    return [region['id'] for region in outcome.result['regions']]


def test_no_filter_returns_every_region_from_one_listing(run_module):
    outcome, client = run_module(region_info, {})
    assert not outcome.failed
    assert outcome.result['changed'] is False
    assert ids_of(outcome) == ['us-east', 'ca-central', 'jp-osa', 'fr-par']
    assert client.calls == [('LIST', 'regions')]


def test_ids_are_normalized_like_image_replicas_regions(run_module):
    outcome, _client = run_module(region_info, {'ids': [' FR-PAR', 'us-east', 'fr-par', 'xx-nowhere']})
    assert ids_of(outcome) == ['us-east', 'fr-par']


def test_empty_ids_keeps_every_region(run_module):
    outcome, _client = run_module(region_info, {'ids': []})
    assert len(ids_of(outcome)) == 4


def test_every_capability_must_be_present_and_case_counts(run_module):
    both, _client = run_module(region_info, {'capabilities': ['Object Storage', 'Block Storage']})
    lower, _client = run_module(region_info, {'capabilities': ['object storage']})
    assert ids_of(both) == ['fr-par']
    assert ids_of(lower) == []


def test_status_and_capabilities_together_give_the_replica_regions(run_module):
    outcome, _client = run_module(region_info, {'capabilities': ['Object Storage'], 'status': 'ok'})
    assert ids_of(outcome) == ['us-east', 'fr-par']
    outage, _client = run_module(region_info, {'status': 'outage'})
    assert ids_of(outage) == ['jp-osa']


def test_regions_are_returned_as_the_api_sent_them(run_module, regions):
    outcome, _client = run_module(region_info, {'ids': ['us-east']})
    assert outcome.result['regions'] == [regions[0]]


def test_malformed_id_fails_naming_the_option_without_listing(run_module):
    outcome, client = run_module(region_info, {'ids': ['us east!']})
    assert outcome.failed
    assert outcome.result['msg'].startswith('ids must hold Linode region ids')
    assert "'us east!'" in outcome.result['msg']
    assert outcome.result['failure'] == {'kind': 'InvalidRequest', 'field': 'ids'}
    assert client.calls == []


def test_bad_status_choice_is_refused(run_module):
    outcome, _client = run_module(region_info, {'status': 'down'})
    assert outcome.failed
    assert 'status' in outcome.result['msg']


def test_api_error_fails_with_its_status(run_module):
    def refuse(client):
        def list_regions():
            raise LinodeAPIError(503, [{'reason': 'Service Unavailable'}], 'GET', '/v4/regions')
        client.list_regions = list_regions
    outcome, _client = run_module(region_info, {}, prepare=refuse)
    assert outcome.failed
    assert outcome.result['failure']['status'] == 503
    assert outcome.result['msg'].startswith('GET /v4/regions failed (503)')
    assert 'unit-test-token' not in str(outcome.result)
