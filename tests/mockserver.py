"""Real servers on free loopback ports, for tests that talk HTTP: the mock as a process of its
own (`campaign-mock serve`, granian: `start_mock`), or any WSGI app on a thread of the test's
own process (`serve_in_thread`, werkzeug), which starts in milliseconds and costs no new
interpreter when a test needs no granian, no workers and no signals."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import requests
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from campaign_mock.world import documented

CLI = [sys.executable, "-m", "campaign_mock"]
# The documented credentials, as request headers.
SPAAZA_ADMIN = {"X-Spaaza-Session-User-Id": str(documented.ADMIN_USER_ID), "X-Spaaza-Session-Key": documented.ADMIN_SESSION_KEY}
LEVELUP_AUTH = {"Authorization": f"token {documented.LEVELUP_TOKEN}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class MockServer:
    process: subprocess.Popen
    url: str

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # (a loaded machine): its workers too, not only the supervisor
            _kill(self.process)


def _kill(process: subprocess.Popen) -> None:
    """The process, and its workers where it leads a process group of its own."""
    try:
        if os.getpgid(process.pid) == process.pid:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except ProcessLookupError:
        pass
    process.wait()


def start_server(argv: list[str], port: int, timeout: float = 30, env: dict[str, str] | None = None) -> MockServer:
    """Start a server process listening on `port` and wait until it answers HTTP (`env`: more
    environment variables)."""
    # A session of its own, so that stop() can end its workers with it.
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{argv} exited: {process.stderr.read().decode()}")
        try:
            requests.get(url + "/", timeout=1)
            return MockServer(process, url)
        except (requests.ConnectionError, requests.Timeout):  # not listening, or its worker still starting
            time.sleep(0.1)
    _kill(process)
    raise RuntimeError(f"{argv} did not start in time")


def start_mock(*args: str, env: dict[str, str] | None = None) -> MockServer:
    """`campaign-mock serve` with these options, on a free port."""
    port = free_port()
    return start_server([*CLI, "serve", "--port", str(port), *args], port, env=env)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # a line per request on stderr; errors are still logged


@dataclass
class ThreadServer:
    """A WSGI app served on a thread of this process: `.url`, `.stop()`, or `with`."""

    server: BaseWSGIServer
    thread: threading.Thread
    url: str

    def stop(self) -> None:
        self.server.shutdown()  # werkzeug's serve_forever closes the listening socket as it returns
        self.thread.join(timeout=10)

    def __enter__(self) -> "ThreadServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def serve_in_thread(app) -> ThreadServer:
    """Serve the WSGI callable `app` (e.g. `create_app()`) by werkzeug on 127.0.0.1, on a port
    the system picks (no race with another process for a free port), a thread per request."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    # It looks for a shutdown every 50 ms (socketserver's default, 0.5 s, made each stop wait
    # up to half a second: 4.5 s at the end of the check tests, which stop ~20 such servers).
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="serve_in_thread", daemon=True)
    thread.start()
    return ThreadServer(server, thread, f"http://127.0.0.1:{server.socket.getsockname()[1]}")


def start_redis():
    """A throw-away redis-server on a free loopback port (nothing saved), or None when the
    binary is not installed (.ci/run installs it)."""
    import shutil

    binary = shutil.which("redis-server")
    if binary is None:
        return None
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not start in time")
