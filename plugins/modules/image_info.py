#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudops.linode contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: image_info
short_description: Read one Linode image, or list private images
version_added: 0.1.0
description:
  - With O(image_id), reads that one image (private or public) with its regions and their replica status.
  - With O(label), lists the private images with exactly that label; the API does the filtering.
  - With neither, lists every private image of the account (following pages).
  - Never changes anything.
author:
  - cloudops.linode maintainers (@cloudops)
options:
  image_id:
    description:
      - The image to read, such as C(private/12345) or C(linode/debian12). A bare number is taken as C(private/<number>).
      - An image that does not exist, or that the token cannot see, gives an empty RV(images) list rather than a failure.
    type: str
  label:
    description:
      - List the private images whose label is exactly this (case as the API compares it).
    type: str
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
  - module: cloudops.linode.region_info
  - name: List images (Linode API)
    description: The API operation this module reads.
    link: https://techdocs.akamai.com/linode-api/reference/get-images
'''

EXAMPLES = r'''
- name: Read one image with its replicas
  cloudops.linode.image_info:
    image_id: private/12345
  register: golden

- name: Show where it has a replica, and in which state
  ansible.builtin.debug:
    msg: "{{ golden.images[0].regions | default([]) }}"

- name: Find the private images labelled web-base-2024
  cloudops.linode.image_info:
    label: web-base-2024
  register: web_base

- name: List every private image
  cloudops.linode.image_info:
  register: private_images
'''

RETURN = r'''
images:
  description:
    - The images found, as the API returns them; C([]) when none (also for an O(image_id) that does not exist).
    - With O(image_id), at most one image.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The image id.
      type: str
      sample: private/12345
    label:
      description: The image's label.
      type: str
      sample: web-base-2024
    status:
      description: C(creating), C(pending_upload) or C(available); only an C(available) image can be replicated.
      type: str
      sample: available
    is_public:
      description: Whether this is a public Linode image (which cannot be replicated).
      type: bool
      sample: false
    size:
      description: The minimum size in MB to deploy the image.
      type: int
      sample: 2500
    total_size:
      description: Bytes stored for the image across all its regions.
      type: int
      sample: 5242880000
    regions:
      description: The image's regions with their replica status.
      type: list
      elements: dict
      sample:
        - region: us-east
          status: available
        - region: fr-par
          status: replicating
  sample:
    - id: private/12345
      label: web-base-2024
      status: available
      is_public: false
      size: 2500
      total_size: 2621440000
      regions:
        - region: us-east
          status: available
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cloudops.linode.plugins.module_utils._api import LinodeAPIError, LinodeError
from ansible_collections.cloudops.linode.plugins.module_utils._base import LinodeModule, linode_argument_spec
from ansible_collections.cloudops.linode.plugins.module_utils._replicas import ReplicaRequestError, normalize_image_id


def private_images_filter(label=None):
    """The X-Filter that makes the API list private images only (with this label, if given)."""
    if label is None:
        return {'is_public': False}
    return {'+and': [{'is_public': False}, {'label': label}]}


class ImageInfo(LinodeModule):

    def __init__(self, module):
        super(ImageInfo, self).__init__(module)
        self.image_id = None
        if module.params['image_id'] is not None:
            try:
                self.image_id = normalize_image_id(module.params['image_id'], allow_public=True)
            except ReplicaRequestError as exc:
                self.fail_on_error(exc)

    def run(self):
        try:
            if self.image_id is not None:
                images = self._get_one()
            else:
                images = self.client.list_images(private_images_filter(self.module.params['label']))
        except LinodeError as exc:
            self.fail_on_error(exc)
        self.result['images'] = images

    def _get_one(self):
        try:
            return [self.client.get_image(self.image_id)]
        except LinodeAPIError as exc:
            if exc.status == 404:
                return []
            raise


def main():
    argument_spec = linode_argument_spec()
    argument_spec.update(
        image_id=dict(type='str'),
        label=dict(type='str'),
    )
    image_info = ImageInfo(AnsibleModule(
        argument_spec=argument_spec, supports_check_mode=True, mutually_exclusive=[('image_id', 'label')]))
    image_info.run()
    image_info.exit()


if __name__ == '__main__':
    main()
