"""What a Spaaza campaign's values mean, said once: its currencies, its times and whether it is
active at a clock, the wallet its loyalty levels count, how often it may have rewarded one user,
what its awards move between wallets, its cashback rate. The generator makes campaigns by
these; views (activity) and the consistency rules judge them by the same."""

from __future__ import annotations

from datetime import datetime
from typing import Mapping

from campaign_mock.contract.body_rules import level_reached
from campaign_mock.world.model import Json

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


def loyalty_level_for(c: Json, points: int) -> tuple[Json, int | None]:
    """The loyalty level a points balance reaches in campaign c, and the points missing to the
    next one (None at the top): body_rules.level_reached over its rules."""
    current, to_next = level_reached(c["loyalty_rules"], points)
    return next(lv for lv in c["loyalty_levels"] if lv["id"] == current["loyalty_level_id"]), to_next


def award_limit(c: Json, clock: datetime) -> int | None:
    """How often a campaign can have rewarded one user by the clock: max_reward_quantity,
    and a birthday once a year since it started (None: no limit)."""
    limit = c.get("max_reward_quantity")
    if c["type"] == "birthday":
        since = c.get("active_date_from") or c["created_date"]
        years = 1 + max(0, (clock - parse_time(since)).days) // 366
        limit = years if not isinstance(limit, int) else min(limit, years)
    return limit if isinstance(limit, int) else None


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


def cashback_rate(ratio: str) -> tuple[int, int]:
    """cashback_ratio as (points, per units of currency): "2.0000" -> (2, 1), "0.5000" -> (1, 2)."""
    value = float(ratio)
    return (round(value), 1) if value >= 1 else (1, round(1 / value))
