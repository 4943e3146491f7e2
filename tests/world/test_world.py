"""The world: documented part as documented, every rule of consistency holding for many
seeds and caught when planted broken, every generated response valid, and determinism."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timezone
from types import MappingProxyType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seed_examples import documented_examples

from campaign_mock.contract.validate import LEVELUP_REPRESENTATIONS, violations
from campaign_mock.world import DEFAULT_CLOCK, build_world, documented
from campaign_mock.exceptions import ScenarioError
from campaign_mock.world.build import chain_specs
from campaign_mock.world.consistency import findings
from campaign_mock.world.model import MyPriceApp, World
from campaign_mock.world.spaaza_progress import role_of
from campaign_mock.world.specs import CampaignSpec, ChainSpec, Scenario
from campaign_mock.world.variety import DOCUMENTED_VARIANTS, live_programme_gaps, variants_seen
from campaign_mock.world.views import CampaignQuery, get_campaign, get_campaigns, levelup_body

DEFAULT = build_world(0)


def test_documented_bodies_are_the_docs():
    examples = documented_examples()
    assert documented.spaaza_response() == examples["spaaza_get_campaigns"]
    for rep, (url_id, body) in examples["levelup"].items():
        assert documented.levelup_examples()[rep] == {"url_campaign_id": url_id, "body": body}


def test_default_world_holds_the_documented_examples():
    chain = DEFAULT.spaaza.chain(documented.CHAIN_ID)
    assert chain is DEFAULT.spaaza.chain(documented.CHAIN_ALIAS)
    assert [c["id"] for c in chain.campaigns] == [c["id"] for c in documented.spaaza_response()["results"]["campaigns"]]
    admin = DEFAULT.spaaza.sessions[documented.ADMIN_USER_ID]
    assert admin.key == documented.ADMIN_SESSION_KEY and documented.CHAIN_ID in admin.chain_ids
    assert {20, 17440, 285, 286, 287} <= set(DEFAULT.levelup.campaigns)
    assert "manage_user_campaigns" in DEFAULT.levelup.tokens[documented.LEVELUP_TOKEN].permissions
    # Beside them, a generated part.
    assert len(DEFAULT.spaaza.chains) >= 4 and len(DEFAULT.levelup.campaigns) > 5


def test_every_campaign_type_in_every_generated_chain():
    from campaign_mock.contract import load_contract

    for chain in DEFAULT.spaaza.chains.values():
        if chain.id != documented.CHAIN_ID:
            assert {c["type"] for c in chain.campaigns} == set(load_contract().campaign_types)


def test_users_have_all_six_identifiers_and_sessions():
    for user in DEFAULT.spaaza.users.values():
        ids = user.identifiers()
        assert all(ids.values()) and "@" in ids["username"]
        assert DEFAULT.spaaza.find_user("member_number", user.member_number) is user
        session = DEFAULT.spaaza.sessions[user.user_id]
        assert session.role == "user" and session.chain_ids == {user.chain_id}


def test_default_world_is_consistent():
    assert findings(DEFAULT) == []


def _all_responses(world: World):
    """Every body the world can answer with: each chain as admin and per user, in each
    version that changes it; each campaign; each LevelUp representation per user."""
    for chain in world.spaaza.chains.values():
        users = [None] + [u.user_id for u in world.spaaza.users.values() if u.chain_id == chain.id]
        for version in ((1, 4, 10), (1, 5, 0)):
            for user_id in users:
                yield "spaaza-get-campaigns.json", get_campaigns(world, chain, CampaignQuery(user_id=user_id, version=version, exclude_inactive=False))
        for c in chain.campaigns:
            yield "spaaza-get-campaign.json", get_campaign(world, c, CampaignQuery(user_id=users[-1]))
    for token in world.levelup.tokens.values():
        for campaign in world.levelup.campaigns.values():
            for rep in campaign.bodies:
                yield LEVELUP_REPRESENTATIONS[rep], levelup_body(world, campaign, rep, token.user_id)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), chains=st.integers(0, 3), users=st.integers(0, 3), merchants=st.integers(0, 2), levelup_users=st.integers(1, 3))
def test_any_seed_and_size_gives_a_valid_consistent_world(seed, chains, users, merchants, levelup_users):
    world = build_world(seed, chains=chains, users_per_chain=users, merchants=merchants, levelup_users=levelup_users)
    assert findings(world) == []
    assert live_programme_gaps(world) == []
    for schema, body in _all_responses(world):
        assert violations(schema, body) == [], schema
    if chains >= 2 and users >= 2 and merchants >= 1 and levelup_users >= 2:
        # From two chains of two users and one merchant of one user up, every variant shows.
        assert set(DOCUMENTED_VARIANTS) - variants_seen(world) == set()


def test_the_default_world_shows_every_variant_and_a_live_programme_per_chain():
    assert set(DOCUMENTED_VARIANTS) - variants_seen(DEFAULT) == set()
    assert live_programme_gaps(DEFAULT) == []
    for chain_id in (5001, 5002, 5003):
        shown = get_campaigns(DEFAULT, DEFAULT.spaaza.chains[chain_id], CampaignQuery())["results"]["campaigns"]
        assert any(c["type"] == "loyalty" for c in shown)
        everything = get_campaigns(DEFAULT, DEFAULT.spaaza.chains[chain_id], CampaignQuery(exclude_inactive=False))["results"]["campaigns"]
        assert len(everything) > len(shown)  # inactive, expired and future ones exist beside them
        assert DEFAULT.spaaza.chains[chain_id].unlisted  # and a deleted one


def test_variants_seen_notices_a_missing_variant():
    """The variety measure can fail: a world whose campaigns all have tags null lacks one."""
    chains = {cid: replace(ch, campaigns=tuple({**c, "tags": None} for c in ch.campaigns), unlisted=tuple({**c, "tags": None} for c in ch.unlisted)) for cid, ch in DEFAULT.spaaza.chains.items()}
    world = replace(DEFAULT, spaaza=replace(DEFAULT.spaaza, chains=MappingProxyType(chains), campaigns={}))
    assert set(DOCUMENTED_VARIANTS) - variants_seen(world) == {"tags: string"}
    one_chain = replace(DEFAULT, spaaza=replace(DEFAULT.spaaza, chains=MappingProxyType({5001: replace(DEFAULT.spaaza.chains[5001], campaigns=tuple(c for c in DEFAULT.spaaza.chains[5001].campaigns if c["type"] != "loyalty"))}), campaigns={}))
    assert live_programme_gaps(one_chain) == ["chain 5001: the default answer shows no active loyalty"]


def test_500_assignments_are_counted_per_response():
    """300 + 300 assignments in one answer: none shown, one warning; each alone: all shown."""
    chain = DEFAULT.spaaza.chains[5001]
    login, signup = _of_type("login"), _of_type("signup")
    world = _with_campaign(_with_campaign(DEFAULT, login["id"], **_assigned(login["id"], 300)), signup["id"], **_assigned(signup["id"], 300))
    chain = world.spaaza.chains[5001]
    body = get_campaigns(world, chain, CampaignQuery(exclude_inactive=False))
    assert all(c.get("campaign_assignments") in (None, []) for c in body["results"]["campaigns"])
    total = sum(c["assignment_count"] for c in body["results"]["campaigns"])
    assert total > 600 - 1 and body["warnings"][0]["message"]["quantity"] == total
    alone = get_campaign(world, world.spaaza.campaigns[login["id"]][1], CampaignQuery())
    assert len(alone["results"]["campaign"]["campaign_assignments"]) == 300 and "warnings" not in alone
    brief = get_campaigns(world, chain, CampaignQuery(full=False))
    assert "warnings" not in brief  # no assignments asked for, none to count


def _assigned(cid: int, n: int) -> dict:
    return {"assignment_count": n, "campaign_assignments": [{"id": cid * 1000 + i, "campaign_id": cid, "entity_type": "product", "entity_id": i} for i in range(n)]}


# --- each rule, planted broken --------------------------------------------------------


def _with_campaign(world: World, cid: int, **changes) -> World:
    chain, campaign = world.spaaza.campaigns[cid]
    changed = {**campaign, **changes}
    new_chain = replace(chain, campaigns=tuple(changed if c["id"] == cid else c for c in chain.campaigns), unlisted=tuple(changed if c["id"] == cid else c for c in chain.unlisted))
    chains = MappingProxyType({**world.spaaza.chains, chain.id: new_chain})
    return replace(world, spaaza=replace(world.spaaza, chains=chains, campaigns={}))


def _with_progress(world: World, key, **changes) -> World:
    progress = MappingProxyType({**world.spaaza.progress, key: {**world.spaaza.progress[key], **changes}})
    return replace(world, spaaza=replace(world.spaaza, progress=progress, campaigns={}))


def _of_type(ctype: str, chain_id: int = 5001) -> dict:
    return next(c for c in DEFAULT.spaaza.chains[chain_id].campaigns if c["type"] == ctype)


def _progress_key(ctype: str) -> tuple[int, int]:
    cid = _of_type(ctype)["id"]
    return next(k for k in DEFAULT.spaaza.progress if k[1] == cid)


def _loyalty_with(**rule_changes) -> World:
    c = _of_type("loyalty")
    rules = [dict(c["loyalty_rules"][0]), *(dict(r, **rule_changes) if i == 1 else r for i, r in enumerate(c["loyalty_rules"][1:], 1))]
    return _with_campaign(DEFAULT, c["id"], loyalty_rules=rules)


PLANTED = {
    "recipient is no wallet": (lambda: _with_campaign(DEFAULT, _of_type("cashback")["id"], recipient_campaign_id=_of_type("signup")["id"]), "wallet reference"),
    "point cost wallet of another chain": (lambda: _with_campaign(DEFAULT, _of_type("interaction")["id"], point_cost_method_wallet_campaign_id=859), "wallet reference"),
    "loyalty rule wallet missing": (lambda: _loyalty_with(wallet_campaign_id=424242), "wallet reference"),
    "rule names another level": (lambda: _loyalty_with(loyalty_level_name="Diamond"), "loyalty rules"),
    "created after modified": (lambda: _with_campaign(DEFAULT, _of_type("login")["id"], created_date="2023-12-31T00:00:00+00:00", last_modified_date="2021-01-01T00:00:00+00:00", last_updated_date="2021-01-01T00:00:00+00:00"), "dates"),
    "window ends before it starts": (lambda: _with_campaign(DEFAULT, _of_type("login")["id"], active_date_from="2023-06-01T00:00:00+00:00", active_date_until="2023-01-01T00:00:00+00:00"), "dates"),
    "active outside its window": (lambda: _with_campaign(DEFAULT, _of_type("login")["id"], active_date_until="2023-01-01T00:00:00+00:00", is_active=True, active=True), "activity"),
    "assignments miscounted": (lambda: _with_campaign(DEFAULT, _of_type("login")["id"], assignment_count=3, campaign_assignments=[]), "assignments"),
    "awards disagree with amount": (lambda: _with_progress(DEFAULT, _progress_key("cashback"), award_count=2, total_amount_awarded=7), "awards"),
    "wallet progress in another currency": (lambda: _with_progress(DEFAULT, _progress_key("points_wallet"), currency=DEFAULT.spaaza.currencies[2]), "wallet currency"),
    "level not the one the points reach": (lambda: _with_progress(DEFAULT, _progress_key("loyalty"), points_balance_current=99999), "loyalty level"),
    "points to next level off by one": (lambda: _with_progress(DEFAULT, _progress_key("loyalty"), points_to_proceed_next_level=(DEFAULT.spaaza.progress[_progress_key("loyalty")]["points_to_proceed_next_level"] or 0) + 1), "loyalty next level"),
    "pays into a wallet created after it": (lambda: _with_campaign(DEFAULT, _of_type("cashback")["id"], created_date="2019-01-01T00:00:00+00:00"), "creation order"),
    "loyalty older than its wallet": (lambda: _with_campaign(DEFAULT, _of_type("loyalty")["id"], created_date="2019-01-01T00:00:00+00:00"), "creation order"),
    "created after the clock": (lambda: _with_campaign(DEFAULT, _of_type("login")["id"], created_date="2025-01-01T00:00:00+00:00", last_modified_date="2025-01-01T00:00:00+00:00", last_updated_date="2025-01-01T00:00:00+00:00"), "after the clock"),
    "signup awarded three times": (lambda: _with_progress(DEFAULT, _progress_key("signup"), award_count=3, total_amount_awarded=3 * _of_type("signup")["recipient_reward_amount"]), "award limit"),
    "awarded before it starts": (lambda: _with_progress(_with_campaign(DEFAULT, _of_type("login")["id"], active_date_from="2024-06-01T00:00:00+00:00", active_date_until=None, is_active=False), _progress_key("login"), award_count=1, total_amount_awarded=_of_type("login")["recipient_reward_amount"]), "not started"),
    "current_count reaches its target": (lambda: _with_count(DEFAULT, _of_type("item_purchase_count")["target_count"]), "current count"),
    "saved more than ever added": (lambda: _with_progress(DEFAULT, _progress_key("wallet"), saved_amount=500, total_amount=100), "wallet"),
    "level reached before the programme existed": (lambda: _with_progress(DEFAULT, _progress_key("loyalty"), date_reached="2001-01-01T00:00:00+00:00"), "loyalty dates"),
    "level reached after the clock": (lambda: _with_progress(DEFAULT, _progress_key("loyalty"), last_review_date="2025-01-01T00:00:00+00:00"), "loyalty dates"),
    "title promises another amount": (lambda: _with_campaign(DEFAULT, _of_type("login")["id"], title="Log in and earn 999"), "texts"),
    "cashback text against its ratio": (lambda: _with_campaign(DEFAULT, _of_type("cashback")["id"], cashback_ratio="2.0000", description="Earn 3 points for every 1 GBP"), "texts"),
    "text in another currency": (lambda: _with_campaign(DEFAULT, _of_type("basket")["id"], voucher_title="Your 5 SEK voucher" if DEFAULT.spaaza.chains[5001].currency_id != 4 else "Your 5 EUR voucher"), "texts"),
    "campaign of another chain": (lambda: _with_campaign(DEFAULT, _of_type("login")["id"], chain_id=5002), "chain"),
    "level of another campaign": (lambda: _with_campaign(DEFAULT, _of_type("loyalty")["id"], loyalty_levels=[dict(lv, campaign_id=1) for lv in _of_type("loyalty")["loyalty_levels"]]), "loyalty levels"),
    "progress of a user of another chain": (lambda: _with_new_progress(DEFAULT, (176201, _of_type("login")["id"]), award_count=0, total_amount_awarded=0), "progress"),
    "loyalty balance beside its wallet": (lambda: _with_progress(DEFAULT, _progress_key("points_wallet"), saved_amount=DEFAULT.spaaza.progress[_progress_key("points_wallet")]["saved_amount"] + 1, total_amount=10**6), "loyalty balance"),
    "user of no chain": (lambda: replace(DEFAULT, spaaza=replace(DEFAULT.spaaza, users={**DEFAULT.spaaza.users, 500101: replace(DEFAULT.spaaza.users[500101], chain_id=9999)}, campaigns={})), "user"),
    "app of no chain": (lambda: replace(DEFAULT, spaaza=replace(DEFAULT.spaaza, apps={**DEFAULT.spaaza.apps, "x.example": MyPriceApp(id=1, hostname="x.example", chain_id=9999)}, campaigns={})), "app"),
    # The top user's points wallet is full (nothing spent), yet a voucher cost them points.
    "voucher bought with points never spent": (lambda: _with_progress(DEFAULT, (_role_user("top"), _of_type("interaction")["id"]), award_count=1, total_amount_awarded=_of_type("interaction")["recipient_reward_amount"]), "wallet flows"),
    # The new user's money wallet is empty and was never filled, yet a referral paid into it.
    "award paid into a wallet that never received it": (lambda: _with_progress(DEFAULT, (_role_user("new"), _of_type("referral")["id"]), award_count=1, total_amount_awarded=_of_type("referral")["recipient_reward_amount"]), "wallet flows"),
    "campaign rule states another minimum": (lambda: _with_campaign(DEFAULT, _of_type("login")["id"], minimum_basket_total_value=10, campaign_rules=[{"id": 1, "campaign_id": _of_type("login")["id"], "rule_type": "minimum_basket_total_value", "value": 25}]), "campaign rules"),
    # Every number of this text is one of the campaign's (1 is its reward): only the rate is wrong.
    "cashback rate other than its ratio": (lambda: _with_campaign(DEFAULT, _of_type("cashback")["id"], cashback_ratio="3.0000", description="Earn 1 point for every 1 GBP"), "texts"),
    "a birthday every month": (lambda: _with_progress(_with_campaign(DEFAULT, _of_type("birthday")["id"], max_reward_quantity=None), _progress_key("birthday"), award_count=40, total_amount_awarded=40 * _of_type("birthday")["recipient_reward_amount"]), "award limit"),
}


def _role_user(role: str, chain_id: int = 5001) -> int:
    return chain_id * 100 + 1 + next(k for k in range(3) if role_of(k, chain_id) == role)


def _with_new_progress(world: World, key, **body) -> World:
    return replace(world, spaaza=replace(world.spaaza, progress=MappingProxyType({**world.spaaza.progress, key: body}), campaigns={}))


def test_a_current_count_finding_names_its_own_user():
    cid = _of_type("item_purchase_count")["id"]
    key = next(k for k in DEFAULT.spaaza.current_counts if k[1] == cid and k[0] != max(u for u, _ in DEFAULT.spaaza.progress))
    broken = replace(DEFAULT, spaaza=replace(DEFAULT.spaaza, current_counts=MappingProxyType({**DEFAULT.spaaza.current_counts, key: 99}), campaigns={}))
    assert [str(f) for f in findings(broken) if f.rule == "current count"] == [f"current count: user {key[0]} campaign {cid}: current_count 99 for target_count {_of_type('item_purchase_count')['target_count']}"]


def _with_count(world: World, count: int) -> World:
    cid = _of_type("item_purchase_count")["id"]
    key = next(k for k in world.spaaza.current_counts if k[1] == cid)
    counts = MappingProxyType({**world.spaaza.current_counts, key: count})
    return replace(world, spaaza=replace(world.spaaza, current_counts=counts, campaigns={}))


def _levelup_with(kind_rep: str, user_opted_in: bool | None = None, **changes) -> World:
    campaign = next(c for c in DEFAULT.levelup.campaigns.values() if kind_rep in c.bodies and c.id not in documented.LEVELUP_CAMPAIGNS and (user_opted_in is None or c.bodies[kind_rep]["campaign"].get("requires_opt_in")))
    body = {"campaign": {**campaign.bodies[kind_rep]["campaign"], **changes}}
    broken = replace(campaign, bodies={**campaign.bodies, kind_rep: body})
    levelup = replace(DEFAULT.levelup, campaigns={**DEFAULT.levelup.campaigns, campaign.id: broken})
    if user_opted_in is not None:
        user = next(t.user_id for t in DEFAULT.levelup.tokens.values() if "manage_user_campaigns" in t.permissions)
        levelup = replace(levelup, opted_in={**levelup.opted_in, (user, campaign.id): user_opted_in}, progress={**levelup.progress, (user, campaign.id): 1})
    return replace(DEFAULT, levelup=levelup)


LEVELUP_PLANTED = {
    "progress without opting in": (lambda: _levelup_with("custom_progress_based_v1", user_opted_in=False), "opt-in"),
    "opted_in null where opting in is required": (lambda: _levelup_with("custom_progress_based_v1", requires_opt_in=True, opted_in=None), "opt-in"),
    "opens after the clock": (lambda: _levelup_with("custom_progress_based_v1", opens_at="2024-06-01T00:00:00-04:00"), "levelup dates"),
    "period resets before it starts": (lambda: _levelup_with("item_based_gift_card_loyalty_v1", progress_period_starts_at="2023-12-01T00:00:00-04:00", progress_period_resets_at="2023-11-01T00:00:00-04:00"), "levelup dates"),
    "description counts other items": (lambda: _levelup_with("item_based_loyalty_v1", required_item_plural="Pretzels"), "levelup texts"),
    "description promises another reward": (lambda: _levelup_with("basic_v1", description="Spend $7, get $3 credit!"), "levelup texts"),
}


@pytest.mark.parametrize("fault", sorted(LEVELUP_PLANTED))
def test_planted_levelup_violation_is_found(fault):
    plant, rule = LEVELUP_PLANTED[fault]
    found = findings(plant())
    assert rule in {f.rule for f in found}, found


@pytest.mark.parametrize("fault", sorted(PLANTED))
def test_planted_violation_is_found(fault):
    plant, rule = PLANTED[fault]
    found = findings(plant())
    assert rule in {f.rule for f in found}, found


def test_planted_levelup_money_as_float_is_found():
    campaign = next(c for c in DEFAULT.levelup.campaigns.values() if "spend_based_loyalty_v1" in c.bodies)
    body = {"campaign": {**campaign.bodies["spend_based_loyalty_v1"]["campaign"], "earn_amount": 10.5}}
    broken = replace(campaign, bodies={**campaign.bodies, "spend_based_loyalty_v1": body})
    world = replace(DEFAULT, levelup=replace(DEFAULT.levelup, campaigns={**DEFAULT.levelup.campaigns, campaign.id: broken}))
    assert [f for f in findings(world) if f.rule == "money"]


# --- the rules the checker shares (contract/body_rules.py) -------------------------------


def _loyalty_key() -> tuple[int, int]:
    return _progress_key("loyalty")


SHARED = {
    # fault: (the world planted broken, the checker's rule)
    "next level off by one": (lambda: _with_progress(DEFAULT, _loyalty_key(), points_to_proceed_next_level=(DEFAULT.spaaza.progress[_loyalty_key()]["points_to_proceed_next_level"] or 0) + 1), "loyalty_level_matches_points"),
    "level not the one the points reach": (lambda: _with_progress(DEFAULT, _loyalty_key(), points_balance_current=99999), "loyalty_level_matches_points"),
    "saved more than ever added": (lambda: _with_progress(DEFAULT, _progress_key("wallet"), saved_amount=500, total_amount=100), "wallet_progress_fits_wallet"),
    "wallet progress in another currency": (lambda: _with_progress(DEFAULT, _progress_key("points_wallet"), currency=DEFAULT.spaaza.currencies[2]), "wallet_progress_fits_wallet"),
    "created after modified": (lambda: _with_campaign(DEFAULT, _of_type("login")["id"], created_date="2023-12-31T00:00:00+00:00", last_modified_date="2021-01-01T00:00:00+00:00", last_updated_date="2021-01-01T00:00:00+00:00"), "campaign_dates_in_order"),
    "level reached before the programme": (lambda: _with_progress(DEFAULT, _loyalty_key(), date_reached="2001-01-01T00:00:00+00:00"), "campaign_dates_in_order"),
    "nothing awarded yet paid": (lambda: _with_progress(DEFAULT, _progress_key("cashback"), award_count=0, total_amount_awarded=5), "no_awards_nothing_awarded"),
}


# The checker's rule -> the world's rules that say the same (the world's add nothing here).
SHARED_RULES = {
    "loyalty_level_matches_points": ("loyalty level", "loyalty next level"),
    "wallet_progress_fits_wallet": ("wallet currency", "wallet"),
    "campaign_dates_in_order": ("dates", "loyalty dates"),
    "no_awards_nothing_awarded": ("awards",),
}


@pytest.mark.parametrize("fault", sorted(SHARED))
def test_the_world_and_the_checker_judge_by_one_rule(fault):
    """A rule both state: the world's finding and the checker's, on the answer that world
    gives, say the same thing about the same campaign."""
    from requests.structures import CaseInsensitiveDict

    from campaign_mock.check import rules
    from campaign_mock.check.exchange import Exchange

    plant, check_rule = SHARED[fault]
    world = plant()
    found = [f for f in findings(world) if f.rule in SHARED_RULES[check_rule]]
    assert found, findings(world)
    cid = found[0].path[3] if found[0].path[1] == "progress" else found[0].path[2]
    user_id = found[0].path[2] if found[0].path[1] == "progress" else None
    chain = world.spaaza.campaigns[cid][0]
    body = get_campaigns(world, chain, CampaignQuery(user_id=user_id, exclude_inactive=False))
    answer = Exchange(method="GET", path="/get-campaigns", query={}, request_headers=CaseInsensitiveDict(), status=200, body=body)
    by_world = {f.message.split(": ", 1)[1] for f in found if cid in f.path}
    by_checker = {m.split(": ", 1)[1] for m in rules.RULES[check_rule](answer) if m.startswith(f"campaign {cid} (")}
    assert by_world == by_checker


def test_goal_accomplished_exactly_at_the_requirement():
    campaign = next(c for c in DEFAULT.levelup.campaigns.values() if "custom_progress_based_v1" in c.bodies)
    need = campaign.bodies["custom_progress_based_v1"]["campaign"]["goals"][0]["goal"]["progress_required"]
    for progress, accomplished in ((need - 1, False), (need, True), (need + 1, True)):
        world = replace(DEFAULT, levelup=replace(DEFAULT.levelup, progress={(1, campaign.id): progress}))
        goal = levelup_body(world, campaign, "custom_progress_based_v1", 1)["campaign"]["goals"][0]["goal"]
        assert goal["accomplished"] is accomplished


# --- determinism ----------------------------------------------------------------------


def test_seeded_per_entity_adding_a_chain_or_campaign_changes_no_other():
    small = build_world(3, chains=2)
    large = build_world(3, chains=3)
    for chain_id, chain in small.spaaza.chains.items():
        assert large.spaaza.chains[chain_id] == chain
    extra = Scenario("test", chains=(ChainSpec(id=5001, campaigns=(CampaignSpec("cashback"),)),))
    grown = build_world(3, chains=2, scenarios=[extra])
    before = {c["id"]: c for c in small.spaaza.chains[5001].campaigns}
    after = {c["id"]: c for c in grown.spaaza.chains[5001].campaigns}
    assert len(after) == len(before) + 1
    assert all(after[cid] == c for cid, c in before.items())


# Run in a fresh process whose wall clock raises when read (datetime.now/utcnow/today,
# date.today), so any read of it while the world is built fails the test.
WALL_CLOCK_FORBIDDEN = """
import datetime as _dt

from faker import Faker

Faker("en_US")  # Faker reads date.today() once, as a default argument, when it loads its providers


class Frozen(_dt.datetime):
    @classmethod
    def now(cls, tz=None):
        raise AssertionError("the wall clock was read: datetime.now")

    @classmethod
    def utcnow(cls):
        raise AssertionError("the wall clock was read: datetime.utcnow")

    @classmethod
    def today(cls):
        raise AssertionError("the wall clock was read: datetime.today")


class FrozenDate(_dt.date):
    @classmethod
    def today(cls):
        raise AssertionError("the wall clock was read: date.today")


_dt.datetime, _dt.date = Frozen, FrozenDate
from datetime import datetime, timezone  # noqa: E402

from campaign_mock.world.build import build_world  # noqa: E402
from campaign_mock.world.domain import is_within_window  # noqa: E402

world = build_world(0)  # raises AssertionError if anything in it reads the wall clock
moved = build_world(0, clock=datetime(2030, 1, 1, tzinfo=timezone.utc))
assert moved.clock.year == 2030 and world.clock.year == 2024


def active(clock):
    return sorted(c["id"] for chain in world.spaaza.chains.values() for c in chain.campaigns if is_within_window(c, clock))


# The same campaigns at two clocks: whether a date window is open follows the clock given.
assert active(world.clock) != active(datetime(2023, 12, 10, tzinfo=timezone.utc))
print("ok")
"""


def test_the_clock_decides_activity_never_the_wall_clock():
    later = datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert build_world(0).clock == DEFAULT_CLOCK
    moved = build_world(0, clock=later)
    assert moved.clock == later and findings(moved) == []
    result = subprocess.run([sys.executable, "-c", WALL_CLOCK_FORBIDDEN], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-2000:]


def test_fixtures_are_byte_identical_across_processes(tmp_path):
    """Two processes with different hash seeds write the same bytes."""
    outs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"run{hash_seed}"
        subprocess.run([sys.executable, "-m", "campaign_mock", "fixtures", "--seed", "11", "--out", str(out), "--chains", "2"], check=True, env={"PYTHONHASHSEED": hash_seed, "PATH": ""}, capture_output=True)
        outs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outs[0] == outs[1] and len(outs[0]) > 50


def test_a_scenario_chain_reached_by_generated_chains_is_refused():
    new_chain = Scenario("new.yaml", chains=(ChainSpec(id=7001, campaigns=(CampaignSpec("cashback"),)),))
    assert 7001 in build_world(0, chains=2, scenarios=[new_chain]).spaaza.chains
    with pytest.raises(ScenarioError, match="new.yaml: chain 7001 is also generated chain 2001"):
        chain_specs(2001, 0, [new_chain])


def test_two_scenarios_may_add_to_the_same_new_chain():
    """Not a collision with a generated chain: the second file adds to the first file's chain."""
    first = Scenario("a.yaml", chains=(ChainSpec(id=7001, campaigns=(CampaignSpec("cashback", id=7001100),)),))
    second = Scenario("b.yaml", chains=(ChainSpec(id=7001, campaigns=(CampaignSpec("signup", id=7001101),)),))
    chain = build_world(0, chains=1, scenarios=[first, second]).spaaza.chains[7001]
    assert {c["id"] for c in chain.campaigns} >= {7001100, 7001101}


def test_a_scenario_s_numbers_are_what_its_texts_and_rules_state(tmp_path):
    """Fields a scenario sets (reward, target, ratio, minimum basket) are set before the texts
    and campaign rules are written from them: the scenario is not refused for generated
    texts that state the numbers it replaced."""
    from campaign_mock.scenario import load_scenarios

    campaigns = [
        {"id": 7101100, "type": "basket", "recipient_reward_amount": 7},
        {"id": 7101101, "type": "item_purchase_count", "target_count": 3},
        {"id": 7101102, "type": "basket", "minimum_basket_total_value": 40},
        {"id": 7101103, "type": "cashback", "cashback_ratio": "3.0000"},
    ]
    path = tmp_path / "numbers.yaml"
    path.write_text(json.dumps({"spaaza": {"chains": [{"id": 7101, "currency": "EUR", "generated_users": 2, "campaigns": campaigns}]}}))
    world = build_world(0, scenarios=load_scenarios([path]))
    text = {cid: world.spaaza.campaigns[cid][1]["title"] + " " + world.spaaza.campaigns[cid][1]["description"] for cid in range(7101100, 7101104)}
    assert "€7" in text[7101100] and "Buy 3 " in text[7101101] and "€40" in text[7101102] and "3 points for every 1 EUR" in text[7101103]
    assert findings(world) == []
    # Hundreds of seeds of campaign ids: whichever draws campaign_rules states the declared minimum.
    for cid in range(7101200, 7101260):
        path.write_text(json.dumps({"spaaza": {"chains": [{"id": 7101, "campaigns": [{"id": cid, "type": "login", "minimum_basket_total_value": 40}, {"id": cid + 100, "type": "login", "minimum_basket_total_value": 0}]}]}}))
        world = build_world(0, scenarios=load_scenarios([path]), chains=0, merchants=0, levelup_users=1, documented_part=False)  # the scenario's chain alone
        assert [r["value"] for r in world.spaaza.campaigns[cid][1].get("campaign_rules", ())] in ([], [40])
        assert "campaign_rules" not in world.spaaza.campaigns[cid + 100][1]
