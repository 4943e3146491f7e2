"""The admin API's own OpenAPI document: a valid 3.1 document, separate from the vendors'
contract, and in step with what the code returns."""

from __future__ import annotations

import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from campaign_mock.contract import load_contract
from campaign_mock.contract.files import admin_spec_path, spec_path
from campaign_mock.runtime.coverage import coverage_report, dimensions


def _spec() -> dict:
    return yaml.safe_load(admin_spec_path().read_text(encoding="utf-8"))


def test_it_is_valid_openapi_3_1():
    spec = _spec()
    validate(spec, base_uri=admin_spec_path().as_uri())
    assert spec["openapi"].startswith("3.1")


def test_it_describes_only_the_admin_prefix_and_the_vendor_contract_none_of_it():
    assert admin_spec_path().parent == spec_path().parent
    assert all(p.startswith("/__mock/") for p in _spec()["paths"])
    assert not any(p.startswith("/__mock") for p in load_contract().spec["paths"])


def test_a_coverage_report_fits_its_schema():
    schema = _spec()["components"]["schemas"]["Coverage"]
    assert schema["properties"]["dimensions"]["required"] == [d.name for d in dimensions()]
    report = coverage_report([{"operation": "getCampaigns", "status": 200, "error": None, "facts": {"campaign_types": ["loyalty"]}}])
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(report)
    broken = {**report, "percent": "12%"}
    assert list(Draft202012Validator(schema).iter_errors(broken))  # the schema can fail


def test_a_fault_names_the_operations_of_the_vendor_contract():
    from campaign_mock.contract.validate import operation_ids

    assert _spec()["components"]["schemas"]["FaultInput"]["properties"]["operation"]["enum"] == operation_ids()


def test_the_clock_years_it_documents_are_those_accepted():
    from campaign_mock.world.specs import CLOCK_YEARS

    now = _spec()["paths"]["/__mock/ns/{namespace}/clock"]["put"]["requestBody"]["content"]["application/json"]["schema"]["properties"]["now"]
    assert f"years {CLOCK_YEARS.start} to {CLOCK_YEARS.stop - 1}" in now["description"], now["description"]
