"""LevelUp endpoint on a real mock process."""

from __future__ import annotations

import pytest
import requests
from mockserver import LEVELUP_AUTH

from campaign_mock.check import rules
from campaign_mock.check.exchange import from_requests
from campaign_mock.contract.validate import LEVELUP_REPRESENTATIONS, violations
from campaign_mock.world import build_world, documented
from campaign_mock.contract.facts import MANAGE_USER_CAMPAIGNS
from campaign_mock.world.model import LEVELUP_KINDS

WORLD = build_world(0)
LEVELUP = WORLD.levelup
INVALID_TOKEN = 'OAuth2 realm="levelup", error="invalid_token"'


def get(base_url: str, cid, rep: str, headers=None) -> requests.Response:
    return requests.get(f"{base_url}/v15/campaigns/{cid}/{rep}", headers=headers, timeout=10)


@pytest.mark.parametrize("rep", sorted(LEVELUP_REPRESENTATIONS))
def test_documented_examples_answered_as_documented(base_url, rep):
    example = documented.levelup_examples()[rep]
    # The custom-progress example is requested on /20/ but describes campaign 17440 (schemas/README.md):
    # both ids answer it.
    for cid in {example["url_campaign_id"], example["body"]["campaign"].get("id", example["url_campaign_id"])}:
        response = get(base_url, cid, rep, LEVELUP_AUTH)
        assert response.status_code == 200
        assert response.json() == example["body"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer abc"}, {"Authorization": "token"}, {"Authorization": "token 981-not-a-token"}])
def test_missing_or_bad_token_is_401_with_www_authenticate(base_url, headers):
    response = get(base_url, 20, "basic_v1", headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == INVALID_TOKEN
    assert violations("levelup-errors.json", response.json()) == []


def test_token_without_manage_user_campaigns_is_refused(base_url):
    token = next(t for t in LEVELUP.tokens.values() if MANAGE_USER_CAMPAIGNS not in t.permissions)
    response = get(base_url, 20, "basic_v1", {"Authorization": f"token {token.token}"})
    assert response.status_code == 401
    assert "insufficient_scope" in response.headers["WWW-Authenticate"]
    assert "manage_user_campaigns" in response.json()[0]["error"]["message"]


@pytest.mark.parametrize(
    "cid, rep",
    [
        (999999, "basic_v1"), ("abc", "basic_v1"), (20, "no_such_v1"), (285, "spend_based_loyalty_v1"), (17440, "item_based_gift_card_loyalty_v1"),
        ("%C2%B2", "basic_v1"), ("%D9%A2%D9%A0", "basic_v1"), ("7" * 5000, "basic_v1"),
    ],
    ids=[
        "unknown campaign", "non-numeric id", "unknown representation", "not for item loyalty", "custom progress is no gift card",
        "superscript two", "arabic-indic 20", "5000 digits",
    ],
)
def test_not_found(base_url, cid, rep):
    response = get(base_url, cid, rep, LEVELUP_AUTH)
    assert response.status_code == 404
    assert violations("levelup-errors.json", response.json()) == []


def test_every_campaign_in_every_representation(base_url):
    """Each user with the permission, each campaign, each of the seven representations:
    200 and valid where the kind supports it, 404 where it does not."""
    users = [t for t in LEVELUP.tokens.values() if MANAGE_USER_CAMPAIGNS in t.permissions]
    served = 0
    for token in users:
        for campaign in LEVELUP.campaigns.values():
            for rep, schema in LEVELUP_REPRESENTATIONS.items():
                response = get(base_url, campaign.id, rep, {"Authorization": f"token {token.token}"})
                if rep in campaign.bodies or (campaign.id, rep) in LEVELUP.aliases:
                    assert response.status_code == 200, (campaign.id, rep)
                    assert violations(schema, response.json()) == []
                    served += 1
                else:
                    assert response.status_code == 404
                    assert rep not in LEVELUP_KINDS[campaign.kind] or campaign.id in documented.LEVELUP_CAMPAIGNS
    assert served > 50


def test_progress_is_the_token_users_and_goals_follow_it(base_url):
    """Judged from the answers alone (the checker's rule, not the generator's numbers): each
    goal is accomplished exactly when the body's progress reaches it, and the progress shown
    depends on whose token asks."""
    custom = [c for c in LEVELUP.campaigns.values() if "custom_progress_based_v1" in c.bodies and c.id not in documented.LEVELUP_CAMPAIGNS]
    seen, per_token = set(), {}
    for token in (t for t in LEVELUP.tokens.values() if MANAGE_USER_CAMPAIGNS in t.permissions):
        for campaign in custom:
            response = get(base_url, campaign.id, "custom_progress_based_v1", {"Authorization": f"token {token.token}"})
            assert rules.levelup_goals_accomplished_when_reached(from_requests(response)) == []
            body = response.json()["campaign"]
            per_token.setdefault(token.token, []).append(body["current_progress"])
            seen.update(g["goal"]["accomplished"] for g in body["goals"])
    assert seen == {True, False}, "the default world should hold both accomplished and open goals"
    assert len({tuple(progress) for progress in per_token.values()}) > 1, per_token
