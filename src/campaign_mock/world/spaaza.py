"""Generates Spaaza chains: campaigns of every type, users, sessions, apps and each user's
progress, consistent with each other (the rules: world/consistency.py; README "What consistent means").

A chain is generated from a ChainSpec alone, so chains can be built one at a time and
streamed (fixtures for 10^5 campaigns need no more memory than one chain)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping

from campaign_mock.world.model import Chain, Json, MyPriceApp, SpaazaSession, SpaazaUser
from campaign_mock.world.providers import PRODUCTS, Draws, entity_rng, iso, iso_utc, plural, pools, secret
from campaign_mock.world.specs import EDITOR_SUFFIX, WALLET_TYPES, CampaignSpec, ChainSpec, UserSpec, campaign_ids

# Currencies by id. 2 and 5 are what the documented chain uses (EUR is implied by its titles;
# 5 is the "Points" currency of the documented wallet user_progress).
CURRENCIES: Mapping[int, Json] = {
    1: {"code": "USD", "display_position": "before", "id": 1, "name_en": "US Dollar", "symbol": "$"},
    2: {"code": "EUR", "display_position": "before", "id": 2, "name_en": "Euro", "symbol": "€"},
    3: {"code": "GBP", "display_position": "before", "id": 3, "name_en": "Pound Sterling", "symbol": "£"},
    4: {"code": "SEK", "display_position": "after", "id": 4, "name_en": "Swedish Krona", "symbol": "kr"},
    5: {"code": "PTS", "display_position": "after", "id": 5, "name_en": "Points", "symbol": "pts"},
}
CURRENCY_BY_CODE = {c["code"]: i for i, c in CURRENCIES.items()}
POINTS_CURRENCY = 5
MONEY_CURRENCIES = (1, 2, 3, 4)

DEFAULT_LEVELS = (("Bronze", 0), ("Silver", 500), ("Gold", 1000), ("Platinum", 2500))


# Types a user can be rewarded by once only (max_reward_quantity 1, as documented signup 2008).
ONCE_ONLY = frozenset({"signup", "profile_completion"})
# What a generated user shows a client, in this order for a chain's generated users: nothing
# at all; a level and a target just out of reach, and a spent-out money wallet; the top level
# and full wallets; anything (declared users and the rest).
ROLES = ("new", "near", "top", "regular")


@dataclass(frozen=True)
class ChainParts:
    """One generated chain and everything that hangs off it."""

    chain: Chain
    users: tuple[SpaazaUser, ...]
    sessions: tuple[SpaazaSession, ...]
    apps: tuple[MyPriceApp, ...]
    progress: Mapping[tuple[int, int], Json]
    # (user_id, campaign_id) -> the user's item_purchase_count current_count (API 1.5.0).
    current_counts: Mapping[tuple[int, int], int] = field(default_factory=dict)


@dataclass(frozen=True)
class Given:
    """What a chain brings that the generator does not make (the documented chain): its own
    campaigns, listed and not, name, currency, app and sessions."""

    campaigns: tuple[Json, ...] = ()
    unlisted: tuple[Json, ...] = ()
    name: str | None = None
    currency_id: int | None = None
    app: MyPriceApp | None = None
    sessions: tuple[SpaazaSession, ...] = ()


# --- texts --------------------------------------------------------------------------

_STYLING_NONE = {
    "background_colour": None,
    "background_image_filename": None,
    "background_image_url": None,
    "layout_style": None,
    "primary_action_background_colour": None,
    "primary_action_text_colour": None,
    "secondary_action_background_colour": None,
    "secondary_action_text_colour": None,
    "text_colour": None,
}
_LAYOUTS = ("standard", "compact", None)
_SEASONS = ("spring", "summer", "autumn", "winter")
_COLOURS = ("#1d3557", "#e63946", "#f1faee", "#457b9d", "#2a9d8f", "#ffffff", "#000000", None)


def money(currency: Json, amount: int | str) -> str:
    return f"{currency['symbol']}{amount}" if currency["display_position"] == "before" else f"{amount} {currency['symbol']}"


def cashback_rate(ratio: str) -> tuple[int, int]:
    """cashback_ratio as (points, per units of currency): "2.0000" -> (2, 1), "0.5000" -> (1, 2)."""
    value = float(ratio)
    return (round(value), 1) if value >= 1 else (1, round(1 / value))


def reward_phrase(c: Json) -> str:
    """What the campaign pays, in words: "€5", "10% off", "1 point"."""
    method, amount = c.get("recipient_reward_method"), c.get("recipient_reward_amount") or 0
    if method == "percentage_basket_voucher":
        return f"{round(c['recipient_reward_discount_ratio'] * 100)}% off"
    if method == "points":
        return f"{amount} point" + ("" if amount == 1 else "s")
    return money(CURRENCIES[c["currency_id"]], amount)


# Title and description per type, filled from the campaign's own numbers (_texts).
_TEXTS = {
    "basket": ("{reward} off a basket over {basket}", "Spend {basket} in one go and save {reward}"),
    "birthday": ("Birthday", "A {reward} birthday treat from {chain}"),
    "cashback": ("Save points on every {code}", "Earn {rate} spent at {chain}"),
    "content": ("News from {chain}", "Read what is new this season"),
    "interaction": ("Get a {reward} voucher with {points} points", "Exchange {points} points for a {reward} voucher"),
    "item_purchase_count": ("Buy {target} {products}, get a {reward} voucher", "Every {product} counts towards your voucher"),
    "login": ("Log in and earn {reward}", "Open the {chain} app to collect a {reward} voucher"),
    "loyalty": ("{chain} Loyalty Campaign", "From {lowest} to {highest}: the {chain} loyalty programme"),
    "matching_item": ("{reward} off matching items", "Buy the matching set and save {reward}"),
    "mobile_content": ("{chain} in your pocket", "Exclusive content in the app"),
    "points_wallet": ("{chain} Points Wallet", "Build up points in your wallet"),
    "product": ("{reward} off every {product}", "A discount on {products}"),
    "profile_completion": ("Complete your profile", "Fill in your profile and get {reward}"),
    "progress": ("Spend {goal} and earn {reward}", "Earn a {reward} voucher for every {goal} you spend"),
    "purchase_count": ("Shop {target} times, get {reward}", "Every visit counts"),
    "referral": ("Refer a friend, both get {reward}", "Invite friends to {chain}"),
    "signup": ("Welcome to the club", "Welcome to {chain}: {reward} on your first purchase"),
    "subscription": ("{chain} Plus", "A monthly subscription with perks"),
    "wallet": ("{chain} Monetary Wallet", "Converted wallet points come here"),
}
_NOTES = "Valid in participating stores; one voucher per purchase."


def _texts(c: Json, chain_name: str, product: str) -> None:
    """Title, description and voucher texts, from the numbers and currency they describe."""
    ctype = c["type"]
    currency = CURRENCIES[c["currency_id"]]
    reward = reward_phrase(c)
    fill = {"chain": chain_name, "code": currency["code"], "reward": reward, "points": c.get("point_cost", 0), "target": c["target_count"], "product": product, "products": plural(product)}
    if ctype == "basket":
        fill["basket"] = money(currency, c["minimum_basket_total_value"])
    elif ctype == "progress":
        fill["goal"] = money(currency, c["goal_amount"].split(".")[0])
    elif ctype == "cashback":
        points, per = cashback_rate(c["cashback_ratio"])
        fill["rate"] = f"{points} point{'s' if points > 1 else ''} for every {per} {currency['code']}"
    elif ctype == "loyalty":
        fill.update(lowest=c["loyalty_levels"][0]["name"], highest=c["loyalty_levels"][-1]["name"])
    title, description = _TEXTS[ctype]
    c["title"] = title.format_map(fill)
    c["description"] = description.format_map(fill)
    if ctype not in WALLET_TYPES and ctype != "loyalty":
        c["voucher_text"] = c["voucher_title"] = f"Your {reward} voucher" if c["recipient_reward_method"] != "points" else f"{reward} added to your wallet"
        c["voucher_description"] = f"Thanks for shopping at {chain_name}"


@lru_cache(maxsize=None)
def template(ctype: str) -> Json:
    """The fields every campaign of this type has, whatever its chain and its own draws.
    Built once per type; each campaign starts as a shallow copy (values are shared, never
    mutated, so treat campaign bodies as read-only)."""
    c = {
        "active": True,
        "allows_user_to_claim_voucher": True,
        "assignment_count": 0,
        "chain_id": 0,
        "created_date": "",
        "created_voucher_claimed_by_default": False,
        "currency_id": POINTS_CURRENCY,
        "custom_content": None,
        "description": "",
        "element_styling": None,
        "excludes_assignment_matches": False,
        "excludes_referred_users": False,
        "field_localisations": None,
        "id": 0,
        "image_dimension_x": None,
        "image_dimension_y": None,
        "image_filename": None,
        "image_link": None,
        "image_url": None,
        "is_active": True,
        "is_default": False,
        "is_deleted": False,
        "last_modified_date": "",
        "last_updated_date": "",
        "max_reward_quantity": 1,
        "max_reward_quantity_unit": None,
        "minimum_basket_total_value": 0,
        "operator_type": "or",
        "owner_code": None,
        "parameters": [],
        "return_reclaims_earned_rewards": True,
        "reward_priority": 0,
        "rounding_precision": 2,
        "rounding_strategy": "neutral",
        "styling": _STYLING_NONE,
        "tags": None,
        "target_count": 0,
        "title": "",
        "type": ctype,
        "visible_to_all_user_segments": True,
        "voucher_description": None,
        "voucher_expiry_days": 365,
        "voucher_image_url": None,
        "voucher_notes": None,
        "voucher_text": None,
        "voucher_title": None,
    }
    if ctype in WALLET_TYPES:
        c.update(
            aggregate_wallet_balance_shown=False,
            balance_can_subzero=True,
            is_default=True,
            is_redeemable=ctype == "wallet",
            max_manual_daily_amount="200.00",
            rounding_precision=0 if ctype == "points_wallet" else 2,
            rounding_strategy="round_down" if ctype == "points_wallet" else "neutral",
            spend_on_promotional_items=True,
        )
        if ctype == "wallet":
            c.update(display_currency=None, display_currency_multiplication_factor=None)
    elif ctype == "loyalty":
        c.update(excluded_user_segment_id=None, recipient_campaign_id=None, sender_campaign_id=None, supports_user_segments=False, user_segment_id=None, myprice_app_id=0)
    else:
        c.update(
            excluded_user_segment_id=None,
            is_contributor=False,
            last_updated_by=None,
            recipient_campaign_id=None,
            recipient_reward_amount=5,
            recipient_reward_code="",
            recipient_reward_discount_ratio=0,
            recipient_reward_method="voucher",
            sender_campaign_id=None,
            supports_contribution=True,
            supports_user_segments=True,
            user_segment_id=None,
        )
        if ctype == "cashback":
            c.update(earn_on_promotional_items=True, recipient_reward_amount=1, recipient_reward_method="points", is_contributor=True)
        elif ctype == "interaction":
            c.update(point_cost_method="points", point_cost_method_wallet_campaign_id=0)
        elif ctype == "birthday":
            c["notes"] = ""
        elif ctype == "progress":
            c.update(is_recurring=True, balance_can_subzero=True, notes="")
        elif ctype == "item_purchase_count":
            c["current_count"] = 0  # from API 1.5.0; views.py drops it for older versions
    return c


# Which wallet each type's references point at, set per chain.
_WALLET_REFERENCES = {
    "cashback": (("recipient_campaign_id", "points_wallet"),),
    "interaction": (("point_cost_method_wallet_campaign_id", "points_wallet"),),
    "loyalty": (),  # its rules name the points wallet (_loyalty)
    "progress": (("recipient_campaign_id", "wallet"),),
    "referral": (("recipient_campaign_id", "wallet"),),
}
DAY = 86400


@dataclass(frozen=True)
class _Chain:
    """What every campaign of one chain is generated around."""

    seed: int
    chain: Chain
    wallets: Mapping[str, Json]  # type -> the wallet campaigns refer to
    editor: Json
    clock: datetime
    now: int  # the clock as a POSIX timestamp
    founded: int  # when the chain's first campaign (a wallet) was created
    draws: Draws  # per chain: the offsets with which variants rotate through its campaigns
    floors: dict[str, int] = field(default_factory=dict)  # type -> earliest creation (_created), once the wallets exist


def _created(ch: _Chain, d: Draws, ctype: str) -> int:
    """Wallets open the chain's history; every other campaign comes after the wallets it
    refers to, and at least 30 days before the clock."""
    if ctype in WALLET_TYPES:
        return ch.founded + d.below("created_date", 5 * DAY)
    floor = ch.floors.get(ctype)
    if floor is None:
        wanted = ("points_wallet",) if ctype == "loyalty" else tuple(w for _, w in _WALLET_REFERENCES.get(ctype, ()))
        floor = ch.floors[ctype] = max([ch.founded + 7 * DAY] + [int(parse_time(ch.wallets[w]["created_date"]).timestamp()) + 3600 for w in wanted])
    latest = max(floor, ch.now - 30 * DAY)
    return min(ch.now, floor + d.below("created_date", latest - floor + 1))


def _window(ch: _Chain, d: Draws, state: str, created: int, cid: int) -> tuple[str | None, str | None]:
    """active_date_from/until for the campaign's state (live ones some of the time)."""
    now = ch.now
    if state == "expired":
        until = now - DAY - d.below("active_date_until", 19 * DAY)
        return iso_utc(max(created, until - 30 * DAY)), iso_utc(until)
    if state == "future":
        start = now + DAY + d.below("active_date_from", 60 * DAY)
        return iso_utc(start), ch.draws.rotate("future_until", (None, iso_utc(start + 90 * DAY)), cid)
    if state == "live" and ch.draws.rotate("live_window", (False, False, True), cid):
        return iso_utc(created), iso_utc(now + 30 * DAY + d.below("active_date_until", 300 * DAY))
    return None, None


def make_campaign(ch: _Chain, spec: CampaignSpec, cid: int) -> Json:
    """One campaign in the full view (rules and assignments included where it has any),
    from its type's template, its chain and its own draws, keyed by field."""
    d = Draws(ch.seed, "campaign", cid)
    rot = ch.draws  # rot.rotate(field, options, cid): each option in turn along the chain's ids
    ctype = spec.type
    chain = ch.chain
    base = template(ctype)
    c = dict(base)
    c["id"] = cid
    c["chain_id"] = chain.id
    if ctype != "points_wallet":
        c["currency_id"] = chain.currency_id
    if "last_updated_by" in base:
        c["last_updated_by"] = ch.editor
    for key, wallet in _WALLET_REFERENCES.get(ctype, ()):
        c[key] = ch.wallets[wallet]["id"]
    created = _created(ch, d, ctype)
    modified = iso_utc(created + d.below("last_modified_date", ch.now - created + 1))
    c["created_date"] = iso_utc(created)
    c["last_modified_date"] = modified
    # Documented: set where the campaign names who last updated it, null on wallets and loyalty.
    c["last_updated_date"] = modified if "last_updated_by" in base else None
    c["created_voucher_claimed_by_default"] = d.random("created_voucher_claimed_by_default") < 0.3
    c["owner_code"] = None if d.random("owner_code") < 0.5 else f"{ctype[:3].upper()}_{cid % 1000:03d}"
    c["reward_priority"] = d.below("reward_priority", 10)
    c["voucher_expiry_days"] = d.pick("voucher_expiry_days", (30, 90, 120, 365))
    # The documented forms of tags: null, one tag, a comma-separated list.
    tags = rot.rotation("tags", 3, cid)
    if tags:
        c["tags"] = f"{ctype[:3]}_{cid % 1000:03d}" + ("" if tags == 1 else f",{d.pick('season', _SEASONS)}_{d.below('season_no', 10):03d}")
    if d.random("styling") < 0.3:
        c["styling"] = {
            **_STYLING_NONE,
            "layout_style": d.pick("layout_style", _LAYOUTS),
            "background_colour": d.pick("background_colour", _COLOURS),
            "text_colour": d.pick("text_colour", _COLOURS),
            "primary_action_background_colour": d.pick("primary_action_background_colour", _COLOURS),
            "primary_action_text_colour": d.pick("primary_action_text_colour", _COLOURS),
        }
    if ctype in WALLET_TYPES:
        c["balance_can_subzero"] = d.random("balance_can_subzero") < 0.5
    elif ctype == "loyalty":
        c["myprice_app_id"] = chain.id
        levels = spec.levels or DEFAULT_LEVELS[: 2 + d.below("levels", 3)]
        c.update(_loyalty(cid, levels, ch.wallets["points_wallet"]["id"]))
    else:
        _rewards(c, d, rot, cid)
    # A scenario's numbers (reward, target, ratio, minimum basket...) before the rules and
    # texts that state them; every declared field is set again last, over what follows.
    c.update((key, value) for key, value in spec.fields.items() if key != "assignment_count")
    if ctype not in WALLET_TYPES and ctype != "loyalty":
        # The documented forms of voucher_notes: null, the string "null", a text.
        c["voucher_notes"] = rot.rotate("voucher_notes", (None, "null", _NOTES), cid)
        # (None where the scenario declares none: a declared 0 or null is no minimum to state.)
        if d.random("campaign_rules") < 0.2 and spec.fields.get("minimum_basket_total_value", True):
            # A minimum basket rule: the campaign states the same minimum.
            minimum = c["minimum_basket_total_value"] or d.pick("minimum_basket", (10, 25, 50))
            c["minimum_basket_total_value"] = minimum
            c["campaign_rules"] = [{"id": cid * 10 + 1, "campaign_id": cid, "rule_type": "minimum_basket_total_value", "value": minimum}]
    _texts(c, chain.name, d.pick("product", PRODUCTS))
    # Most campaigns are assigned to nothing; some to a few products or stores.
    assignments = spec.fields.get("assignment_count")
    if assignments is None:
        assignments = 1 + d.below("assignment_count", 5) if d.random("assigned") < 0.25 else 0
    c["assignment_count"] = assignments
    if assignments:
        c["campaign_assignments"] = [
            {"id": cid * 1000 + i, "campaign_id": cid, "entity_type": "product" if i % 2 else "branch", "entity_id": 10000 + i} for i in range(1, assignments + 1)
        ]
    state = spec.state
    c["active_date_from"], c["active_date_until"] = _window(ch, d, state, created, cid)
    if state == "inactive":
        c["active"] = False
    elif state == "deleted":
        c["is_deleted"] = True
    for key, value in spec.fields.items():
        if key != "assignment_count":
            c[key] = value
    # Derived fields follow what the scenario set, unless it set them too.
    if "last_modified_date" in spec.fields and "last_updated_date" not in spec.fields and c["last_updated_date"] is not None:
        c["last_updated_date"] = c["last_modified_date"]
    if "is_active" not in spec.fields:
        c["is_active"] = c["active"] and is_within_window(c, ch.clock)
    return c


def _rewards(c: Json, d: Draws, rot: Draws, cid: int) -> None:
    """What a campaign that rewards pays, and for what; in one place per type."""
    ctype = c["type"]
    if ctype != "cashback":
        c["recipient_reward_amount"] = d.pick("recipient_reward_amount", (1, 2, 5, 10, 15, 20))
    if ctype in ONCE_ONLY or ctype == "item_purchase_count":
        c["max_reward_quantity"] = 1 if ctype in ONCE_ONLY else None  # a punch card repeats
    else:
        c["max_reward_quantity"] = rot.rotate("max_reward_quantity", (None, 1), cid)
    if ctype == "cashback":
        c["cashback_ratio"] = d.pick("cashback_ratio", ("1.0000", "0.5000", "2.0000"))
    elif ctype == "interaction":
        c["point_cost"] = d.pick("point_cost", (100, 250, 450, 500, 1000))
    elif ctype == "birthday":
        c["days_before"] = d.pick("days_before", (0, 7, 14, 30))
    elif ctype == "progress":
        c["goal_amount"] = f"{d.pick('goal_amount', (50, 100, 150, 200))}.00"
    elif ctype in ("purchase_count", "item_purchase_count"):
        c["target_count"] = d.pick("target_count", (5, 8, 10, 12))
    elif ctype == "referral":
        c["sender_campaign_id"] = cid
    elif ctype == "basket":
        c["minimum_basket_total_value"] = c["recipient_reward_amount"] * 10
    elif ctype == "signup" and d.random("percentage") < 0.5:
        c.update(recipient_reward_amount=0, recipient_reward_discount_ratio=0.1, recipient_reward_method="percentage_basket_voucher")


def _loyalty(cid: int, levels: tuple[tuple[str, int], ...], wallet_id: int) -> Json:
    """Levels and the rules that reach them, agreeing by construction: the lowest level is
    the initial rule at threshold 0, each higher one a points_tracker on the points wallet."""
    levels = tuple(sorted(levels, key=lambda lv: lv[1]))
    loyalty_levels, loyalty_rules = [], []
    for i, (name, threshold) in enumerate(levels):
        level_id = cid * 10 + i
        loyalty_levels.append({"automated_level_logic": True, "campaign_id": cid, "description": "", "id": level_id, "name": name})
        rule = {"action": "setLevel", "action_is_repeatable": i > 0, "campaign_id": cid}
        if i == 0:
            rule.update(id=cid * 10 + i, loyalty_level_id=level_id, loyalty_level_name=name, points_threshold=threshold, title="initial level rule", type="initial")
        else:
            rule.update(
                description="", direction="up", id=cid * 10 + i, loyalty_level_id=level_id, loyalty_level_name=name,
                operand_campaign_id=wallet_id, points_threshold=threshold, title=f"Set {name} level", type="points_tracker", wallet_campaign_id=wallet_id,
            )
        loyalty_rules.append(rule)
    return {"loyalty_levels": loyalty_levels, "loyalty_rules": loyalty_rules}


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def is_within_window(c: Json, clock: datetime) -> bool:
    start, end = c.get("active_date_from"), c.get("active_date_until")
    return not ((start and parse_time(start) > clock) or (end and parse_time(end) < clock))


def is_active(c: Json, clock: datetime, generated_clock: datetime | None = None) -> bool:
    """Inactive by its `active` flag, its `is_active` status, or its date window (the docs).
    `generated_clock`: the clock the stored flag was generated at, when `clock` moved since; a
    flag that is false only because the window was closed then does not switch the campaign off."""
    status = c["is_active"] or (generated_clock is not None and c["active"] and not is_within_window(c, generated_clock))
    return c["active"] and status and is_within_window(c, clock)


def has_started(c: Json, clock: datetime) -> bool:
    start = c.get("active_date_from")
    return not (start and parse_time(start) > clock)


def loyalty_wallet(c: Json) -> int | None:
    """The wallet whose points decide a loyalty campaign's level."""
    return next((r["wallet_campaign_id"] for r in c["loyalty_rules"] if "wallet_campaign_id" in r), None)


# --- users and progress -------------------------------------------------------------


def make_user(seed: int, chain_id: int, user_id: int, given: Mapping[str, str]) -> SpaazaUser:
    rng = entity_rng(seed, "user", user_id)
    p = pools(seed)
    first, last = rng.choice(p.first_names), rng.choice(p.last_names)
    ids = {
        "member_number": f"{chain_id % 100:02d}{int(rng.random() * 10**8):08d}",
        "username": f"{first}.{last}{user_id % 1000}@{rng.choice(p.domains)}".lower(),
        "referral_code": "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8)),
        "authentication_point_identifier": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "auxiliary_identifier": f"AUX-{int(rng.random() * 10**10):010d}",
    }
    ids.update(given)
    return SpaazaUser(user_id=user_id, chain_id=chain_id, first_name=first, last_name=last, **ids)


def role_of(generated_index: int, chain_id: int) -> str:
    """The k-th generated user of a chain: new, then near and top (in an order that
    alternates by chain, so two users a chain show both across two chains), then regular."""
    if generated_index >= 3:
        return "regular"
    return ("new", "near", "top")[generated_index] if chain_id % 2 == 0 or generated_index == 0 else ("new", "top", "near")[generated_index]


@dataclass(frozen=True)
class _User:
    seed: int
    spec: UserSpec
    user_id: int
    role: str


def _points(u: _User, thresholds: tuple[int, ...], wallet_id: int) -> int:
    """A points balance for the user's role against a loyalty programme's thresholds."""
    d = Draws(u.seed, "points", u.user_id, wallet_id)
    if u.role == "new":
        return 0
    if u.role == "top" or len(thresholds) < 2:
        return thresholds[-1] + d.below("points", 500)
    if u.role == "near":
        # Just below a higher level: at most a tenth of the way from the level below it.
        k = 1 + d.below("level", len(thresholds) - 1)
        gap = thresholds[k] - thresholds[k - 1]
        return thresholds[k] - 1 - d.below("points", max(1, gap // 10))
    return d.below("points", thresholds[-1] + 200)


def wallet_amounts(u: _User, wallet: Json, thresholds: tuple[int, ...] | None, flow: tuple[int, int] = (0, 0)) -> tuple[int, int]:
    """(saved_amount, total_amount) of the user's wallet. `thresholds` when the wallet's
    points decide a loyalty level; `flow` (paid in, redeemed): what the user's awards paid into
    it and what their redemptions spent from it (wallet_flows), which the totals cover. Empty
    (saved 0, total > 0) for the near user's money wallet, full (saved = total) for the top
    user's wallets (they redeem nothing), nothing at all for a new user."""
    paid, redeemed = flow
    d = Draws(u.seed, "balance", u.user_id, wallet["id"])
    points_wallet = wallet.get("type", "points_wallet") == "points_wallet"
    if wallet["id"] in u.spec.balances:
        saved = u.spec.balances[wallet["id"]]
    elif u.spec.points is not None and points_wallet:
        saved = u.spec.points
    elif thresholds is not None:
        saved = _points(u, thresholds, wallet["id"])
    elif u.role == "new" or (u.role == "near" and not points_wallet):
        saved = 0
    else:
        saved = d.below("saved_amount", 1200)
    if u.role == "new" and saved == 0 and paid == 0:
        return 0, 0
    if u.role == "top":
        saved = max(saved, paid)
        return saved, saved
    spent = max(d.below("spent", 300) + (1 if saved == 0 else 0), redeemed)
    return saved, max(saved + spent, paid)


def wallet_flows(c: Json, p: Json, flows: dict[int, tuple[int, int]]) -> None:
    """Add what a standard progress `p` of campaign `c` paid into its recipient wallet, and
    what its redemptions (award_count x point_cost) spent from the wallet it costs points of."""
    if not p["award_count"]:
        return
    if c.get("recipient_campaign_id") is not None:
        paid, redeemed = flows.get(c["recipient_campaign_id"], (0, 0))
        flows[c["recipient_campaign_id"]] = (paid + p["total_amount_awarded"], redeemed)
    if c.get("point_cost") and c.get("point_cost_method_wallet_campaign_id") is not None:
        paid, redeemed = flows.get(c["point_cost_method_wallet_campaign_id"], (0, 0))
        flows[c["point_cost_method_wallet_campaign_id"]] = (paid, redeemed + p["award_count"] * c["point_cost"])


def award_limit(c: Json, clock: datetime) -> int | None:
    """How often a campaign can have rewarded one user by the clock: max_reward_quantity,
    and a birthday once a year since it started (None: no limit)."""
    limit = c.get("max_reward_quantity")
    if c["type"] == "birthday":
        since = c.get("active_date_from") or c["created_date"]
        years = 1 + max(0, (clock - parse_time(since)).days) // 366
        limit = years if not isinstance(limit, int) else min(limit, years)
    return limit if isinstance(limit, int) else None


def progress_for(
    u: _User, c: Json, fmt: str | None, by_id: Mapping[int, Json], wallet_levels: Mapping[int, tuple[int, ...]], clock: datetime, flows: Mapping[int, tuple[int, int]] = MappingProxyType({})
) -> Json | None:
    """The user's user_progress for campaign c, in the format its type uses. `flows`: per
    wallet id, what the user's standard progress paid in and redeemed (wallet_flows)."""
    if fmt is None:
        return None
    d = Draws(u.seed, "progress", u.user_id, c["id"])
    if fmt == "standard":
        awards = u.spec.awards.get(c["id"])
        if awards is None:
            limit = award_limit(c, clock)
            limit = 5 if limit is None else limit
            # Nothing before it starts; a new user has nothing anywhere; the top user, whose
            # wallets are full, has spent no points on a voucher.
            nothing = u.role == "new" or not has_started(c, clock) or (u.role == "top" and bool(c.get("point_cost")))
            awards = 0 if nothing else d.below("award_count", limit + 1)
        return {"award_count": awards, "total_amount_awarded": awards * (c.get("recipient_reward_amount") or 0)}
    if fmt == "wallet":
        saved, total = wallet_amounts(u, c, wallet_levels.get(c["id"]), flows.get(c["id"], (0, 0)))
        return {"currency": CURRENCIES[c["currency_id"]], "is_redeemable": c.get("is_redeemable", False), "saved_amount": saved, "target_count": c["target_count"], "total_amount": total}
    # loyalty: the level the points balance in the rules' wallet reaches.
    rules = sorted(c["loyalty_rules"], key=lambda r: r["points_threshold"])
    wallet_id = loyalty_wallet(c)
    wallet = by_id.get(wallet_id, {"id": wallet_id})
    points = wallet_amounts(u, wallet, wallet_levels.get(wallet_id, tuple(r["points_threshold"] for r in rules)), flows.get(wallet_id, (0, 0)))[0]
    reached = [r for r in rules if r["points_threshold"] <= points] or rules[:1]
    current = reached[-1]
    higher = [r for r in rules if r["points_threshold"] > points]
    level = next(lv for lv in c["loyalty_levels"] if lv["id"] == current["loyalty_level_id"])
    # Reached after both the programme and its wallet existed, and before the clock.
    start = max(parse_time(c["created_date"]), parse_time(wallet["created_date"]) if "created_date" in wallet else parse_time(c["created_date"]))
    date_reached = start + timedelta(seconds=int(d.random("date_reached") * max(0, (clock - start).total_seconds())))
    return {
        "campaign_id": c["id"],
        "date_reached": iso(date_reached),
        "description": level["description"],
        "last_review_date": iso(date_reached),
        "loyalty_level_id": level["id"],
        "monetary_balance_current": None,
        "name": level["name"],
        "next_review_date": None,
        "points_balance_current": points,
        "points_to_proceed_next_level": higher[0]["points_threshold"] - points if higher else None,
        "points_to_remain_current_level": 0,
    }


def current_count(u: _User, c: Json, progress: Json, clock: datetime) -> int:
    """Purchases towards the next reward: below target_count, none before the campaign
    starts or once the user has had every reward it allows; one short for the near user."""
    target, limit = c["target_count"], c.get("max_reward_quantity")
    if u.role == "new" or target <= 0 or not has_started(c, clock) or (limit is not None and progress["award_count"] >= limit):
        return 0
    if u.role == "near":
        return target - 1
    return Draws(u.seed, "current_count", u.user_id, c["id"]).below("current_count", target)


# --- a whole chain ------------------------------------------------------------------


def generate_chain(seed: int, spec: ChainSpec, clock: datetime, progress_format, given: Given = Given()) -> ChainParts:
    """`progress_format(type)` comes from the contract; `given` is what the chain brings
    (the documented chain's own campaigns and sessions)."""
    d = Draws(seed, "chain", spec.id)
    p = pools(seed)
    name = spec.name or given.name or d.pick("name", p.companies)
    currency_id = CURRENCY_BY_CODE[spec.currency] if spec.currency else given.currency_id or d.pick("currency_id", MONEY_CURRENCIES)
    editor = {"name": f"{d.pick('editor_first_name', p.first_names)} {d.pick('editor_last_name', p.last_names)}", "user_id": spec.id * 100 + EDITOR_SUFFIX}
    now = int(clock.timestamp())

    documented = list(given.campaigns)
    allocated = campaign_ids(spec.id, spec.campaigns, frozenset(c["type"] for c in documented))
    wallets: dict[str, Json] = {}
    for c in documented:
        if c["type"] in WALLET_TYPES:
            wallets.setdefault(c["type"], c)
    shell = Chain(id=spec.id, name=name, currency_id=currency_id, campaigns=())
    ch = _Chain(seed, shell, wallets, editor, clock, now, now - (400 + d.below("founded", 1100)) * DAY, d)
    # Wallets first: every other campaign refers to one, and is created after it.
    made: dict[int, Json] = {}
    for cid, s in allocated:
        if s.type in WALLET_TYPES:
            made[cid] = make_campaign(ch, s, cid)
            wallets.setdefault(s.type, made[cid])
    for cid, s in allocated:
        if s.type not in WALLET_TYPES:
            made[cid] = make_campaign(ch, s, cid)
    ordered = [made[cid] for cid, _ in allocated]
    # Newest first, as the vendor lists them; a deleted campaign is never listed.
    campaigns = sorted(documented + [c for c in ordered if not c.get("is_deleted")], key=lambda c: (parse_time(c["created_date"]), c["id"]), reverse=True)
    unlisted = given.unlisted + tuple(c for c in ordered if c.get("is_deleted"))
    chain = Chain(id=spec.id, name=name, currency_id=currency_id, campaigns=tuple(campaigns), unlisted=unlisted)

    by_id = {c["id"]: c for c in (*campaigns, *unlisted)}
    # Which wallets decide a loyalty level, and against which thresholds.
    wallet_levels: dict[int, tuple[int, ...]] = {}
    for c in by_id.values():
        if c["type"] == "loyalty":
            wallet_levels.setdefault(loyalty_wallet(c), tuple(sorted(r["points_threshold"] for r in c["loyalty_rules"])))
    formats = {t: progress_format(t) for t in {c["type"] for c in by_id.values()}} if spec.users or spec.generated_users else {}
    user_specs = [(u, "regular") for u in spec.users] + [(UserSpec(), role_of(k, spec.id)) for k in range(spec.generated_users)]
    users, sessions, progress, counts = [], [], {}, {}
    taken = {u.user_id for u, _ in user_specs if u.user_id is not None}
    j = 1
    for u, role in user_specs:
        uid = u.user_id
        if uid is None:
            while spec.id * 100 + j in taken:
                j += 1
            uid = spec.id * 100 + j
            taken.add(uid)
        user = make_user(seed, spec.id, uid, u.identifiers)
        users.append(user)
        sessions.append(
            SpaazaSession(user_id=uid, key=u.session_key or secret(seed, "session", uid), role="user", chain_ids=frozenset({spec.id}), access_token=secret(seed, "token", uid)[:40], name=f"{user.first_name} {user.last_name}")
        )
        who = _User(seed, u, uid, role)
        # Awards first: the wallets they pay into and redeem from are generated around them.
        standard: dict[int, Json] = {}
        flows: dict[int, tuple[int, int]] = {}
        for cid, c in by_id.items():
            if formats[c["type"]] == "standard":
                standard[cid] = progress_for(who, c, "standard", by_id, wallet_levels, clock) or {}
                wallet_flows(c, standard[cid], flows)
        for cid, c in by_id.items():
            body = standard[cid] if cid in standard else progress_for(who, c, formats[c["type"]], by_id, wallet_levels, clock, flows)
            if body is not None:
                progress[(uid, cid)] = body
                if "current_count" in c:
                    counts[(uid, cid)] = current_count(who, c, body, clock)
    admin_id = spec.id * 100
    if admin_id not in taken:
        sessions.append(SpaazaSession(user_id=admin_id, key=secret(seed, "session", admin_id), role="admin", chain_ids=frozenset({spec.id}), access_token=secret(seed, "token", admin_id)[:40], name=editor["name"]))
    sessions.extend(given.sessions)
    app = given.app or MyPriceApp(id=spec.id, hostname=f"app-{spec.id}.myprice.example", chain_id=spec.id)
    return ChainParts(chain=chain, users=tuple(users), sessions=tuple(sessions), apps=(app,), progress=progress, current_counts=counts)
