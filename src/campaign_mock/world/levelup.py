"""Generates LevelUp merchants' campaigns of every kind, users with tokens, and progress.

A campaign keeps one body per representation it supports, with zero progress; the user's
progress is written into it when served (views.levelup_body). Money is integer cents."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from campaign_mock.world.model import LEVELUP_KINDS, Json, LevelUpCampaign, LevelUpToken
from campaign_mock.world.providers import PRODUCTS, Draws, entity_rng, iso, moment_before, plural, pools, secret
from campaign_mock.world.specs import GIFT_CARD_KINDS, LevelUpCampaignSpec, LevelUpUserSpec


def _dollars(cents: int) -> str:
    return f"${cents // 100}" if cents % 100 == 0 else f"${cents / 100:.2f}"


# The fields a loyalty representation states its requirement in.
LOYALTY_REQUIREMENTS = ("required_item_count", "required_spend_amount", "required_visit_count")
# Gift card kinds count gift cards; what items are called when a scenario writes a campaign's
# texts but names no item (a drawn product could contradict them: "Ten coffees", described
# as salads).
GIFT_CARD = ("gift card", "gift cards")
NEUTRAL_ITEM = ("item", "items")


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
    singular: str  # what one counted item is called ("coffee"); gift card kinds count gift cards
    plural: str
    items: int
    spend: int  # cents
    visits: int
    earn: int  # cents
    zone: timezone
    written: bool  # the scenario named the items: served as written, never capitalised


def _items(d: Draws, spec: LevelUpCampaignSpec) -> tuple[str, str, bool]:
    """(singular, plural, written): as the scenario names them; else gift cards for gift card
    kinds; else a neutral word when the scenario writes any of the campaign's texts (a drawn
    product could contradict them); else a drawn product."""
    if spec.item_singular and spec.item_plural:
        return spec.item_singular, spec.item_plural, True
    if spec.kind in GIFT_CARD_KINDS:
        return (*GIFT_CARD, False)
    if spec.title or spec.description or spec.reward_title or spec.goals:
        return (*NEUTRAL_ITEM, False)
    product = d.pick("product", PRODUCTS)
    return product, plural(product), False


# A written reward title that starts with an article or a number reads without another ("The
# Big Breakfast", "2 free coffees"): a client shows reward_article before reward_title.
_ARTICLE_OR_NUMBER = re.compile(r"(?:a|an|the)(?:\s|$)|\d", re.IGNORECASE)


def reward_article(written: str | None) -> str | None:
    """reward_article for a reward title: 'a' before the generated "$N Loyalty Reward" (as the
    docs show it); none before a written title that starts with an article or a number; else
    by its first letter ('an omelet', 'a free coffee')."""
    if written is None:
        return "a"
    if _ARTICLE_OR_NUMBER.match(written):
        return None
    return "an" if written[0].lower() in "aeiou" else "a"


def _describe(n: _Numbers, spec: LevelUpCampaignSpec) -> tuple[str, str]:
    """basic_v1's title and description: as written, else from the numbers the other bodies state."""
    # A written reward_title is what the reward is called: the description names it, not an amount.
    reward = spec.reward_title or _dollars(n.earn)
    if n.kind in ("item_loyalty", "item_gift_card", "custom_item"):
        title, description = f"{n.singular.title()} Loyalty", f"Buy {n.items} {n.plural}, get {reward}!"
    elif n.kind == "visit_loyalty":
        title, description = "Loyalty", f"Visit {n.visits} times, get {_dollars(n.earn)}!"
    elif spec.reward_title:
        title, description = "Spend Loyalty", f"Spend {_dollars(n.spend)}, get {reward}!"
    else:
        title, description = "Spend Loyalty", f"Spend {_dollars(n.spend)}, get {_dollars(n.earn)} credit!"
    return spec.title or title, spec.description or description


def make_campaign(seed: int, merchant_id: int, merchant: str, spec: LevelUpCampaignSpec, clock: datetime) -> LevelUpCampaign:
    """One campaign with a body per representation its kind supports, each written from the
    same numbers (_Numbers); draws keyed by field."""
    cid = spec.id
    d = Draws(seed, "levelup-campaign", cid)
    kind = spec.kind
    singular, plural_, written = _items(d, spec)
    n = _Numbers(
        kind=kind,
        singular=singular,
        plural=plural_,
        items=spec.required or d.pick("required_item_count", (5, 8, 10, 12)),
        spend=spec.required or d.pick("required_spend_amount", (2500, 5000, 10000)),
        visits=spec.required or d.pick("required_visit_count", (5, 10)),
        earn=spec.earn_amount or d.pick("earn_amount", (100, 500, 1000)),
        zone=merchant_zone(seed, merchant_id),
        written=written,
    )
    title, description = _describe(n, spec)
    bodies: dict[str, Json] = {"basic_v1": {"campaign": {"description": description, "title": title}}}
    reward_title = spec.reward_title or f"{_dollars(n.earn)} Loyalty Reward"
    article = reward_article(spec.reward_title)
    # Products capitalised ("Coffees"), gift cards not ("gift cards"), as the docs show them;
    # names a scenario writes, as written.
    names = (n.plural, n.singular) if n.singular == GIFT_CARD[0] or n.written else (n.plural.capitalize(), n.singular.capitalize())
    items = {"required_item_count": n.items, "required_item_plural": names[0], "required_item_singular": names[1], "reward_article": article, "reward_title": reward_title}
    if kind in ("item_loyalty", "item_gift_card"):
        bodies["item_based_loyalty_v1"] = {"campaign": {"progress_item_count": 0, **items}}
        if kind == "item_gift_card":
            bodies["item_based_gift_card_loyalty_v1"] = {"campaign": {"description": description, "progress_item_count": 0, **_period(d, clock, n.zone), **items, "title": title}}
    elif kind in ("spend_loyalty", "spend_gift_card"):
        spend = {"earn_amount": n.earn, "progress_amount": 0, "required_spend_amount": n.spend}
        bodies["spend_based_loyalty_v1"] = {"campaign": spend}
        if kind == "spend_gift_card":
            gift = {"currency": "USD", "description": description, **_period(d, clock, n.zone), "reward_article": article, "reward_title": reward_title, "title": title}
            bodies["spend_based_gift_card_loyalty_v1"] = {"campaign": {**gift, **spend}}
    elif kind == "visit_loyalty":
        bodies["visit_based_loyalty_v1"] = {"campaign": {"progress_visit_count": 0, "required_visit_count": n.visits, "earn_amount": n.earn, "qualifying_order_spend_amount": d.pick("qualifying_order_spend_amount", (0, 500, 1000))}}
    else:  # custom_item, custom_spend
        bodies["custom_progress_based_v1"] = {"campaign": _custom(d, n, spec, merchant, title, description, clock)}
    assert set(bodies) == set(LEVELUP_KINDS[kind]), kind
    return LevelUpCampaign(id=cid, merchant_id=merchant_id, kind=kind, bodies=bodies)


def _period(d: Draws, clock: datetime, zone: timezone) -> Json:
    """A gift card campaign's progress period, running at the clock, or none."""
    if d.random("progress_period") >= 0.5:
        return {"progress_period_resets_at": None, "progress_period_starts_at": None}
    start = moment_before(d, "progress_period_starts_at", clock, 60, 1)
    return {"progress_period_resets_at": iso((start + timedelta(days=90)).astimezone(zone)), "progress_period_starts_at": iso(start.astimezone(zone))}


def _custom(d: Draws, n: _Numbers, spec: LevelUpCampaignSpec, merchant: str, title: str, description: str, clock: datetime) -> Json:
    cid = spec.id
    spend_based = n.kind == "custom_spend"
    written = spec.goals or ((None, None),) * (1 + (d.random("goals") >= 0.6))
    goals = []
    for g, (goal_title, goal_text) in enumerate(written, 1):
        need = (n.spend if spend_based else n.items) * g
        did = f"spending {_dollars(need)}" if spend_based else f"buying {need} {n.plural}"
        text = goal_text or f"Thanks for {did} at {merchant}. Here's {_dollars(n.earn * g)} to spend on anything you'd like!"
        goals.append({"goal": {"accomplished": False, "description": text, "id": cid * 10 + g, "image": None, "progress_required": need, "title": goal_title or f"Your {_dollars(n.earn * g)} Reward"}})
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
