"""Schema errors in words a QA engineer can act on: what is wrong at which path, and what to
write instead. One small explanation per JSON Schema keyword (EXPLAIN); jsonschema's own
message for the rest."""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator

from campaign_mock.contract.validate import did_you_mean, excerpt, shorten
from campaign_mock.scenario.yaml_lines import JsonPath, Problem, YamlFile


def schema_problems(f: YamlFile, validator: Validator) -> list[Problem]:
    """Every place where the document breaks the schema, explained (an unknown key each on
    its own), in the order of its lines."""
    found = (f.problem(path, message) for e in validator.iter_errors(f.data) for path, message in _explained(f, e))
    # One problem a place: a value can break two rules that say the same (a format and a pattern).
    return sorted({p.path: p for p in reversed(list(found))}.values(), key=lambda p: p.line)


def explain(f: YamlFile, e: ValidationError, base: JsonPath = ()) -> tuple[JsonPath, str]:
    """(where, what to write instead) for one schema error; `base` is where the validated value sits."""
    path = base + tuple(e.absolute_path)
    explained = EXPLAIN.get(str(e.validator))
    found = explained(f, e, path) if explained is not None else None
    return found or (path, shorten(e.message, 200))  # jsonschema's message may quote the whole value


def _explained(f: YamlFile, e: ValidationError) -> list[tuple[JsonPath, str]]:
    """One error's explanations: one per unknown key (jsonschema reports them together)."""
    unknown = _unknown_keys(f, e, tuple(e.absolute_path))
    return unknown if unknown else [explain(f, e)]


Explanation = Callable[[YamlFile, ValidationError, JsonPath], "tuple[JsonPath, str] | None"]

# Up to this many allowed keys are listed in the schema's order (the document's); more, sorted.
_LISTED_KEYS = 20


def _unknown_keys(f: YamlFile, e: ValidationError, path: JsonPath) -> list[tuple[JsonPath, str]]:
    """Every key of a closed object (additionalProperties: false) that it does not name: a
    typo is refused with the closest allowed key, never taken for a vendor's new field."""
    if e.validator != "additionalProperties" or not isinstance(e.instance, dict) or not isinstance(e.schema, dict) or e.schema.get("additionalProperties") is not False:
        return []
    allowed = list(e.schema.get("properties", {}))
    shown = ", ".join(allowed if len(allowed) <= _LISTED_KEYS else sorted(allowed))
    extra = " (a field the vendor might add goes under `extra:`)" if "extra" in allowed else ""
    return [(path + (key,), f"unknown key {excerpt(key)}; {did_you_mean(key, allowed)}allowed here: {shown}{extra}") for key in e.instance if key not in allowed]


def _unknown_key(f: YamlFile, e: ValidationError, path: JsonPath) -> tuple[JsonPath, str] | None:
    found = _unknown_keys(f, e, path)
    return min(found, key=lambda pm: f.line(pm[0])) if found else None


def _missing_key(f: YamlFile, e: ValidationError, path: JsonPath) -> tuple[JsonPath, str]:
    missing = next(k for k in e.validator_value if k not in e.instance)
    return path, f"missing required key {missing!r}; add `{missing}: ...`"


_EXPECTED = {"string": "a string", "integer": "a whole number", "number": "a number", "boolean": "true or false",
             "object": "a mapping (key: value lines)", "array": "a list (- item lines)", "null": "null"}


def _wrong_type(f: YamlFile, e: ValidationError, path: JsonPath) -> tuple[JsonPath, str]:
    inst = e.instance
    expected: list[str] = e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]
    shown = json.dumps(inst, default=str)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    message = f"expected {' or '.join(_EXPECTED.get(t, t) for t in expected)}, found {_json_type(inst)} ({shown})"
    if inst is None:
        message += "; write a value, or leave the key out"
    elif "string" in expected and isinstance(inst, (int, float, bool)):
        message += f'; quote it to make it a string: "{json.dumps(inst)}"'
    elif "integer" in expected and isinstance(inst, str) and re.fullmatch(r"-?\d+", inst.strip()):
        message += f"; write the number without quotes: {inst.strip()}"
    elif "integer" in expected and isinstance(inst, str):
        message += "; write a whole number, e.g. 600"
    return path, message


# What a value is called in a message; bool before int (True is an int in Python).
_JSON_TYPES = ((bool, "a boolean"), (int, "an integer"), (float, "a number"), (str, "a string"), (dict, "a mapping"), (list, "a list"))


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return next((name for kind, name in _JSON_TYPES if isinstance(value, kind)), f"a {type(value).__name__}")


def _not_allowed(f: YamlFile, e: ValidationError, path: JsonPath) -> tuple[JsonPath, str]:
    return path, f"{excerpt(e.instance)} is not allowed here; {did_you_mean(e.instance, e.validator_value)}write one of: {', '.join(map(str, e.validator_value))}"


def _pattern(f: YamlFile, e: ValidationError, path: JsonPath) -> tuple[JsonPath, str]:
    if "propertyNames" in e.absolute_schema_path:
        described = e.schema.get("description", "allowed") if isinstance(e.schema, dict) else "allowed"
        return path + (e.instance,), f"key {excerpt(e.instance)} is not {described}; write e.g. 7001001: 40"
    what = "must not be empty or contain spaces" if e.validator_value == r"^\S+$" else f"must match {e.validator_value}"
    return path, f"{excerpt(e.instance)} {what}"


def _format(f: YamlFile, e: ValidationError, path: JsonPath) -> tuple[JsonPath, str] | None:
    if e.validator_value != "date-time":
        return None
    return path, f'{excerpt(e.instance)} is not a date-time with an offset (RFC 3339); write e.g. "2024-01-01T00:00:00+00:00"'


def _forbidden(f: YamlFile, e: ValidationError, path: JsonPath) -> tuple[JsonPath, str]:
    reason = e.schema.get("description", "remove it") if isinstance(e.schema, dict) else "remove it"
    return path, f"cannot be set in a scenario: {reason}"


# JSON Schema keyword -> its explanation (None: jsonschema's message).
EXPLAIN: dict[str, Explanation] = {
    "additionalProperties": _unknown_key,
    "required": _missing_key,
    "type": _wrong_type,
    "enum": _not_allowed,
    "minimum": lambda f, e, path: (path, f"must be at least {e.validator_value}, found {e.instance}"),
    "maximum": lambda f, e, path: (path, f"must be at most {e.validator_value}, found {e.instance}"),
    "minLength": lambda f, e, path: (path, "must not be empty"),
    "minItems": lambda f, e, path: (path, f"needs at least {e.validator_value} item(s)"),
    "uniqueItems": lambda f, e, path: (path, "lists an item twice; list each once"),
    "pattern": _pattern,
    "format": _format,
    "not": _forbidden,
}
