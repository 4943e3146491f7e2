"""The admin API under /__mock/: health, the world, and per namespace its scenarios, clock,
faults and journal (runtime/ does the work; this maps HTTP onto it). Every error is JSON
`{"error": {"field": ..., "message": ...}}` naming what is wrong; nothing is half-applied.

Who may call it: with an admin token set, whoever sends it as X-Mock-Admin-Token; without one,
loopback clients only. /__mock/health answers everyone."""

from __future__ import annotations

import hmac
import ipaddress
import json

from flask import Blueprint, Response, current_app, request

from campaign_mock.exceptions import InputError
from campaign_mock.runtime import DEFAULT_NAMESPACE, JournalFilter, check_key
from campaign_mock.runtime.coverage import coverage_report, merge_reports
from campaign_mock.runtime.describe import describe
from campaign_mock.server.errors import json_response

bp = Blueprint("admin", __name__, url_prefix="/__mock")

MAX_BODY = 2**20
YAML_TYPES = frozenset({"application/yaml", "text/yaml", "application/x-yaml"})
JSON_TYPES = frozenset({"application/json"})
FILTERS = ("method", "path", "status", "operation", "error", "limit")
MAX_LIMIT = 1_000_000


def _state():
    return current_app.config["CAMPAIGN_MOCK_STATE"]


def _runtime():
    return _state().runtime


def refusal(environ: dict, token: str | None) -> InputError | None:
    """Why this request may not use the admin API, or None. Health is for everyone."""
    if environ.get("PATH_INFO") == "/__mock/health":
        return None
    if token is not None:
        given = environ.get("HTTP_X_MOCK_ADMIN_TOKEN", "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return InputError("X-Mock-Admin-Token", "the admin API needs the server's admin token in X-Mock-Admin-Token", kind="unauthorized")
        return None
    if not is_loopback(environ.get("REMOTE_ADDR", "")):
        return InputError(None, "the admin API answers loopback clients only; start the server with --admin-token to open it to others", kind="forbidden")
    return None


def is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


@bp.before_request
def _guard():
    refused = refusal(request.environ, current_app.config["CAMPAIGN_MOCK"].admin_token)
    if refused is not None:
        raise refused


def _ok(body, status: int = 200) -> Response:
    return json_response(body, status)


def _no_content() -> Response:
    return Response(status=204)


def _ns(key: str) -> str:
    return check_key(key)


def _json_body() -> dict:
    data = _body()
    try:
        value = json.loads(data)
    except ValueError as e:
        raise InputError(None, f"the body is not JSON ({e})") from None
    if not isinstance(value, dict):
        raise InputError(None, "the body must be a JSON object")
    return value


def _body() -> bytes:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise InputError(None, f"the body is larger than {MAX_BODY} bytes", kind="too_large")
    data = request.stream.read(MAX_BODY + 1)
    if len(data) > MAX_BODY:
        raise InputError(None, f"the body is larger than {MAX_BODY} bytes", kind="too_large")
    return data


# --- health and world ---------------------------------------------------------------


@bp.get("/health")
def health():
    state = _state()
    config = current_app.config["CAMPAIGN_MOCK"]
    return _ok({"status": "ok", "seed": state.world.seed, "scenarios": list(config.scenarios), "store": state.runtime.store.kind})


@bp.get("/world")
def world():
    return _ok(describe(_runtime().view(DEFAULT_NAMESPACE).world))


@bp.get("/ns/<key>/world")
def ns_world(key):
    return _ok(describe(_runtime().view(_ns(key)).world))


# --- scenarios ----------------------------------------------------------------------


@bp.post("/ns/<key>/scenarios")
def add_scenario(key):
    ns = _ns(key)
    name = request.args.get("name")
    if name is not None:
        check_key(name, "name")
    kind = (request.mimetype or "").lower()
    if kind not in YAML_TYPES | JSON_TYPES:
        raise InputError("Content-Type", f"send the scenario as application/yaml (or text/yaml, application/x-yaml) or application/json, not {kind or 'nothing'!r}", kind="unsupported")
    data = _body()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError("scenario", f"the document is not UTF-8 ({e.reason} at byte {e.start})") from None
    loaded = _runtime().load_scenario(ns, text, name)
    return _ok({"loaded": loaded}, 201)


@bp.get("/ns/<key>/scenarios")
def list_scenarios(key):
    return _ok({"scenarios": _runtime().scenarios(_ns(key))})


@bp.delete("/ns/<key>/scenarios")
def clear_scenarios(key):
    _runtime().clear_scenarios(_ns(key))
    return _no_content()


# --- clock --------------------------------------------------------------------------


@bp.get("/ns/<key>/clock")
def get_clock(key):
    return _ok(_runtime().clock(_ns(key)))


@bp.put("/ns/<key>/clock")
def set_clock(key):
    ns = _ns(key)
    body = _json_body()
    if "now" not in body:
        raise InputError("now", 'give {"now": "<date-time with offset>"}')
    return _ok(_runtime().set_clock(ns, body["now"]))


@bp.delete("/ns/<key>/clock")
def reset_clock(key):
    _runtime().reset_clock(_ns(key))
    return _no_content()


# --- faults -------------------------------------------------------------------------


@bp.post("/ns/<key>/faults")
def add_fault(key):
    ns = _ns(key)
    return _ok(_runtime().add_fault(ns, _json_body()), 201)


@bp.get("/ns/<key>/faults")
def list_faults(key):
    return _ok({"faults": _runtime().faults(_ns(key))})


@bp.delete("/ns/<key>/faults")
def clear_faults(key):
    _runtime().clear_faults(_ns(key))
    return _no_content()


@bp.delete("/ns/<key>/faults/<fault_id>")
def remove_fault(key, fault_id):
    if not _runtime().remove_fault(_ns(key), fault_id):
        raise InputError("id", f"namespace {key!r} has no fault {fault_id[:80]!r}", kind="not_found")
    return _no_content()


# --- journal and reset --------------------------------------------------------------


def _filters() -> JournalFilter:
    unknown = sorted(set(request.args) - set(FILTERS))
    if unknown:
        raise InputError(unknown[0], f"unknown filter {unknown[0]!r}; filters: {', '.join(FILTERS)}")
    args: dict[str, str | int] = {k: request.args[k] for k in FILTERS if k in request.args}
    for name in ("status", "limit"):
        if name in args:
            text = str(args[name])
            if not (text.isascii() and text.isdigit() and len(text) <= 7) or (name == "limit" and not 1 <= int(text) <= MAX_LIMIT):
                raise InputError(name, f"{name} must be a whole number" + (f" from 1 to {MAX_LIMIT}" if name == "limit" else ""))
            args[name] = int(text)
    if "method" in args:
        args["method"] = str(args["method"]).upper()
    return JournalFilter(**args)


@bp.get("/ns/<key>/journal")
def journal(key):
    ns = _ns(key)
    entries, dropped = _runtime().journal(ns, _filters())
    return _ok({"requests": entries, "count": len(entries), "dropped": dropped})


@bp.delete("/ns/<key>/journal")
def clear_journal(key):
    _runtime().clear_journal(_ns(key))
    return _no_content()


@bp.delete("/ns/<key>")
def reset(key):
    _runtime().reset(_ns(key))
    return _no_content()


# --- business coverage (runtime/coverage.py), from the journal alone ------------------------


@bp.get("/ns/<key>/coverage")
def coverage(key):
    entries, dropped = _runtime().journal(_ns(key), JournalFilter())
    return _ok(coverage_report(entries, dropped))


@bp.get("/coverage")
def coverage_all():
    runtime = _runtime()
    runtime.store.wait_flushed()  # so that a namespace whose first entries are still queued is listed
    return _ok(merge_reports(coverage_report(*runtime.journal(ns, JournalFilter())) for ns in runtime.store.journal_namespaces()))
