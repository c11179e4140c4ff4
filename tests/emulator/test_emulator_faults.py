"""Queued faults, the request log, and the rate limit."""
from __future__ import annotations

import time

import pytest
import requests

from conftest import RW_TOKEN, Api, start_emulator, wait_until


def requests_logged(api: Api) -> list[dict]:
    return api.control("GET", "requests").json()["requests"]


def test_fault_answers_instead_of_the_route(api: Api) -> None:
    queued = api.control("POST", "faults", {"method": "post", "path": r"/images/private/12345/regions$", "status": 503, "retry_after": 2})
    assert queued.status_code == 201 and queued.json()["faults"][0]["method"] == "POST"
    assert api.get("/v4/images/private/12345").status_code == 200
    response = api.replicate("private/12345", ["us-east", "fr-par"])
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert response.json()["errors"][0]["reason"]
    assert api.region_statuses("private/12345") == {"us-east": "available"}
    assert api.replicate("private/12345", ["us-east", "fr-par"]).status_code == 200


def test_fault_count_and_listing(api: Api) -> None:
    api.control("POST", "faults", [{"path": "/regions/us-east", "status": 500, "count": 2}, {"path": "/regions/fr-par", "status": 502}])
    pending = api.control("GET", "faults").json()["faults"]
    assert [(fault["path"], fault["count"]) for fault in pending] == [("/regions/us-east", 2), ("/regions/fr-par", 1)]
    assert [api.get("/v4/regions/us-east").status_code for _attempt in range(3)] == [500, 500, 200]
    assert [fault["path"] for fault in api.control("GET", "faults").json()["faults"]] == ["/regions/fr-par"]
    assert api.control("DELETE", "faults").status_code == 200
    assert api.control("GET", "faults").json() == {"faults": []}
    assert api.get("/v4/regions/fr-par").status_code == 200


def test_fault_with_raw_body_and_content_type(api: Api) -> None:
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    api.control("POST", "faults", {"path": "^/v4/images$", "status": 502, "body": html, "content_type": "text/html"})
    response = api.get("/v4/images")
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "text/html"
    assert response.text == html


def test_fault_delay_slows_the_answer(api: Api) -> None:
    api.control("POST", "faults", {"path": "/regions/us-east", "delay": 0.3})
    started = time.monotonic()
    response = api.get("/v4/regions/us-east")
    assert response.status_code == 200 and response.json()["id"] == "us-east"
    assert time.monotonic() - started >= 0.3
    api.control("POST", "faults", {"path": "/regions/us-east", "delay": 1})
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.session.get(api.base_url + "/v4/regions/us-east", timeout=0.2)
    wait_for_delayed_requests(api, 2)


def wait_for_delayed_requests(api: Api, count: int) -> None:
    """The server finishes a delayed request after the client gave up; wait so its log entry lands in this test, not a later one."""
    wait_until(lambda: sum(1 for entry in requests_logged(api) if entry["fault"] and "delay" in entry["fault"]) >= count)


def test_fault_drop_closes_the_connection(api: Api) -> None:
    api.control("POST", "faults", {"method": "GET", "path": "private/12345", "drop": True})
    with pytest.raises(requests.exceptions.ConnectionError):
        api.get("/v4/images/private/12345")
    assert api.get("/v4/images/private/12345").status_code == 200
    entry = requests_logged(api)[-2]
    assert entry["status"] is None and "drop" in entry["fault"]


def test_phase_after_makes_an_ambiguous_write(api: Api) -> None:
    api.control("POST", "faults", {"method": "POST", "path": "/regions$", "phase": "after", "drop": True})
    with pytest.raises(requests.exceptions.ConnectionError):
        api.replicate("private/12345", ["us-east", "fr-par"])
    assert set(api.region_statuses("private/12345")) == {"us-east", "fr-par"}

    api.control("POST", "faults", {"method": "POST", "path": "/regions$", "phase": "after", "status": 504, "body": "gateway timeout"})
    response = api.replicate("private/12345", ["us-east", "nl-ams"])
    assert response.status_code == 504 and response.text == "gateway timeout"
    assert set(api.region_statuses("private/12345")) == {"us-east", "nl-ams", "fr-par"}


def test_phase_after_delay_lets_a_client_time_out_after_the_change(api: Api) -> None:
    api.control("POST", "faults", {"method": "POST", "path": "/regions$", "phase": "after", "delay": 1})
    with pytest.raises(requests.exceptions.ReadTimeout):
        api.session.post(api.base_url + "/v4/images/private/12345/regions", json={"regions": ["us-east", "se-sto"]},
                         headers=api.headers(), timeout=0.2)
    assert "se-sto" in api.region_statuses("private/12345")
    wait_for_delayed_requests(api, 1)


@pytest.mark.parametrize("fault", [{"status": "x"}, {"count": 0}, {"phase": "during"}, {"path": "("}, {"colour": "red"}, [1]])
def test_bad_faults_are_refused(api: Api, fault: object) -> None:
    assert api.control("POST", "faults", fault).status_code == 400


def test_request_log_records_requests_without_tokens(api: Api) -> None:
    api.control("DELETE", "requests")
    api.get("/v4/images", params={"page": 1, "page_size": 25})
    api.replicate("private/12345", ["us-east", "ca-central"])
    api.control("POST", "faults", {"path": "/regions/us-east", "status": 429, "retry_after": 1})
    api.get("/v4/regions/us-east")
    api.get("/v4/images/private/12345", token="a-wrong-token-value")
    log = requests_logged(api)
    assert [(entry["method"], entry["path"], entry["status"]) for entry in log] == [
        ("GET", "/v4/images", 200), ("POST", "/v4/images/private/12345/regions", 400), ("GET", "/v4/regions/us-east", 429),
        ("GET", "/v4/images/private/12345", 401)]
    assert log[0]["query"] == "page=1&page_size=25" and log[0]["body"] is None
    assert log[1]["body"] == {"regions": ["us-east", "ca-central"]}
    assert log[0]["fault"] is None and "429" in log[2]["fault"]
    assert all(set(entry) == {"method", "path", "query", "status", "body", "time", "fault"} for entry in log)
    assert all(isinstance(entry["time"], float) for entry in log)
    text = api.control("GET", "requests").text
    assert RW_TOKEN not in text and "a-wrong-token-value" not in text and "Bearer" not in text
    assert api.control("DELETE", "requests").status_code == 200
    assert requests_logged(api) == []


def test_control_routes_are_not_logged(api: Api) -> None:
    api.control("DELETE", "requests")
    api.control("GET", "faults")
    api.control("GET", "events")
    assert requests_logged(api) == []


def test_rate_limit_answers_429_with_retry_after() -> None:
    emulator = start_emulator(rate_limit=5, replication_seconds=0.1)
    try:
        client = Api(emulator.url)
        other = Api(emulator.url, token="another-token")
        # Control routes do not count.
        for _attempt in range(10):
            assert client.control("GET", "faults").status_code == 200

        def burst_hits_limit() -> list[requests.Response]:
            answers = [client.get("/v4/regions/us-east") for _attempt in range(8)]
            return [answer for answer in answers if answer.status_code == 429]

        # A burst may straddle a one-second window boundary, hence polling rather than one burst.
        limited = wait_until(burst_hits_limit, timeout=5)[0]
        assert int(limited.headers["Retry-After"]) >= 1
        assert limited.json()["errors"][0]["reason"]
        assert other.get("/v4/regions/us-east").status_code == 200
        wait_until(lambda: client.get("/v4/regions/us-east").status_code == 200, timeout=5)
    finally:
        emulator.stop()
