"""What a request sees of the world: the vendors' response bodies, assembled from the world
for already-validated request parameters. Shared by the server and the fixture writer, so a
fixture file is exactly what the server answers. Knows nothing of HTTP or errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping

from campaign_mock.contract.catalogue import spaaza_warnings
from campaign_mock.contract.facts import CURRENT_API_VERSION, CURRENT_COUNT_FROM, EXCLUDE_INACTIVE_BY_DEFAULT_FROM, MAX_ASSIGNMENTS_SHOWN
from campaign_mock.world.domain import has_started, is_active, loyalty_level_for, loyalty_wallet, parse_time, wallet_flows
from campaign_mock.world.model import LEVELUP_PROGRESS_FIELD, Chain, Json, LevelUpCampaign, World
from campaign_mock.world.providers import UTC, iso


@dataclass(frozen=True)
class CampaignQuery:
    """get-campaigns / get-campaign parameters after validation."""

    user_id: int | None = None  # whose user_progress to show
    full: bool = True  # display_full_campaign
    types: frozenset[str] | None = None  # campaign_type filter
    order_by: str = "created_date"
    exclude_inactive: bool | None = None  # None: the version's default
    version: tuple[int, int, int] = CURRENT_API_VERSION

    @property
    def excludes_inactive(self) -> bool:
        if self.exclude_inactive is None:
            return self.version >= EXCLUDE_INACTIVE_BY_DEFAULT_FROM
        return self.exclude_inactive


def ok(results: Json, warnings: list[Json] | None = None) -> Json:
    body: Json = {"result": {"code": 1, "status": "ok"}, "results": results}
    if warnings:
        body["warnings"] = warnings
    return body


def active_now(world: World, c: Json) -> bool:
    """The one judge of a campaign's activity, at the world's (possibly moved) clock."""
    return is_active(c, world.clock, world.generated_clock)


def exists_now(world: World, c: Json) -> bool:
    """Whether the campaign was created by the world's clock: a clock moved back before its
    created_date serves a world where it does not exist yet (listed nowhere, found by no id)."""
    return world.generated_clock is None or parse_time(c["created_date"]) <= world.clock


_EDITED = ("last_modified_date", "last_updated_date")
_REACHED = ("date_reached", "last_review_date")
Flows = Mapping[int, tuple[int, int]]  # wallet campaign id -> (paid in, redeemed): domain.wallet_flows


def counted_now(world: World, c: Json) -> bool:
    """Whether a campaign's awards and purchases count at the world's clock: none before it
    exists or starts (the world dates no single award, only the campaign's start)."""
    return world.generated_clock is None or (exists_now(world, c) and has_started(c, world.clock))


def _uncounted_flows(world: World, chain: Chain, user_id: int | None) -> Flows:
    """Per wallet, what the user's awards not counted at a moved clock paid into it and
    redeemed from it: its balances as of the clock leave them out."""
    late: dict[int, tuple[int, int]] = {}
    if world.generated_clock is None or user_id is None:
        return late
    for c in (*chain.campaigns, *chain.unlisted):
        p = world.spaaza.progress.get((user_id, c["id"]))
        if p is not None and "award_count" in p and not counted_now(world, c):
            wallet_flows(c, p, late)
    return late


def _wallet_now(p: Json, late: tuple[int, int]) -> Json:
    """A wallet's balances without what uncounted awards paid in (less ever added, less saved)
    and redeemed (more saved). What else moved the balance the world does not date: kept, but
    never below nothing nor above all ever added."""
    paid, redeemed = late
    if not paid and not redeemed:
        return p
    total = p["total_amount"] - paid
    return {**p, "saved_amount": min(max(0, p["saved_amount"] - paid + redeemed), total), "total_amount": total}


def _progress_now(world: World, c: Json, progress: Json, user_id: int, late: Flows) -> Json:
    """A user's progress as of a moved clock: before the campaign starts, no award counted; a
    wallet without what uncounted awards moved; a loyalty level from those points, its dates
    no later than the clock (its points are the user's by then)."""
    if world.generated_clock is None:
        return progress
    if "award_count" in progress:
        return progress if has_started(c, world.clock) else {**progress, "award_count": 0, "total_amount_awarded": 0}
    if "saved_amount" in progress:
        return _wallet_now(progress, late.get(c["id"], (0, 0)))
    wallet_id = loyalty_wallet(c) if "loyalty_rules" in c else None
    wallet = world.spaaza.progress.get((user_id, wallet_id)) if wallet_id is not None and wallet_id in late else None
    if wallet_id is not None and wallet is not None:
        points = _wallet_now(wallet, late[wallet_id])["saved_amount"]
        level, to_next = loyalty_level_for(c, points)
        standing = {"description": level["description"], "loyalty_level_id": level["id"], "name": level["name"], "points_balance_current": points, "points_to_proceed_next_level": to_next}
        progress = {**progress, **standing}
    late_dates = [key for key in _REACHED if isinstance(progress.get(key), str) and parse_time(progress[key]) > world.clock]
    return {**progress, **dict.fromkeys(late_dates, iso(world.clock.astimezone(UTC)))} if late_dates else progress


def _shown(world: World, c: Json, q: CampaignQuery, hide_assignments: bool, late: Flows) -> Json:
    shown = dict(c)
    if world.generated_clock is not None:
        shown["is_active"] = active_now(world, c)  # the clock moved: the stored flag is the generator's
        for key in _EDITED:  # not edited yet at a clock moved back between its creation and the edit
            if isinstance(c.get(key), str) and parse_time(c[key]) > world.clock:
                shown[key] = c["created_date"]
    if not q.full:
        shown.pop("campaign_rules", None)
        shown.pop("campaign_assignments", None)
    elif hide_assignments and "campaign_assignments" in shown:
        shown["campaign_assignments"] = []
    if q.version < CURRENT_COUNT_FROM:
        shown.pop("current_count", None)
    elif q.user_id is not None and "current_count" in shown:
        shown["current_count"] = current_count_now(world, c, q.user_id) or 0
    if q.user_id is not None:
        progress = world.spaaza.progress.get((q.user_id, c["id"]))
        if progress is not None:
            shown["user_progress"] = _progress_now(world, c, progress, q.user_id, late)
    return shown


def _assignment_limit(campaigns: list[Json], q: CampaignQuery) -> tuple[bool, list[Json]]:
    """"If there are more than 500 campaign assignments, no assignments are shown in the
    response and a warning is given": counted over the response, not per campaign
    (schemas/README.md, decision 19). Returns (hide them, warnings)."""
    total = sum(c["assignment_count"] for c in campaigns) if q.full else 0
    if total <= MAX_ASSIGNMENTS_SHOWN:
        return False, []
    warning = spaaza_warnings()["objects_exceed_maximum_quantity"]
    return True, [warning.body({"object": "campaign_assignments", "quantity": total, "maximum_quantity": MAX_ASSIGNMENTS_SHOWN})]


def select(world: World, campaigns: Iterable[Json], q: CampaignQuery) -> list[Json]:
    """Filter by type and activity, order descending by created_date or priority."""
    chosen = [c for c in campaigns if exists_now(world, c) and (q.types is None or c["type"] in q.types) and not (q.excludes_inactive and not active_now(world, c))]
    if q.order_by == "priority":
        # Stable: campaigns of equal priority stay newest first.
        chosen.sort(key=lambda c: c.get("reward_priority", 0), reverse=True)
    return chosen


def get_campaigns(world: World, chain: Chain, q: CampaignQuery) -> Json:
    chosen = select(world, chain.campaigns, q)
    hide, warnings = _assignment_limit(chosen, q)
    late = _uncounted_flows(world, chain, q.user_id)
    campaigns = [_shown(world, c, q, hide, late) for c in chosen]
    return ok({"campaigns": campaigns, "result_type": "get-campaigns"}, warnings)


def get_campaign(world: World, campaign: Json, q: CampaignQuery) -> Json:
    hide, warnings = _assignment_limit([campaign], q)
    late = _uncounted_flows(world, world.spaaza.campaigns[campaign["id"]][0], q.user_id)
    return ok({"campaign": _shown(world, campaign, q, hide, late), "result_type": "get-campaign"}, warnings)


def levelup_exists_now(world: World, campaign: LevelUpCampaign) -> bool:
    """Whether a LevelUp campaign has opened by the world's clock: at a clock moved back before
    its opens_at it does not exist yet (answered as an unknown campaign). Only custom progress
    bodies carry opens_at; the others carry no date and exist at every clock (schemas/README.md,
    decision 20)."""
    if world.generated_clock is None:
        return True
    opens = [parse_time(b["campaign"]["opens_at"]) for b in campaign.bodies.values() if isinstance(b["campaign"].get("opens_at"), str)]
    return not opens or min(opens) <= world.clock


def _period_now(c: Json, clock: datetime) -> Json | None:
    """A gift card body's progress period as of a moved clock: the one running then, whole
    periods (resets_at - starts_at) before or after the generator's; None when that is the
    generator's (or there is none)."""
    start, end = c.get("progress_period_starts_at"), c.get("progress_period_resets_at")
    if not (isinstance(start, str) and isinstance(end, str)):
        return None
    first, last = parse_time(start), parse_time(end)
    length = last - first
    periods = (clock - first) // length if length.total_seconds() > 0 else 0
    if periods == 0:
        return None
    return {**c, "progress_period_starts_at": iso(first + periods * length), "progress_period_resets_at": iso(last + periods * length)}


def user_progress_now(world: World, chain: Chain, user_id: int) -> dict[int, Json]:
    """Campaign id -> the user's progress in it as the campaigns' answers show it at the
    world's clock (campaigns that do not exist yet have none): what describes the world
    (runtime/describe.py, the console) shows, never the generator's values."""
    late = _uncounted_flows(world, chain, user_id)
    found = {}
    for c in (*chain.campaigns, *chain.unlisted):
        progress = world.spaaza.progress.get((user_id, c["id"]))
        if progress is not None and exists_now(world, c):
            found[c["id"]] = _progress_now(world, c, progress, user_id, late)
    return found


def current_count_now(world: World, c: Json, user_id: int) -> int | None:
    """The user's current_count toward a campaign at the world's clock (0 before it starts),
    None where the world holds none."""
    count = world.spaaza.current_counts.get((user_id, c["id"]))
    return count if count is None or world.generated_clock is None or has_started(c, world.clock) else 0


def levelup_progress_now(world: World, campaign: LevelUpCampaign, user_id: int) -> int:
    """The user's progress in a LevelUp campaign at the world's clock (see levelup_body)."""
    progress = world.levelup.progress.get((user_id, campaign.id), 0)
    if world.generated_clock is not None and any(_period_now(b["campaign"], world.clock) is not None for b in campaign.bodies.values()):
        return 0
    return progress


def levelup_body(world: World, campaign: LevelUpCampaign, representation: str, user_id: int) -> Json:
    """The representation as it applies to the user: their progress written in, and goals
    accomplished exactly when progress reaches what they require. At a moved clock, a gift card
    campaign's progress period is the one running then, and the progress made in the
    generator's period, another one, counts in none of its bodies (the world dates no progress
    otherwise: at a clock within that period, or in a campaign without one, it is kept)."""
    body = campaign.bodies[representation]
    progress = levelup_progress_now(world, campaign, user_id)
    moved = _period_now(body["campaign"], world.clock) if world.generated_clock is not None else None
    body = body if moved is None else {"campaign": moved}
    field = LEVELUP_PROGRESS_FIELD[representation]
    if field is None:
        return body
    shown = dict(body["campaign"])
    shown[field] = progress
    if shown.get("requires_opt_in"):
        shown["opted_in"] = world.levelup.opted_in.get((user_id, campaign.id), False)
    if "goals" in shown:
        shown["goals"] = [{"goal": dict(g["goal"], accomplished=progress >= g["goal"]["progress_required"])} for g in shown["goals"]]
    return {"campaign": shown}
