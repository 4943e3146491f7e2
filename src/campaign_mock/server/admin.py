"""The admin API under /__mock/: health, the world, and per namespace its scenarios, clock,
faults and journal (runtime/ does the work; this maps HTTP onto it), and the QA console at
/__mock/ui/ (server/console/). Every error is JSON `{"error": {"field": ..., "message": ...}}`
naming what is wrong; nothing is half-applied.

Who may call it: server/access.py (loopback only, or the admin token; no cross-site writes).
/__mock/health answers everyone."""

from __future__ import annotations

import json
from typing import Callable

from flask import Blueprint, Response, current_app, request

from campaign_mock.contract.variations import catalogue as variation_catalogue
from campaign_mock.exceptions import InputError
from campaign_mock.runtime import DEFAULT_NAMESPACE, JournalFilter, check_key
from campaign_mock.runtime.describe import chain_detail, chains_page, describe, levelup_users_page, merchant_detail, merchants_page, repeat_request, user_detail
from campaign_mock.runtime.faults import catalogue
from campaign_mock.server import console
from campaign_mock.server.access import refusal
from campaign_mock.server.digits import parse_digits
from campaign_mock.server.errors import json_response
from campaign_mock.world.model import World

bp = Blueprint("admin", __name__, url_prefix="/__mock")
bp.register_blueprint(console.bp)  # nested: the same guard and JSON errors


# /__mock/clock, /__mock/scenarios, /__mock/faults, /__mock/journal act on the default
# namespace, as the root's vendor paths do (an endpoint of their own: werkzeug would redirect
# /__mock/ns/default/... to a rule of the same endpoint with defaults).
def _at_root(method: str, path: str) -> Callable:
    def register(view: Callable) -> Callable:
        bp.add_url_rule(path, f"root_{view.__name__}", view, methods=[method], defaults={"key": DEFAULT_NAMESPACE})
        return view

    return register


MAX_BODY = 2**20
YAML_TYPES = frozenset({"application/yaml", "text/yaml", "application/x-yaml"})
JSON_TYPES = frozenset({"application/json"})
FILTERS = ("method", "path", "status", "operation", "error", "limit")
MAX_LIMIT = 1_000_000
PAGE_LIMIT, MAX_PAGE_LIMIT = 50, 500  # entities per page of .../world/chains and the like
MAX_OFFSET = 10**9
MAX_QUERY = 200
REPEAT_WINDOW = 1000  # newest journal entries read first to find one by seq (a full journal is 10,000)


def _state():
    return current_app.config["CAMPAIGN_MOCK_STATE"]


def _runtime():
    return _state().runtime


@bp.before_request
def _guard():
    config = current_app.config["CAMPAIGN_MOCK"]
    refused = refusal(request.environ, config.admin_token, config.read_only_admin)
    if refused is not None:
        raise refused


def _ok(body, status: int = 200) -> Response:
    return json_response(body, status)


def _no_content() -> Response:
    return Response(status=204)


def _ns(key: str) -> str:
    return check_key(key)


# Levels of nesting an admin JSON body may have (a fault, a clock, a variation need 3 or 4).
MAX_NESTING = 32


def _json_body() -> dict:
    data = _body()
    try:
        value, deep = json.loads(data), False
    except ValueError as e:
        raise InputError(None, f"the body is not JSON ({e})") from None
    except RecursionError:
        value, deep = None, True
    if deep or _deeper_than(value, MAX_NESTING):
        raise InputError(None, f"the body nests deeper than {MAX_NESTING} levels; no admin body needs more")
    if not isinstance(value, dict):
        raise InputError(None, "the body must be a JSON object")
    return value


def _deeper_than(value: object, limit: int) -> bool:
    """Whether JSON `value` nests deeper than `limit` (walked without recursion, so a deep body
    cannot exhaust the stack of what validates it next)."""
    level = [value]
    for _ in range(limit):
        level = [v for item in level if isinstance(item, (dict, list)) for v in (item.values() if isinstance(item, dict) else item)]
        if not level:
            return False
    return any(isinstance(item, (dict, list)) for item in level)


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
    return _ok({"status": "ok", "seed": state.world.seed, "scenarios": list(config.scenarios), "store": state.runtime.store.kind, "read_only_admin": config.read_only_admin})


@bp.get("/catalogue")
def fault_catalogue():
    return _ok(catalogue())


@bp.get("/namespaces")
def namespaces():
    return _ok({"namespaces": _runtime().namespaces()})


@bp.get("/world")
def world():
    return _ok(describe(_runtime().view(DEFAULT_NAMESPACE).world))


@bp.get("/ns/<key>/world")
def ns_world(key):
    return _ok(describe(_ns_world(key)))


# --- the world a page or an entity at a time (runtime/describe.py) ------------------


def _ns_world(key: str):
    return _runtime().view(_ns(key)).world


def _args(*allowed: str) -> None:
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        raise InputError(unknown[0], f"unknown parameter {unknown[0]!r}; this takes {', '.join(allowed) or 'none'}")


def _whole(text: str | None, field: str, default: int, low: int, high: int) -> int:
    if text is None:
        return default
    value = parse_digits(text)
    if value is None or not low <= value <= high:
        raise InputError(field, f"{field} must be a whole number from {low} to {high}")
    return value


def _paging() -> tuple[int, int]:
    return _whole(request.args.get("offset"), "offset", 0, 0, MAX_OFFSET), _whole(request.args.get("limit"), "limit", PAGE_LIMIT, 1, MAX_PAGE_LIMIT)


def _id(text: str, field: str) -> int:
    value = parse_digits(text)
    if value is None:
        raise InputError(field, f"{field} must be a whole number (ASCII digits), not {text[:80]!r}")
    return value


def _one(key: str, find: Callable[[World, int], dict | None], field: str, text: str, what: str) -> Response:
    """An entity of the namespace's world by the id in the path; 404 naming it if there is none."""
    _args()
    found = find(_ns_world(key), _id(text, field))
    if found is None:
        raise InputError(field, f"the namespace's world has no {what} {text[:80]}", kind="not_found")
    return _ok(found)


def _page(key: str, make: Callable[..., dict], *before: object) -> Response:
    """A page of the namespace's world: make(world, *before, offset, limit)."""
    return _ok(make(_ns_world(key), *before, *_paging()))


@bp.get("/ns/<key>/world/chains")
def world_chains(key):
    _args("q", "offset", "limit")
    q = request.args.get("q", "")
    if len(q) > MAX_QUERY:
        raise InputError("q", f"q is longer than {MAX_QUERY} characters")
    return _page(key, chains_page, q)


@bp.get("/ns/<key>/world/chains/<chain_id>")
def world_chain(key, chain_id):
    return _one(key, chain_detail, "chain_id", chain_id, "chain")


@bp.get("/ns/<key>/world/users/<user_id>")
def world_user(key, user_id):
    return _one(key, user_detail, "user_id", user_id, "Spaaza user")


@bp.get("/ns/<key>/world/levelup/merchants")
def world_merchants(key):
    _args("offset", "limit")
    return _page(key, merchants_page)


@bp.get("/ns/<key>/world/levelup/merchants/<merchant_id>")
def world_merchant(key, merchant_id):
    return _one(key, merchant_detail, "merchant_id", merchant_id, "LevelUp merchant")


@bp.get("/ns/<key>/world/levelup/users")
def world_levelup_users(key):
    _args("offset", "limit")
    return _page(key, levelup_users_page)


# --- scenarios ----------------------------------------------------------------------


@_at_root("POST", "/scenarios")
@bp.post("/ns/<key>/scenarios")
def add_scenario(key):
    ns = _ns(key)
    _args("name")  # a misspelt ?name= would load the document under a name the caller did not give
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


@_at_root("GET", "/scenarios")
@bp.get("/ns/<key>/scenarios")
def list_scenarios(key):
    return _ok({"scenarios": _runtime().scenarios(_ns(key))})


@_at_root("DELETE", "/scenarios")
@bp.delete("/ns/<key>/scenarios")
def clear_scenarios(key):
    _runtime().clear_scenarios(_ns(key))
    return _no_content()


# --- clock --------------------------------------------------------------------------


@_at_root("GET", "/clock")
@bp.get("/ns/<key>/clock")
def get_clock(key):
    return _ok(_runtime().clock(_ns(key)))


@_at_root("PUT", "/clock")
@bp.put("/ns/<key>/clock")
def set_clock(key):
    ns = _ns(key)
    body = _json_body()
    if "now" not in body:
        raise InputError("now", 'give {"now": "<date-time with offset>"}')
    return _ok(_runtime().set_clock(ns, body["now"]))


@_at_root("DELETE", "/clock")
@bp.delete("/ns/<key>/clock")
def reset_clock(key):
    _runtime().reset_clock(_ns(key))
    return _no_content()


# --- variation (contract/variations.py) ---------------------------------------------


@bp.get("/variations")
def variations():
    return _ok({"variations": variation_catalogue()})


@bp.get("/ns/<key>/variation")
def get_variation(key):
    return _ok(_runtime().variation(_ns(key)))


@bp.put("/ns/<key>/variation")
def set_variation(key):
    ns = _ns(key)
    return _ok(_runtime().set_variation(ns, _json_body()))


@bp.delete("/ns/<key>/variation")
def clear_variation(key):
    _runtime().clear_variation(_ns(key))
    return _no_content()


# --- faults -------------------------------------------------------------------------


@_at_root("POST", "/faults")
@bp.post("/ns/<key>/faults")
def add_fault(key):
    ns = _ns(key)
    return _ok(_runtime().add_fault(ns, _json_body()), 201)


@_at_root("GET", "/faults")
@bp.get("/ns/<key>/faults")
def list_faults(key):
    return _ok({"faults": _runtime().faults(_ns(key))})


@_at_root("DELETE", "/faults")
@bp.delete("/ns/<key>/faults")
def clear_faults(key):
    _runtime().clear_faults(_ns(key))
    return _no_content()


@_at_root("DELETE", "/faults/<fault_id>")
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


@_at_root("GET", "/journal")
@bp.get("/ns/<key>/journal")
def journal(key):
    ns = _ns(key)
    entries, dropped = _runtime().journal(ns, _filters())
    return _ok({"requests": entries, "count": len(entries), "dropped": dropped})


@_at_root("GET", "/journal/<seq>/request")
@bp.get("/ns/<key>/journal/<seq>/request")
def journal_request(key, seq):
    """One entry's request, repeatable: the secrets the journal masks put back from the world."""
    _args()
    ns, wanted = _ns(key), _id(seq, "seq")
    for limit in (REPEAT_WINDOW, None):  # the console asks for one of the newest: read those first
        entries, _ = _runtime().journal(ns, JournalFilter(limit=limit))
        entry = next((e for e in entries if e["seq"] == wanted), None)
        if entry is not None:
            return _ok(repeat_request(_ns_world(key), entry))
        if len(entries) < REPEAT_WINDOW:
            break
    raise InputError("seq", f"namespace {key!r} has no journal entry {wanted}", kind="not_found")


@_at_root("DELETE", "/journal")
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
    return _ok(_runtime().coverage(_ns(key)))


@bp.get("/coverage")
def coverage_all():
    return _ok(_runtime().coverage(None))
