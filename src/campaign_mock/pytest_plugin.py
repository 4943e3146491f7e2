"""pytest plugin (entry point `pytest11`): installing campaign-mock is enough to use it.

- `campaign_mock_server` (session): one running mock, started as `campaign-mock serve` on a
  free loopback port (one per xdist worker, so workers share nothing), or the mock at
  `--campaign-mock-url`. Yields a `MockClient` of its default namespace. Stopped at the end of
  the session, on Ctrl-C and failures too.
- `campaign_mock` (function): a fresh namespace of that server per test (`url` is its base
  URL), set up by `@pytest.mark.campaign_mock(scenario=..., clock=...)`, dropped afterwards.
- Configuration as fixtures you may override: `campaign_mock_url`, `campaign_mock_seed`,
  `campaign_mock_scenarios`, `campaign_mock_serve_args`, `campaign_mock_admin_token`.
- Business coverage of every test's namespace, printed after the tests;
  `--campaign-mock-coverage FILE` writes it as JSON, `--campaign-mock-coverage-fail-under N`
  fails the session below N percent.

The work is done by `campaign_mock.client` (MockClient, MockServerProcess); this module only
wires it to pytest."""

from __future__ import annotations

import itertools
import json
import os
import secrets
import signal
import tempfile
import threading
from pathlib import Path
from typing import Callable

import pytest

from campaign_mock import pytest_variations
from campaign_mock.client import MockClient, MockServerProcess, is_scenario_path
from campaign_mock.environment import env_str
from campaign_mock.exceptions import CampaignMockError, MockAdminError, ScenarioRefused

__all__ = ["CampaignMock"]

_REPORTS = pytest.StashKey[list]()
_STOPPED = pytest.StashKey[bool]()  # xdist: a worker's mock could not be used (_stop_session)
_OUTPUT_KEY = "campaign_mock_coverage"  # xdist: a worker's merged report, for the controller
_MARKER_ARGS = ("scenario", "clock")


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    group = parser.getgroup("campaign-mock", "campaign-mock (Spaaza/LevelUp mock server)")
    group.addoption("--campaign-mock-url", metavar="URL", help="Use the mock running at URL instead of starting one (env CAMPAIGN_MOCK_URL).")
    group.addoption("--campaign-mock-seed", type=int, metavar="N", help="World seed of the mock started for the session (default 0).")
    group.addoption("--campaign-mock-scenario", action="append", default=[], metavar="FILE", help="Scenario file for the started mock (repeatable).")
    group.addoption("--campaign-mock-admin-token", metavar="TOKEN", help="X-Mock-Admin-Token for the mock's admin API (env CAMPAIGN_MOCK_ADMIN_TOKEN).")
    group.addoption("--campaign-mock-coverage", metavar="FILE", help="Write the business coverage report as JSON to FILE.")
    group.addoption("--campaign-mock-coverage-fail-under", type=float, metavar="N", help="Fail the session if business coverage is below N percent.")
    parser.addini("campaign_mock_url", "URL of a running mock to use instead of starting one.")
    parser.addini("campaign_mock_seed", "World seed of the mock started for the session.", default="0")
    parser.addini("campaign_mock_scenarios", "Scenario files for the started mock (relative to the ini file).", type="paths", default=[])
    parser.addini("campaign_mock_serve_args", "More `campaign-mock serve` options, e.g. --chains 1.", type="args", default=[])
    if not pluginmanager.is_registered(pytest_variations):  # its hooks: the marker, the option, the table
        pluginmanager.register(pytest_variations, "campaign_mock.variations")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "campaign_mock(scenario=None, clock=None): load scenario(s) (text, dict or path relative to the test file) and set the clock of the test's namespace.")
    config.stash[_REPORTS] = []
    _check_options(config)
    path = config.getoption("campaign_mock_coverage")
    if path and not hasattr(config, "workerinput"):
        _check_writable(Path(config.invocation_params.dir, path))  # before the tests run, not after


def _check_options(config: pytest.Config) -> None:
    """A bad setting is a usage error before any test runs, not a traceback in every test."""
    seed = str(config.getini("campaign_mock_seed")).strip()
    if not (seed.lstrip("-").isascii() and seed.lstrip("-").isdigit()):
        raise pytest.UsageError(f"campaign_mock_seed = {seed!r} (ini file): not a whole number")
    under = config.getoption("campaign_mock_coverage_fail_under")
    if under is not None and not 0 <= under <= 100:  # nan too: it would never fail
        raise pytest.UsageError(f"--campaign-mock-coverage-fail-under {under:g}: give a percentage from 0 to 100")


# -- configuration fixtures (override any of them in a conftest.py) -----------------------------


@pytest.fixture(scope="session")
def campaign_mock_url(pytestconfig: pytest.Config) -> str | None:
    """A running mock to use; None starts one for the session."""
    return pytestconfig.getoption("campaign_mock_url") or pytestconfig.getini("campaign_mock_url") or env_str(os.environ, "CAMPAIGN_MOCK_URL")


@pytest.fixture(scope="session")
def campaign_mock_seed(pytestconfig: pytest.Config) -> int:
    seed = pytestconfig.getoption("campaign_mock_seed")
    return int(pytestconfig.getini("campaign_mock_seed")) if seed is None else seed


@pytest.fixture(scope="session")
def campaign_mock_scenarios(pytestconfig: pytest.Config) -> list[Path]:
    """Scenario files of the started mock: the ini's, then the command line's."""
    given = [Path(pytestconfig.invocation_params.dir, p) for p in pytestconfig.getoption("campaign_mock_scenario")]
    return [*pytestconfig.getini("campaign_mock_scenarios"), *given]


@pytest.fixture(scope="session")
def campaign_mock_serve_args(pytestconfig: pytest.Config) -> list[str]:
    return list(pytestconfig.getini("campaign_mock_serve_args"))


@pytest.fixture(scope="session")
def campaign_mock_admin_token(pytestconfig: pytest.Config) -> str | None:
    return pytestconfig.getoption("campaign_mock_admin_token") or env_str(os.environ, "CAMPAIGN_MOCK_ADMIN_TOKEN")


# -- the server and the per-test namespace ------------------------------------------------------


@pytest.fixture(scope="session")
def campaign_mock_server(request: pytest.FixtureRequest, campaign_mock_url, campaign_mock_seed, campaign_mock_scenarios, campaign_mock_serve_args, campaign_mock_admin_token):
    """The session's mock, as a MockClient of its default namespace."""
    if campaign_mock_url:
        client = MockClient(campaign_mock_url, admin_token=campaign_mock_admin_token)
        refused = _refused(client)
        if refused:
            _stop_session(request, f"campaign-mock: --campaign-mock-url {campaign_mock_url}: {refused}")
        yield client
        return
    argv = ["--seed", str(campaign_mock_seed), *(a for s in campaign_mock_scenarios for a in ("--scenario", str(s))), *campaign_mock_serve_args]
    try:
        server = MockServerProcess.start(argv, admin_token=campaign_mock_admin_token)
    except CampaignMockError as e:  # a broken scenario, say: no test could run
        _stop_session(request, f"campaign-mock: {e}")
    client = MockClient(server.url, admin_token=campaign_mock_admin_token)
    refused = _refused(client)  # an --admin-token among campaign_mock_serve_args, say (not shown: a secret)
    if refused:
        server.stop()
        _stop_session(request, f"campaign-mock: the mock it started refuses the admin API: {refused}")
    previous = _interrupt_on_sigterm()
    try:
        yield client
    finally:
        server.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _refused(client: MockClient) -> str | None:
    """Why the tests could not use this mock, if they could not."""
    try:
        client.health()
        client.clock()  # the admin API too: a missing or wrong token, a mock that is not on loopback
    except MockAdminError as e:
        return str(e)
    return None


def _stop_session(request: pytest.FixtureRequest, reason: str) -> None:
    """No test can run: the session ends with exit code 4 and the reason."""
    __tracebackhide__ = True
    if hasattr(request.config, "workerinput"):
        # pytest.exit inside an xdist worker's test crashes the controller (INTERNALERROR, the
        # reason lost): the worker stops as after -x, this test failing with the reason, and
        # the controller exits with 4 (pytest_testnodedown).
        request.session.shouldstop = reason
        raise pytest.fail.Exception(reason, pytrace=False) from None  # (called in an except: not "during handling")
    pytest.exit(reason, returncode=pytest.ExitCode.USAGE_ERROR)


def _interrupt_on_sigterm():
    """SIGTERM (a CI job cancelled, `timeout`) ends the session as Ctrl-C does, so that the
    server is stopped: it runs in a session of its own, and by default SIGTERM would kill
    pytest at once and leave it running. Returns the handler to put back, or None when
    another handler is installed (its owner decides) or this is not the main thread."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return None

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    return signal.signal(signal.SIGTERM, interrupt)


class CampaignMock(MockClient):
    """A test's own namespace. Everything of MockClient, and a refused scenario fails the test
    with the loader's line-numbered messages."""

    # Called with this namespace's coverage report before its journal goes (reset, clear_journal,
    # the end of the test), so the session's report counts every request the test made.
    def __init__(self, *args, collect: Callable[[dict], object] = lambda report: None, here: Path | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.collect = collect
        self.here = here  # the test file's folder: a relative scenario path is read from there

    def reset(self) -> None:
        self.collect(self.coverage())
        super().reset()

    def clear_journal(self) -> None:
        self.collect(self.coverage())
        super().clear_journal()

    def forget_journal(self) -> None:
        """Clears the journal without counting it (the plugin's own requests)."""
        super().clear_journal()

    def load_scenario(self, source, name=None):
        __tracebackhide__ = True
        if self.here is not None and is_scenario_path(source) and not Path(source).is_absolute():
            source = self.here / source  # as the marker does: relative to the test file
        try:
            return super().load_scenario(source, name)
        except ScenarioRefused as e:
            refused = str(e)  # failed outside the except: no "during handling" chain in the report
        label = name or (source.name if isinstance(source, Path) else None)
        pytest.fail(f"campaign-mock refused the scenario{f' {label}' if label else ''}:\n{refused}", pytrace=False)


_counter = itertools.count(1)
_RUN = secrets.token_hex(3)  # namespaces of concurrent runs against one shared mock never meet


@pytest.fixture
def campaign_mock(request: pytest.FixtureRequest, campaign_mock_server: MockClient, campaign_mock_variation):
    key = f"pytest-{_RUN}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{next(_counter)}"
    here = Path(request.node.path).parent
    mock = CampaignMock(campaign_mock_server.root, key, campaign_mock_server.admin_token, campaign_mock_server.timeout, collect=request.config.stash[_REPORTS].append, here=here)
    MockClient.reset(mock)  # nothing left from an earlier run with a persistent --state (not counted)
    marker = request.node.get_closest_marker("campaign_mock")
    try:
        if marker:
            _apply_marker(mock, marker)
        pytest_variations.apply(request.node, mock, campaign_mock_variation)
    except BaseException:  # a set-up failed half-way (its first scenario loaded): no teardown follows
        MockClient.reset(mock)
        raise
    yield mock
    mock.reset()


def _apply_marker(mock: CampaignMock, marker: pytest.Mark) -> None:
    __tracebackhide__ = True
    unknown = set(marker.kwargs) - set(_MARKER_ARGS)
    if marker.args or unknown:
        pytest.fail(f"@pytest.mark.campaign_mock takes only the keywords {', '.join(_MARKER_ARGS)} (got {', '.join(map(repr, marker.args)) or ', '.join(sorted(unknown))})", pytrace=False)
    scenarios = marker.kwargs.get("scenario")
    try:
        for source in scenarios if isinstance(scenarios, (list, tuple)) else [scenarios] if scenarios is not None else []:
            mock.load_scenario(source)  # a relative path: from the test file's folder
        if marker.kwargs.get("clock") is not None:
            mock.set_clock(marker.kwargs["clock"])
    except CampaignMockError as e:  # a missing file, a clock without offset: the reason, not the fixture's code
        refused = str(e)
    else:
        return
    pytest.fail(f"@pytest.mark.campaign_mock: {refused}", pytrace=False)


# -- coverage: collected per test, merged across xdist workers, reported once ---------------------


def _merged(config: pytest.Config) -> dict | None:
    from campaign_mock.runtime.coverage import merge_reports

    reports = config.stash.get(_REPORTS, [])
    return merge_reports(reports) if reports else None


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """xdist controller: take in a worker's report."""
    output = getattr(node, "workeroutput", {}).get(_OUTPUT_KEY)
    if output:
        node.config.stash[_REPORTS].append(json.loads(output))
    if str(getattr(node, "workeroutput", {}).get("shouldstop") or "").startswith("campaign-mock: "):  # _stop_session
        node.config.stash[_STOPPED] = True


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    report = _merged(config)
    if hasattr(config, "workerinput"):  # an xdist worker hands its report to the controller
        if report:
            config.workeroutput[_OUTPUT_KEY] = json.dumps(report)  # type: ignore[attr-defined]  # set by xdist
        return
    if config.stash.get(_STOPPED, False):
        session.exitstatus = pytest.ExitCode.USAGE_ERROR
    path = config.getoption("campaign_mock_coverage")
    if path:
        _write_json(Path(config.invocation_params.dir, path), report or _empty())
    under = config.getoption("campaign_mock_coverage_fail_under")
    if under is not None and (report or _empty())["percent"] < under and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    from campaign_mock.runtime.coverage import format_table

    report = _merged(config)
    under = config.getoption("campaign_mock_coverage_fail_under")
    if report is None and under is None:
        return  # no test used the mock
    report = report or _empty()
    terminalreporter.section("campaign-mock business coverage")
    for line in format_table(report):
        terminalreporter.write_line(line)
    if under is not None and report["percent"] < under:
        terminalreporter.write_line(f"FAIL: business coverage {report['percent']}% is under --campaign-mock-coverage-fail-under {under:g}%", red=True)


def _empty() -> dict:
    from campaign_mock.runtime.coverage import coverage_report

    return coverage_report([])


def _check_writable(path: Path) -> None:
    """Never write through a symlink, nor over a file that is no coverage report of ours."""
    if path.is_symlink() or (path.exists() and not _is_report(path)):
        raise pytest.UsageError(f"--campaign-mock-coverage {path}: exists and is not a campaign-mock coverage report; not overwritten")


def _write_json(path: Path, report: dict) -> None:
    """Atomically: a reader sees the old report or the new one, never half of one."""
    _check_writable(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def _is_report(path: Path) -> bool:
    try:
        return isinstance(data := json.loads(path.read_text(encoding="utf-8")), dict) and "dimensions" in data
    except (OSError, ValueError):
        return False
