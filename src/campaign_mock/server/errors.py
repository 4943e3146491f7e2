"""The one place where failures become HTTP responses, in the vendor's shape: Spaaza's error
envelope or LevelUp's error array, picked by URL prefix at app level (blueprint handlers
never see unrouted URLs). Never Flask's HTML page, never a trace."""

from __future__ import annotations

import logging
from typing import Callable

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from campaign_mock.contract.catalogue import LEVELUP_ERRORS, SpaazaError, spaaza_errors
from campaign_mock.world.providers import json_bytes

log = logging.getLogger("campaign_mock.server")

LEVELUP_PREFIX = "/v15/"
ADMIN_PREFIX = "/__mock/"

# Cases the vendors document no code for: an unknown route or method, our own failure, and
# a malformed X-Mock-Error. Codes 9xxx are the mock's, never Spaaza's.
MOCK_SPAAZA_ERRORS = {
    404: SpaazaError(9404, "call_not_found", "There is no such API call.", 404),
    405: SpaazaError(9405, "method_not_allowed", "This API call does not accept that HTTP method.", 405),
    500: SpaazaError(9500, "internal_error", "The mock failed; see its log.", 500),
}
MOCK_ERROR_INVALID = SpaazaError(9400, "mock_error_invalid", "X-Mock-Error must name a documented error code.", 400)


class SpaazaFailure(Exception):
    def __init__(self, code: int):
        self.error = spaaza_errors()[code]


class LevelUpFailure(Exception):
    def __init__(self, key: str):
        self.error = LEVELUP_ERRORS[key]


def json_response(body, status: int, headers: dict | None = None) -> Response:
    return Response(json_bytes(body), status=status, headers=headers, mimetype="application/json")


def spaaza_response(error: SpaazaError) -> Response:
    return json_response(error.body(), error.http_status)


def levelup_response(key: str) -> Response:
    error = LEVELUP_ERRORS[key]
    headers = {"WWW-Authenticate": error.www_authenticate} if error.www_authenticate else None
    return json_response(error.body(), error.http_status, headers)


def is_admin(path: str) -> bool:
    return path.startswith(ADMIN_PREFIX)


def is_levelup(path: str) -> bool:
    return path.startswith(LEVELUP_PREFIX)


def render(compute: Callable[[], object]) -> Response:
    """Run a view's body: its JSON result is a 200, a vendor failure the vendor's error."""
    try:
        body = compute()
    except SpaazaFailure as e:
        return spaaza_response(e.error)
    except LevelUpFailure as e:
        return levelup_response(e.error.key)
    return json_response(body, 200)


def register(app: Flask) -> None:
    """App-level handlers for what no view answers: unrouted URLs, wrong methods, crashes."""

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        status = e.code if e.code in (404, 405) else 500
        if is_admin(request.path):
            response = json_response({"error": {"field": None, "message": f"{request.method} {request.path}: {e.name}"}}, e.code or 500)
        elif is_levelup(request.path):
            response = levelup_response({404: "not_found", 405: "method_not_allowed"}.get(status, "server_error"))
        else:
            response = spaaza_response(MOCK_SPAAZA_ERRORS[status])
        if isinstance(e, MethodNotAllowed) and e.valid_methods:
            response.headers["Allow"] = ", ".join(sorted(e.valid_methods))  # werkzeug's order follows set hashing
        return response

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        log.exception("unexpected error answering %s %s", request.method, request.full_path)
        if is_admin(request.path):
            return json_response({"error": {"field": None, "message": "the mock failed; see its log"}}, 500)
        if is_levelup(request.path):
            return levelup_response("server_error")
        return spaaza_response(MOCK_SPAAZA_ERRORS[500])
