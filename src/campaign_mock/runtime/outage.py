"""One line per outage, not one traceback per request: when the store cannot be read or
written, every request fails the same way, and 1,851 tracebacks in 6 s (a Redis outage under
load) hid the one line that mattered."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

__all__ = ["Outage"]

# At most one line per this many seconds while the failures go on.
INTERVAL_S = 10.0


class Outage:
    """`failed(e)` for each failure, `recovered()` after a success; lines go to `out`."""

    def __init__(self, what: str, out: TextIO | None = None, interval: float = INTERVAL_S):
        self.what, self.out, self.interval = what, out, interval
        self.failures = 0  # since the last line
        self.down = False
        self._last = float("-inf")
        self._lock = threading.Lock()

    def failed(self, e: BaseException) -> None:
        with self._lock:
            self.failures += 1
            self.down = True
            now = time.monotonic()
            if now - self._last < self.interval:
                return
            self._last, n, self.failures = now, self.failures, 0
        detail = " ".join(str(e).split())[:200]
        self._say(f"{self.what}: {type(e).__name__}: {detail} ({n} failure{'s' if n != 1 else ''} since the last line)")

    def recovered(self) -> None:
        if not self.down:  # (read without the lock: the common case costs nothing)
            return
        with self._lock:
            n, self.failures, self.down, self._last = self.failures, 0, False, float("-inf")
        self._say(f"{self.what}: back ({n} more failure{'s' if n != 1 else ''} since the last line)")

    def _say(self, line: str) -> None:
        out = self.out or sys.stderr
        out.write(f"campaign-mock: {line}\n")
        out.flush()
