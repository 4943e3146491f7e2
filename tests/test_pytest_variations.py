"""The plugin's contract variations through pytest itself (pytester, against the session's
mock: --campaign-mock-url): the examples' fragile
client fails naming the variations that break it and what they changed, the robust one
passes them all, under xdist too; the option, the marker's names and set_variation by hand."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from campaign_mock.contract.variations import VARIATIONS

pytest_plugins = ["pytester"]

EXAMPLE = Path(__file__).parents[1] / "examples" / "variations"
LEAN = ("-p", "no:schemathesis", "-p", "no:faker", "-p", "no:hypothesispytest", "-p", "no:anyio", "-p", "no:cacheprovider")


def test_the_fragile_client_fails_naming_the_variations_and_the_robust_one_survives(pytester, base_url):
    for path in EXAMPLE.glob("*.py"):
        shutil.copy(path, pytester.path / path.name)
    result = pytester.runpytest_subprocess(*LEAN, "-n", "2", "--campaign-mock-url", base_url, "survive_the_contract.py")
    result.assert_outcomes(failed=2, passed=2 * len(VARIATIONS) - 2)
    out = result.stdout.str()
    assert "FAILED survive_the_contract.py::test_fragile_client[variation=nullable-null]" in out
    assert "FAILED survive_the_contract.py::test_fragile_client[variation=unknown-fields]" in out
    # The failure says what the variation changed, the field the client read first.
    result.stdout.fnmatch_lines(["*campaign-mock variation nullable-null*", "*'nullable-null' (seed 0)*", "GET /get-campaigns?chain_id=1762&campaign_type=*", '  $.results.campaigns[[]0].voucher_title: null (typically "Your €15 voucher")'])
    result.stdout.fnmatch_lines(["*campaign-mock variation unknown-fields*", "*", "*", "  $.result.x_added_*"])
    # The table: test x variation, from both workers' reports.
    result.stdout.fnmatch_lines(["*campaign-mock contract variations*", "test * optional-absent nullable-null unknown-fields empty-lists *random", "survive_the_contract.py::test_fragile_client pass * FAIL * FAIL * pass*", "survive_the_contract.py::test_robust_client * pass * pass * pass*", "2 of 20 test x variation runs failed"])


def test_the_option_the_marker_names_and_set_variation_by_hand(pytester, base_url):
    pytester.makepyfile(
        """
        import pytest, requests

        def fetch(mock):
            return requests.get(mock.url + "/get-campaigns", params={"chain_id": 1762}, headers=mock.admin_headers(1762)).json()

        @pytest.mark.campaign_mock_variations(names=["empty-lists", "nullable-null"])
        def test_marked(campaign_mock, campaign_mock_variation):
            assert campaign_mock.variation() == {"name": campaign_mock_variation[0], "seed": 0}

        @pytest.mark.campaign_mock_variations(seed=5)
        def test_all(campaign_mock):
            assert campaign_mock.variation()["seed"] == 5

        def test_by_hand(campaign_mock):
            assert campaign_mock.variation() is None
            campaign_mock.set_variation("empty-lists")
            assert fetch(campaign_mock)["results"]["campaigns"] == []
            assert campaign_mock.journal()[-1].variation == {"name": "empty-lists", "seed": 0}
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-n0", "-v", "--campaign-mock-url", base_url)
    result.assert_outcomes(passed=2 + len(VARIATIONS) + 1)
    result.stdout.fnmatch_lines(["*test_marked[[]variation=empty-lists[]] PASSED*", "*test_marked[[]variation=nullable-null[]] PASSED*", "*test_all[[]variation=random[]] PASSED*"])
    result = pytester.runpytest("-p", "no:cacheprovider", "-n0", "-v", "--campaign-mock-url", base_url, "--campaign-mock-variations=nullable-null,long-texts")
    result.assert_outcomes(passed=1 + 2 + 1)
    assert "variation=empty-lists" not in result.stdout.str()


def test_a_bad_name_is_a_usage_error(pytester):
    pytester.makepyfile("import pytest\n\n@pytest.mark.campaign_mock_variations(names=['nullable'])\ndef test_x(campaign_mock):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "-n0", "--campaign-mock-variations=nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--campaign-mock-variations 'nope': nope is no variation; give all or some of optional-absent*"])
    result = pytester.runpytest("-p", "no:cacheprovider", "-n0")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*'nullable' is no variation; known: optional-absent*"])
    assert "Traceback" not in result.stdout.str()


def test_the_readme_shows_the_fragile_client_and_the_fix_as_they_are():
    readme = (EXAMPLE.parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Does your client survive the whole contract?") :]
    fragile = (EXAMPLE / "fragile_client.py").read_text(encoding="utf-8")
    assert fragile[fragile.index("ENVELOPE =") :] in section
    fix = next(line.strip() for line in (EXAMPLE / "robust_client.py").read_text(encoding="utf-8").splitlines() if line.strip().startswith("return ["))
    assert f"```python\n{fix}\n```" in section
    assert all(f"`{name}`" in section for name in VARIATIONS)


def test_the_reliance_report_finds_the_fields_a_client_reads_optional_ones_first(pytester, base_url):
    pytester.makepyfile(
        """
        import pytest, requests

        @pytest.mark.campaign_mock_variations
        def test_levelup(campaign_mock):
            body = requests.get(campaign_mock.url + "/v15/campaigns/20/basic_v1", headers={"Authorization": "token " + campaign_mock.token()}).json()
            assert body["campaign"]["title"]

        @pytest.mark.campaign_mock_variations
        def test_spaaza(campaign_mock):
            params = {"chain_id": 1762, "campaign_type": "interaction"}
            [campaign] = requests.get(campaign_mock.url + "/get-campaigns", params=params, headers=campaign_mock.admin_headers(1762)).json()["results"]["campaigns"]
            assert campaign["description"]
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-n0", "--campaign-mock-url", base_url, "--campaign-mock-variations=nullable-null", "--campaign-mock-reliance", "--campaign-mock-reliance-max-reruns", "40")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(
        [
            "*campaign-mock reliance: the response fields each test needs*",
            "test_the_reliance_report_finds_the_fields_a_client_reads_optional_ones_first.py::test_levelup: relies on 2 of the * fields it received",
            "  required  $.campaign",
            "  required  $.campaign.title",
            "test_the_reliance_report_finds_the_fields_a_client_reads_optional_ones_first.py::test_spaaza: relies on * of the * fields it received",
            "  OPTIONAL  $.results.campaigns[[]*[]].description  <- the contract lets the vendor leave it out",
            "40 reruns in * s; * fields not tried: --campaign-mock-reliance-max-reruns 40 reached",
        ]
    )


def test_a_failure_the_explanation_cannot_read_counts_the_tests_requests_once(pytester, base_url):
    """The explanation asks the answers again; a drop the test armed breaks that. The test's
    requests were counted once before; they must not be counted again at its teardown."""
    pytester.makepyfile(
        """
        import pytest, requests

        @pytest.mark.campaign_mock_variations(names=["nullable-null"])
        def test_x(campaign_mock):
            requests.get(campaign_mock.url + "/get-campaigns", params={"chain_id": 1762}, headers=campaign_mock.admin_headers(1762), timeout=10)
            campaign_mock.drop("getCampaigns", times=None)
            assert False
        """
    )
    result = pytester.runpytest(*LEAN, "--campaign-mock-url", base_url, "--campaign-mock-coverage", "coverage.json")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*could not read what the variation changed*"])
    assert json.loads((pytester.path / "coverage.json").read_text())["requests"] == 1
