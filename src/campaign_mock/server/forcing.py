"""Forced errors and delays, so a client's error paths can be tested one by one without
touching the world:

    X-Mock-Error: 217                 Spaaza: answer with that documented error code
    X-Mock-Error: 401 | 404 | 500     LevelUp: a 401 (invalid token), a 404 (not found) or a 500
    X-Mock-Error: permission_missing  LevelUp: any refusal by name (see contract/catalogue.py)
    X-Mock-Delay-Ms: 1500             either: answer 1.5 s late (at most ServerConfig.max_delay_ms)

A fault armed in the namespace (runtime/faults.py) forces the same: its error or its delay is
asked for in place of the header's. At most ServerConfig.max_delays delays wait at once per
worker (each holds a thread; `serve` gives every worker that many threads beyond --threads,
so delays never take the threads other requests need); one more is refused at once with
errors.DELAYS_BUSY, in the vendor's shape."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from campaign_mock.server.digits import parse_digits

__all__ = ["DelaySlots", "Forced", "forced"]


@dataclass(frozen=True, slots=True)
class Forced:
    """What a request is forced to: an error (as X-Mock-Error writes it) and/or a delay (as
    X-Mock-Delay-Ms writes it). Unparsed: a malformed value is the mock's own 400."""

    error: str | None
    delay: str | None

    def delay_ms(self) -> int | None:
        return None if self.delay is None else parse_digits(self.delay.strip())


def forced(environ: dict, fault: dict | None) -> Forced | None:
    """The request's X-Mock-Error and X-Mock-Delay-Ms, a fault's error or delay in their stead."""
    error = environ.get("HTTP_X_MOCK_ERROR")
    delay = environ.get("HTTP_X_MOCK_DELAY_MS")
    if fault is not None:
        if "error" in fault:
            error = str(fault["error"])
        elif "delay_ms" in fault:
            delay = str(fault["delay_ms"])
    return None if error is None and delay is None else Forced(error, delay)


class DelaySlots:
    """The one place a request is made to wait."""

    def __init__(self, slots: int, max_delay_ms: int):
        self._slots = threading.BoundedSemaphore(slots)
        self.max_delay_ms = max_delay_ms

    def wait(self, ms: int) -> bool:
        """Waits `ms` milliseconds (cut to the cap) holding one of the worker's delay slots, and
        says True; says False at once, without waiting, when every slot is taken."""
        if not self._slots.acquire(blocking=False):
            return False
        try:
            time.sleep(min(ms, self.max_delay_ms) / 1000)
        finally:
            self._slots.release()
        return True
