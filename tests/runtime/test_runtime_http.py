"""Runtime control over HTTP, against real servers (`campaign-mock serve`, granian) with two
workers: whichever worker answers, every request sees the same state."""

from __future__ import annotations

import http.client
import json
import time
import uuid

import pytest
import requests

from mockserver import SPAAZA_ADMIN, start_mock

GET_CAMPAIGNS = "/get-campaigns?chain_id=1762"

SCENARIO = """\
spaaza:
  chains:
    - id: 7001
      name: Demo Coffee
      campaigns:
        - id: 7001100
          type: loyalty
          levels:
            - {name: Bronze, points: 0}
            - {name: Silver, points: 500}
"""
BROKEN = """\
spaaza:
  chains:
    - id: 7002
      campaigns:
        - type: loyaltyx
"""


@pytest.fixture(scope="module")
def server():
    server = start_mock("--workers", "2")
    yield server
    server.stop()


@pytest.fixture
def ns(server):
    """A fresh namespace: (vendor base URL, admin base URL)."""
    key = "t-" + uuid.uuid4().hex[:12]
    return f"{server.url}/__mock/ns/{key}", f"{server.url}/__mock/ns/{key}"


def _admin_of(world: dict, chain_id: int) -> dict:
    chain = next(c for c in world["spaaza"]["chains"] if c["chain_id"] == chain_id)
    return {"X-Spaaza-Session-User-Id": str(chain["admin"]["user_id"]), "X-Spaaza-Session-Key": chain["admin"]["session_key"]}


def test_a_scenario_loaded_once_is_seen_by_the_next_50_requests_whichever_worker(ns):
    base, admin = ns
    assert requests.get(f"{base}/get-campaigns?chain_id=7001", headers=SPAAZA_ADMIN, timeout=10).json()["error"]["code"] == 217
    loaded = requests.post(f"{admin}/scenarios?name=demo", data=SCENARIO, headers={"Content-Type": "application/yaml"}, timeout=30)
    assert loaded.status_code == 201 and loaded.json() == {"loaded": ["demo"]}
    headers = _admin_of(requests.get(f"{admin}/world", timeout=10).json(), 7001)
    with requests.Session() as http:  # keep-alive: granian spreads connections over workers
        for _ in range(50):
            with requests.Session() as fresh:  # a new connection each time, too
                body = fresh.get(f"{base}/get-campaigns?chain_id=7001", headers=headers, timeout=10).json()
            assert [c["id"] for c in body["results"]["campaigns"] if c["type"] == "loyalty"] == [7001100]
            assert http.get(f"{base}/get-campaigns?chain_id=7001", headers=headers, timeout=10).status_code == 200
    assert requests.delete(f"{admin}/scenarios", timeout=10).status_code == 204
    for _ in range(20):  # and gone again, from every worker's answer cache
        with requests.Session() as fresh:
            assert fresh.get(f"{base}/get-campaigns?chain_id=7001", headers=SPAAZA_ADMIN, timeout=10).json()["error"]["code"] == 217


def test_the_journal_counts_exactly_the_requests_sent(ns):
    base, admin = ns
    sent = 0
    for i in range(40):  # the same request again and again: answer-cache hits
        with requests.Session() as http:
            http.get(base + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=10)
            http.get(f"{base}/get-campaigns?chain_id={i % 3}", timeout=10)
        sent += 2
    journal = requests.get(f"{admin}/journal", timeout=10).json()
    assert journal["count"] == sent == len(journal["requests"]) and journal["dropped"] == 0
    times = [e["time"] for e in journal["requests"]]
    assert times == sorted(times) and len({e["seq"] for e in journal["requests"]}) == sent  # in the order answered
    ok = requests.get(f"{admin}/journal?status=200&operation=getCampaigns", timeout=10).json()
    assert ok["count"] == 40
    first = ok["requests"][0]
    assert first["path"] == "/get-campaigns" and first["query"] == {"chain_id": ["1762"]} and first["method"] == "GET"
    assert first["headers"]["X-Spaaza-Session-Key"].count("…") == 1 and first["facts"]["api_version"] == "1.5.0"
    refused = requests.get(f"{admin}/journal?error=6&limit=5", timeout=10).json()  # no session
    assert refused["count"] == 5 and all(e["error"] == 6 and e["status"] == 401 for e in refused["requests"])
    assert requests.delete(f"{admin}/journal", timeout=10).status_code == 204
    assert requests.get(f"{admin}/journal", timeout=10).json()["count"] == 0


def test_faults_fire_exactly_n_times_and_in_order(ns):
    base, admin = ns
    armed = [
        requests.post(f"{admin}/faults", json={"operation": "getCampaigns", "error": 217, "times": 2}, timeout=10),
        requests.post(f"{admin}/faults", json={"path": "/get-campaigns", "error": "6"}, timeout=10),
    ]
    assert [r.status_code for r in armed] == [201, 201] and [r.json()["id"] for r in armed] == ["f1", "f2"]
    codes = []
    for _ in range(5):
        with requests.Session() as http:
            body = http.get(base + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=10).json()
        codes.append(body["error"]["code"] if "error" in body else 1)
    assert codes == [217, 217, 6, 1, 1]
    faults = requests.get(f"{admin}/faults", timeout=10).json()["faults"]
    assert [(f["id"], f["fired"], f["remaining"]) for f in faults] == [("f1", 2, 0), ("f2", 1, 0)]
    journal = requests.get(f"{admin}/journal", timeout=10).json()["requests"]
    assert [(e["fault"], e["error"]) for e in journal] == [("f1", 217), ("f1", 217), ("f2", 6), (None, None), (None, None)]


def test_a_request_of_another_method_uses_up_no_fault(ns):
    """A browser client's CORS preflight (OPTIONS) comes before the GET the fault is for."""
    base, admin = ns
    requests.post(f"{admin}/faults", json={"operation": "getCampaigns", "error": 217}, timeout=10).raise_for_status()
    for method in ("OPTIONS", "POST", "HEAD"):
        assert requests.request(method, base + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=10).status_code != 400
    assert requests.get(base + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=10).json()["error"]["code"] == 217
    [fault] = requests.get(f"{admin}/faults", timeout=10).json()["faults"]
    assert fault["fired"] == 1


def test_a_drop_fault_closes_the_connection_and_a_delay_fault_delays(ns):
    base, admin = ns
    requests.post(f"{admin}/faults", json={"operation": "getCampaignBasicV1", "drop": True}, timeout=10)
    with pytest.raises((requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):  # no complete answer
        requests.get(f"{base}/v15/campaigns/20/basic_v1", timeout=10)
    requests.post(f"{admin}/faults", json={"operation": "getCampaign", "delay_ms": 300, "times": None}, timeout=10)
    for _ in range(2):
        response = requests.get(f"{base}/get-campaign?campaign_id=2013", headers=SPAAZA_ADMIN, timeout=10)
        assert response.status_code == 200 and response.elapsed.total_seconds() >= 0.3
    assert requests.delete(f"{admin}/faults", timeout=10).status_code == 204
    assert requests.get(f"{admin}/faults", timeout=10).json() == {"faults": []}


def test_the_clock_moves_exclude_inactive(ns, server):
    base, admin = ns
    headers = _admin_of(requests.get(f"{server.url}/__mock/world", timeout=10).json(), 5001)
    url = "/get-campaigns?chain_id=5001&exclude_inactive=true"

    def active():
        with requests.Session() as http:
            return {c["id"] for c in http.get(base + url, headers=headers, timeout=10).json()["results"]["campaigns"]}

    before = active()
    assert requests.get(f"{admin}/clock", timeout=10).json() == {"now": "2024-01-01T00:00:00+00:00", "source": "reference"}
    moved = requests.put(f"{admin}/clock", json={"now": "2023-12-01T00:00:00+00:00"}, timeout=10)
    assert moved.json() == {"now": "2023-12-01T00:00:00+00:00", "source": "set"}
    during = active()
    # The clock decides both ways: a campaign expired by 2024 is live again, and one whose window
    # opens after 2023-12-01 is not live yet.
    assert during - before and before - during
    assert all(active() == during for _ in range(10))
    assert {c["id"] for c in requests.get(server.url + url, headers=headers, timeout=10).json()["results"]["campaigns"]} == before
    assert requests.delete(f"{admin}/clock", timeout=10).status_code == 204
    assert active() == before


def test_a_scenario_clock_is_the_namespaces_clock_until_one_is_set(ns):
    base, admin = ns
    loaded = requests.post(f"{admin}/scenarios", json={"clock": "2023-12-01T00:00:00+00:00"}, timeout=30)
    assert loaded.status_code == 201, loaded.text
    assert requests.get(f"{admin}/clock", timeout=10).json() == {"now": "2023-12-01T00:00:00+00:00", "source": "scenario"}
    requests.put(f"{admin}/clock", json={"now": "2025-01-01T00:00:00+01:00"}, timeout=10)
    assert requests.get(f"{admin}/clock", timeout=10).json() == {"now": "2025-01-01T00:00:00+01:00", "source": "set"}
    assert requests.get(f"{admin}/world", timeout=10).json()["clock"] == "2025-01-01T00:00:00+01:00"


def test_two_namespaces_never_see_each_other(server):
    one, two = (f"{server.url}/__mock/ns/iso-{uuid.uuid4().hex[:8]}" for _ in range(2))
    requests.post(f"{one}/scenarios", data=SCENARIO, headers={"Content-Type": "application/yaml"}, timeout=30)
    requests.put(f"{one}/clock", json={"now": "2030-01-01T00:00:00+00:00"}, timeout=10)
    requests.post(f"{one}/faults", json={"operation": "getCampaign", "error": 246, "times": None}, timeout=10)
    requests.get(one + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=10)
    assert requests.get(f"{two}/scenarios", timeout=10).json() == {"scenarios": []}
    assert requests.get(f"{two}/clock", timeout=10).json()["now"] == "2024-01-01T00:00:00+00:00"
    assert requests.get(f"{two}/faults", timeout=10).json() == {"faults": []}
    assert requests.get(f"{two}/journal", timeout=10).json()["count"] == 0
    assert 7001 not in [c["chain_id"] for c in requests.get(f"{two}/world", timeout=10).json()["spaaza"]["chains"]]
    assert requests.get(f"{two}/get-campaign?campaign_id=2013", headers=SPAAZA_ADMIN, timeout=10).status_code == 200
    # The header reaches the same namespace as the path.
    key = one.rsplit("/", 1)[1]
    header = requests.get(f"{server.url}/get-campaign?campaign_id=2013", headers={**SPAAZA_ADMIN, "X-Mock-Namespace": key}, timeout=10)
    assert header.json()["error"]["code"] == 246
    assert requests.get(f"{one}/journal", timeout=10).json()["count"] == 2
    assert requests.delete(one, timeout=10).status_code == 204
    assert requests.get(f"{one}/scenarios", timeout=10).json() == {"scenarios": []}
    assert requests.get(f"{one}/journal", timeout=10).json()["count"] == 0


def test_a_refused_document_changes_nothing(ns):
    base, admin = ns
    requests.post(f"{admin}/scenarios?name=demo", data=SCENARIO, headers={"Content-Type": "application/yaml"}, timeout=30)
    world = requests.get(f"{admin}/world", timeout=10).json()
    refused = requests.post(f"{admin}/scenarios?name=broken", data=BROKEN, headers={"Content-Type": "application/yaml"}, timeout=30)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == "scenario" and error["errors"][0].startswith("5: $.spaaza.chains[0].campaigns[0].type: 'loyaltyx'")
    clash = requests.post(f"{admin}/scenarios", json={"spaaza": {"chains": [{"id": 7001, "campaigns": [{"id": 7001100, "type": "signup"}]}]}}, timeout=30)
    assert clash.status_code == 422, clash.text
    assert [s["name"] for s in requests.get(f"{admin}/scenarios", timeout=10).json()["scenarios"]] == ["demo"]
    assert requests.get(f"{admin}/world", timeout=10).json() == world


@pytest.mark.parametrize(
    "method, path, kwargs, status, field",
    [
        ("put", "/clock", {"json": {"now": "2024-01-01T00:00:00"}}, 400, "now"),
        ("put", "/clock", {"json": {"now": "yesterday"}}, 400, "now"),
        ("put", "/clock", {"json": {"now": "3001-01-01T00:00:00+00:00"}}, 400, "now"),
        ("put", "/clock", {"json": {}}, 400, "now"),
        ("put", "/clock", {"data": "{not json", "headers": {"Content-Type": "application/json"}}, 400, None),
        ("post", "/faults", {"json": {"operation": "getCampaigns", "error": 99999}}, 400, "error"),
        ("post", "/faults", {"json": {"operation": "getCampaignBasicV1", "error": 217}}, 400, "error"),
        ("post", "/faults", {"json": {"operation": "nope", "drop": True}}, 400, "operation"),
        ("post", "/faults", {"json": {"path": "/get-campaigns", "delay_ms": -1}}, 400, "delay_ms"),
        ("post", "/faults", {"json": {"path": "/get-campaigns", "drop": True, "error": 217}}, 400, "drop"),
        ("post", "/faults", {"json": {"path": "/get-campaigns", "drop": True, "times": 0}}, 400, "times"),
        ("post", "/faults", {"json": {"path": "/get-campaigns", "drop": True, "colour": 1}}, 400, "colour"),
        ("post", "/scenarios", {"data": "clock: x", "headers": {"Content-Type": "text/plain"}}, 415, "Content-Type"),
        ("post", "/scenarios", {"data": b"a" * (2**20 + 1), "headers": {"Content-Type": "application/yaml"}}, 413, None),
        ("post", "/scenarios?name=bad%20name", {"data": "clock: x", "headers": {"Content-Type": "application/yaml"}}, 400, "name"),
        ("post", "/scenarios?nmae=demo", {"data": 'clock: "2024-01-01T00:00:00+00:00"', "headers": {"Content-Type": "application/yaml"}}, 400, "nmae"),
        ("get", "/journal?limit=0", {}, 400, "limit"),
        ("get", "/journal?colour=red", {}, 400, "colour"),
        ("delete", "/faults/f99", {}, 404, "id"),
        ("patch", "/clock", {}, 405, None),
    ],
)
def test_bad_admin_input_is_a_4xx_json_error_naming_the_field_and_changes_nothing(ns, method, path, kwargs, status, field):
    base, admin = ns
    response = getattr(requests, method)(admin + path, timeout=10, **kwargs)
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json" and response.json()["error"]["field"] == field
    assert requests.get(f"{admin}/faults", timeout=10).json() == {"faults": []}
    assert requests.get(f"{admin}/clock", timeout=10).json()["source"] == "reference"
    assert requests.get(f"{admin}/scenarios", timeout=10).json() == {"scenarios": []}


def test_a_bad_namespace_key_is_a_400_naming_it(server):
    for url, headers in ((f"{server.url}/__mock/ns/a%20b/journal", {}), (f"{server.url}/__mock/ns/{'x' * 65}{GET_CAMPAIGNS}", {}), (server.url + GET_CAMPAIGNS, {"X-Mock-Namespace": "no/slash"})):
        response = requests.get(url, headers=headers, timeout=10)
        assert response.status_code == 400 and response.json()["error"]["field"] == "namespace"
    # "." and "..": as sent (curl --path-as-is, or %2E), never resolved to another path
    host, port = server.url.removeprefix("http://").split(":")
    for path in ("/__mock/ns/../faults", "/__mock/ns/./get-campaigns?chain_id=1762", "/__mock/ns/%2E%2E/journal"):
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("GET", path)
        response = conn.getresponse()
        assert response.status == 400 and json.loads(response.read())["error"]["field"] == "namespace", path
        conn.close()
    response = requests.get(server.url + GET_CAMPAIGNS, headers={"X-Mock-Namespace": ".."}, timeout=10)
    assert response.status_code == 400 and response.json()["error"]["field"] == "namespace"


def test_health_and_world(server):
    assert requests.get(f"{server.url}/__mock/health", timeout=10).json() == {"status": "ok", "seed": 0, "scenarios": [], "store": "sqlite", "read_only_admin": False}
    world = requests.get(f"{server.url}/__mock/world", timeout=10).json()
    acme = next(c for c in world["spaaza"]["chains"] if c["chain_id"] == 1762)
    assert acme["aliases"] == [1743] and acme["admin"]["user_id"] == int(SPAAZA_ADMIN["X-Spaaza-Session-User-Id"])
    user = acme["users"][0]
    assert set(user) >= {"user_id", "member_number", "username", "referral_code", "authentication_point_identifier", "auxiliary_identifier", "session_key", "app_hostname"}
    own = requests.get(
        f"{server.url}/get-campaigns?chain_id=1762&member_number={user['member_number']}",
        headers={"X-Spaaza-Session-User-Id": str(user["user_id"]), "X-Spaaza-Session-Key": user["session_key"], "X-Spaaza-MyPrice-App-Hostname": user["app_hostname"]},
        timeout=10,
    )
    assert own.status_code == 200, own.text  # what the world names is enough to reach it
    token = next(t for t in world["levelup"]["tokens"] if "manage_user_campaigns" in t["permissions"])
    campaign = next(iter(world["levelup"]["representations"]))
    reached = requests.get(f"{server.url}/v15/campaigns/{campaign}/basic_v1", headers={"Authorization": f"token {token['token']}"}, timeout=10)
    assert reached.status_code == 200
    assert world["spaaza"]["unlinked_app_hostnames"] and world["clock"] == "2024-01-01T00:00:00+00:00"


def test_state_in_a_file_survives_a_restart(tmp_path):
    state = str(tmp_path / "state.sqlite")
    first = start_mock("--state", state)
    try:
        admin = f"{first.url}/__mock/ns/kept"
        assert requests.post(f"{admin}/scenarios?name=demo", data=SCENARIO, headers={"Content-Type": "application/yaml"}, timeout=30).status_code == 201
        requests.put(f"{admin}/clock", json={"now": "2023-12-01T00:00:00+00:00"}, timeout=10)
        requests.get(first.url + "/__mock/ns/kept" + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=10)
        assert requests.get(f"{admin}/journal", timeout=10).json()["count"] == 1
    finally:
        first.stop()
    second = start_mock("--state", state)
    try:
        admin = f"{second.url}/__mock/ns/kept"
        assert [s["name"] for s in requests.get(f"{admin}/scenarios", timeout=10).json()["scenarios"]] == ["demo"]
        assert requests.get(f"{admin}/clock", timeout=10).json()["now"] == "2023-12-01T00:00:00+00:00"
        assert requests.get(f"{admin}/journal", timeout=10).json()["count"] == 1
        assert 7001 in [c["chain_id"] for c in requests.get(f"{admin}/world", timeout=10).json()["spaaza"]["chains"]]
    finally:
        second.stop()


def test_a_stopped_server_has_written_its_last_requests_to_the_journal(tmp_path):
    """Ctrl-C right after the last request: the requests the writer held are in the state
    file, not lost with the worker (it ended without flushing; 0 to 14 of 20 were kept)."""
    from campaign_mock.runtime import JournalFilter, SQLiteStore

    state = str(tmp_path / "state.sqlite")
    server = start_mock("--state", state, "--workers", "2")
    try:
        with requests.Session() as session:
            for i in range(20):
                session.get(server.url + GET_CAMPAIGNS, params={"n": i}, headers=SPAAZA_ADMIN, timeout=10)
    finally:
        server.stop()
    store = SQLiteStore(state)
    try:
        entries, dropped = store.journal("default", JournalFilter())
        assert (len([e for e in entries if e[1][2] == "/get-campaigns"]), dropped) == (20, 0)
    finally:
        store.close()


def test_the_admin_token_is_required_when_set_and_health_answers_everyone():
    server = start_mock("--admin-token", "s3cret")
    try:
        assert requests.get(f"{server.url}/__mock/health", timeout=10).status_code == 200
        refused = requests.get(f"{server.url}/__mock/world", timeout=10)
        assert refused.status_code == 401 and refused.json()["error"]["field"] == "X-Mock-Admin-Token"
        assert requests.get(f"{server.url}/__mock/world", headers={"X-Mock-Admin-Token": "wrong"}, timeout=10).status_code == 401
        assert requests.get(f"{server.url}/__mock/world", headers={"X-Mock-Admin-Token": "s3cret"}, timeout=10).status_code == 200
        assert requests.get(server.url + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=10).status_code == 200  # vendor paths need no token
    finally:
        server.stop()


def _json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            pass
    return lines


def test_the_access_log_is_one_json_line_per_vendor_request_and_off_by_default():
    logged = start_mock("--access-log")
    try:
        requests.get(logged.url + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=10)
        requests.get(f"{logged.url}/__mock/ns/log{GET_CAMPAIGNS}", timeout=10)
        requests.get(f"{logged.url}/__mock/ns/log/journal", timeout=10)  # admin: not logged
        time.sleep(0.2)  # (the journal read above waited for every writer's flush, which writes the log)
    finally:
        logged.stop()
    lines = [e for e in _json_lines(logged.process.stderr.read().decode()) if e["path"] != "/"]  # start_mock's probe
    assert [(e["namespace"], e["operation"], e["status"], e["error"]) for e in lines] == [("default", "getCampaigns", 200, None), ("log", "getCampaigns", 401, 6)]
    assert all(e["latency_ms"] >= 0 for e in lines)
    quiet = start_mock()
    try:
        requests.get(quiet.url + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=10)
        time.sleep(0.2)
    finally:
        quiet.stop()
    assert _json_lines(quiet.process.stderr.read().decode()) == []
