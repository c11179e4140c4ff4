# -*- coding: utf-8 -*-
# Copyright: cloudops.linode contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWX examples in examples/awx are accepted by AWX and inject what the collection reads.

AWX validates a custom credential type against a JSON schema when it is saved (awx/main/fields.py:
CredentialTypeInputField, CredentialTypeInjectorField); the rules below are that schema's, so a mistake
shows here rather than in a user's "Add credential type" form.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pathlib
import re

import jinja2
import jinja2.meta
import jinja2.sandbox
import pytest
import yaml

from ansible_collections.cloudops.linode.plugins.module_utils._base import linode_argument_spec

EXAMPLES = pathlib.Path(__file__).resolve().parents[3] / 'examples' / 'awx'
# The properties AWX accepts on an input field ('default' and format 'url' only on recent AWX: unused here).
FIELD_PROPERTIES = {'id', 'label', 'type', 'format', 'choices', 'help_text', 'multiline', 'secret', 'ask_at_runtime'}
FIELD_ID = re.compile(r'^[a-zA-Z_]+[a-zA-Z0-9_]*$')
INJECTOR_KINDS = {'env', 'extra_vars', 'file'}


def load(name):
    with open(str(EXAMPLES / name)) as example:
        return yaml.safe_load(example)


@pytest.fixture(scope='module')
def credential_type():
    return load('credential_type.yml')


@pytest.fixture(scope='module')
def fields(credential_type):
    return {field['id']: field for field in credential_type['inputs']['fields']}


def env_vars_read_by_the_modules(option):
    fallback = linode_argument_spec()[option].get('fallback')
    return fallback[1] if fallback else []


def template_variables(template):
    return jinja2.meta.find_undeclared_variables(jinja2.Environment().parse(template))


def render(template, **inputs):
    # AWX renders injectors in a Jinja2 sandbox with every input field defined ('' when left empty).
    return jinja2.sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined).from_string(template).render(**inputs)


def test_the_credential_type_has_only_what_awx_accepts(credential_type):
    assert set(credential_type) <= {'name', 'kind', 'description', 'inputs', 'injectors'}
    assert credential_type['kind'] in ('cloud', 'net')
    assert set(credential_type['inputs']) <= {'fields', 'required'}
    assert set(credential_type['injectors']) <= INJECTOR_KINDS


def test_every_input_field_is_valid_and_unique(credential_type):
    ids = [field['id'] for field in credential_type['inputs']['fields']]
    assert len(ids) == len(set(ids))
    for field in credential_type['inputs']['fields']:
        assert {'id', 'label'} <= set(field), field
        assert set(field) <= FIELD_PROPERTIES, field
        assert FIELD_ID.match(field['id']) and field['id'] != 'tower', field
        assert field.get('type', 'string') in ('string', 'boolean'), field
    assert set(credential_type['inputs']['required']) <= set(ids)


def test_the_token_is_a_required_secret(fields, credential_type):
    assert fields['api_token']['secret'] is True
    assert 'api_token' in credential_type['inputs']['required']
    # Only the token is secret: the URL is shown to whoever uses the credential.
    assert [field_id for field_id, field in fields.items() if field.get('secret')] == ['api_token']


def test_injectors_only_use_defined_inputs(credential_type, fields):
    templates = dict(credential_type['injectors'].get('env', {}))
    templates.update(credential_type['injectors'].get('extra_vars', {}))
    assert templates
    for name, template in templates.items():
        assert template_variables(template) <= set(fields), (name, template)
    for name in credential_type['injectors'].get('env', {}):
        assert not name.startswith('ANSIBLE_'), 'AWX reserves ANSIBLE_* for itself: %s' % name


def test_the_token_goes_only_to_an_env_var_the_modules_read(credential_type):
    env = credential_type['injectors']['env']
    token_targets = [name for name, template in env.items() if 'api_token' in template_variables(template)]
    assert token_targets == ['LINODE_API_TOKEN']
    assert 'LINODE_API_TOKEN' in env_vars_read_by_the_modules('api_token')
    # Never as an extra variable, which AWX shows in the job's details.
    assert not credential_type['injectors'].get('extra_vars')


def test_the_url_goes_to_the_env_var_the_modules_read_never_empty(credential_type):
    env = credential_type['injectors']['env']
    assert env_vars_read_by_the_modules('api_url') == ['LINODE_API_URL']
    assert render(env['LINODE_API_URL'], api_token='secret', api_url='') == linode_argument_spec()['api_url']['default']
    assert render(env['LINODE_API_URL'], api_token='secret', api_url='http://127.0.0.1:8080') == 'http://127.0.0.1:8080'
    assert render(env['LINODE_API_TOKEN'], api_token='secret', api_url='') == 'secret'


def test_the_job_template_runs_a_playbook_of_the_example_project():
    tasks = {next(key for key in task if key.startswith('awx.awx.')): task for task in load('configure_controller.yml')[0]['tasks']}
    job_template = tasks['awx.awx.job_template']['awx.awx.job_template']
    assert (EXAMPLES / 'project' / job_template['playbook']).is_file()
    assert job_template['credentials'] == [tasks['awx.awx.credential']['awx.awx.credential']['name']]
    assert job_template['execution_environment'] == tasks['awx.awx.execution_environment']['awx.awx.execution_environment']['name']
    assert set(tasks['awx.awx.credential']['awx.awx.credential']['inputs']) <= {'api_token', 'api_url'}


def test_the_project_requirements_ask_for_this_collection():
    requirements = load('project/collections/requirements.yml')
    assert [collection['name'] for collection in requirements['collections']] == ['cloudops.linode']
