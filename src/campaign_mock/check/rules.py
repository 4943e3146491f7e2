"""The domain rules: what the schema cannot say. Each is a pure function of an Exchange and
returns the problems it found (empty: fine). checks.py registers each one with Schemathesis
under the same name; the drift report and the tests can call them directly.

A rule only judges answers it can read: a 200 with the expected shape, or a Spaaza error
envelope. Shape problems are left to Schemathesis' response_schema_conformance."""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Iterable

from campaign_mock.check.exchange import Exchange
from campaign_mock.contract import body_rules, load_contract
from campaign_mock.contract.body_rules import Finding, is_number
from campaign_mock.contract.catalogue import SpaazaError, spaaza_errors
from campaign_mock.contract.facts import BOOLEANS, CURRENT_API_VERSION, EXCLUDE_INACTIVE_BY_DEFAULT_FROM, MAX_ASSIGNMENTS_SHOWN, parse_version
from campaign_mock.contract.validate import json_path

Rule = Callable[[Exchange], list[str]]


# --- reading the request ------------------------------------------------------------


def requested_types(ex: Exchange) -> frozenset[str] | None:
    """The campaign_type filter; None when absent or unreadable (then nothing is asserted)."""
    text = ex.query.get("campaign_type")
    if text is None:
        return None
    types = frozenset(t.strip() for t in text.split(","))
    return types if types <= frozenset(load_contract().campaign_types) else None


def api_version(ex: Exchange) -> tuple[int, int, int] | None:
    text = ex.request_headers.get("X-Spaaza-API-Version")
    return CURRENT_API_VERSION if text is None else parse_version(text.strip())


def excludes_inactive(ex: Exchange) -> bool | None:
    """exclude_inactive as the server must apply it: the parameter, else the version's
    default (true from facts.EXCLUDE_INACTIVE_BY_DEFAULT_FROM). None when unreadable."""
    text = ex.query.get("exclude_inactive")
    if text is not None:
        return BOOLEANS.get(text.lower())
    version = api_version(ex)
    return None if version is None else version >= EXCLUDE_INACTIVE_BY_DEFAULT_FROM


def _dotted(version: tuple[int, int, int]) -> str:
    return ".".join(map(str, version))


def _label(c: dict) -> str:
    return f"campaign {c.get('id')!r} ({c.get('type')})"


def _per_campaign(ex: Exchange, rule: Callable[[dict, object], Iterable[Finding]]) -> list[str]:
    """A rule of contract/body_rules.py over every campaign of the answer and its user_progress."""
    return [f"{_label(c)}: {f.message}" for c in ex.campaigns() for f in rule(c, c.get("user_progress"))]


# --- the rules ----------------------------------------------------------------------


def user_progress_fits_campaign_type(ex: Exchange) -> list[str]:
    """A campaign's user_progress has the format its type uses (standard, loyalty or
    wallet: contract progress_format), and types without a format carry none."""
    contract = load_contract()
    problems = []
    for c in ex.campaigns():
        if "user_progress" not in c or not isinstance(c.get("type"), str):
            continue
        fmt = contract.progress_format(c["type"])
        if fmt is None:
            problems.append(f"{_label(c)} carries user_progress, but type {c['type']} has no user_progress format")
            continue
        errors = list(contract.validator(f"spaaza-user-progress.json#/$defs/{fmt}").iter_errors(c["user_progress"]))
        if errors:
            first = errors[0]
            where = json_path(first.absolute_path)[1:]  # after "$": user_progress.x
            problems.append(f"{_label(c)}: user_progress is not in the {fmt} format: user_progress{where}: {first.message}")
    return problems


def loyalty_level_matches_points(ex: Exchange) -> list[str]:
    """Loyalty arithmetic: the level in user_progress is the one the campaign's loyalty_rules
    give points_balance_current (the highest points_threshold <= balance; the lowest rule
    below all thresholds), and points_to_proceed_next_level = next threshold - balance, null
    at the top level. Judged only when the campaign (with its rules) is in the response
    (contract/body_rules.loyalty_level)."""
    return _per_campaign(ex, body_rules.loyalty_level)


def campaign_type_filter_honoured(ex: Exchange) -> list[str]:
    """get-campaigns with campaign_type lists only campaigns of the requested type(s)."""
    if ex.kind != "get-campaigns":
        return []
    types = requested_types(ex)
    if types is None:
        return []
    return [
        f"{_label(c)} listed although campaign_type={ex.query['campaign_type']} was requested"
        for c in ex.campaigns()
        if c.get("type") not in types
    ]


def exclude_inactive_honoured(ex: Exchange) -> list[str]:
    """When inactive campaigns are excluded (exclude_inactive, or by default from API version
    facts.EXCLUDE_INACTIVE_BY_DEFAULT_FROM; no X-Spaaza-API-Version header =
    facts.CURRENT_API_VERSION), no campaign has active or is_active false."""
    if ex.kind != "get-campaigns" or not ex.campaigns() or not excludes_inactive(ex):
        return []
    if "exclude_inactive" in ex.query:
        why = f"exclude_inactive={ex.query['exclude_inactive']}"
    else:
        sent = ex.request_headers.get("X-Spaaza-API-Version", f"none (current {_dotted(CURRENT_API_VERSION)})")
        why = f"exclude_inactive defaults to true for API version {sent}"
    return [
        f"{_label(c)} is inactive (active={c.get('active')!r}, is_active={c.get('is_active')!r}) but listed: {why}"
        for c in ex.campaigns()
        if c.get("active") is False or c.get("is_active") is False
    ]


def _created(c: dict) -> datetime | None:
    try:
        return datetime.fromisoformat(c["created_date"])
    except (KeyError, TypeError, ValueError):
        return None


def order_by_honoured(ex: Exchange) -> list[str]:
    """get-campaigns is in descending order of order_by: created_date (the default) or
    priority (reward_priority)."""
    if ex.kind != "get-campaigns":
        return []
    order_by = ex.query.get("order_by", "created_date")
    campaigns = ex.campaigns()
    if order_by == "created_date":
        keys = [_created(c) for c in campaigns]
        if None in keys:
            return []
    elif order_by == "priority":
        keys = [c.get("reward_priority", 0) for c in campaigns]
        if not all(isinstance(k, (int, float)) and not isinstance(k, bool) for k in keys):
            return []
    else:
        return []
    field = "created_date" if order_by == "created_date" else "reward_priority"
    return [
        f"order_by={order_by}: {_label(campaigns[i])} ({field} {campaigns[i].get(field)}) comes before "
        f"{_label(campaigns[i + 1])} ({field} {campaigns[i + 1].get(field)}): not descending"
        for i in range(len(keys) - 1)
        if keys[i] < keys[i + 1]  # type: ignore[operator]
    ][:3]


def catalogued(ex: Exchange) -> SpaazaError | None:
    """The catalogue's entry for a Spaaza error body's code; None for no error body or a code
    the catalogue lacks."""
    error = ex.spaaza_error()
    code = error.get("code") if error is not None else None
    return spaaza_errors().get(code) if isinstance(code, int) else None


def error_matches_catalogue(ex: Exchange) -> list[str]:
    """A Spaaza error body's name, and the HTTP status it comes with, are the ones the error
    catalogue documents for its code. Codes outside the catalogue are left to the schema."""
    documented = catalogued(ex)
    if documented is None:
        return []
    error = ex.spaaza_error() or {}  # not None: catalogued() found its code
    problems = []
    if error.get("name") != documented.name:
        problems.append(f"error code {documented.code} is {documented.name!r} in the catalogue, the body names it {error.get('name')!r}")
    if ex.status != documented.http_status:
        problems.append(f"error {documented.code} {documented.name} is documented as HTTP {documented.http_status}, served as HTTP {ex.status}")
    return problems


def levelup_goals_accomplished_when_reached(ex: Exchange) -> list[str]:
    """LevelUp custom_progress_based_v1: each goal is accomplished exactly when
    current_progress >= its progress_required (contract/body_rules.goals_accomplished)."""
    if ex.kind != "levelup" or ex.status != 200:
        return []
    return [f.message for f in body_rules.goals_accomplished(ex.body)]


REFERENCE_FIELDS = ("recipient_campaign_id", "point_cost_method_wallet_campaign_id")


def referenced_campaigns_listed(ex: Exchange) -> list[str]:
    """In an unfiltered get-campaigns answer (no campaign_type, inactive campaigns included),
    every campaign another one refers to (recipient_campaign_id,
    point_cost_method_wallet_campaign_id) is listed. Loyalty rules' wallet ids are not
    judged: the documented rules point at 2009, which is never listed."""
    if ex.kind != "get-campaigns" or "campaign_type" in ex.query or excludes_inactive(ex) is not False:
        return []
    campaigns = ex.campaigns()
    ids = {c.get("id") for c in campaigns}
    return [
        f"{_label(c)}: {name} {c[name]} is not in the response"
        for c in campaigns
        for name in REFERENCE_FIELDS
        if c.get(name) is not None and c[name] not in ids
    ]


RULES: dict[str, Rule] = {
    rule.__name__: rule
    for rule in (
        user_progress_fits_campaign_type,
        loyalty_level_matches_points,
        campaign_type_filter_honoured,
        exclude_inactive_honoured,
        order_by_honoured,
        error_matches_catalogue,
        levelup_goals_accomplished_when_reached,
        referenced_campaigns_listed,
    )
}


# --- rules the docs imply about a campaign's own numbers (issue 10) -------------------
# Each holds for any server that keeps the documented meanings. Those that judge one campaign
# are stated in contract/body_rules.py, which the world's consistency rules use too; the
# mock's stricter choices (references created before the campaign, totals = count x reward,
# award limits) are world consistency rules only (world/consistency.py).


def assignments_limit_per_response(ex: Exchange) -> list[str]:
    """"If there are more than 500 campaign assignments, no assignments are shown in the
    response and a warning is given" (facts.MAX_ASSIGNMENTS_SHOWN), counted over the whole
    response (schemas/README.md decision 19): a full answer whose campaigns' assignment_count
    add up to more shows none and carries objects_exceed_maximum_quantity; no answer shows
    more than the limit."""
    if ex.kind not in ("get-campaigns", "get-campaign") or BOOLEANS.get(ex.query.get("display_full_campaign", "true").lower()) is False:
        return []
    campaigns = ex.campaigns()
    total = sum(c["assignment_count"] for c in campaigns if is_number(c.get("assignment_count")))
    shown = sum(len(c["campaign_assignments"]) for c in campaigns if isinstance(c.get("campaign_assignments"), list))
    problems = []
    if shown > MAX_ASSIGNMENTS_SHOWN:
        problems.append(f"the response shows {shown} campaign assignments, more than the {MAX_ASSIGNMENTS_SHOWN} the docs allow")
    if total > MAX_ASSIGNMENTS_SHOWN:
        if shown:
            problems.append(f"the campaigns count {total} assignments (> {MAX_ASSIGNMENTS_SHOWN}) but {shown} are shown; the docs: none are shown")
        warnings = ex.body.get("warnings") if isinstance(ex.body, dict) else None
        if not isinstance(warnings, list) or not any(isinstance(w, dict) and w.get("name") == "objects_exceed_maximum_quantity" for w in warnings):
            problems.append(f"the campaigns count {total} assignments (> {MAX_ASSIGNMENTS_SHOWN}) but no objects_exceed_maximum_quantity warning is given")
    return problems


def wallet_progress_fits_wallet(ex: Exchange) -> list[str]:
    """A wallet user_progress is "in the currency of the wallet" (currency.id = the campaign's
    currency_id) and its saved_amount, the current balance, is at most total_amount, all
    ever added to the wallet (contract/body_rules.wallet_progress)."""
    return _per_campaign(ex, body_rules.wallet_progress)


def campaign_dates_in_order(ex: Exchange) -> list[str]:
    """Time runs forwards within a campaign: created_date <= last_modified_date,
    active_date_from <= active_date_until, and a loyalty level is reached no earlier than
    the campaign was created (contract/body_rules.campaign_dates, reached_in_time)."""
    return _per_campaign(ex, lambda c, p: (*body_rules.campaign_dates(c), *body_rules.reached_in_time(c, p)))


def no_awards_nothing_awarded(ex: Exchange) -> list[str]:
    """A standard user_progress with award_count 0 (never awarded by the campaign) has
    total_amount_awarded 0 (contract/body_rules.nothing_awarded_without_awards)."""
    return _per_campaign(ex, body_rules.nothing_awarded_without_awards)


RULES.update((rule.__name__, rule) for rule in (assignments_limit_per_response, wallet_progress_fits_wallet, campaign_dates_in_order, no_awards_nothing_awarded))
