"""YAML with lines: a scenario document read within bounds (size, depth, values, tags, digits)
into JSON-shaped data, keeping the node tree so that every problem is reported as
`file.yaml:LINE: $.json.path: what is wrong; what to write instead` (a Problem)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, NoReturn

import yaml

from campaign_mock.contract.validate import NotRegularFile, excerpt, json_path, read_bounded, shorten
from campaign_mock.exceptions import ScenarioError

JsonPath = tuple  # of str keys and int indices


# Bounds on a scenario file, so that any input ends in bounded time and memory: its size (read
# with a bounded read), its nesting depth and its node count once aliases are expanded (a
# "billion laughs" is a few lines of aliases), the digits of an integer.
MAX_BYTES = 1 << 20
MAX_DEPTH = 50
MAX_NODES = 100_000
MAX_INT_DIGITS = 30
_TAG = "tag:yaml.org,2002:"
# Tags whose values are JSON's; !!binary, !!set, !!timestamp, !!omap, !!pairs and custom tags
# give Python objects that no JSON body can carry.
ALLOWED_TAGS = frozenset(_TAG + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "merge"))
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps timestamps as the strings written (they are set verbatim) and
    stops composing past MAX_DEPTH levels or MAX_NODES nodes."""

    def __init__(self, stream, name: str):
        super().__init__(stream)
        self.name, self.depth, self.nodes = name, 0, 0

    def compose_node(self, parent, index):
        self.depth += 1
        self.nodes += 1
        if self.depth > MAX_DEPTH or self.nodes > MAX_NODES:
            line = self.peek_event().start_mark.line + 1
            what = f"nested more than {MAX_DEPTH} levels deep" if self.depth > MAX_DEPTH else f"more than {MAX_NODES} values"
            raise ScenarioError(f"{self.name}:{line}: $: the YAML is {what}; a scenario needs far less: write it flatter")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a scenario document: where (file, line, JSON path) and what."""

    file: str
    line: int
    path: JsonPath
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {shorten(json_path(self.path), 120)}: {self.message}"

    def refusal(self) -> ScenarioError:
        return refusal([self])


def refusal(problems: Iterable[Problem | str]) -> ScenarioError:
    """Every problem, each once and in the order given (ScenarioError bounds how many)."""
    return ScenarioError(problems=[str(p) for p in problems])


@dataclass
class YamlFile:
    name: str
    root: yaml.Node
    data: Any  # JSON-shaped: mapping keys are strings
    # id(mapping node) -> its members by key, built on the first lookup in it: a scan per
    # lookup made a mapping of 30,000 unknown keys take minutes (a problem, and a scan, each).
    _members: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = field(default_factory=dict, repr=False, compare=False)

    def _member(self, node: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
        members = self._members.get(id(node))
        if members is None:
            members = self._members[id(node)] = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    members.setdefault(k.value, (k, v))  # the first, as a scan finds
        return members.get(key)

    def node(self, path: JsonPath) -> yaml.Node:
        """The node at `path` (the key's node for a mapping member, so the line is the key's),
        or the deepest one found."""
        node = self.root
        for n, part in enumerate(path):
            if isinstance(node, yaml.MappingNode):
                found = self._member(node, str(part))
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

    def problem(self, path: JsonPath, message: str) -> Problem:
        return Problem(self.name, self.line(path), tuple(path), message)

    def fail(self, path: JsonPath, message: str) -> NoReturn:
        raise self.problem(path, message).refusal()

    def where(self, path: JsonPath) -> str:
        return f"{self.name}:{self.line(path)}"


def _read_bounded(name: str) -> bytes:
    """The file's bytes: a regular file of at most MAX_BYTES (contract/validate.read_bounded)."""
    try:
        data = read_bounded(name, MAX_BYTES)
    except FileNotFoundError:
        raise ScenarioError(f"{name}: no such scenario file; check the path (relative paths start at {Path.cwd()})") from None
    except NotRegularFile as e:
        if e.directory:
            raise ScenarioError(f"{name}: is a directory, not a scenario file; name the .yaml files in it instead") from None
        raise ScenarioError(f"{name}: is not a regular file (a pipe, device or socket); give a .yaml file") from None
    except OSError as e:
        raise ScenarioError(f"{name}: cannot be read ({e.strerror})") from None
    if len(data) > MAX_BYTES:
        raise ScenarioError(f"{name}: is larger than {MAX_BYTES // 1024} KiB; a scenario declares only what a test needs: split it or make it smaller")
    return data


def read_yaml(path) -> YamlFile:
    name = str(path)
    data = _read_bounded(name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ScenarioError(f"{name}: is not UTF-8 text ({e.reason} at byte {e.start}); save it as UTF-8") from None
    return parse_yaml(name, text)


def parse_yaml(name: str, text: str) -> YamlFile:
    """YAML text (a file's, or a document sent to the admin API) as a YamlFile; JSON is YAML.
    Bounded like a file: the caller keeps `text` within MAX_BYTES."""
    text = _untabbed_json(text)
    try:
        loader = _Loader(text, name)  # the reader refuses control characters (a NUL) here
    except yaml.YAMLError as e:
        raise ScenarioError(f"{name}:{_line_of(text, e)}: YAML error: {_problem(e)}") from None
    try:
        root = loader.get_single_node()
        if root is not None:
            _check_nodes(name, root)
            _check_duplicate_keys(YamlFile(name, root, None), root, (), loader)
        value = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as e:
        raise ScenarioError(_syntax_error(name, e)) from None
    except yaml.YAMLError as e:
        raise ScenarioError(f"{name}:{_line_of(text, e)}: YAML error: {_problem(e)}") from None
    finally:
        loader.dispose()
    if root is None:
        raise ScenarioError(f"{name}:1: $: the file is empty; a scenario declares at least one of clock, spaaza, levelup")
    if not isinstance(root, yaml.MappingNode):
        kind = "list" if isinstance(root, yaml.SequenceNode) else f"single value ({excerpt(root.value)})"
        raise ScenarioError(f"{name}:{root.start_mark.line + 1}: $: the top level is a {kind}, not a mapping; write keys such as `spaaza:` and `levelup:`")
    f = YamlFile(name, root, None)
    f.data = _jsonish(f, value, ())
    return f


_OPENED = {"flow sequence": "the list [", "flow mapping": "the mapping {", "quoted scalar": "the quoted string"}


def _syntax_error(name: str, e: yaml.MarkedYAMLError) -> str:
    """`name:LINE: YAML syntax error ...`, at the line where the broken construct opens when it
    is one left open (a quote, a [ or {: YAML notices only where something else begins, often
    at the end of the file), else where YAML stopped."""
    mark = e.problem_mark or e.context_mark
    unclosed = e.context_mark is not None and ("end of stream" in (e.problem or "") or (e.context or "").startswith("while parsing a flow"))
    if unclosed and e.context_mark is not None:
        opened = e.context_mark
        stopped = f" (YAML stopped at line {e.problem_mark.line + 1}: {e.problem})" if e.problem_mark is not None and e.problem_mark.line != opened.line else f" ({e.problem})"
        what = next((words for kind, words in _OPENED.items() if kind in (e.context or "")), "the construct")
        return f"{name}:{opened.line + 1}: YAML syntax error at column {opened.column + 1}: {what} that opens here is not closed{stopped}; close it where it should end"
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    what = " ".join(filter(None, (e.context, e.problem)))
    return f"{name}:{line}: YAML syntax error at column {column}: {what}; fix the YAML there (quote values that contain ': ' or start with a special character)"


def _untabbed_json(text: str) -> str:
    """JSON indented with tabs (jq --tab, Go's MarshalIndent, many editors) is valid JSON but
    not YAML, which refuses a tab where a token may start. In text that parses as JSON every
    raw tab is whitespace between tokens (JSON strings cannot hold one), so a space may take
    its place; lines and columns stay where they were."""
    if "\t" not in text or text.lstrip()[:1] not in ("{", "["):
        return text
    try:
        json.loads(text)  # bounded: the text is at most MAX_BYTES; deep nesting is a RecursionError
    except (ValueError, RecursionError):
        return text  # not JSON: YAML says what is wrong
    return text.replace("\t", " ")


def _line_of(text: str, e: yaml.YAMLError) -> int:
    position = getattr(e, "position", None)  # a ReaderError's character offset
    return text.count("\n", 0, position) + 1 if isinstance(position, int) else 1


def _problem(e: yaml.YAMLError) -> str:
    if isinstance(e, yaml.reader.ReaderError):
        return f"the character {e.character!r} is not allowed in YAML; remove it"
    return str(e)[:200]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_nodes(name: str, root: yaml.Node) -> None:
    """Before anything is constructed: no alias loop, at most MAX_NODES values and MAX_DEPTH
    levels once aliases are expanded (counted per distinct node, so this takes time in the
    file's size, not the expansion's), only JSON's tags, integers of sane length, no lone
    surrogate (it cannot be written as UTF-8)."""

    def fail(node: yaml.Node, path: JsonPath, message: str) -> NoReturn:
        raise Problem(name, node.start_mark.line + 1, path, message).refusal()

    size: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded values, depth)
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool, JsonPath]] = [(root, False, ())]
    while stack:
        node, finished, path = stack.pop()
        if finished:
            open_.discard(id(node))
            counts = [size[id(c)] for c in _children(node)]
            total, depth = 1 + sum(c[0] for c in counts), 1 + max((c[1] for c in counts), default=0)
            if total > MAX_NODES:
                fail(node, path, f"this value expands (through aliases) to more than {MAX_NODES} values; write the values out")
            if depth > MAX_DEPTH:
                fail(node, path, f"this value nests (through aliases) more than {MAX_DEPTH} levels deep; write it flatter")
            size[id(node)] = (total, depth)
            continue
        if id(node) in size:
            continue
        if id(node) in open_:
            fail(node, path, "the YAML refers to itself (a recursive alias); write the values out")
        if node.tag not in ALLOWED_TAGS:
            fail(node, path, f"the tag {excerpt(node.tag.replace(_TAG, '!!'))} is not allowed; a scenario holds only strings, numbers, true/false, null, lists and mappings: remove the tag")
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _TAG + "int" and len(re.sub(r"[^0-9a-fA-F]", "", node.value)) > MAX_INT_DIGITS:
                fail(node, path, f"the number {excerpt(node.value)} has more than {MAX_INT_DIGITS} digits; ids and counts are far shorter")
            if _SURROGATE.search(node.value):
                # "\ud83d\ude00" is how JSON (json.dumps, MockClient's dicts) writes one character
                # beyond the BMP; YAML reads it as two surrogates: pair them, refuse a lone one.
                paired = _paired(node.value)
                if paired is None:
                    fail(node, path, f"{excerpt(node.value)} holds a lone surrogate (\\ud800..\\udfff), which is not text; remove it")
                node.value = paired
        open_.add(id(node))
        stack.append((node, True, path))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                part = key.value if isinstance(key, yaml.ScalarNode) else "?"
                stack += [(key, False, path + (part,)), (value, False, path + (part,))]
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((c, False, path + (i,)) for i, c in enumerate(node.value))


def _paired(value: str) -> str | None:
    """`value` with its surrogate pairs made the characters they stand for; None if one is alone."""
    try:
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        return None


def _check_duplicate_keys(f: YamlFile, node: yaml.Node, path: JsonPath, loader: yaml.SafeLoader) -> None:
    """Keys are compared as YAML reads them (7001200 and 7_001_200 are the same key). Runs
    before construction, which merges `<<: *base` keys into the mapping."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            k = _key(loader.construct_object(key)) if isinstance(key, yaml.ScalarNode) and key.tag != _TAG + "merge" else None
            if k is not None:
                if k in seen:
                    message = f"duplicate key (first on line {seen[k]}); YAML would silently keep only the last: remove one"
                    raise Problem(f.name, key.start_mark.line + 1, path + (k,), message).refusal()
                seen[k] = key.start_mark.line + 1
            _check_duplicate_keys(f, value, path + ((k if k is not None else "?"),), loader)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check_duplicate_keys(f, item, path + (i,), loader)


def _jsonish(f: YamlFile, value: Any, path: JsonPath) -> Any:
    """YAML values in JSON's shape: mapping keys become strings (`7001001: 40` -> "7001001");
    a number JSON cannot carry (.inf, .nan, 1e999) is refused."""
    if isinstance(value, dict):
        return {_key(k): _jsonish(f, v, path + (_key(k),)) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonish(f, v, path + (i,)) for i, v in enumerate(value)]
    if isinstance(value, float) and not math.isfinite(value):
        f.fail(path, f"{value} is not a number JSON can carry; write a finite number")
    return value


def _key(k: Any) -> str:
    if isinstance(k, str):
        return k
    if k is None or isinstance(k, bool):
        return json.dumps(k)
    return str(k)
