#!/usr/bin/env python
"""Give ansible-test an offline stand-in for its pip bootstrap script when its cache lacks one.

`ansible-test sanity --venv` bootstraps pip in each fresh virtual environment by running a get-pip.py
it downloads from ci-files.testing.ansible.com and caches as ~/.ansible/test/cache/get_pip_<version>.py.
Machines without that host cannot download it. The stand-in does the same job with what every
CPython carries: ensurepip installs the bundled pip, which then installs the pinned pip version
ansible-test asked for from the package index that pip is configured to use.
An existing cache file (a real get-pip.py) is never replaced.
"""
from __future__ import annotations

import os
import pathlib
import re
import sys

STAND_IN = '''"""Offline stand-in for get-pip.py, written by cloudops.linode's tests/utils/seed_ansible_test_cache.py."""
import subprocess
import sys

# get-pip.py's own switches; plain pip does not know them.
GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel')

pip_arguments = [argument for argument in sys.argv[1:] if argument not in GET_PIP_ONLY_OPTIONS]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'], stdout=subprocess.DEVNULL)
sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install'] + pip_arguments))
'''


def required_pip_version() -> str:
    import ansible_test  # pylint: disable=import-outside-toplevel

    requirements_module = pathlib.Path(ansible_test.__file__).parent / '_internal' / 'python_requirements.py'
    match = re.search(r"pip='([0-9.]+)'", requirements_module.read_text(encoding='utf-8'))
    if not match:
        sys.exit(f'Cannot find the pip version ansible-test bootstraps in {requirements_module}')
    return match.group(1)


def main() -> None:
    version = required_pip_version()
    cache_path = pathlib.Path(os.path.expanduser(f'~/.ansible/test/cache/get_pip_{version.replace(".", "_")}.py'))
    if cache_path.exists():
        print(f'ansible-test pip bootstrap already cached: {cache_path}')
        return
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    cache_path.write_text(STAND_IN, encoding='utf-8')
    print(f'Seeded ansible-test pip {version} bootstrap with an offline stand-in: {cache_path}')


if __name__ == '__main__':
    main()
