# -*- coding: utf-8 -*-
# Copyright: cloudops.linode contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waiting, done once: one monotonic deadline per run and capped exponential backoff between polls.

Private to this collection: the interface may change in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time


class WaitTimeout(Exception):
    """The deadline passed; carries the last thing read and what was still pending."""

    def __init__(self, message, last_value, pending, waited):
        super(WaitTimeout, self).__init__(message)
        self.last_value = last_value
        self.pending = pending
        self.waited = waited


class Deadline(object):
    """Seconds left of one budget, on the monotonic clock (immune to wall-clock jumps)."""

    def __init__(self, seconds, clock=None):
        self._clock = clock or time.monotonic
        self.started = self._clock()
        self.expires = self.started + seconds

    def remaining(self):
        return max(0.0, self.expires - self._clock())

    def elapsed(self):
        return self._clock() - self.started

    def expired(self):
        return self.remaining() <= 0


# Past the backoff's cap, a poll every tenth of the time already waited (at most 30 s): a wait that
# took ten minutes learns it is over within a minute, with a few dozen reads instead of hundreds.
LONG_WAIT_POLL_FRACTION = 0.1
LONG_WAIT_POLL_MAX = 30.0


def backoff_delays(first=1.0, factor=1.5, cap=5.0):
    """1, 1.5, 2.25, ... seconds, never more than `cap`: quick to notice, gentle on rate limits."""
    delay = first
    while True:
        yield delay
        delay = min(cap, delay * factor)


def wait_until(fetch, still_pending, deadline, what, initial=None, delays=None, sleep=None):
    """Call `fetch()` until `still_pending(value)` is empty or `deadline` runs out.

    `still_pending` returns a list of `{'region', 'status'}`-like dicts (or any descriptions) of what
    is not done yet. Returns the last value read; raises WaitTimeout naming what was still pending
    and how long it waited. `initial` is a value the caller already holds (a write's answer, say);
    without it `fetch` runs first without sleeping. Either way a finished state costs no sleep.
    """
    delays = delays if delays is not None else backoff_delays()
    sleep = sleep or time.sleep
    value = fetch() if initial is None else initial
    pending = still_pending(value)
    while pending:
        remaining = deadline.remaining()
        if remaining <= 0:
            waited = deadline.elapsed()
            raise WaitTimeout(
                'Timed out after %d s waiting for %s; still pending: %s.' % (round(waited), what, describe_pending(pending)),
                value, pending, waited)
        delay = max(next(delays), min(LONG_WAIT_POLL_MAX, deadline.elapsed() * LONG_WAIT_POLL_FRACTION))
        sleep(min(delay, remaining))
        value = fetch()
        pending = still_pending(value)
    return value


def describe_pending(pending):
    return ', '.join('%s (%s)' % (entry['region'], entry['status']) if isinstance(entry, dict) else str(entry) for entry in pending)
