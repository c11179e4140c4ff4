#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudops.linode contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: image_replicas
short_description: Keep a Linode private image replicated to the regions you want
version_added: 0.1.0
description:
  - Reads the image's current regions, computes the region set you asked for, and sends one replicate
    request only when that set differs from the current one (compared as sets, never by order).
  - The Linode API call replaces an image's whole region set, so a careless client removes every region it
    leaves out, the image's original region included. This module never removes a region you did not ask
    to remove; with O(state=present) it only adds unless O(purge_regions=true).
  - Regions in C(pending deletion) count as absent; regions in C(pending replication), C(replicating),
    C(creating) or C(pending) count as present.
  - Refuses, before any request that writes, a region set that would be empty or would keep no region where
    the image is C(available) now.
  - If a write times out or its connection drops after it was sent, the image is read again and the write
    is sent again only if the region set still differs.
  - If the write's answer shows that a region which another run added at the same moment is being dropped,
    the module puts it back with a second write and warns. See the replication semantics guide for what
    concurrent runs can and cannot do.
author:
  - cloudops.linode maintainers (@cloudops)
options:
  image_id:
    description:
      - The private image to replicate, such as C(private/12345). A bare number is taken as C(private/<number>).
      - Public images (C(linode/...)) are refused.
    type: str
    required: true
  regions:
    description:
      - Compute region ids, such as C(us-east) or C(fr-par).
      - Surrounding blanks and case are ignored and duplicates removed. An empty list is an error.
      - With O(state=present), these regions hold a replica afterwards; with O(state=absent), they do not.
      - Every region that gets a replica must support Object Storage.
    type: list
    elements: str
    required: true
  state:
    description:
      - V(present) ensures each listed region holds a replica and keeps the image's other regions
        (unless O(purge_regions=true)).
      - V(absent) removes the listed regions' replicas and keeps the others.
    type: str
    choices: [present, absent]
    default: present
  purge_regions:
    description:
      - With O(state=present), make the image's region set exactly O(regions), removing every region not listed.
      - Ignored with O(state=absent).
    type: bool
    default: false
  wait:
    description:
      - Wait until every desired region is C(available) and every removed region is gone.
      - If the image itself is not C(available) yet, wait for that first, within the same O(wait_timeout).
      - Never waits in check mode.
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds to wait in all, when O(wait=true), from the start of the task.
      - Polls back off exponentially from 1 to 5 seconds apart; past that, a long wait polls every tenth of the time already waited, at most every 30 seconds.
    type: int
    default: 600
extends_documentation_fragment:
  - cloudops.linode.linode
  - cloudops.linode.linode.actiongroup_linode
attributes:
  check_mode:
    support: full
    description: Makes no write and returns the result a real run would return, with the predicted region statuses.
  diff_mode:
    support: full
    description: Shows the region set before and after, sorted.
seealso:
  - module: cloudops.linode.image_info
  - module: cloudops.linode.region_info
  - name: Replicate an image (Linode API)
    description: The API operation this module drives.
    link: https://techdocs.akamai.com/linode-api/reference/post-replicate-image
'''

EXAMPLES = r'''
- name: Make sure the image has replicas in us-east and fr-par (keeps its other regions)
  cloudops.linode.image_replicas:
    image_id: private/12345
    regions:
      - us-east
      - fr-par

- name: Preview the change without making it
  cloudops.linode.image_replicas:
    image_id: private/12345
    regions: [us-east, fr-par]
  check_mode: true
  diff: true
  register: preview

- name: Make the region set exactly these two (removes every other replica)
  cloudops.linode.image_replicas:
    image_id: private/12345
    regions: [us-east, fr-par]
    purge_regions: true

- name: Remove the replica in fr-par
  cloudops.linode.image_replicas:
    image_id: private/12345
    regions: [fr-par]
    state: absent

- name: Replicate and wait until every replica is available (at most 15 minutes)
  cloudops.linode.image_replicas:
    image_id: 12345
    regions: [us-east, fr-par, ap-south]
    wait: true
    wait_timeout: 900

- name: Set the API options once for every module of the collection
  module_defaults:
    group/cloudops.linode.linode:
      api_token: "{{ linode_api_token }}"
      request_timeout: 20
  block:
    - name: Replicate the golden image
      cloudops.linode.image_replicas:
        image_id: private/12345
        regions: [us-east]
'''

RETURN = r'''
image:
  description:
    - The image as the API answered it after the change (after waiting, with O(wait=true)).
    - In check mode, the image as read with RV(regions) as the API would answer after the change.
  returned: success
  type: dict
  sample:
    id: private/12345
    label: golden-debian12
    status: available
    size: 2500
    total_size: 5242880000
    is_public: false
    type: manual
    regions:
      - region: us-east
        status: available
      - region: fr-par
        status: pending replication
regions:
  description: The image's regions with their replica status, sorted by region; the same list as in RV(image).
  returned: success
  type: list
  elements: dict
  contains:
    region:
      description: The region id.
      type: str
      sample: fr-par
    status:
      description: One of C(available), C(creating), C(pending), C(pending deletion), C(pending replication), C(replicating).
      type: str
      sample: pending replication
  sample:
    - region: fr-par
      status: pending replication
    - region: us-east
      status: available
added:
  description: Regions this run gave a replica (or would, in check mode), sorted.
  returned: success
  type: list
  elements: str
  sample: [fr-par]
removed:
  description: Regions whose replica this run removed (or would, in check mode), sorted.
  returned: success
  type: list
  elements: str
  sample: []
restored:
  description:
    - Regions another run added at the same time that this run's write dropped and then put back with a second write.
    - Empty in almost every run; a warning explains it when it is not.
  returned: success
  type: list
  elements: str
  sample: []
failure:
  description: Why the task failed, for playbooks that branch on it.
  returned: failure
  type: dict
  sample:
    kind: LinodeAPIError
    status: 400
    method: POST
    path: /v4/images/private/12345/regions
    errors:
      - reason: Region ca-central does not support Object Storage
        field: regions
pending:
  description: On a wait timeout, the regions still not in their final state, with their statuses.
  returned: failure
  type: list
  elements: dict
  sample:
    - region: fr-par
      status: replicating
waited:
  description: On a wait timeout, the seconds waited.
  returned: failure
  type: float
  sample: 600.2
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cloudops.linode.plugins.module_utils._api import LinodeAPIError, LinodeConnectionError, LinodeError
from ansible_collections.cloudops.linode.plugins.module_utils._base import LinodeModule, linode_argument_spec
from ansible_collections.cloudops.linode.plugins.module_utils._replicas import (
    ReplicaRequestError,
    concurrent_removals,
    held_regions,
    normalize_image_id,
    normalize_regions,
    pending_replicas,
    plan_replicas,
    refuse_unsafe_write,
)
from ansible_collections.cloudops.linode.plugins.module_utils._wait import Deadline, WaitTimeout, wait_until

# A write whose answer was lost may still have been applied: these answers are resolved by reading again.
AMBIGUOUS_WRITE_STATUSES = (500, 502, 503, 504)
MAX_WRITE_ATTEMPTS = 3
# Each restore is itself a write other runs can race with; past this the runs are fighting and a person should look.
MAX_RESTORE_ROUNDS = 2


def is_ambiguous_write_failure(exc):
    if isinstance(exc, LinodeConnectionError):
        return exc.request_sent
    return isinstance(exc, LinodeAPIError) and exc.status in AMBIGUOUS_WRITE_STATUSES


class ImageReplicas(LinodeModule):

    def __init__(self, module):
        super(ImageReplicas, self).__init__(module)
        params = module.params
        if params['wait_timeout'] <= 0:
            self.fail_on_error(ReplicaRequestError(
                'wait_timeout', 'wait_timeout must be a number of seconds greater than 0, got %s.' % params['wait_timeout']))
        self.deadline = Deadline(params['wait_timeout'])
        try:
            self.image_id = normalize_image_id(params['image_id'])
            self.regions = normalize_regions(params['regions'])
        except ReplicaRequestError as exc:
            self.fail_on_error(exc)
        self.waiting = params['wait'] and not module.check_mode

    def run(self):
        try:
            image = self._get()
            plan = self._compare(image)
            image = self._apply(image, plan)
            if self.waiting:
                image = self._wait_for_replicas(image, plan)
        except (LinodeError, ReplicaRequestError) as exc:
            self.fail_on_error(exc, image_id=self.image_id)
        except WaitTimeout as exc:
            self._set_image(exc.last_value)
            self.fail(str(exc), failure={'kind': 'WaitTimeout'}, pending=exc.pending, waited=round(exc.waited, 1))
        self._set_image(image)

    def _get(self):
        try:
            image = self.client.get_image(self.image_id)
        except LinodeAPIError as exc:
            if exc.status == 404:
                raise ReplicaRequestError('image_id', 'image_id %s: no such image is visible to this token (%s).' % (self.image_id, exc))
            raise
        if image.get('is_public'):
            raise ReplicaRequestError('image_id', 'image_id %s is a public image; only private images can be replicated.' % self.image_id)
        if self.waiting and image.get('status') != 'available':
            image = wait_until(
                self._read_image, lambda img: [] if img.get('status') == 'available' else ['image status %s' % img.get('status')],
                self.deadline, 'image %s to become available' % self.image_id, initial=image)
        return image

    def _compare(self, image):
        params = self.module.params
        plan = plan_replicas(image.get('regions') or [], self.regions, params['state'], params['purge_regions'])
        refuse_unsafe_write(plan, image, image_will_be_ready=params['wait'] and self.module.check_mode)
        self.result.update(added=plan.added, removed=plan.removed, restored=[])
        if self.module._diff:
            self.result['diff'] = plan.diff()
        return plan

    def _apply(self, image, plan):
        if not plan.changed:
            return image
        if self.module.check_mode:
            self._mark_as_changed()
            return dict(image, regions=plan.predict_regions(image.get('regions') or []))
        seen_regions = image.get('regions') or []
        for dummy in range(MAX_RESTORE_ROUNDS + 1):
            answer = self._write(plan)
            self._mark_as_changed()
            dropped = concurrent_removals(seen_regions, plan, answer.get('regions') or [])
            if not dropped:
                return answer
            self.module.warn(
                'Another run added %s to image %s while this run was writing; this run\'s write dropped it, '
                'so it was put back.' % (', '.join(dropped), self.image_id))
            self.result['restored'] = sorted(set(self.result['restored']) | set(dropped))
            seen_regions = answer.get('regions') or []
            # Added to what the answer holds, never purged: a region yet another run wrote in after us stays too.
            plan = plan_replicas(seen_regions, sorted(plan.desired | set(dropped)), 'present')
        return answer

    def _write(self, plan):
        """Send the plan; after an ambiguous failure, read again and resend only if the set still differs."""
        for attempt in range(1, MAX_WRITE_ATTEMPTS + 1):
            try:
                return self.client.replicate_image(self.image_id, plan.request_regions)
            except (LinodeAPIError, LinodeConnectionError) as exc:
                if not is_ambiguous_write_failure(exc):
                    raise
                self.module.warn('Write %d of at most %d to image %s may not have been applied (%s); reading the image again.'
                                 % (attempt, MAX_WRITE_ATTEMPTS, self.image_id, exc))
                failure = exc
            image = self._read_image()
            if held_regions(image.get('regions') or []) == plan.desired:
                return image
        raise failure

    def _wait_for_replicas(self, image, plan):
        return wait_until(
            self._read_image, lambda img: pending_replicas(img.get('regions') or [], plan),
            self.deadline, 'the replicas of image %s' % self.image_id, initial=image)

    def _read_image(self):
        return self.client.get_image(self.image_id)

    def _set_image(self, image):
        self.result['image'] = image
        self.result['regions'] = sorted(image.get('regions') or [], key=lambda entry: entry['region'])


def main():
    argument_spec = linode_argument_spec()
    argument_spec.update(
        image_id=dict(type='str', required=True),
        regions=dict(type='list', elements='str', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        purge_regions=dict(type='bool', default=False),
        wait=dict(type='bool', default=False),
        wait_timeout=dict(type='int', default=600),
    )
    replicas = ImageReplicas(AnsibleModule(argument_spec=argument_spec, supports_check_mode=True))
    replicas.run()
    replicas.exit()


if __name__ == '__main__':
    main()
