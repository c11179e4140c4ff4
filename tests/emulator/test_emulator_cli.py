"""The emulator as users run it: a subprocess, its ready line, its flags, signals and TLS."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys

import pytest
import requests

from conftest import EMULATOR_SCRIPT, Api, wait_until

READY = re.compile(r"^Linode API emulator listening on (https?)://127\.0\.0\.1:(\d+)$")


def python311() -> str | None:
    candidates = [shutil.which("python3.11"), os.path.expanduser("~/.pyenv/versions/3.11.7/bin/python3.11")]
    candidates += [os.path.join(root, name, "bin", "python3.11") for root in [os.path.expanduser("~/.pyenv/versions")]
                   if os.path.isdir(root) for name in sorted(os.listdir(root)) if name.startswith("3.11")]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


def test_ready_line_and_sigterm(emulator_process) -> None:  # type: ignore[no-untyped-def]
    emulator = emulator_process()
    assert emulator.url.startswith("http://127.0.0.1:")
    line = f"Linode API emulator listening on {emulator.url}"
    assert READY.match(line)
    assert Api(emulator.url).get("/v4/regions").status_code == 200
    assert emulator.stop(signal.SIGTERM) == 0
    assert emulator.process.stdout.read() == ""  # exactly one line was printed


def test_sigint_stops_cleanly(emulator_process) -> None:  # type: ignore[no-untyped-def]
    emulator = emulator_process()
    assert emulator.stop(signal.SIGINT) == 0
    assert "Traceback" not in emulator.process.stderr.read()


def test_runs_on_python_311(emulator_process) -> None:  # type: ignore[no-untyped-def]
    interpreter = python311()
    if interpreter is None:
        pytest.skip("no python3.11 on this machine")
    emulator = emulator_process(python=interpreter)
    client = Api(emulator.url)
    assert client.replicate("private/12345", ["us-east", "fr-par"]).status_code == 200
    assert emulator.stop() == 0


def test_explicit_port_and_host(emulator_process) -> None:  # type: ignore[no-untyped-def]
    first = emulator_process()
    port = int(first.url.rsplit(":", 1)[1])
    first.stop()
    process = subprocess.run([sys.executable, EMULATOR_SCRIPT, "--host", "127.0.0.1", "--port", str(port), "--help"],
                             capture_output=True, text=True, check=True, timeout=30)
    for flag in ("--port", "--host", "--seed", "--replication-seconds", "--token", "--tls-cert", "--tls-key", "--rate-limit"):
        assert flag in process.stdout
    second = emulator_process("--host", "127.0.0.1", "--port", str(port))
    assert second.url == f"http://127.0.0.1:{port}"


def test_tokens_and_scopes(emulator_process) -> None:  # type: ignore[no-untyped-def]
    emulator = emulator_process("--token", "alpha", "--token", "beta:read_only")
    client = Api(emulator.url, token="alpha")
    assert client.get("/v4/images/private/12345").status_code == 200
    assert client.get("/v4/images/private/12345", token="beta").status_code == 200
    assert client.get("/v4/images/private/12345", token="gamma").status_code == 401
    assert client.replicate("private/12345", ["us-east", "fr-par"], token="beta").status_code == 403
    assert client.replicate("private/12345", ["us-east", "fr-par"]).status_code == 200


def test_replication_seconds_flag(emulator_process) -> None:  # type: ignore[no-untyped-def]
    emulator = emulator_process("--replication-seconds", "0.4")
    client = Api(emulator.url, token="anything-goes")
    client.replicate("private/12345", ["us-east", "fr-par"])
    wait_until(lambda: client.region_statuses("private/12345").get("fr-par") == "available")
    events = client.control("GET", "events").json()["events"]
    assert events[-1]["time"] - events[0]["time"] == pytest.approx(0.4, abs=0.01)


def test_seed_file(emulator_process, tmp_path) -> None:  # type: ignore[no-untyped-def]
    seed = {
        "regions": [{"id": "us-east", "label": "Newark, NJ", "country": "us", "capabilities": ["Linodes", "Object Storage"]},
                    {"id": "us-west", "label": "Fremont, CA", "country": "us", "capabilities": ["Linodes"]}],
        "images": [{"id": "private/7", "label": "seeded", "size": 100, "regions": [{"region": "us-east", "status": "available"}]}],
    }
    seed_file = tmp_path / "seed.json"
    seed_file.write_text(json.dumps(seed), encoding="utf-8")
    emulator = emulator_process("--seed", str(seed_file))
    client = Api(emulator.url)
    assert [region["id"] for region in client.get("/v4/regions").json()["data"]] == ["us-east", "us-west"]
    assert client.image("private/7")["total_size"] == 100 * 1024 * 1024
    assert client.replicate("private/7", ["us-east", "us-west"]).status_code == 400
    assert client.control("POST", "images", {}).json()["id"] == "private/8"


def test_rate_limit_flag(emulator_process) -> None:  # type: ignore[no-untyped-def]
    emulator = emulator_process("--rate-limit", "3")
    client = Api(emulator.url)
    statuses = [client.get("/v4/regions").status_code for _attempt in range(10)]
    assert 429 in statuses


@pytest.mark.parametrize("args, message", [(["--tls-cert", "x.pem"], "--tls-key"), (["--seed", "/nonexistent/seed.json"], "cannot start"),
                                           (["--replication-seconds", "-1"], "negative")])
def test_bad_invocations_exit_non_zero(args: list[str], message: str) -> None:
    process = subprocess.run([sys.executable, EMULATOR_SCRIPT, "--port", "0", *args], capture_output=True, text=True, timeout=30, check=False)
    assert process.returncode == 2
    assert message in process.stderr


def test_tls(emulator_process, tmp_path) -> None:  # type: ignore[no-untyped-def]
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    server_cert = authority.issue_cert("127.0.0.1", "localhost")
    cert_file, key_file, ca_file = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    server_cert.cert_chain_pems[0].write_to_path(str(cert_file))
    server_cert.private_key_pem.write_to_path(str(key_file))
    authority.cert_pem.write_to_path(str(ca_file))

    emulator = emulator_process("--tls-cert", str(cert_file), "--tls-key", str(key_file))
    assert emulator.url.startswith("https://127.0.0.1:")
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(emulator.url + "/v4/regions", timeout=10)
    client = Api(emulator.url, verify=str(ca_file))
    assert client.get("/v4/regions").status_code == 200
    assert client.replicate("private/12345", ["us-east", "fr-par"]).status_code == 200
    # Plain HTTP on the TLS port gets no answer, and the server keeps serving.
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(emulator.url.replace("https://", "http://") + "/v4/regions", timeout=5)
    assert client.get("/v4/images/private/12345").status_code == 200
    assert emulator.stop() == 0
