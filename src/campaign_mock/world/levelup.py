"""Generates LevelUp merchants' campaigns of every kind, users with tokens, and progress.

A campaign keeps one body per representation it supports, with zero progress; the user's
progress is written into it when served (views.levelup_body). Money is integer cents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from campaign_mock.world.model import LEVELUP_KINDS, Json, LevelUpCampaign, LevelUpToken
from campaign_mock.world.providers import PRODUCTS, Draws, entity_rng, iso, moment_before, plural, pools, secret
from campaign_mock.world.specs import LevelUpCampaignSpec, LevelUpUserSpec


def _dollars(cents: int) -> str:
    return f"${cents // 100}" if cents % 100 == 0 else f"${cents / 100:.2f}"


# The fields a loyalty representation states its requirement in.
LOYALTY_REQUIREMENTS = ("required_item_count", "required_spend_amount", "required_visit_count")


def required_progress(campaign: LevelUpCampaign) -> int:
    """What a user must reach: items, cents or visits. Where representations disagree (the
    docs show campaign 286 needing 10000 cents in one and 500 in the other), the least."""
    loyalty = [c[key] for c in (b["campaign"] for b in campaign.bodies.values()) for key in LOYALTY_REQUIREMENTS if key in c]
    if loyalty:
        return min(loyalty)
    goals = [g["goal"]["progress_required"] for b in campaign.bodies.values() for g in b["campaign"].get("goals", ())]
    return max(goals, default=0)


# Merchants' local UTC offsets, in hours: LevelUp states times in the merchant's zone (the docs
# show -04:00, so the documented merchant 1 is at -4).
UTC_OFFSETS = (-4, -5, -6, -7, -8, 1)
DOCUMENTED_MERCHANT_OFFSET = -4


def merchant_zone(seed: int, merchant_id: int) -> timezone:
    hours = DOCUMENTED_MERCHANT_OFFSET if merchant_id == 1 else Draws(seed, "merchant", merchant_id).pick("utc_offset", UTC_OFFSETS)
    return timezone(timedelta(hours=hours))


@dataclass(frozen=True)
class _Numbers:
    """What one campaign is about; every body and text is written from these."""

    kind: str
    product: str  # singular, lower case ("coffee"); gift card kinds count gift cards
    items: int
    spend: int  # cents
    visits: int
    earn: int  # cents
    zone: timezone

    @property
    def singular(self) -> str:
        return "gift card" if self.kind in ("item_gift_card", "custom_spend") else self.product

    @property
    def plural(self) -> str:
        return plural(self.singular)


def _describe(n: _Numbers, spec: LevelUpCampaignSpec) -> tuple[str, str]:
    """basic_v1's title and description, from the numbers the other bodies state."""
    if n.kind in ("item_loyalty", "item_gift_card", "custom_item"):
        return spec.title or f"{n.singular.title()} Loyalty", f"Buy {n.items} {n.plural}, get {_dollars(n.earn)}!"
    if n.kind == "visit_loyalty":
        return spec.title or "Loyalty", f"Visit {n.visits} times, get {_dollars(n.earn)}!"
    return spec.title or "Spend Loyalty", f"Spend {_dollars(n.spend)}, get {_dollars(n.earn)} credit!"


def make_campaign(seed: int, merchant_id: int, merchant: str, spec: LevelUpCampaignSpec, clock: datetime) -> LevelUpCampaign:
    """One campaign with a body per representation its kind supports, each written from the
    same numbers (_Numbers); draws keyed by field."""
    cid = spec.id
    d = Draws(seed, "levelup-campaign", cid)
    kind = spec.kind
    n = _Numbers(
        kind=kind,
        product=d.pick("product", PRODUCTS),
        items=spec.required or d.pick("required_item_count", (5, 8, 10, 12)),
        spend=spec.required or d.pick("required_spend_amount", (2500, 5000, 10000)),
        visits=spec.required or d.pick("required_visit_count", (5, 10)),
        earn=d.pick("earn_amount", (100, 500, 1000)),
        zone=merchant_zone(seed, merchant_id),
    )
    title, description = _describe(n, spec)
    bodies: dict[str, Json] = {"basic_v1": {"campaign": {"description": description, "title": title}}}
    reward_title = f"{_dollars(n.earn)} Loyalty Reward"
    # Products capitalised ("Coffees"), gift cards not ("gift cards"), as the docs show them.
    names = (n.plural, n.singular) if n.singular == "gift card" else (n.plural.capitalize(), n.singular.capitalize())
    items = {"required_item_count": n.items, "required_item_plural": names[0], "required_item_singular": names[1], "reward_article": "a", "reward_title": reward_title}
    if kind in ("item_loyalty", "item_gift_card"):
        bodies["item_based_loyalty_v1"] = {"campaign": {"progress_item_count": 0, **items}}
        if kind == "item_gift_card":
            bodies["item_based_gift_card_loyalty_v1"] = {"campaign": {"description": description, "progress_item_count": 0, **_period(d, clock, n.zone), **items, "title": title}}
    elif kind in ("spend_loyalty", "spend_gift_card"):
        spend = {"earn_amount": n.earn, "progress_amount": 0, "required_spend_amount": n.spend}
        bodies["spend_based_loyalty_v1"] = {"campaign": spend}
        if kind == "spend_gift_card":
            gift = {"currency": "USD", "description": description, **_period(d, clock, n.zone), "reward_article": "a", "reward_title": reward_title, "title": title}
            bodies["spend_based_gift_card_loyalty_v1"] = {"campaign": {**gift, **spend}}
    elif kind == "visit_loyalty":
        bodies["visit_based_loyalty_v1"] = {"campaign": {"progress_visit_count": 0, "required_visit_count": n.visits, "earn_amount": n.earn, "qualifying_order_spend_amount": d.pick("qualifying_order_spend_amount", (0, 500, 1000))}}
    else:  # custom_item, custom_spend
        bodies["custom_progress_based_v1"] = {"campaign": _custom(d, n, cid, merchant, title, description, clock)}
    assert set(bodies) == set(LEVELUP_KINDS[kind]), kind
    return LevelUpCampaign(id=cid, merchant_id=merchant_id, kind=kind, bodies=bodies)


def _period(d: Draws, clock: datetime, zone: timezone) -> Json:
    """A gift card campaign's progress period, running at the clock, or none."""
    if d.random("progress_period") >= 0.5:
        return {"progress_period_resets_at": None, "progress_period_starts_at": None}
    start = moment_before(d, "progress_period_starts_at", clock, 60, 1)
    return {"progress_period_resets_at": iso((start + timedelta(days=90)).astimezone(zone)), "progress_period_starts_at": iso(start.astimezone(zone))}


def _custom(d: Draws, n: _Numbers, cid: int, merchant: str, title: str, description: str, clock: datetime) -> Json:
    spend_based = n.kind == "custom_spend"
    goals = []
    for g in range(1, 2 + (d.random("goals") >= 0.6)):
        need = (n.spend if spend_based else n.items) * g
        did = f"spending {_dollars(need)}" if spend_based else f"buying {need} {n.plural}"
        text = f"Thanks for {did} at {merchant}. Here's {_dollars(n.earn * g)} to spend on anything you'd like!"
        goals.append({"goal": {"accomplished": False, "description": text, "id": cid * 10 + g, "image": None, "progress_required": need, "title": f"Your {_dollars(n.earn * g)} Reward"}})
    # Opt-in campaigns alternate along ids, so a merchant's two custom campaigns show both.
    requires_opt_in = cid % 2 == 1
    return {
        "closes_at": None if d.random("closes") < 0.7 else iso((clock + timedelta(days=1 + d.below("closes_at", 200))).astimezone(n.zone)),
        "currency": "USD",
        "current_progress": 0,
        "description": description,
        "id": cid,
        "image": None,
        "opens_at": iso(moment_before(d, "opens_at", clock, 400, 10).astimezone(n.zone)),
        "opted_in": False if requires_opt_in else None,  # per user: views.levelup_body
        "point_label_singular": None,
        "point_label_plural": None,
        "progress_type": "spend" if spend_based else "item",
        "qualifying_order_spend_amount": None,
        "required_item_plural": n.plural,
        "required_item_singular": n.singular,
        "requires_opt_in": requires_opt_in,
        "title": title,
        "goals": goals,
    }


def token_for(seed: int, user_id: int) -> str:
    """Shaped like the documented token: '<user id>-<64 hex digits>'."""
    return f"{user_id}-{secret(seed, 'levelup-token', user_id)}"


def requires_opt_in(campaign: LevelUpCampaign) -> bool:
    return bool(campaign.bodies.get("custom_progress_based_v1", {}).get("campaign", {}).get("requires_opt_in"))


def make_opted_in(user_index: int, campaign: LevelUpCampaign) -> bool:
    """Whether a user has opted in to a campaign that requires it: alternating along users,
    so two users show both states."""
    return (user_index + campaign.id) % 2 == 0


def make_progress(seed: int, user_id: int, campaign: LevelUpCampaign, opted_in: bool = True, user_index: int = 0) -> int:
    """Loyalty progress resets when a reward is earned, so it stays below the requirement.
    Custom progress reaches its first goal for every other user (by index), so two users show
    an accomplished and an open goal. Nothing counts before the user opts in."""
    if not opted_in:
        return 0
    required = required_progress(campaign)
    share = Draws(seed, "levelup-progress", user_id, campaign.id).random("progress")
    if campaign.kind.startswith("custom"):
        first = min(g["goal"]["progress_required"] for b in campaign.bodies.values() for g in b["campaign"].get("goals", ())) if required else 0
        if user_index % 2 == 0:
            return first + int(share * (required - first + 1))
        return int(share * first)
    return int(share * required)


def merchant_name(seed: int, merchant_id: int) -> str:
    return entity_rng(seed, "merchant", merchant_id).choice(pools(seed).companies)


def make_token(seed: int, spec: LevelUpUserSpec) -> LevelUpToken:
    return LevelUpToken(token=spec.token or token_for(seed, spec.user_id), user_id=spec.user_id, permissions=frozenset(spec.permissions))
