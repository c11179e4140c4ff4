# -*- coding: utf-8 -*-
# Copyright: cloudops.linode contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The image_replication role's wait: which replicas of many images are still pending, from one listing.

The role runs image_replicas without `wait` for every image, then lists the private images once per poll;
this filter rebuilds each run's plan from its result and asks module_utils/_replicas.py's pending_replicas,
the rule the module's own waiter uses, so a poll costs one API call whatever the number of images.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.collections import is_sequence

from ansible_collections.cloudops.linode.plugins.module_utils._replicas import applied_plan, pending_replicas


def _by_region(image_regions):
    # The order image_replicas returns `regions` in.
    return sorted(image_regions, key=lambda entry: entry['region'])


def replication_pending(results, images=None):
    """See replication_pending.yml beside this file."""
    if not is_sequence(results):
        raise AnsibleFilterError('replication_pending: the image_replicas results must be a list, got %s' % type(results).__name__)
    if images is not None and not is_sequence(images):
        raise AnsibleFilterError('replication_pending: images must be a list, got %s' % type(images).__name__)
    listed = None if images is None else dict((image['id'], image) for image in images)

    pending = []
    updated = []
    waited_for = 0
    for result in results:
        if not isinstance(result, dict):
            raise AnsibleFilterError('replication_pending: each result must be a dict (an image_replicas result), got %r' % (result,))
        image = result.get('image')
        if not isinstance(image, dict) or result.get('failed') or result.get('skipped'):
            # Nothing was written for it, so there is nothing to wait for.
            updated.append(result)
            continue
        waited_for += 1
        image_id = image['id']
        plan = applied_plan(result.get('regions') or image.get('regions') or [], result.get('removed') or [])
        if listed is None:
            current = image
        else:
            # An image missing from the listing was deleted meanwhile: each of its wanted replicas is `missing`.
            current = listed.get(image_id, dict(image, regions=[]))
            result = dict(result, image=current, regions=_by_region(current.get('regions') or []))
        updated.append(result)
        pending.extend(
            {'image_id': image_id, 'region': entry['region'], 'status': entry['status']}
            for entry in pending_replicas(current.get('regions') or [], plan))

    return {
        'pending': pending,
        'done': not pending,
        'images_waited_for': waited_for,
        'pending_text': ', '.join('%s %s (%s)' % (entry['image_id'], entry['region'], entry['status']) for entry in pending),
        'results': updated,
    }


class FilterModule(object):

    def filters(self):
        return {'replication_pending': replication_pending}
