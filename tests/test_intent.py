"""What a user writes in a scenario, and the exact answer they expect: either values served
(verbatim, or never contradicted), or the exact refusal lines, `LINE: $.path: what is wrong`,
every one at once. Each case goes through the three callers that must agree: `fixtures` (the
CLI, in-process), `serve` (its app, in-process: the worlds it builds from its --scenario files)
and the admin API of a real server (`POST /__mock/ns/KEY/scenarios`, the session's mock)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Callable

import pytest
import requests
from click.testing import CliRunner, Result

from campaign_mock.cli import main
from campaign_mock.exceptions import ScenarioError
from campaign_mock.server.app import create_app
from campaign_mock.server.config import ServerConfig

# Every key a Spaaza campaign of a scenario may have, sorted, as a refusal of an unknown one lists them.
CAMPAIGN_KEYS = (
    "active, active_date_from, active_date_until, aggregate_wallet_balance_shown, "
    "allows_user_to_claim_voucher, assignment_count, balance_can_subzero, campaign_assignments, "
    "campaign_rules, cashback_ratio, chain_id, created_date, created_voucher_claimed_by_default, "
    "currency_id, current_count, custom_content, days_before, description, display_currency, "
    "display_currency_multiplication_factor, earn_on_promotional_items, element_styling, "
    "excluded_user_segment_id, excludes_assignment_matches, excludes_referred_users, extra, "
    "field_localisations, goal_amount, id, image_dimension_x, image_dimension_y, image_filename, "
    "image_link, image_url, is_active, is_contributor, is_default, is_deleted, is_recurring, "
    "is_redeemable, last_modified_date, last_updated_by, last_updated_date, levels, loyalty_levels, "
    "loyalty_rules, max_manual_daily_amount, max_reward_quantity, max_reward_quantity_unit, "
    "minimum_basket_total_value, myprice_app_id, notes, operator_type, owner_code, parameters, "
    "point_cost, point_cost_method, point_cost_method_wallet_campaign_id, recipient_campaign_id, "
    "recipient_reward_amount, recipient_reward_code, recipient_reward_discount_ratio, "
    "recipient_reward_method, return_reclaims_earned_rewards, reward_priority, rounding_precision, "
    "rounding_strategy, sender_campaign_id, spend_on_promotional_items, styling, "
    "supports_contribution, supports_user_segments, tags, target_count, title, type, user_progress, "
    "user_segment_id, visible_to_all_user_segments, voucher_description, voucher_expiry_days, "
    "voucher_image_url, voucher_notes, voucher_text, voucher_title"
)

# name -> (scenario, expected): a list of refusal lines, or {fixture file: {JSON path: value}}
# (a path is keys and indexes; a campaign list is indexed by campaign id, "!" + text: a text
# that must NOT occur in the file).
INTENTS: dict[str, tuple[str, object]] = {
    "typos-refused-all-at-once": (
        """
        spaaza:
          chains:
            - id: 7401
              campaigns:
                - id: 7401100
                  type: item_purchase_count
                  taget_count: 10
                  active_until: "2024-01-02T00:00:00+00:00"
                  current_count: 9
        """,
        [
            f"7: $.spaaza.chains[0].campaigns[0].taget_count: unknown key 'taget_count'; did you mean 'target_count'? allowed here: {CAMPAIGN_KEYS} (a field the vendor might add goes under `extra:`)",
            f"8: $.spaaza.chains[0].campaigns[0].active_until: unknown key 'active_until'; did you mean 'active_date_until'? allowed here: {CAMPAIGN_KEYS} (a field the vendor might add goes under `extra:`)",
            "9: $.spaaza.chains[0].campaigns[0].current_count: cannot be set in a scenario: per user: each user's replaces the campaign's, so write `progress: {CAMPAIGN_ID: N}` on the user instead",
        ],
    ),
    "user-id-of-a-generated-chain": (
        """
        spaaza:
          chains:
            - id: 7001
              users:
                - user_id: 500101
                - user_id: 700150
                  progress: {7001999: 1}
        """,
        [
            "5: $.spaaza.chains[0].users[0].user_id: 500101 is in the user id range of chain 5001 and would clash with its generated users; pick one of this chain's, e.g. 700101",
            '7: $.spaaza.chains[0].users[1].progress["7001999"]: chain 7001 has no campaign 7001999; declare it under the chain\'s campaigns, or use one of: 7001001 (points_wallet), 7001002 (wallet)',
        ],
    ),
    "a-typo-and-a-clash-at-once": (
        """
        spaaza:
          chains:
            - id: 7001
              nmae: Demo
              users:
                - user_id: 500101
        """,
        [
            "4: $.spaaza.chains[0].nmae: unknown key 'nmae'; did you mean 'name'? allowed here: id, name, currency, generated_users, campaigns, users",
            "6: $.spaaza.chains[0].users[0].user_id: 500101 is in the user id range of chain 5001 and would clash with its generated users; pick one of this chain's, e.g. 700101",
        ],
    ),
    "swapped-letters-in-a-short-key": (
        """
        spaaza:
          chains:
            - di: 7001
              users:
                - user_id: 700101
                  awrads: {7001001: 1}
        """,
        [
            "3: $.spaaza.chains[0].di: unknown key 'di'; did you mean 'id'? allowed here: id, name, currency, generated_users, campaigns, users",
            "3: $.spaaza.chains[0]: missing required key 'id'; add `id: ...`",
            "6: $.spaaza.chains[0].users[0].awrads: unknown key 'awrads'; did you mean 'awards'? allowed here: user_id, member_number, username, referral_code, authentication_point_identifier, auxiliary_identifier, points, balances, awards, session_key, progress",
        ],
    ),
    "levelup-progress-in-no-generated-campaign": (
        """
        levelup:
          users:
            - user_id: 9101
              progress: {39999: 3}
        """,
        ['4: $.levelup.users[0].progress["39999"]: there is no LevelUp campaign 39999: --merchants 2 generates only 30201..30207, 30301..30307; use one of those, or declare a campaign under levelup.campaigns'],
    ),
    "progress-on-a-campaign-without-a-count": (
        """
        spaaza:
          chains:
            - id: 7401
              campaigns:
                - {id: 7401100, type: item_purchase_count, target_count: 10}
                - {id: 7401200, type: signup}
              users:
                - user_id: 740101
                  progress: {7401100: 10, 7401200: 1}
        """,
        [
            '9: $.spaaza.chains[0].users[0].progress["7401100"]: progress 10 reaches the campaign\'s target_count 10; a purchase count resets when its reward is earned: write at most 9',
            '9: $.spaaza.chains[0].users[0].progress["7401200"]: campaign 7401200 is a signup campaign, which counts no purchases per user (current_count); progress is for: item_purchase_count',
        ],
    ),
    "past-the-size-cap": (
        "levelup:\n  users:\n" + "".join(f"    - {{user_id: {100_001 + k}}}\n" for k in range(201)),
        ["203: $.levelup.users[200]: the scenarios ask for more than 200 levelup users in all (the documented size cap of a scenario's world, so that it builds in seconds); split them over namespaces or ask for fewer"],
    ),
    "unclosed-flow-sequence": (
        """
        spaaza:
          chains: [
            {id: 7401},
        levelup: {}
        """,
        [],  # checked by its first words only: YAML's own wording follows
    ),
    "one-purchase-from-a-stamp-and-expiring-tomorrow": (
        """
        spaaza:
          chains:
            - id: 7401
              campaigns:
                - id: 7401100
                  type: item_purchase_count
                  title: Ten stamps
                  target_count: 10
                  active_date_until: "2024-01-02T00:00:00+00:00"
              users:
                - user_id: 740101
                  progress: {7401100: 9}
                - user_id: 740102
                  progress: {7401100: 0}
        """,
        {
            "spaaza/chain-7401/get-campaigns/user-740101/v1.5.0.json": {
                ("results", "campaigns", 7401100, "title"): "Ten stamps",
                ("results", "campaigns", 7401100, "target_count"): 10,
                ("results", "campaigns", 7401100, "current_count"): 9,
                ("results", "campaigns", 7401100, "active_date_until"): "2024-01-02T00:00:00+00:00",
            },
            "spaaza/chain-7401/get-campaigns/user-740102/v1.5.0.json": {("results", "campaigns", 7401100, "current_count"): 0},
        },
    ),
    "ten-coffees-never-described-as-salads": (
        """
        levelup:
          campaigns:
            - {id: 9001, kind: item_loyalty, required: 10, title: "Ten coffees"}
            - {id: 9002, kind: item_loyalty, required: 10, title: "Ten coffees", item_singular: coffee, item_plural: coffees, reward_title: "free coffee", description: "Your tenth coffee is on us"}
        """,
        {
            "levelup/user-981/campaign-9001/basic_v1.json": {("campaign", "title"): "Ten coffees", ("campaign", "description"): "Buy 10 items, get $10!"},
            "levelup/user-981/campaign-9001/item_based_loyalty_v1.json": {("campaign", "required_item_plural"): "Items"},
            "levelup/user-981/campaign-9002/basic_v1.json": {("campaign", "description"): "Your tenth coffee is on us"},
            "levelup/user-981/campaign-9002/item_based_loyalty_v1.json": {
                ("campaign", "required_item_plural"): "coffees",
                ("campaign", "required_item_singular"): "coffee",
                ("campaign", "reward_title"): "free coffee",
                ("campaign", "required_item_count"): 10,
            },
        },
    ),
    "a-written-reward-title-gets-no-second-article": (
        """
        levelup:
          campaigns:
            - {id: 9003, kind: item_loyalty, required: 10, reward_title: "A free coffee"}
            - {id: 9004, kind: item_loyalty, required: 10, reward_title: "omelet"}
            - {id: 9005, kind: spend_gift_card, required: 5000, reward_title: "2 free coffees"}
        """,
        {
            "levelup/user-981/campaign-9003/item_based_loyalty_v1.json": {("campaign", "reward_title"): "A free coffee", ("campaign", "reward_article"): None},
            "levelup/user-981/campaign-9004/item_based_loyalty_v1.json": {("campaign", "reward_title"): "omelet", ("campaign", "reward_article"): "an"},
            "levelup/user-981/campaign-9005/spend_based_gift_card_loyalty_v1.json": {("campaign", "reward_title"): "2 free coffees", ("campaign", "reward_article"): None},
        },
    ),
}


def _text(name: str) -> str:
    return textwrap.dedent(INTENTS[name][0]).lstrip("\n")


def _get(body, path: tuple):
    for part in path:
        if isinstance(body, list):  # campaigns by id
            body = next(c for c in body if c.get("id") == part)
        else:
            body = body[part]
    return body


def _check_refusal(name: str, lines: list[str]) -> None:
    expected = INTENTS[name][1]
    if name == "unclosed-flow-sequence":
        assert len(lines) == 1 and lines[0].startswith("2: YAML syntax error at column 11: the list [ that opens here is not closed"), lines
    else:
        assert lines == expected


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("intents")
    paths = {}
    for name in INTENTS:
        paths[name] = folder / f"{name}.yaml"
        paths[name].write_text(_text(name), encoding="utf-8")
    return paths


Run = Callable[[str], "tuple[Result, Path]"]


@pytest.fixture(scope="module")
def fixtures_run(written, tmp_path_factory) -> Run:
    """`fixtures` run once per case (per test process): its result and --out folder, which
    test_fixtures judges and whose manifest says what the other callers are asked."""
    folder = tmp_path_factory.mktemp("fixtures-out")
    runs: dict[str, tuple[Result, Path]] = {}

    def run(name: str) -> tuple[Result, Path]:
        if name not in runs:
            out = folder / name
            runs[name] = CliRunner().invoke(main, ["fixtures", "--out", str(out), "--scenario", str(written[name])]), out
        return runs[name]

    return run


@pytest.mark.parametrize("name", sorted(INTENTS))
def test_fixtures(name, written, fixtures_run):
    path, expected = written[name], INTENTS[name][1]
    result, out = fixtures_run(name)
    if isinstance(expected, dict):
        assert result.exit_code == 0, result.output
        for file, values in expected.items():
            body = json.loads((out / file).read_text(encoding="utf-8"))
            for where, value in values.items():
                assert _get(body, where) == value, (file, where)
        return
    assert result.exit_code == 2 and not out.exists(), result.output
    message = result.stderr.removeprefix("campaign-mock: ").rstrip("\n")
    _check_refusal(name, [line.removeprefix(f"{path}:") for line in message.split("\n")])


@pytest.mark.parametrize("name", sorted(INTENTS))
def test_serve(name, written, fixtures_run, tmp_path):
    """serve's worlds (server/config.Worlds: its --scenario files), through its app."""
    path, expected = written[name], INTENTS[name][1]
    config = ServerConfig(scenarios=(str(path),), state=str(tmp_path / "state.sqlite"))
    if not isinstance(expected, dict):
        with pytest.raises(ScenarioError) as caught:
            create_app(config)
        _check_refusal(name, [line.removeprefix(f"{path}:") for line in caught.value.problems])
        return
    client = create_app(config).test_client()
    manifest = _manifest(fixtures_run, name)
    for file, values in expected.items():
        request = manifest[file]
        answer = client.get(request["path"], query_string=request["query"], headers=request["headers"])
        assert answer.status_code == 200, answer.text
        for where, value in values.items():
            assert _get(answer.json, where) == value, (file, where)


@pytest.mark.parametrize("name", sorted(INTENTS))
def test_admin_api(name, fixtures_run, mock_server):
    expected = INTENTS[name][1]
    ns = f"{mock_server.url}/__mock/ns/intent-{name}"
    response = requests.post(f"{ns}/scenarios", data=_text(name).encode(), headers={"Content-Type": "application/yaml"}, timeout=60)
    try:
        if not isinstance(expected, dict):
            assert response.status_code == 422, response.text
            _check_refusal(name, response.json()["error"]["errors"])
            return
        assert response.status_code == 201, response.text
        manifest = _manifest(fixtures_run, name)
        for file, values in expected.items():
            request = manifest[file]
            answer = requests.get(ns + request["path"], params=request["query"], headers=request["headers"], timeout=60)
            assert answer.status_code == 200, answer.text
            for where, value in values.items():
                assert _get(answer.json(), where) == value, (file, where)
    finally:
        requests.delete(ns, timeout=60)


def _manifest(fixtures_run: Run, name: str) -> dict[str, dict]:
    """The requests `fixtures` says each file answers (its manifest), to ask a server the same."""
    result, out = fixtures_run(name)
    assert result.exit_code == 0, result.output
    return {f["file"]: f["request"] for f in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]}
