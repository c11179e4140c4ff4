# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Transport tests against a real local HTTP(S) server (see conftest.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import time

import pytest

from ansible_collections.cloudops.linode.plugins.module_utils import _api
from ansible_collections.cloudops.linode.plugins.module_utils._api import (
    COLLECTION_VERSION,
    LinodeAPIError,
    LinodeClient,
    LinodeConfigError,
    LinodeConnectionError,
    LinodeError,
)

TOKEN = "s3cr3t-T0KEN-4f9c2b7e0d1a"
FAST = dict(backoff_factor=0.01, backoff_max=0.05)


def client_for(server_or_url, **kwargs):
    url = getattr(server_or_url, "url", server_or_url)
    options = dict(FAST, request_timeout=5, max_retries=3)
    options.update(kwargs)
    return LinodeClient(TOKEN, api_url=url, **options)


def assert_no_token(exc):
    texts = [str(exc), repr(exc), str(getattr(exc, "reason", "")), str(exc.args)]
    cause = exc.__cause__ or exc.__context__
    while cause is not None:  # requests' and urllib3's own exception text (which can include the URL)
        texts.extend([str(cause), repr(cause)])
        cause = cause.__cause__ or cause.__context__
    for text in texts:
        assert TOKEN not in text


# ---------------------------------------------------------------- URL building and options


@pytest.mark.parametrize("api_url, api_version, expected_path", [
    ("{url}", "v4", "/v4/images/private/12345"),
    ("{url}/", "v4", "/v4/images/private/12345"),
    ("{url}", "v4beta", "/v4beta/images/private/12345"),
    ("{url}/linode/", "v4", "/linode/v4/images/private/12345"),
])
def test_url_building(api_server, api_url, api_version, expected_path):
    api_server.queue(api_server.json_answer(200, {"id": "private/12345"}))
    with client_for(api_url.format(url=api_server.url), api_version=api_version) as client:
        assert client.get_image("private/12345") == {"id": "private/12345"}
    assert api_server.count == 1
    assert api_server.requests[0].raw_path == expected_path  # the slash of the id stays literal


@pytest.mark.parametrize("api_url", [
    "api.linode.com", "ftp://api.linode.com", "https://", "http:///v4", "", None, 42, "https://h:notaport",
    "https://api.linode.com/?x=1", "https://user:pw@api.linode.com", "https://api.linode.com/v4", "https://api.linode.com/v4beta/",
])
def test_bad_api_url_is_rejected_naming_the_option(api_url):
    with pytest.raises(LinodeConfigError, match="api_url") as info:
        LinodeClient(TOKEN, api_url=api_url)
    assert isinstance(info.value, LinodeError)


def test_bad_api_url_message_says_what_is_wanted():
    with pytest.raises(LinodeConfigError) as info:
        LinodeClient(TOKEN, api_url="api.linode.com")
    assert "http:// or https:// URL with a host" in str(info.value)


@pytest.mark.parametrize("api_version", ["v3", "V4", "4", "", None, "/v4"])
def test_bad_api_version_is_rejected_naming_the_option(api_version):
    with pytest.raises(LinodeConfigError, match="api_version.*v4, v4beta"):
        LinodeClient(TOKEN, api_version=api_version)


@pytest.mark.parametrize("option, value", [
    ("request_timeout", 0), ("request_timeout", "30"), ("max_retries", -1), ("retry_after_cap", -1),
    ("backoff_factor", -0.5), ("backoff_max", True),
])
def test_bad_numbers_are_rejected_naming_the_option(option, value):
    with pytest.raises(LinodeConfigError, match=option):
        LinodeClient(TOKEN, **{option: value})


@pytest.mark.parametrize("token", ["abc def", "abc\ndef", u"abc\u00e9def", "abc\x00"])
def test_bad_token_is_rejected_without_echoing_it(token):
    with pytest.raises(LinodeConfigError, match="api_token") as info:
        LinodeClient(token)
    assert token not in str(info.value) and token not in repr(info.value)


def test_token_surrounding_whitespace_is_stripped(api_server):
    api_server.queue(api_server.json_answer(200, {}))
    LinodeClient("  %s\n" % TOKEN, api_url=api_server.url).get("/profile")
    assert api_server.requests[0].headers["authorization"] == "Bearer " + TOKEN


def test_no_token_sends_no_authorization(api_server):
    api_server.queue(api_server.json_answer(200, {"data": [], "page": 1, "pages": 1, "results": 0}))
    LinodeClient(None, api_url=api_server.url).list_regions()
    assert "authorization" not in api_server.requests[0].headers


def test_bad_image_id_is_rejected(api_server):
    client = client_for(api_server)
    for image_id in ("", "/", "private/../account"):
        with pytest.raises(LinodeConfigError, match="image_id"):
            client.get_image(image_id)
    assert api_server.count == 0


# ---------------------------------------------------------------- headers, verbs, bodies


def test_headers_and_user_agent(api_server):
    api_server.queue(api_server.json_answer(200, {"id": "private/1"}))
    client_for(api_server).get_image("private/1")
    headers = api_server.requests[0].headers
    assert headers["authorization"] == "Bearer %s" % TOKEN
    assert headers["accept"] == "application/json"
    assert re.match(r"^cloudops\.linode/%s \(\+ansible-collection\) python-requests/\d" % re.escape(COLLECTION_VERSION),
                    headers["user-agent"])


def test_user_agent_extra_product_is_appended(api_server):
    api_server.queue(api_server.json_answer(200, {}))
    client_for(api_server, user_agent="ansible-core/2.17").get("/profile")
    agent = api_server.requests[0].headers["user-agent"]
    assert agent.startswith("cloudops.linode/") and agent.endswith(" ansible-core/2.17")


def test_collection_version_matches_galaxy_yml():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.abspath(os.path.join(here, "..", "..", "..", ".."))
    with open(os.path.join(root, "galaxy.yml")) as handle:
        match = re.search(r"^version:\s*['\"]?([^'\"\s]+)", handle.read(), re.MULTILINE)
    assert match and match.group(1) == COLLECTION_VERSION


def test_replicate_image_posts_the_region_list(api_server):
    answer = {"id": "private/12", "regions": [{"region": "us-east", "status": "available"}]}
    api_server.queue(api_server.json_answer(200, answer))
    result = client_for(api_server).replicate_image("private/12", iter(["us-east", "us-mia"]))
    assert result == answer
    request = api_server.requests[0]
    assert (request.method, request.raw_path) == ("POST", "/v4/images/private/12/regions")
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.body.decode("utf-8")) == {"regions": ["us-east", "us-mia"]}


def test_get_passes_params_and_headers(api_server):
    api_server.queue(api_server.json_answer(200, {"ok": True}))
    assert client_for(api_server).get("/images/private/1", params={"a": "1"}, headers={"X-Test": "yes"}) == {"ok": True}
    request = api_server.requests[0]
    assert request.query == {"a": ["1"]} and request.headers["x-test"] == "yes"


def test_empty_success_body_is_an_empty_dict(api_server):
    api_server.queue(api_server.Answer(200, b"", {}))
    assert client_for(api_server).get("/images/private/1") == {}


def test_close_and_context_manager(api_server):
    api_server.queue(api_server.json_answer(200, {}))
    with client_for(api_server) as client:
        client.get("/x")
        session = client.session
    assert not session.adapters or all(not getattr(a, "poolmanager").pools for a in session.adapters.values())


# ---------------------------------------------------------------- pagination


def test_get_all_follows_three_pages_with_filter(api_server):
    def handler(request):
        page = int(request.query["page"][0])
        data = [{"id": "private/%d" % (page * 10 + i)} for i in range(2)]
        return api_server.json_answer(200, {"data": data, "page": page, "pages": 3, "results": 6})

    api_server.handler = handler
    x_filter = {"is_public": False, "+order_by": "label"}
    images = client_for(api_server).list_images(x_filter=x_filter)
    assert [i["id"] for i in images] == ["private/10", "private/11", "private/20", "private/21", "private/30", "private/31"]
    assert api_server.count == 3
    for number, request in enumerate(api_server.requests, 1):
        assert request.path == "/v4/images"
        assert request.query == {"page": [str(number)], "page_size": ["500"]}
        assert json.loads(request.headers["x-filter"]) == x_filter


def test_get_all_single_page_no_filter_header(api_server):
    api_server.queue(api_server.json_answer(200, {"data": [{"id": "us-east"}], "page": 1, "pages": 1, "results": 1}))
    assert client_for(api_server).list_regions() == [{"id": "us-east"}]
    assert "x-filter" not in api_server.requests[0].headers
    assert api_server.requests[0].path == "/v4/regions"


def test_get_all_drops_items_repeated_when_the_list_shifts(api_server):
    api_server.queue(
        api_server.json_answer(200, {"data": [{"id": 1}, {"id": 2}], "page": 1, "pages": 2, "results": 4}),
        api_server.json_answer(200, {"data": [{"id": 2}, {"id": 3}], "page": 2, "pages": 2, "results": 4}),
    )
    assert client_for(api_server).get_all("/things") == [{"id": 1}, {"id": 2}, {"id": 3}]


def test_get_all_rejects_a_non_envelope(api_server):
    api_server.queue(api_server.json_answer(200, {"id": "x"}))
    with pytest.raises(LinodeAPIError, match=r"GET /v4/things failed \(200\): expected a paginated answer"):
        client_for(api_server).get_all("/things")


# ---------------------------------------------------------------- retries


def test_429_honours_retry_after(api_server):
    api_server.queue(api_server.error_answer(429, "Too many requests", headers={"Retry-After": "1"}),
                     api_server.json_answer(200, {"id": "private/1"}))
    client = client_for(api_server)
    start = time.monotonic()
    assert client.get_image("private/1") == {"id": "private/1"}
    assert time.monotonic() - start >= 1.0
    assert api_server.count == 2 and client.request_count == 2
    assert client.warnings == []


def test_retry_after_is_capped_and_warned(api_server):
    api_server.queue(api_server.error_answer(429, "Too many requests", headers={"Retry-After": "3600"}),
                     api_server.json_answer(200, {"id": "private/1"}))
    client = client_for(api_server, retry_after_cap=1)
    client.warnings = []  # callers may replace (or clear) the list: warnings still land in it
    start = time.monotonic()
    client.get_image("private/1")
    elapsed = time.monotonic() - start
    assert 1.0 <= elapsed < 30
    assert client.warnings == [
        "The API asked to wait 3600 s (Retry-After) on GET /v4/images/private/1; waited 1 s, the retry_after_cap"]


def test_unparsable_retry_after_falls_back_to_backoff(api_server):
    api_server.queue(api_server.error_answer(503, "busy", headers={"Retry-After": "soon-ish"}),
                     api_server.json_answer(200, {}))
    client = client_for(api_server)
    assert client.get("/x") == {}
    assert api_server.count == 2 and client.warnings == []


def test_gives_up_after_the_bound_with_the_last_body(api_server):
    api_server.queue(*[api_server.error_answer(503, "busy %d" % i) for i in range(1, 10)])
    client = client_for(api_server, max_retries=2)
    with pytest.raises(LinodeAPIError) as info:
        client.get_image("private/1")
    assert api_server.count == 3 and client.request_count == 3
    exc = info.value
    assert (exc.status, exc.method, exc.path, exc.attempts) == (503, "GET", "/v4/images/private/1", 3)
    assert str(exc) == "GET /v4/images/private/1 failed (503): busy 3 (gave up after 3 attempts)"


def test_max_retries_zero_sends_once(api_server):
    api_server.queue(api_server.error_answer(429, "slow down"), api_server.json_answer(200, {}))
    with pytest.raises(LinodeAPIError, match=r"\(429\): slow down \(gave up after 1 attempt\)"):
        client_for(api_server, max_retries=0).get("/x")
    assert api_server.count == 1


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_get_retried_on_retryable_status_then_succeeds(api_server, status):
    api_server.queue(api_server.error_answer(status, "transient"), api_server.error_answer(500, "again"),
                     api_server.json_answer(200, {"id": "private/1"}))
    client = client_for(api_server)
    assert client.get_image("private/1") == {"id": "private/1"}
    assert api_server.count == 3 and client.request_count == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 501])
def test_get_not_retried_on_other_errors(api_server, status):
    api_server.queue(api_server.error_answer(status, "nope"), api_server.json_answer(200, {}))
    with pytest.raises(LinodeAPIError) as info:
        client_for(api_server).get("/images/private/1")
    assert info.value.status == status and info.value.attempts is None
    assert api_server.count == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_post_not_retried_on_server_errors(api_server, status):
    api_server.queue(api_server.error_answer(status, "oops"), api_server.json_answer(200, {}))
    client = client_for(api_server)
    with pytest.raises(LinodeAPIError) as info:
        client.replicate_image("private/12", ["us-east"])
    assert api_server.count == 1 and client.request_count == 1
    assert info.value.status == status and info.value.method == "POST" and info.value.attempts is None


@pytest.mark.parametrize("status", [408, 429])
def test_post_retried_on_408_and_429(api_server, status):
    api_server.queue(api_server.error_answer(status, "not processed"), api_server.json_answer(200, {"id": "private/12"}))
    assert client_for(api_server).replicate_image("private/12", ["us-east"]) == {"id": "private/12"}
    assert api_server.count == 2
    assert [r.body for r in api_server.requests] == [b'{"regions": ["us-east"]}'] * 2


def test_backoff_is_exponential_and_capped():
    retry = _api._LinodeRetry(total=5, backoff_factor=0.5, linode_backoff_max=3)
    waits = []
    for dummy in range(5):
        retry = retry.increment(method="GET", url="/v4/x", error=None, response=None)
        waits.append(retry.get_backoff_time())
    assert waits == [0.5, 1.0, 2.0, 3.0, 3.0]


# ---------------------------------------------------------------- timeouts, dropped and refused connections


def test_get_read_timeout_is_retried(api_server):
    api_server.queue(api_server.json_answer(200, {"late": True}, delay=3), api_server.json_answer(200, {"id": "private/1"}))
    client = client_for(api_server, request_timeout=0.3)
    assert client.get_image("private/1") == {"id": "private/1"}
    assert api_server.count == 2 and client.request_count == 2


def test_get_read_timeout_gives_up(api_server):
    api_server.queue(*[api_server.json_answer(200, {}, delay=3)] * 2)
    with pytest.raises(LinodeConnectionError) as info:
        client_for(api_server, request_timeout=0.3, max_retries=1).get("/images/private/1")
    assert api_server.count == 2
    assert info.value.request_sent is True and "request_timeout (0.3 s)" in str(info.value)


def test_post_read_timeout_raises_ambiguous(api_server):
    api_server.queue(api_server.json_answer(200, {}, delay=3), api_server.json_answer(200, {}))
    client = client_for(api_server, request_timeout=0.3)
    with pytest.raises(LinodeConnectionError) as info:
        client.replicate_image("private/12", ["us-east"])
    exc = info.value
    assert api_server.count == 1 and client.request_count == 1
    assert exc.request_sent is True and exc.is_certificate_error is False
    assert (exc.method, exc.path) == ("POST", "/v4/images/private/12/regions")
    assert "request_timeout (0.3 s)" in str(exc) and "may have been processed" in str(exc)
    assert_no_token(exc)


def test_get_dropped_connection_is_retried(api_server):
    api_server.queue(api_server.Answer(drop=True), api_server.json_answer(200, {"id": "private/1"}))
    assert client_for(api_server).get_image("private/1") == {"id": "private/1"}
    assert api_server.count == 2


def test_post_dropped_connection_raises_ambiguous(api_server):
    api_server.queue(api_server.Answer(drop=True), api_server.json_answer(200, {}))
    with pytest.raises(LinodeConnectionError) as info:
        client_for(api_server).replicate_image("private/12", ["us-east"])
    assert api_server.count == 1
    assert info.value.request_sent is True
    assert_no_token(info.value)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_connection_refused_is_not_sent(refused_url, method):
    client = client_for(refused_url, max_retries=2)
    with pytest.raises(LinodeConnectionError) as info:
        if method == "GET":
            client.get_image("private/1")
        else:
            client.replicate_image("private/1", ["us-east"])
    exc = info.value
    assert exc.request_sent is False and exc.is_certificate_error is False
    assert exc.method == method and exc.path.startswith("/v4/images/private/1")
    assert "could not connect to 127.0.0.1:" in exc.reason and "refused" in exc.reason.lower()
    assert_no_token(exc)


# ---------------------------------------------------------------- error rendering and hints


@pytest.mark.parametrize("answer_errors, expected", [
    ([("regions", "Region ca-central does not support Object Storage")],
     "POST /v4/images/private/12/regions failed (400): regions: Region ca-central does not support Object Storage"),
    ([("regions", "Too many regions"), ("regions.1", "Unknown region\n  xx-nowhere"), "Image is not available"],
     "POST /v4/images/private/12/regions failed (400): regions: Too many regions; regions.1: Unknown region xx-nowhere; "
     "Image is not available"),
    (["Invalid JSON"], "POST /v4/images/private/12/regions failed (400): Invalid JSON"),
])
def test_json_error_rendering(api_server, answer_errors, expected):
    api_server.queue(api_server.error_answer(400, *answer_errors))
    with pytest.raises(LinodeAPIError) as info:
        client_for(api_server).replicate_image("private/12", ["ca-central"])
    exc = info.value
    assert str(exc) == expected
    assert exc.status == 400 and len(exc.errors) == len(answer_errors)
    assert exc.method == "POST" and exc.path == "/v4/images/private/12/regions"
    assert "\n" not in str(exc)


def test_null_field_shows_only_the_reason(api_server):
    api_server.queue(api_server.json_answer(400, {"errors": [{"field": None, "reason": "Bad"}]}))
    with pytest.raises(LinodeAPIError, match=r"failed \(400\): Bad$"):
        client_for(api_server).get("/images/private/1")


def test_html_error_page_uses_the_title(api_server):
    page = ("<html><head><title>502 Bad   Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>"
            "<hr><center>nginx</center></body></html>")
    api_server.queue(*[api_server.Answer(502, page, {"Content-Type": "text/html; charset=utf-8"})] * 2)
    with pytest.raises(LinodeAPIError) as info:
        client_for(api_server, max_retries=1).get_image("private/1")
    assert str(info.value) == ("GET /v4/images/private/1 failed (502): the API answered text/html instead of JSON: "
                               "502 Bad Gateway (gave up after 2 attempts)")
    assert info.value.errors == [{"reason": "the API answered text/html instead of JSON: 502 Bad Gateway"}]


def test_html_error_page_without_title_is_stripped_and_shortened(api_server):
    page = "<html><body><style>p {color: red}</style><p>Service\n\n  down &amp; out</p>%s</body></html>" % ("<b>x</b> " * 300)
    api_server.queue(api_server.Answer(400, page, {"Content-Type": "text/html"}))
    with pytest.raises(LinodeAPIError) as info:
        client_for(api_server).get("/images/private/1")
    reason = info.value.errors[0]["reason"]
    assert reason.startswith("the API answered text/html instead of JSON: Service down & out x x")
    assert reason.endswith("...") and len(reason) < 300 and "<" not in reason and "color" not in reason


def test_empty_and_unexpected_bodies(api_server):
    api_server.queue(api_server.Answer(400, b"", {}), api_server.json_answer(400, {"message": "nope"}),
                     api_server.Answer(200, "<html>hi</html>", {"Content-Type": "text/html"}))
    client = client_for(api_server)
    with pytest.raises(LinodeAPIError, match=r"\(400\): the API answered an empty body \(a body without Content-Type\) instead of JSON$"):
        client.get("/a")
    with pytest.raises(LinodeAPIError, match=r'\(400\): unexpected answer: \{"message": "nope"\}$'):
        client.get("/b")
    with pytest.raises(LinodeAPIError, match=r"GET /v4/c failed \(200\): the API answered text/html instead of JSON: hi$"):
        client.get("/c")


def test_redirects_are_not_followed(api_server):
    api_server.queue(api_server.Answer(301, b"", {"Location": "https://elsewhere.example/v4/images/private/12/regions"}))
    with pytest.raises(LinodeAPIError, match=r"POST /v4/images/private/12/regions failed \(301\): the API redirected to "
                                             r"https://elsewhere.example/v4/images/private/12/regions; check api_url"):
        client_for(api_server).replicate_image("private/12", ["us-east"])
    assert api_server.count == 1


def test_401_hint(api_server):
    api_server.queue(api_server.error_answer(401, "Invalid Token"))
    with pytest.raises(LinodeAPIError) as info:
        client_for(api_server).get_image("private/1")
    assert str(info.value) == ("GET /v4/images/private/1 failed (401): Invalid Token; "
                               "check api_token (or the LINODE_API_TOKEN / LINODE_TOKEN environment variables)")
    assert_no_token(info.value)


def test_403_hints(api_server):
    api_server.queue(api_server.error_answer(403, "Unauthorized"), api_server.error_answer(403, "Unauthorized"))
    client = client_for(api_server)
    with pytest.raises(LinodeAPIError) as info:
        client.replicate_image("private/12", ["us-east"])
    assert str(info.value).endswith("failed (403): Unauthorized; the token needs the images:read_write scope to replicate images")
    with pytest.raises(LinodeAPIError) as info:
        client.get_image("private/12")
    assert str(info.value).endswith("failed (403): Unauthorized; the token needs the images:read_only scope to read images")


def test_error_rendering_is_one_line_for_any_errors():
    hypothesis = pytest.importorskip("hypothesis")
    strategies = hypothesis.strategies
    error = strategies.fixed_dictionaries({"reason": strategies.text()}, optional={"field": strategies.none() | strategies.text()})

    @hypothesis.settings(max_examples=200, deadline=None)
    @hypothesis.given(status=strategies.integers(100, 599), errors=strategies.lists(error, max_size=5))
    def check(status, errors):
        text = str(LinodeAPIError(status, errors, "GET", "/v4/images/private/1"))
        assert text.startswith("GET /v4/images/private/1 failed (%d): " % status)
        assert "\n" not in text and "\r" not in text

    check()


# ---------------------------------------------------------------- TLS


def test_tls_default_verification_fails_clearly(tls_api_server):
    tls_api_server.queue(tls_api_server.json_answer(200, {}))
    with pytest.raises(LinodeConnectionError) as info:
        client_for(tls_api_server).get_image("private/1")
    exc = info.value
    assert exc.is_certificate_error is True and exc.request_sent is False
    assert "certificate verification failed" in str(exc) and "ca_path" in str(exc) and "validate_certs: false" in str(exc)
    assert tls_api_server.count == 0
    assert_no_token(exc)


def test_tls_ca_path_works(tls_api_server):
    tls_api_server.queue(tls_api_server.json_answer(200, {"id": "private/1"}))
    assert client_for(tls_api_server, ca_path=tls_api_server.ca_path).get_image("private/1") == {"id": "private/1"}
    assert tls_api_server.requests[0].headers["authorization"] == "Bearer " + TOKEN


def test_tls_validate_certs_false_works(tls_api_server, recwarn):
    tls_api_server.queue(tls_api_server.json_answer(200, {"id": "private/1"}))
    assert client_for(tls_api_server, validate_certs=False).get_image("private/1") == {"id": "private/1"}
    assert not [w for w in recwarn if "Unverified HTTPS" in str(w.message)]


def test_tls_ca_path_wins_over_validate_certs_false(tls_api_server):
    client = client_for(tls_api_server, ca_path=tls_api_server.ca_path, validate_certs=False)
    assert client._verify == tls_api_server.ca_path


def test_https_client_against_plain_http_server_is_a_tls_error(api_server):
    url = api_server.url.replace("http://", "https://")
    with pytest.raises(LinodeConnectionError) as info:
        client_for(url).get("/x")
    assert info.value.request_sent is False and info.value.is_certificate_error is False
    assert "TLS" in str(info.value)


# ---------------------------------------------------------------- the token never leaks


def test_token_never_in_exceptions(api_server, refused_url):
    api_server.queue(api_server.error_answer(401, "Invalid Token"), api_server.Answer(502, "<title>x</title>", {"Content-Type": "text/html"}),
                     api_server.json_answer(200, {}, delay=3), api_server.Answer(drop=True))
    client = client_for(api_server, max_retries=0, request_timeout=0.3)
    seen = []
    for call in (lambda: client.get("/a"), lambda: client.get("/b"), lambda: client.post("/c", {}), lambda: client.post("/d", {}),
                 lambda: client_for(refused_url, max_retries=0).get("/e")):
        with pytest.raises(LinodeError) as info:
            call()
        assert_no_token(info.value)
        seen.append(type(info.value))
    assert seen == [LinodeAPIError, LinodeAPIError, LinodeConnectionError, LinodeConnectionError, LinodeConnectionError]


def test_scrub_removes_the_token_from_foreign_text():
    client = LinodeClient(TOKEN)
    assert client._scrub("url https://x/?t=%s failed" % TOKEN) == "url https://x/?t=******** failed"


def test_connect_timeout_maps_to_not_sent():
    import requests
    from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

    client = LinodeClient(TOKEN, request_timeout=7)
    inner = ConnectTimeoutError(None, "Connection to api.linode.com timed out. (connect timeout=7)")
    exc = client._connection_error(requests.exceptions.ConnectTimeout(MaxRetryError(None, "/v4/x", inner)), "POST", "/v4/x")
    assert exc.request_sent is False and exc.is_certificate_error is False
    assert str(exc) == "POST /v4/x failed: could not connect to api.linode.com within request_timeout (7 s)"


def test_rate_limiting_has_its_own_budget(api_server):
    # Seven 429s in a row would exhaust max_retries=2 if they counted as errors; they do not.
    api_server.queue(*[api_server.error_answer(429, "slow down", headers={"Retry-After": "0.01"}) for dummy in range(7)]
                     + [api_server.json_answer(200, {"id": "private/1"})])
    client = client_for(api_server, max_retries=2)
    assert client.get_image("private/1") == {"id": "private/1"}
    assert api_server.count == 8 and client.request_count == 8


def test_rate_limit_budget_is_bounded(api_server, monkeypatch):
    monkeypatch.setattr(_api, "RATE_LIMIT_RETRIES", 3)
    api_server.queue(*[api_server.error_answer(429, "slow down", headers={"Retry-After": "0.01"}) for dummy in range(20)])
    client = client_for(api_server, max_retries=2)
    with pytest.raises(LinodeAPIError, match=r"\(429\): slow down \(gave up after 6 attempts\)"):
        client.get_image("private/1")
    assert api_server.count == 6, "3 on the rate-limit budget, then the 2 retries of max_retries"
