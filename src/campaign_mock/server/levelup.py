"""LevelUp: GET /v15/campaigns/<id>/<representation_type>, for the token's user.

Authorization first (401 with WWW-Authenticate: missing, malformed or unknown token, or a
token without manage_user_campaigns), then the campaign (404: unknown campaign, one not open
yet at a moved clock, unknown representation, or one that does not apply to the campaign's
kind; the documented /20/custom_progress_based_v1 is answered by campaign 17440, as its body says)."""

from __future__ import annotations

import re

from werkzeug import Request
from werkzeug.routing import Rule

from campaign_mock.contract.facts import MANAGE_USER_CAMPAIGNS
from campaign_mock.contract.operations import LEVELUP_PREFIX
from campaign_mock.server.digits import parse_digits
from campaign_mock.server.errors import LevelUpFailure
from campaign_mock.world import World
from campaign_mock.world.views import levelup_body, levelup_exists_now

_TOKEN = re.compile(r"token (\S+)", re.IGNORECASE)


def campaign_view(world: World, request: Request, campaign_id: str, representation: str) -> dict:
    return answer_campaign(world, campaign_id, representation, request.headers.get("Authorization"))


# The route (server/pipeline.py), GET only as Spaaza's: any representation name, so that an
# unknown one is refused after the token is (401 before 404).
RULES = (Rule(f"{LEVELUP_PREFIX}campaigns/<campaign_id>/<representation>", endpoint=campaign_view, methods=["GET"]),)


def answer_campaign(world: World, campaign_id: str, representation: str, authorization: str | None) -> dict:
    match = _TOKEN.fullmatch((authorization or "").strip())
    if match is None:
        raise LevelUpFailure("missing_token")
    token = world.levelup.tokens.get(match.group(1))
    if token is None:
        raise LevelUpFailure("invalid_token")
    if MANAGE_USER_CAMPAIGNS not in token.permissions:
        raise LevelUpFailure("permission_missing")
    campaign = world.levelup.campaign(parse_digits(campaign_id), representation)
    if campaign is None or representation not in campaign.bodies or not levelup_exists_now(world, campaign):
        raise LevelUpFailure("not_found")
    return levelup_body(world, campaign, representation, token.user_id)
