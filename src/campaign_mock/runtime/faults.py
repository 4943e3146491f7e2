"""Faults armed per namespace: the next N requests of an operation (or path) get a documented
error, a delay or a dropped connection. An error fault goes through the code of X-Mock-Error
(server/forcing.py calls `documented_error` too)."""

from __future__ import annotations

from campaign_mock.contract.catalogue import LEVELUP_ERRORS, spaaza_errors
from campaign_mock.runtime.errors import AdminInputError
from campaign_mock.runtime.journal import is_levelup_path, operation_of, operation_path, operations

__all__ = ["LEVELUP_BY_STATUS", "catalogue", "documented_error", "parse_fault"]

# X-Mock-Error's LevelUp shorthands: an HTTP status for the refusal it names.
LEVELUP_BY_STATUS = {"401": "invalid_token", "404": "not_found", "500": "server_error"}
KINDS = ("error", "delay_ms", "drop")
TARGETS = ("operation", "path")
MAX_DIGITS = 18


def _digits(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS else None


def documented_error(value: str, levelup: bool) -> int | str | None:
    """The Spaaza code or LevelUp refusal that an X-Mock-Error value (or a fault's error) names."""
    value = value.strip()
    if levelup:
        key = LEVELUP_BY_STATUS.get(value, value)
        return key if key in LEVELUP_ERRORS else None
    code = _digits(value)
    return code if code in spaaza_errors() else None


def catalogue() -> dict:
    """What a fault's operation and error (and X-Mock-Error) may name: GET /__mock/catalogue."""
    return {
        "operations": [{"operation": op, "vendor": "levelup" if is_levelup_path(operation_path(op) or "") else "spaaza"} for op in sorted(operations())],
        "spaaza_errors": [{"code": e.code, "name": e.name, "http_status": e.http_status} for e in spaaza_errors().values()],
        "levelup_errors": [{"name": e.key, "http_status": e.http_status} for e in LEVELUP_ERRORS.values()],
    }


def _exactly_one(spec: dict, names: tuple[str, ...]) -> str:
    given = [n for n in names if n in spec]
    if len(given) != 1:
        raise AdminInputError(400, names[0] if not given else given[1], f"give exactly one of {', '.join(map(repr, names))} (got {', '.join(given) or 'none'})")
    return given[0]


def parse_fault(spec) -> dict:
    """A fault as stored (without id and counters), or AdminInputError naming the field."""
    if not isinstance(spec, dict):
        raise AdminInputError(400, None, "the body must be a JSON object")
    unknown = sorted(set(spec) - {*KINDS, *TARGETS, "times"})
    if unknown:
        raise AdminInputError(400, unknown[0], f"unknown field {unknown[0]!r}; a fault has {', '.join(TARGETS + KINDS)} and times")
    target = _exactly_one(spec, TARGETS)
    fault: dict = {"operation": None, "path": None}
    value = spec[target]
    if not isinstance(value, str):
        raise AdminInputError(400, target, f"{target} must be a string")
    if target == "operation":
        if value not in operations():
            raise AdminInputError(400, "operation", f"{value[:80]!r} is no operationId of openapi.yaml; one of {', '.join(sorted(operations()))}")
        levelup = is_levelup_path(operation_path(value) or "")  # every operationId has a path
    else:
        if operation_of(value) is None:
            raise AdminInputError(400, "path", f"{value[:80]!r} is no vendor path (without the namespace prefix), e.g. /get-campaigns or /v15/campaigns/20/basic_v1")
        levelup = is_levelup_path(value)
    fault[target] = value
    kind = _exactly_one(spec, KINDS)
    value = spec[kind]
    if kind == "error":
        known = documented_error(str(value), levelup) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        if known is None:
            vendor = "a LevelUp refusal (e.g. permission_missing, or 401/404/500)" if levelup else "a documented Spaaza error code (e.g. 217)"
            raise AdminInputError(400, "error", f"{str(value)[:80]!r} is not {vendor}")
        fault["error"] = known
    elif kind == "delay_ms":
        if type(value) is not int or not 0 <= value < 10**MAX_DIGITS:
            raise AdminInputError(400, "delay_ms", "delay_ms must be a whole number of milliseconds >= 0 (longer than the server's cap is cut to it)")
        fault["delay_ms"] = value
    else:
        if value is not True:
            raise AdminInputError(400, "drop", "drop must be true")
        fault["drop"] = True
    times = spec.get("times", 1)
    if times is not None and (type(times) is not int or not 1 <= times < 10**MAX_DIGITS):
        raise AdminInputError(400, "times", "times must be a whole number >= 1, or null for until removed")
    fault["times"] = fault["remaining"] = times
    fault["fired"] = 0
    return fault


def is_live(fault: dict) -> bool:
    return fault["remaining"] is None or fault["remaining"] > 0


def matches(fault: dict, operation: str | None, path: str) -> bool:
    return fault["path"] == path if fault["path"] is not None else (operation is not None and fault["operation"] == operation)
