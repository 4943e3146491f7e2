"""Helpers of the check tests (a module of its own: conftest names collide across folders)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mockserver import MockServer, free_port, start_server

HERE = Path(__file__).parent
CHECK = [sys.executable, "-m", "campaign_mock", "check"]


def run_check(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """`campaign-mock check ...` as a subprocess. Output: stdout + stderr together."""
    return subprocess.run([*CHECK, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout, check=False)


def start_faulty(fault: str) -> MockServer:
    port = free_port()
    return start_server([sys.executable, str(HERE / "faulty_server.py"), "--port", str(port), "--fault", fault], port)
