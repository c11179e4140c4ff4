"""Benchmark of the emulator itself (not a test): GET latency and throughput on loopback.

    python3 tests/emulator/bench_emulator.py [--requests 2000] [--clients 4] [--url http://127.0.0.1:PORT]

Without --url it starts the emulator as a subprocess on a free port (``--in-process`` shares this
process and its GIL instead, which understates the emulator's speed).  Each client thread keeps one
HTTP/1.1 connection (http.client, standard library only) and sends its share of a bounded number
of requests; the script prints p50/p95/p99 latency and requests per second per route.
"""
from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from linode_emulator import start_emulator  # noqa: E402  pylint: disable=wrong-import-position

ROUTES = ("/v4/images/private/12345", "/v4/regions")
MAX_REQUESTS = 100_000


def run_client(host: str, port: int, path: str, count: int, latencies: list[float]) -> None:
    connection = http.client.HTTPConnection(host, port, timeout=10)
    headers = {"Authorization": "Bearer bench-token", "Accept": "application/json"}
    try:
        for _request_number in range(count):
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            if response.status != 200:
                raise RuntimeError(f"GET {path} answered {response.status}")
    finally:
        connection.close()


def measure(host: str, port: int, path: str, total: int, clients: int) -> dict[str, float]:
    run_client(host, port, path, min(50, total), [])  # warm-up
    per_client = [[] for _client in range(clients)]  # type: list[list[float]]
    threads = [threading.Thread(target=run_client, args=(host, port, path, total // clients, per_client[index]))
               for index in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(value for values in per_client for value in values)
    quantiles = statistics.quantiles(latencies, n=100)
    return {"requests": len(latencies), "seconds": elapsed, "rps": len(latencies) / elapsed,
            "p50_ms": quantiles[49] * 1000, "p95_ms": quantiles[94] * 1000, "p99_ms": quantiles[98] * 1000}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per route and per run (default 2000)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4], help="concurrent connections; several values run several times")
    parser.add_argument("--url", help="an emulator already running (default: start one as a subprocess)")
    parser.add_argument("--in-process", action="store_true", help="start the emulator on a thread of this process")
    args = parser.parse_args()
    total = max(10, min(args.requests, MAX_REQUESTS))
    emulator = None
    process = None
    url = args.url
    if args.in_process:
        emulator = start_emulator()
        url = emulator.url
    elif not url:
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "linode_emulator.py")
        process = subprocess.Popen([sys.executable, script, "--port", "0"], stdout=subprocess.PIPE, text=True, encoding="utf-8")
        assert process.stdout is not None
        url = process.stdout.readline().strip().rsplit(" ", 1)[-1]
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    try:
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {total} requests per row, {host}:{port}")
        print(f"{'route':32} {'clients':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8}")
        for clients in args.clients:
            for path in ROUTES:
                result = measure(host, port, path, total, max(1, clients))
                print(f"GET {path:28} {clients:>7} {result['p50_ms']:8.2f} {result['p95_ms']:8.2f} {result['p99_ms']:8.2f} {result['rps']:8.0f}")
    finally:
        if emulator is not None:
            emulator.stop()
        if process is not None:
            process.terminate()
            process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
