"""Contract variations (contract/variations.py): every variation x every operation, on the
committed fixture answers (200s and error bodies): the varied answer validates against the
operation's schema, passes every domain rule `campaign-mock check` runs, and differs from the
unvaried one exactly where the catalogue says the variation changes the operation."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
from requests.structures import CaseInsensitiveDict

from campaign_mock.check.exchange import Exchange
from campaign_mock.check.rules import RULES
from campaign_mock.contract import variations as V
from campaign_mock.contract.facts import MAX_ASSIGNMENTS_SHOWN
from campaign_mock.contract.operations import is_levelup, operation_of, operations
from campaign_mock.contract.validate import schema_for_operation, violations
from campaign_mock.exceptions import InputError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "default"
PER_ANSWER_KIND = 2  # Spaaza bodies per (operation, status): the largest and the first showing assignments


@cache
def samples() -> dict[tuple[str, int], list[tuple[dict, object]]]:
    """(operation, status) -> [(the manifest's request, body)] of the committed fixtures: a few
    per kind, those with the most to vary (forced errors the operation cannot give left out)."""
    files: dict[tuple[str, int], dict[str, dict]] = defaultdict(dict)
    for f in json.loads((FIXTURES / "manifest.json").read_text())["files"]:
        files[(operation_of(f["request"]["path"]), f["status"])].setdefault(f["file"], f["request"])
    out = {}
    for (op, status), found in files.items():
        texts = sorted(((request, (FIXTURES / file).read_text()) for file, request in sorted(found.items())), key=lambda rt: -len(rt[1]))
        if not is_levelup(texts[0][0]["path"]):  # (LevelUp's are small: all of them)
            texts = texts[: PER_ANSWER_KIND - 1] + [rt for rt in texts if "campaign_assignments" in rt[1]][:1]
        chosen = [(r, b) for r, b in ((r, json.loads(t)) for r, t in texts) if not violations(schema_for_operation(op, b), b)]
        if chosen:
            out[(op, status)] = chosen
    # The internal listing answers as get-campaigns does (one schema); its one fixture shows
    # no assignments, get-campaigns' do.
    assert V.operation_schemas()["getCampaignsInternal"]["200"] == V.operation_schemas()["getCampaigns"]["200"]
    out[("getCampaignsInternal", 200)] += out[("getCampaigns", 200)]
    return out


def domain_problems(request: dict, status: int, body: object) -> list[str]:
    ex = Exchange("GET", request["path"], request["query"], CaseInsensitiveDict(request["headers"]), status, body)
    return [f"{name}: {p}" for name, rule in RULES.items() for p in rule(ex)]


def test_the_samples_cover_every_operation_and_error_bodies():
    kinds = samples()
    assert {op for op, _ in kinds} == operations()
    assert {status for _, status in kinds} >= {200, 400, 401, 404, 500}


@pytest.mark.parametrize("name", list(V.VARIATIONS))
def test_every_variation_keeps_every_answer_the_contract(name):
    differs: dict[tuple[str, int], bool] = {}
    for (op, status), bodies in sorted(samples().items()):
        for request, body in bodies:
            # random: two seeds, more while a small body (an error) shows no change yet
            for seed in (0, 7, 1, 2, 3, 4, 5) if name == "random" else (0,):
                if seed not in (0, 7) and differs.get((op, status)):
                    break
                varied = V.vary_answer(op, status, body, name, seed)
                assert violations(schema_for_operation(op, varied), varied) == [], (op, status, request)
                assert domain_problems(request, status, varied) == [], (op, status, request)
                differs[(op, status)] = differs.get((op, status), False) or varied != body
    # Where the catalogue says it changes an operation's answers, it does; nowhere else.
    for (op, status), changed in differs.items():
        assert changed == V.changes(name, op, str(status)), f"{name} on {op} {status}: changed {changed}, catalogue {V.changes(name, op, str(status))}"


def test_full_page_gives_exactly_the_limit_and_no_warning():
    request, body = next(rb for rb in samples()[("getCampaigns", 200)] if "campaign_assignments" in json.dumps(rb[1]))
    varied = V.vary_answer("getCampaigns", 200, body, "full-page")
    campaigns = varied["results"]["campaigns"]
    assert sum(len(c.get("campaign_assignments", ())) for c in campaigns) == MAX_ASSIGNMENTS_SHOWN
    assert sum(c["assignment_count"] for c in campaigns) == MAX_ASSIGNMENTS_SHOWN
    assert "warnings" not in varied
    # One more would be the warning and none shown: the domain rule says so.
    one_more = json.loads(json.dumps(varied))
    holder = next(c for c in one_more["results"]["campaigns"] if c.get("campaign_assignments"))
    holder["campaign_assignments"].append({"id": 10**9, "campaign_id": holder["id"]})
    holder["assignment_count"] += 1
    assert any("assignments_limit" in p for p in domain_problems(request, 200, one_more))


def test_what_each_variation_does_to_a_campaign():
    body = json.loads((FIXTURES / "spaaza/chain-1762/get-campaigns/admin/v1.4.10.json").read_text())  # the documented chain
    base = body["results"]["campaigns"]
    seen = {name: list(V.changed_paths(body, V.vary_answer("getCampaigns", 200, body, name))) for name in V.VARIATIONS}
    assert all(after is V.DELETE for _, _, after in seen["optional-absent"])
    assert all(after is None for _, _, after in seen["nullable-null"])
    assert all(before is V.DELETE and path[-1].startswith("x_added_") for path, before, _ in seen["unknown-fields"])
    assert all(isinstance(after, str) and len(after) == V.LONG_TEXT for _, _, after in seen["long-texts"])
    assert all(isinstance(after, str) and not after.isascii() for _, _, after in seen["unicode-texts"])
    assert all(path[-1] not in V.KEPT for name in V.VARIATIONS if name != "full-page" for path, _, _ in seen[name] if path[-1] != "campaigns")
    # every-enum: each value of a rotated enum appears (a campaign's ordering keys untouched)
    assert [c["id"] for c in V.vary_answer("getCampaigns", 200, body, "every-enum")["results"]["campaigns"]] == [c["id"] for c in base]


def test_closed_objects_get_no_unknown_fields():
    for (op, status), bodies in samples().items():
        if op.startswith("getCampaign") and op not in ("getCampaign", "getCampaigns", "getCampaignsInternal") and status == 200:
            for _, body in bodies:
                assert V.vary_answer(op, status, body, "unknown-fields") == body


def test_bad_names_and_seeds_are_refused():
    with pytest.raises(InputError, match="known: optional-absent") as refused:
        V.vary({}, ("spaaza-get-campaigns.json", ""), "nope", 0)
    assert refused.value.field == "name"
    for bad in (-1, 2**31, True, "3", 1.5, None):
        with pytest.raises(InputError, match="seed must be an integer") as refused:
            V.check_seed(bad)
        assert refused.value.field == "seed"


def test_same_name_and_seed_same_bytes_in_another_process():
    (_, body), *_ = samples()[("getCampaigns", 200)]
    mine = {name: json.dumps(V.vary_answer("getCampaigns", 200, body, name, 3)) for name in ("random", "every-enum", "boundary-numbers")}
    code = (
        "import json, sys; from campaign_mock.contract import variations as V; body = json.loads(sys.stdin.read());"
        "print(json.dumps({n: json.dumps(V.vary_answer('getCampaigns', 200, body, n, 3)) for n in ('random', 'every-enum', 'boundary-numbers')}))"
    )
    theirs = json.loads(subprocess.run([sys.executable, "-c", code], input=json.dumps(body), capture_output=True, text=True, check=True, env={"PYTHONHASHSEED": "123", "PATH": ""}).stdout)
    assert theirs == mine
    assert V.vary_answer("getCampaigns", 200, body, "random", 4) != V.vary_answer("getCampaigns", 200, body, "random", 3)
