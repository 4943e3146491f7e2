"""Forced errors and delays, so a client's error paths can be tested one by one without
touching the world:

    X-Mock-Error: 217                 Spaaza: answer with that documented error code
    X-Mock-Error: 401 | 404 | 500     LevelUp: a 401 (invalid token), a 404 (not found) or a 500
    X-Mock-Error: permission_missing  LevelUp: any refusal by name (see contract/catalogue.py)
    X-Mock-Delay-Ms: 1500             either: answer 1.5 s late (at most ServerConfig.max_delay_ms)
"""

from __future__ import annotations

import time
from dataclasses import replace

from flask import Flask, current_app, request

from campaign_mock.contract.catalogue import spaaza_errors
from campaign_mock.runtime.faults import documented_error
from campaign_mock.server.digits import MAX_DIGITS, parse_digits
from campaign_mock.server.errors import MOCK_ERROR_INVALID, SpaazaError, is_levelup, json_response, levelup_response, spaaza_response

DELAY_INVALID = replace(MOCK_ERROR_INVALID, description=f"X-Mock-Delay-Ms must be a whole number of milliseconds (at most {MAX_DIGITS} digits; longer waits are cut to the cap).")


def register(app: Flask) -> None:
    @app.before_request
    def _forced():
        environ = request.environ
        delay = environ.get("HTTP_X_MOCK_DELAY_MS")
        forced = environ.get("HTTP_X_MOCK_ERROR")
        if (delay is None and forced is None) or request.routing_exception is not None:
            return None  # an unknown route or method is answered as such, forced or not
        levelup = is_levelup(request.path)
        if delay is not None:
            delay_ms = parse_digits(delay.strip())
            if delay_ms is None:
                return _invalid(levelup, DELAY_INVALID)
            time.sleep(min(delay_ms, current_app.config["CAMPAIGN_MOCK"].max_delay_ms) / 1000)
        if forced is None:
            return None
        known = documented_error(forced, levelup)
        if known is None:
            return _invalid(levelup, MOCK_ERROR_INVALID)
        return levelup_response(known) if levelup else spaaza_response(spaaza_errors()[known])


def _invalid(levelup: bool, error: SpaazaError):
    if levelup:
        return json_response([{"error": {"code": error.name, "message": error.description, "object": None, "property": None}}], 400)
    return spaaza_response(error)
