# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cloudops.linode.images inventory plugin, parsed as Ansible parses it, with a fake client or a local HTTP server."""

from __future__ import annotations

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible.errors import AnsibleError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader
from ansible.template import Templar

from ansible_collections.cloudops.linode.plugins.inventory import images as images_plugin
from ansible_collections.cloudops.linode.plugins.module_utils._api import LinodeAPIError

TOKEN = 'unit-inventory-token-5f2e9a'


def image(number, label, regions, status='available', **fields):
    return dict({
        'id': 'private/%d' % number, 'label': label, 'status': status, 'is_public': False, 'size': 2500,
        'total_size': 2621440000 * len(regions), 'tags': [], 'description': None,
        'regions': [{'region': r, 'status': s} for r, s in regions],
    }, **fields)


SEED = [
    image(12345, 'web-base-2024', [('us-east', 'available')], tags=['web', 'base']),
    image(12346, 'app-golden', [('us-east', 'available'), ('fr-par', 'replicating'), ('ap-south', 'pending deletion')]),
    image(12347, 'ci-build-wip', [('us-iad', 'creating')], status='creating'),
]


class FakeClient:
    """Records how it was built and every listing; answers the images of `FakeClient.images`."""

    images: list = []
    instances: list = []
    error = None

    def __init__(self, **options):
        self.options = options
        self.listings = []
        self.warnings = []
        FakeClient.instances.append(self)

    def list_images(self, x_filter=None):
        self.listings.append(x_filter)
        if FakeClient.error is not None:
            raise FakeClient.error
        return copy.deepcopy(FakeClient.images)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    @classmethod
    def listing_count(cls):
        return sum(len(client.listings) for client in cls.instances)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ('LINODE_API_TOKEN', 'LINODE_TOKEN', 'LINODE_API_URL', 'LINODE_API_VERSION', 'LINODE_CA',
                 'ANSIBLE_INVENTORY_CACHE', 'ANSIBLE_CACHE_PLUGIN', 'ANSIBLE_INVENTORY_CACHE_PLUGIN'):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_client(monkeypatch):
    FakeClient.images = copy.deepcopy(SEED)
    FakeClient.instances = []
    FakeClient.error = None
    monkeypatch.setattr(images_plugin, 'LinodeClient', FakeClient)
    return FakeClient


@pytest.fixture
def source(tmp_path):
    """Write an inventory source with these options; returns its path."""

    def write(name='test.linode_images.yml', **options):
        path = tmp_path / name
        path.write_text(json.dumps(dict({'plugin': 'cloudops.linode.images'}, **options)))
        return str(path)
    return write


def parse(path, cache=True):
    """Parse like InventoryManager does (a fresh plugin, then the cache flushed); returns the InventoryData."""
    plugin = inventory_loader.get('cloudops.linode.images')
    inventory = InventoryData()
    assert plugin.verify_file(path)
    plugin.parse(inventory, DataLoader(), path, cache=cache)
    if getattr(plugin, '_cache', None):
        plugin.update_cache_if_changed()
    return inventory


def group_hosts(inventory, group):
    return sorted(host.name for host in inventory.groups[group].get_hosts())


def host_vars(inventory, host):
    return inventory.get_host(host).get_vars()


def test_images_become_hosts_grouped_by_held_region_and_status(fake_client, source):
    inventory = parse(source(api_token=TOKEN))

    assert sorted(inventory.hosts) == ['app-golden', 'ci-build-wip', 'web-base-2024']
    assert group_hosts(inventory, 'region_us_east') == ['app-golden', 'web-base-2024']
    assert group_hosts(inventory, 'region_fr_par') == ['app-golden']  # in progress counts as held
    assert 'region_ap_south' not in inventory.groups  # pending deletion counts as gone
    assert group_hosts(inventory, 'status_available') == ['app-golden', 'web-base-2024']
    assert group_hosts(inventory, 'status_creating') == ['ci-build-wip']


def test_host_vars_describe_the_image_and_run_locally(fake_client, source):
    inventory = parse(source(api_token=TOKEN))

    app = host_vars(inventory, 'app-golden')
    assert app['linode_image_id'] == 'private/12346'
    assert app['linode_image_label'] == 'app-golden'
    assert app['linode_image_status'] == 'available'
    assert app['linode_image_regions'] == [
        {'region': 'ap-south', 'status': 'pending deletion'},
        {'region': 'fr-par', 'status': 'replicating'},
        {'region': 'us-east', 'status': 'available'},
    ]
    assert app['linode_image_held_regions'] == ['fr-par', 'us-east']
    assert app['linode_image_total_size'] == 3 * 2621440000
    assert app['ansible_connection'] == 'local'
    assert host_vars(inventory, 'web-base-2024')['linode_image_tags'] == ['web', 'base']


def test_one_private_listing_with_the_shared_api_options_from_the_environment(fake_client, source, monkeypatch):
    monkeypatch.setenv('LINODE_TOKEN', TOKEN)
    monkeypatch.setenv('LINODE_API_URL', 'http://127.0.0.1:9')
    parse(source(request_timeout=7))

    assert len(fake_client.instances) == 1
    client = fake_client.instances[0]
    assert client.listings == [{'is_public': False}]
    assert client.options['api_token'] == TOKEN
    assert client.options['api_url'] == 'http://127.0.0.1:9'
    assert client.options['request_timeout'] == 7


def test_the_token_is_in_no_host_variable(fake_client, source):
    inventory = parse(source(api_token=TOKEN))

    for host in inventory.hosts:
        assert TOKEN not in json.dumps(host_vars(inventory, host), default=str)


def test_the_interpreter_renders_and_image_text_is_never_templated(fake_client, source):
    fake_client.images = [image(1, 'tricky', [('us-east', 'available')], description="{{ lookup('env', 'HOME') }}")]
    inventory = parse(source(api_token=TOKEN))

    variables = dict(host_vars(inventory, 'tricky'), ansible_playbook_python='/opt/venv/bin/python')
    templar = Templar(loader=DataLoader(), variables=variables)
    assert templar.template(variables['ansible_python_interpreter']) == '/opt/venv/bin/python'
    assert templar.template(variables['linode_image_description']) == "{{ lookup('env', 'HOME') }}"


def test_local_connection_false_leaves_connection_unset(fake_client, source):
    inventory = parse(source(api_token=TOKEN, local_connection=False))

    assert 'ansible_connection' not in host_vars(inventory, 'app-golden')
    assert 'ansible_python_interpreter' not in host_vars(inventory, 'app-golden')


def test_shared_labels_get_the_image_number_and_odd_characters_are_replaced(fake_client, source):
    fake_client.images = [
        image(7, 'golden', [('us-east', 'available')]),
        image(8, 'golden', [('fr-par', 'available')]),
        image(9, 'my image/v2', [('us-east', 'available')]),
    ]
    inventory = parse(source(api_token=TOKEN))

    assert sorted(inventory.hosts) == ['golden_7', 'golden_8', 'my_image_v2']
    assert host_vars(inventory, 'golden_8')['linode_image_id'] == 'private/8'


def test_host_name_id(fake_client, source):
    inventory = parse(source(api_token=TOKEN, host_name='id'))

    assert sorted(inventory.hosts) == ['private_12345', 'private_12346', 'private_12347']


def test_label_patterns_and_regions_filter_the_hosts(fake_client, source):
    assert sorted(parse(source(api_token=TOKEN, labels=['web-*', 'ci-build-wip'])).hosts) == ['ci-build-wip', 'web-base-2024']
    assert sorted(parse(source(api_token=TOKEN, regions=[' FR-PAR'])).hosts) == ['app-golden']
    # a region the image is leaving does not select it
    assert sorted(parse(source(api_token=TOKEN, regions=['ap-south'])).hosts) == []
    assert sorted(parse(source(api_token=TOKEN, labels=['web-*'], regions=['fr-par'])).hosts) == []


def test_a_malformed_region_filter_is_refused_before_any_request(fake_client, source):
    with pytest.raises(AnsibleError, match='regions must hold Linode region ids') as caught:
        parse(source(api_token=TOKEN, regions=['us east!']))

    assert 'us east!' in str(caught.value)
    assert fake_client.listing_count() == 0


def test_constructed_options_add_groups_and_override_the_defaults(fake_client, source):
    inventory = parse(source(
        api_token=TOKEN,
        keyed_groups=[{'key': 'linode_image_tags', 'prefix': 'tag'}],
        groups={'multi_region': 'linode_image_held_regions | length > 1'},
        compose={'ansible_connection': "'ssh'", 'region_count': 'linode_image_held_regions | length'},
    ))

    assert group_hosts(inventory, 'tag_web') == ['web-base-2024']
    assert group_hosts(inventory, 'multi_region') == ['app-golden']
    assert host_vars(inventory, 'app-golden')['ansible_connection'] == 'ssh'
    # ansible-core < 2.19 templates a composed value to its text unless jinja2_native is set; 2.19+ keeps the int.
    assert str(host_vars(inventory, 'app-golden')['region_count']) == '2'


def test_without_a_token_it_fails_clearly_before_any_request(fake_client, source):
    with pytest.raises(AnsibleError, match='No Linode API token: set api_token in the inventory source, or the LINODE_API_TOKEN'):
        parse(source())

    assert fake_client.instances == []


def test_without_requests_it_names_the_library(fake_client, source, monkeypatch):
    monkeypatch.setattr(images_plugin, 'HAS_REQUESTS', False)

    with pytest.raises(AnsibleError, match='needs the Python library requests on the controller'):
        parse(source(api_token=TOKEN))
    assert fake_client.instances == []


def test_an_api_error_becomes_one_readable_error(fake_client, source):
    fake_client.error = LinodeAPIError(401, [{'reason': 'Invalid Token'}], 'GET', '/v4/images', hint='check api_token')

    with pytest.raises(AnsibleError) as caught:
        parse(source(api_token=TOKEN))

    assert str(caught.value).startswith('cloudops.linode.images: could not list the private images: GET /v4/images failed (401): Invalid Token')


def test_verify_file_wants_the_linode_images_suffix(source):
    plugin = inventory_loader.get('cloudops.linode.images')

    assert plugin.verify_file(source('prod.linode_images.yaml'))
    assert plugin.verify_file(source('linode_images.yml'))
    assert not plugin.verify_file(source('inventory.yml'))


# caching

def test_with_cache_the_second_parse_makes_no_request(fake_client, source, tmp_path):
    path = source(api_token=TOKEN, cache=True, cache_plugin='ansible.builtin.jsonfile', cache_connection=str(tmp_path / 'cache'))

    first = parse(path)
    assert fake_client.listing_count() == 1
    fake_client.images = []  # what the API says now must not matter while the cache is fresh
    second = parse(path)

    assert fake_client.listing_count() == 1
    assert sorted(second.hosts) == sorted(first.hosts)
    cached = ''.join(p.read_text() for p in (tmp_path / 'cache').iterdir())
    assert 'private/12346' in cached and TOKEN not in cached


def test_a_refresh_reads_the_api_and_updates_the_cache(fake_client, source, tmp_path):
    path = source(api_token=TOKEN, cache=True, cache_plugin='ansible.builtin.jsonfile', cache_connection=str(tmp_path / 'cache'))
    parse(path)
    fake_client.images = [image(99, 'newer', [('us-east', 'available')])]

    refreshed = parse(path, cache=False)  # what --flush-cache and meta: refresh_inventory do
    assert fake_client.listing_count() == 2
    assert sorted(refreshed.hosts) == ['newer']
    assert sorted(parse(path).hosts) == ['newer']
    assert fake_client.listing_count() == 2


def test_another_api_url_does_not_reuse_the_cached_listing(fake_client, source, tmp_path, monkeypatch):
    path = source(api_token=TOKEN, cache=True, cache_plugin='ansible.builtin.jsonfile', cache_connection=str(tmp_path / 'cache'))
    parse(path)
    monkeypatch.setenv('LINODE_API_URL', 'http://127.0.0.1:9')
    parse(path)

    assert fake_client.listing_count() == 2


def test_without_cache_every_parse_lists(fake_client, source):
    path = source(api_token=TOKEN)
    parse(path)
    parse(path)

    assert fake_client.listing_count() == 2


# the real client over HTTP

class _ImagesHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.0'

    def log_message(self, *args):
        pass

    def do_GET(self):  # pylint: disable=invalid-name
        server = self.server
        server.seen.append({'path': self.path, 'filter': self.headers.get('X-Filter'), 'auth': self.headers.get('Authorization')})
        status, body = server.answer
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def images_server():
    server = ThreadingHTTPServer(('127.0.0.1', 0), _ImagesHandler)
    server.seen = []
    server.answer = (200, {'data': copy.deepcopy(SEED), 'page': 1, 'pages': 1, 'results': len(SEED)})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_over_http_one_filtered_request_with_the_bearer_token(images_server, source):
    url = 'http://127.0.0.1:%d' % images_server.server_address[1]
    inventory = parse(source(api_token=TOKEN, api_url=url))

    assert sorted(inventory.hosts) == ['app-golden', 'ci-build-wip', 'web-base-2024']
    assert len(images_server.seen) == 1
    assert images_server.seen[0]['path'].startswith('/v4/images?')
    assert json.loads(images_server.seen[0]['filter']) == {'is_public': False}
    assert images_server.seen[0]['auth'] == 'Bearer ' + TOKEN


def test_over_http_a_401_names_the_fix_and_never_the_token(images_server, source):
    images_server.answer = (401, {'errors': [{'reason': 'Invalid Token'}]})
    url = 'http://127.0.0.1:%d' % images_server.server_address[1]

    with pytest.raises(AnsibleError) as caught:
        parse(source(api_token=TOKEN, api_url=url))

    message = str(caught.value)
    assert 'GET /v4/images failed (401): Invalid Token' in message
    assert 'LINODE_API_TOKEN' in message
    assert TOKEN not in message
