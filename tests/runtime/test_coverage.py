"""Business coverage from hand-made journal entries that follow runtime-interface.md."""

from __future__ import annotations

import json

from campaign_mock.contract import load_contract
from campaign_mock.contract.catalogue import spaaza_errors
from campaign_mock.runtime.coverage import coverage_report, dimensions, format_table, merge_reports


def entry(operation="getCampaigns", status=200, error=None, **facts):
    base = {"api_version": None, "campaign_types": [], "progress_formats": [], "representation": None}
    return {"seq": 1, "method": "GET", "path": "/get-campaigns", "query": {}, "status": status, "operation": operation, "error": error, "facts": {**base, **facts}}


def test_every_list_comes_from_the_contract():
    d = {x.name: x.items for x in dimensions()}
    contract = load_contract()
    assert len(d["operations"]) == 10 and "getCampaigns" in d["operations"]
    assert d["spaaza_errors"] == tuple(str(c) for c in spaaza_errors()) and len(d["spaaza_errors"]) == 20
    assert d["campaign_types"] == contract.campaign_types and len(d["campaign_types"]) == 19
    assert d["progress_formats"] == ("standard", "loyalty", "wallet")
    assert len(d["representations"]) == 7
    # The documented LevelUp statuses are 401 and 404: the refusals that answer with them.
    assert set(d["levelup_errors"]) == {"missing_token", "invalid_token", "permission_missing", "not_found"}
    assert d["api_versions"] == ("<1.4.11", ">=1.4.11,<1.5.0", ">=1.5.0")


def test_counts_what_the_entries_reached():
    entries = [
        entry(api_version="1.4.11", campaign_types=["loyalty", "wallet"], progress_formats=["loyalty"]),
        entry(api_version="1.5.0", campaign_types=["loyalty"]),
        entry(status=404, error=217, api_version="1.0.0"),
        entry("getCampaignBasicV1", 401, "permission_missing"),
        entry("getCampaignBasicV1", 200, representation="basic_v1"),
        entry(None, 404, "not_found"),  # an unknown LevelUp path: a refusal, no operation
    ]
    report = coverage_report(entries)
    dims = report["dimensions"]
    assert report["requests"] == 6
    assert dims["operations"]["counts"]["getCampaigns"] == 3 and dims["operations"]["counts"]["getCampaignBasicV1"] == 2
    assert dims["operations"]["covered"] == 2 and "getCampaign" in dims["operations"]["missing"]
    assert dims["spaaza_errors"]["counts"]["217"] == 1 and dims["spaaza_errors"]["covered"] == 1
    assert dims["levelup_errors"]["counts"] == {"missing_token": 0, "invalid_token": 0, "permission_missing": 1, "not_found": 1}
    assert dims["campaign_types"]["counts"]["loyalty"] == 2 and dims["campaign_types"]["counts"]["wallet"] == 1
    assert dims["progress_formats"]["missing"] == ["standard", "wallet"]
    assert dims["representations"]["covered"] == 1
    assert dims["api_versions"]["counts"] == {"<1.4.11": 1, ">=1.4.11,<1.5.0": 1, ">=1.5.0": 1}
    assert report["covered"] == sum(d["covered"] for d in dims.values())
    assert report["total"] == sum(d["total"] for d in dims.values()) == 10 + 20 + 4 + 19 + 3 + 7 + 3
    assert report["percent"] == round(100 * report["covered"] / report["total"], 1)
    json.dumps(report)  # JSON-ready as it is


def test_undocumented_values_are_no_coverage():
    report = coverage_report([entry("noSuchOperation", 400, 99999, campaign_types=["teleport"], api_version="banana", representation="x_v9"), {"method": "GET"}])
    assert report["requests"] == 2 and report["covered"] == 0 and report["percent"] == 0.0


def test_a_spaaza_code_sent_as_text_counts_as_the_code():
    assert coverage_report([entry(status=404, error="217")])["dimensions"]["spaaza_errors"]["counts"]["217"] == 1


def test_reports_merge_by_adding_counts():
    a = coverage_report([entry(campaign_types=["loyalty"])], dropped=2)
    b = coverage_report([entry(campaign_types=["loyalty", "wallet"]), entry(status=404, error=217)])
    merged = merge_reports([a, b])
    assert merged == coverage_report([entry(campaign_types=["loyalty"]), entry(campaign_types=["loyalty", "wallet"]), entry(status=404, error=217)], dropped=2)
    assert merge_reports([]) == coverage_report([])


def test_the_table_names_what_was_never_reached():
    lines = format_table(coverage_report([entry(progress_formats=["loyalty", "standard"])], dropped=3))
    assert lines[0] == "campaign-mock business coverage of 1 request(s) (3 dropped by the journal, not counted)"
    progress = next(line for line in lines if "user_progress formats" in line)
    assert "2/3" in progress and progress.endswith("never: wallet")
    assert lines[-1].split()[0] == "total"
