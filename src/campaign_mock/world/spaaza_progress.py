"""Generates a Spaaza chain's users and their progress: who they are (identifiers from the
seed's pools), the role each shows a client, and in each campaign the user_progress its
type's format has (standard awards, wallet balances, the loyalty level the points reach) and
the current_count towards a target."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Mapping

from campaign_mock.world.domain import CURRENCIES, award_limit, has_started, loyalty_level_for, loyalty_wallet, parse_time
from campaign_mock.world.model import Json, SpaazaUser
from campaign_mock.world.providers import Draws, entity_rng, iso, pools
from campaign_mock.world.specs import UserSpec

# What a generated user shows a client, in this order for a chain's generated users: nothing
# at all; a level and a target just out of reach, and a spent-out money wallet; the top level
# and full wallets; anything (declared users and the rest).
ROLES = ("new", "near", "top", "regular")


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
class Member:
    seed: int
    spec: UserSpec
    user_id: int
    role: str


def _points(u: Member, thresholds: tuple[int, ...], wallet_id: int) -> int:
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


def wallet_amounts(u: Member, wallet: Json, thresholds: tuple[int, ...] | None, flow: tuple[int, int] = (0, 0)) -> tuple[int, int]:
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


def progress_for(
    u: Member, c: Json, fmt: str | None, by_id: Mapping[int, Json], wallet_levels: Mapping[int | None, tuple[int, ...]], clock: datetime, flows: Mapping[int, tuple[int, int]] = MappingProxyType({})
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
    wallet: Json = by_id.get(wallet_id, {"id": wallet_id}) if wallet_id is not None else {"id": None}
    flow = flows.get(wallet_id, (0, 0)) if wallet_id is not None else (0, 0)
    points = wallet_amounts(u, wallet, wallet_levels.get(wallet_id, tuple(r["points_threshold"] for r in rules)), flow)[0]
    level, to_next = loyalty_level_for(c, points)
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
        "points_to_proceed_next_level": to_next,
        "points_to_remain_current_level": 0,
    }


def current_count(u: Member, c: Json, progress: Json, clock: datetime) -> int:
    """Purchases towards the next reward: as the scenario declares it (`progress`), else below
    target_count, none before the campaign starts or once the user has had every reward it
    allows; one short for the near user."""
    if c["id"] in u.spec.progress:
        return u.spec.progress[c["id"]]
    target, limit = c["target_count"], c.get("max_reward_quantity")
    if u.role == "new" or target <= 0 or not has_started(c, clock) or (limit is not None and progress["award_count"] >= limit):
        return 0
    if u.role == "near":
        return target - 1
    return Draws(u.seed, "current_count", u.user_id, c["id"]).below("current_count", target)
