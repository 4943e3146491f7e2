"""The pytest plugin, through pytest itself (pytester): each run starts one real mock (or uses
one started here) and the tests look at what the inner session did and left behind."""

from __future__ import annotations

import json
import re
import shutil
import socket
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from mockserver import SPAAZA_ADMIN, start_mock

pytest_plugins = ["pytester"]

EXAMPLES = Path(__file__).parents[1] / "examples"
# Subprocess runs (xdist, Ctrl-C) without the heavy plugins other packages install: each inner
# interpreter would spend seconds importing them.
LEAN = ("-p", "no:schemathesis", "-p", "no:faker", "-p", "no:hypothesispytest", "-p", "no:anyio", "-p", "no:cacheprovider")


def _listening(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as s:
        return s.connect_ex((parts.hostname, parts.port)) == 0


def test_fixtures_start_a_real_server_stop_it_and_isolate_tests(pytester):
    pytester.makepyfile(
        """
        import requests

        def test_one(campaign_mock, campaign_mock_server):
            open("url.txt", "w").write(campaign_mock_server.url)
            assert campaign_mock.url.startswith(campaign_mock_server.url + "/__mock/ns/")
            campaign_mock.fail("getCampaigns", 217, times=None)
            campaign_mock.set_clock("2030-01-01T00:00:00+00:00")
            r = requests.get(campaign_mock.url + "/get-campaigns", params={"chain_id": 1762})
            assert r.json()["error"]["code"] == 217
            assert [e.error for e in campaign_mock.journal()] == [217]

        def test_two_sees_nothing_of_one(campaign_mock):
            assert campaign_mock.faults() == [] and campaign_mock.journal() == []
            assert campaign_mock.clock()["source"] == "reference"
            r = requests.get(campaign_mock.url + "/get-campaigns", params={"chain_id": 1762}, headers=campaign_mock.admin_headers(1762))
            assert r.status_code == 200
            [entry] = campaign_mock.journal()
            assert entry.status == entry["status"] == 200 and entry.path == "/get-campaigns" and entry.query == {"chain_id": ["1762"]}

        def test_three_fails(campaign_mock):
            assert False

        def test_configured_by_ini_options_and_fixtures(campaign_mock_server):
            health = campaign_mock_server.health()
            assert health["seed"] == 3 and [s.rsplit("/", 1)[-1] for s in health["scenarios"]] == ["a.yaml", "b.yaml"]
            chains = {c["chain_id"] for c in campaign_mock_server.world()["spaaza"]["chains"]}
            assert {1762, 5001, 7401, 7402} <= chains and 5002 not in chains  # conftest: --chains 1
        """
    )
    pytester.makeini("[pytest]\ncampaign_mock_scenarios = a.yaml\n")
    pytester.makeconftest("import pytest\n\n@pytest.fixture(scope='session')\ndef campaign_mock_serve_args():\n    return ['--chains', '1']\n")
    (pytester.path / "a.yaml").write_text("spaaza:\n  chains:\n    - id: 7401\n")
    (pytester.path / "b.yaml").write_text("spaaza:\n  chains:\n    - id: 7402\n")
    result = pytester.runpytest("--campaign-mock-seed", "3", "--campaign-mock-scenario", "b.yaml")
    result.assert_outcomes(passed=3, failed=1)
    url = (pytester.path / "url.txt").read_text()
    assert not _listening(url), "the session's mock is still running"


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_ctrl_c_or_sigterm_stops_the_server(pytester, signal_name):
    """Ctrl-C, and the SIGTERM of a cancelled CI job or `timeout`: the server must not outlive pytest."""
    pytester.makepyfile(
        f"""
        import os, signal

        # As in a terminal: a suite started in the background (`cmd &` in a script) inherits
        # SIGINT ignored, and Python then installs no Ctrl-C handler.
        signal.signal(signal.SIGINT, signal.default_int_handler)

        def test_interrupted(campaign_mock_server):
            open("url.txt", "w").write(campaign_mock_server.url)
            os.kill(os.getpid(), signal.{signal_name})
        """
    )
    result = pytester.runpytest_subprocess(*LEAN)
    assert result.ret == 2  # interrupted
    assert not _listening((pytester.path / "url.txt").read_text())


def test_xdist_workers_share_nothing_and_their_coverage_adds_up(pytester):
    pytester.makepyfile(
        """
        import os, pytest, requests

        @pytest.mark.parametrize("n", range(4))
        def test_each(campaign_mock, campaign_mock_server, n):
            with open(f"worker-{n}.txt", "w") as f:
                f.write(f"{os.environ['PYTEST_XDIST_WORKER']} {campaign_mock_server.url}")
            requests.get(campaign_mock.url + "/get-campaigns", params={"chain_id": 1762}, headers=campaign_mock.admin_headers(1762))
            assert len(campaign_mock.journal()) == 1
        """
    )
    result = pytester.runpytest_subprocess(*LEAN, "-n", "2", "--campaign-mock-coverage", "coverage.json", "--campaign-mock-coverage-fail-under", "1")
    result.assert_outcomes(passed=4)
    assert result.ret == 0
    seen = {tuple(p.read_text().split()) for p in pytester.path.glob("worker-*.txt")}
    workers, urls = {w for w, _ in seen}, {u for _, u in seen}
    assert len(urls) == len(workers) == len(seen)  # one server per worker, none shared
    assert not any(_listening(u) for u in urls)
    report = json.loads((pytester.path / "coverage.json").read_text())
    assert report["requests"] == 4 and report["dimensions"]["operations"]["counts"]["getCampaigns"] == 4
    result.stdout.fnmatch_lines(["*campaign-mock business coverage of 4 request(s)*", "*documented operations*1/10*"])


def test_a_running_mock_is_used_not_started(pytester):
    server = start_mock()
    try:
        pytester.makepyfile(
            """
            import requests

            def test_uses_it(campaign_mock, campaign_mock_server):
                open("seen.txt", "w").write(campaign_mock_server.url + " " + campaign_mock.key)
                requests.get(campaign_mock.url + "/get-campaigns", params={"chain_id": 1762})
                assert len(campaign_mock.journal()) == 1
            """
        )
        result = pytester.runpytest("--campaign-mock-url", server.url)
        result.assert_outcomes(passed=1)
        url, key = (pytester.path / "seen.txt").read_text().split()
        assert url == server.url
        # Still running, and the test's namespace was left empty.
        assert requests.get(f"{server.url}/__mock/ns/{key}/journal", timeout=5).json()["requests"] == []
        assert requests.get(server.url + "/get-campaigns", params={"chain_id": 1762}, headers=SPAAZA_ADMIN, timeout=5).status_code == 200
    finally:
        server.stop()


def test_an_unreachable_mock_or_a_broken_scenario_stops_the_session(pytester):
    pytester.makepyfile("def test_x(campaign_mock):\n    pass\n")
    result = pytester.runpytest("--campaign-mock-url", "http://127.0.0.1:9")
    assert result.ret == 4
    result.stdout.fnmatch_lines(["*--campaign-mock-url http://127.0.0.1:9*cannot connect*"])
    (pytester.path / "broken.yaml").write_text("spaaza:\n  chains:\n    - name: no id\n")
    result = pytester.runpytest("--campaign-mock-scenario", "broken.yaml")
    assert result.ret == 4
    result.stdout.fnmatch_lines(["*campaign-mock serve * did not start*", "*broken.yaml:3: $.spaaza.chains[[]0[]]: missing required key 'id'*"])


def test_a_running_mock_that_refuses_the_admin_api_stops_the_session(pytester):
    server = start_mock("--admin-token", "s3cret")
    try:
        pytester.makepyfile("def test_x(campaign_mock):\n    pass\n\ndef test_y(campaign_mock):\n    pass\n")
        result = pytester.runpytest("--campaign-mock-url", server.url)
        assert result.ret == 4
        result.stdout.fnmatch_lines(["*--campaign-mock-url *: GET /__mock/ns/default/clock: 401 (X-Mock-Admin-Token)*"])
        pytester.runpytest("--campaign-mock-url", server.url, "--campaign-mock-admin-token", "s3cret").assert_outcomes(passed=2)
    finally:
        server.stop()


def test_the_coverage_file_never_replaces_what_is_not_a_report(pytester):
    pytester.makepyfile("def test_x():\n    pass\n")
    (pytester.path / "notes.json").write_text('{"mine": 1}')
    (pytester.path / "link.json").symlink_to(pytester.path / "elsewhere.json")
    for name in ("notes.json", "link.json"):
        result = pytester.runpytest("--campaign-mock-coverage", name)
        assert result.ret == 4
        result.stderr.fnmatch_lines([f"*--campaign-mock-coverage *{name}: exists and is not a campaign-mock coverage report; not overwritten*"])
    assert (pytester.path / "notes.json").read_text() == '{"mine": 1}' and not (pytester.path / "elsewhere.json").exists()


def test_a_refused_scenario_and_a_failed_assertion_read_clearly(pytester):
    pytester.makepyfile(
        """
        import pytest, requests

        def test_broken_scenario(campaign_mock):
            campaign_mock.load_scenario("spaaza:\\n  chains:\\n    - name: no id\\n")

        @pytest.mark.campaign_mock(scenarios="a.yaml")
        def test_misspelt_marker(campaign_mock):
            pass

        def test_called_twice(campaign_mock):
            requests.get(campaign_mock.url + "/get-campaigns", params={"chain_id": 1762})
            campaign_mock.assert_called("getCampaigns", times=2, chain_id=1762)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.campaign_mock takes only the keywords scenario, clock (got scenarios)*",
            "campaign-mock refused the scenario:",
            "POST /__mock/ns/*/scenarios: 422 (scenario): 1 problem(s)",
            "  3: $.spaaza.chains[[]0[]]: missing required key 'id'*",
            "_*_ test_called_twice _*_",
            "*expected getCampaigns chain_id=1762 2 time(s), got 1*",
            "*received 1 request(s):*",
            "*GET /get-campaigns?chain_id=1762 -> 401 operation=getCampaigns error=6*",
        ]
    )


def test_coverage_counts_what_was_exercised_and_fail_under_fails_the_session(pytester):
    pytester.makepyfile(
        """
        import requests

        def test_exercise(campaign_mock):
            requests.get(campaign_mock.url + "/get-campaigns", params={"chain_id": 1762}, headers={"X-Mock-Error": "217"})
            requests.get(campaign_mock.url + "/v15/campaigns/20/basic_v1", headers={"Authorization": "token " + campaign_mock.token(981)})

        def test_what_came_before_a_reset_counts_too(campaign_mock):
            requests.get(campaign_mock.url + "/get-campaigns", params={"chain_id": 1762}, headers={"X-Mock-Error": "416"})
            campaign_mock.reset()
            requests.get(campaign_mock.url + "/get-campaigns", params={"chain_id": 1762}, headers={"X-Mock-Error": "449"})
            campaign_mock.clear_journal()
        """
    )
    result = pytester.runpytest("--campaign-mock-coverage", "out/coverage.json", "--campaign-mock-coverage-fail-under", "50")
    result.assert_outcomes(passed=2)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*campaign-mock business coverage of 4 request(s)*", "*Spaaza error codes*3/20*", "*FAIL: business coverage * is under *50%*"])
    report = json.loads((pytester.path / "out" / "coverage.json").read_text())
    d = report["dimensions"]
    assert d["operations"]["counts"]["getCampaignBasicV1"] == 1
    assert d["spaaza_errors"]["counts"]["217"] == 1 and d["representations"]["counts"]["basic_v1"] == 1
    assert d["spaaza_errors"]["counts"]["416"] == d["spaaza_errors"]["counts"]["449"] == 1 and d["operations"]["counts"]["getCampaigns"] == 3


def test_the_readme_example_runs(pytester):
    for path in EXAMPLES.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            target = pytester.path / path.relative_to(EXAMPLES)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)
    # The README shows the table this run prints, line for line.
    readme = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    table = re.search(r"```\n(campaign-mock business coverage of .*?)```", readme, re.DOTALL).group(1).splitlines()
    assert len(table) == 9 and all(line in result.stdout.lines for line in table), "\n".join(result.stdout.lines[-12:])


def test_a_bad_setting_is_a_usage_error_not_a_traceback(pytester):
    pytester.makepyfile("def test_x(campaign_mock):\n    pass\n")
    pytester.makeini("[pytest]\ncampaign_mock_seed = abc\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*campaign_mock_seed = 'abc' (ini file): not a whole number*"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    pytester.makeini("[pytest]\n")
    result = pytester.runpytest("--campaign-mock-seed", "abc")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    for under in ("nan", "150", "-1"):
        result = pytester.runpytest("--campaign-mock-coverage-fail-under", under)
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines([f"*--campaign-mock-coverage-fail-under {under}: give a percentage from 0 to 100*"])


def test_a_relative_scenario_path_is_the_test_files_and_refusals_list_every_problem(pytester):
    """load_scenario("x.yaml") reads beside the test file, as the marker does, whatever the
    working directory; a refusal lists every problem; a misspelt operation gets a suggestion."""
    sub = pytester.mkdir("sub")
    (sub / "s.yaml").write_text("spaaza:\n  chains:\n    - id: 7401\n")
    (sub / "test_relative.py").write_text(
        textwrap.dedent(
            """
            def test_relative(campaign_mock):
                assert campaign_mock.load_scenario("s.yaml") == ["s.yaml"]

            def test_every_problem(campaign_mock):
                campaign_mock.load_scenario("spaaza:\\n  chains:\\n    - {id: 7401, nam: x, currency: XXX}\\n")

            def test_misspelt_operation(campaign_mock):
                campaign_mock.fail("getCampaing", 217)
            """
        )
    )
    result = pytester.runpytest("sub")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*422 (scenario): 2 problem(s)*"])
    result.stdout.fnmatch_lines(["*3: $.spaaza.chains[[]0[]].currency: 'XXX' is not allowed here*"])
    result.stdout.fnmatch_lines(["*3: $.spaaza.chains[[]0[]].nam: unknown key 'nam'; did you mean 'name'?*"])
    result.stdout.fnmatch_lines(["*did you mean 'getCampaign'?*"])


def test_a_refused_admin_call_reads_as_one_line_not_our_traceback(pytester):
    """A wrong argument (an unknown error code or variation, a missing scenario file, a clock
    without offset) fails at the test's line with the mock's one-line reason; the client's
    and the fixture's frames are none of the user's business."""
    pytester.makepyfile(
        """
        import datetime, pytest

        def test_bad_fault(campaign_mock):
            campaign_mock.fail("getCampaigns", 99999)

        def test_bad_variation(campaign_mock):
            campaign_mock.set_variation("nullable")

        def test_missing_file(campaign_mock):
            campaign_mock.load_scenario("missing.yaml")

        @pytest.mark.campaign_mock(scenario="missing.yaml")
        def test_marker_missing_file(campaign_mock):
            pass

        @pytest.mark.campaign_mock(clock=datetime.datetime(2024, 1, 1))
        def test_marker_naive_clock(campaign_mock):
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=3, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.campaign_mock: scenario */missing.yaml: cannot read it*",
            "*@pytest.mark.campaign_mock: *400 (now): '2024-01-01T00:00:00' has no UTC offset*",
            "*400 (error): '99999' is not a documented Spaaza error code*",
            "*400 (name): 'nullable' is no variation*",
            "*scenario */missing.yaml: cannot read it (No such file or directory)*",
        ]
    )
    out = result.stdout.str()
    assert "campaign_mock/client.py" not in out and "campaign_mock/pytest_plugin.py" not in out, out


def test_under_xdist_an_unreachable_mock_stops_the_session_with_the_reason(pytester):
    """pytest.exit inside a worker's test crashed xdist's controller (INTERNALERROR, exit 3) and
    the reason was never shown."""
    pytester.makepyfile("import pytest\n\n@pytest.mark.parametrize('n', range(4))\ndef test_x(campaign_mock, n):\n    pass\n")
    result = pytester.runpytest_subprocess(*LEAN, "-n", "2", "--campaign-mock-url", "http://127.0.0.1:9")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines(["*campaign-mock: --campaign-mock-url http://127.0.0.1:9: *cannot connect*"])
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


def test_a_namespace_whose_set_up_failed_is_dropped_too(pytester):
    """On a shared mock: the marker's first scenario loaded, its second refused; the test
    fails, and its namespace goes as after any test."""
    server = start_mock()
    try:
        pytester.makepyfile(
            """
            import pytest

            @pytest.mark.campaign_mock(scenario=["spaaza:\\n  chains:\\n    - id: 7401\\n", "spaaza:\\n  chains:\\n    - name: no id\\n"])
            def test_x(campaign_mock):
                pass
            """
        )
        pytester.runpytest("--campaign-mock-url", server.url).assert_outcomes(errors=1)
        assert [n for n in requests.get(server.url + "/__mock/namespaces", timeout=5).json()["namespaces"] if n.startswith("pytest-")] == []
    finally:
        server.stop()


def test_a_started_mock_that_refuses_the_admin_api_stops_the_session(pytester):
    """An --admin-token among campaign_mock_serve_args that the plugin was not given: one line
    and exit code 4, as for a --campaign-mock-url, not the same 401 in every test."""
    pytester.makepyfile("def test_x(campaign_mock):\n    pass\n\ndef test_y(campaign_mock):\n    pass\n")
    pytester.makeini("[pytest]\ncampaign_mock_serve_args = --chains 0 --admin-token s3cret\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines(["*campaign-mock: the mock it started refuses the admin API: GET /__mock/ns/default/clock: 401 (X-Mock-Admin-Token)*"])
    assert "s3cret" not in result.stdout.str()
    pytester.runpytest("--campaign-mock-admin-token", "s3cret").assert_outcomes(passed=2)
