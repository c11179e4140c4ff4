# -*- coding: utf-8 -*-
# Copyright: cloudops.linode contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The rules of image replication, as plain data in and plain data out (no I/O).

The Linode call POST /images/{id}/regions *replaces* an image's region set, so every write
is computed here from what was read, and refused here when it would lose what the user did
not ask to lose. Modules, the role's validation and the inventory plugin share these rules.

Private to this collection: the interface may change in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

REPLICA_STATUSES = ('available', 'creating', 'pending', 'pending deletion', 'pending replication', 'replicating')
LEAVING_STATUS = 'pending deletion'
ARRIVING_STATUS = 'pending replication'
READY_STATUS = 'available'

_PRIVATE_IMAGE_ID = re.compile(r'^private/[0-9]+$')
_BARE_IMAGE_NUMBER = re.compile(r'^[0-9]+$')
_PUBLIC_IMAGE_ID = re.compile(r'^linode/[A-Za-z0-9._-]+$')
_REGION_ID = re.compile(r'^[a-z0-9]+(-[a-z0-9]+)+$')


class ReplicaRequestError(ValueError):
    """A request this collection refuses before any write; `field` names the option at fault."""

    def __init__(self, field, message):
        super(ReplicaRequestError, self).__init__(message)
        self.field = field


def normalize_image_id(value, allow_public=False):
    """`private/12345` or a bare `12345` → `private/12345`; anything else is refused.

    `allow_public` is for reading: a public `linode/<slug>` can be read, never replicated.
    """
    image_id = str(value).strip()
    if _BARE_IMAGE_NUMBER.match(image_id):
        image_id = 'private/' + image_id
    if allow_public:
        if _PUBLIC_IMAGE_ID.match(image_id) or _PRIVATE_IMAGE_ID.match(image_id):
            return image_id
        raise ReplicaRequestError(
            'image_id', 'image_id must be an image id such as private/12345 (or just 12345) or linode/debian12, got %r.' % (value,))
    if image_id.startswith('linode/'):
        raise ReplicaRequestError(
            'image_id', 'image_id %s is a public Linode image; only private images (private/<number>) can be replicated.' % image_id)
    if not _PRIVATE_IMAGE_ID.match(image_id):
        raise ReplicaRequestError(
            'image_id', "image_id must be a private image id such as private/12345 (or just 12345), got %r." % (value,))
    return image_id


def normalize_regions(values, field='regions'):
    """Trim, lower-case and de-duplicate region ids, keeping the caller's order; refuse empty or malformed ones.

    `field` is the option the ids came from, so that the message names it.
    """
    if not values:
        raise ReplicaRequestError(field, '%s must list at least one region id, such as us-east; got an empty list.' % field)
    regions = []
    for value in values:
        region = str(value).strip().lower()
        if not _REGION_ID.match(region):
            raise ReplicaRequestError(
                field, "%s must hold Linode region ids such as us-east or fr-par; %r is not one." % (field, value))
        if region not in regions:
            regions.append(region)
    return regions


def held_regions(image_regions):
    """The regions that hold, or are getting, a replica: everything but `pending deletion`."""
    return frozenset(entry['region'] for entry in image_regions if entry['status'] != LEAVING_STATUS)


def ready_regions(image_regions):
    return frozenset(entry['region'] for entry in image_regions if entry['status'] == READY_STATUS)


class ReplicaPlan(object):
    """What one run intends: the sets before and after, and what the difference adds and removes."""

    def __init__(self, current, desired):
        self.current = frozenset(current)
        self.desired = frozenset(desired)
        self.added = sorted(self.desired - self.current)
        self.removed = sorted(self.current - self.desired)

    @property
    def changed(self):
        return self.current != self.desired

    @property
    def request_regions(self):
        """The POST body's list: sorted, so the same plan always sends the same request."""
        return sorted(self.desired)

    def diff(self):
        return {'before': {'regions': sorted(self.current)}, 'after': {'regions': sorted(self.desired)}}

    def predict_regions(self, image_regions):
        """The image's `regions` the API will answer after this plan is applied (what check mode reports)."""
        status_by_region = dict((entry['region'], entry['status']) for entry in image_regions)
        predicted = []
        for region in sorted(self.desired | set(status_by_region)):
            if region in self.desired:
                status = status_by_region.get(region, ARRIVING_STATUS)
                if status == LEAVING_STATUS:
                    status = ARRIVING_STATUS
            else:
                status = LEAVING_STATUS
            predicted.append({'region': region, 'status': status})
        return predicted


def plan_replicas(image_regions, regions, state='present', purge_regions=False):
    """Compute the desired region set from the image's `regions` and a normalized request."""
    current = held_regions(image_regions)
    requested = frozenset(regions)
    if state == 'absent':
        desired = current - requested
    elif purge_regions:
        desired = requested
    else:
        desired = current | requested
    return ReplicaPlan(current, desired)


def refuse_unsafe_write(plan, image, image_will_be_ready=False):
    """Raise ReplicaRequestError when the plan's write must not be sent; a plan without change always passes.

    `image_will_be_ready` is for check mode with waiting: the real run would first wait for the image,
    so regions still being created count as ready and the image's own status is not held against it.
    """
    if not plan.changed:
        return
    image_id = image.get('id')
    if image.get('status') != READY_STATUS and not image_will_be_ready:
        raise ReplicaRequestError(
            'image_id',
            'image_id %s has status %r; it can be replicated once its status is available (set wait: true to wait for it).'
            % (image_id, image.get('status')))
    if not plan.desired:
        raise ReplicaRequestError(
            'regions',
            'regions: this would remove image %s from every region (%s). Replication keeps at least one region; '
            'use the image delete operation to remove an image everywhere.' % (image_id, ', '.join(sorted(plan.current))))
    ready = ready_regions(image.get('regions') or [])
    if image_will_be_ready:
        ready = ready | held_regions(image.get('regions') or [])
    if not plan.desired & ready:
        raise ReplicaRequestError(
            'regions',
            'regions: the new region set (%s) keeps no region where image %s is available now (available in: %s). '
            'Keep at least one of those regions.' % (', '.join(plan.request_regions), image_id, ', '.join(sorted(ready)) or 'none'))


def applied_plan(image_regions, removed):
    """The plan a finished image_replicas run applied, rebuilt from its result: the regions the image holds
    after the run (its `regions`) and the ones the run removed (its `removed`).

    The role waits for many images outside the module (one listing per poll); with this plan it asks
    pending_replicas the same question the module's own waiter asks.
    """
    desired = held_regions(image_regions)
    return ReplicaPlan(desired | frozenset(removed), desired)


def pending_replicas(image_regions, plan):
    """The replicas a waiter still waits for: desired ones not yet available, removed ones still listed."""
    pending = []
    for entry in sorted(image_regions, key=lambda e: e['region']):
        region, status = entry['region'], entry['status']
        if region in plan.desired and status != READY_STATUS:
            pending.append({'region': region, 'status': status})
        elif region in plan.removed:
            pending.append({'region': region, 'status': status})
    missing = plan.desired - set(entry['region'] for entry in image_regions)
    pending.extend({'region': region, 'status': 'missing'} for region in sorted(missing))
    return pending


def concurrent_removals(read_regions, plan, answer_regions):
    """Regions the write is dropping that this run neither saw held at its read nor meant to remove.

    The API has no compare-and-swap: a region another run added between our read and our write
    is left out of our list and so goes to `pending deletion`. Those regions are returned so the
    caller can put them back.
    """
    seen = set(entry['region'] for entry in read_regions)
    leaving = set(entry['region'] for entry in answer_regions if entry['status'] == LEAVING_STATUS)
    return sorted(leaving - seen - plan.desired)
