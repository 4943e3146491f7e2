"""Two replicas (separate `serve` processes, two workers each) on one real Redis agree on
scenarios, clock, faults and the journal."""

from __future__ import annotations

import time

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


def test_a_redis_outage_is_answered_in_the_vendors_envelope_logged_once_and_nothing_is_lost():
    """A real redis-server stopped under a running `serve`, then started again on its port."""
    import subprocess

    from mockserver import LEVELUP_AUTH, start_redis

    started = start_redis()
    if started is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    redis, url = started
    port = url.rsplit(":", 1)[1].split("/")[0]
    server = start_mock("--state", url)
    try:
        ns = f"{server.url}/__mock/ns/outage"
        assert requests.post(f"{ns}/faults", json={"operation": "getCampaigns", "error": 217, "times": None}, timeout=10).status_code == 201
        assert requests.get(ns + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=10).json()["error"]["code"] == 217
        redis.terminate()
        redis.wait(timeout=10)
        n = 40
        with requests.Session() as http:
            spaaza = [http.get(server.url + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=10) for _ in range(n)]
            levelup = http.get(f"{server.url}/v15/campaigns/20/basic_v1", headers=LEVELUP_AUTH, timeout=10)
            admin = http.get(f"{ns}/faults", timeout=10)
        assert {r.status_code for r in spaaza} == {503} and {r.json()["error"]["name"] for r in spaaza} == {"state_unavailable"}
        assert levelup.status_code == 500 and levelup.json()[0]["error"]["code"] == "server_error"
        assert admin.status_code == 503 and "state store" in admin.json()["error"]["message"]
        redis = subprocess.Popen([redis.args[0], "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # back: the default namespace answers again
            if requests.get(server.url + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=10).status_code == 200:
                break
            time.sleep(0.1)
        else:
            pytest.fail("not answering after Redis came back")
        time.sleep(0.3)  # the journal's writer retries every 10 ms
        journal = requests.get(f"{server.url}/__mock/ns/default/journal", timeout=10).json()
        # The requests of the outage were journalled once Redis was back: none lost.
        assert sum(e["status"] == 503 for e in journal["requests"]) >= n and journal["dropped"] == 0  # (and the waits for its return)
    finally:
        server.stop()
        redis.terminate()
        redis.wait(timeout=10)
    log = server.process.stderr.read().decode()
    assert "Traceback" not in log
    assert 1 <= log.count("state store cannot be read or written") <= 2, log[-3000:]


def test_two_replicas_serve_a_variation_byte_for_byte(replicas):
    one, two = (f"{s.url}/__mock/ns/varied" for s in replicas)
    assert requests.put(f"{one}/variation", json={"name": "random", "seed": 4}, timeout=10).status_code == 200
    assert requests.get(f"{two}/variation", timeout=10).json() == {"name": "random", "seed": 4}
    bodies = {requests.get((one, two)[i % 2] + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=30).content for i in range(4)}
    plain = requests.get(replicas[0].url + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=10).content
    assert len(bodies) == 1 and plain not in bodies
    assert requests.delete(f"{two}/variation", timeout=10).status_code == 204
    assert requests.get(one + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=10).content == plain


def test_an_emptied_redis_replays_nothing_of_before():
    """Redis emptied under a running `serve` (a restart without persistence, a FLUSHDB) starts
    its generation again from 0: a request replayed before must not be replayed from what the
    same generation number meant then."""
    import redis as redis_client

    from mockserver import start_redis

    started = start_redis()
    if started is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    process, url = started
    server = start_mock("--state", url)
    try:
        with requests.Session() as http:
            def clock_seen(now: str) -> str:
                assert http.put(f"{server.url}/__mock/clock", json={"now": now}, timeout=10).status_code == 200
                for _ in range(3):  # (the second and third replayed)
                    assert http.get(server.url + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=10).status_code == 200
                time.sleep(0.3)  # (the journal's writer batches every 0.1 s)
                return http.get(f"{server.url}/__mock/journal", timeout=10).json()["requests"][-1]["clock"]

            assert clock_seen("2031-01-01T00:00:00Z").startswith("2031-01-01")
            redis_client.Redis.from_url(url).flushdb()
            assert clock_seen("2032-06-01T00:00:00Z").startswith("2032-06-01")
    finally:
        server.stop()
        process.terminate()
        process.wait(timeout=10)
