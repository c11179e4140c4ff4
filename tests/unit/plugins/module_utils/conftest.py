# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Fixtures for the transport tests: a real, scripted, recording HTTP(S) server on 127.0.0.1.

``api_server`` answers each request with the next scripted :class:`Answer` (FIFO), or with
``server.handler(request)`` when the queue is empty (``server.Answer``, ``server.json_answer``
and ``server.error_answer`` build answers), and records every request it receives
(method, path, query, headers, body). It is a plain ``http.server.ThreadingHTTPServer``:
one connection per request (HTTP/1.0), so the number of recorded requests is exactly the
number the client sent.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import json
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


Answer = collections.namedtuple("Answer", "status body headers delay drop")
Answer.__new__.__defaults__ = (200, None, None, 0, False)

Recorded = collections.namedtuple("Recorded", "method path query headers body raw_path")


def json_answer(status=200, body=None, headers=None, delay=0):
    """An answer whose body is JSON-encoded ``body``."""
    return Answer(status, json.dumps(body if body is not None else {}), dict(headers or {}, **{"Content-Type": "application/json"}), delay, False)


def error_answer(status, *errors, **kwargs):
    """An answer in the API's error format; each error is a reason string or a (field, reason) tuple."""
    items = [{"reason": e} if isinstance(e, str) else {"field": e[0], "reason": e[1]} for e in errors]
    return json_answer(status, {"errors": items}, headers=kwargs.get("headers"))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _serve(self):
        server = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        record = Recorded(self.command, parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()},
                          raw, self.path)
        answer = server.next_answer(record)
        if answer.delay:
            server.stopping.wait(answer.delay)
        if answer.drop:
            self.close_connection = True
            return
        body = answer.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        body = body or b""
        try:
            self.send_response(answer.status)
            for name, value in (answer.headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up (read timeout): nothing to do
            pass

    do_GET = do_POST = do_PUT = do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # TLS handshakes the client rejects, resets: expected
        pass


class RecordingServer:
    Answer = Answer
    json_answer = staticmethod(json_answer)
    error_answer = staticmethod(error_answer)

    def __init__(self, ssl_context=None):
        self.requests = []
        self.answers = collections.deque()
        self.handler = None
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.owner = self
        scheme = "http"
        if ssl_context is not None:
            self.httpd.socket = ssl_context.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.port = self.httpd.server_address[1]
        self.url = "%s://127.0.0.1:%d" % (scheme, self.port)
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def queue(self, *answers):
        self.answers.extend(answers)
        return self

    def next_answer(self, record):
        with self._lock:
            self.requests.append(record)
            if self.answers:
                return self.answers.popleft()
        if self.handler is not None:
            return self.handler(record)
        return error_answer(418, "test server: no answer scripted for %s %s" % (record.method, record.path))

    @property
    def count(self):
        return len(self.requests)

    def close(self):
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(5)


@pytest.fixture(autouse=True)
def _no_proxy_or_ca_env(monkeypatch):
    """Requests to 127.0.0.1 must not go through a proxy or an environment CA bundle."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
                 "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def api_server():
    server = RecordingServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def tls_material(tmp_path_factory):
    """(server SSLContext factory, CA bundle path) from a throw-away CA made with trustme."""
    trustme = pytest.importorskip("trustme", reason="trustme (and cryptography) are needed to make a test certificate")
    ca = trustme.CA()
    cert = ca.issue_cert(u"127.0.0.1", u"localhost")
    ca_path = str(tmp_path_factory.mktemp("tls") / "ca.pem")
    ca.cert_pem.write_to_path(ca_path)

    def make_context():
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(ctx)
        return ctx

    return make_context, ca_path


@pytest.fixture
def tls_api_server(tls_material):
    make_context, ca_path = tls_material
    server = RecordingServer(ssl_context=make_context())
    server.ca_path = ca_path
    yield server
    server.close()


@pytest.fixture
def refused_url():
    """A 127.0.0.1 URL whose port is bound but not listening: connecting is refused."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield "http://127.0.0.1:%d" % sock.getsockname()[1]
    finally:
        sock.close()
