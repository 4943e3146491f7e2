"""The world a page or an entity at a time (runtime/describe.py, behind GET .../world/chains and
below): what each shows, and that the request each entity carries is one the mock answers with
that entity (sent to the real app through Flask's test client)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from campaign_mock.runtime.clock import at_clock
from campaign_mock.runtime.describe import chain_detail, chains_page, levelup_users_page, merchant_detail, merchants_page, repeat_request, user_detail
from campaign_mock.runtime.journal import mask
from campaign_mock.server.app import create_app
from campaign_mock.server.config import ServerConfig
from campaign_mock.world import build_world, documented
from campaign_mock.scenario import load_scenarios

SUMMER = str(Path(__file__).parents[2] / "examples" / "scenarios" / "summer-offer.yaml")


@pytest.fixture(scope="module")
def world():
    return build_world(0, scenarios=load_scenarios([SUMMER]))


@pytest.fixture(scope="module")
def client(world):
    return create_app(ServerConfig(scenarios=(SUMMER,)), world=world).test_client()


def answer(client, request: dict):
    assert request["method"] == "GET"
    return client.get(request["path"], query_string=request["query"], headers=request["headers"])


def test_chains_are_paged_and_filtered_by_id_alias_or_name(world):
    everything = chains_page(world, "", 0, 50)
    assert [c["chain_id"] for c in everything["chains"]] == sorted(world.spaaza.chains) and everything["total"] == len(world.spaaza.chains)
    assert [c["chain_id"] for c in chains_page(world, "", 1, 2)["chains"]] == sorted(world.spaaza.chains)[1:3]
    for q in ("1762", "acme", " ACME ", "1743"):
        found = chains_page(world, q, 0, 50)
        assert found["total"] == 1 and found["chains"][0]["chain_id"] == 1762, q
    first = found["chains"][0]
    assert first["admin"]["user_id"] == documented.ADMIN_USER_ID and first["users"] == 3 and first["campaigns"] == len(world.spaaza.chains[1762].campaigns)
    assert chains_page(world, "no such chain", 0, 50) == {"total": 0, "offset": 0, "limit": 50, "chains": []}


def test_a_chain_shows_its_admin_session_and_each_campaigns_activity_with_a_request_that_shows_it(world, client):
    chain = chain_detail(world, 1743)  # an alias: the chain it names
    assert chain["chain_id"] == 1762 and chain["admin"]["session_key"] == documented.ADMIN_SESSION_KEY and chain["currency"] == "EUR"
    assert answer(client, chain["request"]).status_code == 200
    by_id = {c["id"]: c for c in chain["campaigns"]}
    assert by_id[1269]["active"] is False and by_id[809]["active"] is True  # the documented inactive birthday
    assert by_id[2009]["listed"] is False and by_id[2009]["request"] is None  # deleted: nothing shows it
    for c in chain["campaigns"]:
        if c["request"] is not None:
            body = answer(client, c["request"]).get_json()["results"]
            shown = body.get("campaigns") or [body["campaign"]]
            assert c["id"] in [s["id"] for s in shown], c
    assert [u["user_id"] for u in chain["users"]] == [176201, 176202, 176203]
    assert chain_detail(world, 999) is None


def test_activity_follows_the_clock_of_the_view(world):
    def summer(w):
        return next(c for c in chain_detail(w, 7102)["campaigns"] if c["title"] == "Summer cashback")

    assert summer(world)["active"] is True
    later = at_clock(world, datetime(2024, 7, 1, tzinfo=timezone.utc))
    assert summer(later)["active"] is False and chain_detail(later, 7102)["clock"] == "2024-07-01T00:00:00+00:00"


def test_a_user_shows_six_identifiers_session_progress_and_wallets(world, client):
    user = user_detail(world, 176201)
    assert set(user["identifiers"]) == {"user_id", "member_number", "username", "referral_code", "authentication_point_identifier", "auxiliary_identifier"}
    assert user["session"]["session_key"] == world.spaaza.sessions[176201].key and user["app_hostname"] == documented.APP.hostname
    assert {w["campaign_id"]: (w["type"], w["deleted"]) for w in user["wallets"]} == {859: ("points_wallet", False), 238: ("wallet", False), 2009: ("points_wallet", True)}
    assert {p["campaign_id"] for p in user["progress"]} == {2013, 2011, 2008, 1269, 868, 809}
    loyalty = next(p for p in user["progress"] if p["campaign_id"] == 809)
    assert loyalty["user_progress"] == world.spaaza.progress[(176201, 809)]
    # The user's own view (their session and app), and it carries their progress.
    shown = answer(client, user["request"]).get_json()["results"]["campaigns"]
    assert next(c for c in shown if c["id"] == 809)["user_progress"] == loyalty["user_progress"]
    assert user_detail(world, documented.ADMIN_USER_ID) is None  # an admin session, no end user


def test_levelup_merchants_campaigns_and_tokens(world, client):
    merchants = merchants_page(world, 0, 50)
    assert [m["merchant_id"] for m in merchants["merchants"]] == sorted({c.merchant_id for c in world.levelup.campaigns.values()})
    merchant = merchant_detail(world, 1)
    assert [c["id"] for c in merchant["campaigns"]] == sorted(documented.LEVELUP_CAMPAIGNS)
    first = merchant["campaigns"][0]
    assert {p["user_id"] for p in first["progress"]} == {t.user_id for t in world.levelup.tokens.values()}
    for c in merchant["campaigns"]:
        assert answer(client, c["request"]).status_code == 200, c
    assert merchant_detail(world, 999) is None
    users = levelup_users_page(world, 0, 50)["users"]
    assert users[0]["token"] == documented.LEVELUP_TOKEN
    assert [u["permissions"] for u in users if u["user_id"] == 1003] == [[]]  # the documented refusal's token
    assert answer(client, users[0]["request"]).status_code == 200


def test_a_journal_entry_is_repeatable_with_the_secrets_it_masks_put_back(world, client):
    session = world.spaaza.sessions[176201]
    entry = {
        "seq": 7, "method": "GET", "path": "/get-campaigns", "query_string": "chain_id=1762",
        "headers": {
            "Host": "127.0.0.1:8080", "User-Agent": "curl/8", "X-Mock-Admin-Token": "sec…cret", "X-Mock-Error": "217",
            "X-Spaaza-Session-User-Id": "176201", "X-Spaaza-Session-Key": mask(session.key), "X-Spaaza-Myprice-App-Hostname": documented.APP.hostname,
        },
    }
    repeated = repeat_request(world, entry)
    assert repeated["headers"] == {"X-Mock-Error": "217", "X-Spaaza-Session-User-Id": "176201", "X-Spaaza-Session-Key": session.key, "X-Spaaza-Myprice-App-Hostname": documented.APP.hostname}
    assert repeated["masked"] == [] and parse_qs(repeated["query"]) == {"chain_id": ["1762"]}
    levelup = repeat_request(world, {**entry, "path": "/v15/campaigns/20/basic_v1", "query_string": "", "headers": {"Authorization": mask(f"token {documented.LEVELUP_TOKEN}")}})
    assert levelup["headers"] == {"Authorization": f"token {documented.LEVELUP_TOKEN}"}
    assert answer(client, levelup).status_code == 200
    bearer = repeat_request(world, {**entry, "headers": {"Authorization": mask(f"Bearer {session.access_token}")}})
    assert bearer["headers"] == {"Authorization": f"Bearer {session.access_token}"}
    # A credential the world does not hold stays masked, and says so.
    unknown = repeat_request(world, {**entry, "headers": {"X-Spaaza-Session-User-Id": "176201", "X-Spaaza-Session-Key": "abcd…wxyz"}})
    assert unknown["headers"]["X-Spaaza-Session-Key"] == "abcd…wxyz" and unknown["masked"] == ["X-Spaaza-Session-Key"]


@pytest.mark.parametrize("days", [-3650, -730, -180])
def test_at_a_moved_clock_the_world_shows_what_the_answers_serve(world, days):
    """The console's world at a moved clock: campaigns not created yet are not there, and a
    user's progress and wallets, a LevelUp user's progress, are what the answers show then."""
    from datetime import timedelta

    from campaign_mock.world.model import LEVELUP_PROGRESS_FIELD
    from campaign_mock.world.views import CampaignQuery, get_campaigns, levelup_body, levelup_exists_now

    moved = at_clock(world, world.clock + timedelta(days=days))
    left_out = 0
    for chain_id, chain in sorted(moved.spaaza.chains.items()):
        detail = chain_detail(moved, chain_id)
        served = get_campaigns(moved, chain, CampaignQuery(exclude_inactive=False))["results"]["campaigns"]
        assert sorted(c["id"] for c in detail["campaigns"] if c["listed"]) == sorted(c["id"] for c in served), chain_id
        left_out += len(chain.campaigns) - len(served)
        for user in detail["users"]:
            shown = user_detail(moved, user["user_id"])
            answered = get_campaigns(moved, chain, CampaignQuery(user_id=user["user_id"], exclude_inactive=False))["results"]["campaigns"]
            progress = {c["id"]: c["user_progress"] for c in answered if "user_progress" in c}
            for p in shown["progress"]:
                if p["campaign_id"] in progress:
                    assert p["user_progress"] == progress[p["campaign_id"]], (user["user_id"], p["campaign_id"])
            for w in shown["wallets"]:
                if w["campaign_id"] in progress:
                    assert (w["saved_amount"], w["total_amount"]) == (progress[w["campaign_id"]]["saved_amount"], progress[w["campaign_id"]]["total_amount"])
            assert {p["campaign_id"] for p in shown["progress"] + shown["wallets"]} >= set(progress)
    assert left_out > 0 or days == -180  # the clock moved back past some campaigns' creation
    opened = sorted(c.id for c in moved.levelup.campaigns.values() if levelup_exists_now(moved, c))
    listed = [c["id"] for m in merchants_page(moved, 0, 1000)["merchants"] for c in merchant_detail(moved, m["merchant_id"])["campaigns"]]
    assert sorted(listed) == opened
    for m in merchants_page(moved, 0, 1000)["merchants"]:
        for c in merchant_detail(moved, m["merchant_id"])["campaigns"]:
            campaign = moved.levelup.campaigns[c["id"]]
            representation = next((r for r in sorted(campaign.bodies) if LEVELUP_PROGRESS_FIELD[r] is not None), None)
            for p in c["progress"] if representation else ():
                body = levelup_body(moved, campaign, representation, p["user_id"])["campaign"]
                assert p["progress"] == body[LEVELUP_PROGRESS_FIELD[representation]], (c["id"], p)
