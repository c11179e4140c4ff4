"""Fixtures of the emulator's own tests: an in-process emulator, a subprocess starter, polling helpers."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any, Callable, Iterator

import pytest
import requests

EMULATOR_DIR = os.path.dirname(os.path.abspath(__file__))
EMULATOR_SCRIPT = os.path.join(EMULATOR_DIR, "linode_emulator.py")
if EMULATOR_DIR not in sys.path:
    sys.path.insert(0, EMULATOR_DIR)

from linode_emulator import READY_LINE, start_emulator  # noqa: E402  pylint: disable=wrong-import-position

RW_TOKEN = "rw-token-0123456789"
RO_TOKEN = "ro-token-0123456789"
REPLICATION_SECONDS = 0.6


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.02) -> Any:
    """Polls until predicate() is truthy; fails the test at the deadline rather than sleeping a guessed time."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s (last result {result!r})")
        time.sleep(interval)


class Api:
    """A thin requests wrapper bound to one emulator."""

    def __init__(self, base_url: str, token: str | None = RW_TOKEN, verify: Any = True):
        self.base_url = base_url
        self.session = requests.Session()
        # Passed on every call: a session-level verify loses to REQUESTS_CA_BUNDLE in the environment.
        self.verify = verify
        self.token = token

    def headers(self, token: str | None = "default", extra: dict[str, str] | None = None) -> dict[str, str]:
        token = self.token if token == "default" else token
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers.update(extra or {})
        return headers

    def get(self, path: str, token: str | None = "default", **kwargs: Any) -> requests.Response:
        headers = self.headers(token, kwargs.pop("headers", None))
        return self.session.get(self.base_url + path, headers=headers, timeout=10, verify=self.verify, **kwargs)

    def post(self, path: str, body: Any = None, token: str | None = "default", **kwargs: Any) -> requests.Response:
        if "data" not in kwargs:
            kwargs["json"] = body
        headers = self.headers(token, kwargs.pop("headers", None))
        return self.session.post(self.base_url + path, headers=headers, timeout=10, verify=self.verify, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.delete(self.base_url + path, timeout=10, verify=self.verify, **kwargs)

    def image(self, image_id: str) -> dict[str, Any]:
        response = self.get(f"/v4/images/{image_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def region_statuses(self, image_id: str) -> dict[str, str]:
        return {entry["region"]: entry["status"] for entry in self.image(image_id)["regions"]}

    def replicate(self, image_id: str, regions: list[str], token: str | None = "default") -> requests.Response:
        return self.post(f"/v4/images/{image_id}/regions", {"regions": regions}, token=token)

    def control(self, method: str, route: str, body: Any = None) -> requests.Response:
        return self.session.request(method, f"{self.base_url}/__emulator/{route}", json=body, timeout=10, verify=self.verify)


@pytest.fixture(scope="session")
def running_emulator() -> Iterator[Any]:
    emulator = start_emulator(replication_seconds=REPLICATION_SECONDS, tokens=[RW_TOKEN, f"{RO_TOKEN}:read_only"])
    yield emulator
    emulator.stop()


@pytest.fixture()
def api(running_emulator: Any) -> Iterator[Api]:  # pylint: disable=redefined-outer-name
    """A client of the shared in-process emulator, reset to the seed before each test."""
    client = Api(running_emulator.url)
    assert client.control("POST", "reset").status_code == 200
    client.control("POST", "config", {"replication_seconds": REPLICATION_SECONDS})
    yield client
    client.session.close()


class EmulatorProcess:
    def __init__(self, process: subprocess.Popen[str], url: str):
        self.process = process
        self.url = url

    def stop(self, sig: int | None = None) -> int:
        if self.process.poll() is None:
            if sig is None:
                self.process.terminate()
            else:
                self.process.send_signal(sig)
        return self.process.wait(timeout=10)


def launch_emulator(*args: str, python: str = sys.executable) -> EmulatorProcess:
    """Runs the CLI as users do and waits for its one ready line."""
    process = subprocess.Popen([python, EMULATOR_SCRIPT, "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, encoding="utf-8")
    assert process.stdout is not None
    line = process.stdout.readline().rstrip("\n")
    if not line:
        process.kill()
        error_output = process.communicate(timeout=10)[1]
        pytest.fail(f"emulator did not start: {error_output}")
    prefix = READY_LINE.split("{scheme}", 1)[0]
    assert line.startswith(prefix), line
    return EmulatorProcess(process, line[len(prefix):].strip())


@pytest.fixture()
def emulator_process() -> Iterator[Callable[..., EmulatorProcess]]:
    started: list[EmulatorProcess] = []

    def start(*args: str, **kwargs: Any) -> EmulatorProcess:
        emulator = launch_emulator(*args, **kwargs)
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        if emulator.process.poll() is None:
            emulator.process.kill()
            emulator.process.wait(timeout=10)
        for stream in (emulator.process.stdout, emulator.process.stderr):
            if stream is not None:
                stream.close()
