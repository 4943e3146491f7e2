"""The world at any clock: a namespace's clock moved years back or forward serves a world
coherent with it (nothing created after it, no award before a campaign starts, no date after
it), judged by the docs' rules on what is served (contract/body_rules.py). A real server on a
loopback port; the reference clock's answers are the committed fixtures' (tests/world)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable, TypeVar

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
from campaign_mock.world.model import LEVELUP_PROGRESS_FIELD

T = TypeVar("T")
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


def _moved(server, name: str, clock: str, ask: Callable[[str, dict], T]) -> tuple[str, dict, T, T]:
    """(namespace url, world, what `ask` gets at the reference clock, what it gets in a new
    namespace whose clock is `clock`)."""
    ns = f"{server.url}/__mock/ns/{name}-{clock[:4]}"
    world = requests.get(f"{server.url}/__mock/world", timeout=30).json()
    reference = ask(server.url, world)
    assert requests.put(f"{ns}/clock", json={"now": clock}, timeout=30).status_code == 200
    return ns, world, reference, ask(ns, world)


@pytest.mark.parametrize("clock", CLOCKS)
def test_the_world_served_at_a_moved_clock_is_coherent_with_it(server, clock):
    _, _, everything, served = _moved(server, "clock", clock, _served)
    now = datetime.fromisoformat(clock)
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


def _by_user(served: list[tuple[int | None, dict]]) -> dict[tuple[int, int], dict]:
    """(user id, campaign id) -> the campaign as that user is served it."""
    return {(user_id, c["id"]): c for user_id, c in served if user_id is not None}


def test_wallets_at_a_moved_clock_hold_no_award_not_made_yet(server):
    """What awards not counted at the clock (their campaign not created or not started yet)
    paid into a wallet, or redeemed from it, is not in its balances then, nor in the loyalty
    points the wallet counts."""
    world = requests.get(f"{server.url}/__mock/world", timeout=30).json()
    reference = _by_user(_served(server.url, world))
    rolled_back, problems = 0, []
    for clock in CLOCKS:
        ns = f"{server.url}/__mock/ns/wallets-{clock[:4]}"
        assert requests.put(f"{ns}/clock", json={"now": clock}, timeout=30).status_code == 200
        served = _by_user(_served(ns, world))
        late: dict[tuple[int, int], list[int]] = {}  # (user, wallet) -> [paid in, redeemed]
        for (user_id, cid), c in reference.items():
            p, now = c.get("user_progress") or {}, served.get((user_id, cid), {}).get("user_progress") or {}
            if not p.get("award_count") or now.get("award_count"):
                continue
            if c.get("recipient_campaign_id") is not None:
                late.setdefault((user_id, c["recipient_campaign_id"]), [0, 0])[0] += p["total_amount_awarded"]
            if c.get("point_cost") and c.get("point_cost_method_wallet_campaign_id") is not None:
                late.setdefault((user_id, c["point_cost_method_wallet_campaign_id"]), [0, 0])[1] += p["award_count"] * c["point_cost"]
        for (user_id, cid), c in served.items():
            p, then = c.get("user_progress") or {}, reference[user_id, cid].get("user_progress") or {}
            if "saved_amount" in p:
                paid, redeemed = late.get((user_id, cid), (0, 0))
                rolled_back += bool(paid or redeemed)
                total = then["total_amount"] - paid
                expected = (min(max(0, then["saved_amount"] - paid + redeemed), total), total)
                if (p["saved_amount"], p["total_amount"]) != expected:
                    problems.append(f"{clock} user {user_id} wallet {cid}: (saved, total) {(p['saved_amount'], p['total_amount'])}, expected {expected}")
            wallet_id = next((r["wallet_campaign_id"] for r in c.get("loyalty_rules", ()) if "wallet_campaign_id" in r), None)
            wallet = served.get((user_id, wallet_id), {}).get("user_progress")
            if "points_balance_current" in p and wallet and p["points_balance_current"] != wallet["saved_amount"]:
                problems.append(f"{clock} user {user_id} loyalty {cid}: {p['points_balance_current']} points, wallet {wallet_id} holds {wallet['saved_amount']}")
            problems += [f"{clock} user {user_id}: {f.message}" for f in body_rules.loyalty_level(c, p)]
    assert problems == []
    assert rolled_back  # some wallet held an award not made yet at some clock


def _levelup(url: str, world: dict) -> dict[tuple[int, str, int], tuple[int, dict]]:
    """(campaign id, representation, user id) -> (status, body) of every representation of
    every campaign, for every user who may read campaigns."""
    readers = [t for t in world["levelup"]["tokens"] if "manage_user_campaigns" in t["permissions"]]
    out = {}
    for cid, representations in world["levelup"]["representations"].items():
        for rep in representations:
            for t in readers:
                answer = requests.get(f"{url}/v15/campaigns/{cid}/{rep}", headers={"Authorization": f"token {t['token']}"}, timeout=30)
                out[int(cid), rep, t["user_id"]] = (answer.status_code, answer.json())
    return out


def _at(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


@pytest.mark.parametrize("clock", CLOCKS)
def test_levelup_at_a_moved_clock(server, clock):
    """A campaign not open yet at the clock is unknown (the same 404 as an id that never
    existed); one that exists shows dates coherent with the clock (opened by it, its progress
    period the one running then), and progress made in another period counts in none of its
    representations."""
    ns, world, reference, served = _moved(server, "levelup", clock, _levelup)
    now = datetime.fromisoformat(clock)
    token = world["levelup"]["tokens"][0]["token"]
    unknown = requests.get(f"{ns}/v15/campaigns/999999999/basic_v1", headers={"Authorization": f"token {token}"}, timeout=30)
    assert unknown.status_code == 404
    opens: dict[int, datetime] = {}
    other_period: set[int] = set()
    for (cid, _, _), (_, body) in reference.items():
        c = body["campaign"]
        if c.get("opens_at"):
            opens[cid] = min(opens.get(cid, datetime.max.replace(tzinfo=now.tzinfo)), datetime.fromisoformat(c["opens_at"]))
        start, end = _at(c.get("progress_period_starts_at")), _at(c.get("progress_period_resets_at"))
        if start and end and not start <= now < end:
            other_period.add(cid)
    problems, zeroed = [], 0
    for (cid, rep, user_id), (status, body) in served.items():
        where = f"{cid}/{rep} user {user_id}"
        if cid in opens and opens[cid] > now:
            problems += [f"{where}: served before it opens ({status})" for _ in [1] if (status, body) != (404, unknown.json())]
            continue
        assert status == 200, (where, body)
        c = body["campaign"]
        problems += [f"{where}: {key} {c[key]} after the clock" for key in ("opens_at", "progress_period_starts_at") if c.get(key) and _at(c[key]) > now]
        problems += [f"{where}: period reset {c['progress_period_resets_at']} before the clock" for _ in [1] if c.get("progress_period_resets_at") and _at(c["progress_period_resets_at"]) <= now]
        field = LEVELUP_PROGRESS_FIELD[rep]
        if cid in other_period and field is not None:
            zeroed += bool(reference[cid, rep, user_id][1]["campaign"][field])
            problems += [f"{where}: {field} {c[field]} made in another period" for _ in [1] if c[field]]
        problems += [f"{where}: {f.message}" for f in body_rules.goals_accomplished(body)]
    assert problems == []
    assert zeroed and any(cid in opens for cid, _, _ in served)  # progress in another period existed; custom campaigns were asked for
