"""Forced errors and delays, so a client's error paths can be tested one by one without
touching the world:

    X-Mock-Error: 217                 Spaaza: answer with that documented error code
    X-Mock-Error: 401 | 404 | 500     LevelUp: a 401 (invalid token), a 404 (not found) or a 500
    X-Mock-Error: permission_missing  LevelUp: any refusal by name (see contract/catalogue.py)
    X-Mock-Delay-Ms: 1500             either: answer 1.5 s late (at most ServerConfig.max_delay_ms)

A delay fault (POST /__mock/ns/KEY/faults with delay_ms) arrives here as X-Mock-Delay-Ms, so
it takes the same slots. At most ServerConfig.max_delays delays wait at once per worker (each holds a thread; `serve`
gives every worker that many threads beyond --threads, so delays never take the threads other
requests need); one more is refused at once with DELAYS_BUSY, in the vendor's shape.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from flask import Flask, current_app, request

from campaign_mock.contract.catalogue import spaaza_errors
from campaign_mock.runtime.faults import documented_error
from campaign_mock.server.digits import MAX_DIGITS, parse_digits
from campaign_mock.server.errors import MOCK_ERROR_INVALID, SpaazaError, allow, is_levelup, json_response, levelup_response, spaaza_response

# The WSGI keys of X-Mock-Error and X-Mock-Delay-Ms (server/answers.py sets them for faults).
FORCE_ERROR, FORCE_DELAY = "HTTP_X_MOCK_ERROR", "HTTP_X_MOCK_DELAY_MS"
DELAYS_BUSY = SpaazaError(9503, "mock_delays_busy", "Too many delayed answers are waiting at once (X-Mock-Delay-Ms or a delay fault); retry after they end, or start serve with a higher --max-delays.", 503)
DELAY_INVALID = replace(MOCK_ERROR_INVALID, description=f"X-Mock-Delay-Ms must be a whole number of milliseconds (at most {MAX_DIGITS} digits; longer waits are cut to the cap).")


def delay(ms: int) -> bool:
    """Waits `ms` milliseconds (cut to the cap) holding one of the worker's delay slots, and
    says True; says False at once, without waiting, when every slot is taken. The one place a
    request is made to wait."""
    config = current_app.config["CAMPAIGN_MOCK"]
    slots = current_app.extensions["campaign_mock.delay_slots"]
    if not slots.acquire(blocking=False):
        return False
    try:
        time.sleep(min(ms, config.max_delay_ms) / 1000)
    finally:
        slots.release()
    return True


def register(app: Flask) -> None:
    app.extensions["campaign_mock.delay_slots"] = threading.BoundedSemaphore(app.config["CAMPAIGN_MOCK"].max_delays)

    @app.before_request
    def _forced():
        environ = request.environ
        asked = environ.get(FORCE_DELAY)
        forced = environ.get(FORCE_ERROR)
        if (asked is None and forced is None) or request.routing_exception is not None:
            return None  # an unknown route or method is answered as such, forced or not
        levelup = is_levelup(request.path)
        if asked is not None:
            delay_ms = parse_digits(asked.strip())
            if delay_ms is None:
                return _mock_error(levelup, DELAY_INVALID)
            if not delay(delay_ms):
                return _mock_error(levelup, DELAYS_BUSY)
        if forced is None:
            return None
        known = documented_error(forced, levelup)
        if known is None:
            return _mock_error(levelup, MOCK_ERROR_INVALID)
        if not levelup:
            return spaaza_response(spaaza_errors()[known])
        response = levelup_response(known)
        if known == "method_not_allowed" and request.url_rule is not None:  # like a real 405
            response.headers["Allow"] = allow(request.url_rule.methods or ())
        return response


def _mock_error(levelup: bool, error: SpaazaError):
    if levelup:
        return json_response([{"error": {"code": error.name, "message": error.description, "object": None, "property": None}}], error.http_status)
    return spaaza_response(error)
