"""The domain's consistency rules, checked over a whole world. The generator keeps them by
construction; this module states them once, so tests can prove each holds for many seeds
and that each is caught when planted broken. Returns findings, never raises."""

from __future__ import annotations

from datetime import datetime
from typing import Iterator

from campaign_mock.world.levelup import LOYALTY_REQUIREMENTS, MANAGE_USER_CAMPAIGNS
from campaign_mock.world.model import Json, World
from campaign_mock.world.spaaza import WALLET_TYPES, is_within_window, parse_time
from campaign_mock.world.views import levelup_body

LEVELUP_MONEY = ("earn_amount", "required_spend_amount", "progress_amount", "qualifying_order_spend_amount")


def findings(world: World) -> list[str]:
    """Every broken rule, as 'rule: where: what'. Empty for a consistent world."""
    return [*_spaaza(world), *_levelup(world)]


def _spaaza(world: World) -> Iterator[str]:
    spaaza = world.spaaza
    for chain in spaaza.chains.values():
        by_id = {c["id"]: c for c in (*chain.campaigns, *chain.unlisted)}
        for c in by_id.values():
            where = f"campaign {c['id']}"
            if c["chain_id"] != chain.id:
                yield f"chain: {where}: chain_id {c['chain_id']} in chain {chain.id}"
            for key in ("recipient_campaign_id", "point_cost_method_wallet_campaign_id"):
                if c.get(key) is not None and by_id.get(c[key], {}).get("type") not in WALLET_TYPES:
                    yield f"wallet reference: {where}: {key} {c[key]} is no wallet of chain {chain.id}"
            for rule in c.get("loyalty_rules", ()):
                for key in ("wallet_campaign_id", "operand_campaign_id"):
                    if key in rule and by_id.get(rule[key], {}).get("type") not in WALLET_TYPES:
                        yield f"wallet reference: {where}: loyalty rule {rule['id']} {key} {rule[key]} is no wallet of chain {chain.id}"
            if c["type"] == "loyalty":
                yield from _levels_and_rules(c)
            yield from _dates(c, world.clock)
            assignments = c.get("campaign_assignments")
            if assignments is not None and len(assignments) != c["assignment_count"]:
                yield f"assignments: {where}: assignment_count {c['assignment_count']} but {len(assignments)} listed"
    for (user_id, cid), progress in spaaza.progress.items():
        chain, c = spaaza.campaigns[cid]
        yield from _progress(world, user_id, c, progress, chain.id)
    for user in spaaza.users.values():
        if user.chain_id not in spaaza.chains:
            yield f"user: {user.user_id}: chain {user.chain_id} does not exist"
    for app in spaaza.apps.values():
        if app.chain_id is not None and spaaza.chain(app.chain_id) is None:
            yield f"app: {app.hostname}: chain {app.chain_id} does not exist"


def _levels_and_rules(c: Json) -> Iterator[str]:
    where = f"campaign {c['id']}"
    levels = {lv["id"]: lv for lv in c["loyalty_levels"]}
    initial = [r for r in c["loyalty_rules"] if r["type"] == "initial"]
    if len(initial) != 1 or initial[0]["points_threshold"] != 0:
        yield f"loyalty rules: {where}: needs exactly one initial rule at threshold 0"
    for lv in levels.values():
        if lv["campaign_id"] != c["id"]:
            yield f"loyalty levels: {where}: level {lv['id']} belongs to campaign {lv['campaign_id']}"
    for rule in c["loyalty_rules"]:
        level = levels.get(rule["loyalty_level_id"])
        if level is None or level["name"] != rule["loyalty_level_name"] or rule["campaign_id"] != c["id"]:
            yield f"loyalty rules: {where}: rule {rule['id']} does not name a level of this campaign"
    thresholds = [r["points_threshold"] for r in c["loyalty_rules"]]
    if len(set(thresholds)) != len(thresholds):
        yield f"loyalty rules: {where}: two rules share a threshold"


def _dates(c: Json, clock: datetime) -> Iterator[str]:
    where = f"campaign {c['id']}"
    if parse_time(c["created_date"]) > parse_time(c["last_modified_date"]):
        yield f"dates: {where}: created after last modified"
    if c.get("last_updated_date") not in (None, c["last_modified_date"]):
        yield f"dates: {where}: last_updated_date differs from last_modified_date"
    start, end = c.get("active_date_from"), c.get("active_date_until")
    if start and end and parse_time(start) > parse_time(end):
        yield f"dates: {where}: active window ends before it starts"
    if c["is_active"] and not (c["active"] and is_within_window(c, clock)):
        yield f"activity: {where}: is_active but inactive or outside its window at {clock.isoformat()}"


def _progress(world: World, user_id: int, c: Json, p: Json, chain_id: int) -> Iterator[str]:
    where = f"user {user_id} campaign {c['id']}"
    user = world.spaaza.users.get(user_id)
    if user is None or user.chain_id != chain_id:
        yield f"progress: {where}: the user is not of chain {chain_id}"
    if "award_count" in p:
        expected = p["award_count"] * (c.get("recipient_reward_amount") or 0)
        if p["total_amount_awarded"] != expected:
            yield f"awards: {where}: {p['award_count']} awards of {c.get('recipient_reward_amount')} but {p['total_amount_awarded']} awarded"
    elif "saved_amount" in p:
        if p["currency"] != world.spaaza.currencies[c["currency_id"]]:
            yield f"wallet currency: {where}: progress in {p['currency']['code']}, wallet in currency {c['currency_id']}"
        if p["total_amount"] < p["saved_amount"]:
            yield f"wallet: {where}: saved more than ever added"
    elif "points_balance_current" in p:
        points = p["points_balance_current"]
        rules = sorted(c["loyalty_rules"], key=lambda r: r["points_threshold"])
        reached = [r for r in rules if r["points_threshold"] <= points] or rules[:1]
        higher = [r["points_threshold"] for r in rules if r["points_threshold"] > points]
        if p["loyalty_level_id"] != reached[-1]["loyalty_level_id"] or p["name"] != reached[-1]["loyalty_level_name"]:
            yield f"loyalty level: {where}: {points} points reach {reached[-1]['loyalty_level_name']}, progress says {p['name']}"
        if p["points_to_proceed_next_level"] != (higher[0] - points if higher else None):
            yield f"loyalty next level: {where}: points_to_proceed_next_level {p['points_to_proceed_next_level']} for {points} points"
        wallet_id = next((r["wallet_campaign_id"] for r in rules if "wallet_campaign_id" in r), None)
        wallet = world.spaaza.progress.get((user_id, wallet_id))
        if wallet is not None and wallet["saved_amount"] != points:
            yield f"loyalty balance: {where}: {points} points but {wallet['saved_amount']} in wallet {wallet_id}"


def _levelup(world: World) -> Iterator[str]:
    levelup = world.levelup
    users = {t.user_id for t in levelup.tokens.values() if MANAGE_USER_CAMPAIGNS in t.permissions}
    for campaign in levelup.campaigns.values():
        for rep, body in campaign.bodies.items():
            for key in LEVELUP_MONEY:
                value = body["campaign"].get(key)
                if value is not None and type(value) is not int:
                    yield f"money: campaign {campaign.id} {rep}: {key} {value!r} is not integer cents"
        for user_id in users:
            progress = levelup.progress.get((user_id, campaign.id), 0)
            for rep, body in campaign.bodies.items():
                for key in LOYALTY_REQUIREMENTS:
                    if key in body["campaign"] and progress >= body["campaign"][key]:
                        yield f"loyalty progress: campaign {campaign.id} {rep} user {user_id}: progress {progress} reaches {key} {body['campaign'][key]} (it resets when a reward is earned)"
            if "custom_progress_based_v1" in campaign.bodies:
                shown = levelup_body(world, campaign, "custom_progress_based_v1", user_id)["campaign"]
                for g in shown["goals"]:
                    if g["goal"]["accomplished"] != (shown["current_progress"] >= g["goal"]["progress_required"]):
                        yield f"goals: campaign {campaign.id} user {user_id}: goal {g['goal']['id']} accomplished is wrong"
