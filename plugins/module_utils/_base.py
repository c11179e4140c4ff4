# -*- coding: utf-8 -*-
# Copyright: cloudops.linode contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Shared plumbing of every cloudops.linode module: options, client, result, error reporting.

Private to this collection: the interface may change in any release.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.cloudops.linode.plugins.module_utils._replicas import ReplicaRequestError
from ansible_collections.cloudops.linode.plugins.module_utils._api import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    LinodeAPIError,
    LinodeClient,
    LinodeConnectionError,
    LinodeError,
)

TOKEN_ENV_VARS = ('LINODE_API_TOKEN', 'LINODE_TOKEN')


def linode_argument_spec():
    """The options documented by the cloudops.linode.linode doc fragment."""
    return dict(
        api_token=dict(type='str', no_log=True, aliases=['access_token'], fallback=(env_fallback, list(TOKEN_ENV_VARS))),
        api_url=dict(type='str', default='https://api.linode.com', fallback=(env_fallback, ['LINODE_API_URL'])),
        api_version=dict(type='str', default='v4', choices=['v4', 'v4beta'], fallback=(env_fallback, ['LINODE_API_VERSION'])),
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path', fallback=(env_fallback, ['LINODE_CA'])),
        request_timeout=dict(type='float', default=30),
    )


def describe_failure(exc):
    """The structured part of a failed task, for playbooks that branch on it (`failure.status`)."""
    if isinstance(exc, ReplicaRequestError):
        return {'kind': 'InvalidRequest', 'field': exc.field}
    failure = {'kind': type(exc).__name__}
    if isinstance(exc, LinodeAPIError):
        failure.update(status=exc.status, errors=exc.errors, method=exc.method, path=exc.path)
    elif isinstance(exc, LinodeConnectionError):
        failure.update(method=exc.method, path=exc.path, reason=exc.reason, request_sent=exc.request_sent)
    return failure


class LinodeModule(object):
    """Base of the modules: holds the AnsibleModule, one API client per run and the result dict."""

    def __init__(self, module):
        self.module = module
        self.result = {'changed': False}
        self.client = None
        if not HAS_REQUESTS:
            module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        params = module.params
        if not params['api_token']:
            module.fail_json(
                msg='No Linode API token: set the api_token option, or the LINODE_API_TOKEN or LINODE_TOKEN environment variable.',
                failure={'kind': 'MissingToken'},
            )
        if params['request_timeout'] <= 0:
            module.fail_json(msg='request_timeout must be a number of seconds greater than 0, got %s.' % params['request_timeout'])
        try:
            self.client = LinodeClient(
                api_token=params['api_token'],
                api_url=params['api_url'],
                api_version=params['api_version'],
                validate_certs=params['validate_certs'],
                ca_path=params['ca_path'],
                request_timeout=params['request_timeout'],
            )
        except LinodeError as exc:
            self.fail_on_error(exc)

    def _mark_as_changed(self):
        self.result['changed'] = True

    def fail(self, msg, **extra):
        """Fail the task with the result so far, and any warnings the client collected."""
        self._surface_client_warnings()
        result = dict(self.result)
        result.update(extra)
        self.module.fail_json(msg=msg, **result)

    def fail_on_error(self, exc, **extra):
        """The one place a client error or a refused request becomes a failed task; `extra` adds context."""
        self.fail(str(exc), failure=describe_failure(exc), **extra)

    def _surface_client_warnings(self):
        if self.client is None:
            return
        for warning in self.client.warnings:
            self.module.warn(warning)
        del self.client.warnings[:]

    def exit(self):
        self._surface_client_warnings()
        self.client.close()
        self.module.exit_json(**self.result)
