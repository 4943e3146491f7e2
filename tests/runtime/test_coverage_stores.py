"""GET /__mock/coverage adds up every namespace's journal, in each store."""

from __future__ import annotations

import requests

from campaign_mock import create_app
from mockserver import SPAAZA_ADMIN, start_mock


def _two_namespaces(get) -> None:
    get("/__mock/ns/cov-a/get-campaigns?chain_id=1762", SPAAZA_ADMIN)
    get("/__mock/ns/cov-b/get-campaigns?chain_id=1762", {"X-Mock-Error": "217"})
    get("/v15/campaigns/20/basic_v1", {})  # the default namespace: a missing token


def _check(report: dict, ns_b: dict) -> None:
    assert report["requests"] == 3
    d = report["dimensions"]
    assert d["operations"]["counts"]["getCampaigns"] == 2 and d["operations"]["counts"]["getCampaignBasicV1"] == 1
    assert d["spaaza_errors"]["counts"]["217"] == 1 and d["levelup_errors"]["counts"]["missing_token"] == 1
    assert ns_b["requests"] == 1 and ns_b["dimensions"]["spaaza_errors"]["covered"] == 1


def test_in_memory_store():
    client = create_app().test_client()
    _two_namespaces(lambda path, headers: client.get(path, headers=headers))
    _check(client.get("/__mock/coverage").get_json(), client.get("/__mock/ns/cov-b/coverage").get_json())


def test_redis_store(redis_url):
    import redis

    # A database of its own: other tests of this run journal into the session's Redis, and
    # GET /__mock/coverage counts every namespace in it.
    url = redis_url.rsplit("/", 1)[0] + "/7"
    redis.Redis.from_url(url).flushdb()
    server = start_mock("--state", url)
    try:
        requests.delete(server.url + "/__mock/ns/default/journal", timeout=10)  # start_mock's probe
        _two_namespaces(lambda path, headers: requests.get(server.url + path, headers=headers, timeout=10))
        _check(requests.get(server.url + "/__mock/coverage", timeout=10).json(), requests.get(server.url + "/__mock/ns/cov-b/coverage", timeout=10).json())
    finally:
        server.stop()
