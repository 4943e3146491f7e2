"""A YAML file whose problems are reported as `file.yaml:LINE: $.json.path: what is wrong;
what to write instead`: the node tree keeps every value's line, and schema errors are
explained in words a QA engineer can act on. Used by scenario.py."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, NoReturn

import yaml

from campaign_mock.contract.validate import json_path
from campaign_mock.exceptions import ScenarioError

JsonPath = tuple  # of str keys and int indices


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps as the strings written: they are set verbatim."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class YamlFile:
    name: str
    root: yaml.Node
    data: Any  # JSON-shaped: mapping keys are strings

    def node(self, path: JsonPath) -> yaml.Node:
        """The node at `path` (the key's node for a mapping member, so the line is the key's),
        or the deepest one found."""
        node = self.root
        for n, part in enumerate(path):
            if isinstance(node, yaml.MappingNode):
                found = next(((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(part)), None)
                if found is None:
                    return node
                if n == len(path) - 1:
                    return found[0]
                node = found[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                node = node.value[part]
            else:
                return node
        return node

    def line(self, path: JsonPath) -> int:
        return self.node(tuple(path)).start_mark.line + 1

    def fail(self, path: JsonPath, message: str) -> NoReturn:
        raise ScenarioError(f"{self.name}:{self.line(path)}: {json_path(path)}: {message}")

    def where(self, path: JsonPath) -> str:
        return f"{self.name}:{self.line(path)}"


def read_yaml(path) -> YamlFile:
    name = str(path)
    p = Path(path)
    if not p.exists():
        raise ScenarioError(f"{name}: no such scenario file; check the path (relative paths start at {Path.cwd()})")
    if p.is_dir():
        raise ScenarioError(f"{name}: is a directory, not a scenario file; name the .yaml files in it instead")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ScenarioError(f"{name}: is not UTF-8 text ({e.reason} at byte {e.start}); save it as UTF-8") from None
    except OSError as e:
        raise ScenarioError(f"{name}: cannot be read ({e.strerror})") from None
    return parse_yaml(name, text)


def parse_yaml(name: str, text: str) -> YamlFile:
    """YAML text (a file's, or a document sent to the admin API) as a YamlFile; JSON is YAML."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        value = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        if e.context_mark is not None and "end of stream" in (e.problem or ""):
            mark = e.context_mark  # an unclosed quote or bracket: point at where it opens
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(filter(None, (e.context, e.problem)))
        raise ScenarioError(f"{name}:{line}: YAML syntax error at column {column}: {what}; fix the YAML there (quote values that contain ': ' or start with a special character)") from None
    except yaml.YAMLError as e:
        raise ScenarioError(f"{name}:1: YAML error: {e}") from None
    finally:
        loader.dispose()
    if root is None:
        raise ScenarioError(f"{name}:1: $: the file is empty; a scenario declares at least one of clock, spaaza, levelup")
    if not isinstance(root, yaml.MappingNode):
        kind = "list" if isinstance(root, yaml.SequenceNode) else f"single value ({root.value!r})"
        raise ScenarioError(f"{name}:{root.start_mark.line + 1}: $: the top level is a {kind}, not a mapping; write keys such as `spaaza:` and `levelup:`")
    f = YamlFile(name, root, None)
    _check_duplicate_keys(f, root, ())
    try:
        f.data = _jsonish(value)
    except RecursionError:
        raise ScenarioError(f"{name}:1: $: the YAML refers to itself (a recursive alias); write the values out") from None
    return f


def _check_duplicate_keys(f: YamlFile, node: yaml.Node, path: JsonPath) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            k = key.value if isinstance(key, yaml.ScalarNode) else None
            if k is not None and k != "<<":
                if k in seen:
                    raise ScenarioError(
                        f"{f.name}:{key.start_mark.line + 1}: {json_path(path + (k,))}: duplicate key (first on line {seen[k]}); YAML would silently keep only the last: remove one"
                    )
                seen[k] = key.start_mark.line + 1
            _check_duplicate_keys(f, value, path + ((k if k is not None else "?"),))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check_duplicate_keys(f, item, path + (i,))


def _jsonish(value: Any) -> Any:
    """YAML values in JSON's shape: mapping keys become strings (`7001001: 40` -> "7001001")."""
    if isinstance(value, dict):
        return {_key(k): _jsonish(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonish(v) for v in value]
    return value


def _key(k: Any) -> str:
    if isinstance(k, str):
        return k
    if k is None or isinstance(k, bool):
        return json.dumps(k)
    return str(k)


# --- schema errors, explained -----------------------------------------------------------


def check_schema(f: YamlFile, validator) -> None:
    found = [explain(f, e) for e in validator.iter_errors(f.data)]
    if found:
        path, message = min(found, key=lambda pm: f.line(pm[0]))
        f.fail(path, message)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


_EXPECTED = {"string": "a string", "integer": "a whole number", "number": "a number", "boolean": "true or false",
             "object": "a mapping (key: value lines)", "array": "a list (- item lines)", "null": "null"}


def _did_you_mean(word: Any, choices: Iterable[Any]) -> str:
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1)
    return f"did you mean {close[0]!r}? " if close else ""


def explain(f: YamlFile, e, base: JsonPath = ()) -> tuple[JsonPath, str]:
    path = base + tuple(e.absolute_path)
    inst, schema, kind = e.instance, e.schema, e.validator
    if kind == "additionalProperties" and isinstance(inst, dict) and schema.get("additionalProperties") is False:
        allowed = list(schema.get("properties", {}))
        extras = [k for k in inst if k not in allowed]
        key = min(extras, key=lambda k: f.line(path + (k,)))
        return path + (key,), f"unknown key {key!r}; {_did_you_mean(key, allowed)}allowed here: {', '.join(allowed)}"
    if kind == "required":
        missing = next(k for k in e.validator_value if k not in inst)
        return path, f"missing required key {missing!r}; add `{missing}: ...`"
    if kind == "type":
        expected = e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]
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
    if kind == "enum":
        return path, f"{inst!r} is not allowed here; {_did_you_mean(inst, e.validator_value)}write one of: {', '.join(map(str, e.validator_value))}"
    if kind == "minimum":
        return path, f"must be at least {e.validator_value}, found {inst}"
    if kind == "maximum":
        return path, f"must be at most {e.validator_value}, found {inst}"
    if kind == "minLength":
        return path, "must not be empty"
    if kind == "minItems":
        return path, f"needs at least {e.validator_value} item(s)"
    if kind == "uniqueItems":
        return path, "lists an item twice; list each once"
    if kind == "pattern" and "propertyNames" in e.absolute_schema_path:
        return path + (inst,), f"key {inst!r} is not {schema.get('description', 'allowed')}; write e.g. 7001001: 40"
    if kind == "pattern":
        what = "must not be empty or contain spaces" if e.validator_value == r"^\S+$" else f"must match {e.validator_value}"
        return path, f"{inst!r} {what}"
    if kind == "format" and e.validator_value == "date-time":
        return path, f'{inst!r} is not a date-time with an offset (RFC 3339); write e.g. "2024-01-01T00:00:00+00:00"'
    if kind == "not":
        return path, f"cannot be set in a scenario: {schema.get('description', 'remove it')}"
    return path, e.message
