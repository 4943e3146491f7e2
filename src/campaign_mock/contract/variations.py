"""Contract variations: answers the contract allows that a typical world rarely shows (an
optional field absent, a nullable value null, a field an open object may gain, ...), made
from an answer body and the schema it answers to. Pure: JSON in, JSON out, no HTTP, no store.

Every fact comes from schemas/ (which properties are required, which accept null, which
objects are open, enums, bounds) and contract/facts.py (the 500-assignment limit); nothing is
listed by field. A variation proposes changes site by site, each checked against the
schemas that apply at its site; the whole answer is then held to the operation's schema and
the docs' rules on a campaign's values (body_rules), and the changes a finding is about are
undone, so a varied answer is always still the contract.

Deterministic: the same body, name and seed give the same bytes in any process (choices come
from sha256 of the seed and the site's path, never from `random`'s global state or hash())."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from typing import Any, Callable, Iterator

from jsonschema import Draft202012Validator

from campaign_mock.contract import body_rules
from campaign_mock.contract.facts import MAX_ASSIGNMENTS_SHOWN
from campaign_mock.contract.loader import load_contract
from campaign_mock.exceptions import InputError

__all__ = ["VARIATIONS", "WITHOUT", "Variation", "catalogue", "changed_paths", "check_seed", "field_of", "fields", "known", "operation_schemas", "vary", "vary_answer", "without"]

Path = tuple[str | int, ...]
Node = tuple[str, str]  # a schema: (file in schemas/, JSON pointer in it)
DELETE = object()  # a change that removes its property


@dataclass(frozen=True)
class Variation:
    name: str
    description: str


VARIATIONS = {
    v.name: v
    for v in (
        Variation("optional-absent", "every property the schema does not require is left out"),
        Variation("nullable-null", "every value the schema lets be null is null"),
        Variation("unknown-fields", "new properties on every open object (Spaaza's), never on a closed one (LevelUp's)"),
        Variation("empty-lists", "every list its schema lets be empty is empty"),
        Variation("full-page", f"the largest lists the docs allow: exactly {MAX_ASSIGNMENTS_SHOWN} campaign assignments in a full answer, no warning"),
        Variation("long-texts", "every free text long"),
        Variation("unicode-texts", "every free text non-ASCII: accents, right-to-left scripts, emoji, combining marks"),
        Variation("boundary-numbers", "every number at an edge its schema allows"),
        Variation("every-enum", "enum values rotated so that every documented value appears"),
        Variation("random", "a seeded mix of all of the above, different per answer"),
    )
}
MIXED = tuple(name for name in VARIATIONS if name != "random")
# Not a variation of the catalogue, and not the contract: one field removed from every object
# that has it, whether the schema requires it or not (the pytest plugin's reliance report).
WITHOUT = "without-field"
MAX_SEED = 2**31 - 1
LONG_TEXT = 1000  # characters, where the schema sets no maxLength
# A JSON number every language reads exactly (IEEE double): the edge of an unbounded integer.
SAFE_INTEGER = 2**53 - 1
UNICODE = ("Ünïcödé façade", "שלום עולם", "مرحبا بالعالم", "🎟️🎉👩🏽‍💻", "Zalgo: Z\u0324\u0354\u0345a\u0301l\u0308g\u0303o\u0300", "日本語のテキスト")
# Values other values or the request are judged against (identity, kind, references, the
# order and filters a request asks for, the activity it filters on, counts a limit adds up):
# varying them would break a rule about the answer as a whole (check/rules.py), which a
# single body cannot show, or the request's own meaning.
KEPT = frozenset({"id", "campaign_id", "chain_id", "type", "result_type", "active", "is_active", "created_date", "reward_priority", "assignment_count", "recipient_campaign_id", "point_cost_method_wallet_campaign_id", "wallet_campaign_id", "operand_campaign_id"})
UNDO_ROUNDS = 3  # findings: undo what they are about, then their campaign's changes, then all


def known() -> list[str]:
    return list(VARIATIONS)


def check_seed(seed: object) -> int:
    """A seed is an integer 0..2**31-1 (a bool is none)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InputError("seed", f"seed must be an integer from 0 to {MAX_SEED}, not {json.dumps(seed)[:40]}")
    return seed


# --- schemas ------------------------------------------------------------------------


@cache
def _contents(node: Node) -> Any:
    contents = load_contract().registry.contents(node[0])
    for part in filter(None, node[1].split("/")):
        part = part.replace("~1", "/").replace("~0", "~")
        contents = contents[int(part)] if isinstance(contents, list) else contents[part]
    return contents


def _ref(node: Node, ref: str) -> Node:
    file, _, pointer = ref.partition("#")
    return (file or node[0], pointer)


def _at(node: Node, *parts: str | int) -> Node:
    return (node[0], node[1] + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts))


@cache
def _validator(node: Node) -> Draft202012Validator:
    contract = load_contract()
    return Draft202012Validator({"$ref": f"{node[0]}#{node[1]}"}, registry=contract.registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _fits(value: Any, nodes: tuple[Node, ...]) -> bool:
    if isinstance(value, (dict, list)):
        return all(_validator(n).is_valid(value) for n in nodes)
    return _fits_scalar(json.dumps(value), nodes)


@cache
def _fits_scalar(value: str, nodes: tuple[Node, ...]) -> bool:
    return all(_validator(n).is_valid(json.loads(value)) for n in nodes)


@cache
def _static(node: Node) -> tuple[Node, ...]:
    """The schemas that apply at `node` whatever the value: through $ref and allOf."""
    found, todo, seen = [], [node], set()
    while todo:
        n = todo.pop()
        s = _contents(n)
        if not isinstance(s, dict) or n in seen:
            continue
        seen.add(n)
        found.append(n)
        if "$ref" in s:
            todo.append(_ref(n, s["$ref"]))
        todo.extend(_at(n, "allOf", i) for i in range(len(s.get("allOf", ()))))
    return tuple(found)


def _applicable(value: Any, node: Node) -> list[Node]:
    """Every schema that applies to `value` at `node`: through $ref, allOf, the branches of
    anyOf / oneOf it matches, and if/then/else as it decides."""
    found = []
    for n in _static(node):
        found.append(n)
        s = _contents(n)
        for key in ("anyOf", "oneOf"):
            for i in range(len(s.get(key, ()))):
                if _fits(value, (_at(n, key, i),)):
                    found.extend(_applicable(value, _at(n, key, i)))
        if "if" in s:
            branch = "then" if _fits(value, (_at(n, "if"),)) else "else"
            if branch in s:
                found.extend(_applicable(value, _at(n, branch)))
    return found


@dataclass(frozen=True)
class Site:
    """One value in a body and what its schemas say of it."""

    path: Path
    value: Any
    nodes: tuple[Node, ...]  # the schemas of the value itself (its property's or item's)
    optional: bool  # a property its object does not require
    kept: bool  # a value other values are judged against (KEPT)


def _sites(body: Any, root: Node) -> Iterator[tuple[Site, tuple[Node, ...]]]:
    """Every value of `body` with the schemas that apply to it (children after parents)."""
    todo: list[tuple[Path, Any, tuple[Node, ...], bool, bool]] = [((), body, (root,), False, False)]
    while todo:
        path, value, declared, optional, kept = todo.pop(0)
        applied = tuple(n for d in declared for n in _applicable(value, d))
        yield Site(path, value, declared, optional, kept), applied
        if isinstance(value, dict):
            required = {r for n in applied for r in (_contents(n).get("required") or ())}
            for key, child in value.items():
                nodes = tuple(_at(n, "properties", key) for n in applied if key in (_contents(n).get("properties") or {}))
                todo.append(((*path, key), child, nodes, key not in required, key in KEPT or kept))
        elif isinstance(value, list):
            items = tuple(_at(n, "items") for n in applied if isinstance(_contents(n).get("items"), (dict, bool)))
            todo.extend(((*path, i), child, items, False, kept) for i, child in enumerate(value))


def _closed(applied: tuple[Node, ...]) -> bool:
    return any(_contents(n).get("additionalProperties") is False or _contents(n).get("unevaluatedProperties") is False for n in applied)


def _constrained(applied: tuple[Node, ...]) -> bool:
    """A value the schema pins or gives a meaning to (a const, an enum, a format, a pattern)."""
    return any(k in _contents(n) for n in applied for k in ("const", "enum", "format", "pattern"))


def _bound(applied: tuple[Node, ...], key: str, pick: Callable) -> Any:
    values = [_contents(n)[key] for n in applied if isinstance(_contents(n).get(key), (int, float))]
    return pick(values) if values else None


# --- what each variation proposes at a site ----------------------------------------


def _draw(seed: int, path: Path, salt: str = "") -> int:
    """A number from the seed and a place, the same in every process."""
    digest = hashlib.sha256(f"{seed}|{salt}|{json.dumps(path)}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


Change = tuple[Path, Any]  # (where, the new value or DELETE)
Propose = Callable[[Site, tuple[Node, ...], int, dict], Iterator[Change]]


def _optional_absent(site, applied, seed, memo):
    if site.path and site.optional and not site.kept and isinstance(site.path[-1], str):
        yield site.path, DELETE


def _nullable_null(site, applied, seed, memo):
    if site.value is not None and site.nodes and not site.kept and _fits(None, site.nodes):
        yield site.path, None


def _unknown_fields(site, applied, seed, memo):
    if isinstance(site.value, dict) and applied and not _closed(applied):
        known_names = {k for n in applied for k in (_contents(n).get("properties") or {})}
        n = _draw(seed, site.path, "unknown")
        added = {"x_added_text": UNICODE[n % len(UNICODE)], "x_added_number": n % 1000, "x_added_object": {"nested": [1, "two", None]}, "x_added_null": None}
        for key, value in added.items():
            if key not in site.value and key not in known_names:
                yield (*site.path, key), value


def _empty_lists(site, applied, seed, memo):
    if isinstance(site.value, list) and site.value:
        if not _bound(applied, "minItems", max):
            yield site.path, []


def _is_text(site, applied) -> bool:
    return isinstance(site.value, str) and bool(site.nodes) and not site.kept and not _constrained(applied)


def _long_texts(site, applied, seed, memo):
    if _is_text(site, applied):
        length = min(_bound(applied, "maxLength", min) or LONG_TEXT, LONG_TEXT)
        base = (site.value or "text") + " "
        text = (base * (length // len(base) + 1))[:length]
        if text != site.value and _fits(text, site.nodes):
            yield site.path, text


def _unicode_texts(site, applied, seed, memo):
    if _is_text(site, applied):
        text = f"{site.value} {UNICODE[_draw(seed, site.path, 'unicode') % len(UNICODE)]}".strip()
        if _fits(text, site.nodes):
            yield site.path, text


def _boundary_numbers(site, applied, seed, memo):
    value = site.value
    if not body_rules.is_number(value) or site.kept or not site.nodes or _constrained(applied):
        return
    integer = isinstance(value, int)
    low, high = _bound(applied, "minimum", max), _bound(applied, "maximum", min)
    low_x, high_x = _bound(applied, "exclusiveMinimum", max), _bound(applied, "exclusiveMaximum", min)
    if low is None and low_x is not None:
        low = low_x + 1 if integer else low_x + 1e-6
    if high is None and high_x is not None:
        high = high_x - 1 if integer else high_x - 1e-6
    edges = [e for e in (low if low is not None else -SAFE_INTEGER, high if high is not None else SAFE_INTEGER) if e != value]
    if edges:
        edge = edges[_draw(seed, site.path, "edge") % len(edges)]
        edge = int(edge) if integer and float(edge).is_integer() else edge
        if _fits(edge, site.nodes):
            yield site.path, edge


def _every_enum(site, applied, seed, memo):
    if site.kept or not site.nodes:
        return
    enums = [tuple(_contents(n)["enum"]) for n in applied if isinstance(_contents(n).get("enum"), list)]
    if not enums or site.value not in enums[0] or len(enums[0]) < 2:
        return
    values = enums[0]
    turn = memo.setdefault(values, seed % len(values))  # each occurrence of an enum takes the next value
    memo[values] = turn + 1
    chosen = values[turn % len(values)]
    if chosen != site.value and _fits(chosen, site.nodes):
        yield site.path, chosen


PROPOSE: dict[str, Propose] = {
    "optional-absent": _optional_absent,
    "nullable-null": _nullable_null,
    "unknown-fields": _unknown_fields,
    "empty-lists": _empty_lists,
    "long-texts": _long_texts,
    "unicode-texts": _unicode_texts,
    "boundary-numbers": _boundary_numbers,
    "every-enum": _every_enum,
}


def _full_page(body: Any, seed: int) -> list[Change]:
    """Campaign assignments topped up to the limit over the whole answer (decision 19 of
    schemas/README.md: more would hide them all behind a warning): on the campaigns that
    show a campaign_assignments list (a full answer), their assignment_count to match."""
    results = body.get("results") if isinstance(body, dict) else None
    if not isinstance(results, dict) or body.get("warnings"):
        return []
    campaigns = results.get("campaigns") if "campaigns" in results else [results.get("campaign")]
    if not isinstance(campaigns, list):
        return []
    key = "campaigns" if "campaigns" in results else "campaign"
    counted = sum(c.get("assignment_count", 0) for c in campaigns if isinstance(c, dict) and body_rules.is_number(c.get("assignment_count")))
    for i, c in enumerate(campaigns):
        if isinstance(c, dict) and isinstance(c.get("campaign_assignments"), list) and body_rules.is_number(c.get("assignment_count")):
            added = MAX_ASSIGNMENTS_SHOWN - counted
            if added <= 0:
                return []
            at: Path = ("results", key, i) if key == "campaigns" else ("results", key)
            shown = c["campaign_assignments"]
            first = 1 + max((a.get("id", 0) for a in shown if isinstance(a, dict) and isinstance(a.get("id"), int)), default=_draw(seed, at) % 10**6)
            items = [*shown, *({"id": first + n, "campaign_id": c["id"]} for n in range(added))]
            return [((*at, "campaign_assignments"), items), ((*at, "assignment_count"), c["assignment_count"] + added)]
    return []


# --- applying and checking ----------------------------------------------------------


def _proposals(name: str, body: Any, root: Node, seed: int) -> list[Change]:
    if name == "full-page":
        return _full_page(body, seed)
    memo: dict = {}
    changes: list[Change] = []
    if name == "random":  # a different mix per answer: the seed drawn with the body
        seed = _draw(seed, (), json.dumps(body, sort_keys=True))
    for site, applied in _sites(body, root):
        if name == "random":
            picks = (*PROPOSE, None, None)  # some sites stay as they are
            pick = picks[_draw(seed, site.path, "random") % len(picks)]
            if pick is not None:
                changes.extend(PROPOSE[pick](site, applied, seed, memo))
        else:
            changes.extend(PROPOSE[name](site, applied, seed, memo))
    # A change inside a value another change replaces or removes is moot: keep the outer one.
    changes.sort(key=lambda c: len(c[0]))
    kept: list[Change] = []
    replaced: set[Path] = set()
    for path, value in changes:
        if not any(path[:i] in replaced for i in range(len(path))):
            kept.append((path, value))
            if not (isinstance(value, dict) and path in replaced):
                replaced.add(path)
    return kept


def _apply(body: Any, changes: list[Change]) -> Any:
    out = copy.deepcopy(body)
    # Deepest first, and list items from the end, so an index still means its item.
    for path, value in sorted(changes, key=lambda c: (len(c[0]), c[0][-1] if c[0] and isinstance(c[0][-1], int) else -1), reverse=True):
        if not path:
            out = value
            continue
        parent = out
        for part in path[:-1]:
            parent = parent[part]
        if value is DELETE:
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(value) if isinstance(value, (dict, list)) else value
    return out


def _campaign_paths(body: Any) -> Iterator[tuple[Path, dict]]:
    results = body.get("results") if isinstance(body, dict) else None
    if isinstance(results, dict):
        if isinstance(results.get("campaigns"), list):
            yield from ((("results", "campaigns", i), c) for i, c in enumerate(results["campaigns"]) if isinstance(c, dict))
        elif isinstance(results.get("campaign"), dict):
            yield ("results", "campaign"), results["campaign"]


def _counts_within_target(c: dict) -> Iterator[body_rules.Finding]:
    """A current_count stays below its target_count (what world/consistency.py holds a world
    to): a count at the target would have been awarded and reset."""
    count, target = c.get("current_count"), c.get("target_count")
    if body_rules.is_number(count) and body_rules.is_number(target) and not 0 <= count < max(1, target):
        yield body_rules.Finding("current count", ("current_count",), f"current_count {count} for target_count {target}", (("target_count",),))


def problems(body: Any, root: Node) -> list[Path]:
    """Where `body` breaks its schema or a rule of the docs (the paths each is about)."""
    found: list[Path] = [tuple(e.absolute_path) for e in _validator(root).iter_errors(body)]
    for at, c in _campaign_paths(body):
        p = c.get("user_progress")
        rules = (body_rules.loyalty_level(c, p), body_rules.wallet_progress(c, p), body_rules.campaign_dates(c), body_rules.reached_in_time(c, p), body_rules.nothing_awarded_without_awards(c, p), _counts_within_target(c))
        try:
            found.extend((*at, *path) for rule in rules for f in rule for path in (f.path, *f.also))
        except (LookupError, TypeError, ValueError):  # a rule that cannot read what a change left
            found.append(at)
    shown = sum(len(c["campaign_assignments"]) for _, c in _campaign_paths(body) if isinstance(c.get("campaign_assignments"), list))
    if shown > MAX_ASSIGNMENTS_SHOWN:
        found.append(("results",))
    try:
        found.extend(("campaign", *f.path) for f in body_rules.goals_accomplished(body))
    except (LookupError, TypeError, ValueError):
        found.append(())
    return found


def _overlaps(a: Path, b: Path) -> bool:
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def vary(body: Any, root: Node, name: str, seed: int = 0) -> Any:
    """`body` (an answer to the schema `root`) as variation `name` with `seed` shows it: a new
    body, or `body` itself where nothing can change."""
    if name not in VARIATIONS:
        raise InputError("name", f"{name[:80]!r} is no variation; known: {', '.join(VARIATIONS)}")
    changes = _proposals(name, body, root, seed)
    for round_ in range(UNDO_ROUNDS + 1):
        if not changes:
            return body
        varied = _apply(body, changes)
        broken = problems(varied, root)
        if not broken:
            return varied
        if round_ == 0:  # undo the changes a problem is about
            changes = [c for c in changes if not any(_overlaps(c[0], p) for p in broken)]
        elif round_ == 1:  # then every change of the campaigns concerned
            campaigns = {p[:3] if p[:2] == ("results", "campaigns") else p[:2] for p in broken}
            changes = [c for c in changes if not any(_overlaps(c[0], p) for p in campaigns)]
        else:
            changes = []
    return body


# --- the operations -----------------------------------------------------------------


@cache
def operation_schemas() -> dict[str, dict[str, Node]]:
    """operationId -> {status: its response body's schema}, from openapi.yaml."""
    spec = load_contract().spec
    out: dict[str, dict[str, Node]] = {}
    for item in spec["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            schemas = {}
            for status, response in operation["responses"].items():
                while "$ref" in response:
                    node: Any = spec
                    for part in response["$ref"].removeprefix("#/").split("/"):
                        node = node[part]
                    response = node
                ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
                if ref:
                    schemas[str(status)] = _ref(("", ""), ref.removeprefix("schemas/"))
            out[operation["operationId"]] = schemas
    return out


def vary_answer(operation: str, status: int, body: Any, name: str, seed: int = 0) -> Any:
    """An answer of `operation` with this status, varied; `body` itself where the operation
    documents no body schema for the status."""
    schemas = operation_schemas().get(operation, {})
    root = schemas.get(str(status)) or schemas.get(f"{str(status)[0]}XX")
    return body if root is None else vary(body, root, name, seed)


def changed_paths(before: Any, after: Any, path: Path = ()) -> Iterator[tuple[Path, Any, Any]]:
    """(path, value before, value after) of every value that differs; a missing value is DELETE."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *(k for k in after if k not in before)]:
            yield from changed_paths(before.get(key, DELETE), after.get(key, DELETE), (*path, key))
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for i, (b, a) in enumerate(zip(before, after)):
            yield from changed_paths(b, a, (*path, i))
    elif before != after or type(before) is not type(after):
        yield path, before, after


# --- one field removed (not the contract: the reliance report) -----------------------


def field_of(path: Path) -> str:
    """A value's field, any item of a list alike: $.results.campaigns[*].voucher_title."""
    return "$" + "".join("[*]" if isinstance(part, int) else f".{part}" for part in path)


def fields(body: Any) -> list[str]:
    """Every field of `body` (as field_of writes them), in order of first appearance."""
    found: dict[str, None] = {}
    todo: list[tuple[Path, Any]] = [((), body)]
    while todo:
        path, value = todo.pop(0)
        if isinstance(value, dict):
            for key, child in value.items():
                found.setdefault(field_of((*path, key)))
                todo.append(((*path, key), child))
        elif isinstance(value, list):
            todo.extend(((*path, i), child) for i, child in enumerate(value))
    return list(found)


def without(body: Any, field: str) -> Any:
    """`body` with `field` (as field_of writes it) removed wherever it is."""

    def strip(value: Any, path: Path) -> Any:
        if isinstance(value, dict):
            return {k: strip(v, (*path, k)) for k, v in value.items() if field_of((*path, k)) != field}
        if isinstance(value, list):
            return [strip(v, (*path, i)) for i, v in enumerate(value)]
        return value

    return strip(body, ())


# --- the catalogue ------------------------------------------------------------------


def _reachable(root: Node) -> dict[Path, tuple[list[Node], list[Node], bool]]:
    """Every schema reachable from `root` (not through `if` or `not`), by the instance path it
    applies to ("*" for any item): (the schemas that all apply there, those of alternatives
    (anyOf / oneOf branches, then / else), whether some object there lists it as optional)."""
    found: dict[Path, tuple[list[Node], list[Node], bool]] = {}
    todo: list[tuple[Node, Path, bool, bool]] = [(root, (), False, False)]
    seen: set[tuple[Node, Path]] = set()
    while todo:
        n, at, alternative, optional = todo.pop()
        s = _contents(n)
        if not isinstance(s, dict) or (n, at) in seen or len(at) > 12:
            continue
        seen.add((n, at))
        both, alternatives, was_optional = found.setdefault(at, ([], [], False))
        (alternatives if alternative else both).append(n)
        found[at] = (both, alternatives, was_optional or optional)
        if "$ref" in s:
            todo.append((_ref(n, s["$ref"]), at, alternative, False))
        todo.extend((_at(n, "allOf", i), at, alternative, False) for i in range(len(s.get("allOf", ()))))
        for key in ("anyOf", "oneOf"):
            todo.extend((_at(n, key, i), at, True, False) for i in range(len(s.get(key, ()))))
        todo.extend((_at(n, key), at, True, False) for key in ("then", "else") if key in s)
        for child in s.get("properties") or {}:
            todo.append((_at(n, "properties", child), (*at, child), alternative, child not in (s.get("required") or ())))
        if isinstance(s.get("items"), dict):
            todo.append((_at(n, "items"), (*at, "*"), alternative, False))
    return found


def _features(root: Node) -> set[str]:
    """The variations the schema leaves room for, judged as the proposals above judge a value
    (a required property may be listed optional by no object; a value pinned by an
    alternative, an error's code and name by the catalogue's branch, is pinned)."""
    found = set()
    groups = _reachable(root)
    for at, (both, alternatives, optional) in groups.items():
        required_somewhere = any(at[-1:] and at[-1] in (_contents(n).get("required") or ()) for n in groups.get(at[:-1], ([], [], False))[0])
        name = at[-1] if at else None
        kept = name in KEPT
        pinned = any(k in _contents(n) for n in both + alternatives for k in ("const", "enum", "format", "pattern"))
        types = {t for n in both for t in (_contents(n)["type"] if isinstance(_contents(n).get("type"), list) else [_contents(n).get("type")])}
        branch_types = {t for n in alternatives for t in (_contents(n)["type"] if isinstance(_contents(n).get("type"), list) else [_contents(n).get("type")])}
        types |= branch_types if not types - {None} else set()
        if isinstance(name, str) and name != "*" and optional and not required_somewhere and not kept:
            found.add("optional-absent")
        if name is not None and not kept and both and _fits(None, tuple(both)) and not _fits(0, tuple(both)):
            found.add("nullable-null")
        if "object" in types and not any(_contents(n).get("additionalProperties") is False for n in both):
            found.add("unknown-fields")
        if "array" in types and not any(_contents(n).get("minItems") for n in both):
            found.add("empty-lists")
        if name == "campaign_assignments":
            found.add("full-page")
        if not pinned and not kept and "string" in types:
            found.update(("long-texts", "unicode-texts"))
        if not pinned and not kept and types & {"integer", "number"}:
            found.add("boundary-numbers")
        enums = [e for n in both for e in [_contents(n).get("enum")] if isinstance(e, list)]
        if not kept and enums and len(enums[0]) > 1 and not any("const" in _contents(n) for n in both + alternatives):
            found.add("every-enum")
    if found:
        found.add("random")
    return found


@cache
def _operation_features() -> dict[str, dict[str, set[str]]]:
    """operationId -> {status: the variations its bodies leave room for}."""
    return {op: {status: _features(root) for status, root in schemas.items()} for op, schemas in operation_schemas().items()}


def changes(name: str, operation: str, status: str | None = None) -> bool:
    """Whether variation `name` can change an answer of `operation` (of this status, or any)."""
    features = _operation_features().get(operation, {})
    return any(name in found for s, found in features.items() if status is None or s == status)


def catalogue() -> list[dict]:
    """What GET /__mock/variations lists: each variation, what it does, which operations'
    answers it changes (200s and error bodies) and which it leaves as they are."""
    out = []
    for v in VARIATIONS.values():
        ops = sorted(operation_schemas())
        out.append(
            {
                "name": v.name,
                "description": v.description,
                "operations": [op for op in ops if changes(v.name, op, "200")],
                "error_operations": [op for op in ops if any(changes(v.name, op, s) for s in operation_schemas()[op] if s != "200")],
                "unchanged": [op for op in ops if not changes(v.name, op)],
            }
        )
    return out
