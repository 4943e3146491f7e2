"""`campaign-mock check` against real servers: the mock passes, each planted fault fails
with the failing check named, JUnit has one testcase per operation, a seed repeats."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
import requests

from campaign_mock.check import rules
from check_helpers import REPO, check_in_process, positive_outcomes, reached, run_check
from mockserver import SPAAZA_ADMIN, free_port

OPERATIONS = 10  # operationIds in openapi.yaml


def test_mock_passes_check_with_every_check_and_junit(mock_server, tmp_path):
    """Steered by the default fixtures' manifest (the world the seed-0 mock serves): most
    positive cases reach a 2xx, so the domain checks see bodies, and a clean run is silent."""
    junit, events = tmp_path / "junit.xml", tmp_path / "events.ndjson"
    result = check_in_process(
        "--base-url", mock_server.url, "--max-examples", "6", "--junit-xml", str(junit), "--fixtures", str(REPO / "fixtures" / "default"),
        "--", "--report", "ndjson", "--report-ndjson-path", str(events),
    )
    # (c) the JUnit report: parseable, one testcase per operation.
    cases = ET.parse(junit).getroot().iter("testcase")
    cases = list(cases)
    assert len(cases) == OPERATIONS and len({c.get("name") for c in cases}) == OPERATIONS
    failures = [f for c in cases for f in c.iter("failure")] + [e for c in cases for e in c.iter("error")]
    assert not failures, "\n\n".join(f.text or "" for f in failures) + "\n" + result.stdout[-3000:]
    assert result.returncode == 0, result.stdout[-3000:]
    # Every domain check ran, in both phases' worth of generated data.
    ran, modes = set(), set()
    for line in events.read_text().splitlines():
        finished = json.loads(line).get("ScenarioFinished")
        if not finished:
            continue
        for checks in finished["recorder"].get("checks", {}).values():
            ran.update(c["name"] for c in checks)
        for case in finished["recorder"]["cases"].values():
            modes.add(case["value"]["meta"]["generation"]["mode"])
    assert set(rules.RULES) <= ran, set(rules.RULES) - ran
    assert {"positive", "negative"} <= modes
    sent, ok = positive_outcomes(events)
    print(f"steering: {ok} of {sent} positive cases answered 2xx ({ok / sent:.0%})")
    assert ok >= 0.8 * sent, (sent, ok)
    assert "mostly rejected" not in result.stdout, result.stdout[-3000:]
    # Steered from the world's own credentials, the domain checks see every campaign type,
    # every user_progress format and every LevelUp representation.
    from campaign_mock.contract import load_contract
    from campaign_mock.contract.validate import LEVELUP_REPRESENTATIONS

    contract = load_contract()
    types, representations, with_progress = reached(events)
    assert types == set(contract.campaign_types), set(contract.campaign_types) - types
    assert representations == set(LEVELUP_REPRESENTATIONS), set(LEVELUP_REPRESENTATIONS) - representations
    assert {contract.progress_format(t) for t in with_progress} - {None} == {"standard", "loyalty", "wallet"}


def test_long_api_version_parts_and_negative_ids_are_well_formed(mock_server):
    """Found by check at -n 20: the spec allows version parts of any length and any integer."""
    answer = requests.get(
        mock_server.url + "/get-campaign", params={"display_full_campaign": "false", "campaign_id": "2008"},
        headers={**SPAAZA_ADMIN, "X-Spaaza-API-Version": "74.65002.775"}, timeout=10,
    )
    assert answer.status_code == 200, answer.text
    answer = requests.get(mock_server.url + "/get-campaigns", params={"chain_id": "-1035"}, headers=SPAAZA_ADMIN, timeout=10)
    assert answer.json()["error"]["code"] == 217


# (b) Each fault, the operation and check that must catch it, and what the output must say:
# one per domain rule, plus shape, status, Content-Type and WWW-Authenticate faults.
FIXTURES = ("--fixtures", str(REPO / "fixtures" / "default"))  # the world the faulty front serves
FAULTS = {
    "campaign_id_string": ("getCampaigns", "response_schema_conformance", r'Response violates schema[\s\S]*"\d+" is not of type "integer"'),
    "error_217_as_500": ("getCampaigns", "error_matches_catalogue", r"error_matches_catalogue[\s\S]*error 217 chain_id_not_found is documented as HTTP 400, served as HTTP 500"),
    "error_217_named_user_not_found": ("getCampaigns", "error_matches_catalogue", r"error_matches_catalogue[\s\S]*error code 217 is 'chain_id_not_found' in the catalogue, the body names it 'user_not_found'"),
    "campaign_type_ignored": ("getCampaigns", "campaign_type_filter_honoured", r"campaign_type_filter_honoured[\s\S]*listed although campaign_type="),
    "loyalty_off_by_one": ("getCampaigns", "loyalty_level_matches_points", r"loyalty_level_matches_points[\s\S]*points_to_proceed_next_level is \d+, expected \d+"),
    "progress_formats_swapped": ("getCampaigns", "user_progress_fits_campaign_type", r"user_progress_fits_campaign_type[\s\S]*user_progress is not in the \w+ format"),
    "inactive_listed": ("getCampaigns", "exclude_inactive_honoured", r"exclude_inactive_honoured[\s\S]*is inactive \(active=\w+, is_active=\w+\) but listed"),
    "order_reversed": ("getCampaigns", "order_by_honoured", r"order_by_honoured[\s\S]*not descending"),
    "goals_inverted": ("getCampaignCustomProgressBasedV1", "levelup_goals_accomplished_when_reached", r"levelup_goals_accomplished_when_reached[\s\S]*accomplished is (true|false|True|False) with current_progress"),
    "reference_dangling": ("getCampaigns", "referenced_campaigns_listed", r"referenced_campaigns_listed[\s\S]*recipient_campaign_id 999999999 is not in the response"),
    "always_217": ("getCampaigns", "known_request_succeeds", r"Known request refused[\s\S]*answered 400 \(217 chain_id_not_found\), expected 2xx"),
    "always_68": ("getCampaign", "known_request_succeeds", r"Known request refused[\s\S]*answered 500 \(68 permission_denied_or_non_existent\), expected 2xx"),
    "content_type_text": ("getCampaigns", "content_type_conformance", r"Undocumented Content-Type[\s\S]*text/plain"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_planted_fault_fails_check_and_is_named(fault, fault_url):
    operation, check, expected = FAULTS[fault]
    url = fault_url(fault)
    result = check_in_process(
        "--base-url", url, "--operation", operation, "--check", check, *FIXTURES,
        "--max-examples", "20", "--phases", "examples,fuzzing", "--mode", "positive",
    )
    assert result.returncode == 1, result.stdout[-3000:]
    assert re.search(expected, result.stdout), result.stdout[-3000:]
    assert "curl -X GET" in result.stdout  # a reproduction for the failure


def test_missing_www_authenticate_fails_check(fault_url):
    """A LevelUp 401 without its WWW-Authenticate: negative data (no or a bad token) draws 401s."""
    url = fault_url("no_www_authenticate")
    result = check_in_process(
        "--base-url", url, "--operation", "getCampaignBasicV1", "--check", "response_headers_conformance",
        "--max-examples", "10", "--phases", "coverage", "--mode", "negative",
    )
    assert result.returncode == 1, result.stdout[-3000:]
    assert re.search(r"Missing required response headers[\s\S]*`WWW-Authenticate`", result.stdout), result.stdout[-3000:]


@pytest.mark.parametrize("fault", ["always_217", "always_68"])
def test_server_that_serves_nothing_fails_safe_mode(fault, fault_url):
    """--safe (positive data, GET only), every check on, no steering source but the documented
    credentials and ids: a server that refuses everything must not pass."""
    url = fault_url(fault)
    result = check_in_process("--base-url", url, "--safe", "--rate-limit", "100000/m", "--max-examples", "5")
    assert result.returncode == 1, result.stdout[-3000:]
    assert "ST902 Known request refused" in result.stdout, result.stdout[-3000:]


@pytest.mark.parametrize("seed", [0, 2, 5])
def test_negative_mode_passes_on_the_mock(mock_server, seed):
    """Negative data draws errors Spaaza documents with HTTP 500 (228 auth_method_invalid,
    68, 238); served as documented they are not server errors. These seeds met them."""
    result = check_in_process(
        "--base-url", mock_server.url, "--mode", "negative", "--seed", str(seed), "--phases", "fuzzing", "--max-examples", "10",
        "--operation", "getCampaigns", "--operation", "getCampaignsInternal", "--operation", "getCampaign",
    )
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.parametrize("fault", ["unknown_error_500", "error_217_as_500"])
def test_undocumented_500_is_still_a_server_error(fault, fault_url):
    """A 500 with a code outside the catalogue, or with a code documented with another status."""
    url = fault_url(fault)
    result = check_in_process(  # unsteered: these faults show in error answers
        "--base-url", url, "--operation", "getCampaigns", "--check", "not_a_server_error", "--no-steer",
        "--max-examples", "10", "--phases", "examples,fuzzing", "--mode", "positive",
    )
    assert result.returncode == 1, result.stdout[-3000:]
    assert "ST101 Server error" in result.stdout, result.stdout[-3000:]


def test_faulty_front_without_fault_passes(fault_url):
    """The proxy itself is faithful: the faults, not the front, make the runs above fail."""
    url = fault_url("none")
    result = check_in_process("--base-url", url, "--operation", "getCampaigns", "--max-examples", "20",
                       "--phases", "examples,fuzzing", "--mode", "positive", "--exclude-check", "positive_data_acceptance")
    assert result.returncode == 0, result.stdout[-3000:]


def _requests_sent(path) -> list:
    sent = []
    for line in path.read_text().splitlines():
        finished = json.loads(line).get("ScenarioFinished")
        if not finished:
            continue
        for case_id, interaction in sorted(finished["recorder"].get("interactions", {}).items(), key=lambda kv: kv[1]["request"]["uri"]):
            request = interaction["request"]
            headers = {k: v for k, v in request["headers"].items() if not k.lower().startswith("x-schemathesis")}
            sent.append((request["method"], request["uri"], sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in headers.items())))
    return sorted(sent, key=repr)


def test_same_seed_same_requests(mock_server, tmp_path):
    """Across processes: two real `check` commands. (A run in this process may draw a case
    differently: Schemathesis' draws depend on what else the process imported, flask say.)
    The phases the seed decides, and the examples, steered as the others are; the coverage
    phase sends the same requests for any seed."""
    runs = []
    for i in range(2):
        events = tmp_path / f"events{i}.ndjson"
        run_check("--base-url", mock_server.url, "--operation", "getCampaigns", "--operation", "getCampaignBasicV1", "--phases", "examples,fuzzing",
                  "--max-examples", "3", "--seed", "7", "--", "--report", "ndjson", "--report-ndjson-path", str(events))
        runs.append(_requests_sent(events))
    assert runs[0] and runs[0] == runs[1]


def test_safe_mode_narrowed_to_one_operation_runs_only_it(mock_server, tmp_path):
    from campaign_mock.contract import load_contract

    # --safe drops its GET filter when operations are named (Schemathesis ORs include filters):
    # safe only because every operation of the spec is a GET.
    assert {method for item in load_contract().spec["paths"].values() for method in item if method in ("get", "put", "post", "delete", "patch", "head", "options")} == {"get"}
    events = tmp_path / "events.ndjson"
    result = check_in_process("--base-url", mock_server.url, "--safe", "--rate-limit", "6000/m", "--operation", "getCampaigns",
                       "--max-examples", "3", "--", "--report", "ndjson", "--report-ndjson-path", str(events))
    assert result.returncode == 0, result.stdout[-3000:]
    sent = _requests_sent(events)
    assert sent and {(method, uri.split("?")[0].removeprefix(mock_server.url)) for method, uri, _ in sent} == {("GET", "/get-campaigns")}


def test_check_ignores_a_schemathesis_toml_in_its_working_directory(fault_url, tmp_path):
    """A hostile schemathesis.toml where the user runs check (every check off, hooks that do
    not exist, another server): check names its own file, so the fault is still found."""
    (tmp_path / "schemathesis.toml").write_text(
        'hooks = "no_such_hooks_module"\nbase-url = "http://127.0.0.1:1"\n[checks]\nenabled = false\n'
        '[generation]\nmax-examples = 1\n'
    )
    url = fault_url("always_217")
    result = run_check("--base-url", url, "--operation", "getCampaigns", "--max-examples", "3", "--phases", "examples", cwd=tmp_path)
    assert f"Configuration:    {REPO / 'schemathesis.toml'}" in result.stdout, result.stdout[:2000]
    assert result.returncode == 1, result.stdout[-3000:]
    assert "ST902 Known request refused" in result.stdout, result.stdout[-3000:]


# Usage errors: one line, exit 2, before any request of the run -----------------------


def _usage_error(result) -> str:
    assert result.returncode == 2, result.stdout[-3000:]
    assert "Traceback" not in result.stdout and "Schemathesis v" not in result.stdout, result.stdout[-3000:]
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout
    return lines[0]


def test_junit_xml_under_a_regular_file_is_a_usage_error(mock_server, tmp_path):
    (tmp_path / "afile").write_text("")
    line = _usage_error(check_in_process("--base-url", mock_server.url, "--junit-xml", str(tmp_path / "afile" / "x.xml")))
    assert line.startswith(f"campaign-mock: --junit-xml {tmp_path / 'afile' / 'x.xml'}: cannot create its folder"), line


@pytest.mark.parametrize("option", ["--base-url", "--compare-url"])
@pytest.mark.parametrize("url, message", [("notaurl", "is not an http(s) URL"), ("unreachable", "cannot reach the server")])
def test_url_that_is_no_server_is_a_usage_error(mock_server, option, url, message):
    if url == "unreachable":
        url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    args = ["--base-url", url] if option == "--base-url" else ["--base-url", mock_server.url, "--compare-url", url]
    line = _usage_error(check_in_process(*args))
    assert line.startswith(f"campaign-mock: {option} ") and message in line, line


# Drift report -----------------------------------------------------------------------


def test_drift_two_mock_seeds_agree(mock_server, mock_seed_1):
    result = check_in_process("--base-url", mock_server.url, "--compare-url", mock_seed_1.url)
    assert result.returncode == 0, result.stdout
    assert "0 of 21 requests differ" in result.stdout


def test_drift_names_the_differing_field(mock_server, fault_url):
    url = fault_url("campaign_id_string")
    result = check_in_process("--base-url", mock_server.url, "--compare-url", url)
    assert result.returncode == 1, result.stdout
    assert "type of $.results.campaigns[].id: 'number' vs 'number', 'string'" in result.stdout, result.stdout


def test_drift_reports_a_changed_status(mock_server, fault_url):
    url = fault_url("error_217_as_500")
    result = check_in_process("--base-url", mock_server.url, "--compare-url", url)
    assert result.returncode == 1
    assert re.search(r"DIFFERS  error: unknown chain.*\n\s+status: 400 vs 500\n", result.stdout), result.stdout


def test_drift_reports_enum_values(mock_server, fault_url):
    url = fault_url("error_217_named_user_not_found")
    result = check_in_process("--base-url", mock_server.url, "--compare-url", url)
    assert result.returncode == 1
    assert "DIFFERS  error: unknown chain" in result.stdout
    assert "enum values of $.error.name: 'chain_id_not_found' vs 'user_not_found'" in result.stdout, result.stdout


def test_drift_reports_content_type(mock_server, fault_url):
    url = fault_url("content_type_text")
    result = check_in_process("--base-url", mock_server.url, "--compare-url", url)
    assert result.returncode == 1
    assert "Content-Type: application/json vs text/plain" in result.stdout, result.stdout


def test_drift_reports_www_authenticate_as_json(mock_server, fault_url):
    url = fault_url("no_www_authenticate")
    result = check_in_process("--base-url", mock_server.url, "--compare-url", url, "--format", "json")
    assert result.returncode == 1, result.stdout
    report = json.loads(result.stdout)
    assert report["a"] == mock_server.url and report["b"] == url
    differing = [r for r in report["requests"] if r["differs"]]
    assert report["differing"] == len(differing) > 0 and report["total"] == len(report["requests"])
    assert all(r["request"].startswith("GET /v15/") for r in differing), differing
    assert all(r["differences"] == ["WWW-Authenticate header: present vs absent"] for r in differing), differing


@pytest.mark.parametrize("args, message", [
    (["--phases", "examples,stateful"], "--phases: 'stateful' is not a phase; use a comma-separated list of examples, coverage, fuzzing"),
    (["--check", "no_such_check"], "--check/--exclude-check: no check 'no_such_check'; choose one of not_a_server_error,"),
    (["--exclude-check", "nope"], "--check/--exclude-check: no check 'nope'"),
    (["--operation", "getNothing"], "--operation: no operation 'getNothing' in openapi.yaml; choose one of getCampaign,"),
    (["--rate-limit", "fast"], "--rate-limit: 'fast' is not a rate"),
    (["--format", "json"], "--format json is the drift report's (--compare-url)"),
])
def test_usage_errors_speak_of_our_options(mock_server, args, message):
    line = _usage_error(check_in_process("--base-url", mock_server.url, *args))
    assert line.startswith(f"campaign-mock: {message}"), line
    assert "schemathesis" not in line and "--checks" not in line, line


def test_a_namespace_base_url_is_judged_by_its_known_requests(mock_server):
    """README's base URL for a client in a namespace (/__mock/ns/KEY): the checker knows its
    requests from there on, so a fault armed in the namespace is caught (it was not)."""
    import uuid

    import requests

    namespaced = f"{mock_server.url}/__mock/ns/check-{uuid.uuid4().hex[:8]}"
    requests.post(namespaced + "/faults", json={"operation": "getCampaigns", "error": 217, "times": None}, timeout=10).raise_for_status()
    result = check_in_process("--base-url", namespaced, "--operation", "getCampaigns", "--check", "known_request_succeeds", "--max-examples", "5", "--phases", "examples")
    assert result.returncode == 1, result.stdout[-3000:]
    assert "ST902 Known request refused" in result.stdout, result.stdout[-3000:]


def test_each_run_in_one_process_has_its_own_settings(mock_server):
    """The hooks read their settings per run, not once at import: a wrong session key given
    to the second run of this process is the one sent (Schemathesis warns of 401s), and the
    third run's right key is again."""
    args = ("--base-url", mock_server.url, "--operation", "getCampaigns", "--no-steer", "--max-examples", "3", "--phases", "examples")
    refused = "Authentication failed: 1 operation returned only 401/403 responses"
    runs = [check_in_process(*args), check_in_process(*args, "--spaaza-session-key", "not-the-key"), check_in_process(*args)]
    assert [refused in run.stdout for run in runs] == [False, True, False], [run.stdout[-2000:] for run in runs]
