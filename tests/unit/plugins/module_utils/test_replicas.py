# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The replication rules: examples first, then properties that must hold for any input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.cloudops.linode.plugins.module_utils._replicas import (
    REPLICA_STATUSES,
    ReplicaRequestError,
    concurrent_removals,
    held_regions,
    normalize_image_id,
    normalize_regions,
    pending_replicas,
    plan_replicas,
    refuse_unsafe_write,
)

REGION_IDS = ['us-east', 'us-iad', 'fr-par', 'nl-ams', 'ap-south', 'br-gru', 'jp-osa']


def regions_of(**statuses):
    return [{'region': region.replace('_', '-'), 'status': status} for region, status in statuses.items()]


def image_with(regions, status='available'):
    return {'id': 'private/1', 'status': status, 'regions': regions}


class TestNormalize:
    @pytest.mark.parametrize('value, expected', [
        ('private/12345', 'private/12345'), ('12345', 'private/12345'), (' 42 ', 'private/42'), (7, 'private/7'),
    ])
    def test_image_id_accepted(self, value, expected):
        assert normalize_image_id(value) == expected

    @pytest.mark.parametrize('value', ['linode/debian12', 'private/', 'private/abc', 'images/1', '', 'private/1/2'])
    def test_image_id_refused_names_the_field(self, value):
        with pytest.raises(ReplicaRequestError) as caught:
            normalize_image_id(value)
        assert caught.value.field == 'image_id'
        assert 'private/12345' in str(caught.value) or 'public' in str(caught.value)

    def test_public_image_refused_as_public(self):
        with pytest.raises(ReplicaRequestError, match='public Linode image'):
            normalize_image_id('linode/debian12')

    @pytest.mark.parametrize('value, expected', [('linode/debian12', 'linode/debian12'), ('42', 'private/42')])
    def test_public_image_id_accepted_for_reading(self, value, expected):
        assert normalize_image_id(value, allow_public=True) == expected

    @pytest.mark.parametrize('value', ['linode/', 'linode/debian 12', 'shared/1'])
    def test_malformed_image_id_refused_for_reading(self, value):
        with pytest.raises(ReplicaRequestError, match='or linode/debian12'):
            normalize_image_id(value, allow_public=True)

    def test_region_errors_name_the_option_they_came_from(self):
        with pytest.raises(ReplicaRequestError, match='^ids must hold Linode region ids') as caught:
            normalize_regions(['us east'], field='ids')
        assert caught.value.field == 'ids'

    def test_regions_trimmed_lowercased_deduplicated_in_order(self):
        assert normalize_regions([' US-East ', 'fr-par', 'us-east', 'FR-PAR']) == ['us-east', 'fr-par']

    @pytest.mark.parametrize('values', [[], None])
    def test_empty_regions_refused(self, values):
        with pytest.raises(ReplicaRequestError, match='at least one region') as caught:
            normalize_regions(values)
        assert caught.value.field == 'regions'

    @pytest.mark.parametrize('bad', ['', 'us east', 'useast', 'us_east', '-us', 'us-'])
    def test_malformed_region_refused(self, bad):
        with pytest.raises(ReplicaRequestError, match='region ids such as us-east') as caught:
            normalize_regions(['us-east', bad])
        assert caught.value.field == 'regions'


class TestPlan:
    def test_present_adds_and_keeps_original(self):
        plan = plan_replicas(regions_of(us_east='available'), ['fr-par'])
        assert (plan.added, plan.removed, plan.request_regions) == (['fr-par'], [], ['fr-par', 'us-east'])

    def test_order_and_case_of_existing_regions_is_not_a_change(self):
        plan = plan_replicas(regions_of(us_east='available', fr_par='replicating'), ['fr-par', 'us-east'])
        assert not plan.changed

    def test_pending_deletion_counts_as_absent(self):
        plan = plan_replicas(regions_of(us_east='available', fr_par='pending deletion'), ['fr-par'])
        assert plan.added == ['fr-par']

    @pytest.mark.parametrize('status', ['pending replication', 'replicating', 'creating', 'pending'])
    def test_in_progress_counts_as_present(self, status):
        assert not plan_replicas(regions_of(us_east='available', fr_par=status), ['fr-par']).changed

    def test_purge_removes_unlisted(self):
        plan = plan_replicas(regions_of(us_east='available', fr_par='available'), ['us-east', 'nl-ams'], purge_regions=True)
        assert (plan.added, plan.removed) == (['nl-ams'], ['fr-par'])

    def test_absent_removes_only_listed(self):
        plan = plan_replicas(regions_of(us_east='available', fr_par='available', nl_ams='available'), ['fr-par', 'jp-osa'], 'absent')
        assert (plan.added, plan.removed, plan.request_regions) == ([], ['fr-par'], ['nl-ams', 'us-east'])

    def test_diff_sorted(self):
        plan = plan_replicas(regions_of(us_east='available'), ['fr-par', 'ap-south'])
        assert plan.diff() == {'before': {'regions': ['us-east']}, 'after': {'regions': ['ap-south', 'fr-par', 'us-east']}}

    def test_prediction_matches_api_shape(self):
        regions = regions_of(us_east='available', nl_ams='pending deletion', jp_osa='available')
        plan = plan_replicas(regions, ['nl-ams', 'fr-par', 'us-east'], purge_regions=True)
        assert plan.predict_regions(regions) == [
            {'region': 'fr-par', 'status': 'pending replication'},
            {'region': 'jp-osa', 'status': 'pending deletion'},
            {'region': 'nl-ams', 'status': 'pending replication'},
            {'region': 'us-east', 'status': 'available'},
        ]


class TestRefusals:
    def test_removing_every_region_refused(self):
        image = image_with(regions_of(us_east='available'))
        plan = plan_replicas(image['regions'], ['us-east'], 'absent')
        with pytest.raises(ReplicaRequestError, match='image delete operation'):
            refuse_unsafe_write(plan, image)

    def test_keeping_no_available_region_refused(self):
        image = image_with(regions_of(us_east='available', fr_par='replicating'))
        plan = plan_replicas(image['regions'], ['fr-par', 'nl-ams'], purge_regions=True)
        with pytest.raises(ReplicaRequestError, match='keeps no region where image private/1 is available now'):
            refuse_unsafe_write(plan, image)

    def test_image_not_available_refused_only_when_writing(self):
        image = image_with(regions_of(us_east='creating'), status='creating')
        with pytest.raises(ReplicaRequestError, match="status 'creating'") as caught:
            refuse_unsafe_write(plan_replicas(image['regions'], ['fr-par']), image)
        assert caught.value.field == 'image_id'
        refuse_unsafe_write(plan_replicas(image['regions'], ['us-east']), image)

    def test_check_mode_with_wait_predicts_past_a_creating_image(self):
        image = image_with(regions_of(us_east='creating'), status='creating')
        refuse_unsafe_write(plan_replicas(image['regions'], ['fr-par']), image, image_will_be_ready=True)


class TestWaitAndConcurrency:
    def test_pending_lists_unready_desired_and_lingering_removed(self):
        plan = plan_replicas(regions_of(us_east='available', jp_osa='available'), ['fr-par', 'us-east', 'nl-ams'], purge_regions=True)
        now = regions_of(us_east='available', fr_par='replicating', jp_osa='pending deletion')
        assert pending_replicas(now, plan) == [
            {'region': 'fr-par', 'status': 'replicating'},
            {'region': 'jp-osa', 'status': 'pending deletion'},
            {'region': 'nl-ams', 'status': 'missing'},
        ]
        assert pending_replicas(regions_of(us_east='available', fr_par='available', nl_ams='available'), plan) == []

    def test_region_added_by_another_run_and_dropped_is_detected(self):
        read = regions_of(us_east='available')
        plan = plan_replicas(read, ['fr-par'])
        answer = regions_of(us_east='available', fr_par='pending replication', nl_ams='pending deletion')
        assert concurrent_removals(read, plan, answer) == ['nl-ams']

    def test_our_own_removals_and_old_deletions_are_not_concurrent(self):
        read = regions_of(us_east='available', jp_osa='available', br_gru='pending deletion')
        plan = plan_replicas(read, ['jp-osa'], 'absent')
        answer = regions_of(us_east='available', jp_osa='pending deletion', br_gru='pending deletion')
        assert concurrent_removals(read, plan, answer) == []


region_lists = st.lists(
    st.tuples(st.sampled_from(REGION_IDS), st.sampled_from(REPLICA_STATUSES)), max_size=len(REGION_IDS),
    unique_by=lambda pair: pair[0]).map(lambda pairs: [{'region': r, 'status': s} for r, s in pairs])
requests_ = st.lists(st.sampled_from(REGION_IDS), min_size=1, max_size=len(REGION_IDS), unique=True)
states = st.sampled_from(['present', 'absent'])


@settings(max_examples=300)
@given(current=region_lists, requested=requests_, state=states, purge=st.booleans())
def test_properties_of_every_plan(current, requested, state, purge):
    plan = plan_replicas(current, requested, state, purge)
    held = held_regions(current)
    # changed exactly when the sets differ, whatever the order
    assert plan.changed == (held != plan.desired)
    assert plan.changed == bool(plan.added or plan.removed)
    if state == 'present' and not purge:
        assert plan.removed == [], 'present without purge must never remove a region'
    if state == 'absent':
        assert plan.added == [], 'absent must never add a region'
        assert set(plan.removed) <= set(requested), 'absent removes only what was listed'
    if state == 'present':
        assert set(requested) <= plan.desired
        assert not set(plan.removed) & set(requested)
    # nothing empty is ever posted
    image = image_with(current)
    try:
        refuse_unsafe_write(plan, image)
    except ReplicaRequestError:
        pass
    else:
        if plan.changed:
            assert plan.request_regions
    # applying the result again is a no-op
    again = plan_replicas(plan.predict_regions(current), requested, state, purge)
    assert not again.changed
    assert held_regions(plan.predict_regions(current)) == plan.desired
