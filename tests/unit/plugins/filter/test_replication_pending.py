# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role's wait: what is still pending for many images, from their image_replicas results and one listing."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.linode.plugins.filter.replication_pending import FilterModule, replication_pending
from ansible_collections.cloudops.linode.plugins.module_utils._replicas import applied_plan, plan_replicas


def regions(**statuses):
    return [{'region': region.replace('_', '-'), 'status': status} for region, status in sorted(statuses.items())]


def image(number, **statuses):
    return {'id': 'private/%d' % number, 'status': 'available', 'is_public': False, 'regions': regions(**statuses)}


def result(number, removed=(), changed=True, **statuses):
    """An image_replicas result without wait: the image as its write (or read) answered."""
    answered = image(number, **statuses)
    return {'changed': changed, 'image': answered, 'regions': answered['regions'], 'added': [], 'removed': list(removed),
            'item': {'image_id': 'private/%d' % number}}


# Two images just written: 1 gets fr-par and nl-ams, 2 loses it-mil.
WRITTEN = [
    result(1, us_east='available', fr_par='pending replication', nl_ams='pending replication'),
    result(2, removed=['it-mil'], us_east='available', it_mil='pending deletion'),
]


def test_every_replica_not_final_yet_is_named_with_its_image_and_status():
    listing = [
        image(1, us_east='available', fr_par='replicating', nl_ams='available'),
        image(2, us_east='available', it_mil='pending deletion'),
        image(3, us_east='creating'),  # not part of the wait
    ]
    state = replication_pending(WRITTEN, listing)
    assert state['pending'] == [
        {'image_id': 'private/1', 'region': 'fr-par', 'status': 'replicating'},
        {'image_id': 'private/2', 'region': 'it-mil', 'status': 'pending deletion'},
    ]
    assert state['done'] is False
    assert state['images_waited_for'] == 2
    assert state['pending_text'] == 'private/1 fr-par (replicating), private/2 it-mil (pending deletion)'


def test_done_when_every_wanted_replica_is_available_and_every_removed_one_gone():
    listing = [image(2, us_east='available'), image(1, us_east='available', fr_par='available', nl_ams='available')]
    state = replication_pending(WRITTEN, listing)
    assert state['done'] is True
    assert state['pending'] == []
    assert state['pending_text'] == ''


def test_results_take_the_last_listing_s_image_and_sorted_regions():
    listed = image(1, us_east='available', fr_par='available', nl_ams='available')
    listed['regions'].reverse()
    state = replication_pending(WRITTEN[:1], [listed])
    assert state['results'][0]['image'] is listed
    assert [entry['region'] for entry in state['results'][0]['regions']] == ['fr-par', 'nl-ams', 'us-east']
    assert state['results'][0]['removed'] == [] and state['results'][0]['changed'] is True
    # The registered results are not modified in place.
    assert WRITTEN[0]['regions'][0]['region'] == 'fr-par' and WRITTEN[0]['image']['regions'][1]['status'] == 'pending replication'


def test_without_a_listing_the_results_own_regions_decide_so_an_unchanged_batch_needs_no_poll():
    unchanged = [result(1, changed=False, us_east='available', fr_par='available')]
    assert replication_pending(unchanged)['done'] is True
    assert replication_pending(unchanged)['results'] == unchanged
    assert replication_pending(WRITTEN)['pending'] == [
        {'image_id': 'private/1', 'region': 'fr-par', 'status': 'pending replication'},
        {'image_id': 'private/1', 'region': 'nl-ams', 'status': 'pending replication'},
        {'image_id': 'private/2', 'region': 'it-mil', 'status': 'pending deletion'},
    ]


def test_a_region_already_leaving_that_this_run_did_not_remove_is_not_waited_for():
    # As the module's own waiter: only the run's own removals are waited for.
    leftover = [result(1, changed=False, us_east='available', fr_par='pending deletion')]
    assert replication_pending(leftover, [image(1, us_east='available', fr_par='pending deletion')])['done'] is True


def test_an_image_missing_from_the_listing_has_every_wanted_replica_missing():
    state = replication_pending(WRITTEN[:1], [])
    assert state['pending'] == [
        {'image_id': 'private/1', 'region': region, 'status': 'missing'} for region in ('fr-par', 'nl-ams', 'us-east')]
    assert state['results'][0]['regions'] == []


def test_a_wanted_region_not_listed_yet_is_missing():
    state = replication_pending(WRITTEN[:1], [image(1, us_east='available', fr_par='available')])
    assert state['pending'] == [{'image_id': 'private/1', 'region': 'nl-ams', 'status': 'missing'}]


def test_skipped_and_failed_results_are_not_waited_for():
    skipped = {'changed': False, 'skipped': True, 'item': {'image_id': 'private/5'}}
    failed = dict(result(6, us_east='available', fr_par='pending replication'), failed=True)
    state = replication_pending([skipped, failed], [])
    assert state == {'pending': [], 'done': True, 'images_waited_for': 0, 'pending_text': '', 'results': [skipped, failed]}


def test_the_rebuilt_plan_waits_for_what_the_module_s_own_plan_waits_for():
    before = regions(us_east='available', it_mil='available', fr_par='available')
    module_plan = plan_replicas(before, ['fr-par', 'nl-ams'], 'present', purge_regions=True)
    answered = regions(us_east='pending deletion', it_mil='pending deletion', fr_par='available', nl_ams='pending replication')
    rebuilt = applied_plan(answered, module_plan.removed)
    assert rebuilt.desired == module_plan.desired
    assert rebuilt.removed == module_plan.removed


@pytest.mark.parametrize('results, images, message', [
    ({'image': {}}, None, 'the image_replicas results must be a list, got dict'),
    ([], 'private/1', 'images must be a list, got str'),
    (['private/1'], [], "each result must be a dict (an image_replicas result), got 'private/1'"),
])
def test_wrong_input_is_refused_naming_what_is_wanted(results, images, message):
    with pytest.raises(AnsibleFilterError, match=r'^replication_pending: ' + message.replace('(', r'\(').replace(')', r'\)')):
        replication_pending(results, images)


def test_registered_under_its_name():
    assert FilterModule().filters() == {'replication_pending': replication_pending}
