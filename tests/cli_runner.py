"""`campaign-mock ...` in the test's own process (click's CliRunner) where no process-level
behaviour is under test (signals, a second process racing, the banner of a running `serve`):
no interpreter to start. The answer is what the subprocess would give: exit code, stdout,
stderr; a traceback (an exception the CLI did not turn into a message) is raised."""

from __future__ import annotations

import os
import signal
import subprocess
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner


class Overran(Exception):
    """The command did not end within its time limit (a subprocess would be killed)."""


@contextmanager
def deadline(seconds: float):
    """Raise Overran in this (the main) thread after `seconds`: the bounded time a subprocess
    timeout gave, even for a blocking open() of a FIFO (the signal interrupts it)."""

    def overran(signum, frame):
        raise Overran(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, overran)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_cli(*args: str, timeout: float = 120, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`campaign-mock ARGS` in this process, from `cwd`, ended after `timeout` seconds. The
    signal handlers a command installs for its process (fixtures: SIGTERM, SIGHUP) are put
    back afterwards."""
    from campaign_mock.cli import main

    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    here = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        with deadline(timeout):
            result = CliRunner().invoke(main, list(args))
    finally:
        os.chdir(here)
        for s, handler in handlers.items():
            signal.signal(s, handler)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(["campaign-mock", *args], result.exit_code, result.stdout, result.stderr)
