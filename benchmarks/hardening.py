"""The runtime's bounds under hostile load (issue 20), each beside what it was:

1. The journal under requests carrying a 200 KB header: the state file's size and the
   process tree's RSS after each round of requests (flat: each entry keeps at most 4 KiB of
   headers), and the time and size of one journal read, whole and with ?limit=10.
2. GET /__mock/coverage over N namespaces (N = 100, 1,000): its time, which no longer grows
   with N (it reads the answer counts in one pass).
3. Cold requests for one scenario world at once, in a fresh worker: how many builds (one) and
   the RSS before and after.

One `serve` (two workers, SQLite) per part, on a free loopback port. Asserts nothing.

    .venv/bin/python benchmarks/hardening.py [--rounds 3] [--requests 500]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from server import free_port, rss_mb, tree, wait

from campaign_mock.world import documented

HEADERS = {"X-Spaaza-Session-User-Id": str(documented.ADMIN_USER_ID), "X-Spaaza-Session-Key": documented.ADMIN_SESSION_KEY}
PATH = "/get-campaigns?chain_id=1762"
SCENARIO = "spaaza:\n  chains:\n" + "".join(f"    - id: {9000 + i}\n      generated_users: 20\n      campaigns:\n        - type: loyalty\n" for i in range(150))


def serve(state: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "campaign_mock", "serve", "--port", str(port), "--workers", "2", "--state", str(state)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait(url)
    return server, url


def tree_rss(server: subprocess.Popen) -> float:
    return sum(rss_mb(pid) for pid in tree(server.pid))


def state_mb(state: Path) -> float:
    return sum(p.stat().st_size for p in state.parent.glob(state.name + "*")) / 2**20


def journal_under_big_headers(args: argparse.Namespace, tmp: Path) -> None:
    state = tmp / "big.sqlite"
    server, url = serve(state)
    big = {**HEADERS, "X-Big": "x" * 200_000}
    try:
        print(f"1. the journal under {args.requests} requests a round, each with a 200 KB header (per entry, 4 KiB of headers are kept)")
        with requests.Session() as http:
            for round_ in range(1, args.rounds + 1):
                for _ in range(args.requests):
                    http.get(url + PATH, headers=big, timeout=30)
                time.sleep(0.3)
                print(f"   round {round_}: state file {state_mb(state):7.1f} MB, process tree RSS {tree_rss(server):6.1f} MB")
            for query in ("", "?limit=10"):
                started = time.perf_counter()
                body = http.get(f"{url}/__mock/ns/default/journal{query}", timeout=60).content
                print(f"   GET .../journal{query:<10} {time.perf_counter() - started:6.3f} s, {len(body) / 2**20:6.2f} MB")
        print("   before (issue 20): 1,500 such requests grew the state file to 298 MB; one read took 3.8 s and returned 300 MB")
    finally:
        server.terminate()
        server.wait(timeout=30)


def coverage_over_namespaces(args: argparse.Namespace, tmp: Path) -> None:
    print("2. GET /__mock/coverage over N namespaces of 3 entries each")
    for n in (100, 1000):
        state = tmp / f"cov{n}.sqlite"
        server, url = serve(state)
        try:
            with ThreadPoolExecutor(8) as pool, requests.Session() as http:
                list(pool.map(lambda i: http.get(f"{url}/__mock/ns/c{i % n}{PATH}", headers=HEADERS, timeout=30), range(3 * n)))
                best = float("inf")
                for _ in range(3):
                    started = time.perf_counter()
                    report = http.get(f"{url}/__mock/coverage", timeout=120).json()
                    best = min(best, time.perf_counter() - started)
            print(f"   N = {n:>5}: {best * 1000:7.1f} ms (best of 3), {report['requests']} requests counted")
        finally:
            server.terminate()
            server.wait(timeout=30)
    print("   before (issue 20): about 10 ms per namespace (30 s at 3,000)")


def cold_world(args: argparse.Namespace, tmp: Path) -> None:
    state = tmp / "cold.sqlite"
    server, url = serve(state)
    try:
        ns = f"{url}/__mock/ns/cold"
        assert requests.post(f"{ns}/scenarios?name=big", data=SCENARIO, headers={"Content-Type": "application/yaml"}, timeout=120).status_code == 201
        server.terminate()
        server.wait(timeout=30)
        server, url = serve(state)  # fresh workers: nothing built yet
        ns = f"{url}/__mock/ns/cold"
        before = tree_rss(server)
        started = time.perf_counter()
        with ThreadPoolExecutor(6) as pool:
            codes = list(pool.map(lambda _: requests.get(ns + PATH, headers=HEADERS, timeout=120).status_code, range(6)))
        print(f"3. 6 cold requests at once for a 150-chain scenario world: {time.perf_counter() - started:.2f} s, statuses {sorted(set(codes))}, "
              f"process tree RSS {before:.0f} -> {tree_rss(server):.0f} MB (one build per worker)")
        print("   before (issue 20): 3 parallel requests built a 300-chain world 3 times (131 -> 337 MB)")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    os.chdir(Path(__file__).parent)
    with tempfile.TemporaryDirectory() as tmp:
        journal_under_big_headers(args, Path(tmp))
        coverage_over_namespaces(args, Path(tmp))
        cold_world(args, Path(tmp))


if __name__ == "__main__":
    main()
