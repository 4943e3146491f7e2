"""The domain rules the vendor docs imply about a campaign's own numbers (issue 10): each
holds for the real mock's answers and catches a fault planted in a copy of one, run as the
checker runs it (the check campaign_mock.check.checks registers with Schemathesis)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from campaign_mock.check import rules
from campaign_mock.check.checks import DomainRuleViolated
from campaign_mock.check.exchange import from_requests
from mockserver import SPAAZA_ADMIN, start_mock

SCENARIO = Path(__file__).parents[2] / "fixtures" / "scenarios" / "many-assignments.yaml"
NEW_RULES = ("assignments_limit_per_response", "wallet_progress_fits_wallet", "campaign_dates_in_order", "no_awards_nothing_awarded")


@pytest.fixture(scope="module")
def responses():
    """Real answers: chains of the default world asked for users of every role (user_progress
    of every format), and the scenario chain whose assignments pass the limit."""
    from campaign_mock.world import build_world
    from campaign_mock.scenario import load_scenarios

    sessions = build_world(0, scenarios=load_scenarios([SCENARIO])).spaaza.sessions

    def admin(chain_id: int) -> dict:
        if chain_id == 1762:
            return SPAAZA_ADMIN
        return {"X-Spaaza-Session-User-Id": str(chain_id * 100), "X-Spaaza-Session-Key": sessions[chain_id * 100].key}

    server = start_mock("--scenario", str(SCENARIO))
    try:
        out = {}
        with requests.Session() as http:
            def get(chain_id: int, **query):
                return http.get(server.url + "/get-campaigns", params={"chain_id": chain_id, **query}, headers=admin(chain_id), timeout=10)

            for chain_id, user_id in ((1762, 176201), (5001, 500101), (5001, 500102), (5001, 500103), (5002, 500202)):
                out[(chain_id, user_id)] = get(chain_id, user_id=user_id, exclude_inactive="false")
            out["many"] = get(7003)
            out["many brief"] = get(7003, display_full_campaign="false")
        yield out
    finally:
        server.stop()


@pytest.fixture(scope="module")
def answers(responses):
    return {key: from_requests(r) for key, r in responses.items()}


def test_the_mock_keeps_every_new_rule(answers):
    for name in NEW_RULES:
        for key, ex in answers.items():
            assert ex.status == 200, (key, ex.body)
            assert rules.RULES[name](ex) == [], (name, key)
    many = answers["many"]
    assert sum(c["assignment_count"] for c in many.campaigns()) > 500 and many.body["warnings"]


def _planted(response: requests.Response, change) -> requests.Response:
    """A copy of a real response whose body has the fault `change` plants."""
    body = response.json()
    change(body)
    planted = copy.copy(response)
    planted._content = json.dumps(body).encode()
    return planted


def _run_as_the_checker(name: str, response: requests.Response) -> None:
    """The check the checker runs under `name`: what checks.py registered with Schemathesis,
    given the response as Schemathesis hands it over."""
    from schemathesis.checks import CHECKS
    from schemathesis.core.transport import Response

    (check,) = CHECKS.get_by_names([name])
    case = SimpleNamespace(operation=SimpleNamespace(label="GET /get-campaigns"))
    check(None, Response.from_requests(response, verify=True), case)


def _campaign(body, predicate):
    return next(c for c in body["results"]["campaigns"] if predicate(c))


def _show_assignments(body):
    for c in body["results"]["campaigns"]:
        if c["assignment_count"]:
            c["campaign_assignments"] = [{"id": i, "campaign_id": c["id"]} for i in range(c["assignment_count"])]


def _wallet_in_other_currency(body):
    p = _campaign(body, lambda c: "saved_amount" in c.get("user_progress", {}))["user_progress"]
    p["currency"] = {**p["currency"], "id": p["currency"]["id"] % 5 + 1}


def _saved_more_than_total(body):
    p = _campaign(body, lambda c: "saved_amount" in c.get("user_progress", {}))["user_progress"]
    p["saved_amount"] = p["total_amount"] + 1


PLANTED = {
    "assignments shown past the limit": ("many", _show_assignments, "assignments_limit_per_response", "are shown"),
    "no warning past the limit": ("many", lambda b: b.pop("warnings"), "assignments_limit_per_response", "no objects_exceed_maximum_quantity warning"),
    "wallet progress in another currency": ((5001, 500103), _wallet_in_other_currency, "wallet_progress_fits_wallet", "the wallet's currency_id"),
    "saved more than ever added": ((5001, 500103), _saved_more_than_total, "wallet_progress_fits_wallet", "more than total_amount"),
    "created after last modified": ((5001, 500101), lambda b: b["results"]["campaigns"][0].update(created_date="2030-01-01T00:00:00+00:00"), "campaign_dates_in_order", "is after last_modified_date"),
    "window ends before it starts": ((5001, 500101), lambda b: b["results"]["campaigns"][0].update(active_date_from="2023-06-01T00:00:00+00:00", active_date_until="2023-01-01T00:00:00+00:00"), "campaign_dates_in_order", "is after active_date_until"),
    "level reached before the programme": ((5001, 500102), lambda b: _campaign(b, lambda c: c["type"] == "loyalty")["user_progress"].update(date_reached="2001-01-01T00:00:00+00:00"), "campaign_dates_in_order", "before the campaign was created"),
    "nothing awarded yet paid": ((5001, 500101), lambda b: _campaign(b, lambda c: "award_count" in c.get("user_progress", {}))["user_progress"].update(award_count=0, total_amount_awarded=5), "no_awards_nothing_awarded", "award_count 0 but total_amount_awarded 5"),
}


def test_every_new_rule_has_a_planted_fault():
    assert {rule for _, _, rule, _ in PLANTED.values()} == set(NEW_RULES)


@pytest.mark.parametrize("fault", sorted(PLANTED))
def test_the_checker_catches_each_planted_fault(responses, fault):
    key, change, rule, says = PLANTED[fault]
    _run_as_the_checker(rule, responses[key])  # the real answer passes
    with pytest.raises(DomainRuleViolated) as caught:
        _run_as_the_checker(rule, _planted(responses[key], change))
    assert caught.value.title == rule and says in caught.value.message, caught.value.message


def test_a_brief_answer_is_not_held_to_the_assignment_limit(answers):
    assert rules.assignments_limit_per_response(answers["many brief"]) == []
