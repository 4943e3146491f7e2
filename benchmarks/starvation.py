"""A normal request's latency while the mock is under a starvation attack: 1,000 idle
connections (never sending a byte) and 50 long delays (X-Mock-Delay-Ms) held open at once.
Loopback only, bounded in count and time, stops itself. Target (issue #12): p99 < 50 ms.
Prints p50/p99 with and without the attack, side by side. Asserts nothing.

    .venv/bin/python benchmarks/starvation.py [--idle 1000] [--delays 50] [--requests 300]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time

import requests

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parents[1] / "tests"))
from mockserver import SPAAZA_ADMIN, start_mock  # noqa: E402


def latencies(url: str, n: int) -> list[float]:
    out = []
    with requests.Session() as http:
        for _ in range(n):
            t = time.perf_counter()
            response = http.get(url, headers=SPAAZA_ADMIN, timeout=10)
            out.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.status_code
    return out


def figures(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=100)
    return f"p50 {q[49]:.1f} ms  p99 {q[98]:.1f} ms  max {max(ms):.1f} ms  ({len(ms)} requests)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--idle", type=int, default=1000)
    ap.add_argument("--delays", type=int, default=50)
    ap.add_argument("--requests", type=int, default=300)
    args = ap.parse_args()
    server = start_mock("--chains", "3")
    sockets: list[socket.socket] = []
    try:
        url = f"{server.url}/get-campaigns?chain_id=1762"
        latencies(url, 20)  # warm the answer cache
        print(f"quiet:        {figures(latencies(url, args.requests))}")
        host, port = server.url.rsplit("/", 1)[-1].split(":")
        for _ in range(args.idle):
            sockets.append(socket.create_connection((host, int(port)), timeout=5))
        held = []

        def delay():
            try:
                held.append(requests.get(url, headers={**SPAAZA_ADMIN, "X-Mock-Delay-Ms": "8000"}, timeout=20).status_code)
            except requests.RequestException as e:
                held.append(type(e).__name__)

        threads = [threading.Thread(target=delay, daemon=True) for _ in range(args.delays)]
        for t in threads:
            t.start()
        time.sleep(1)  # the delays are waiting now
        print(f"under attack: {figures(latencies(url, args.requests))}  [{args.idle} idle connections, {args.delays} delays of 8 s]")
        for t in threads:
            t.join(30)
        print(f"delayed answers: {sorted(set(map(str, held)))}  (200: answered late; 503: over --max-delays)")
    finally:
        for s in sockets:
            s.close()
        server.stop()


if __name__ == "__main__":
    main()
