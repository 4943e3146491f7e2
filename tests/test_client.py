"""MockClient against a real mock (one server for the module; each test its own namespace)."""

from __future__ import annotations

import itertools
import time
from datetime import datetime, timezone

import pytest
import requests

from campaign_mock.client import Entry, MockClient
from campaign_mock.exceptions import MockAdminError, ScenarioRefused
from mockserver import LEVELUP_AUTH, SPAAZA_ADMIN, free_port

SCENARIOS = __import__("pathlib").Path(__file__).parents[1] / "fixtures" / "scenarios"
_keys = itertools.count()


@pytest.fixture
def mock(base_url):
    client = MockClient(base_url).namespace(f"client-test-{next(_keys)}")
    yield client
    client.reset()


def get_campaigns(mock, **params):
    return requests.get(mock.url + "/get-campaigns", params={"chain_id": 1762, **params}, headers=SPAAZA_ADMIN, timeout=10)


def test_url_is_the_namespace_or_the_root(base_url):
    assert MockClient(base_url + "/").url == base_url
    assert MockClient(base_url, "a.b-c_1").url == base_url + "/__mock/ns/a.b-c_1"
    assert MockClient(base_url).health()["status"] == "ok"


def test_scenarios_from_text_dict_and_path(mock):
    assert mock.load_scenario(SCENARIOS / "bronze-member.yaml") == ["bronze-member.yaml"]
    mock.load_scenario({"spaaza": {"chains": [{"id": 7301}]}}, name="dict")
    mock.load_scenario("spaaza:\n  chains:\n    - id: 7302\n", name="text")
    assert [s["name"] for s in mock.scenarios()] == ["bronze-member.yaml", "dict", "text"]
    assert {7001, 7301, 7302} <= {c["chain_id"] for c in mock.world()["spaaza"]["chains"]}
    assert mock.user(700101)["session_key"] == "bronze-member-session-key-700101"
    mock.clear_scenarios()
    assert mock.scenarios() == []


def test_a_refused_scenario_says_where_and_changes_nothing(mock):
    with pytest.raises(ScenarioRefused) as refused:
        mock.load_scenario("spaaza:\n  chains:\n    - name: no id\n")
    assert refused.value.status == 422 and refused.value.field == "scenario"
    assert refused.value.errors and all("$.spaaza.chains[0]" in e for e in refused.value.errors)
    assert "$.spaaza.chains[0]" in str(refused.value)
    assert mock.scenarios() == []
    with pytest.raises(MockAdminError, match="cannot read it"):
        mock.load_scenario("no/such/file.yaml")


def test_clock(mock):
    assert mock.clock()["source"] == "reference"
    assert mock.set_clock(datetime(2030, 5, 1, tzinfo=timezone.utc))["now"].startswith("2030-05-01T00:00:00")
    assert mock.clock()["source"] == "set"
    with pytest.raises(MockAdminError) as bad:
        mock.set_clock("2030-05-01T00:00:00")  # no offset
    assert bad.value.status == 400 and bad.value.field == "now"
    mock.reset_clock()
    assert mock.clock()["source"] == "reference"


def test_faults_fire_in_order_then_the_journal_tells(mock):
    mock.fail("getCampaigns", 217)
    mock.delay("getCampaigns", 400)
    assert [f["remaining"] for f in mock.faults()] == [1, 1]
    assert get_campaigns(mock).json()["error"]["code"] == 217
    started = time.monotonic()
    assert get_campaigns(mock).status_code == 200
    assert time.monotonic() - started >= 0.4  # the delay fault, observed
    journal = mock.journal()
    assert [(e.status, e.error) for e in journal] == [(400, 217), (200, None)]
    assert isinstance(journal[0], Entry) and journal[0].fault and journal[0]["path"] == "/get-campaigns"
    assert mock.journal(status=200, limit=5) == journal[1:]
    mock.drop("getCampaignBasicV1")
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):  # no answer
        requests.get(mock.url + "/v15/campaigns/20/basic_v1", headers=LEVELUP_AUTH, timeout=10)
    mock.add_fault(path="/get-campaigns", error=68, times=None)
    mock.clear_faults()
    assert mock.faults() == []
    mock.clear_journal()
    assert mock.journal() == []


def test_unknown_operation_names_the_field(mock):
    with pytest.raises(MockAdminError) as bad:
        mock.fail("getEverything", 217)
    assert bad.value.status == 400 and bad.value.field == "operation" and "getEverything" in bad.value.message


def test_reset_is_a_fresh_namespace(mock):
    mock.load_scenario(SCENARIOS / "bronze-member.yaml")
    mock.set_clock("2030-01-01T00:00:00+00:00")
    mock.fail("getCampaigns", 217)
    get_campaigns(mock)
    mock.reset()
    assert (mock.scenarios(), mock.faults(), mock.journal(), mock.clock()["source"]) == ([], [], [], "reference")


def test_credentials_from_the_world(mock):
    assert mock.admin_headers(1743) == mock.admin_headers() == SPAAZA_ADMIN  # the documented admin, also by the alias
    assert mock.token(981) == mock.token() == LEVELUP_AUTH["Authorization"].split()[1]
    headers = mock.user_headers(176201)
    answer = requests.get(mock.url + "/get-campaigns", params={"chain_id": 1762}, headers=headers, timeout=10)
    assert answer.status_code == 200
    with pytest.raises(MockAdminError, match="no LevelUp token"):
        mock.token(424242)


def test_assertions_name_secrets_as_sent_though_the_journal_masks_them(mock):
    """The journal keeps a session key or a token masked; a test names the real one."""
    get_campaigns(mock)
    requests.get(mock.url + "/v15/campaigns/20/basic_v1", headers=LEVELUP_AUTH, timeout=10)
    mock.assert_called("getCampaigns", times=1, headers=SPAAZA_ADMIN)
    mock.assert_called(times=1, headers=LEVELUP_AUTH)
    mock.assert_not_called(headers={**SPAAZA_ADMIN, "X-Spaaza-Session-Key": "another-key"})
    kept = mock.journal()[0]["headers"]["X-Spaaza-Session-Key"]  # as the journal shows it
    assert kept.startswith("…") and kept not in SPAAZA_ADMIN.values()
    mock.assert_called("getCampaigns", times=1, headers={"X-Spaaza-Session-Key": kept})
    with pytest.raises(AssertionError, match="expected a request X-Spaaza-Session-User-Id"):
        mock.assert_not_called(headers=SPAAZA_ADMIN)  # it was called: this must fail
    requests.get(mock.url + "/get-campaigns", params={"chain_id": 1762, "access_token": "t0k3n"}, headers=SPAAZA_ADMIN, timeout=10)
    mock.assert_called(access_token="t0k3n", times=1)
    mock.assert_not_called(access_token="other")


def test_coverage_of_the_namespace(mock):
    get_campaigns(mock)
    requests.get(mock.url + "/get-campaigns", params={"chain_id": 1762}, headers={**SPAAZA_ADMIN, "X-Mock-Error": "217"}, timeout=10)
    report = mock.coverage()
    assert report["requests"] == 2
    assert report["dimensions"]["spaaza_errors"]["counts"]["217"] == 1
    assert report["dimensions"]["operations"]["counts"]["getCampaigns"] == 2
    assert mock.coverage(all_namespaces=True)["requests"] >= 2


def test_assertions_list_what_was_received(mock):
    get_campaigns(mock, user_id=176201)
    assert len(mock.assert_called("getCampaigns", times=1, chain_id=1762, user_id=176201)) == 1
    mock.assert_not_called("getCampaign")
    mock.assert_single_user_identifier()
    with pytest.raises(AssertionError) as failed:
        mock.assert_called("getCampaigns", times=2)
    assert "expected getCampaigns 2 time(s), got 1" in str(failed.value)
    assert "GET /get-campaigns?chain_id=1762&user_id=176201 -> 200 operation=getCampaigns" in str(failed.value)
    get_campaigns(mock, user_id=176201, member_number="x")  # a planted mistake: two identifiers
    with pytest.raises(AssertionError, match="1 request\\(s\\) named two user identifiers"):
        mock.assert_single_user_identifier()


def test_an_absent_mock_is_a_clear_error():
    with pytest.raises(MockAdminError, match="cannot connect") as absent:
        MockClient(f"http://127.0.0.1:{free_port()}", timeout=2).health()
    assert absent.value.status is None


def test_the_coverage_command(mock, base_url):
    import json
    import subprocess
    import sys

    get_campaigns(mock)
    cli = [sys.executable, "-m", "campaign_mock", "coverage", "--url", base_url]
    table = subprocess.run([*cli, "--namespace", mock.key], capture_output=True, text=True, timeout=60)
    assert table.returncode == 0 and table.stdout.startswith("campaign-mock business coverage of 1 request(s)")
    assert "  documented operations        1/10   10.0%  never: getCampaign," in table.stdout
    as_json = subprocess.run([*cli, "--namespace", mock.key, "--json", "--fail-under", "99"], capture_output=True, text=True, timeout=60)
    assert as_json.returncode == 1 and "is under 99%" in as_json.stderr
    assert json.loads(as_json.stdout) == mock.coverage()
    everything = subprocess.run([*cli, "--json"], capture_output=True, text=True, timeout=60)
    assert everything.returncode == 0 and json.loads(everything.stdout)["requests"] >= 1


def test_the_admin_token_travels():
    from mockserver import start_mock

    server = start_mock("--admin-token", "s3cret-token")
    try:
        with pytest.raises(MockAdminError) as refused:
            MockClient(server.url).clock()
        assert refused.value.status == 401 and refused.value.field == "X-Mock-Admin-Token"
        assert MockClient(server.url, admin_token="s3cret-token").clock()["source"] == "reference"
    finally:
        server.stop()


def test_a_server_for_any_framework():
    import socket

    from campaign_mock.client import MockServerProcess

    with MockServerProcess.start(["--chains", "0", "--seed", "2"]) as server:
        assert MockClient(server.url).health()["seed"] == 2
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", int(server.url.rsplit(":", 1)[1]))) != 0  # stopped


@pytest.mark.parametrize("key", [".", ".."])
def test_a_dot_namespace_is_refused_not_resolved_to_another_path(base_url, key):
    mock = MockClient(base_url).namespace(key)
    with pytest.raises(MockAdminError) as refused:
        mock.faults()
    assert refused.value.status == 400 and refused.value.field == "namespace"
    with pytest.raises(MockAdminError) as refused:
        mock.fail("getCampaigns", 217)
    assert refused.value.status == 400 and refused.value.field == "namespace"
    response = get_campaigns(mock)  # a client given mock.url: refused, not the root's answer
    assert response.status_code == 400 and response.json()["error"]["field"] == "namespace"
    assert MockClient(base_url).faults() == []


def test_a_server_stops_when_the_process_that_started_it_dies():
    """A crashed or killed owner (SIGKILL, an xdist worker's os._exit when its controller got
    SIGTERM) runs no clean-up: the server, in a session of its own, must not outlive it."""
    import os
    import signal
    import socket
    import subprocess
    import sys

    owner = subprocess.run(
        [sys.executable, "-c", "import os; from campaign_mock.client import MockServerProcess as P; s = P.start(['--chains', '0']); print(s.url, s.process.pid, flush=True); os._exit(0)"],
        capture_output=True,
        text=True,
        timeout=90,
    )
    url, pid = owner.stdout.split()
    port = int(url.rsplit(":", 1)[1])
    try:
        for _ in range(100):  # bounded: 10 s
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) != 0:
                    break
            time.sleep(0.1)
        else:
            pytest.fail(f"the server at {url} outlived the process that started it")
    finally:
        try:
            os.killpg(int(pid), signal.SIGKILL)  # (its group: the workers too)
        except ProcessLookupError:
            pass
