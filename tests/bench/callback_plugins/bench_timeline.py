# -*- coding: utf-8 -*-
# Copyright: cloudops.linode contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark helper (not shipped): writes when each task started and when each host/item finished.

Enabled by tests/bench/bench.py with ANSIBLE_CALLBACKS_ENABLED=bench_timeline; the JSON goes to the file
named by BENCH_TIMELINE. Times are epoch seconds (time.time()), the clock the emulator's request log uses,
so API requests can be attributed to the task that was running when they arrived.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: bench_timeline
type: aggregate
short_description: Record task start and result times for the benchmark harness
description:
  - Writes a JSON list of tasks, each with its start time and the time every host (and loop item) finished.
options: {}
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_timeline'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self.tasks = []
        self.by_uuid = {}
        self.started = time.time()

    def _task(self, task):
        entry = self.by_uuid.get(task._uuid)
        if entry is None:
            entry = {'name': task.get_name(), 'start': time.time(), 'results': [], 'items': []}
            self.by_uuid[task._uuid] = entry
            self.tasks.append(entry)
        return entry

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._task(task)

    def _record(self, result, outcome, key='results'):
        now = time.time()
        data = result._result
        self._task(result._task)[key].append({
            'host': result._host.get_name(),
            'end': now,
            'outcome': outcome,
            'changed': bool(data.get('changed')),
            'msg': str(data.get('msg', ''))[:500] if outcome == 'failed' else '',
        })

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'failed')

    def v2_runner_item_on_ok(self, result):
        self._record(result, 'ok', key='items')

    def v2_runner_item_on_failed(self, result):
        self._record(result, 'failed', key='items')

    def v2_runner_item_on_skipped(self, result):
        self._record(result, 'skipped', key='items')

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get('BENCH_TIMELINE')
        if not path:
            return
        with open(path, 'w') as handle:
            json.dump({'started': self.started, 'ended': time.time(), 'tasks': self.tasks}, handle)
