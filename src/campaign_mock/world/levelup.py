"""Generates LevelUp merchants' campaigns of every kind, users with tokens, and progress.

A campaign keeps one body per representation it supports, with zero progress; the user's
progress is written into it when served (views.levelup_body). Money is integer cents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Mapping

from campaign_mock.world.model import LEVELUP_KINDS, Json, LevelUpCampaign, LevelUpToken
from campaign_mock.world.providers import PRODUCTS, entity_rng, iso, moment_before, plural, pools, secret

MANAGE_USER_CAMPAIGNS = "manage_user_campaigns"


@dataclass(frozen=True)
class LevelUpCampaignSpec:
    kind: str
    id: int | None = None
    required: int | None = None  # items, cents or visits, by kind
    title: str | None = None
    merchant_id: int = 1


@dataclass(frozen=True)
class LevelUpUserSpec:
    user_id: int | None = None
    token: str | None = None
    permissions: tuple[str, ...] = (MANAGE_USER_CAMPAIGNS,)
    progress: Mapping[int, int] = field(default_factory=dict)  # campaign id -> progress


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


def make_campaign(seed: int, merchant_id: int, merchant: str, spec: LevelUpCampaignSpec, cid: int, clock: datetime) -> LevelUpCampaign:
    rng = entity_rng(seed, "levelup-campaign", cid)
    kind = spec.kind
    product = rng.choice(PRODUCTS)
    products = plural(product).capitalize()
    basis = kind.split("_")[0]  # item, spend, visit or custom
    items = spec.required or rng.choice((5, 8, 10, 12))
    spend = spec.required or rng.choice((2500, 5000, 10000))  # cents
    earn = rng.choice((100, 500, 1000))
    reward_title = f"{_dollars(earn)} Loyalty Reward"
    if basis == "item" or kind == "custom_item":
        title, description = spec.title or f"{product.capitalize()} Loyalty", f"Buy {items} {products.lower()}, get {_dollars(earn)}!"
    elif basis == "visit":
        visits = spec.required or rng.choice((5, 10))
        title, description = spec.title or "Loyalty", f"Visit {visits} times, get {_dollars(earn)}!"
    else:
        title, description = spec.title or "Spend Loyalty", f"Spend {_dollars(spend)}, get {_dollars(earn)} credit!"
    bodies: dict[str, Json] = {"basic_v1": {"campaign": {"description": description, "title": title}}}
    period_start = moment_before(rng, clock, 60, 1)
    period = {"progress_period_resets_at": iso(period_start + timedelta(days=90)), "progress_period_starts_at": iso(period_start)} if rng.random() < 0.5 else {"progress_period_resets_at": None, "progress_period_starts_at": None}
    if kind in ("item_loyalty", "item_gift_card"):
        singular = "gift card" if kind == "item_gift_card" else product.capitalize()
        plural_name = "gift cards" if kind == "item_gift_card" else products
        article = "a"  # the reward title starts with its amount: "a $1 Loyalty Reward"
        bodies["item_based_loyalty_v1"] = {"campaign": {"progress_item_count": 0, "required_item_count": items, "required_item_plural": plural_name, "required_item_singular": singular, "reward_article": article, "reward_title": reward_title}}
        if kind == "item_gift_card":
            bodies["item_based_gift_card_loyalty_v1"] = {"campaign": {"description": description, "progress_item_count": 0, **period, "required_item_count": items, "required_item_plural": plural_name, "required_item_singular": singular, "reward_article": article, "reward_title": reward_title, "title": title}}
    elif kind in ("spend_loyalty", "spend_gift_card"):
        bodies["spend_based_loyalty_v1"] = {"campaign": {"earn_amount": earn, "progress_amount": 0, "required_spend_amount": spend}}
        if kind == "spend_gift_card":
            bodies["spend_based_gift_card_loyalty_v1"] = {"campaign": {"currency": "USD", "description": description, **period, "reward_article": "a", "reward_title": reward_title, "title": title, "earn_amount": earn, "progress_amount": 0, "required_spend_amount": spend}}
    elif kind == "visit_loyalty":
        bodies["visit_based_loyalty_v1"] = {"campaign": {"progress_visit_count": 0, "required_visit_count": visits, "earn_amount": earn, "qualifying_order_spend_amount": rng.choice((0, 500, 1000))}}
    else:  # custom_item, custom_spend
        spend_based = kind == "custom_spend"
        opens = moment_before(rng, clock, 400, 10)
        goals = []
        for g in range(1, 1 + (1 if rng.random() < 0.6 else 2)):
            need = (spend if spend_based else items) * g
            goals.append({"goal": {"accomplished": False, "description": f"Thanks for {'spending ' + _dollars(need) if spend_based else f'buying {need} ' + products.lower()} at {merchant}. Here's {_dollars(earn * g)} to spend on anything you'd like!", "id": cid * 10 + g, "image": None, "progress_required": need, "title": f"Your {_dollars(earn * g)} Reward"}})
        bodies["custom_progress_based_v1"] = {
            "campaign": {
                "closes_at": None if rng.random() < 0.7 else iso(clock + timedelta(days=int(rng.random() * 200) + 1)),
                "currency": "USD",
                "current_progress": 0,
                "description": description,
                "id": cid,
                "image": None,
                "opens_at": iso(opens),
                "opted_in": None,
                "point_label_singular": None,
                "point_label_plural": None,
                "progress_type": "spend" if spend_based else "item",
                "qualifying_order_spend_amount": None,
                "required_item_plural": "gift cards" if spend_based else products.lower(),
                "required_item_singular": "gift card" if spend_based else product,
                "requires_opt_in": False,
                "title": title,
                "goals": goals,
            }
        }
    assert set(bodies) == set(LEVELUP_KINDS[kind]), kind
    return LevelUpCampaign(id=cid, merchant_id=merchant_id, kind=kind, bodies=bodies)


def token_for(seed: int, user_id: int) -> str:
    """Shaped like the documented token: '<user id>-<64 hex digits>'."""
    return f"{user_id}-{secret(seed, 'levelup-token', user_id)}"


def make_progress(seed: int, user_id: int, campaign: LevelUpCampaign) -> int:
    """Loyalty progress resets when a reward is earned, so it stays below the requirement;
    custom progress can reach its goals."""
    required = required_progress(campaign)
    share = entity_rng(seed, "levelup-progress", user_id, campaign.id).random()
    if campaign.kind.startswith("custom"):
        return int(share * (required + 1))
    return int(share * required)


def merchant_name(seed: int, merchant_id: int) -> str:
    return entity_rng(seed, "merchant", merchant_id).choice(pools(seed).companies)


def make_token(seed: int, spec: LevelUpUserSpec, user_id: int) -> LevelUpToken:
    return LevelUpToken(token=spec.token or token_for(seed, user_id), user_id=user_id, permissions=frozenset(spec.permissions))
