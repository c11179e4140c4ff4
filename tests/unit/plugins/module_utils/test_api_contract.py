# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Client contract test: the requests LinodeClient sends must be valid for the official OpenAPI spec.

The requests are recorded on the local server of conftest.py and checked against the spec's
operation (method + path template), path and query parameters, headers and request body.

Where the spec is: ``$LINODE_OPENAPI_SPEC``, else ``shared/linode-openapi/openapi.yaml`` in the
nearest folder above this file that has one, looked up from both the path of this file and its
real path (the tests may run from a copy or a symlinked ``ansible_collections/cloudops/linode``
tree). Skipped, saying so, when the spec or the libraries are absent.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

import pytest

from ansible_collections.cloudops.linode.plugins.module_utils._api import PAGE_SIZE, LinodeClient

TOKEN = "contract-test-token"
SPEC_RELATIVE = os.path.join("shared", "linode-openapi", "openapi.yaml")
# path parameters whose values contain a slash in practice (private/12345, linode/debian11)
SLASHED_PARAMETERS = frozenset(("imageId",))


def _spec_candidates():
    """`shared/` beside the checkout, looked for in every folder above this file.

    CI puts ../shared beside the clone; `make test` runs this from a copy laid out under the
    clone's .build/ansible_collections/cloudops/linode, so the folder is found further up.
    """
    here = os.path.dirname(os.path.abspath(__file__))
    for start in (here, os.path.realpath(here)):
        path = start
        while os.path.dirname(path) != path:
            path = os.path.dirname(path)
            yield os.path.join(path, SPEC_RELATIVE)


def find_spec():
    env = os.environ.get("LINODE_OPENAPI_SPEC")
    if env:
        return env if os.path.isfile(env) else None
    for candidate in _spec_candidates():
        if os.path.isfile(candidate):
            return candidate
    return None


class Spec:
    """The parts of an OpenAPI 3.0 document this test needs (the Linode spec has no $ref)."""

    def __init__(self, document, validator_class):
        self.doc = document
        self.validator_class = validator_class
        self.templates = []
        for template in document["paths"]:
            literal = len(re.sub(r"\{[^}]+\}", "", template))
            pattern = "".join(
                "(?P<%s>.+?)" % part[1:-1] if part[1:-1] in SLASHED_PARAMETERS else "(?P<%s>[^/]+)" % part[1:-1]
                if part.startswith("{") else re.escape(part)
                for part in re.split(r"(\{[^}]+\})", template) if part)
            self.templates.append((literal, template, re.compile("^%s$" % pattern)))
        # the most literal template wins: /images/{imageId}/regions before /images/{imageId}
        self.templates.sort(key=lambda item: -item[0])
        components = document.get("components", {}).get("parameters", {})
        self.paging_parameters = [p for p in components.values() if p.get("in") == "query" and p.get("name") in ("page", "page_size")]

    def schema_errors(self, schema, value):
        return ["%s at %s" % (e.message, "/".join(str(p) for p in e.absolute_path))
                for e in self.validator_class(schema).iter_errors(value)]

    def operation(self, method, path):
        for dummy, template, regex in self.templates:
            match = regex.match(path)
            if match and method.lower() in self.doc["paths"][template]:
                item = self.doc["paths"][template]
                operation = item[method.lower()]
                parameters = {(p["in"], p["name"]): p for p in item.get("parameters", [])}
                parameters.update({(p["in"], p["name"]): p for p in operation.get("parameters", [])})
                return template, operation, parameters, match.groupdict()
        return None, None, None, None

    @staticmethod
    def _typed(schema, raw):
        if schema.get("type") == "integer" and re.match(r"^-?\d+$", raw):
            return int(raw)
        return raw

    def check(self, request):
        """The list of contract violations of one recorded request (empty when it is valid)."""
        problems = []
        template, operation, parameters, path_values = self.operation(request.method, request.path)
        if operation is None:
            return ["no operation for %s %s" % (request.method, request.path)], None
        where = "%s %s (%s)" % (request.method, template, operation.get("operationId"))
        for name, value in path_values.items():
            parameter = parameters.get(("path", name))
            if parameter is None:
                problems.append("%s: path parameter %s not declared" % (where, name))
                continue
            problems.extend("%s: path %s=%r: %s" % (where, name, value, e) for e in self.schema_errors(parameter["schema"], value))
        declared_query = {name: p for (kind, name), p in parameters.items() if kind == "query"}
        if not declared_query and operation.get("responses", {}).get("200", {}).get("content", {}).get(
                "application/json", {}).get("schema", {}).get("properties", {}).get("pages"):
            # a paginated list that declares no paging parameters (GET /regions): the spec's shared ones apply
            declared_query = {p["name"]: p for p in self.paging_parameters}
        for name, values in request.query.items():
            parameter = declared_query.get(name)
            if parameter is None:
                problems.append("%s: query parameter %s not in the spec" % (where, name))
                continue
            for raw in values:
                problems.extend("%s: query %s=%r: %s" % (where, name, raw, e)
                                for e in self.schema_errors(parameter["schema"], self._typed(parameter["schema"], raw)))
        for name, parameter in declared_query.items():
            if parameter.get("required") and name not in request.query:
                problems.append("%s: required query parameter %s missing" % (where, name))
        if "x-filter" in request.headers:
            try:
                x_filter = json.loads(request.headers["x-filter"])
            except ValueError:
                problems.append("%s: X-Filter is not JSON" % where)
            else:
                declared = parameters.get(("header", "X-Filter"))
                schema = declared["schema"] if declared else {"type": "object"}
                problems.extend("%s: X-Filter: %s" % (where, e) for e in self.schema_errors(schema, x_filter))
        if operation.get("security"):
            if not any("personalAccessToken" in s for s in operation["security"]):
                problems.append("%s: personal access tokens not accepted" % where)
            elif request.headers.get("authorization") != "Bearer %s" % TOKEN:
                problems.append("%s: no bearer token" % where)
        request_body = operation.get("requestBody")
        if request_body:
            content_type = (request.headers.get("content-type") or "").split(";")[0].strip()
            media = request_body.get("content", {}).get(content_type)
            if media is None:
                problems.append("%s: request Content-Type %r not in %s" % (where, content_type, sorted(request_body.get("content", {}))))
            elif not request.body:
                if request_body.get("required"):
                    problems.append("%s: request body required" % where)
            else:
                problems.extend("%s: body: %s" % (where, e) for e in self.schema_errors(media["schema"], json.loads(request.body.decode("utf-8"))))
        elif request.body:
            problems.append("%s: the operation takes no request body" % where)
        return problems, operation.get("operationId")


@pytest.fixture(scope="module")
def spec():
    path = find_spec()
    if path is None and os.environ.get("LINODE_OPENAPI_SPEC"):
        pytest.skip("LINODE_OPENAPI_SPEC=%s is not a file" % os.environ["LINODE_OPENAPI_SPEC"])
    if path is None:
        pytest.skip("the Linode OpenAPI spec was not found (set LINODE_OPENAPI_SPEC, or put it at ../%s beside the checkout)"
                    % SPEC_RELATIVE)
    yaml = pytest.importorskip("yaml", reason="PyYAML is needed to read the OpenAPI spec")
    validators = pytest.importorskip("openapi_schema_validator", reason="openapi-schema-validator is needed to check request bodies")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, "rb") as handle:
        document = yaml.load(handle, Loader=loader)  # nosec - a safe loader
    return Spec(document, validators.OAS30Validator)


def page_handler(server, items, per_page):
    """Serve ``items`` as the API's paginated envelope, ``per_page`` items a page (whatever page_size says)."""
    pages = max(1, -(-len(items) // per_page))

    def handler(request):
        page = int(request.query.get("page", ["1"])[0])
        data = items[(page - 1) * per_page:page * per_page]
        return server.json_answer(200, {"data": data, "page": page, "pages": pages, "results": len(items)})

    return handler


def assert_valid(spec, requests, operation_ids):
    seen = []
    for request in requests:
        problems, operation_id = spec.check(request)
        assert problems == []
        seen.append(operation_id)
    assert seen == operation_ids


@pytest.mark.parametrize("api_version", ["v4", "v4beta"])
def test_get_image(spec, api_server, api_version):
    api_server.queue(api_server.json_answer(200, {"id": "private/12345"}))
    LinodeClient(TOKEN, api_url=api_server.url, api_version=api_version).get_image("private/12345")
    assert api_server.requests[0].path == "/%s/images/private/12345" % api_version
    assert_valid(spec, api_server.requests, ["get-image"])


def test_replicate_image(spec, api_server):
    api_server.queue(api_server.json_answer(200, {"id": "private/12345"}))
    LinodeClient(TOKEN, api_url=api_server.url).replicate_image("private/12345", ("us-east", "us-mia"))
    assert_valid(spec, api_server.requests, ["post-replicate-image"])


def test_list_regions_with_paging(spec, api_server):
    api_server.handler = page_handler(api_server, [{"id": "r%d" % i} for i in range(5)], per_page=2)
    assert len(LinodeClient(TOKEN, api_url=api_server.url).list_regions()) == 5
    assert [r.query["page"] for r in api_server.requests] == [["1"], ["2"], ["3"]]
    assert_valid(spec, api_server.requests, ["get-regions"] * 3)


def test_list_images_with_filter_and_paging(spec, api_server):
    api_server.handler = page_handler(api_server, [{"id": "private/%d" % i} for i in range(3)], per_page=2)
    images = LinodeClient(TOKEN, api_url=api_server.url).list_images(x_filter={"is_public": False, "+order_by": "label", "+order": "asc"})
    assert len(images) == 3
    assert all(r.query["page_size"] == [str(PAGE_SIZE)] for r in api_server.requests)
    assert_valid(spec, api_server.requests, ["get-images"] * 2)


# The checker itself must be able to fail, or the tests above prove nothing.

def _fake(method, path, query=None, body=None, headers=None):
    from collections import namedtuple

    request = namedtuple("Request", "method path query headers body")
    base = {"authorization": "Bearer %s" % TOKEN, "content-type": "application/json"}
    base.update(headers or {})
    return request(method, path, query or {}, base, json.dumps(body).encode("utf-8") if body is not None else b"")


@pytest.mark.parametrize("request_, expected", [
    (_fake("POST", "/v4/images/private/1/regions", body={"regions": "us-east"}), "body"),
    (_fake("POST", "/v4/images/private/1/regions", body={"region": ["us-east"]}), "body"),
    (_fake("GET", "/v4/images", query={"page": ["1"], "page_size": ["1000"]}), "page_size"),
    (_fake("GET", "/v4/regions", query={"page": ["0"], "page_size": ["500"]}), "page="),
    (_fake("GET", "/v4/images", query={"pagesize": ["500"]}), "not in the spec"),
    (_fake("GET", "/v5/images/private/1"), "apiVersion"),
    (_fake("GET", "/v4/imagez/private/1"), "no operation"),
    (_fake("GET", "/v4/images/private/1", headers={"authorization": "Token x"}), "bearer"),
    (_fake("POST", "/v4/images/private/1/regions", body={"regions": []}, headers={"content-type": "text/plain"}), "Content-Type"),
])
def test_checker_catches_violations(spec, request_, expected):
    problems = spec.check(request_)[0]
    assert problems and any(expected in p for p in problems), problems
