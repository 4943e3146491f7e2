"""What a request sees of the world: the vendors' response bodies, assembled from the world
for already-validated request parameters. Shared by the server and the fixture writer, so a
fixture file is exactly what the server answers. Knows nothing of HTTP or errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from campaign_mock.contract.catalogue import spaaza_warnings
from campaign_mock.contract.facts import CURRENT_API_VERSION, CURRENT_COUNT_FROM, EXCLUDE_INACTIVE_BY_DEFAULT_FROM, MAX_ASSIGNMENTS_SHOWN
from campaign_mock.world.domain import is_active
from campaign_mock.world.model import LEVELUP_PROGRESS_FIELD, Chain, Json, LevelUpCampaign, World


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


def _shown(world: World, c: Json, q: CampaignQuery, hide_assignments: bool) -> Json:
    shown = dict(c)
    if world.generated_clock is not None:
        shown["is_active"] = active_now(world, c)  # the clock moved: the stored flag is the generator's
    if not q.full:
        shown.pop("campaign_rules", None)
        shown.pop("campaign_assignments", None)
    elif hide_assignments and "campaign_assignments" in shown:
        shown["campaign_assignments"] = []
    if q.version < CURRENT_COUNT_FROM:
        shown.pop("current_count", None)
    elif q.user_id is not None and "current_count" in shown:
        shown["current_count"] = world.spaaza.current_counts.get((q.user_id, c["id"]), 0)
    if q.user_id is not None:
        progress = world.spaaza.progress.get((q.user_id, c["id"]))
        if progress is not None:
            shown["user_progress"] = progress
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
    chosen = [c for c in campaigns if (q.types is None or c["type"] in q.types) and not (q.excludes_inactive and not active_now(world, c))]
    if q.order_by == "priority":
        # Stable: campaigns of equal priority stay newest first.
        chosen.sort(key=lambda c: c.get("reward_priority", 0), reverse=True)
    return chosen


def get_campaigns(world: World, chain: Chain, q: CampaignQuery) -> Json:
    chosen = select(world, chain.campaigns, q)
    hide, warnings = _assignment_limit(chosen, q)
    campaigns = [_shown(world, c, q, hide) for c in chosen]
    return ok({"campaigns": campaigns, "result_type": "get-campaigns"}, warnings)


def get_campaign(world: World, campaign: Json, q: CampaignQuery) -> Json:
    hide, warnings = _assignment_limit([campaign], q)
    return ok({"campaign": _shown(world, campaign, q, hide), "result_type": "get-campaign"}, warnings)


def levelup_body(world: World, campaign: LevelUpCampaign, representation: str, user_id: int) -> Json:
    """The representation as it applies to the user: their progress written in, and goals
    accomplished exactly when progress reaches what they require."""
    body = campaign.bodies[representation]
    field = LEVELUP_PROGRESS_FIELD[representation]
    if field is None:
        return body
    progress = world.levelup.progress.get((user_id, campaign.id), 0)
    shown = dict(body["campaign"])
    shown[field] = progress
    if shown.get("requires_opt_in"):
        shown["opted_in"] = world.levelup.opted_in.get((user_id, campaign.id), False)
    if "goals" in shown:
        shown["goals"] = [{"goal": dict(g["goal"], accomplished=progress >= g["goal"]["progress_required"])} for g in shown["goals"]]
    return {"campaign": shown}
