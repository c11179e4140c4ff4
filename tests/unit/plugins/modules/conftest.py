# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module's main() in-process with a fake API client; integration tests use the real emulator."""

from __future__ import annotations

import contextlib
import copy
import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.cloudops.linode.plugins.module_utils import _base
from ansible_collections.cloudops.linode.plugins.module_utils._api import LinodeAPIError

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    @contextlib.contextmanager
    def patch_module_args(args):
        serialized = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
        with pytest.MonkeyPatch.context() as patcher:
            patcher.setattr(basic, '_ANSIBLE_ARGS', serialized)
            yield


class ModuleExit(Exception):
    def __init__(self, result, failed):
        super().__init__(result)
        self.result = result
        self.failed = failed


class FakeClient:
    """Holds images like the API does and records every call; `post_failures` scripts write failures."""

    instances: list = []

    def __init__(self, **options):
        self.options = options
        self.warnings = []
        self.calls = []
        self.images = {}
        self.regions = []
        self.post_failures = []
        self.after_post = None
        FakeClient.instances.append(self)

    def get_image(self, image_id):
        self.calls.append(('GET', image_id))
        if image_id not in self.images:
            raise LinodeAPIError(404, [{'reason': 'Not found'}], 'GET', '/v4/images/' + image_id)
        return copy.deepcopy(self.images[image_id])

    def replicate_image(self, image_id, regions):
        self.calls.append(('POST', image_id, list(regions)))
        failure = self.post_failures.pop(0) if self.post_failures else None
        if failure is not None and not failure.get('applied'):
            raise failure['error']
        image = self.images[image_id]
        statuses = {entry['region']: entry['status'] for entry in image['regions']}
        kept = {r: s for r, s in statuses.items() if s != 'pending deletion'}
        new = [{'region': r, 'status': kept.get(r, 'pending replication')} for r in regions]
        new += [{'region': r, 'status': 'pending deletion'} for r in statuses if r not in regions]
        image['regions'] = new
        if self.after_post:
            self.after_post(self)
        if failure is not None:
            raise failure['error']
        return copy.deepcopy(image)

    def list_regions(self):
        self.calls.append(('LIST', 'regions'))
        return copy.deepcopy(self.regions)

    def list_images(self, x_filter=None):
        self.calls.append(('LIST', 'images', x_filter))
        return [copy.deepcopy(image) for image in self.images.values() if matches_x_filter(image, x_filter)]

    def close(self):
        pass


def matches_x_filter(item, x_filter):
    """The part of the API's X-Filter the modules send: field equality and `+and`."""
    if not x_filter:
        return True
    for key, value in x_filter.items():
        if key == '+and':
            if not all(matches_x_filter(item, part) for part in value):
                return False
        elif item.get(key) != value:
            return False
    return True


@pytest.fixture
def fake_api(monkeypatch):
    FakeClient.instances = []
    monkeypatch.setattr(_base, 'LinodeClient', FakeClient)
    seeded = {}
    yield seeded


@pytest.fixture
def fake_regions(monkeypatch):
    """The regions every FakeClient of the test lists; append API Region objects to it."""
    regions = []
    original_init = FakeClient.__init__

    def init(self, **options):
        original_init(self, **options)
        self.regions = regions
    monkeypatch.setattr(FakeClient, '__init__', init)
    yield regions


@pytest.fixture
def run_module(monkeypatch, fake_api):
    """Run `module.main()` with args; returns (result, client) and whether it failed."""

    def exit_json(self, **result):
        raise ModuleExit(result, failed=False)

    def fail_json(self, msg, **result):
        result['msg'] = msg
        raise ModuleExit(result, failed=True)

    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, msg: warnings.append(msg))

    def run(module, args, prepare=None):
        original_init = FakeClient.__init__

        def init(self, **options):
            original_init(self, **options)
            self.images = copy.deepcopy(fake_api)
            if prepare:
                prepare(self)
        monkeypatch.setattr(FakeClient, '__init__', init)
        args = dict({'api_token': 'unit-test-token'}, **args)
        with patch_module_args(args):
            with pytest.raises(ModuleExit) as caught:
                module.main()
        client = FakeClient.instances[-1] if FakeClient.instances else None
        caught.value.result.setdefault('warnings', []).extend(warnings)
        del warnings[:]
        return caught.value, client

    return run
