"""The pytest plugin's contract variations (registered by pytest_plugin.py): does the client
under test survive everything the contract allows, not only the typical world?

- `@pytest.mark.campaign_mock_variations` (optionally `names=[...]`, `seed=N`) runs a test
  that uses the `campaign_mock` fixture once per variation, each in its own namespace, with
  ids such as `test_x[variation=nullable-null]`; `--campaign-mock-variations=all|NAME,NAME`
  chooses the variations of every marked test (with the marker's names: those of both).
- A failure names the variation and what it changed in the answers the test received (from
  the namespace's journal, the varied answer against the unvaried one).
- The terminal summary shows a table: test x variation, pass or FAIL (under xdist too: the
  controller reads the reports its workers send).
- `--campaign-mock-reliance`: each marked test also runs unvaried (`variation=none`), and
  then once more per field of the answers it received, with that one field removed from
  every answer (not the contract: the server's without-field); a test that then fails relies
  on the field. The report lists those fields, the ones the contract makes optional first
  (production bugs waiting for the vendor), and how many reruns took how long; at most
  `--campaign-mock-reliance-max-reruns` (default 200) per session (per xdist worker).

Nothing here starts a server or knows HTTP beyond what the test's `campaign_mock` does."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

ARG = "campaign_mock_variation"  # the fixture (and parameter) naming the test's variation
MARKER = "campaign_mock_variations"
_MOCK = pytest.StashKey[Any]()
_WITHOUT = pytest.StashKey[str]()  # the field a reliance rerun removes
_RECEIVED = pytest.StashKey[list]()  # [(field, optional)] the baseline run received
_RELIANCE = pytest.StashKey[dict]()  # what the reruns found, for the report
RELIANCE = "campaign_mock_reliance"
MAX_RERUNS = 200
SHOWN_ANSWERS = 5  # varied answers explained in a failure
SHOWN_CHANGES = 12  # changes listed per answer


def _names() -> list[str]:
    from campaign_mock.contract.variations import VARIATIONS

    return list(VARIATIONS)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("campaign-mock")
    group.addoption("--campaign-mock-variations", metavar="all|NAME,NAME", help="Run each test marked campaign_mock_variations once per variation named (all: every one; GET /__mock/variations lists them).")
    group.addoption("--campaign-mock-reliance", action="store_true", help="Rerun each marked test once per response field it received, with that field removed, and report the fields it relies on.")
    group.addoption("--campaign-mock-reliance-max-reruns", type=int, default=MAX_RERUNS, metavar="N", help=f"Stop the reliance reruns after N in the session (per xdist worker; default {MAX_RERUNS}).")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(names=None, seed=0): run the test once per contract variation (names: some of them), each in its own namespace of the mock.")
    _chosen(config)  # a bad name is a usage error before any test runs
    config.pluginmanager.register(Table(config), "campaign-mock-variations-table")


def _chosen(config: pytest.Config) -> list[str] | None:
    given = config.getoption("campaign_mock_variations")
    if given is None:
        return None
    names = _names() if given.strip() == "all" else [n.strip() for n in given.split(",") if n.strip()]
    unknown = [n for n in names if n not in _names()]
    if unknown or not names:
        raise pytest.UsageError(f"--campaign-mock-variations {given!r}: {', '.join(unknown) or 'no name'} is no variation; give all or some of {', '.join(_names())}")
    return names


@pytest.fixture
def campaign_mock_variation() -> tuple[str, int] | None:
    """The (name, seed) the test's namespace is varied by; None for an unmarked test."""
    return None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker(MARKER)
    if marker is None:
        return
    if ARG not in metafunc.fixturenames:
        pytest.fail(f"{metafunc.definition.nodeid}: @pytest.mark.{MARKER} needs the test to use the campaign_mock fixture (the namespace it varies)", pytrace=False)
    unknown = (set(marker.kwargs) - {"names", "seed"}) or marker.args
    if unknown:
        pytest.fail(f"@pytest.mark.{MARKER} takes only the keywords names, seed (got {', '.join(map(str, unknown))})", pytrace=False)
    names = list(marker.kwargs.get("names") or _names())
    bad = [n for n in names if n not in _names()]
    if bad:
        pytest.fail(f"@pytest.mark.{MARKER}(names=...): {', '.join(map(repr, bad))} is no variation; known: {', '.join(_names())}", pytrace=False)
    chosen = _chosen(metafunc.config)
    if chosen is not None:
        names = [n for n in names if n in chosen]
    seed = marker.kwargs.get("seed", 0)
    values: list[tuple[str, int] | None] = [(n, seed) for n in names]
    ids = [f"variation={n}" for n in names]
    if metafunc.config.getoption("campaign_mock_reliance"):
        values, ids = [None, *values], ["variation=none", *ids]  # the unvaried run the reliance reruns repeat
    metafunc.parametrize(ARG, values, ids=ids)


def apply(item: pytest.Item, mock: Any, variation: tuple[str, int] | None) -> None:
    """Called by the campaign_mock fixture: the test's namespace varied, and kept for the report."""
    item.stash[_MOCK] = mock
    if variation is not None:
        mock.set_variation(*variation)
    if _WITHOUT in item.stash:  # a reliance rerun: not counted in the session's coverage
        mock.collect = lambda report: None
        mock.set_variation(WITHOUT_FIELD, field=item.stash[_WITHOUT])


WITHOUT_FIELD = "without-field"  # contract/variations.WITHOUT (not imported: no contract loaded for unmarked sessions)


def _reliance_on(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    return bool(item.config.getoption("campaign_mock_reliance")) and callspec is not None and ARG in callspec.params and callspec.params[ARG] is None


_spent = {"reruns": 0, "seconds": 0.0}  # this process's reliance reruns (the cap counts them)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    """For the unvaried run of a marked test, with --campaign-mock-reliance: the test run once
    quietly to learn the fields it receives, then once per field without it; then as usual."""
    if _reliance_on(item):
        _reliance(item)
    return (yield)


def _reliance(item: pytest.Item) -> None:
    import time

    from _pytest.runner import runtestprotocol

    cap = item.config.getoption("campaign_mock_reliance_max_reruns")
    # Torn down to the test's parent after each quiet run: its own fixtures made afresh, the
    # session's (the server) kept.
    parent: Any = item.parent
    item.stash[_RECEIVED] = []
    baseline = runtestprotocol(item, nextitem=parent, log=False)
    received = item.stash[_RECEIVED]
    del item.stash[_RECEIVED]
    found: dict[str, Any] = {"fields": len(received), "relied": [], "reruns": 0, "seconds": 0.0, "capped": 0}
    if not all(r.passed for r in baseline if r.when == "call"):
        found["baseline_failed"] = True
    else:
        for field, optional in sorted(received, key=lambda fo: not fo[1]):  # optional ones first: flagged first
            if _spent["reruns"] >= cap:
                found["capped"] += 1
                continue
            started = time.perf_counter()
            item.stash[_WITHOUT] = field
            try:
                reports = runtestprotocol(item, nextitem=parent, log=False)
            finally:
                del item.stash[_WITHOUT]
            spent = time.perf_counter() - started
            _spent["reruns"] += 1
            _spent["seconds"] += spent
            found["reruns"] += 1
            found["seconds"] += spent
            if any(r.failed for r in reports if r.when == "call"):
                found["relied"].append([field, optional])
    item.stash[_RELIANCE] = found


def _received_fields(mock: Any) -> list[tuple[str, bool]]:
    """The fields of every answer the namespace's journal shows, each with whether the
    contract makes it optional (absent under optional-absent)."""
    import requests

    from campaign_mock.contract.variations import changed_paths, field_of, fields, vary_answer

    out: dict[str, bool] = {}
    seen = set()
    for entry in mock.journal():
        key = (entry["path"], entry["query_string"])
        if key in seen or entry["status"] is None:
            continue
        seen.add(key)
        repeat = mock.journal_request(entry["seq"])
        answer = requests.get(mock.url + repeat["path"] + (f"?{repeat['query']}" if repeat["query"] else ""), headers=repeat["headers"], timeout=mock.timeout)
        try:
            body = answer.json()
        except ValueError:
            continue
        optional = {field_of(path) for path, _, after in changed_paths(body, vary_answer(entry["operation"], answer.status_code, body, "optional-absent")) if after is not None} if entry["operation"] else set()
        for field in fields(body):
            out[field] = out.get(field, False) or field in optional
    mock.forget_journal()  # (the quiet run's: the logged run's requests are the test's)
    return list(out.items())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    callspec = getattr(item, "callspec", None)
    variation = callspec.params.get(ARG) if callspec is not None else None
    if report.when == "call" and report.passed and _RECEIVED in item.stash and _MOCK in item.stash:
        item.stash[_RECEIVED].extend(_received_fields(item.stash[_MOCK]))  # the baseline of a reliance run
    if variation is None:
        if report.when == "call" and _RELIANCE in item.stash:
            report.user_properties.append((RELIANCE, json.dumps(item.stash[_RELIANCE])))
            report.user_properties.append((ARG, "none"))
        return report
    report.user_properties.append((ARG, variation[0]))
    if report.when == "call" and report.failed and _MOCK in item.stash:
        try:
            text = explain(item.stash[_MOCK], variation, str(report.longrepr))
        except Exception as e:  # the explanation is a help; the test's own failure stands
            text = f"(could not read what the variation changed: {e})"
        report.sections.append((f"campaign-mock variation {variation[0]}", text))
    return report


def explain(mock: Any, variation: tuple[str, int], failure: str = "") -> str:
    """What the variation changed in the answers the test received: each varied answer
    fetched again, varied and not, and the paths where the two differ; first those whose
    field the failure's text names (the fields the client read, as far as it shows)."""
    import requests

    from campaign_mock.contract.validate import json_path
    from campaign_mock.contract.variations import DELETE, changed_paths

    name, seed = variation
    entries = [e for e in mock.journal() if e.get("variation")]
    lines = [f"the answers were varied by {name!r} (seed {seed}): {len(entries)} of the answers the test received differ from the typical world's"]
    mock.collect(mock.coverage())  # the test's requests counted before ours are added
    try:  # (a request failing, say to a drop the test armed: the test's requests stay counted once)
        seen = set()
        for entry in entries:
            key = (entry["path"], entry["query_string"])
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > SHOWN_ANSWERS:
                lines.append("... and more answers (the namespace's journal lists them)")
                break
            repeat = mock.journal_request(entry["seq"])
            url = mock.url + repeat["path"] + (f"?{repeat['query']}" if repeat["query"] else "")
            varied = requests.get(url, headers=repeat["headers"], timeout=mock.timeout)
            mock.clear_variation()
            typical = requests.get(url, headers=repeat["headers"], timeout=mock.timeout)
            mock.set_variation(name, seed)
            lines.append(f"GET {entry['path']}{'?' + entry['query_string'] if entry['query_string'] else ''} ({varied.status_code}):")
            try:
                changes = list(changed_paths(typical.json(), varied.json()))
            except ValueError:
                continue
            named = set(re.findall(r"\w+", failure))
            changes.sort(key=lambda change: _leaf(change[0]) not in named)
            for path, before, after in changes[:SHOWN_CHANGES]:
                now = "absent" if after is DELETE else _short(after)
                lines.append(f"  {json_path(path)}: {now}" + ("" if before is DELETE else f" (typically {_short(before)})"))
            if len(changes) > SHOWN_CHANGES:
                lines.append(f"  ... {len(changes) - SHOWN_CHANGES} more")
    finally:
        mock.forget_journal()  # our requests: the session's coverage has the test's already
    return "\n".join(lines)


def _leaf(path: tuple) -> str | None:
    """The field a path ends in (an item's: the list's)."""
    return next((part for part in reversed(path) if isinstance(part, str)), None)


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Table:  # (and the reliance report)
    """test x variation, pass or FAIL: from every report (under xdist the controller gets
    its workers'), printed at the end."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self.results: dict[str, dict[str, str]] = {}
        self.reliance: dict[str, dict] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        variation = next((str(v) for k, v in report.user_properties if k == ARG), None)
        reliance = next((str(v) for k, v in report.user_properties if k == RELIANCE), None)
        if reliance is not None:
            self.reliance[report.nodeid.replace("[variation=none]", "")] = json.loads(reliance)
        if variation is None or variation == "none" or (report.when != "call" and report.passed):
            return
        test = report.nodeid.replace(f"[variation={variation}]", "")
        cells = self.results.setdefault(test, {})
        if cells.get(variation) != "FAIL":  # a failed teardown after a passed call is a failure
            cells[variation] = "pass" if report.passed else "skip" if report.skipped else "FAIL"

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if hasattr(self.config, "workerinput"):
            return
        if self.reliance:
            self.write_reliance(terminalreporter)
        if not self.results:
            return
        names = [n for n in _names() if any(n in cells for cells in self.results.values())]
        terminalreporter.section("campaign-mock contract variations")
        width = max(len(t) for t in self.results)
        terminalreporter.write_line(" ".join([f"{'test':<{width}}", *names]))
        for test, cells in sorted(self.results.items()):
            row = [f"{test:<{width}}", *(f"{cells.get(n, '-'):<{len(n)}}" for n in names)]
            terminalreporter.write_line(" ".join(row).rstrip(), red="FAIL" in cells.values())
        failed = sum(v == "FAIL" for cells in self.results.values() for v in cells.values())
        runs = sum(len(c) for c in self.results.values())
        terminalreporter.write_line(f"{failed} of {runs} test x variation runs failed" if failed else f"every test survived every variation it ran ({runs} runs)")

    def write_reliance(self, terminalreporter) -> None:
        terminalreporter.section("campaign-mock reliance: the response fields each test needs")
        reruns = sum(r["reruns"] for r in self.reliance.values())
        seconds = sum(r["seconds"] for r in self.reliance.values())
        capped = sum(r["capped"] for r in self.reliance.values())
        for test, found in sorted(self.reliance.items()):
            if found.get("baseline_failed"):
                terminalreporter.write_line(f"{test}: fails unvaried; no reruns")
                continue
            relied = found["relied"]
            terminalreporter.write_line(f"{test}: relies on {len(relied)} of the {found['fields']} fields it received")
            for field, optional in relied:  # optional ones come first
                terminalreporter.write_line(f"  {'OPTIONAL ' if optional else 'required '} {field}" + ("  <- the contract lets the vendor leave it out" if optional else ""), red=optional)
        limit = self.config.getoption("campaign_mock_reliance_max_reruns")
        terminalreporter.write_line(f"{reruns} reruns in {seconds:.1f} s" + (f"; {capped} fields not tried: --campaign-mock-reliance-max-reruns {limit} reached" if capped else f" (cap --campaign-mock-reliance-max-reruns {limit})"))
