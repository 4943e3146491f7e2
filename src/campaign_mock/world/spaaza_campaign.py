"""Generates one Spaaza campaign in the full view (rules and assignments included where it has
any): its type's template, then, in order, who it is, its dates, its looks, what it pays for,
what a scenario declares, its vouchers and rules, its texts, its assignments and its state.
Every value is drawn by the field it decides (providers.Draws), so the steps' order decides
only the order of the body's keys, which the fixtures fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Mapping

from campaign_mock.world.domain import POINTS_CURRENCY, is_within_window, parse_time
from campaign_mock.world.model import Chain, Json
from campaign_mock.world.providers import PRODUCTS, Draws, iso_utc
from campaign_mock.world.spaaza_texts import NEUTRAL_PRODUCT, VOUCHER_NOTES, WRITTEN_TEXTS, write_texts
from campaign_mock.world.specs import CURRENT_COUNT_TYPES, WALLET_TYPES, CampaignSpec

DEFAULT_LEVELS = (("Bronze", 0), ("Silver", 500), ("Gold", 1000), ("Platinum", 2500))


# Types a user can be rewarded by once only (max_reward_quantity 1, as documented signup 2008).
ONCE_ONLY = frozenset({"signup", "profile_completion"})


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
        elif ctype in CURRENT_COUNT_TYPES:
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
class ChainContext:
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


def _created(ch: ChainContext, d: Draws, ctype: str) -> int:
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


def _window(ch: ChainContext, d: Draws, state: str, created: int, cid: int) -> tuple[str | None, str | None]:
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


def make_campaign(ch: ChainContext, spec: CampaignSpec, cid: int) -> Json:
    """One campaign in the full view (rules and assignments included where it has any),
    from its type's template, its chain and its own draws, keyed by field."""
    d = Draws(ch.seed, "campaign", cid)
    c = dict(template(spec.type))
    _identity(c, ch, cid)
    created = _dates(c, ch, d)
    _looks(c, ch, d, cid)
    _pays(c, ch, spec, d, cid)
    # A scenario's numbers (reward, target, ratio, minimum basket...) before the rules and
    # texts that state them; every declared field is set again last, over what follows.
    c.update((key, value) for key, value in spec.fields.items() if key != "assignment_count")
    _vouchers(c, ch, spec, d, cid)
    # A drawn product could contradict a text the scenario writes ("Ten coffees", described as
    # salads): beside one, the generated texts name no product.
    write_texts(c, ch.chain.name, NEUTRAL_PRODUCT if WRITTEN_TEXTS & spec.fields.keys() else d.pick("product", PRODUCTS))
    _assignments(c, spec, d, cid)
    _state(c, ch, spec.state, d, created, cid)
    _declared_last(c, ch, spec)
    return c


def _identity(c: Json, ch: ChainContext, cid: int) -> None:
    """Its id, chain, currency, editor and the wallets it refers to."""
    c["id"] = cid
    c["chain_id"] = ch.chain.id
    if c["type"] != "points_wallet":
        c["currency_id"] = ch.chain.currency_id
    if "last_updated_by" in c:
        c["last_updated_by"] = ch.editor
    for key, wallet in _WALLET_REFERENCES.get(c["type"], ()):
        c[key] = ch.wallets[wallet]["id"]


def _dates(c: Json, ch: ChainContext, d: Draws) -> int:
    """Created (after the wallets it refers to), then modified; returns the creation time."""
    created = _created(ch, d, c["type"])
    modified = iso_utc(created + d.below("last_modified_date", ch.now - created + 1))
    c["created_date"] = iso_utc(created)
    c["last_modified_date"] = modified
    # Documented: set where the campaign names who last updated it, null on wallets and loyalty.
    c["last_updated_date"] = modified if "last_updated_by" in c else None
    return created


def _looks(c: Json, ch: ChainContext, d: Draws, cid: int) -> None:
    """Voucher defaults, owner code, priority, tags and styling."""
    ctype = c["type"]
    c["created_voucher_claimed_by_default"] = d.random("created_voucher_claimed_by_default") < 0.3
    c["owner_code"] = None if d.random("owner_code") < 0.5 else f"{ctype[:3].upper()}_{cid % 1000:03d}"
    c["reward_priority"] = d.below("reward_priority", 10)
    c["voucher_expiry_days"] = d.pick("voucher_expiry_days", (30, 90, 120, 365))
    # The documented forms of tags: null, one tag, a comma-separated list.
    tags = ch.draws.rotation("tags", 3, cid)
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


def _pays(c: Json, ch: ChainContext, spec: CampaignSpec, d: Draws, cid: int) -> None:
    """What it is for, by kind: a wallet's balance rule, a loyalty programme's levels, or what
    a rewarding campaign pays."""
    if spec.type in WALLET_TYPES:
        c["balance_can_subzero"] = d.random("balance_can_subzero") < 0.5
    elif spec.type == "loyalty":
        c["myprice_app_id"] = ch.chain.id
        levels = spec.levels or DEFAULT_LEVELS[: 2 + d.below("levels", 3)]
        c.update(_loyalty(cid, levels, ch.wallets["points_wallet"]["id"]))
    else:
        _rewards(c, d, ch.draws, cid)


def _vouchers(c: Json, ch: ChainContext, spec: CampaignSpec, d: Draws, cid: int) -> None:
    """A rewarding campaign's voucher notes, and sometimes a minimum basket rule."""
    if c["type"] in WALLET_TYPES or c["type"] == "loyalty":
        return
    # The documented forms of voucher_notes: null, the string "null", a text.
    c["voucher_notes"] = ch.draws.rotate("voucher_notes", (None, "null", VOUCHER_NOTES), cid)
    # (None where the scenario declares none: a declared 0 or null is no minimum to state.)
    if d.random("campaign_rules") < 0.2 and spec.fields.get("minimum_basket_total_value", True):
        # A minimum basket rule: the campaign states the same minimum.
        minimum = c["minimum_basket_total_value"] or d.pick("minimum_basket", (10, 25, 50))
        c["minimum_basket_total_value"] = minimum
        c["campaign_rules"] = [{"id": cid * 10 + 1, "campaign_id": cid, "rule_type": "minimum_basket_total_value", "value": minimum}]


def _assignments(c: Json, spec: CampaignSpec, d: Draws, cid: int) -> None:
    """Most campaigns are assigned to nothing; some to a few products or stores."""
    assignments = spec.fields.get("assignment_count")
    if assignments is None:
        assignments = 1 + d.below("assignment_count", 5) if d.random("assigned") < 0.25 else 0
    c["assignment_count"] = assignments
    if assignments:
        c["campaign_assignments"] = [
            {"id": cid * 1000 + i, "campaign_id": cid, "entity_type": "product" if i % 2 else "branch", "entity_id": 10000 + i} for i in range(1, assignments + 1)
        ]


def _state(c: Json, ch: ChainContext, state: str, d: Draws, created: int, cid: int) -> None:
    """Its active window, and the flag its state sets (specs.STATES)."""
    c["active_date_from"], c["active_date_until"] = _window(ch, d, state, created, cid)
    if state == "inactive":
        c["active"] = False
    elif state == "deleted":
        c["is_deleted"] = True


def _declared_last(c: Json, ch: ChainContext, spec: CampaignSpec) -> None:
    """Every field a scenario declares, over what was generated; the fields derived from them
    follow, unless it declares them too."""
    for key, value in spec.fields.items():
        if key != "assignment_count":
            c[key] = value
    if "last_modified_date" in spec.fields and "last_updated_date" not in spec.fields and c["last_updated_date"] is not None:
        c["last_updated_date"] = c["last_modified_date"]
    if "is_active" not in spec.fields:
        c["is_active"] = c["active"] and is_within_window(c, ch.clock)


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
