# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import itertools

import pytest

from ansible_collections.cloudops.linode.plugins.module_utils._wait import Deadline, WaitTimeout, backoff_delays, wait_until


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_backoff_grows_and_is_capped():
    assert list(itertools.islice(backoff_delays(1, 2, 5), 6)) == [1, 2, 4, 5, 5, 5]


def test_done_at_once_costs_no_sleep_and_no_read_with_initial_value():
    clock = FakeClock()
    reads = []
    value = wait_until(lambda: reads.append(1), lambda v: [], Deadline(10, clock), 'x', initial='ready', sleep=clock.sleep)
    assert (value, reads, clock.sleeps) == ('ready', [], [])


def test_polls_until_done_with_backoff():
    clock = FakeClock()
    answers = iter(['replicating', 'replicating', 'available'])
    value = wait_until(lambda: next(answers), lambda v: [] if v == 'available' else [v], Deadline(60, clock), 'x', sleep=clock.sleep)
    assert value == 'available'
    assert clock.sleeps == [1.0, 1.5]


def test_timeout_names_what_is_pending_and_how_long_it_waited():
    clock = FakeClock()
    pending = [{'region': 'fr-par', 'status': 'replicating'}]
    with pytest.raises(WaitTimeout) as caught:
        wait_until(lambda: 'image', lambda v: pending, Deadline(12, clock), 'the replicas of image private/1', sleep=clock.sleep)
    assert str(caught.value) == 'Timed out after 12 s waiting for the replicas of image private/1; still pending: fr-par (replicating).'
    assert caught.value.pending == pending
    assert caught.value.waited == pytest.approx(12)
    assert sum(clock.sleeps) == pytest.approx(12), 'the last sleep is trimmed to the deadline'
    assert max(clock.sleeps) <= 5


def test_long_waits_poll_less_often_but_at_most_every_30_s():
    clock = FakeClock()
    reads = []

    def fetch():
        reads.append(clock.now)
        return 'done' if clock.now - 100.0 >= 600 else 'replicating'
    wait_until(fetch, lambda v: [] if v == 'done' else [v], Deadline(3600, clock), 'x', sleep=clock.sleep)
    assert len(reads) < 45, 'a ten-minute replication is noticed with a few dozen reads, not 120'
    assert max(clock.sleeps) == 30
    assert clock.now - 100.0 - 600 <= 30, 'and within one capped interval of its end'
    assert clock.sleeps[:5] == [1.0, 1.5, 2.25, 3.375, 5.0], 'short waits keep the quick backoff'
