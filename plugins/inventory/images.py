# -*- coding: utf-8 -*-
# Copyright: cloudops.linode contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
name: images
short_description: Linode private images as inventory hosts, grouped by region and status
version_added: 0.1.0
author:
  - cloudops.linode maintainers (@cloudops)
description:
  - Lists the private images the token can see with one API listing per refresh (C(GET /images) filtered to
    C(is_public=false); one request per 500 images) and makes each image an inventory host, so a play can replicate
    many images at once with O(ignore:forks) (see the C(playbooks/replicate_by_inventory.yml) example).
  - The host name is the image's label with every character other than letters, digits, C(_), C(.) and C(-)
    replaced by C(_). When several listed images share that name, each of them is named C(<label>_<number>)
    instead, the number being the one of its C(private/<number>) id. Set O(host_name=id) for names that never change.
  - "Groups: C(region_<region>) (dashes become underscores, for example C(region_us_east)) for each region that holds
    the image or is getting it, that is every region whose replica status is not C(pending deletion); and
    C(status_<status>) for the image's own status: C(status_available), C(status_creating), C(status_pending_upload)."
  - "Host variables: C(linode_image_id), C(linode_image_label), C(linode_image_status), C(linode_image_regions)
    (a list of C({region, status}) sorted by region), C(linode_image_held_regions) (the region ids whose status is not
    C(pending deletion), sorted), C(linode_image_size) (MB), C(linode_image_total_size) (bytes), C(linode_image_tags)
    and C(linode_image_description)."
  - "With O(local_connection=true) every host also gets C(ansible_connection=local) and
    C(ansible_python_interpreter={{ ansible_playbook_python }}), so the tasks of a C(hosts: <group>) play run on the
    controller with the Python that runs Ansible. Variables set with O(compose), C(host_vars/) files or play
    C(vars) take precedence over these two."
  - The inventory source is a YAML file whose name ends in C(linode_images.yml) or C(linode_images.yaml).
  - The API token is never put in host variables, in the cache or in error messages.
options:
  plugin:
    description: The name of this plugin; must be C(cloudops.linode.images) for this file to be used.
    type: str
    required: true
    choices: [cloudops.linode.images]
  labels:
    description:
      - Only images whose label matches one of these shell-style patterns, such as C(web-*) or C(app-golden).
      - Matching is case-sensitive. An empty list keeps every label.
    type: list
    elements: str
    default: []
  regions:
    description:
      - Only images held in at least one of these regions (any replica status but C(pending deletion)).
      - Region ids such as C(us-east); case and surrounding blanks are ignored. An empty list keeps every image.
    type: list
    elements: str
    default: []
  host_name:
    description:
      - V(label) names each host after the image's label (see the description for how names are kept unique).
      - V(id) names each host C(private_<number>) after the image id, which never changes.
    type: str
    choices: [label, id]
    default: label
  local_connection:
    description:
      - Give every host C(ansible_connection=local) and C(ansible_python_interpreter={{ ansible_playbook_python }}).
      - Set to V(false) to leave both unset, for example to run the tasks through a delegate host you choose.
    type: bool
    default: true
extends_documentation_fragment:
  - cloudops.linode.linode
  - cloudops.linode.linode.inventory
  - constructed
  - inventory_cache
notes:
  - "With O(cache=true), the listing is kept by the cache plugin for O(cache_timeout) seconds;
    C(--flush-cache) (of C(ansible-playbook), and of C(ansible-inventory) in recent ansible-core)
    and C(meta: refresh_inventory) read the API again."
  - Needs the Python library C(requests) on the controller.
seealso:
  - module: cloudops.linode.image_replicas
  - name: List images (Linode API)
    description: The API operation this plugin reads.
    link: https://techdocs.akamai.com/linode-api/reference/get-images
'''

EXAMPLES = r'''
# File: inventory/linode_images.yml
# Every private image; the token comes from LINODE_API_TOKEN (or LINODE_TOKEN).
plugin: cloudops.linode.images

---
# File: inventory/web.linode_images.yml
# Only the web images held in us-east, named by id, listing cached for 10 minutes,
# plus a group per tag and a variable for the number of regions.
plugin: cloudops.linode.images
labels:
  - web-*
regions:
  - us-east
host_name: id
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-inventory
cache_timeout: 600
keyed_groups:
  - key: linode_image_tags
    prefix: tag
compose:
  linode_image_region_count: linode_image_held_regions | length
groups:
  multi_region: linode_image_held_regions | length > 1
'''

import fnmatch
import re
import sys

from ansible.errors import AnsibleError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.cloudops.linode.plugins.module_utils._api import HAS_REQUESTS, LinodeClient, LinodeError
from ansible_collections.cloudops.linode.plugins.module_utils._replicas import (
    LEAVING_STATUS,
    ReplicaRequestError,
    held_regions,
    normalize_regions,
)

try:
    from ansible.template import trust_as_template  # ansible-core >= 2.19
except ImportError:
    trust_as_template = None

if trust_as_template is None:
    # Before 2.19 every inventory string is a template unless marked unsafe; labels, tags and descriptions
    # come from whoever can write images, so they must never be rendered.
    from ansible.utils.unsafe_proxy import wrap_var as _untrusted
else:
    def _untrusted(value):
        # From 2.19 on, strings an inventory plugin sets are not templated unless trusted explicitly.
        return value

INTERPRETER_TEMPLATE = '{{ ansible_playbook_python }}'
_UNSAFE_NAME_CHARS = re.compile(r'[^A-Za-z0-9_.-]')
_UNSAFE_GROUP_CHARS = re.compile(r'[^A-Za-z0-9_]')


def group_name(prefix, value):
    return '%s_%s' % (prefix, _UNSAFE_GROUP_CHARS.sub('_', str(value)))


def image_number(image):
    return str(image['id']).split('/', 1)[-1]


def host_names(images, naming):
    """Map each image id to its host name; a label shared by several images gets each image's number appended."""
    if naming == 'id':
        return dict((image['id'], 'private_%s' % image_number(image)) for image in images)
    by_label = {}
    for image in images:
        label = _UNSAFE_NAME_CHARS.sub('_', image.get('label') or '') or 'private_%s' % image_number(image)
        by_label.setdefault(label, []).append(image)
    names = {}
    for label, sharing in by_label.items():
        for image in sharing:
            names[image['id']] = label if len(sharing) == 1 else '%s_%s' % (label, image_number(image))
    return names


def sorted_regions(image):
    return sorted(image.get('regions') or [], key=lambda entry: entry['region'])


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'cloudops.linode.images'

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(('linode_images.yml', 'linode_images.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        region_filter = self._region_filter()
        images = self._private_images(path, use_cache=cache)
        selected = [image for image in images if self._selected(image, region_filter)]
        names = host_names(selected, self.get_option('host_name'))
        for image in sorted(selected, key=lambda image: names[image['id']]):
            self._add_image(names[image['id']], image)

    def _region_filter(self):
        regions = self.get_option('regions')
        if not regions:
            return None
        try:
            return frozenset(normalize_regions(regions))
        except ReplicaRequestError as exc:
            raise AnsibleError('cloudops.linode.images: %s' % exc)

    def _selected(self, image, region_filter):
        patterns = self.get_option('labels')
        if patterns and not any(fnmatch.fnmatchcase(image.get('label') or '', pattern) for pattern in patterns):
            return False
        return region_filter is None or bool(region_filter & held_regions(image.get('regions') or []))

    # the one API listing, through the cache

    def _private_images(self, path, use_cache):
        # The endpoint is part of the key, so pointing the same file at another API does not reuse a listing.
        cache_key = self.get_cache_key('%s|%s|%s' % (path, self.get_option('api_url'), self.get_option('api_version')))
        caching = self.get_option('cache')
        if caching and use_cache:
            try:
                return self._cache[cache_key]
            except KeyError:
                pass
        images = self._list_private_images()
        if caching:
            self._cache[cache_key] = images
        return images

    def _list_private_images(self):
        if not HAS_REQUESTS:
            raise AnsibleError(
                'cloudops.linode.images needs the Python library requests on the controller (the Python running Ansible: %s); '
                'install it with: %s -m pip install requests' % (sys.executable, sys.executable))
        token = self.get_option('api_token')
        if not token:
            raise AnsibleError(
                'No Linode API token: set api_token in the inventory source, or the LINODE_API_TOKEN or LINODE_TOKEN environment variable.')
        try:
            with LinodeClient(
                api_token=token,
                api_url=self.get_option('api_url'),
                api_version=self.get_option('api_version'),
                validate_certs=self.get_option('validate_certs'),
                ca_path=self.get_option('ca_path'),
                request_timeout=self.get_option('request_timeout'),
            ) as client:
                images = client.list_images({'is_public': False})
                for warning in client.warnings:
                    self.display.warning(warning)
        except LinodeError as exc:
            raise AnsibleError('cloudops.linode.images: could not list the private images: %s' % exc)
        # The filter asked for private images; an API that ignored it must still not turn public ones into hosts.
        return [image for image in images if isinstance(image, dict) and image.get('id') and not image.get('is_public')]

    # one host per image

    def _add_image(self, host, image):
        self.inventory.add_host(host)
        regions = sorted_regions(image)
        variables = {
            'linode_image_id': image['id'],
            'linode_image_label': image.get('label'),
            'linode_image_status': image.get('status'),
            'linode_image_regions': [{'region': entry['region'], 'status': entry['status']} for entry in regions],
            'linode_image_held_regions': sorted(held_regions(regions)),
            'linode_image_size': image.get('size'),
            'linode_image_total_size': image.get('total_size'),
            'linode_image_tags': list(image.get('tags') or []),
            'linode_image_description': image.get('description'),
        }
        for name, value in variables.items():
            self.inventory.set_variable(host, name, _untrusted(value))
        if self.get_option('local_connection'):
            self.inventory.set_variable(host, 'ansible_connection', 'local')
            interpreter = trust_as_template(INTERPRETER_TEMPLATE) if trust_as_template else INTERPRETER_TEMPLATE
            self.inventory.set_variable(host, 'ansible_python_interpreter', interpreter)

        for entry in regions:
            if entry['status'] != LEAVING_STATUS:
                self.inventory.add_child(self.inventory.add_group(group_name('region', entry['region'])), host)
        if image.get('status'):
            self.inventory.add_child(self.inventory.add_group(group_name('status', image['status'])), host)

        strict = self.get_option('strict')
        host_vars = self.inventory.get_host(host).get_vars()
        self._set_composite_vars(self.get_option('compose'), host_vars, host, strict=strict)
        self._add_host_to_composed_groups(self.get_option('groups'), host_vars, host, strict=strict)
        self._add_host_to_keyed_groups(self.get_option('keyed_groups'), host_vars, host, strict=strict)
