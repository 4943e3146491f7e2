"""Faults armed per namespace: the next N requests of an operation (or path) get a documented
error, a delay or a dropped connection. An error fault goes through the code of X-Mock-Error
(server/forcing.py calls `documented_error` too)."""

from __future__ import annotations

from campaign_mock.contract.catalogue import LEVELUP_ERRORS, spaaza_errors
from campaign_mock.contract.loader import admin_schema
from campaign_mock.contract.operations import is_levelup, levelup_path, operation_of, operation_path, operations
from campaign_mock.contract.validate import did_you_mean
from campaign_mock.exceptions import InputError

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


def _shape_problem(spec: object) -> InputError | None:
    """The first way `spec` breaks admin-openapi.yaml's FaultInput (one source of truth for
    the fault's shape), naming the field in the words of its description; None if it has
    the shape. One target and one kind are checked after, to name the field that is extra."""
    validator = admin_schema("FaultInput")
    problems = [e for e in validator.iter_errors(spec) if e.validator != "oneOf"]
    if not problems:
        return None
    if not isinstance(spec, dict):
        return InputError(None, "the body must be a JSON object")
    properties = validator.schema["properties"]
    unknown = sorted(set(spec) - set(properties))
    if unknown:
        return InputError(unknown[0], f"unknown field {unknown[0][:80]!r}; {did_you_mean(unknown[0], properties)}a fault has {', '.join(properties)}")
    name = str(min(problems, key=lambda e: list(e.path)).path[0])
    enum = properties[name].get("enum")
    choices = f": {did_you_mean(spec[name], enum)}one of {', '.join(enum)}" if enum else ""
    return InputError(name, f"{str(spec[name])[:80]!r}: {name} must be {properties[name]['description']}{choices}")


def catalogue() -> dict:
    """What a fault's operation and error (and X-Mock-Error) may name: GET /__mock/catalogue."""
    return {
        "operations": [{"operation": op, "vendor": "levelup" if is_levelup(operation_path(op) or "") else "spaaza"} for op in sorted(operations())],
        "spaaza_errors": [{"code": e.code, "name": e.name, "http_status": e.http_status} for e in spaaza_errors().values()],
        "levelup_errors": [{"name": e.key, "http_status": e.http_status} for e in LEVELUP_ERRORS.values()],
    }


def _exactly_one(spec: dict, names: tuple[str, ...]) -> str:
    given = [n for n in names if n in spec]
    if len(given) != 1:
        raise InputError(names[0] if not given else given[1], f"give exactly one of {', '.join(map(repr, names))} (got {', '.join(given) or 'none'})")
    return given[0]


def parse_fault(spec) -> dict:
    """A fault as stored (without id and counters), or InputError naming the field."""
    problem = _shape_problem(spec)
    if problem is not None:
        raise problem
    target = _exactly_one(spec, TARGETS)
    kind = _exactly_one(spec, KINDS)
    fault: dict = {"operation": None, "path": None, target: spec[target]}
    if target == "path" and operation_of(spec["path"]) is None:
        raise InputError("path", f"{spec['path'][:80]!r} is no vendor path (without the namespace prefix), e.g. /get-campaigns or {levelup_path(20, 'basic_v1')}")
    levelup = is_levelup(spec["path"] if target == "path" else operation_path(spec["operation"]) or "")
    value = spec[kind]
    if kind == "error":
        known = documented_error(str(value), levelup)
        if known is None:
            vendor = "a LevelUp refusal (e.g. permission_missing, or 401/404/500)" if levelup else "a documented Spaaza error code (e.g. 217)"
            raise InputError("error", f"{str(value)[:80]!r} is not {vendor}")
        value = known
    fault[kind] = int(value) if kind == "delay_ms" else value  # (JSON Schema's integer takes 1.0)
    fault["times"] = fault["remaining"] = None if spec.get("times", 1) is None else int(spec.get("times", 1))
    fault["fired"] = 0
    return fault


def is_live(fault: dict) -> bool:
    return fault["remaining"] is None or fault["remaining"] > 0


def matches(fault: dict, operation: str | None, path: str) -> bool:
    return fault["path"] == path if fault["path"] is not None else (operation is not None and fault["operation"] == operation)
