"""Scenario files (campaign_mock/scenario/, schemas/scenario.json, fixtures/scenarios/).

Real files only: scenarios are written to tmp_path (or read from fixtures/scenarios/) and
loaded with load_scenarios; worlds are built with build_world."""
from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from campaign_mock.contract import load_contract
from campaign_mock.exceptions import ScenarioError
from campaign_mock.world import build_world
from campaign_mock.world.model import LEVELUP_KINDS
from campaign_mock.scenario import load_scenarios
from campaign_mock.contract.facts import MAX_ASSIGNMENTS_SHOWN
from campaign_mock.world.domain import CURRENCY_BY_CODE

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "fixtures" / "scenarios"
SCHEMA = ROOT / "schemas" / "scenario.json"


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def example(name: str) -> Path:
    return EXAMPLES / name


def campaign(world, chain_id: int, campaign_id: int) -> dict:
    return next(c for c in world.spaaza.chains[chain_id].campaigns if c["id"] == campaign_id)


# ------------------------------------------------------------------ the schema


def schema() -> dict:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def test_schema_is_valid_2020_12_with_bare_id():
    contents = schema()
    Draft202012Validator.check_schema(contents)
    assert contents["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert contents["$id"] == "scenario.json"


def test_levelup_kinds_agree_with_the_world():
    assert schema()["$defs"]["levelup_campaign"]["properties"]["kind"]["enum"] == list(LEVELUP_KINDS)


def test_currencies_agree_with_the_world():
    assert set(schema()["$defs"]["chain"]["properties"]["currency"]["enum"]) == set(CURRENCY_BY_CODE) - {"PTS"}


def test_campaign_type_is_the_contracts():
    assert schema()["$defs"]["campaign"]["properties"]["type"]["$ref"] == "spaaza-campaign.json#/$defs/campaign_type"
    validator = load_contract().validator("scenario.json")
    for ctype in load_contract().campaign_types:
        assert validator.is_valid({"spaaza": {"chains": [{"id": 7001, "campaigns": [{"type": ctype}]}]}})
    assert not validator.is_valid({"spaaza": {"chains": [{"id": 7001, "campaigns": [{"type": "loyalty_points"}]}]}})


def _jsonish(value):
    if isinstance(value, dict):
        return {str(k): _jsonish(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonish(v) for v in value]
    return value


def test_examples_validate_against_the_published_schema():
    validator = load_contract().validator("scenario.json")
    for path in sorted(EXAMPLES.glob("*.yaml")):
        data = _jsonish(yaml.safe_load(path.read_text(encoding="utf-8")))  # as an editor sees it: keys are strings
        assert [e.message for e in validator.iter_errors(data)] == [], path


# ------------------------------------------------------------------ the examples


EXAMPLE_FILES = ["bronze-member.yaml", "inactive-campaign.yaml", "many-assignments.yaml", "levelup-progress.yaml"]


def test_example_files_exist_with_a_header():
    for name in EXAMPLE_FILES:
        text = example(name).read_text(encoding="utf-8")
        comments = [line for line in text.splitlines() if line.startswith("#")]
        assert len(comments) >= 4, name


@pytest.mark.parametrize("name", EXAMPLE_FILES)
def test_each_example_loads_and_builds(name):
    scenarios = load_scenarios([example(name)])
    world = build_world(0, scenarios=scenarios)
    for scenario in scenarios:
        for chain in scenario.chains:
            assert chain.id in world.spaaza.chains
        for spec in scenario.levelup_campaigns:
            assert spec.id in world.levelup.campaigns


def test_all_examples_load_together():
    scenarios = load_scenarios(sorted(EXAMPLES.glob("*.yaml")))
    assert len(scenarios) == len(EXAMPLE_FILES)
    world = build_world(0, scenarios=scenarios)
    ids = [c["id"] for chain in world.spaaza.chains.values() for c in chain.campaigns]
    assert len(ids) == len(set(ids))


def test_bronze_member_progress():
    world = build_world(0, scenarios=load_scenarios([example("bronze-member.yaml")]))
    progress = world.spaaza.progress[(700101, 7001100)]
    assert progress["name"] == "Bronze"
    assert progress["points_balance_current"] == 251
    assert progress["points_to_proceed_next_level"] == 249
    assert world.spaaza.users[700101].member_number == "M-251"
    assert world.spaaza.sessions[700101].key == "bronze-member-session-key-700101"
    assert [lv["name"] for lv in campaign(world, 7001, 7001100)["loyalty_levels"]] == ["Bronze", "Silver", "Gold"]
    errors = list(load_contract().validator("spaaza-user-progress.json#/$defs/loyalty").iter_errors(progress))
    assert errors == []


def test_many_assignments():
    world = build_world(0, scenarios=load_scenarios([example("many-assignments.yaml")]))
    c = campaign(world, 7003, 7003100)
    assert c["assignment_count"] == 600 > MAX_ASSIGNMENTS_SHOWN
    assert campaign(world, 7003, 7003101)["assignment_count"] == 3


def test_inactive_campaigns():
    world = build_world(0, scenarios=load_scenarios([example("inactive-campaign.yaml")]))
    switched_off = campaign(world, 7002, 7002100)
    assert switched_off["active"] is False and switched_off["is_active"] is False
    expired = campaign(world, 7002, 7002101)
    assert expired["active"] is True and expired["is_active"] is False
    assert campaign(world, 7002, 7002102)["is_active"] is True


def test_levelup_progress():
    world = build_world(0, scenarios=load_scenarios([example("levelup-progress.yaml")]))
    assert world.levelup.progress[(9101, 9001)] == 9500
    assert world.levelup.progress[(9101, 9002)] == 9
    assert world.levelup.tokens["9101-near-goal"].user_id == 9101
    assert world.levelup.campaigns[9001].kind == "spend_loyalty"


def test_every_campaign_of_a_scenario_world_meets_the_contract():
    world = build_world(0, scenarios=load_scenarios(sorted(EXAMPLES.glob("*.yaml"))))
    validator = load_contract().validator("spaaza-campaign.json")
    for chain_id in (7001, 7002, 7003):
        for c in world.spaaza.chains[chain_id].campaigns:
            assert list(validator.iter_errors(c)) == [], c["id"]


def test_adding_to_existing_chains(tmp_path):
    path = write(tmp_path, "existing.yaml", """
        spaaza:
          chains:
            - id: 1762
              users:
                - {user_id: 176290, points: 10, balances: {238: 40}}
            - id: 5001
              campaigns:
                - {id: 5001500, type: signup, title: Extra signup}
              users:
                - {user_id: 500190, awards: {5001500: 1}}
        """)
    world = build_world(0, scenarios=load_scenarios([path]))
    assert {c["id"] for c in world.spaaza.chains[1762].campaigns} >= {2013, 809, 238}
    assert campaign(world, 5001, 5001500)["title"] == "Extra signup"
    assert len(world.spaaza.chains[5001].campaigns) > 10  # the generated ones are still there
    assert world.spaaza.progress[(500190, 5001500)]["award_count"] == 1
    assert world.spaaza.progress[(176290, 238)]["saved_amount"] == 40


def test_loaded_values(tmp_path):
    path = write(tmp_path, "values.yaml", """
        clock: 2024-03-01T12:00:00+01:00
        spaaza:
          chains:
            - id: 7101
              currency: USD
              campaigns:
                - {type: loyalty, levels: [{name: Low, points: 0}, {name: High, points: 10}]}
                - type: cashback
                  active_date_until: 2025-01-01T00:00:00Z
              users:
                - {username: a@example.com, balances: {7101001: 5}}
        """)
    (scenario,) = load_scenarios([path])
    assert scenario.clock.isoformat() == "2024-03-01T12:00:00+01:00"
    (chain,) = scenario.chains
    assert chain.campaigns[0].levels == (("Low", 0), ("High", 10))
    assert chain.campaigns[1].fields == {"active_date_until": "2025-01-01T00:00:00Z"}  # verbatim, not a datetime
    assert chain.users[0].identifiers == {"username": "a@example.com"}
    assert chain.users[0].balances == {7101001: 5}


# ------------------------------------------------------------------ broken files


GOOD = """
    spaaza:
      chains:
        - id: 7201
          campaigns:
            - {id: 7201100, type: signup}
    """

BROKEN = {
    "yaml-syntax": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              name: "Unclosed
        """}, "broken.yaml", 4, None),
    "unknown-top-level-key": ({"broken.yaml": """
        clock: "2024-01-01T00:00:00+00:00"
        spaaza:
          chains: []
        levelupp: {}
        """}, "broken.yaml", 4, "$.levelupp"),
    "unknown-campaign-type": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              campaigns:
                - id: 7201100
                  type: loyality
        """}, "broken.yaml", 6, "$.spaaza.chains[0].campaigns[0].type"),
    "levels-on-cashback": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              campaigns:
                - type: cashback
                  levels:
                    - {name: Bronze, points: 0}
        """}, "broken.yaml", 6, "$.spaaza.chains[0].campaigns[0].levels"),
    "lowest-level-not-0": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              campaigns:
                - type: loyalty
                  levels:
                    - {name: Silver, points: 500}
                    - {name: Bronze, points: 100}
        """}, "broken.yaml", 8, "$.spaaza.chains[0].campaigns[0].levels[1].points"),
    "duplicate-thresholds": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              campaigns:
                - type: loyalty
                  levels:
                    - {name: Bronze, points: 0}
                    - {name: Silver, points: 500}
                    - {name: Gold, points: 500}
        """}, "broken.yaml", 9, "$.spaaza.chains[0].campaigns[0].levels[2].points"),
    "assignment-count-wrong-type": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              campaigns:
                - type: signup

                  assignment_count: "many"
        """}, "broken.yaml", 7, "$.spaaza.chains[0].campaigns[0].assignment_count"),
    "negative-points": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              users:
                - user_id: 720101
                  points: -5
        """}, "broken.yaml", 6, "$.spaaza.chains[0].users[0].points"),
    "duplicate-campaign-id-across-files": ({"first.yaml": GOOD, "second.yaml": """
        # another chain, same campaign id
        spaaza:
          chains:
            - id: 7202
              campaigns:
                - type: cashback
                - id: 7201100
                  type: signup
        """}, "second.yaml", 7, "$.spaaza.chains[0].campaigns[1].id"),
    "naive-clock": ({"broken.yaml": """
        # no offset
        clock: "2024-01-01T00:00:00"
        """}, "broken.yaml", 2, "$.clock"),
    "title-wrong-type": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              campaigns:
                - type: signup
                  title: 5
        """}, "broken.yaml", 6, "$.spaaza.chains[0].campaigns[0].title"),
    "contract-field-wrong-type": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              campaigns:
                - type: cashback
                  cashback_ratio: 2
        """}, "broken.yaml", 6, "$.spaaza.chains[0].campaigns[0].cashback_ratio"),
    "generator-owned-field": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              campaigns:
                - type: cashback
                  chain_id: 1762
        """}, "broken.yaml", 6, "$.spaaza.chains[0].campaigns[0].chain_id"),
    "unknown-user-key": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              users:
                - user_id: 720101
                  member_numbr: "M-1"
        """}, "broken.yaml", 6, "$.spaaza.chains[0].users[0].member_numbr"),
    "identifier-not-a-string": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              users:
                - member_number: 251
        """}, "broken.yaml", 5, "$.spaaza.chains[0].users[0].member_number"),
    "duplicate-key": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              id: 7202
        """}, "broken.yaml", 4, "$.spaaza.chains[0].id"),
    "duplicate-chain-in-file": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
            - id: 7201
        """}, "broken.yaml", 4, "$.spaaza.chains[1].id"),
    "awards-unknown-campaign": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              campaigns:
                - {id: 7201100, type: signup}
              users:
                - awards: {7201100: 1, 7201999: 2}
        """}, "broken.yaml", 7, '$.spaaza.chains[0].users[0].awards["7201999"]'),
    "balances-on-a-loyalty-campaign": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              campaigns:
                - {id: 7201100, type: loyalty}
              users:
                - balances:
                    7201001: 40
                    7201100: 5
        """}, "broken.yaml", 9, '$.spaaza.chains[0].users[0].balances["7201100"]'),
    # Ids and identifiers the mock would refuse in a request (154, 419, 267) cannot be declared.
    "user-id-of-the-editor": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              users:
                - user_id: 720199
        """}, "broken.yaml", 5, "$.spaaza.chains[0].users[0].user_id"),
    "user-id-over-10-digits": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              users:
                - user_id: 12345678901
        """}, "broken.yaml", 5, "$.spaaza.chains[0].users[0].user_id"),
    "chain-id-over-8-digits": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 100000000
        """}, "broken.yaml", 3, "$.spaaza.chains[0].id"),
    "username-not-an-email": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              users:
                - username: not-an-email
        """}, "broken.yaml", 5, "$.spaaza.chains[0].users[0].username"),
    "points-and-the-points-wallet-balance": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              users:
                - points: 251
                  balances:
                    7201002: 10
                    7201001: 100
        """}, "broken.yaml", 8, '$.spaaza.chains[0].users[0].balances["7201001"]'),
    "balances-key-not-an-id": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              users:
                - balances:
                    wallet: 40
        """}, "broken.yaml", 6, '$.spaaza.chains[0].users[0].balances.wallet'),
    "explicit-id-is-the-auto-wallet": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              campaigns:
                - {id: 7201001, type: signup}
        """}, "broken.yaml", 5, "$.spaaza.chains[0].campaigns[0].id"),
    "different-clocks": ({"first.yaml": 'clock: "2024-01-01T00:00:00+00:00"\n', "second.yaml": """
        spaaza: {}
        clock: "2024-06-01T00:00:00+00:00"
        """}, "second.yaml", 2, "$.clock"),
    "levelup-unknown-kind": ({"broken.yaml": """
        levelup:
          campaigns:
            - {id: 9001, kind: spend}
        """}, "broken.yaml", 3, "$.levelup.campaigns[0].kind"),
    "levelup-missing-id": ({"broken.yaml": """
        levelup:
          campaigns:
            - kind: spend_loyalty
              title: No id
        """}, "broken.yaml", 3, "$.levelup.campaigns[0]"),
    "levelup-progress-reaches-requirement": ({"broken.yaml": """
        levelup:
          campaigns:
            - {id: 9001, kind: spend_loyalty, required: 10000}
          users:
            - user_id: 9101
              progress:
                9001: 10000
        """}, "broken.yaml", 7, '$.levelup.users[0].progress["9001"]'),
    "levelup-progress-unknown-campaign": ({"broken.yaml": """
        levelup:
          users:
            - {user_id: 9101, progress: {9999: 1}}
        """}, "broken.yaml", 3, '$.levelup.users[0].progress["9999"]'),
    "levelup-duplicate-token": ({"broken.yaml": """
        levelup:
          users:
            - {user_id: 9101, token: same}
            - {user_id: 9102, token: same}
        """}, "broken.yaml", 4, "$.levelup.users[1].token"),
    # A list key written without a value (null) or with a number is refused by the schema,
    # not iterated (it was a TypeError: a traceback, a 500 from the admin API).
    "chains-without-value": ({"broken.yaml": """
        spaaza:
          chains:
        """}, "broken.yaml", 2, "$.spaaza.chains"),
    "chain-campaigns-without-value": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              campaigns:
        """}, "broken.yaml", 4, "$.spaaza.chains[0].campaigns"),
    "chain-users-a-number": ({"broken.yaml": """
        spaaza:
          chains:
            - id: 7201
              users: 5
        """}, "broken.yaml", 4, "$.spaaza.chains[0].users"),
    "levelup-campaigns-without-value": ({"broken.yaml": """
        levelup:
          campaigns:
        """}, "broken.yaml", 2, "$.levelup.campaigns"),
    "levelup-users-without-value": ({"broken.yaml": """
        levelup:
          users:
        """}, "broken.yaml", 2, "$.levelup.users"),
    "top-level-list": ({"broken.yaml": """
        - spaaza: {}
        """}, "broken.yaml", 1, "$"),
    "empty-file": ({"broken.yaml": "# nothing here\n"}, "broken.yaml", 1, "$"),
}


@pytest.mark.parametrize("files, culprit, line, path", BROKEN.values(), ids=BROKEN.keys())
def test_broken_file(tmp_path, files, culprit, line, path):
    paths = [write(tmp_path, name, text) for name, text in files.items()]
    with pytest.raises(ScenarioError) as caught:
        load_scenarios(paths)
    message = str(caught.value)
    culprit_path = str(tmp_path / culprit)
    assert message.startswith(culprit_path + ":"), message
    if path is None:
        assert message.startswith(f"{culprit_path}:{line}: YAML syntax error"), message
    else:
        assert message.startswith(f"{culprit_path}:{line}: {path}: "), message
    assert "Traceback" not in message and "\n" not in message


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = write(tmp_path, "broken.yaml", """
        spaaza:
          chains:
            - id: 7201
              name: Demo
             campaigns: []
        """)
    with pytest.raises(ScenarioError, match=rf"^{re.escape(str(path))}:5: YAML syntax error"):
        load_scenarios([path])


def test_messages_say_what_to_write(tmp_path):
    cases = {
        "type: loyality": "did you mean 'loyalty'?",
        'assignment_count: "many"': "expected a whole number",
        "assignment_count: '600'": "write the number without quotes: 600",
        "levels: [{name: Silver, points: 5}]": "write points: 0",
        "title: 5": 'quote it to make it a string: "5"',
        "tittle: x\n  title: 5": 'quote it',
    }
    for line, expected in cases.items():
        body = "spaaza:\n  chains:\n    - id: 7201\n      campaigns:\n        - type: loyalty\n          " + line.replace("\n  ", "\n          ") + "\n"
        if line.startswith("type"):
            body = "spaaza:\n  chains:\n    - id: 7201\n      campaigns:\n        - " + line + "\n"
        path = tmp_path / "case.yaml"
        path.write_text(body, encoding="utf-8")
        with pytest.raises(ScenarioError) as caught:
            load_scenarios([path])
        assert expected in str(caught.value), (line, str(caught.value))


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError, match=rf"^{re.escape(str(missing))}: no such scenario file"):
        load_scenarios([missing])


def test_directory(tmp_path):
    with pytest.raises(ScenarioError, match="is a directory"):
        load_scenarios([tmp_path])


def test_all_or_nothing(tmp_path):
    good = write(tmp_path, "good.yaml", GOOD)
    broken = write(tmp_path, "broken.yaml", "spaaza:\n  chains:\n    - id: 7202\n      campaigns:\n        - type: nope\n")
    alone = load_scenarios([good])
    assert len(alone) == 1
    # Whichever comes first, a broken file fails the whole load (no partial result to use)...
    for order in ([good, broken], [broken, good]):
        with pytest.raises(ScenarioError, match=re.escape(str(broken)) + ":5:"):
            load_scenarios(order)
    # ...and leaves nothing behind: the good file loads as it did before.
    assert load_scenarios([good]) == alone


def test_no_files():
    assert load_scenarios([]) == ()


# ------------------------------------------------------------------ never a traceback

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.integers(7001000, 7001200), st.sampled_from([0, 1, 251, 500, 600, 7001, 1762, 5001]),
    st.sampled_from(["", "x", "loyalty", "cashback", "signup", "wallet", "points_wallet", "EUR", "PTS", "2024-01-01T00:00:00+00:00",
                     "2023-12-01T00:00:00Z", "2024-01-01T00:00:00", "not a date", "1.0000", "spend_loyalty", "manage_user_campaigns"]),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
)
_KEYS = st.sampled_from([
    "clock", "spaaza", "levelup", "chains", "campaigns", "users", "id", "type", "levels", "name", "points", "currency", "generated_users",
    "title", "active", "is_active", "assignment_count", "reward_priority", "active_date_from", "active_date_until", "created_date",
    "cashback_ratio", "user_id", "member_number", "balances", "awards", "session_key", "kind", "required", "token", "permissions",
    "progress", "merchant_id", "7001001", "7001100", "9001", "chain_id", "bogus",
])
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=4)), max_leaves=12)


def _shaped(draw_value):
    """Mostly the right shape, with random values: reaches the checks behind the schema."""
    return st.fixed_dictionaries(
        {},
        optional={
            "clock": st.one_of(st.just("2024-01-01T00:00:00+00:00"), _SCALARS),
            "spaaza": st.fixed_dictionaries({"chains": st.lists(st.fixed_dictionaries(
                {"id": st.sampled_from([7001, 7002, 1762, 5001, 1743, 2])},
                optional={
                    "campaigns": st.lists(st.fixed_dictionaries(
                        {"type": st.sampled_from(["loyalty", "cashback", "signup", "wallet", "points_wallet", "interaction"])},
                        optional={"id": st.sampled_from([7001001, 7001100, 7001101, 7002100, 5001010, 2013]),
                                  "levels": st.lists(st.fixed_dictionaries({"name": st.sampled_from(["A", "B"]), "points": st.sampled_from([0, 5, 500])}), max_size=3),
                                  "assignment_count": st.sampled_from([0, 3, 600]), "active_date_until": st.sampled_from(["2023-12-01T00:00:00Z", None]),
                                  "active_date_from": st.sampled_from(["2024-06-01T00:00:00+02:00", None]), "bogus": draw_value}),
                        max_size=3),
                    "users": st.lists(st.fixed_dictionaries({}, optional={
                        "user_id": st.sampled_from([700101, 700201, 500101, 700100, 176201]), "points": st.sampled_from([0, 251, 2000]),
                        "member_number": st.sampled_from(["M-1", "M-2"]),
                        "balances": st.dictionaries(st.sampled_from([7001001, 7001002, 7001100, 859, 238]), st.integers(0, 50), max_size=2),
                        "awards": st.dictionaries(st.sampled_from([7001101, 7001100, 2013]), st.integers(0, 5), max_size=2)}), max_size=3),
                    "generated_users": st.integers(0, 3),
                }), max_size=3)}),
            "levelup": st.fixed_dictionaries({}, optional={
                "campaigns": st.lists(st.fixed_dictionaries({"id": st.sampled_from([9001, 9002, 20, 30201]), "kind": st.sampled_from(sorted(LEVELUP_KINDS))},
                                                            optional={"required": st.sampled_from([1, 10, 10000])}), max_size=2),
                "users": st.lists(st.fixed_dictionaries({"user_id": st.sampled_from([9101, 9102, 981])},
                                                        optional={"token": st.sampled_from(["t1", "t2"]), "progress": st.dictionaries(st.sampled_from([9001, 20, 9999]), st.integers(0, 20000), max_size=2)}), max_size=2),
            }),
        },
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.one_of(_VALUES, _shaped(_VALUES)), st.one_of(_VALUES, _shaped(_SCALARS)))
def test_any_yaml_loads_or_raises_scenario_error(tmp_path, first, second):
    paths = [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    for path, data in zip(paths, (first, second)):
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    try:
        scenarios = load_scenarios(paths)
        world = build_world(0, scenarios=scenarios, chains=1, users_per_chain=1, merchants=1, levelup_users=1)
    except ScenarioError as e:
        # A file's own fault, named by file:line. Never a consistency refusal: these values set
        # no reference, date pair or flag verbatim, so a refused world would be the generator
        # breaking a rule (build_world refuses what findings() reports, so asserting findings
        # on a built world could never fail).
        assert "breaks the consistency rules" not in str(e), str(e)
        assert re.match(rf"^{re.escape(str(tmp_path))}/[ab]\.yaml:\d+: (\$|YAML)", str(e)) or re.match(rf"^{re.escape(str(tmp_path))}/[ab]\.yaml(, \S+\.yaml)*: ", str(e)), str(e)
        return
    ids = [c["id"] for chain in world.spaaza.chains.values() for c in (*chain.campaigns, *chain.unlisted)]
    assert len(ids) == len(set(ids))


# Fields a scenario sets verbatim pass the schema, yet can break a consistency rule: the
# world is refused whole, naming file:line of the declaration, the rule and the campaign.
INCONSISTENT = {
    "dangling wallet reference": ("campaigns: [{type: cashback, id: 7001100, recipient_campaign_id: 999999}]", 4, r"campaigns\[0\]", "wallet reference: campaign 7001100"),
    "another chain's wallet": ("campaigns: [{type: cashback, id: 7001100, recipient_campaign_id: 859}]", 4, r"campaigns\[0\]", "wallet reference: campaign 7001100"),
    "created after modified": ('campaigns: [{type: signup, id: 7001100, created_date: "2023-01-01T00:00:00+00:00", last_modified_date: "2020-01-01T00:00:00+00:00"}]', 4, r"campaigns\[0\]", "dates: campaign 7001100"),
    "is_active but inactive": ("campaigns: [{type: signup, id: 7001100, active: false, is_active: true}]", 4, r"campaigns\[0\]", "activity: campaign 7001100"),
    "created before its wallet": ('campaigns: [{type: points_wallet, id: 7001001, created_date: "2023-06-01T00:00:00+00:00", last_modified_date: "2023-06-01T00:00:00+00:00"}, {type: cashback, id: 7001100, created_date: "2022-01-01T00:00:00+00:00"}]', 4, r"campaigns\[1\]", "creation order: campaign 7001100: recipient_campaign_id 7001001"),
    "created after the clock": ('campaigns: [{type: signup, id: 7001100, created_date: "2024-06-01T00:00:00+00:00", last_modified_date: "2024-06-01T00:00:00+00:00"}]', 4, r"campaigns\[0\]", "after the clock: campaign 7001100"),
    "text contradicts the reward": ('campaigns: [{type: signup, id: 7001100, recipient_reward_method: voucher, recipient_reward_amount: 5, title: "Get 15 off"}]', 4, r"campaigns\[0\]", "texts: campaign 7001100"),
    "signup awarded twice": ("campaigns: [{type: signup, id: 7001100}]\n      users: [{user_id: 700101, awards: {7001100: 2}}]", 5, r'users\[0\]\.awards\["7001100"\]', "award limit: user 700101 campaign 7001100"),
    "awarded before it starts": ('campaigns: [{type: login, id: 7001100, max_reward_quantity: null, active_date_from: "2024-02-01T00:00:00+00:00"}]\n      users: [{user_id: 700101, awards: {7001100: 1}}]', 5, r'users\[0\]\.awards\["7001100"\]', "not started: user 700101 campaign 7001100"),
}


@pytest.mark.parametrize("campaigns, line, path_in_file, says", INCONSISTENT.values(), ids=INCONSISTENT.keys())
def test_a_scenario_that_breaks_a_consistency_rule_is_refused(tmp_path, campaigns, line, path_in_file, says):
    path = write(tmp_path, "odd.yaml", f"spaaza:\n  chains:\n    - id: 7001\n      {campaigns}\n")
    scenarios = load_scenarios([path])
    where = rf"^{re.escape(str(path))}:{line}: \$\.spaaza\.chains\[0\]\.{path_in_file}: "
    with pytest.raises(ScenarioError, match=rf"{where}the world this describes breaks a consistency rule: {says}"):
        build_world(0, scenarios=scenarios)


def test_levelup_progress_past_a_documented_requirement_is_refused(tmp_path):
    # 286's gift-card representation requires 500 cents: loyalty progress resets before that.
    path = write(tmp_path, "far.yaml", "levelup:\n  users:\n    - {user_id: 9101, progress: {286: 2500}}\n")
    with pytest.raises(ScenarioError, match="loyalty progress: campaign 286 spend_based_gift_card_loyalty_v1 user 9101: progress 2500"):
        build_world(0, scenarios=load_scenarios([path]))


def test_a_deleted_campaign_is_not_listed(tmp_path):
    path = write(tmp_path, "deleted.yaml", "spaaza:\n  chains:\n    - id: 7001\n      campaigns: [{type: signup, id: 7001100, is_deleted: true}, {type: cashback, id: 7001101}]\n")
    chain = build_world(0, scenarios=load_scenarios([path])).spaaza.chains[7001]
    assert 7001100 not in {c["id"] for c in chain.campaigns} and 7001101 in {c["id"] for c in chain.campaigns}
    assert [c["id"] for c in chain.unlisted] == [7001100]


def test_a_scenario_username_is_what_the_mock_takes_for_one():
    from campaign_mock.contract.facts import USERNAME_PATTERN

    assert schema()["$defs"]["user"]["properties"]["username"]["pattern"] == USERNAME_PATTERN


def test_the_format_example_in_the_loader_docstring_loads(tmp_path):
    import campaign_mock.scenario as scenario_module

    doc = scenario_module.__doc__
    example = textwrap.dedent(doc[doc.index("::\n") + 3:doc.index("Every chain gets")])
    path = write(tmp_path, "docstring.yaml", example.replace('session_key: "..."', 'session_key: "k-700101"'))
    world = build_world(0, scenarios=load_scenarios([path]))
    assert world.spaaza.progress[(700101, 7001200)]["award_count"] == 1


def test_a_scenario_last_modified_date_carries_last_updated_date(tmp_path):
    path = write(tmp_path, "dates.yaml", 'spaaza:\n  chains:\n    - id: 7001\n      campaigns: [{type: cashback, id: 7001100, created_date: "2022-01-01T00:00:00+00:00", last_modified_date: "2023-01-01T00:00:00+00:00"}]\n')
    c = campaign(build_world(0, scenarios=load_scenarios([path])), 7001, 7001100)
    assert c["last_updated_date"] == c["last_modified_date"] == "2023-01-01T00:00:00+00:00"


def test_the_users_per_chain_limit_is_one_fact():
    from campaign_mock.world.specs import EDITOR_SUFFIX, MAX_USERS_PER_CHAIN

    assert schema()["$defs"]["chain"]["properties"]["generated_users"]["maximum"] == MAX_USERS_PER_CHAIN < EDITOR_SUFFIX


def test_a_clock_before_the_documented_campaigns_is_refused_at_the_clock(tmp_path):
    path = write(tmp_path, "early.yaml", 'clock: "2019-01-01T00:00:00+00:00"\n')
    with pytest.raises(ScenarioError, match=rf"^{re.escape(str(path))}:1: \$\.clock: the world this describes breaks a consistency rule: after the clock: campaign \d+"):
        build_world(0, scenarios=load_scenarios([path]))
