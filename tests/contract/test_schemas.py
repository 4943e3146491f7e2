"""The JSON Schemas in schemas/ against the vendor documentation (tests/data/seeds/).

Every documented example must validate; every mutation below must be rejected.
Real files only: the schemas are loaded from disk, the examples parsed from the seed text.
"""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from seed_examples import documented_examples, documented_spaaza_errors

from campaign_mock.contract.validate import LEVELUP_REPRESENTATIONS as REPRESENTATION_SCHEMAS

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas"
SEEDS = ROOT / "tests" / "data" / "seeds"

EXPECTED_FILES = {
    "common.json", "spaaza-envelope-ok.json", "spaaza-warning.json", "spaaza-error.json", "spaaza-currency.json",
    "spaaza-styling.json", "spaaza-loyalty-level.json", "spaaza-loyalty-rule.json", "spaaza-campaign-rule.json",
    "spaaza-campaign-assignment.json", "spaaza-user-progress.json", "spaaza-campaign.json",
    "spaaza-get-campaigns.json", "spaaza-get-campaign.json", "levelup-errors.json", *REPRESENTATION_SCHEMAS.values(),
}


def _schema_files() -> list[Path]:
    return sorted(SCHEMAS.glob("*.json"))


@functools.cache
def registry() -> Registry:
    resources = []
    for path in _schema_files():
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents.get("$id", path.name),
                          Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources).crawl()


@functools.cache
def validator(ref: str) -> Draft202012Validator:
    """Validator for 'file.json' or 'file.json#/$defs/x'."""
    return Draft202012Validator({"$ref": ref}, registry=registry(),
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(ref: str, instance) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(ref).iter_errors(instance)]


def load(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def campaign(doc: dict, campaign_id: int) -> dict:
    return next(c for c in doc["results"]["campaigns"] if c["id"] == campaign_id)


# ------------------------------------------------------------------ the files themselves

def test_expected_files_exist():
    present = {p.name for p in _schema_files()}
    assert EXPECTED_FILES <= present, EXPECTED_FILES - present


@pytest.mark.parametrize("path", _schema_files(), ids=lambda p: p.name)
def test_schema_is_valid_2020_12_with_bare_id(path):
    contents = json.loads(path.read_text(encoding="utf-8"))
    if path.name in EXPECTED_FILES or "$schema" in contents:
        assert contents["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    if path.name in EXPECTED_FILES or "$id" in contents:
        assert contents["$id"] == path.name  # relative refs resolve against a bare-filename $id
    Draft202012Validator.check_schema(contents)


@pytest.mark.parametrize("path", _schema_files(), ids=lambda p: p.name)
def test_every_ref_resolves(path):
    contents = json.loads(path.read_text(encoding="utf-8"))
    resolver = registry().resolver(base_uri=contents.get("$id", path.name))

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    assert not re.match(r"^[a-z]+://", value), f"absolute $ref {value}"
                    resolver.lookup(value)  # raises Unresolvable
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(contents)


# ------------------------------------------------------------------ documented examples validate

def test_documented_get_campaigns_example_validates():
    doc = documented_examples()["spaaza_get_campaigns"]
    assert len(doc["results"]["campaigns"]) == 8
    assert errors("spaaza-get-campaigns.json", doc) == []


@pytest.mark.parametrize("representation", sorted(REPRESENTATION_SCHEMAS))
def test_documented_levelup_example_validates(representation):
    _campaign_id, body = documented_examples()["levelup"][representation]
    assert errors(REPRESENTATION_SCHEMAS[representation], body) == []


@pytest.mark.parametrize("representation", sorted(REPRESENTATION_SCHEMAS))
def test_a_documented_levelup_body_fits_no_other_representation(representation):
    """The representation schemas are exact (closed), so serving the wrong one is caught."""
    body = documented_examples()["levelup"][representation][1]
    fitting = [rep for rep, ref in REPRESENTATION_SCHEMAS.items() if not errors(ref, body)]
    assert fitting == [representation]


@pytest.mark.parametrize("kind, campaign_id", [("standard", 2011), ("loyalty", 809), ("wallet", 859)])
def test_documented_user_progress_validates_in_a_fitting_campaign(kind, campaign_id):
    ex = documented_examples()
    progress = ex[f"user_progress_{kind}"]
    assert errors(f"spaaza-user-progress.json#/$defs/{kind}", progress) == []
    doc = ex["spaaza_get_campaigns"]
    campaign(doc, campaign_id)["user_progress"] = progress
    assert errors("spaaza-get-campaigns.json", doc) == []
    assert errors("spaaza-campaign.json", campaign(doc, campaign_id)) == []


@pytest.mark.parametrize("kind", ["standard", "loyalty", "wallet"])
def test_user_progress_schema_examples_are_the_documented_ones(kind):
    assert load("spaaza-user-progress.json")["$defs"][kind]["examples"] == [documented_examples()[f"user_progress_{kind}"]]


def test_get_campaign_body_holds_one_documented_campaign():
    doc = documented_examples()["spaaza_get_campaigns"]
    one = campaign(doc, 2011)
    one["user_progress"] = documented_examples()["user_progress_standard"]
    body = {"result": {"code": 1, "status": "ok"}, "results": {"campaign": one, "result_type": "get-campaign"}}
    assert errors("spaaza-get-campaign.json", body) == []
    body["results"]["result_type"] = "get-campaigns"
    assert errors("spaaza-get-campaign.json", body)


def test_documented_warning_validates_on_a_200():
    doc = documented_examples()["spaaza_get_campaigns"]
    doc["warnings"] = [{"code": 1001, "name": "objects_exceed_maximum_quantity",
                        "description": "The number of objects exceeds the maximum quantity that can be shown.",
                        "message": {}}]
    assert errors("spaaza-get-campaigns.json", doc) == []


def test_full_campaign_rules_and_assignments_validate():
    doc = documented_examples()["spaaza_get_campaigns"]
    c = campaign(doc, 2011)
    c["campaign_rules"] = [{"id": 1, "campaign_id": 2011, "rule_type": "min_spend", "value": "10.00"}]
    c["campaign_assignments"] = [{"id": 7, "campaign_id": 2011, "entity_type": "chain", "entity_id": 1762}]
    assert errors("spaaza-get-campaigns.json", doc) == []


def test_item_purchase_count_current_count_is_shaped():
    doc = documented_examples()["spaaza_get_campaigns"]
    c = campaign(doc, 2008)
    c["type"] = "item_purchase_count"
    c["current_count"] = 3
    assert errors("spaaza-campaign.json", c) == []
    c["current_count"] = -1
    assert errors("spaaza-campaign.json", c)


# ------------------------------------------------------------------ facts computed from the docs

def test_campaign_required_fields_are_those_of_all_eight_documented_campaigns():
    campaigns = documented_examples()["spaaza_get_campaigns"]["results"]["campaigns"]
    common = set.intersection(*(set(c) for c in campaigns))
    assert set(load("spaaza-campaign.json")["required"]) == common


def test_campaign_type_enum_is_the_union_of_both_documented_lists():
    text = (SEEDS / "003_e8c34ac7eed7c8e0.txt").read_text(encoding="utf-8")
    rows = re.findall(r"^campaign_type\*? \|(.*)$", text, re.M)
    assert len(rows) == 2
    documented = set()
    for row in rows:
        listed = re.search(r"(?:one of|separated by commas) (.*?)\. If this field", row).group(1)
        documented |= set(re.findall(r"[a-z_]+", listed)) - {"and", "or"}
    enum = load("spaaza-campaign.json")["$defs"]["campaign_type"]["enum"]
    assert len(enum) == 19 == len(set(enum))
    assert set(enum) == documented


def test_user_progress_type_sets_match_the_user_progress_page():
    defs = load("spaaza-campaign.json")["$defs"]
    text = (SEEDS / "000_7b7403723b20141f.txt").read_text(encoding="utf-8")
    std = re.search(r"campaign types (.*?)\. The standard", text).group(1)
    assert set(defs["progress_standard_types"]["enum"]) == set(re.findall(r"[a-z_]+", std.replace(" and ", " "))) - {"and"}
    assert defs["progress_loyalty_types"]["enum"] == ["loyalty"]
    assert set(defs["progress_wallet_types"]["enum"]) == {"points_wallet", "wallet"}


# ------------------------------------------------------------------ the error catalogue

def _error_body(code: int, name: str, description: str = "whatever") -> dict:
    return {"result": {"code": 2, "status": "error"}, "error": {"code": code, "name": name, "description": description}}


def test_catalogue_is_the_documented_table_in_order():
    entries = load("spaaza-error.json")["$defs"]["catalogue"]["oneOf"]
    got = [(e["properties"]["code"]["const"], e["properties"]["name"]["const"], e["x-description"], e["x-http-status"])
           for e in entries]
    assert got == list(documented_spaaza_errors())
    assert len(got) == 20
    assert all(e["title"] == e["properties"]["name"]["const"] for e in entries)


@pytest.mark.parametrize("entry", load("spaaza-error.json")["$defs"]["catalogue"]["oneOf"], ids=lambda e: e["title"])
def test_catalogue_entry_is_a_valid_error_body_with_its_status(entry):
    code, name = entry["properties"]["code"]["const"], entry["properties"]["name"]["const"]
    body = _error_body(code, name, entry["x-description"])
    assert errors("spaaza-error.json", body) == []
    for status in (400, 401, 404, 500):
        verdict = errors(f"spaaza-error.json#/$defs/status_{status}", body)
        assert (verdict == []) == (status == entry["x-http-status"]), (status, verdict)


@pytest.mark.parametrize("code, status", [(68, 500), (246, 404), (6, 401), (217, 400)])
def test_documented_statuses(code, status):
    entries = load("spaaza-error.json")["$defs"]["catalogue"]["oneOf"]
    assert next(e["x-http-status"] for e in entries if e["properties"]["code"]["const"] == code) == status


@pytest.mark.parametrize("status", [400, 401, 404, 500])
def test_get_campaigns_errors_exclude_the_campaign_id_codes(status):
    defs = load("spaaza-error.json")["$defs"]
    codes = set(defs[f"get_campaigns_{status}"]["allOf"][1]["properties"]["error"]["properties"]["code"]["enum"])
    everything = set(defs[f"status_{status}"]["allOf"][1]["properties"]["error"]["properties"]["code"]["enum"])
    assert codes == everything - {245, 246, 247, 449}


def test_warning_catalogue_records_our_code_choice():
    schema = load("spaaza-warning.json")
    (entry,) = schema["$defs"]["catalogue"]["oneOf"]
    assert entry["properties"]["name"]["const"] == "objects_exceed_maximum_quantity"
    assert entry["x-code"] == 1001
    assert "undocumented" in schema["$comment"].lower() or "no code number" in schema["$comment"].lower()


# ------------------------------------------------------------------ mutations that must be rejected

def _gc():
    return documented_examples()["spaaza_get_campaigns"]


def _m_id_as_string():
    doc = _gc(); doc["results"]["campaigns"][0]["id"] = "2013"; return "spaaza-get-campaigns.json", doc


def _m_missing_required():
    doc = _gc(); del doc["results"]["campaigns"][3]["title"]; return "spaaza-get-campaigns.json", doc


def _m_missing_result_type():
    doc = _gc(); del doc["results"]["result_type"]; return "spaaza-get-campaigns.json", doc


def _m_unknown_type():
    doc = _gc(); campaign(doc, 2008)["type"] = "lottery"; return "spaaza-get-campaigns.json", doc


def _m_loyalty_progress_on_cashback():
    doc = _gc(); campaign(doc, 2011)["user_progress"] = documented_examples()["user_progress_loyalty"]
    return "spaaza-get-campaigns.json", doc


def _m_standard_progress_on_content():
    doc = _gc(); c = campaign(doc, 2008); c["type"] = "content"
    assert errors("spaaza-campaign.json", c) == []  # a content campaign without progress is fine
    c["user_progress"] = documented_examples()["user_progress_standard"]
    return "spaaza-get-campaigns.json", doc


def _m_wallet_progress_missing_currency():
    doc = _gc(); p = documented_examples()["user_progress_wallet"]; del p["currency"]
    campaign(doc, 859)["user_progress"] = p; return "spaaza-get-campaigns.json", doc


def _m_error_name_not_fitting_code():
    return "spaaza-error.json", _error_body(6, "user_not_found")


def _m_401_carrying_217():
    return "spaaza-error.json#/$defs/status_401", _error_body(217, "chain_id_not_found")


def _m_get_campaigns_400_carrying_245():
    return "spaaza-error.json#/$defs/get_campaigns_400", _error_body(245, "campaign_id_not_present")


def _m_naive_date_time():
    doc = _gc(); doc["results"]["campaigns"][0]["created_date"] = "2022-05-31T19:47:34"
    return "spaaza-get-campaigns.json", doc


def _m_levelup_naive_date_time():
    body = documented_examples()["levelup"]["custom_progress_based_v1"][1]
    body["campaign"]["opens_at"] = "2022-09-14T16:45:06"
    return "levelup-custom-progress-based-v1.json", body


def _m_levelup_money_float():
    body = documented_examples()["levelup"]["spend_based_loyalty_v1"][1]
    body["campaign"]["earn_amount"] = 10.5
    return "levelup-spend-based-loyalty-v1.json", body


def _m_levelup_missing_field():
    body = documented_examples()["levelup"]["visit_based_loyalty_v1"][1]
    del body["campaign"]["qualifying_order_spend_amount"]
    return "levelup-visit-based-loyalty-v1.json", body


def _m_levelup_error_missing_message():
    return "levelup-errors.json", [{"error": {"code": "not_found", "object": "campaign", "property": None}}]


def _m_levelup_errors_empty():
    return "levelup-errors.json", []


def _m_goal_amount_number():
    doc = _gc(); campaign(doc, 868)["goal_amount"] = 150; return "spaaza-get-campaigns.json", doc


def _m_loyalty_without_rules():
    doc = _gc(); del campaign(doc, 809)["loyalty_rules"]; return "spaaza-get-campaigns.json", doc


def _m_points_tracker_rule_without_direction():
    doc = _gc(); del campaign(doc, 809)["loyalty_rules"][1]["direction"]; return "spaaza-get-campaigns.json", doc


def _m_unknown_warning():
    doc = _gc(); doc["warnings"] = [{"code": 1, "name": "made_up", "description": "x", "message": {}}]
    return "spaaza-get-campaigns.json", doc


def _m_result_code_not_ok():
    doc = _gc(); doc["result"]["code"] = 2; return "spaaza-get-campaigns.json", doc


MUTATIONS = [_m_id_as_string, _m_missing_required, _m_missing_result_type, _m_unknown_type,
             _m_loyalty_progress_on_cashback, _m_standard_progress_on_content, _m_wallet_progress_missing_currency,
             _m_error_name_not_fitting_code, _m_401_carrying_217, _m_get_campaigns_400_carrying_245,
             _m_naive_date_time, _m_levelup_naive_date_time, _m_levelup_money_float, _m_levelup_missing_field,
             _m_levelup_error_missing_message, _m_levelup_errors_empty, _m_goal_amount_number,
             _m_loyalty_without_rules, _m_points_tracker_rule_without_direction, _m_unknown_warning,
             _m_result_code_not_ok]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda f: f.__name__[3:])
def test_mutation_is_rejected(mutation):
    ref, instance = mutation()
    assert errors(ref, instance), f"{mutation.__name__} was accepted by {ref}"


def test_styling_accepts_both_null_spellings():
    doc = _gc()
    assert campaign(doc, 2013)["styling"]["text_colour"] == "null"
    assert campaign(doc, 868)["styling"]["text_colour"] is None
    assert errors("spaaza-styling.json", campaign(doc, 2013)["styling"]) == []
    assert errors("spaaza-styling.json", campaign(doc, 868)["styling"]) == []
