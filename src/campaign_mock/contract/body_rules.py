"""Rules the vendors' docs state about a campaign's own values that no schema can say, judged
on plain JSON: a Spaaza campaign body with its user_progress, a LevelUp custom-progress body.
Stated once: the checker (check/rules.py) holds any server's answers to them, and the world's
consistency rules (world/consistency.py) hold a generated world to the same, beside the mock's
own stricter rules. Each rule yields Findings; a value it cannot read (a wrong type, a missing
field) is left to the schema."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator, TypeGuard

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Finding:
    """One broken rule: its name, where (a JSON path into what was judged), what is wrong (in
    words), and `also`: the other values it is about, where its cause may be written (the
    value a date is compared with, say)."""

    rule: str
    path: Path
    message: str
    also: tuple[Path, ...] = ()

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


def is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _time(value: object) -> datetime | None:
    """An RFC 3339 date-time with an offset; None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def level_reached(rules: list[dict[str, Any]], points: int) -> tuple[dict[str, Any], int | None]:
    """The loyalty rule `points` reach (the highest points_threshold <= points; the lowest
    rule below all thresholds) and the points still missing to the next one (None at the
    top). The generator writes user_progress by it; loyalty_level judges user_progress by it."""
    ordered = sorted(rules, key=lambda r: r["points_threshold"])
    reached = [r for r in ordered if r["points_threshold"] <= points] or ordered[:1]
    higher = [r["points_threshold"] for r in ordered if r["points_threshold"] > points]
    return reached[-1], (higher[0] - points if higher else None)


def loyalty_level(c: dict[str, Any], p: object) -> Iterator[Finding]:
    """Loyalty arithmetic: the level in user_progress is the one the campaign's loyalty_rules
    give points_balance_current (level_reached), points_to_proceed_next_level is the next
    threshold minus the balance (null at the top level), and the progress is this campaign's.
    Judged only where the campaign's rules are at hand."""
    rules = c.get("loyalty_rules")
    if not isinstance(p, dict) or not isinstance(rules, list) or not rules:
        return
    balance = p.get("points_balance_current")
    if not isinstance(balance, int) or isinstance(balance, bool):
        return
    try:
        expected, to_next = level_reached(rules, balance)
    except (KeyError, TypeError):
        return
    if p.get("loyalty_level_id") != expected.get("loyalty_level_id"):
        yield Finding(
            "loyalty level", ("user_progress", "loyalty_level_id"),
            f"points_balance_current {balance} reaches loyalty level {expected.get('loyalty_level_id')} ({expected.get('loyalty_level_name')!r}, threshold {expected['points_threshold']}), "
            f"but user_progress says level {p.get('loyalty_level_id')} ({p.get('name')!r})",
        )
    elif "loyalty_level_name" in expected and p.get("name") != expected["loyalty_level_name"]:
        yield Finding("loyalty level", ("user_progress", "name"), f"user_progress names level {p.get('name')!r}, its rule names it {expected['loyalty_level_name']!r}")
    if p.get("points_to_proceed_next_level") != to_next:
        why = f"{to_next} (next threshold {to_next + balance} - balance {balance})" if to_next is not None else "null (top level)"
        yield Finding("loyalty next level", ("user_progress", "points_to_proceed_next_level"), f"points_to_proceed_next_level is {p.get('points_to_proceed_next_level')!r}, expected {why}")
    if "campaign_id" in p and p["campaign_id"] != c.get("id"):
        yield Finding("loyalty level", ("user_progress", "campaign_id"), f"loyalty user_progress.campaign_id is {p['campaign_id']!r}")


def wallet_progress(c: dict[str, Any], p: object) -> Iterator[Finding]:
    """A wallet user_progress is "in the currency of the wallet" (currency.id = the campaign's
    currency_id), and its saved_amount, the current balance, is at most total_amount, all ever
    added to the wallet."""
    if not isinstance(p, dict) or "saved_amount" not in p:
        return
    currency = p.get("currency")
    if isinstance(currency, dict) and "currency_id" in c and currency.get("id") != c["currency_id"]:
        yield Finding(
            "wallet currency", ("user_progress", "currency", "id"),
            f"wallet user_progress in currency {currency.get('id')!r} ({currency.get('code')}), the wallet's currency_id is {c['currency_id']!r}", also=(("currency_id",),),
        )
    saved, total = p.get("saved_amount"), p.get("total_amount")
    if is_number(saved) and is_number(total) and saved > total:
        yield Finding("wallet", ("user_progress", "saved_amount"), f"saved_amount {saved} is more than total_amount {total}, all ever added to the wallet", also=(("user_progress", "total_amount"),))


def campaign_dates(c: dict[str, Any]) -> Iterator[Finding]:
    """Time runs forwards within a campaign: created_date <= last_modified_date and
    active_date_from <= active_date_until."""
    for first, then in (("created_date", "last_modified_date"), ("active_date_from", "active_date_until")):
        a, b = _time(c.get(first)), _time(c.get(then))
        if a and b and a > b:
            yield Finding("dates", (first,), f"{first} {c[first]} is after {then} {c[then]}", also=((then,),))


def reached_in_time(c: dict[str, Any], p: object, key: str = "date_reached", wallet_created: datetime | None = None, clock: datetime | None = None) -> Iterator[Finding]:
    """A loyalty level is reached (user_progress.date_reached) no earlier than the campaign was
    created. Where the caller knows them (the mock does), also no earlier than the wallet the
    levels count was created, and not after the clock; `key` names another date of the
    progress held to the same (the mock's last_review_date)."""
    value = _time(p.get(key)) if isinstance(p, dict) else None
    if value is None:
        return
    assert isinstance(p, dict)
    where = ("user_progress", key)
    created = _time(c.get("created_date"))
    if created is not None and value < created:
        yield Finding("loyalty dates", where, f"user_progress.{key} {p[key]} is before the campaign was created ({c['created_date']})", also=(("created_date",),))
    elif wallet_created is not None and value < wallet_created:
        yield Finding("loyalty dates", where, f"user_progress.{key} {p[key]} is before its wallet was created ({wallet_created.isoformat()})")
    if clock is not None and value > clock:
        yield Finding("loyalty dates", where, f"user_progress.{key} {p[key]} is after the clock ({clock.isoformat()})", also=(("clock",),))


def nothing_awarded_without_awards(c: dict[str, Any], p: object) -> Iterator[Finding]:
    """A standard user_progress with award_count 0 (never awarded by the campaign) has
    total_amount_awarded 0."""
    if isinstance(p, dict) and p.get("award_count") == 0 and p.get("total_amount_awarded") not in (0, None):
        yield Finding("awards", ("user_progress", "total_amount_awarded"), f"award_count 0 but total_amount_awarded {p['total_amount_awarded']}")


def goals_accomplished(body: object) -> Iterator[Finding]:
    """A LevelUp custom_progress_based_v1 body: each goal is accomplished exactly when
    current_progress >= its progress_required."""
    campaign = body.get("campaign") if isinstance(body, dict) else None
    if not isinstance(campaign, dict) or not isinstance(campaign.get("goals"), list):
        return
    progress = campaign.get("current_progress")
    if not is_number(progress):
        return
    for i, item in enumerate(campaign["goals"]):
        goal = item.get("goal") if isinstance(item, dict) else None
        if not isinstance(goal, dict) or not is_number(goal.get("progress_required")):
            continue
        expected = progress >= goal["progress_required"]
        if goal.get("accomplished") is not expected:
            yield Finding(
                "goals", ("campaign", "goals", i, "goal", "accomplished"),
                f"goal {goal.get('id')!r}: accomplished is {goal.get('accomplished')!r} with current_progress {progress} "
                f"and progress_required {goal['progress_required']} (expected {str(expected).lower()})",
            )
