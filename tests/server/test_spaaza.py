"""Spaaza endpoints on a real mock process: each documented error code from its natural
request, each parameter's effect, and every 2xx body valid against the contract."""

from __future__ import annotations

import pytest
import requests
from mockserver import SPAAZA_ADMIN

from campaign_mock.check import rules
from campaign_mock.check.exchange import from_requests
from campaign_mock.contract.catalogue import spaaza_errors
from campaign_mock.contract.validate import violations
from campaign_mock.world import build_world, documented
from campaign_mock.contract.facts import MAX_ASSIGNMENTS_SHOWN
from campaign_mock.world.domain import is_active

WORLD = build_world(0)  # the world the session's mock serves (seed 0)
SPAAZA = WORLD.spaaza
USER = next(u for u in SPAAZA.users.values() if u.chain_id == documented.CHAIN_ID)
OTHER_USER = next(u for u in SPAAZA.users.values() if u.chain_id == documented.CHAIN_ID and u.user_id != USER.user_id)
OTHER_CHAIN = next(c for c in SPAAZA.chains.values() if c.id != documented.CHAIN_ID)
OTHER_APP = next(a for a in SPAAZA.apps.values() if a.chain_id == OTHER_CHAIN.id)


def user_session(user=USER, hostname: str | None = documented.APP.hostname) -> dict:
    session = SPAAZA.sessions[user.user_id]
    headers = {"X-Spaaza-Session-User-Id": str(session.user_id), "X-Spaaza-Session-Key": session.key}
    if hostname is not None:
        headers["X-Spaaza-MyPrice-App-Hostname"] = hostname
    return headers


CHAIN = {"chain_id": documented.CHAIN_ID}

# code -> (path, query, headers): the natural request for each documented error. The README
# table "Which request produces which error" says the same in words; test_docs checks it.
NATURAL_REQUESTS = {
    6: ("/get-campaigns", CHAIN, {}),
    68: ("/get-campaigns", {"chain_id": OTHER_CHAIN.id}, SPAAZA_ADMIN),
    154: ("/get-campaigns", {**CHAIN, "user_id": "12ab"}, SPAAZA_ADMIN),
    217: ("/get-campaigns", {"chain_id": 999999}, SPAAZA_ADMIN),
    228: ("/get-campaigns", {**CHAIN, "auth_method": "cookie"}, SPAAZA_ADMIN),
    238: ("/get-campaigns", CHAIN, user_session(hostname="no-such-app.example")),
    245: ("/get-campaign", {}, SPAAZA_ADMIN),
    246: ("/get-campaign", {"campaign_id": 999999}, SPAAZA_ADMIN),
    247: ("/get-campaign", {"campaign_id": "abc"}, SPAAZA_ADMIN),
    264: ("/get-campaigns", CHAIN, user_session(hostname="unlinked.myprice.example")),
    265: ("/get-campaigns", CHAIN, {"Authorization": "Basic dXNlcjpwYXNz"}),
    266: ("/get-campaigns", CHAIN, {"Authorization": "Bearer not-a-known-token"}),
    267: ("/get-campaigns", {**CHAIN, "username": "not-an-email"}, SPAAZA_ADMIN),
    269: ("/get-campaigns", CHAIN, user_session(hostname=None)),
    270: ("/get-campaigns", {**CHAIN, "user_id": 1}, SPAAZA_ADMIN),
    405: ("/get-campaigns", CHAIN, user_session(hostname=OTHER_APP.hostname)),
    416: ("/get-campaigns", {**CHAIN, "user_id": USER.user_id, "member_number": USER.member_number}, SPAAZA_ADMIN),
    419: ("/get-campaigns", {**CHAIN, "campaign_type": "loyalty,bogus"}, SPAAZA_ADMIN),
    424: ("/get-campaigns", {**CHAIN, "user_id": OTHER_USER.user_id}, user_session()),
    449: ("/get-campaign", {"campaign_id": 1269}, SPAAZA_ADMIN),  # the documented inactive birthday campaign
}


def get(base_url: str, path: str, params=None, headers=None) -> requests.Response:
    return requests.get(base_url + path, params=params, headers=headers, timeout=10)


def campaigns_of(response: requests.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    return response.json()["results"]["campaigns"]


def test_every_documented_code_has_a_natural_request():
    assert sorted(NATURAL_REQUESTS) == sorted(spaaza_errors())


@pytest.mark.parametrize("code", sorted(NATURAL_REQUESTS))
def test_error_from_its_natural_request(base_url, code):
    path, query, headers = NATURAL_REQUESTS[code]
    response = get(base_url, path, query, headers)
    error = spaaza_errors()[code]
    assert response.status_code == error.http_status
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == error.body()
    assert violations("spaaza-error.json", response.json()) == []


def test_documented_request_is_answered_as_documented(base_url):
    # The docs' curl, host swapped: chain 1743 (an alias of 1762), exclude_inactive=false, API 1.4.11.
    response = get(base_url, "/internal/get-campaigns", {"chain_id": 1743, "exclude_inactive": "false"}, {**SPAAZA_ADMIN, "X-Spaaza-API-Version": "1.4.11"})
    assert response.status_code == 200
    assert response.json() == documented.spaaza_response()


@pytest.mark.parametrize("query, headers", [(CHAIN, SPAAZA_ADMIN), ({**CHAIN, "user_id": USER.user_id}, SPAAZA_ADMIN), ({"chain_id": 999999}, SPAAZA_ADMIN), (CHAIN, {})])
def test_both_paths_answer_alike(base_url, query, headers):
    internal, public = get(base_url, "/internal/get-campaigns", query, headers), get(base_url, "/get-campaigns", query, headers)
    assert (internal.status_code, internal.content) == (public.status_code, public.content)


def test_exclude_inactive_defaults_by_api_version(base_url):
    ids = lambda version: {c["id"] for c in campaigns_of(get(base_url, "/get-campaigns", CHAIN, {**SPAAZA_ADMIN, "X-Spaaza-API-Version": version}))}  # noqa: E731
    assert 1269 in ids("1.4.10")  # inactive birthday campaign shown before 1.4.11
    assert 1269 not in ids("1.4.11")
    assert 1269 not in ids("1.5.0")
    shown = {c["id"] for c in campaigns_of(get(base_url, "/get-campaigns", {**CHAIN, "exclude_inactive": "false"}, {**SPAAZA_ADMIN, "X-Spaaza-API-Version": "1.5.0"}))}
    assert 1269 in shown


def test_exclude_inactive_judges_dates_against_the_clock(base_url):
    expired = [c for chain in SPAAZA.chains.values() for c in chain.campaigns if c.get("active_date_until") and c["active"] and not is_active(c, WORLD.clock)]
    assert expired, "the default world should hold a campaign whose window has closed"
    campaign = expired[0]
    admin = next(s for s in SPAAZA.sessions.values() if s.role == "admin" and campaign["chain_id"] in s.chain_ids)
    headers = {"X-Spaaza-Session-User-Id": str(admin.user_id), "X-Spaaza-Session-Key": admin.key}
    listed = {c["id"] for c in campaigns_of(get(base_url, "/get-campaigns", {"chain_id": campaign["chain_id"]}, headers))}
    assert campaign["id"] not in listed
    listed = {c["id"] for c in campaigns_of(get(base_url, "/get-campaigns", {"chain_id": campaign["chain_id"], "exclude_inactive": "false"}, headers))}
    assert campaign["id"] in listed


@pytest.mark.parametrize("types", ["loyalty", "wallet,points_wallet", "cashback,progress,interaction"])
def test_campaign_type_filter(base_url, types):
    shown = campaigns_of(get(base_url, "/get-campaigns", {**CHAIN, "campaign_type": types}, SPAAZA_ADMIN))
    assert shown and {c["type"] for c in shown} == set(types.split(","))


def test_content_campaigns_need_no_session(base_url):
    chain = OTHER_CHAIN.id
    shown = campaigns_of(get(base_url, "/get-campaigns", {"chain_id": chain, "campaign_type": "content,mobile_content"}))
    assert {c["type"] for c in shown} <= {"content", "mobile_content"} and shown
    assert get(base_url, "/get-campaigns", {"chain_id": chain, "campaign_type": "content,loyalty"}).json()["error"]["code"] == 6


def test_order_by(base_url):
    by_date = campaigns_of(get(base_url, "/get-campaigns", {"chain_id": OTHER_CHAIN.id, "exclude_inactive": "false"}, _admin_of(OTHER_CHAIN.id)))
    dates = [c["created_date"] for c in by_date]
    assert dates == sorted(dates, reverse=True)
    by_priority = campaigns_of(get(base_url, "/get-campaigns", {"chain_id": OTHER_CHAIN.id, "exclude_inactive": "false", "order_by": "priority"}, _admin_of(OTHER_CHAIN.id)))
    priorities = [c["reward_priority"] for c in by_priority]
    assert priorities == sorted(priorities, reverse=True) and len(set(priorities)) > 1
    assert get(base_url, "/get-campaigns", {**CHAIN, "order_by": "title"}, SPAAZA_ADMIN).json()["error"]["code"] == 419


def _admin_of(chain_id: int) -> dict:
    admin = next(s for s in SPAAZA.sessions.values() if s.role == "admin" and s.chain_ids == {chain_id})
    return {"X-Spaaza-Session-User-Id": str(admin.user_id), "X-Spaaza-Session-Key": admin.key}


def test_display_full_campaign(base_url):
    with_rules = [(ch.id, c["id"]) for ch in SPAAZA.chains.values() for c in ch.campaigns if c.get("campaign_rules") and is_active(c, WORLD.clock)]
    assert with_rules, "the default world should hold a campaign with rules"
    chain_id, cid = with_rules[0]
    full = {c["id"]: c for c in campaigns_of(get(base_url, "/get-campaigns", {"chain_id": chain_id}, _admin_of(chain_id)))}
    brief = {c["id"]: c for c in campaigns_of(get(base_url, "/get-campaigns", {"chain_id": chain_id, "display_full_campaign": "false"}, _admin_of(chain_id)))}
    assert "campaign_rules" in full[cid] and "campaign_rules" not in brief[cid]
    assert all("campaign_assignments" not in c for c in brief.values())


def test_current_count_from_api_1_5_0(base_url):
    query = {"chain_id": OTHER_CHAIN.id, "campaign_type": "item_purchase_count", "exclude_inactive": "false"}
    old = campaigns_of(get(base_url, "/get-campaigns", query, {**_admin_of(OTHER_CHAIN.id), "X-Spaaza-API-Version": "1.4.11"}))
    new = campaigns_of(get(base_url, "/get-campaigns", query, {**_admin_of(OTHER_CHAIN.id), "X-Spaaza-API-Version": "1.5.0"}))
    current = campaigns_of(get(base_url, "/get-campaigns", query, _admin_of(OTHER_CHAIN.id)))  # no header: current version
    assert old and all("current_count" not in c for c in old)
    assert new and all("current_count" in c for c in new)
    assert current == new


@pytest.mark.parametrize("version", ["1.5", "v1.5.0", "latest", "1.5.0.1", pytest.param("1.4." + "1" * 5000, id="5000-digits")])
def test_malformed_api_version_is_419(base_url, version):
    assert get(base_url, "/get-campaigns", CHAIN, {**SPAAZA_ADMIN, "X-Spaaza-API-Version": version}).json()["error"]["code"] == 419


@pytest.mark.parametrize("identifier", ["user_id", "member_number", "username", "referral_code", "authentication_point_identifier", "auxiliary_identifier"])
def test_each_user_identifier_shows_that_users_progress(base_url, identifier):
    """Judged without the generator: every identifier of a user names the same progress as
    user_id; another user's differs; and the progress keeps the checker's domain rules."""
    answer = get(base_url, "/get-campaigns", {**CHAIN, identifier: USER.identifiers()[identifier]}, SPAAZA_ADMIN)
    by_user_id = campaigns_of(get(base_url, "/get-campaigns", {**CHAIN, "user_id": USER.user_id}, SPAAZA_ADMIN))
    other = campaigns_of(get(base_url, "/get-campaigns", {**CHAIN, "user_id": OTHER_USER.user_id}, SPAAZA_ADMIN))
    shown = campaigns_of(answer)
    assert shown == by_user_id and any("user_progress" in c for c in shown)
    assert [c.get("user_progress") for c in shown] != [c.get("user_progress") for c in other]
    exchange = from_requests(answer)
    assert rules.user_progress_fits_campaign_type(exchange) == [] and rules.loyalty_level_matches_points(exchange) == []


def test_user_session_sees_its_own_progress(base_url):
    own = campaigns_of(get(base_url, "/get-campaigns", CHAIN, user_session()))
    as_admin = campaigns_of(get(base_url, "/get-campaigns", {**CHAIN, "user_id": USER.user_id}, SPAAZA_ADMIN))
    assert own == as_admin
    same_user = campaigns_of(get(base_url, "/get-campaigns", {**CHAIN, "member_number": USER.member_number}, user_session()))
    assert same_user == own


def test_user_progress_formats_follow_the_campaign_type(base_url):
    from campaign_mock.contract import load_contract

    shown = campaigns_of(get(base_url, "/get-campaigns", {**CHAIN, "user_id": USER.user_id, "exclude_inactive": "false"}, SPAAZA_ADMIN))
    keys = {"standard": {"award_count"}, "loyalty": {"points_balance_current"}, "wallet": {"saved_amount"}}
    for c in shown:
        fmt = load_contract().progress_format(c["type"])
        if fmt is None:
            assert "user_progress" not in c
        else:
            assert keys[fmt] <= set(c["user_progress"])


@pytest.mark.parametrize("user_id", [pytest.param("7" * 5000, id="5000-digits"), "\u00b2"])
def test_malformed_session_user_id_is_no_valid_session(base_url, user_id):
    headers = {**user_session(), "X-Spaaza-Session-User-Id": user_id.encode("latin-1")}
    response = get(base_url, "/get-campaigns", CHAIN, headers)
    assert response.status_code == 401 and response.json() == spaaza_errors()[6].body()


@pytest.mark.parametrize("path, query", [("/get-campaigns", {}), ("/get-campaign", {"campaign_id": 809})])
def test_a_user_session_reads_its_chain_by_its_alias(base_url, path, query):
    """1743 is an alias of 1762 (schemas/README.md): resolved before the session's checks."""
    by_alias = get(base_url, path, {**query, "chain_id": documented.CHAIN_ALIAS}, user_session())
    assert by_alias.status_code == 200, by_alias.text
    assert by_alias.content == get(base_url, path, {**query, "chain_id": documented.CHAIN_ID}, user_session()).content


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_bearer_token_is_a_session(base_url, scheme):
    token = SPAAZA.sessions[documented.ADMIN_USER_ID].access_token
    assert campaigns_of(get(base_url, "/get-campaigns", CHAIN, {"Authorization": f"{scheme} {token}"})) == campaigns_of(get(base_url, "/get-campaigns", CHAIN, SPAAZA_ADMIN))


# The spec leaves ids unbounded: a longer number than any id is well-formed and names nothing.
@pytest.mark.parametrize(
    "path, params, code",
    [
        ("/get-campaigns", {"chain_id": "323263019679572033536"}, 217),
        ("/get-campaigns", {"chain_id": "9" * 5000}, 217),
        ("/get-campaign", {"campaign_id": "1234567890123456789"}, 246),
        ("/get-campaign", {"campaign_id": 2013, "chain_id": "1234567890123456789"}, 217),
        ("/get-campaign", {"campaign_id": 2013, "chain_id": 999999}, 217),
        ("/get-campaign", {"campaign_id": 2013, "chain_id": 5001}, 405),
    ],
)
def test_an_id_that_names_nothing_is_not_found(base_url, path, params, code):
    response = get(base_url, path, params, SPAAZA_ADMIN)
    assert response.json()["error"]["code"] == code


def test_get_campaign_returns_one_campaign_with_progress(base_url):
    response = get(base_url, "/get-campaign", {"campaign_id": 809, "user_id": USER.user_id}, SPAAZA_ADMIN)
    assert response.status_code == 200
    body = response.json()
    assert body["results"]["result_type"] == "get-campaign"
    # The same progress get-campaigns shows for that user, and loyalty arithmetic that holds.
    listed = campaigns_of(get(base_url, "/get-campaigns", {**CHAIN, "user_id": USER.user_id, "exclude_inactive": "false"}, SPAAZA_ADMIN))
    assert body["results"]["campaign"]["user_progress"] == next(c["user_progress"] for c in listed if c["id"] == 809)
    assert rules.loyalty_level_matches_points(from_requests(response)) == []
    assert violations("spaaza-get-campaign.json", body) == []


def test_every_2xx_body_is_valid(base_url):
    """Every chain, as admin and as each user, in every version that changes the body."""
    checked = 0
    for chain in SPAAZA.chains.values():
        admin = _admin_of(chain.id) if chain.id != documented.CHAIN_ID else SPAAZA_ADMIN
        for version in ("1.4.10", "1.4.11", "1.5.0"):
            headers = {**admin, "X-Spaaza-API-Version": version}
            users = [None] + [u.user_id for u in SPAAZA.users.values() if u.chain_id == chain.id]
            for user_id in users:
                query = {"chain_id": chain.id, **({"user_id": user_id} if user_id else {})}
                response = get(base_url, "/get-campaigns", query, headers)
                assert response.status_code == 200
                assert violations("spaaza-get-campaigns.json", response.json()) == [], (chain.id, user_id, version)
                checked += 1
    assert checked >= 40


def test_more_than_500_assignments_shows_none_and_warns():
    """Needs a campaign with 600 assignments: a second mock with the example scenario."""
    from pathlib import Path

    from mockserver import start_mock

    scenario = Path(__file__).parents[2] / "fixtures" / "scenarios" / "many-assignments.yaml"
    server = start_mock("--scenario", str(scenario))
    try:
        from campaign_mock.scenario import load_scenarios

        world = build_world(0, scenarios=load_scenarios([str(scenario)]))
        big = [(ch.id, c) for ch in world.spaaza.chains.values() for c in ch.campaigns if c["assignment_count"] > MAX_ASSIGNMENTS_SHOWN]
        assert big
        chain_id, campaign = big[0]
        admin = next(s for s in world.spaaza.sessions.values() if s.role == "admin" and chain_id in s.chain_ids)
        headers = {"X-Spaaza-Session-User-Id": str(admin.user_id), "X-Spaaza-Session-Key": admin.key}
        body = get(server.url, "/get-campaigns", {"chain_id": chain_id, "exclude_inactive": "false"}, headers).json()
        shown = next(c for c in body["results"]["campaigns"] if c["id"] == campaign["id"])
        assert shown["campaign_assignments"] == [] and shown["assignment_count"] > MAX_ASSIGNMENTS_SHOWN
        # Per response: no campaign's assignments are shown, the small ones' neither.
        assert all(c.get("campaign_assignments") in (None, []) for c in body["results"]["campaigns"])
        assert any(c["assignment_count"] and c["id"] != campaign["id"] for c in body["results"]["campaigns"])
        assert [w["name"] for w in body["warnings"]] == ["objects_exceed_maximum_quantity"]
        total = sum(c["assignment_count"] for c in body["results"]["campaigns"])
        assert body["warnings"][0]["message"] == {"object": "campaign_assignments", "quantity": total, "maximum_quantity": MAX_ASSIGNMENTS_SHOWN}
        assert violations("spaaza-get-campaigns.json", body) == []
    finally:
        server.stop()
