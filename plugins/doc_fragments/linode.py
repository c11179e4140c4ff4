# -*- coding: utf-8 -*-
# Copyright: cloudops.linode contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    # The options every plugin of this collection shares; the matching argument spec is
    # linode_argument_spec() in plugins/module_utils/_base.py.
    DOCUMENTATION = r'''
options:
  api_token:
    description:
      - The Linode API personal access token.
      - Replicating needs the C(images:read_write) scope; the info modules need C(images:read_only).
      - If not set, the value of the E(LINODE_API_TOKEN) environment variable is used, then E(LINODE_TOKEN)
        (the variable the official C(linode.cloud) collection reads, so existing AWX credentials work).
      - The task fails, changing nothing, when none of these is set.
    type: str
    aliases: [access_token]
  api_url:
    description:
      - The base URL of the Linode API, with or without a trailing slash.
      - Point it at the emulator in C(tests/emulator) to test without touching Linode.
      - If not set, the value of the E(LINODE_API_URL) environment variable is used.
    type: str
    default: https://api.linode.com
  api_version:
    description:
      - The API version segment of every request path.
      - If not set, the value of the E(LINODE_API_VERSION) environment variable is used.
    type: str
    choices: [v4, v4beta]
    default: v4
  validate_certs:
    description:
      - Whether to verify the API's TLS certificate.
      - Only set to V(false) against a test endpoint you control.
    type: bool
    default: true
  ca_path:
    description:
      - Path of a PEM file of CA certificates used to verify the API's certificate, instead of the system store.
      - If not set, the value of the E(LINODE_CA) environment variable is used.
    type: path
  request_timeout:
    description:
      - Seconds to wait for the API to answer one HTTP request before it counts as failed.
      - Failed reads are retried a bounded number of times; a write that times out is resolved by reading the image again.
    type: float
    default: 30
requirements:
  - python >= 3.8
  - requests >= 2.20
notes:
  - Module arguments override the environment variables.
  - The API token never appears in results, diffs, warnings or error messages.
'''

    # For inventory plugins: they read options through get_option(), which takes environment
    # fallbacks from `env:` entries (modules get them from the argument spec instead). Used together
    # with DOCUMENTATION above, whose option descriptions this merges into.
    INVENTORY = r'''
options:
  api_token:
    env:
      - name: LINODE_API_TOKEN
      - name: LINODE_TOKEN
  api_url:
    env:
      - name: LINODE_API_URL
  api_version:
    env:
      - name: LINODE_API_VERSION
  ca_path:
    env:
      - name: LINODE_CA
'''

    # Every module's membership of the action group in meta/runtime.yml, documented once.
    ACTIONGROUP_LINODE = r'''
attributes:
  action_group:
    description: Use C(group/cloudops.linode.linode) in C(module_defaults) to set the API options once.
    support: full
    membership:
      - cloudops.linode.linode
'''
