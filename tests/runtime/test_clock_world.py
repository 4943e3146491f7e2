"""The world at any clock: a namespace's clock moved years back or forward serves a world
coherent with it (nothing created after it, no award before a campaign starts, no date after
it), judged by the docs' rules on what is served (contract/body_rules.py). A real server on a
loopback port; the reference clock's answers are the committed fixtures' (tests/world)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import requests
from mockserver import serve_in_thread

from campaign_mock.contract import body_rules
from campaign_mock.runtime.clock import at_clock
from campaign_mock.server.app import create_app
from campaign_mock.server.config import ServerConfig
from campaign_mock.world.build import build_world
from campaign_mock.world.consistency import served_findings
from campaign_mock.world.domain import has_started

CLOCKS = ("2012-03-01T00:00:00+00:00", "2023-06-01T00:00:00+00:00", "2026-06-01T00:00:00+01:00", "2031-01-01T00:00:00+00:00")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serve_in_thread(create_app(ServerConfig(state=str(tmp_path_factory.mktemp("clock") / "state.sqlite")))) as running:
        yield running


def _served(url: str, world: dict) -> list[tuple[int | None, dict]]:
    """(user id, campaign) of every chain's admin answer and every user's, inactive ones too."""
    out = []
    for chain in world["spaaza"]["chains"]:
        if not chain.get("admin"):
            continue
        headers = {"X-Spaaza-Session-User-Id": str(chain["admin"]["user_id"]), "X-Spaaza-Session-Key": chain["admin"]["session_key"], "X-Spaaza-API-Version": "1.5.0"}
        for user_id in (None, *(u["user_id"] for u in chain["users"])):
            query = {"chain_id": chain["chain_id"], "exclude_inactive": "false", **({"user_id": user_id} if user_id else {})}
            answer = requests.get(f"{url}/get-campaigns", params=query, headers=headers, timeout=30)
            assert answer.status_code == 200, answer.text
            out += [(user_id, c) for c in answer.json()["results"]["campaigns"]]
    return out


@pytest.mark.parametrize("clock", CLOCKS)
def test_the_world_served_at_a_moved_clock_is_coherent_with_it(server, clock):
    ns = f"{server.url}/__mock/ns/clock-{clock[:4]}"
    world = requests.get(f"{server.url}/__mock/world", timeout=30).json()
    everything = _served(server.url, world)
    assert requests.put(f"{ns}/clock", json={"now": clock}, timeout=30).status_code == 200
    now = datetime.fromisoformat(clock)
    served = _served(ns, world)
    created_before = {c["id"] for _, c in everything if datetime.fromisoformat(c["created_date"]) <= now}
    assert {c["id"] for _, c in served} == created_before  # what was created after the clock does not exist yet
    problems = []
    for user_id, c in served:
        p = c.get("user_progress")
        problems += [f.message for f in (*body_rules.campaign_dates(c), *body_rules.reached_in_time(c, p, clock=now), *body_rules.loyalty_level(c, p), *body_rules.wallet_progress(c, p), *body_rules.nothing_awarded_without_awards(c, p))]
        problems += [f"{c['id']}: {key} after the clock" for key in ("created_date", "last_modified_date", "last_updated_date") if c.get(key) and datetime.fromisoformat(c[key]) > now]
        if user_id is not None and not has_started(c, now):
            problems += [f"{c['id']} user {user_id}: awarded before it starts" for _ in [1] if isinstance(p, dict) and p.get("award_count")]
            problems += [f"{c['id']} user {user_id}: counted before it starts" for _ in [1] if c.get("current_count")]
    assert problems == []


def test_a_campaign_not_created_yet_is_found_by_no_id(server):
    ns = f"{server.url}/__mock/ns/clock-id"
    headers = {"X-Spaaza-Session-User-Id": "1548854", "X-Spaaza-Session-Key": "564e5b4faa7f639dacf1983f1dae62155d5734b789b06b5986c43bfe2542854e"}
    assert requests.get(f"{ns}/get-campaign", params={"campaign_id": "2013"}, headers=headers, timeout=30).json()["result"]["code"] == 1
    requests.put(f"{ns}/clock", json={"now": "2015-01-01T00:00:00+00:00"}, timeout=30)
    answer = requests.get(f"{ns}/get-campaign", params={"campaign_id": "2013"}, headers=headers, timeout=30)
    assert answer.json()["error"]["code"] == 246, answer.text


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_docs_rules_hold_over_what_is_served_at_clocks_years_back_and_forward(seed):
    """consistency.served_findings, as benchmarks/realism.py judges more seeds."""
    world = build_world(seed)
    assert served_findings(world) == []  # the reference clock's answers
    for days in (-3650, -730, -180, 180, 1825):
        moved = at_clock(world, world.clock + timedelta(days=days))
        assert served_findings(moved) == [], days
