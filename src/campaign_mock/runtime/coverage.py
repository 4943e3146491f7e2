"""Business coverage: which documented behaviours a client's requests reached, computed from
what the journal keeps of each answer alone (its `operation`, `error` and `facts`): journal
entries, or the store's count of entries per answer (`coverage_of_answers`). Every list is read from the
contract, never retyped, so a behaviour added to the contract is counted (and missed) at once.

`answer_facts` is what a journal entry keeps of an answer for this report: the facts the
dimensions below count, computed once per distinct answer.

Pure: entries or answer counts in, a JSON-ready report out. The admin API, the pytest plugin and
`campaign-mock coverage` all print or serve what these functions return; reports of several
namespaces or pytest workers add up with `merge_reports`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any, Callable, Iterable, Mapping

from campaign_mock.contract.catalogue import LEVELUP_ERRORS, spaaza_errors
from campaign_mock.contract.facts import CURRENT_API_VERSION, VERSION_CHANGES, parse_version
from campaign_mock.contract.loader import load_contract
from campaign_mock.contract.operations import is_levelup, operation_of
from campaign_mock.contract.validate import LEVELUP_REPRESENTATIONS, operation_ids

__all__ = ["Dimension", "answer_facts", "coverage_report", "dimensions", "format_table", "merge_reports"]


def answer_facts(path: str, api_version: str | None, campaigns: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The facts of one answer that coverage counts: the API version the server read (a
    malformed one is 419: a bounded set of values), the campaign types and user_progress
    formats it showed, the LevelUp representation asked for."""
    levelup = is_levelup(path)
    contract = load_contract()
    shown = list(campaigns)
    return {
        "api_version": None if levelup else _version_text(api_version),
        "campaign_types": sorted({c["type"] for c in shown if "type" in c}),
        "progress_formats": sorted({f for c in shown if "user_progress" in c for f in [contract.progress_format(str(c.get("type")))] if f}),
        "representation": path.rsplit("/", 1)[-1] if levelup and operation_of(path) else None,
    }


def _version_text(header: str | None) -> str | None:
    version = CURRENT_API_VERSION if header is None else parse_version(header.strip())
    return None if version is None else ".".join(map(str, version))


@dataclass(frozen=True)
class Dimension:
    name: str  # key in the report
    title: str
    items: tuple[str, ...]  # what there is to reach, in the contract's order
    reached: Callable[[Mapping[str, Any]], Iterable[Any]]  # journal entry -> items it reached


def _version(v: tuple[int, ...]) -> str:
    return ".".join(map(str, v))


def version_bands() -> tuple[str, ...]:
    """The ranges of X-Spaaza-API-Version between the documented changes: a client should have
    sent one version of each (with 1.4.11 and 1.5.0: <1.4.11, >=1.4.11,<1.5.0, >=1.5.0)."""
    edges = [_version(v) for v in VERSION_CHANGES]
    inner = [f">={a},<{b}" for a, b in zip(edges, edges[1:])]
    return (f"<{edges[0]}", *inner, f">={edges[-1]}")


def _band(text: Any) -> list[str]:
    version = parse_version(text) if isinstance(text, str) else None
    if version is None:
        return []
    return [version_bands()[sum(version >= change for change in VERSION_CHANGES)]]


def _levelup_statuses() -> set[int]:
    """The error statuses openapi.yaml documents for the LevelUp operations (401, 404)."""
    spec = load_contract().spec
    return {
        int(status)
        for item in spec["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "LevelUp" in op.get("tags", ())
        for status in op.get("responses", {})
        if not str(status).startswith("2")
    }


def _spaaza_code(entry: Mapping[str, Any]) -> list[str]:
    error = entry.get("error")
    if isinstance(error, int) and not isinstance(error, bool):
        return [str(error)]
    return [error] if isinstance(error, str) and error.isdigit() else []


def _levelup_refusal(entry: Mapping[str, Any]) -> list[str]:
    error = entry.get("error")
    return [error] if isinstance(error, str) and not error.isdigit() else []


def _facts(entry: Mapping[str, Any]) -> Mapping[str, Any]:
    return entry.get("facts") or {}


@cache
def dimensions() -> tuple[Dimension, ...]:
    contract = load_contract()
    documented = _levelup_statuses()
    return (
        Dimension("operations", "documented operations", tuple(operation_ids()), lambda e: [e.get("operation")]),
        Dimension("spaaza_errors", "Spaaza error codes", tuple(str(c) for c in spaaza_errors()), _spaaza_code),
        Dimension("levelup_errors", "LevelUp refusals and 404s", tuple(k for k, e in LEVELUP_ERRORS.items() if e.http_status in documented), _levelup_refusal),
        Dimension("campaign_types", "campaign types", contract.campaign_types, lambda e: _facts(e).get("campaign_types") or ()),
        Dimension("progress_formats", "user_progress formats", contract.progress_formats, lambda e: _facts(e).get("progress_formats") or ()),
        Dimension("representations", "LevelUp representations", tuple(LEVELUP_REPRESENTATIONS), lambda e: [_facts(e).get("representation")]),
        Dimension("api_versions", "Spaaza API versions", version_bands(), lambda e: _band(_facts(e).get("api_version"))),
    )


def coverage_report(entries: Iterable[Mapping[str, Any]], dropped: int = 0) -> dict[str, Any]:
    """The report for these journal entries: per dimension, how many requests reached each
    documented item (0 = never exercised). `dropped`: entries the journal lost (the report
    cannot count them; it says so)."""
    # A client repeats itself: entries with the same operation, error and facts reach the same
    # items, so each kind is judged once (a full journal of 10,000 entries holds a few dozen).
    kinds: dict[str, tuple[Mapping[str, Any], int]] = {}
    for entry in entries:
        key = repr((entry.get("operation"), entry.get("error"), entry.get("facts")))
        seen = kinds.get(key)
        kinds[key] = (entry, 1) if seen is None else (seen[0], seen[1] + 1)
    return _counted(kinds.values(), dropped)


def coverage_of_answers(answers: Mapping[str, int], dropped: int = 0) -> dict[str, Any]:
    """The report from the store's answer counts (Store.answer_counts: each answer's meta JSON,
    as runtime/journal.answer_meta writes it, and how many entries got it)."""
    kinds = []
    for meta, n in answers.items():
        operation, error, facts, *_ = json.loads(meta)
        kinds.append(({"operation": operation, "error": error, "facts": facts}, n))
    return _counted(kinds, dropped)


def _counted(kinds: Iterable[tuple[Mapping[str, Any], int]], dropped: int) -> dict[str, Any]:
    counts = {d.name: dict.fromkeys(d.items, 0) for d in dimensions()}
    kinds = list(kinds)
    for entry, n in kinds:
        for d in dimensions():
            for item in set(d.reached(entry)):
                if item in counts[d.name]:  # anything undocumented is no coverage
                    counts[d.name][item] += n
    return _report(counts, sum(n for _, n in kinds), dropped)


def merge_reports(reports: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """One report for several (namespaces, pytest workers): the counts add up."""
    counts = {d.name: dict.fromkeys(d.items, 0) for d in dimensions()}
    requests = dropped = 0
    for report in reports:
        requests += report["requests"]
        dropped += report.get("dropped", 0)
        for name, dimension in report["dimensions"].items():
            for item, n in dimension["counts"].items():
                if item in counts.get(name, {}):
                    counts[name][item] += n
    return _report(counts, requests, dropped)


def _percent(covered: int, total: int) -> float:
    return round(100 * covered / total, 1) if total else 100.0


def _report(counts: dict[str, dict[str, int]], requests: int, dropped: int) -> dict[str, Any]:
    out: dict[str, Any] = {"requests": requests, "dropped": dropped, "dimensions": {}}
    covered = total = 0
    for d in dimensions():
        reached = sum(1 for n in counts[d.name].values() if n)
        covered, total = covered + reached, total + len(d.items)
        out["dimensions"][d.name] = {
            "title": d.title,
            "covered": reached,
            "total": len(d.items),
            "percent": _percent(reached, len(d.items)),
            "counts": counts[d.name],
            "missing": [item for item, n in counts[d.name].items() if not n],
        }
    out.update(covered=covered, total=total, percent=_percent(covered, total))
    return out


def format_table(report: Mapping[str, Any]) -> list[str]:
    """The report as a short table, one line per dimension naming what was never reached."""
    lines = [f"campaign-mock business coverage of {report['requests']} request(s)" + (f" ({report['dropped']} dropped by the journal, not counted)" if report.get("dropped") else "")]
    width = max(len(d["title"]) for d in report["dimensions"].values())
    for d in report["dimensions"].values():
        missing = f"  never: {', '.join(d['missing'])}" if d["missing"] else ""
        lines.append(f"  {d['title']:<{width}}  {d['covered']:>3}/{d['total']:<3} {d['percent']:>5.1f}%{missing}")
    lines.append(f"  {'total':<{width}}  {report['covered']:>3}/{report['total']:<3} {report['percent']:>5.1f}%")
    return lines
