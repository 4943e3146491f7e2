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

Nothing here starts a server or knows HTTP beyond what the test's `campaign_mock` does."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

ARG = "campaign_mock_variation"  # the fixture (and parameter) naming the test's variation
MARKER = "campaign_mock_variations"
_MOCK = pytest.StashKey[Any]()
SHOWN_ANSWERS = 5  # varied answers explained in a failure
SHOWN_CHANGES = 12  # changes listed per answer


def _names() -> list[str]:
    from campaign_mock.contract.variations import VARIATIONS

    return list(VARIATIONS)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("campaign-mock")
    group.addoption("--campaign-mock-variations", metavar="all|NAME,NAME", help="Run each test marked campaign_mock_variations once per variation named (all: every one; GET /__mock/variations lists them).")


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
    metafunc.parametrize(ARG, [(n, seed) for n in names], ids=[f"variation={n}" for n in names])


def apply(item: pytest.Item, mock: Any, variation: tuple[str, int] | None) -> None:
    """Called by the campaign_mock fixture: the test's namespace varied, and kept for the report."""
    item.stash[_MOCK] = mock
    if variation is not None:
        mock.set_variation(*variation)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    callspec = getattr(item, "callspec", None)
    variation = callspec.params.get(ARG) if callspec is not None else None
    if variation is None:
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
    mock.forget_journal()  # our requests: the session's coverage has the test's already
    return "\n".join(lines)


def _leaf(path: tuple) -> str | None:
    """The field a path ends in (an item's: the list's)."""
    return next((part for part in reversed(path) if isinstance(part, str)), None)


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Table:
    """test x variation, pass or FAIL: from every report (under xdist the controller gets
    its workers'), printed at the end."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self.results: dict[str, dict[str, str]] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        variation = next((str(v) for k, v in report.user_properties if k == ARG), None)
        if variation is None or (report.when != "call" and report.passed):
            return
        test = report.nodeid.replace(f"[variation={variation}]", "")
        cells = self.results.setdefault(test, {})
        if cells.get(variation) != "FAIL":  # a failed teardown after a passed call is a failure
            cells[variation] = "pass" if report.passed else "skip" if report.skipped else "FAIL"

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if hasattr(self.config, "workerinput") or not self.results:
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
