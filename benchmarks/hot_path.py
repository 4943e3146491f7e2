"""The hot path: a cached answer, journal on, default `serve` (one worker), side by side with a
bare WSGI callable returning the same bytes on the same granian with the same workers and
threads (the ceiling of this architecture), the same callable on granian's RSGI interface (the
entry point that architecture could move to), and nginx serving the same bytes as a static file
when nginx is installed. Target (issue 18): the mock at >= 0.75x the bare callable's req/s.

Then where the time goes, in process: each step of the pipeline timed alone on an environ
shaped as granian builds it (the whole process environment merged with the request's scope),
in CPU microseconds per request. Asserts nothing. Needs wrk (apt-get install wrk).

    .venv/bin/python benchmarks/hot_path.py [--seconds 5] [--rounds 5] [--connections 16]
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import requests
from server import cpu_seconds, free_port, wait, wrk

from campaign_mock.world import documented

PATH = "/internal/get-campaigns?chain_id=1743&exclude_inactive=false"
HEADERS = {"X-Spaaza-Session-User-Id": str(documented.ADMIN_USER_ID), "X-Spaaza-Session-Key": documented.ADMIN_SESSION_KEY, "X-Spaaza-API-Version": documented.API_VERSION}

BARE_APP = textwrap.dedent(
    """
    from pathlib import Path
    BODY = Path(__file__).with_name("body.json").read_bytes()
    HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]
    def app(environ, start_response):
        start_response("200 OK", HEADERS)
        return [BODY]
    def app_factory():
        return app
    async def rsgi(scope, proto):  # the same bytes through granian's RSGI interface
        proto.response_bytes(200, HEADERS, BODY)
    """
)

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}; proxy_temp_path {tmp}; fastcgi_temp_path {tmp}; uwsgi_temp_path {tmp}; scgi_temp_path {tmp};
    server {{
        listen 127.0.0.1:{port};
        location / {{ default_type application/json; try_files /body.json =404; root {tmp}; }}
    }}
}}
"""


def lua(headers: dict[str, str]) -> str:
    h = ", ".join(f'["{k}"] = "{v}"' for k, v in headers.items())
    return f'request = function() return wrk.format("GET", "{PATH}", {{{h}}}) end\n'


def sealed() -> dict[str, str]:
    from campaign_mock.server.wsgi import KEPT, KEPT_PREFIXES

    return {k: v for k, v in os.environ.items() if k in KEPT or k.startswith(KEPT_PREFIXES)}


def side_by_side(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp())
    servers: dict[str, subprocess.Popen] = {}
    try:
        mock_port, bare_port, rsgi_port, nginx_port = free_port(), free_port(), free_port(), free_port()
        servers["mock"] = subprocess.Popen([sys.executable, "-m", "campaign_mock", "serve", "--port", str(mock_port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        mock = f"http://127.0.0.1:{mock_port}"
        wait(mock + "/__mock/health")
        body = requests.get(mock + PATH, headers=HEADERS, timeout=10).content
        (tmp / "body.json").write_bytes(body)
        (tmp / "bare_app.py").write_text(BARE_APP)
        # The same granian settings `serve` gives its one worker (server/run.py).
        def granian(target: str, port: int, interface: str, factory: bool) -> str:
            threads = "4 + 64" if interface == "WSGI" else "1"  # (granian's async interfaces run one thread per worker)
            return (
                "from granian import Granian; from granian.constants import HTTPModes, Interfaces; from granian.http import HTTP1Settings; "
                f"Granian('{target}', address='127.0.0.1', port={port}, interface=Interfaces.{interface}, workers=1, blocking_threads={threads}, "
                f"backpressure=4096, backlog=4096, http=HTTPModes.http1, http1_settings=HTTP1Settings(header_read_timeout=10000), factory={factory}, log_access=False).serve()"
            )

        # The environment a `serve` worker keeps (server/wsgi.seal_environment): granian copies it
        # into every environ, so both servers pay for the same number of keys.
        bare_env = {**sealed(), "PYTHONPATH": str(tmp)}
        servers["bare"] = subprocess.Popen([sys.executable, "-c", granian("bare_app:app_factory", bare_port, "WSGI", True)], env=bare_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        servers["rsgi"] = subprocess.Popen([sys.executable, "-c", granian("bare_app:rsgi", rsgi_port, "RSGI", False)], env=bare_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait(f"http://127.0.0.1:{bare_port}/")
        wait(f"http://127.0.0.1:{rsgi_port}/")
        runs = {
            "mock (cached answer, journal on)": (mock, "mock"),
            "bare WSGI callable, same bytes": (f"http://127.0.0.1:{bare_port}", "bare"),
            "bare RSGI callable, same bytes": (f"http://127.0.0.1:{rsgi_port}", "rsgi"),
        }
        if shutil.which("nginx"):
            (tmp / "nginx.conf").write_text(NGINX_CONF.format(tmp=tmp, port=nginx_port))
            servers["nginx"] = subprocess.Popen(["nginx", "-c", str(tmp / "nginx.conf"), "-p", str(tmp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait(f"http://127.0.0.1:{nginx_port}/")
            runs["nginx, the bytes as a static file"] = (f"http://127.0.0.1:{nginx_port}", "nginx")
        script = tmp / "one.lua"
        script.write_text(lua(HEADERS))
        for url, _ in runs.values():
            wrk(url, 1, args.connections, str(script))  # warm-up
        rounds: dict[str, list[dict]] = {name: [] for name in runs}
        names = list(runs)
        for k in range(args.rounds):  # interleaved, each round in a rotated order
            for name in names[k % len(names) :] + names[: k % len(names)]:
                url, server = runs[name]
                before = cpu_seconds(servers[server].pid)
                result = wrk(url, args.seconds, args.connections, str(script))
                result["cpu_us"] = (cpu_seconds(servers[server].pid) - before) / max(result["requests"], 1) * 1e6
                rounds[name].append(result)
    finally:
        for p in servers.values():
            p.terminate()
            p.wait(timeout=10)
    print(f"wrk -t2 -c{args.connections} -d{args.seconds}s, {args.rounds} interleaved rounds (medians); one granian worker x (4 + 64) threads (RSGI: its event loop's); {len(body)} bytes")
    print(f"{'':<38}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'CPU us/req':>12}")
    for name, found in rounds.items():
        med = {k: statistics.median(r[k] for r in found) for k in ("rps", "p50", "p99", "cpu_us")}
        print(f"{name:<38}{med['rps']:>10,.0f}{med['p50']:>9.2f}{med['p99']:>9.2f}{med['cpu_us']:>12.1f}")
    mock_r, bare_r = rounds["mock (cached answer, journal on)"], rounds["bare WSGI callable, same bytes"]
    ratios = [m["rps"] / b["rps"] for m, b in zip(mock_r, bare_r)]
    print(f"\nmock / bare WSGI callable, req/s: {statistics.median(ratios):.2f}x (rounds: {', '.join(f'{r:.2f}' for r in ratios)}; target >= 0.75x)")
    rsgi_r = rounds["bare RSGI callable, same bytes"]
    print(f"bare RSGI / bare WSGI callable: {statistics.median(r['rps'] / b['rps'] for r, b in zip(rsgi_r, bare_r)):.2f}x (granian's other interface, its default event loop)")
    if "nginx, the bytes as a static file" in rounds:
        nginx_r = rounds["nginx, the bytes as a static file"]
        print(f"mock / nginx: {statistics.median(m['rps'] / n['rps'] for m, n in zip(mock_r, nginx_r)):.2f}x; bare / nginx: {statistics.median(b['rps'] / n['rps'] for b, n in zip(bare_r, nginx_r)):.2f}x")


def steps(args: argparse.Namespace) -> None:
    """Each step of a cached answer's path, timed alone in this process (CPU us per request)."""
    from campaign_mock.runtime import JournalWriter, Runtime, SQLiteStore
    from campaign_mock.server.answers import request_key
    from campaign_mock.server.app import create_app
    from campaign_mock.server.config import ServerConfig
    from campaign_mock.server.headers import request_headers
    from campaign_mock.server.pipeline import namespace

    tmp = Path(tempfile.mkdtemp())
    app = create_app(ServerConfig(state=str(tmp / "state.sqlite")))
    pipeline = app.wsgi_app
    runtime: Runtime = pipeline.runtime  # type: ignore[attr-defined]
    cache = pipeline.cache  # type: ignore[attr-defined]
    # What granian hands a WSGI app: the process environment (as a `serve` worker keeps it), a
    # few server keys, the scope.
    basic = {**sealed(), "GATEWAY_INTERFACE": "CGI/1.1", "SCRIPT_NAME": "", "SERVER_SOFTWARE": "Granian", "wsgi.errors": sys.stderr, "wsgi.input_terminated": True, "wsgi.multiprocess": False, "wsgi.multithread": True, "wsgi.run_once": False, "wsgi.version": (1, 0)}
    path, query = PATH.split("?")
    scope = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
             "HTTP_HOST": "127.0.0.1:8080", "HTTP_USER_AGENT": "wrk", **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in HEADERS.items()}}
    environ = basic | scope

    def start_response(status, headers, exc_info=None):
        return None

    def bare(environ, start_response):
        start_response("200 OK", [])
        return [b""]

    journal = JournalWriter(SQLiteStore(tmp / "j.sqlite"))
    view = runtime.view("default")
    answer = pipeline(dict(environ), start_response) and cache.get(request_key(view.answers, environ))
    headers = request_headers(environ)
    recorded = journal.record("default", "GET", path, query, headers, answer.meta, None, 0.5, 0.0)
    measures = {
        "granian's environ merge (basic_env | scope)": lambda: basic | scope,
        "bare WSGI callable": lambda: bare(environ, start_response),
        "namespace": lambda: namespace(environ),
        "state: runtime.view(ns)": lambda: runtime.view("default"),
        "cache key + lookup": lambda: cache.get(request_key(view.answers, environ)),
        "request headers (names, values)": lambda: request_headers(environ),
        "journal record (row, masking)": lambda: journal.record("default", "GET", path, query, headers, answer.meta, None, 0.5, 0.0),
        "step 0: identity + replay lookup": lambda: runtime.generation() != cache.replays_of or cache.replay(("GET", path, query, request_headers(environ))),
        "step 0: journal record again": lambda: journal.again(recorded, 0.5, 0.0),
        "the whole pipeline (step 0 on), journal written": lambda: pipeline(basic | scope, start_response),
    }
    n = args.calls
    print(f"\nin process, CPU us per request (best of 5 x {n:,}; the journal's writer thread included where it runs):")
    for name, call in measures.items():
        best = float("inf")
        for _ in range(5):
            started = time.process_time()
            for _ in range(n):
                call()
            best = min(best, (time.process_time() - started) / n * 1e6)
        print(f"  {name:<42}{best:>7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--calls", type=int, default=20_000, help="calls per in-process measure")
    parser.add_argument("--steps-only", action="store_true", help="only the in-process breakdown")
    args = parser.parse_args()
    if not args.steps_only:
        if not shutil.which("wrk"):
            sys.exit("wrk is not installed: apt-get install wrk")
        side_by_side(args)
    steps(args)


if __name__ == "__main__":
    main()
