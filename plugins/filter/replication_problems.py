# -*- coding: utf-8 -*-
# Copyright: cloudops.linode contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The image_replication role's validation: every problem of a batch of replication requests at once.

It works on what two listings returned (regions, private images), so checking any number of images
costs two API calls; the per-image rules come from module_utils/_replicas.py, as in image_replicas.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import difflib

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.collections import is_sequence

from ansible_collections.cloudops.linode.plugins.module_utils._replicas import (
    READY_STATUS,
    ReplicaRequestError,
    normalize_image_id,
    normalize_regions,
    plan_replicas,
    refuse_unsafe_write,
)

REGION_OK = 'ok'
# difflib ratios: below the cutoff a suggestion is noise; within the tie of the best, equally likely.
SUGGESTION_CUTOFF = 0.7
SUGGESTION_TIE = 0.02


def _closest_ids(wrong, known_ids):
    """The known ids a typo most likely meant: every one as close as the closest (us-eest: us-east or us-west)."""
    scored = [(difflib.SequenceMatcher(None, wrong, known).ratio(), known) for known in known_ids]
    best = max([score for score, dummy in scored] or [0])
    if best < SUGGESTION_CUTOFF:
        return []
    return sorted(known for score, known in scored if score >= best - SUGGESTION_TIE)


def _region_reasons(region, state, region_by_id, required_capabilities):
    """Why `region` cannot be used for `state`; an empty list when it can."""
    known = region_by_id.get(region)
    if known is None:
        reason = 'not a Linode region'
        close = _closest_ids(region, region_by_id)
        if close:
            reason += ' (did you mean %s?)' % ' or '.join(close)
        return [reason]
    if state == 'absent':
        return []
    reasons = []
    if known.get('status') != REGION_OK:
        reasons.append('status is %s, not ok' % known.get('status'))
    offered = known.get('capabilities') or []
    lacking = [capability for capability in required_capabilities if capability not in offered]
    if lacking:
        reasons.append('lacks %s' % ', '.join(lacking))
    return reasons


def _image_reason(image_id, image, regions, state, purge_regions):
    """Why this image cannot get this request; None when it can."""
    if image is None:
        return 'no private image with this id is visible to the API token'
    if image.get('is_public'):
        return 'a public image; only private images can be replicated'
    if image.get('status') != READY_STATUS:
        return 'has status %s; only an available image can be replicated' % image.get('status')
    if regions is None:
        return None
    try:
        refuse_unsafe_write(plan_replicas(image.get('regions') or [], regions, state, purge_regions), image)
    except ReplicaRequestError as exc:
        return str(exc)
    return None


def qualifying_regions(regions, required_capabilities):
    """The ids of the regions that can hold a replica now: status ok, with every required capability."""
    return sorted(
        region['id'] for region in regions
        if region.get('status') == REGION_OK and all(c in (region.get('capabilities') or []) for c in required_capabilities))


def _render(problems, qualifying, required_capabilities):
    lines = ['Image replication stopped before any change: %d problem%s.' % (len(problems), '' if len(problems) == 1 else 's')]
    for problem in problems:
        if problem['subject'] == 'region':
            lines.append('- region %s (requested for %s): %s' % (problem['id'], ', '.join(problem['images']), problem['reason']))
        else:
            lines.append('- image %s: %s' % (problem['id'], problem['reason']))
    lines.append('Regions that can hold a replica (status ok, with %s): %s'
                 % (', '.join(required_capabilities) or 'no capability required', ', '.join(qualifying) or 'none'))
    return '\n'.join(lines)


def replication_problems(requests, regions, images, required_capabilities=('Object Storage',)):
    """See replication_problems.yml beside this file."""
    for name, value in (('the requests', requests), ('regions', regions), ('images', images), ('required_capabilities', required_capabilities)):
        if not is_sequence(value):
            raise AnsibleFilterError('replication_problems: %s must be a list, got %s' % (name, type(value).__name__))
    required_capabilities = list(required_capabilities)
    region_by_id = dict((region['id'], region) for region in regions)
    image_by_id = dict((image['id'], image) for image in images)
    region_problems = {}
    image_problems = []
    seen_images = set()

    for request in requests:
        if not isinstance(request, dict):
            raise AnsibleFilterError('replication_problems: each request must be a dict with image_id and regions, got %r' % (request,))
        state = request.get('state') or 'present'
        label = str(request.get('image_id'))
        try:
            image_id = normalize_image_id(request.get('image_id'))
        except ReplicaRequestError as exc:
            image_problems.append({'subject': 'image', 'id': label, 'reason': str(exc)})
            image_id = None
        else:
            label = image_id
        try:
            regions_wanted = normalize_regions(request.get('regions') or [])
        except ReplicaRequestError as exc:
            image_problems.append({'subject': 'image', 'id': label, 'reason': str(exc)})
            regions_wanted = None

        for region in regions_wanted or []:
            reasons = _region_reasons(region, state, region_by_id, required_capabilities)
            if reasons:
                entry = region_problems.setdefault(region, {'subject': 'region', 'id': region, 'reason': '; '.join(reasons), 'images': []})
                if label not in entry['images']:
                    entry['images'].append(label)

        if image_id is None:
            continue
        if image_id in seen_images:
            # Their writes would race each other: each replaces the whole region set.
            image_problems.append({'subject': 'image', 'id': image_id, 'reason': 'listed more than once; merge its entries into one'})
            continue
        seen_images.add(image_id)
        reason = _image_reason(image_id, image_by_id.get(image_id), regions_wanted, state, bool(request.get('purge_regions')))
        if reason:
            image_problems.append({'subject': 'image', 'id': image_id, 'reason': reason})

    problems = [region_problems[region] for region in sorted(region_problems)] + image_problems
    qualifying = qualifying_regions(regions, required_capabilities)
    return {
        'problems': problems,
        'qualifying_regions': qualifying,
        'msg': _render(problems, qualifying, required_capabilities) if problems else '',
    }


class FilterModule(object):

    def filters(self):
        return {'replication_problems': replication_problems}
