"""Drift report: the same fixed set of requests to two servers (say the vendor and the
mock, or two mocks), and where their answers differ:

- the HTTP status;
- the fields present, per JSON path with array items merged ($.results.campaigns[].id),
  and each field's JSON type (null aside: a nullable field that is null on one side and
  a number on the other is a value difference, not drift);
- the values of fields whose schema is an enum or const (campaign type, error name, ...);
- the error envelope's shape (its paths, as above) and, for LevelUp, WWW-Authenticate.

Values of other fields (ids, names, balances) are expected to differ and are not compared."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

import requests

from campaign_mock.check.exchange import NO_BODY, Exchange, from_requests
from campaign_mock.check.settings import CheckSettings
from campaign_mock.contract import load_contract
from campaign_mock.contract.operations import levelup_path
from campaign_mock.contract.validate import LEVELUP_REPRESENTATIONS
from campaign_mock.world import documented


@dataclass(frozen=True)
class Probe:
    name: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


def probes(s: CheckSettings) -> list[Probe]:
    """The documented requests, one request per operation with the given credentials, and a
    few that provoke errors."""
    spaaza = s.spaaza_headers()
    levelup = s.levelup_headers()
    version = s.spaaza_api_version or documented.API_VERSION
    documented_version = {**spaaza, "X-Spaaza-API-Version": version}
    chain = str(s.chain_id)
    user = {"user_id": str(s.progress_user_id)} if s.progress_user_id is not None else {}
    found = [
        Probe(f"documented get-campaigns (chain {documented.CHAIN_ALIAS}, exclude_inactive=false, {version})", "/internal/get-campaigns",
              {"chain_id": str(documented.CHAIN_ALIAS), "exclude_inactive": "false"}, documented_version),
        Probe("get-campaigns", "/get-campaigns", {"chain_id": chain}, spaaza),
        Probe("get-campaigns with a user's progress", "/get-campaigns", {"chain_id": chain, "exclude_inactive": "false", **user}, spaaza),
        Probe("get-campaigns filtered, by priority", "/get-campaigns",
              {"chain_id": chain, "campaign_type": "loyalty,points_wallet,wallet", "order_by": "priority"}, spaaza),
        Probe("get-campaign 2011", "/get-campaign", {"campaign_id": "2011", **user}, spaaza),
        Probe("error: unknown chain", "/get-campaigns", {"chain_id": "999999999"}, spaaza),
        Probe("error: no session", "/get-campaigns", {"chain_id": chain}, {}),
        Probe("error: wrong session key", "/get-campaigns", {"chain_id": chain}, {**spaaza, "X-Spaaza-Session-Key": "0" * 64}),
        Probe("error: user_id not a number", "/get-campaigns", {"chain_id": chain, "user_id": "abc"}, spaaza),
        Probe("error: get-campaign without campaign_id", "/get-campaign", {}, spaaza),
        Probe("error: unknown campaign", "/get-campaign", {"campaign_id": "999999999"}, spaaza),
    ]
    for rep in LEVELUP_REPRESENTATIONS:
        # The documented campaign that shows this representation (world/documented.py).
        cid = next(c for c, (_, reps) in documented.LEVELUP_CAMPAIGNS.items() if rep in reps)
        found.append(Probe(f"LevelUp {rep} (campaign {cid})", levelup_path(cid, rep), headers=levelup))
    found += [
        Probe("LevelUp error: unknown campaign", levelup_path(999999999, "basic_v1"), headers=levelup),
        Probe("LevelUp error: no token", levelup_path(20, "basic_v1")),
        Probe("LevelUp error: unknown token", levelup_path(20, "basic_v1"), headers={"Authorization": "token 0-unknown"}),
    ]
    return found


# --- what an answer looks like ------------------------------------------------------


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def shape(document: Any) -> dict[str, set[str]]:
    """JSON path (array items merged) -> the JSON types seen there."""
    found: dict[str, set[str]] = {}

    def walk(node: Any, path: str) -> None:
        found.setdefault(path, set()).add(_json_type(node))
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, f"{path}[]")

    if document is not NO_BODY:
        walk(document, "$")
    return found


def _enum_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and ("enum" in schema or "const" in schema)


def enum_values(document: Any, schema_ref: str | None) -> dict[str, set]:
    """JSON path -> values seen, for the fields that are an enum or const in the schema."""
    if schema_ref is None or document is NO_BODY:
        return {}
    contract = load_contract()
    found: dict[str, set] = {}

    def candidates(schema: Any, base: str) -> list[tuple[dict, str]]:
        """The schema plus everything it is combined with ($ref, allOf/anyOf/oneOf, if/then/else)."""
        out, todo = [], [(schema, base)]
        while todo:
            node, where = todo.pop()
            if not isinstance(node, dict):
                continue
            out.append((node, where))
            if "$ref" in node:
                ref = node["$ref"]
                file, _, pointer = ref.partition("#")
                target_file = file or where
                todo.append((contract.schema(f"{target_file}#{pointer}" if pointer else target_file), target_file))
            for key in ("allOf", "anyOf", "oneOf"):
                todo += [(s, where) for s in node.get(key, [])]
            for key in ("then", "else"):
                if key in node:
                    todo.append((node[key], where))
        return out

    def walk(node: Any, schemas: list[tuple[dict, str]], path: str) -> None:
        expanded = [c for s, w in schemas for c in candidates(s, w)]
        if any(_enum_schema(s) for s, _ in expanded) and isinstance(node, (str, int, float, bool)):
            found.setdefault(path, set()).add(node)
        if isinstance(node, dict):
            for key, value in node.items():
                sub = [(s["properties"][key], w) for s, w in expanded if isinstance(s.get("properties"), dict) and key in s["properties"]]
                if sub:
                    walk(value, sub, f"{path}.{key}")
        elif isinstance(node, list):
            sub = [(s["items"], w) for s, w in expanded if isinstance(s.get("items"), dict)]
            for item in node:
                walk(item, sub, f"{path}[]")

    walk(document, [({"$ref": schema_ref}, schema_ref.partition("#")[0])], "$")
    return found


def _schema_for(ex: Exchange) -> str | None:
    if ex.kind == "levelup":
        if isinstance(ex.body, list):
            return "levelup-errors.json"
        return LEVELUP_REPRESENTATIONS.get(ex.representation or "")
    if ex.spaaza_error() is not None:
        return "spaaza-error.json"
    return {"get-campaigns": "spaaza-get-campaigns.json", "get-campaign": "spaaza-get-campaign.json"}.get(ex.kind or "")


# --- comparing ----------------------------------------------------------------------


def _fmt(values: Iterable) -> str:
    return ", ".join(sorted(map(repr, values))) or "-"


def compare(a: Exchange, b: Exchange) -> list[str]:
    """How answer b differs from answer a."""
    diffs = []
    if a.status != b.status:
        diffs.append(f"status: {a.status} vs {b.status}")
    shape_a, shape_b = shape(a.body), shape(b.body)
    for path in sorted(shape_a.keys() - shape_b.keys()):
        diffs.append(f"field only in A: {path}")
    for path in sorted(shape_b.keys() - shape_a.keys()):
        diffs.append(f"field only in B: {path}")
    for path in sorted(shape_a.keys() & shape_b.keys()):
        ta, tb = shape_a[path] - {"null"}, shape_b[path] - {"null"}
        if ta and tb and ta != tb:
            diffs.append(f"type of {path}: {_fmt(ta)} vs {_fmt(tb)}")
    enums_a, enums_b = enum_values(a.body, _schema_for(a)), enum_values(b.body, _schema_for(b))
    for path in sorted(enums_a.keys() & enums_b.keys()):
        if enums_a[path] != enums_b[path]:
            diffs.append(f"enum values of {path}: {_fmt(enums_a[path])} vs {_fmt(enums_b[path])}")
    ctype_a, ctype_b = (x.response_headers.get("Content-Type", "").split(";")[0].strip() for x in (a, b))
    if ctype_a != ctype_b:
        diffs.append(f"Content-Type: {ctype_a or '-'} vs {ctype_b or '-'}")
    wa, wb = ("WWW-Authenticate" in x.response_headers for x in (a, b))
    if wa != wb:
        diffs.append(f"WWW-Authenticate header: {'present' if wa else 'absent'} vs {'present' if wb else 'absent'}")
    return diffs


def _send(session: requests.Session, base: str, probe: Probe, timeout: float) -> Exchange | str:
    try:
        response = session.get(base.rstrip("/") + probe.path, params=probe.params, headers=probe.headers, timeout=timeout)
    except requests.RequestException as e:
        return f"no answer ({type(e).__name__})"
    return from_requests(response)


@dataclass
class DriftReport:
    base_a: str
    base_b: str
    # One per probe: {"name", "request", "differs", "differences": [...]}.
    requests: list[dict]

    @property
    def differing(self) -> int:
        return sum(r["differs"] for r in self.requests)

    @property
    def total(self) -> int:
        return len(self.requests)

    @property
    def lines(self) -> list[str]:
        lines = [f"A = {self.base_a}", f"B = {self.base_b}", ""]
        for r in self.requests:
            lines.append(f"{'DIFFERS' if r['differs'] else 'same':8} {r['name']}: {r['request']}")
            lines += [f"           {d}" for d in r["differences"]]
        return lines + ["", f"{self.differing} of {self.total} requests differ"]

    def as_json(self) -> dict:
        """For CI: the same facts as the text, one object."""
        return {"a": self.base_a, "b": self.base_b, "differing": self.differing, "total": self.total, "requests": self.requests}


def drift(base_a: str, base_b: str, settings: CheckSettings, timeout: float = 30) -> DriftReport:
    report = DriftReport(base_a, base_b, [])
    with requests.Session() as session:
        for probe in probes(settings):
            a, b = _send(session, base_a, probe, timeout), _send(session, base_b, probe, timeout)
            if isinstance(a, str) or isinstance(b, str):
                diffs = [f"A: {a}" if isinstance(a, str) else f"A: {a.status}", f"B: {b}" if isinstance(b, str) else f"B: {b.status}"]
                if isinstance(a, str) and isinstance(b, str):
                    diffs = [f"neither answered: {a}"]
            else:
                diffs = compare(a, b)
            report.requests.append({"name": probe.name, "request": f"GET {probe.path}{_query(probe)}", "differs": bool(diffs), "differences": diffs})
    return report


def _query(probe: Probe) -> str:
    return ("?" + "&".join(f"{k}={v}" for k, v in probe.params.items())) if probe.params else ""
