"""Generates Spaaza chains: campaigns of every type, users, sessions, apps and each user's
progress, consistent with each other (the rules: world/consistency.py; README "What consistent means").

A chain is generated from a ChainSpec alone, so chains can be built one at a time and
streamed (fixtures for 10^5 campaigns need no more memory than one chain)."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime, timedelta
from typing import Any, Mapping

from campaign_mock.world.model import Chain, Json, MyPriceApp, SpaazaSession, SpaazaUser
from campaign_mock.world.providers import PRODUCTS, entity_rng, iso, iso_utc, pick, plural, pools, secret

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

WALLET_TYPES = ("points_wallet", "wallet")
# A chain's user ids: <chain>00 its admin, <chain>01..<chain>98 its users, <chain>99 the
# editor that last_updated_by names.
MAX_USERS_PER_CHAIN = 98
EDITOR_SUFFIX = 99
DEFAULT_LEVELS = (("Bronze", 0), ("Silver", 500), ("Gold", 1000), ("Platinum", 2500))


@dataclass(frozen=True)
class CampaignSpec:
    """What a scenario (or the generator) says about one campaign; the rest is generated.
    `fields` are set verbatim on the campaign; `levels` are (name, points threshold)."""

    type: str
    id: int | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    levels: tuple[tuple[str, int], ...] | None = None


@dataclass(frozen=True)
class UserSpec:
    """A user a scenario cares about. `points` is the balance in the chain's points wallet
    (and so decides the loyalty level); `balances` and `awards` are keyed by campaign id."""

    user_id: int | None = None
    identifiers: Mapping[str, str] = field(default_factory=dict)
    points: int | None = None
    balances: Mapping[int, int] = field(default_factory=dict)
    awards: Mapping[int, int] = field(default_factory=dict)
    session_key: str | None = None


@dataclass(frozen=True)
class ChainSpec:
    id: int
    name: str | None = None
    currency: str | None = None
    campaigns: tuple[CampaignSpec, ...] = ()
    users: tuple[UserSpec, ...] = ()
    generated_users: int = 0


@dataclass(frozen=True)
class ChainParts:
    """One generated chain and everything that hangs off it."""

    chain: Chain
    users: tuple[SpaazaUser, ...]
    sessions: tuple[SpaazaSession, ...]
    apps: tuple[MyPriceApp, ...]
    progress: Mapping[tuple[int, int], Json]


def every_type_spec(chain_id: int, types: tuple[str, ...], generated_users: int) -> ChainSpec:
    """A generated chain: one campaign of every documented type, in the contract's order."""
    return ChainSpec(id=chain_id, campaigns=_one_of_each(types), generated_users=generated_users)


@lru_cache(maxsize=None)
def _one_of_each(types: tuple[str, ...]) -> tuple[CampaignSpec, ...]:
    # Shared by every generated chain: 10^5 campaigns need no 10^5 spec objects.
    return tuple(CampaignSpec(t) for t in types if t not in WALLET_TYPES)


# --- campaigns ----------------------------------------------------------------------

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
_COLOURS = ("#1d3557", "#e63946", "#f1faee", "#457b9d", "#2a9d8f", "#ffffff", "#000000", None)


def _money(currency: Json, amount: int | str) -> str:
    return f"{currency['symbol']}{amount}" if currency["display_position"] == "before" else f"{amount} {currency['symbol']}"


# Title and description per type, filled with the chain's name and currency.
_TEXTS = {
    "basket": ("{reward} off a basket over {reward10}", "Spend {reward10} in one go and save {reward}"),
    "birthday": ("Birthday", "A birthday treat from {chain}"),
    "cashback": ("Save points on every purchase", "Earn 1 point for every {code} spent at {chain}"),
    "content": ("News from {chain}", "Read what is new this season"),
    "interaction": ("Get a {reward} voucher with {points} points", "Exchange your points for a voucher"),
    "item_purchase_count": ("Buy {target} {products}, get one free", "Every {product} counts"),
    "login": ("Log in and earn", "Open the {chain} app to collect a reward"),
    "loyalty": ("{chain} Loyalty Campaign", "The best loyalty programme"),
    "matching_item": ("{reward} off matching items", "Buy the matching set and save"),
    "mobile_content": ("{chain} in your pocket", "Exclusive content in the app"),
    "points_wallet": ("{chain} Points Wallet", "Build up points in your wallet"),
    "product": ("{reward} off every {product}", "A discount on {products}"),
    "profile_completion": ("Complete your profile", "Fill in your profile and get {reward}"),
    "progress": ("Spend {goal} and earn {reward}", "Earn vouchers to spend on your next purchase"),
    "purchase_count": ("Shop {target} times, get {reward}", "Every visit counts"),
    "referral": ("Refer a friend, both get {reward}", "Invite friends to {chain}"),
    "signup": ("Welcome to the club", "Welcome to {chain}"),
    "subscription": ("{chain} Plus", "A monthly subscription with perks"),
    "wallet": ("{chain} Monetary Wallet", "Converted wallet points come here"),
}


def _texts(c: Json, chain_name: str, product: str) -> None:
    """Title, description and voucher texts, in the chain's currency."""
    ctype = c["type"]
    currency = CURRENCIES[c["currency_id"]]
    amount = c.get("recipient_reward_amount") or 5
    reward = _money(currency, amount)
    fill = {"chain": chain_name, "code": currency["code"], "reward": reward, "points": c.get("point_cost", 0), "target": c["target_count"], "product": product, "products": plural(product)}
    if ctype == "basket":
        fill["reward10"] = _money(currency, amount * 10)
    elif ctype == "progress":
        fill["goal"] = _money(currency, c["goal_amount"].split(".")[0])
    title, description = _TEXTS[ctype]
    c["title"] = title.format_map(fill)
    c["description"] = description.format_map(fill)
    if ctype not in WALLET_TYPES and ctype != "loyalty":
        c["voucher_text"] = c["voucher_title"] = f"Your {reward} voucher"
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
    "progress": (("recipient_campaign_id", "wallet"),),
    "referral": (("recipient_campaign_id", "wallet"),),
}


def make_campaign(seed: int, chain: Chain, spec: CampaignSpec, cid: int, wallets: Mapping[str, int], editor: Json, clock: datetime) -> Json:
    """One campaign in the full view (rules and assignments included where it has any),
    from its type's template, its chain and its own draws."""
    rng = entity_rng(seed, "campaign", cid)
    r = rng.random
    ctype = spec.type
    base = template(ctype)
    c = dict(base)
    c["chain_id"] = chain.id
    if ctype != "points_wallet":
        c["currency_id"] = chain.currency_id
    if "last_updated_by" in base:
        c["last_updated_by"] = editor
    if ctype == "loyalty":
        c["myprice_app_id"] = chain.id
    for key, wallet in _WALLET_REFERENCES.get(ctype, ()):
        c[key] = wallets[wallet]
    now = int(clock.timestamp())  # 0.6 us; cheaper than threading it through
    created = now - 30 * 86400 - int(r() * 1470 * 86400)
    modified = iso_utc(created + int(r() * (now - created)))
    c["id"] = cid
    c["created_date"] = iso_utc(created)
    c["last_modified_date"] = c["last_updated_date"] = modified
    c["created_voucher_claimed_by_default"] = r() < 0.3
    c["owner_code"] = None if r() < 0.5 else f"{ctype[:3].upper()}_{cid % 1000:03d}"
    c["reward_priority"] = int(r() * 10)
    c["voucher_expiry_days"] = pick(rng, (30, 90, 120, 365))
    if r() < 0.3:
        c["styling"] = {
            **_STYLING_NONE,
            "layout_style": pick(rng, _LAYOUTS),
            "background_colour": pick(rng, _COLOURS),
            "text_colour": pick(rng, _COLOURS),
            "primary_action_background_colour": pick(rng, _COLOURS),
            "primary_action_text_colour": pick(rng, _COLOURS),
        }
    if ctype in WALLET_TYPES:
        c["balance_can_subzero"] = r() < 0.5
    elif ctype == "loyalty":
        c.update(_loyalty(cid, spec.levels or DEFAULT_LEVELS[: 2 + int(r() * 3)], wallets["points_wallet"]))
    else:
        if "recipient_reward_method" in base and ctype != "cashback":
            c["recipient_reward_amount"] = pick(rng, (1, 2, 5, 10, 15, 20))
        if ctype == "cashback":
            c["cashback_ratio"] = pick(rng, ("1.0000", "0.5000", "2.0000"))
        elif ctype == "interaction":
            c["point_cost"] = pick(rng, (100, 250, 450, 500, 1000))
        elif ctype == "birthday":
            c["days_before"] = pick(rng, (0, 7, 14, 30))
        elif ctype == "progress":
            c["goal_amount"] = f"{pick(rng, (50, 100, 150, 200))}.00"
        elif ctype in ("purchase_count", "item_purchase_count"):
            c["target_count"] = pick(rng, (5, 8, 10, 12))
        elif ctype == "referral":
            c["sender_campaign_id"] = cid
        elif ctype == "signup" and r() < 0.5:
            c.update(recipient_reward_amount=0, recipient_reward_discount_ratio=0.1, recipient_reward_method="percentage_basket_voucher")
    _texts(c, chain.name, pick(rng, PRODUCTS))
    # Most campaigns are assigned to nothing; some to a few products or stores.
    assignments = spec.fields.get("assignment_count", int(r() * 6) if r() < 0.25 else 0)
    if r() < 0.2 and ctype not in WALLET_TYPES:
        c["campaign_rules"] = [{"id": cid * 10 + 1, "campaign_id": cid, "rule_type": "minimum_basket_total_value", "value": pick(rng, (10, 25, 50))}]
    c["assignment_count"] = assignments
    if assignments:
        c["campaign_assignments"] = [
            {"id": cid * 1000 + i, "campaign_id": cid, "entity_type": "product" if i % 2 else "branch", "entity_id": 10000 + i} for i in range(1, assignments + 1)
        ]
    if r() < 0.1 and ctype not in WALLET_TYPES:
        # An expired campaign: its window closed before the clock.
        until = now - 86400 - int(r() * 19 * 86400)
        c.update(active_date_from=iso_utc(until - 30 * 86400), active_date_until=iso_utc(until))
    for key, value in spec.fields.items():
        if key != "assignment_count":
            c[key] = value
    # Derived fields follow what the scenario set, unless it set them too.
    if "last_modified_date" in spec.fields and "last_updated_date" not in spec.fields:
        c["last_updated_date"] = c["last_modified_date"]
    if "is_active" not in spec.fields:
        c["is_active"] = c["active"] and is_within_window(c, clock)
    return c


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


def progress_for(seed: int, user: UserSpec, user_id: int, c: Json, chain_campaigns: Mapping[int, Json], clock: datetime, fmt: str | None) -> Json | None:
    """The user's user_progress for campaign c, in the format its type uses."""
    if fmt is None:
        return None
    rng = entity_rng(seed, "progress", user_id, c["id"])
    if fmt == "standard":
        awards = user.awards.get(c["id"], int(rng.random() * 4))
        return {"award_count": awards, "total_amount_awarded": awards * (c.get("recipient_reward_amount") or 0)}
    if fmt == "wallet":
        saved = balance(seed, user, user_id, c)
        return {
            "currency": CURRENCIES[c["currency_id"]],
            "is_redeemable": c.get("is_redeemable", False),
            "saved_amount": saved,
            "target_count": c["target_count"],
            "total_amount": saved + int(rng.random() * 300),
        }
    # loyalty: the level the points balance in the rules' wallet reaches.
    rules = sorted(c["loyalty_rules"], key=lambda r: r["points_threshold"])
    wallet_id = next((r["wallet_campaign_id"] for r in rules if "wallet_campaign_id" in r), None)
    wallet = chain_campaigns.get(wallet_id, {"id": wallet_id})
    points = balance(seed, user, user_id, wallet)
    reached = [r for r in rules if r["points_threshold"] <= points] or rules[:1]
    current = reached[-1]
    higher = [r for r in rules if r["points_threshold"] > points]
    level = next(lv for lv in c["loyalty_levels"] if lv["id"] == current["loyalty_level_id"])
    created = parse_time(c["created_date"])
    date_reached = created + timedelta(seconds=int(rng.random() * (clock - created).total_seconds()))
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


def balance(seed: int, user: UserSpec, user_id: int, wallet: Json) -> int:
    """A user's balance in a wallet: what the scenario says, else drawn per (user, wallet)."""
    if wallet["id"] in user.balances:
        return user.balances[wallet["id"]]
    if user.points is not None and wallet.get("type", "points_wallet") == "points_wallet":
        return user.points
    return int(entity_rng(seed, "balance", user_id, wallet["id"]).random() * 1200)


# --- a whole chain ------------------------------------------------------------------


def generate_chain(seed: int, spec: ChainSpec, clock: datetime, progress_format, extra: Mapping[str, Any] | None = None) -> ChainParts:
    """`progress_format(type)` comes from the contract. `extra` lets the documented chain
    bring its own campaigns and sessions ({"campaigns": [...], "unlisted": [...], "name": ...,
    "app": ..., "sessions": [...]})."""
    extra = extra or {}
    rng = entity_rng(seed, "chain", spec.id)
    name = spec.name or extra.get("name") or rng.choice(pools(seed).companies)
    currency_id = CURRENCY_BY_CODE[spec.currency] if spec.currency else extra.get("currency_id") or rng.choice(MONEY_CURRENCIES)
    editor_rng = entity_rng(seed, "editor", spec.id)
    p = pools(seed)
    editor = {"name": f"{editor_rng.choice(p.first_names)} {editor_rng.choice(p.last_names)}", "user_id": spec.id * 100 + EDITOR_SUFFIX}

    documented = list(extra.get("campaigns", ()))
    specs = list(spec.campaigns)
    declared_types = {s.type for s in specs} | {c["type"] for c in documented}
    # Every chain has a points wallet and a money wallet for its campaigns to point at.
    auto_wallets = [CampaignSpec(t, id=spec.id * 1000 + k) for k, t in enumerate(WALLET_TYPES, 1) if t not in declared_types]
    specs = auto_wallets + specs
    auto_ids = itertools.count(spec.id * 1000 + 10)
    ids = [s.id if s.id is not None else next(auto_ids) for s in specs]
    wallets: dict[str, int] = {}
    for ctype, cid in [(c["type"], c["id"]) for c in documented] + [(s.type, i) for s, i in zip(specs, ids)]:
        if ctype in WALLET_TYPES:
            wallets.setdefault(ctype, cid)
    shell = Chain(id=spec.id, name=name, currency_id=currency_id, campaigns=())
    made = [make_campaign(seed, shell, s, cid, wallets, editor, clock) for s, cid in zip(specs, ids)]
    # Newest first, as the vendor lists them; a campaign a scenario marks deleted is never listed.
    campaigns = sorted(documented + [c for c in made if not c.get("is_deleted")], key=lambda c: (parse_time(c["created_date"]), c["id"]), reverse=True)
    unlisted = tuple(extra.get("unlisted", ())) + tuple(c for c in made if c.get("is_deleted"))
    chain = Chain(id=spec.id, name=name, currency_id=currency_id, campaigns=tuple(campaigns), unlisted=unlisted)

    user_specs = list(spec.users) + [UserSpec() for _ in range(spec.generated_users)]
    users, sessions, progress = [], [], {}
    by_id = {c["id"]: c for c in (*campaigns, *unlisted)}
    taken = {u.user_id for u in user_specs if u.user_id is not None}
    j = 1
    for u in user_specs:
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
        for c in by_id.values():
            body = progress_for(seed, u, uid, c, by_id, clock, progress_format(c["type"]))
            if body is not None:
                progress[(uid, c["id"])] = body
    admin_id = spec.id * 100
    if admin_id not in taken:
        sessions.append(SpaazaSession(user_id=admin_id, key=secret(seed, "session", admin_id), role="admin", chain_ids=frozenset({spec.id}), access_token=secret(seed, "token", admin_id)[:40], name=editor["name"]))
    sessions.extend(extra.get("sessions", ()))
    app = extra.get("app") or MyPriceApp(id=spec.id, hostname=f"app-{spec.id}.myprice.example", chain_id=spec.id)
    return ChainParts(chain=chain, users=tuple(users), sessions=tuple(sessions), apps=(app,), progress=progress)
