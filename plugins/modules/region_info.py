#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudops.linode contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: region_info
short_description: List Linode regions, filtered by id, capability and status
version_added: 0.1.0
description:
  - Lists every Linode region (following pages) and keeps those that match all the filters given.
  - Use it to find the regions that can hold an image replica, that is the regions with status C(ok) and the
    C(Object Storage) capability.
  - Makes one paginated listing of C(GET /regions) and never changes anything.
author:
  - cloudops.linode maintainers (@cloudops)
options:
  ids:
    description:
      - Keep only these region ids, such as C(us-east) or C(fr-par).
      - Surrounding blanks and case are ignored and duplicates removed, as in M(cloudops.linode.image_replicas).
      - Ids that name no region are left out of RV(regions); an empty list or no value keeps every region.
    type: list
    elements: str
  capabilities:
    description:
      - Keep only the regions that have every one of these capabilities.
      - Spelt as the API spells them, case included, such as C(Object Storage) or C(Block Storage).
    type: list
    elements: str
  status:
    description:
      - Keep only the regions with this status.
    type: str
    choices: [ok, outage]
extends_documentation_fragment:
  - cloudops.linode.linode
  - cloudops.linode.linode.actiongroup_linode
attributes:
  check_mode:
    support: full
    description: Reads only, so it runs the same way in check mode.
  diff_mode:
    support: N/A
    description: Changes nothing, so there is no diff.
seealso:
  - module: cloudops.linode.image_replicas
  - module: cloudops.linode.image_info
  - name: List regions (Linode API)
    description: The API operation this module reads.
    link: https://techdocs.akamai.com/linode-api/reference/get-regions
'''

EXAMPLES = r'''
- name: Regions that can hold an image replica now
  cloudops.linode.region_info:
    capabilities: [Object Storage]
    status: ok
  register: replica_regions

- name: Show their ids
  ansible.builtin.debug:
    msg: "{{ replica_regions.regions | map(attribute='id') | list }}"

- name: Read two regions
  cloudops.linode.region_info:
    ids: [us-east, fr-par]
  register: two_regions
'''

RETURN = r'''
regions:
  description:
    - The matching regions, as the API returns them, in the API's order.
    - An empty list when no region matches.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The region id.
      type: str
      sample: us-east
    label:
      description: Where the region is.
      type: str
      sample: Newark, NJ
    country:
      description: The region's country code.
      type: str
      sample: us
    capabilities:
      description: What the region offers; replicas need C(Object Storage).
      type: list
      elements: str
      sample: [Linodes, Object Storage]
    status:
      description: C(ok) or C(outage).
      type: str
      sample: ok
    site_type:
      description: C(core) or C(distributed).
      type: str
      sample: core
  sample:
    - id: us-east
      label: Newark, NJ
      country: us
      capabilities: [Linodes, Block Storage, Object Storage]
      status: ok
      site_type: core
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cloudops.linode.plugins.module_utils._api import LinodeError
from ansible_collections.cloudops.linode.plugins.module_utils._base import LinodeModule, linode_argument_spec
from ansible_collections.cloudops.linode.plugins.module_utils._replicas import ReplicaRequestError, normalize_regions


def region_matches(region, ids, capabilities, status):
    """Whether one API Region object passes every filter given (None or empty means no filter)."""
    if ids and region.get('id') not in ids:
        return False
    if status and region.get('status') != status:
        return False
    offered = region.get('capabilities') or []
    return all(capability in offered for capability in capabilities or [])


class RegionInfo(LinodeModule):

    def __init__(self, module):
        super(RegionInfo, self).__init__(module)
        self.ids = None
        if module.params['ids']:
            try:
                self.ids = frozenset(normalize_regions(module.params['ids'], field='ids'))
            except ReplicaRequestError as exc:
                self.fail_on_error(exc)

    def run(self):
        params = self.module.params
        try:
            regions = self.client.list_regions()
        except LinodeError as exc:
            self.fail_on_error(exc)
        self.result['regions'] = [
            region for region in regions if region_matches(region, self.ids, params['capabilities'], params['status'])]


def main():
    argument_spec = linode_argument_spec()
    argument_spec.update(
        ids=dict(type='list', elements='str'),
        capabilities=dict(type='list', elements='str'),
        status=dict(type='str', choices=['ok', 'outage']),
    )
    region_info = RegionInfo(AnsibleModule(argument_spec=argument_spec, supports_check_mode=True))
    region_info.run()
    region_info.exit()


if __name__ == '__main__':
    main()
