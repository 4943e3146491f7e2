"""What the generated part of a world shows: the value variants the vendor documents (and the
user_progress states a client must render), and whether every generated chain's default answer
is live. Every seed shows them all (tests/world, benchmarks/realism.py); the consistency rules
(consistency.py) say what must hold, this module what must appear."""

from __future__ import annotations

from datetime import datetime
from typing import Iterator

from campaign_mock.contract import load_contract
from campaign_mock.contract.facts import MANAGE_USER_CAMPAIGNS
from campaign_mock.world import documented
from campaign_mock.world.domain import has_started, is_within_window
from campaign_mock.world.model import Json, World
from campaign_mock.world.specs import GENERATED_CHAINS, WALLET_TYPES
from campaign_mock.world.views import CampaignQuery, levelup_body, select

# The value variants the vendor documents and the user_progress states a client must render,
# as variants_seen names them. Every seed's generated part shows them all (tests, benchmarks/realism.py).
DOCUMENTED_VARIANTS = (
    "last_updated_date: null", "last_updated_date: set",
    "tags: null", "tags: string",
    "voucher_notes: null", 'voucher_notes: "null"', "voucher_notes: text",
    "max_reward_quantity: null", "max_reward_quantity: integer",
    "active_date_from: null", "active_date_from: set",
    "campaign: inactive", "campaign: expired", "campaign: future", "campaign: deleted",
    "user: new with nothing", "loyalty: near the next level", "loyalty: top level",
    "wallet: full", "wallet: empty", "current_count: one short of its target",
    "levelup opted_in: true", "levelup opted_in: false", "levelup opted_in: null",
    "levelup requires_opt_in: true", "levelup requires_opt_in: false",
    "levelup time: local offset", "levelup goal: accomplished", "levelup goal: open",
)


def _campaign_variants(c: Json, clock: datetime) -> Iterator[str]:
    yield "last_updated_date: " + ("null" if c.get("last_updated_date") is None else "set")
    yield "tags: " + ("null" if c.get("tags") is None else "string")
    if "voucher_notes" in c and c["type"] not in WALLET_TYPES and c["type"] != "loyalty":
        notes = c["voucher_notes"]
        yield "voucher_notes: " + ("null" if notes is None else '"null"' if notes == "null" else "text")
    yield "max_reward_quantity: " + ("null" if c.get("max_reward_quantity") is None else "integer")
    yield "active_date_from: " + ("null" if c.get("active_date_from") is None else "set")
    if c.get("is_deleted"):
        yield "campaign: deleted"
    elif not c["active"]:
        yield "campaign: inactive"
    elif not has_started(c, clock):
        yield "campaign: future"
    elif not is_within_window(c, clock):
        yield "campaign: expired"


def variants_seen(world: World) -> set[str]:
    """Which DOCUMENTED_VARIANTS the generated part of the world shows (the documented
    examples are left out: they show their own)."""
    seen: set[str] = set()
    spaaza = world.spaaza
    documented_ids = {c["id"] for c in documented.spaaza_campaigns()} | {documented.deleted_wallet_2009()["id"]}
    for cid, (_, c) in spaaza.campaigns.items():
        if cid not in documented_ids:
            seen.update(_campaign_variants(c, world.clock))
    progress_by_user: dict[int, list[Json]] = {}
    for (user_id, cid), p in spaaza.progress.items():
        progress_by_user.setdefault(user_id, []).append(p)
        if "points_to_proceed_next_level" in p:
            rules = sorted(r["points_threshold"] for r in spaaza.campaigns[cid][1]["loyalty_rules"])
            to_next = p["points_to_proceed_next_level"]
            if to_next is None:
                seen.add("loyalty: top level")
            else:
                reached = max(t for t in rules if t <= p["points_balance_current"])
                if 0 < to_next * 10 <= p["points_balance_current"] + to_next - reached:
                    seen.add("loyalty: near the next level")
        elif "saved_amount" in p and p["total_amount"] > 0:
            seen.add("wallet: full" if p["saved_amount"] == p["total_amount"] else "wallet: empty" if p["saved_amount"] == 0 else "wallet: partly spent")
    for progresses in progress_by_user.values():
        if all(p.get("award_count", 0) == 0 and p.get("total_amount", 0) == 0 and p.get("points_balance_current", 0) == 0 for p in progresses):
            seen.add("user: new with nothing")
    for (_user_id, cid), count in spaaza.current_counts.items():
        if count and count == spaaza.campaigns[cid][1]["target_count"] - 1:
            seen.add("current_count: one short of its target")
    levelup = world.levelup
    users = [t.user_id for t in levelup.tokens.values() if MANAGE_USER_CAMPAIGNS in t.permissions]
    for campaign in levelup.campaigns.values():
        if campaign.id in documented.LEVELUP_CAMPAIGNS:
            continue
        for body in campaign.bodies.values():
            for key in ("opens_at", "closes_at", "progress_period_starts_at", "progress_period_resets_at"):
                if body["campaign"].get(key) and not body["campaign"][key].endswith("+00:00"):
                    seen.add("levelup time: local offset")
        if "custom_progress_based_v1" in campaign.bodies:
            for user_id in users:
                shown = levelup_body(world, campaign, "custom_progress_based_v1", user_id)["campaign"]
                seen.add(f"levelup requires_opt_in: {str(shown['requires_opt_in']).lower()}")
                seen.add("levelup opted_in: " + ("null" if shown["opted_in"] is None else str(shown["opted_in"]).lower()))
                seen.update(f"levelup goal: {'accomplished' if g['goal']['accomplished'] else 'open'}" for g in shown["goals"])
    return seen & set(DOCUMENTED_VARIANTS)


def live_programme_gaps(world: World) -> list[str]:
    """What a generated chain's default answer (API 1.5.0, no flags: inactive campaigns
    hidden) lacks: a live loyalty programme and an active campaign of every type."""
    types = set(load_contract().campaign_types)
    gaps = []
    for chain in world.spaaza.chains.values():
        if chain.id not in GENERATED_CHAINS:
            continue
        shown = {c["type"] for c in select(world, chain.campaigns, CampaignQuery())}
        if types - shown:
            gaps.append(f"chain {chain.id}: the default answer shows no active {', '.join(sorted(types - shown))}")
    return gaps
