"""Two replicas (separate `serve` processes, two workers each) on one real Redis agree on
scenarios, clock, faults and the journal."""

from __future__ import annotations

import pytest
import requests

from mockserver import SPAAZA_ADMIN, start_mock
from test_runtime_http import GET_CAMPAIGNS, SCENARIO


@pytest.fixture(scope="module")
def replicas(redis_url):
    servers = []
    try:
        servers = [start_mock("--workers", "2", "--state", redis_url) for _ in range(2)]
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_two_replicas_on_one_redis_agree(replicas):
    one, two = (f"{s.url}/__mock/ns/shared" for s in replicas)
    assert requests.get(f"{replicas[0].url}/__mock/health", timeout=10).json()["store"] == "redis"
    assert requests.post(f"{one}/scenarios?name=demo", data=SCENARIO, headers={"Content-Type": "application/yaml"}, timeout=30).status_code == 201
    assert requests.put(f"{one}/clock", json={"now": "2023-12-01T00:00:00+00:00"}, timeout=10).status_code == 200
    assert [s["name"] for s in requests.get(f"{two}/scenarios", timeout=10).json()["scenarios"]] == ["demo"]
    assert requests.get(f"{two}/clock", timeout=10).json() == {"now": "2023-12-01T00:00:00+00:00", "source": "set"}
    assert 7001 in [c["chain_id"] for c in requests.get(f"{two}/world", timeout=10).json()["spaaza"]["chains"]]

    requests.post(f"{two}/faults", json={"operation": "getCampaigns", "error": 217, "times": 3}, timeout=10)
    codes = []
    for i in range(8):  # alternate replicas; the fault fires exactly 3 times in all
        with requests.Session() as http:
            body = http.get((one, two)[i % 2] + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=10).json()
        codes.append(body.get("error", {}).get("code", 1))
    assert codes == [217, 217, 217, 1, 1, 1, 1, 1]
    for admin in (one, two):
        journal = requests.get(f"{admin}/journal", timeout=10).json()
        assert journal["count"] == 8 and [e.get("fault") for e in journal["requests"]] == ["f1"] * 3 + [None] * 5
    assert requests.get(f"{one}/faults", timeout=10).json()["faults"][0]["fired"] == 3
    assert requests.delete(two, timeout=10).status_code == 204
    assert requests.get(f"{one}/scenarios", timeout=10).json() == {"scenarios": []}
    assert requests.get(f"{one}/journal", timeout=10).json()["count"] == 0


def test_two_replicas_serve_a_variation_byte_for_byte(replicas):
    one, two = (f"{s.url}/__mock/ns/varied" for s in replicas)
    assert requests.put(f"{one}/variation", json={"name": "random", "seed": 4}, timeout=10).status_code == 200
    assert requests.get(f"{two}/variation", timeout=10).json() == {"name": "random", "seed": 4}
    bodies = {requests.get((one, two)[i % 2] + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=30).content for i in range(4)}
    plain = requests.get(replicas[0].url + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=10).content
    assert len(bodies) == 1 and plain not in bodies
    assert requests.delete(f"{two}/variation", timeout=10).status_code == 204
    assert requests.get(one + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=10).content == plain
