"""Every failure becomes a response here, and only here.

Vendor paths answer in the vendor's shape, picked by path (contract/operations.is_levelup):
Spaaza's error envelope or LevelUp's error array, as `Answer`s the pipeline sends and
journals like any other (server/pipeline.py). The admin API (/__mock/) answers JSON
`{"error": {"field": ..., "message": ...}}` through the Flask handlers `register` installs.
Never Flask's HTML page, never a trace: an unexpected exception is logged and answered as the
vendor's 500 (or the admin API's)."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Iterable

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from campaign_mock.contract.catalogue import LEVELUP_ERRORS, SpaazaError, spaaza_errors
from campaign_mock.contract.operations import is_levelup
from campaign_mock.exceptions import CampaignMockError, InputError
from campaign_mock.runtime.outage import Outage
from campaign_mock.runtime.store import store_errors
from campaign_mock.server.answers import Answer
from campaign_mock.server.digits import MAX_DIGITS
from campaign_mock.world.providers import json_bytes

log = logging.getLogger("campaign_mock.server")

ADMIN_PREFIX = "/__mock/"

# Cases the vendors document no code for: an unknown route or method, our own failure, a
# malformed X-Mock-Error or X-Mock-Delay-Ms, too many delays at once. Codes 9xxx are the
# mock's, never Spaaza's; LevelUp gets the same names in its error array.
NOT_FOUND = SpaazaError(9404, "call_not_found", "There is no such API call.", 404)
METHOD_NOT_ALLOWED = SpaazaError(9405, "method_not_allowed", "This API call does not accept that HTTP method.", 405)
INTERNAL_ERROR = SpaazaError(9500, "internal_error", "The mock failed; see its log.", 500)
MOCK_ERROR_INVALID = SpaazaError(9400, "mock_error_invalid", "X-Mock-Error must name a documented error code.", 400)
DELAY_INVALID = replace(MOCK_ERROR_INVALID, description=f"X-Mock-Delay-Ms must be a whole number of milliseconds (at most {MAX_DIGITS} digits; longer waits are cut to the cap).")
STORE_UNAVAILABLE = SpaazaError(9502, "state_unavailable", "The mock's state store (SQLite or Redis) cannot be read or written; retry when it is back (the mock's log says when).", 503)
DELAYS_BUSY = SpaazaError(9503, "mock_delays_busy", "Too many delayed answers are waiting at once (X-Mock-Delay-Ms or a delay fault); retry after they end, or start serve with a higher --max-delays.", 503)
# LevelUp's own refusal for the mock's errors it has one for; the others keep the mock's name.
LEVELUP_EQUIVALENT = {NOT_FOUND.code: "not_found", METHOD_NOT_ALLOWED.code: "method_not_allowed", INTERNAL_ERROR.code: "server_error", STORE_UNAVAILABLE.code: "server_error"}
# The HTTP status of each kind of refused input (exceptions.InputError).
INPUT_STATUS = {"invalid": 400, "unauthorized": 401, "forbidden": 403, "not_found": 404, "conflict": 409, "too_large": 413, "unsupported": 415, "refused": 422}


class SpaazaFailure(CampaignMockError):
    """A Spaaza view's refusal: the documented error `code` (server/spaaza.py)."""

    def __init__(self, code: int):
        super().__init__(f"Spaaza error {code}")
        self.error = spaaza_errors()[code]


class LevelUpFailure(CampaignMockError):
    """A LevelUp view's refusal, by its key in contract/catalogue.LEVELUP_ERRORS."""

    def __init__(self, key: str):
        super().__init__(f"LevelUp refusal {key}")
        self.key = key


# --- vendor answers -----------------------------------------------------------------------


def spaaza_answer(error: SpaazaError, headers: Iterable[tuple[str, str]] = ()) -> Answer:
    return Answer.json(error.http_status, error.body(), error.code, headers)


def levelup_answer(key: str, headers: Iterable[tuple[str, str]] = ()) -> Answer:
    error = LEVELUP_ERRORS[key]
    extra = [("WWW-Authenticate", error.www_authenticate)] if error.www_authenticate else []
    return Answer.json(error.http_status, error.body(), key, [*extra, *headers])


def mock_answer(path: str, error: SpaazaError, headers: Iterable[tuple[str, str]] = ()) -> Answer:
    """One of the mock's own errors (the 9xxx codes above) in the vendor's shape."""
    if not is_levelup(path):
        return spaaza_answer(error, headers)
    if error.code in LEVELUP_EQUIVALENT:
        return levelup_answer(LEVELUP_EQUIVALENT[error.code], headers)
    body = [{"error": {"code": error.name, "message": error.description, "object": None, "property": None}}]
    return Answer.json(error.http_status, body, None, headers)  # no LevelUp refusal: none in the journal


def forced_answer(path: str, known: int | str, methods: Iterable[str]) -> Answer:
    """The documented error a request was forced to (X-Mock-Error, or a fault's): a Spaaza code
    or a LevelUp refusal; a forced 405 carries Allow (the path's `methods`) like a real one."""
    if not is_levelup(path):
        return spaaza_answer(spaaza_errors()[int(known)])
    return levelup_answer(str(known), [("Allow", allow(methods))] if known == "method_not_allowed" else [])


def allow(methods: Iterable[str]) -> str:
    """An Allow header's value: sorted, as werkzeug's order follows set hashing."""
    return ", ".join(sorted(methods))


def not_routed(path: str, e: HTTPException, environ: dict) -> Answer:
    """A vendor path no route takes (404: any answer but a 405, a redirect werkzeug would ask for
    included), or a method it does not take (405, with Allow)."""
    headers = [("Allow", allow(e.valid_methods))] if isinstance(e, MethodNotAllowed) and e.valid_methods else []
    return mock_answer(path, METHOD_NOT_ALLOWED if e.code == 405 else NOT_FOUND, headers)


# A store that cannot be reached: one line per outage (runtime/outage.py), not a traceback per request.
STORE_OUTAGE = Outage("the state store cannot be read or written; vendor requests answer 5xx and the admin API 503 until it is back")


def vendor_failure(path: str, e: Exception, what: str) -> Answer:
    """A view's refusal as the vendor's error; a store that cannot be reached, the vendor's 5xx;
    anything else is our failure: logged, 500."""
    if isinstance(e, SpaazaFailure):
        return spaaza_answer(e.error)
    if isinstance(e, LevelUpFailure):
        return levelup_answer(e.key)
    if isinstance(e, store_errors()):
        STORE_OUTAGE.failed(e)
        return mock_answer(path, STORE_UNAVAILABLE)
    log.error("%s: the mock failed", what, exc_info=e)
    return mock_answer(path, INTERNAL_ERROR)


# --- the admin API -------------------------------------------------------------------------


def json_response(body: object, status: int, headers: dict | None = None) -> Response:
    return Response(json_bytes(body), status=status, headers=headers, mimetype="application/json")


def input_refused(e: InputError) -> Response:
    return json_response(e.body(), INPUT_STATUS[e.kind])


def register(app: Flask) -> None:
    """The admin API's handlers (vendor paths never reach Flask)."""

    @app.errorhandler(InputError)
    def _input(e: InputError):
        return input_refused(e)

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        message = f"{request.method} {request.path}: {e.name}"
        if e.code == 404:  # name the routes that exist (admin-openapi.yaml documents them)
            routes = sorted({rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/__mock/")})
            message += f"; the admin routes are: {', '.join(routes)}"
        response = json_response({"error": {"field": None, "message": message}}, e.code or 500)
        if isinstance(e, MethodNotAllowed) and e.valid_methods:
            response.headers["Allow"] = allow(e.valid_methods)
        return response

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        if isinstance(e, store_errors()):
            STORE_OUTAGE.failed(e)
            return json_response({"error": {"field": None, "message": f"the state store cannot be read or written ({type(e).__name__}); retry when it is back"}}, 503, {"Retry-After": "1"})
        log.exception("unexpected error answering %s %s", request.method, request.full_path)
        return json_response({"error": {"field": None, "message": "the mock failed; see its log"}}, 500)
