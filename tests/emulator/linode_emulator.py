#!/usr/bin/env python
"""Linode API emulator: the image replication routes of Linode API v4, for tests, demos and benchmarks.

Standard library only, so it runs anywhere Python 3.11+ does.  Start it with
``python3 tests/emulator/linode_emulator.py --port 0`` and read the one line it prints;
see README.md beside this file for every flag and the ``/__emulator/`` control routes.
The rules of the API live in ``emulator_state.py``; this file only speaks HTTP.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emulator_state import (  # noqa: E402  pylint: disable=wrong-import-position
    SPEC_VERSION,
    ApiError,
    EmulatorState,
    Fault,
    not_found,
    parse_page_params,
    parse_x_filter,
)

READY_LINE = "Linode API emulator listening on {scheme}://{host}:{port}"
API_VERSIONS = ("v4", "v4beta")
CONTROL_PREFIX = "/__emulator/"
SCOPES = ("read_only", "read_write")
JSON_TYPE = "application/json"


def parse_token_option(value: str) -> tuple[str, str]:
    """``TOKEN`` or ``TOKEN:read_only`` / ``TOKEN:read_write``."""
    token, separator, scope = value.rpartition(":")
    if separator and scope in SCOPES and token:
        return token, scope
    return value, "read_write"


class RateLimiter:
    """Fixed one-second windows per key; cheap enough to sit in front of every request."""

    def __init__(self, per_second: float):
        self.per_second = per_second
        self.lock = threading.Lock()
        self.windows: dict[str, tuple[int, int]] = {}

    def retry_after(self, key: str) -> int | None:
        """None when the request may go through, else the seconds to wait."""
        now = time.monotonic()
        window = int(now)
        with self.lock:
            start, count = self.windows.get(key, (window, 0))
            if start != window:
                start, count = window, 0
            count += 1
            self.windows[key] = (start, count)
        if count <= self.per_second:
            return None
        return max(1, math.ceil(window + 1 - now))


@dataclass
class Answer:
    status: int
    payload: Any = None
    headers: dict[str, str] | None = None


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], state: EmulatorState, tokens: dict[str, str] | None = None,
                 rate_limit: float | None = None, ssl_context: ssl.SSLContext | None = None, anonymous_public_images: bool = False):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.state = state
        self.tokens = tokens or {}
        self.rate_limiter = RateLimiter(rate_limit) if rate_limit else None
        self.anonymous_public_images = anonymous_public_images
        self.scheme = "https" if ssl_context else "http"
        super().__init__(address, EmulatorHandler)
        if ssl_context is not None:
            # The handshake then happens on the first read, in the request's own thread, so one slow client cannot stall accept().
            self.socket = ssl_context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would call getfqdn(), a DNS lookup we do not need.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[0], self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            return  # clients hanging up, TLS handshakes refused: normal for a test server
        super().handle_error(request, client_address)

    def scope_of(self, authorization: str | None) -> str | None:
        """The token's scope, or None when the request carries no valid token."""
        if not authorization:
            return None
        kind, _separator, token = authorization.strip().partition(" ")
        token = token.strip()
        if kind.lower() != "bearer" or not token:
            return None
        if not self.tokens:
            return "read_write"
        return self.tokens.get(token)


class EmulatorHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "LinodeEmulator/1.0"
    timeout = 120
    server: EmulatorServer

    def log_message(self, format: str, *args: Any) -> None:  # pylint: disable=redefined-builtin
        """Quiet: the request log at /__emulator/requests is the record."""

    def do_GET(self) -> None:  # pylint: disable=invalid-name
        self._dispatch("GET")

    def do_POST(self) -> None:  # pylint: disable=invalid-name
        self._dispatch("POST")

    def do_PUT(self) -> None:  # pylint: disable=invalid-name
        self._dispatch("PUT")

    def do_DELETE(self) -> None:  # pylint: disable=invalid-name
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:  # pylint: disable=invalid-name
        self._dispatch("PATCH")

    # ---- plumbing -------------------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        # Without this, Nagle's algorithm meets the client's delayed ACK and adds ~40 ms to answers sent in two writes.
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            return self.rfile.read(int(length))
        except ValueError:
            return b""

    def _send(self, status: int, payload: Any = None, headers: dict[str, str] | None = None, raw: bytes | None = None,
              content_type: str = JSON_TYPE, spec_header: bool = True) -> None:
        data = raw if raw is not None else json.dumps(payload, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if spec_header:
            self.send_header("X-Spec-Version", SPEC_VERSION)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_answer(self, answer: Answer) -> None:
        self._send(answer.status, answer.payload, answer.headers)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _send_fault(self, fault: Fault) -> int | None:
        """Answers as the fault says; returns the status sent, None when the connection was dropped."""
        if fault.drop:
            self._drop()
            return None
        status = fault.answer_status()
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else None
        if fault.body is not None:
            self._send(status, raw=fault.body.encode("utf-8"), headers=headers,
                       content_type=fault.content_type or "text/plain; charset=utf-8", spec_header=False)
        else:
            payload = {"errors": [{"reason": f"Emulated fault: HTTP {status}"}]}
            self._send(status, payload, headers=headers, content_type=fault.content_type or JSON_TYPE, spec_header=False)
        return status

    # ---- dispatch -------------------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        raw_path, _separator, query_string = self.path.partition("?")
        body_bytes = self._read_body()
        if raw_path.startswith(CONTROL_PREFIX):
            try:
                answer = self._control(method, raw_path[len(CONTROL_PREFIX):].strip("/"), parse_qs(query_string), body_bytes)
            except ApiError as error:
                answer = Answer(error.status, error.body())
            self._send_answer(answer)
            return
        self._linode(method, raw_path, query_string, body_bytes)

    def _linode(self, method: str, raw_path: str, query_string: str, body_bytes: bytes) -> None:
        state = self.server.state
        try:
            body = json.loads(body_bytes) if body_bytes else None
        except ValueError:
            body = None
        entry: dict[str, Any] = {"method": method, "path": raw_path, "query": query_string, "status": None, "body": body,
                                 "time": time.time(), "fault": None}
        decoded_path = unquote(raw_path)
        authorization = self.headers.get("Authorization")

        if self.server.rate_limiter is not None:
            key = authorization or f"address {self.client_address[0]}"
            wait = self.server.rate_limiter.retry_after(key)
            if wait is not None:
                entry["status"] = 429
                state.log_request(entry)
                self._send(429, {"errors": [{"reason": "Too many requests"}]}, {"Retry-After": str(wait)})
                return

        fault = state.take_fault(method, (raw_path, decoded_path) if decoded_path != raw_path else (raw_path,))
        if fault is not None:
            entry["fault"] = fault.describe()
            if fault.phase == "before":
                if fault.delay:
                    time.sleep(fault.delay)
                if fault.answers:
                    self._finish_with_fault(entry, fault)
                    return

        answer = self._route(method, decoded_path, parse_qs(query_string), body, body_bytes, authorization)

        if fault is not None and fault.phase == "after":
            if fault.delay:
                time.sleep(fault.delay)
            if fault.answers:
                self._finish_with_fault(entry, fault)
                return
        entry["status"] = answer.status
        state.log_request(entry)
        self._send_answer(answer)

    def _finish_with_fault(self, entry: dict[str, Any], fault: Fault) -> None:
        # Logged before answering so a client that reads the log right after its answer finds the entry.
        entry["status"] = None if fault.drop else fault.answer_status()
        self.server.state.log_request(entry)
        self._send_fault(fault)

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: Any, body_bytes: bytes,
               authorization: str | None) -> Answer:
        try:
            return self._linode_route(method, path, query, body, body_bytes, authorization)
        except ApiError as error:
            return Answer(error.status, error.body(), error.headers)

    def _require_scope(self, authorization: str | None, needed: str) -> str:
        scope = self.server.scope_of(authorization)
        if scope is None:
            raise ApiError(401, "Invalid Token")
        if needed == "read_write" and scope != "read_write":
            raise ApiError(403, "Your OAuth token is not authorized to use this endpoint: insufficient permissions "
                                "(scope images:read_write is required, this token is read_only)")
        return scope

    def _linode_route(self, method: str, path: str, query: dict[str, list[str]], body: Any, body_bytes: bytes,
                      authorization: str | None) -> Answer:
        state = self.server.state
        version, _separator, rest = path.lstrip("/").partition("/")
        if version not in API_VERSIONS:
            raise not_found()
        collection, _separator, item = rest.rstrip("/").partition("/")
        if collection == "regions":
            if method != "GET":
                raise ApiError(405, "Method Not Allowed")
            if item:
                return Answer(200, state.get_region(item))
            page, page_size = parse_page_params(query)
            return Answer(200, state.list_regions(page, page_size, parse_x_filter(self.headers.get("X-Filter"))))
        if collection != "images":
            raise not_found()
        if not item:
            if method != "GET":
                raise ApiError(405, "Method Not Allowed")
            page, page_size = parse_page_params(query)
            x_filter = parse_x_filter(self.headers.get("X-Filter"))
            if authorization is None and self.server.anonymous_public_images:
                return Answer(200, state.list_images(page, page_size, {"+and": [x_filter or {}, {"is_public": True}]}))
            self._require_scope(authorization, "read_only")
            return Answer(200, state.list_images(page, page_size, x_filter))
        if item.endswith("/regions") and item.count("/") >= 2:
            if method != "POST":
                raise ApiError(405, "Method Not Allowed")
            self._require_scope(authorization, "read_write")
            image_id = item[:-len("/regions")]
            if body is None and body_bytes.strip():
                state.get_image(image_id)  # an unknown image is a 404 whatever the body
                raise ApiError(400, "Invalid JSON")
            return Answer(200, state.replicate_image(image_id, body))
        if method != "GET":
            raise ApiError(405, "Method Not Allowed")
        if authorization is None and self.server.anonymous_public_images:
            image = state.get_image(item)
            if not image["is_public"]:
                raise not_found()
            return Answer(200, image)
        self._require_scope(authorization, "read_only")
        return Answer(200, state.get_image(item))

    # ---- control routes -------------------------------------------------------------------

    def _control(self, method: str, route: str, query: dict[str, list[str]], body_bytes: bytes) -> Answer:
        state = self.server.state

        def json_body() -> Any:
            try:
                return json.loads(body_bytes) if body_bytes else None
            except ValueError:
                raise ApiError(400, "Invalid JSON") from None

        handlers = {
            ("POST", "images"): lambda: Answer(201, state.add_image(json_body())),
            ("GET", "requests"): lambda: Answer(200, {"requests": state.request_log()}),
            ("DELETE", "requests"): lambda: (state.clear_request_log(), Answer(200, {}))[1],
            ("POST", "faults"): lambda: Answer(201, {"faults": state.add_faults(json_body())}),
            ("GET", "faults"): lambda: Answer(200, {"faults": state.list_faults()}),
            ("DELETE", "faults"): lambda: (state.clear_faults(), Answer(200, {}))[1],
            ("GET", "events"): lambda: Answer(200, {"events": state.events((query.get("image") or [None])[-1])}),
            ("POST", "reset"): lambda: (state.reset(), Answer(200, {}))[1],
            ("GET", "config"): lambda: Answer(200, self._config()),
            ("POST", "config"): lambda: Answer(200, self._set_config(json_body())),
        }
        handler = handlers.get((method, route))
        if handler is None:
            if any(known_route == route for _method, known_route in handlers):
                raise ApiError(405, "Method Not Allowed")
            raise not_found()
        return handler()

    def _config(self) -> dict[str, Any]:
        limiter = self.server.rate_limiter
        return {"replication_seconds": self.server.state.replication_seconds, "spec_version": SPEC_VERSION,
                "rate_limit": limiter.per_second if limiter else None, "tokens": len(self.server.tokens)}

    def _set_config(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or set(body) - {"replication_seconds"}:
            raise ApiError(400, "Only replication_seconds can be changed")
        seconds = body.get("replication_seconds")
        if seconds is not None:
            if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
                raise ApiError(400, "replication_seconds must be a number of seconds", "replication_seconds")
            # Replicas already in flight keep the ready time they were given; only new ones use the new duration.
            with self.server.state.lock:
                self.server.state.replication_seconds = float(seconds)
        return self._config()


# --------------------------------------------------------------------------------------------
# Starting and stopping
# --------------------------------------------------------------------------------------------

@dataclass
class RunningEmulator:
    server: EmulatorServer
    thread: threading.Thread
    host: str
    port: int

    @property
    def state(self) -> EmulatorState:
        return self.server.state

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.server.scheme}://{host}:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def make_ssl_context(cert_file: str, key_file: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


def load_seed(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as seed_file:
        seed = json.load(seed_file)
    if not isinstance(seed, dict):
        raise ValueError("the seed file must hold a JSON object with regions and images")
    return seed


def build_server(host: str = "127.0.0.1", port: int = 0, seed: dict[str, Any] | None = None, replication_seconds: float = 2.0,
                 tokens: dict[str, str] | list[str] | None = None, rate_limit: float | None = None, tls_cert: str | None = None,
                 tls_key: str | None = None, anonymous_public_images: bool = False) -> EmulatorServer:
    if isinstance(tokens, list):
        tokens = dict(parse_token_option(token) for token in tokens)
    state = EmulatorState(seed=seed, replication_seconds=replication_seconds)
    context = make_ssl_context(tls_cert, tls_key) if tls_cert and tls_key else None
    return EmulatorServer((host, port), state, tokens=tokens, rate_limit=rate_limit, ssl_context=context,
                          anonymous_public_images=anonymous_public_images)


def start_emulator(host: str = "127.0.0.1", port: int = 0, **options: Any) -> RunningEmulator:
    """Starts an emulator on a daemon thread (same keyword options as ``build_server``); call ``.stop()`` when done."""
    server = build_server(host, port, **options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="linode-emulator", daemon=True)
    thread.start()
    return RunningEmulator(server=server, thread=thread, host=host, port=server.server_address[1])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Linode API emulator (image replication routes)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one (default 0)")
    parser.add_argument("--seed", help="JSON file with regions and images (default: the built-in seed)")
    parser.add_argument("--replication-seconds", type=float, default=2.0,
                        help="how long a new replica stays in progress, and a removed one in pending deletion (default 2)")
    parser.add_argument("--token", action="append", default=[], metavar="TOKEN[:read_only]",
                        help="accept this bearer token (repeatable); without any, every non-empty token is accepted read-write")
    parser.add_argument("--tls-cert", help="certificate (PEM) to serve HTTPS")
    parser.add_argument("--tls-key", help="private key (PEM) of --tls-cert")
    parser.add_argument("--rate-limit", type=float, help="requests per second per token on Linode routes; past it 429 with Retry-After")
    parser.add_argument("--anonymous-public-images", action="store_true",
                        help="like the real API, answer image GETs without a token with public images only (default: 401)")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if args.replication_seconds < 0:
        parser.error("--replication-seconds must not be negative")
    if args.rate_limit is not None and args.rate_limit <= 0:
        parser.error("--rate-limit must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        seed = load_seed(args.seed) if args.seed else None
        server = build_server(args.host, args.port, seed=seed, replication_seconds=args.replication_seconds, tokens=args.token,
                              rate_limit=args.rate_limit, tls_cert=args.tls_cert, tls_key=args.tls_key,
                              anonymous_public_images=args.anonymous_public_images)
    except (OSError, ValueError, ApiError, ssl.SSLError) as error:
        print(f"linode_emulator: cannot start: {error}", file=sys.stderr)
        return 2

    stop_requested = threading.Event()

    def request_stop(_signum: int, _frame: Any) -> None:
        stop_requested.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="linode-emulator", daemon=True)
    thread.start()
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(READY_LINE.format(scheme=server.scheme, host=host, port=server.server_address[1]), flush=True)
    while not stop_requested.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
