"""Contract test: the emulator's answers, success and error, checked against Linode's official OpenAPI spec.

The spec (4.189.0, 3.6 MB) is read from ``../shared/linode-openapi/openapi.yaml`` next to the repository root,
or from the file named by ``LINODE_OPENAPI_SPEC``; without it every test here is skipped.

Validation uses openapi-core's response validator on the unmodified spec, with two documented adjustments
for places where 4.189.0 disagrees with the real API (see README.md, "Contract test"):

* ``date-time``: Linode sends ``2021-08-14T22:44:02`` (no UTC offset; the spec's own examples look like
  that), which strict RFC 3339 refuses, so date-times are checked with ``datetime.fromisoformat``.
* Region ``site-type``: the real API, linode-cli and linode_api4 call it ``site_type`` (so does spec 4.229.1);
  the test renames the property in the loaded spec before validating.

openapi-core's path finder does not let ``{imageId}`` span a slash, so a request for ``/images/private/12345``
is matched against the spec as ``/images/private%2F12345`` (the same resource; the emulator accepts both).
"""
from __future__ import annotations

import datetime
import json
import os
from typing import Any, Iterator
from urllib.parse import quote, unquote, urlsplit

import pytest
import requests

from conftest import RO_TOKEN, RW_TOKEN, wait_until
from linode_emulator import start_emulator

openapi_core = pytest.importorskip("openapi_core")
yaml = pytest.importorskip("yaml")

from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse  # noqa: E402  pylint: disable=wrong-import-position

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_SPEC = os.path.join(os.path.dirname(REPO_ROOT), "shared", "linode-openapi", "openapi.yaml")
SPEC_PATH = os.environ.get("LINODE_OPENAPI_SPEC") or DEFAULT_SPEC

OPERATION_PATHS = ("/{apiVersion}/images", "/{apiVersion}/images/{imageId}", "/{apiVersion}/images/{imageId}/regions",
                   "/{apiVersion}/regions", "/{apiVersion}/regions/{regionId}")


def linode_date_time(value: Any) -> bool:
    if not isinstance(value, str):
        return True
    try:
        datetime.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def rename_site_type(node: Any) -> None:
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict) and "site-type" in properties:
            properties["site_type"] = properties.pop("site-type")
        for child in node.values():
            rename_site_type(child)
    elif isinstance(node, list):
        for child in node:
            rename_site_type(child)


@pytest.fixture(scope="module")
def spec_dict() -> dict[str, Any]:
    if not os.path.isfile(SPEC_PATH):
        pytest.skip(f"Linode OpenAPI spec not found at {SPEC_PATH} (set LINODE_OPENAPI_SPEC to its path)")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(SPEC_PATH, encoding="utf-8") as spec_file:
        spec = yaml.load(spec_file, Loader=loader)  # nosec B506 - SafeLoader family
    for path in OPERATION_PATHS:
        assert path in spec["paths"], f"{path} missing from the spec"
        rename_site_type(spec["paths"][path])
    return spec


@pytest.fixture(scope="module")
def emulator() -> Iterator[Any]:
    running = start_emulator(replication_seconds=0.4, tokens=[RW_TOKEN, f"{RO_TOKEN}:read_only"])
    yield running
    running.stop()


@pytest.fixture(scope="module")
def openapi(spec_dict: dict[str, Any], emulator: Any) -> Any:  # pylint: disable=redefined-outer-name
    spec = dict(spec_dict, servers=[*spec_dict.get("servers", []), {"url": emulator.url}])
    # The spec validator would take seconds on 3.6 MB; the spec is the official one, so it is trusted as is.
    config = openapi_core.Config(spec_validator_cls=None, extra_format_validators={"date-time": linode_date_time})
    return openapi_core.OpenAPI.from_dict(spec, config=config)


class Checker:
    """Sends requests to the emulator and validates every answer against the spec."""

    def __init__(self, openapi_spec: Any, base_url: str, spec_version: str):
        self.openapi = openapi_spec
        self.base_url = base_url
        self.spec_version = spec_version
        self.session = requests.Session()
        self.checked: list[tuple[str, str, int]] = []

    def call(self, method: str, path: str, expected_status: int, body: Any = None, token: str | None = RW_TOKEN,
             headers: dict[str, str] | None = None, raw: str | None = None, base_url: str | None = None) -> requests.Response:
        all_headers = {"Authorization": f"Bearer {token}"} if token else {}
        all_headers.update(headers or {})
        if raw is not None:
            all_headers["Content-Type"] = "application/json"
        response = self.session.request(method, (base_url or self.base_url) + path, headers=all_headers, timeout=10,
                                        json=body if raw is None and method == "POST" else None, data=raw)
        assert response.status_code == expected_status, f"{method} {path}: {response.status_code} {response.text}"
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["X-Spec-Version"] == self.spec_version
        self.validate(response)
        self.checked.append((method, path, response.status_code))
        return response

    def validate(self, response: requests.Response) -> None:
        request = response.request.copy()
        # Answers of other emulators (on other ports) are checked as if served from the one listed among the spec's servers.
        parts = urlsplit(request.url or "")
        request.url = spec_shaped_url(self.base_url + parts.path + (f"?{parts.query}" if parts.query else ""))
        self.openapi.validate_response(RequestsOpenAPIRequest(request), RequestsOpenAPIResponse(response))


def spec_shaped_url(url: str) -> str:
    """``.../images/private/12345[/regions]`` -> ``.../images/private%2F12345[/regions]`` for the path finder."""
    head, marker, tail = url.partition("/images/")
    tail = unquote(tail)
    if not marker or "/" not in tail:
        return url
    parts = tail.split("/")
    image_id = "/".join(parts[:2])
    return head + marker + quote(image_id, safe="") + "".join("/" + part for part in parts[2:])


@pytest.fixture()
def checker(openapi: Any, emulator: Any, spec_dict: dict[str, Any]) -> Iterator[Checker]:  # pylint: disable=redefined-outer-name
    emulator.state.reset()
    client = Checker(openapi, emulator.url, str(spec_dict["info"]["version"]))
    yield client
    client.session.close()


@pytest.mark.parametrize("version", ["v4", "v4beta"])
def test_image_reads(checker: Checker, version: str) -> None:  # pylint: disable=redefined-outer-name
    listing = checker.call("GET", f"/{version}/images", 200).json()
    assert listing["results"] >= 9
    checker.call("GET", f"/{version}/images?page=2&page_size=25", 200)
    checker.call("GET", f"/{version}/images", 200, headers={"X-Filter": json.dumps({"+or": [{"is_public": False}, {"label": "Debian 12"}]})})
    for image_id in ("private/12345", "private/12346", "private/12347", "private/12348", "linode/debian12", "linode/centos7"):
        checker.call("GET", f"/{version}/images/{image_id}", 200)
    checker.call("GET", f"/{version}/images/private%2F12345", 200)
    checker.call("GET", f"/{version}/images/private/12345", 200, token=RO_TOKEN)


def test_image_read_errors(checker: Checker) -> None:  # pylint: disable=redefined-outer-name
    checker.call("GET", "/v4/images/private/999", 404)
    checker.call("GET", "/v4/images", 401, token=None)
    checker.call("GET", "/v4/images", 401, token="not-a-token")
    checker.call("GET", "/v4/images/private/12345", 401, token=None)
    checker.call("GET", "/v4/images?page_size=24", 400)
    checker.call("GET", "/v4/images?page=0", 400)
    checker.call("GET", "/v4/images", 400, headers={"X-Filter": "{oops"})


def test_region_reads_and_errors(checker: Checker) -> None:  # pylint: disable=redefined-outer-name
    regions = checker.call("GET", "/v4/regions", 200, token=None).json()
    for region in regions["data"]:
        checker.call("GET", f"/v4/regions/{region['id']}", 200, token=None)
    checker.call("GET", "/v4beta/regions?page_size=25&page=2", 200)
    checker.call("GET", "/v4/regions", 200, headers={"X-Filter": json.dumps({"country": "us"})})
    checker.call("GET", "/v4/regions/xx-nowhere", 404)
    checker.call("GET", "/v4/regions?page_size=1000", 400)


def test_replicate_success_through_every_replica_status(checker: Checker) -> None:  # pylint: disable=redefined-outer-name
    seen: set[str] = set()

    def record(response: requests.Response) -> dict[str, str]:
        statuses = {entry["region"]: entry["status"] for entry in response.json()["regions"]}
        seen.update(statuses.values())
        return statuses

    record(checker.call("POST", "/v4/images/private/12346/regions", 200, {"regions": ["us-east", "fr-par"]}))
    record(checker.call("POST", "/v4beta/images/private%2F12346/regions", 200, {"regions": ["us-east", "fr-par", "nl-ams"]}))
    wait_until(lambda: record(checker.call("GET", "/v4/images/private/12346", 200)) == {
        "us-east": "available", "fr-par": "available", "nl-ams": "available"})
    assert {"pending replication", "replicating", "pending deletion", "available"} <= seen


@pytest.mark.parametrize("body, raw, image_id", [
    (None, "not json", "private/12345"),
    (None, "[]", "private/12345"),
    ({"regions": ["us-east"], "label": "x"}, None, "private/12345"),
    ({}, None, "private/12345"),
    ({"regions": "us-east"}, None, "private/12345"),
    ({"regions": [7]}, None, "private/12345"),
    ({"regions": []}, None, "private/12345"),
    ({"regions": ["xx-nowhere"]}, None, "private/12345"),
    ({"regions": ["us-east", "ca-central"]}, None, "private/12345"),
    ({"regions": ["fr-par"]}, None, "private/12345"),
    ({"regions": ["us-east"]}, None, "private/12347"),
    ({"regions": ["us-east"]}, None, "linode/debian12"),
])
def test_replicate_400s(checker: Checker, body: Any, raw: str | None, image_id: str) -> None:  # pylint: disable=redefined-outer-name
    checker.call("POST", f"/v4/images/{image_id}/regions", 400, body, raw=raw)


def test_replicate_auth_and_404(checker: Checker) -> None:  # pylint: disable=redefined-outer-name
    checker.call("POST", "/v4/images/private/12345/regions", 401, {"regions": ["us-east"]}, token=None)
    checker.call("POST", "/v4/images/private/12345/regions", 403, {"regions": ["us-east"]}, token=RO_TOKEN)
    checker.call("POST", "/v4/images/private/999/regions", 404, {"regions": ["us-east"]})


def test_rate_limited_answer_is_an_error_envelope(checker: Checker) -> None:  # pylint: disable=redefined-outer-name
    limited = start_emulator(rate_limit=1)
    try:
        def limited_answer() -> list[requests.Response]:
            answers = [checker.session.get(limited.url + "/v4/regions", timeout=10) for _attempt in range(3)]
            return [answer for answer in answers if answer.status_code == 429]

        answer = wait_until(limited_answer, timeout=5)[0]
        assert answer.headers["Retry-After"]
        checker.validate(answer)
    finally:
        limited.stop()
