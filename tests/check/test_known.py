"""Known requests (check/known.py) from each source are requests the mock answers with 2xx:
otherwise steering to them would make a correct server fail known_request_succeeds."""

from __future__ import annotations

import pytest
import requests

from campaign_mock.check import known
from campaign_mock.check.settings import CheckSettings
from campaign_mock.exceptions import CheckError
from campaign_mock.world import documented
from check_helpers import REPO


def _answered(base_url: str, requests_: list[known.KnownRequest]) -> list[tuple]:
    refused = []
    with requests.Session() as session:
        for k in requests_:
            answer = session.get(base_url + k.path, params=dict(k.query), headers=dict(k.headers), timeout=10)
            if not 200 <= answer.status_code < 300:
                refused.append((k.path, k.query, answer.status_code, answer.text[:120]))
    return refused


def test_known_requests_from_the_world_answer_are_answered(mock_server):
    """The mock's real GET /__mock/world answer (runtime/describe.py), read as check reads it."""
    found = known.from_world(requests.get(mock_server.url + "/__mock/world", timeout=10).json())
    paths = {known.operation_key(k.path) if not k.path.startswith("/v15/") else "levelup" for k in found}
    assert paths == {"/get-campaigns", "levelup"} and len(found) > 50
    assert _answered(mock_server.url, found) == []


def test_known_requests_from_the_fixtures_and_the_docs_are_answered(mock_server):
    s = CheckSettings()
    found = known.documented_requests(s.spaaza_headers(), s.levelup_headers(), s.chain_id, s.progress_user_id)
    found += known.from_manifest(REPO / "fixtures" / "default" / "manifest.json")
    assert _answered(mock_server.url, found) == []


def test_a_file_that_is_no_manifest_is_named(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text('{"files": 3}')
    with pytest.raises(CheckError, match=f"^--fixtures {path}: not a fixtures manifest"):
        known.from_manifest(path)


def test_identity_ignores_what_does_not_name_the_request():
    admin = {"X-Spaaza-Session-User-Id": str(documented.ADMIN_USER_ID), "X-Spaaza-Session-Key": documented.ADMIN_SESSION_KEY}
    base = known.identity("/get-campaigns", {"chain_id": "1762"}, admin)
    assert known.identity("/internal/get-campaigns", {"chain_id": 1762, "order_by": "priority"}, {**admin, "X-Spaaza-API-Version": "1.4.11", "Authorization": "token x"}) == base
    assert known.identity("/get-campaigns", {"chain_id": "1762", "user_id": "1"}, admin) != base
    assert known.identity("/get-campaigns", {"chain_id": "1762"}, {**admin, "Authorization": "Bearer x"}) != base


def test_check_steers_from_the_servers_world(fault_url, tmp_path):
    """No --fixtures: check reads GET /__mock/world (the mock's own, through the faulty front,
    a faithful proxy here) and steers to every chain's sessions and users, not only the documented."""
    import json

    from check_helpers import check_in_process, positive_outcomes

    url = fault_url("none")
    events = tmp_path / "events.ndjson"
    result = check_in_process("--base-url", url, "--operation", "getCampaigns", "--max-examples", "20", "--phases", "fuzzing",
                       "--mode", "positive", "--", "--report", "ndjson", "--report-ndjson-path", str(events))
    assert result.returncode == 0, result.stdout[-3000:]
    sent, ok = positive_outcomes(events)
    assert ok >= 0.8 * sent, (sent, ok)
    chains = {part.split("=")[1] for line in events.read_text().splitlines() if "ScenarioFinished" in line
              for interaction in json.loads(line)["ScenarioFinished"]["recorder"].get("interactions", {}).values()
              for part in interaction["request"]["uri"].split("?", 1)[-1].split("&") if part.startswith("chain_id=")}
    assert {"5001", "5002", "5003"} <= chains, chains


def test_a_world_answer_of_another_shape_is_named():
    with pytest.raises(CheckError, match=r"^GET /__mock/world: not the shape the runtime interface describes \(KeyError"):
        known.from_world({"spaaza": {"chains": [{"admin": {"user_id": 1}}]}})


def test_headers_that_frame_the_message_are_never_sent_as_api_input():
    """Schemathesis may add any header; a malformed Content-Length is refused by the HTTP
    server before any app (granian: an empty 400), which judges no API."""
    from types import SimpleNamespace

    from campaign_mock.check.checks import drop_framing_headers

    case = SimpleNamespace(headers={"Content-Length": "`vvu", "transfer-encoding": "x", "X-Spaaza-Session-Key": "k", "MQG": "v"})
    drop_framing_headers(case)
    assert case.headers == {"X-Spaaza-Session-Key": "k", "MQG": "v"}
