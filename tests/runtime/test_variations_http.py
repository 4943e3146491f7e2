"""Per-namespace contract variations over HTTP (PUT|GET|DELETE /__mock/ns/KEY/variation, GET
/__mock/variations), against the session's real server: answers varied in their namespace
only, the same bytes from every worker, the journal naming the variation, bad input refused
whole with the field named."""

from __future__ import annotations

import uuid

import pytest
import requests

from campaign_mock.client import MockClient
from campaign_mock.contract.validate import schema_for_operation, violations
from campaign_mock.contract.variations import VARIATIONS, WITHOUT
from campaign_mock.exceptions import MockAdminError
from mockserver import LEVELUP_AUTH, SPAAZA_ADMIN

GET_CAMPAIGNS = "/get-campaigns?chain_id=1762"


@pytest.fixture
def mock(base_url) -> MockClient:
    client = MockClient(base_url).namespace("v-" + uuid.uuid4().hex[:12])
    yield client
    client.reset()


def vendor(mock: MockClient, path: str, headers=SPAAZA_ADMIN) -> requests.Response:
    return requests.get(mock.url + path, headers=headers, timeout=10)


def test_the_catalogue_lists_every_variation(mock):
    listed = mock.variations()
    assert [v["name"] for v in listed] == list(VARIATIONS)
    nullable = next(v for v in listed if v["name"] == "nullable-null")
    assert "getCampaigns" in nullable["operations"] and nullable["description"]
    unknown = next(v for v in listed if v["name"] == "unknown-fields")
    assert "getCampaignBasicV1" not in unknown["operations"]  # LevelUp's bodies are closed
    assert "getCampaignBasicV1" in next(v for v in listed if v["name"] == "full-page")["unchanged"]


def test_a_variation_varies_its_namespace_only(mock, base_url):
    plain = vendor(mock, GET_CAMPAIGNS).json()
    assert mock.variation() is None
    assert mock.set_variation("nullable-null", seed=3) == {"name": "nullable-null", "seed": 3}
    assert mock.variation() == {"name": "nullable-null", "seed": 3}
    varied = vendor(mock, GET_CAMPAIGNS)
    assert varied.status_code == 200 and varied.json() != plain
    assert violations(schema_for_operation("getCampaigns", varied.json()), varied.json()) == []
    # The root namespace and another one are not varied.
    assert requests.get(base_url + GET_CAMPAIGNS, headers=SPAAZA_ADMIN, timeout=10).json() == plain
    other = MockClient(base_url).namespace("v-" + uuid.uuid4().hex[:12])
    assert vendor(other, GET_CAMPAIGNS).json() == plain
    # The journal says which variation answered.
    entry = mock.journal()[-1]
    assert entry["variation"] == {"name": "nullable-null", "seed": 3}
    mock.clear_variation()
    assert mock.variation() is None
    assert vendor(mock, GET_CAMPAIGNS).json() == plain
    assert mock.journal()[-1]["variation"] is None


def test_same_name_and_seed_same_bytes_from_every_request(mock):
    mock.set_variation("random", seed=11)
    bodies = {vendor(mock, GET_CAMPAIGNS).content for _ in range(6)}  # several workers may answer
    assert len(bodies) == 1
    mock.set_variation("random", seed=12)
    assert vendor(mock, GET_CAMPAIGNS).content not in bodies


def test_error_bodies_vary_too_and_a_variation_that_changes_nothing_is_not_counted(mock):
    mock.set_variation("unknown-fields")
    refused = vendor(mock, GET_CAMPAIGNS, headers={})  # no session: a Spaaza error envelope
    assert refused.status_code == 401 and "x_added_text" in refused.json()["error"]
    assert mock.journal()[-1]["variation"] == {"name": "unknown-fields", "seed": 0}
    levelup = vendor(mock, "/v15/campaigns/20/basic_v1", headers=LEVELUP_AUTH)  # closed: nothing to add
    assert levelup.status_code == 200 and "x_added_text" not in levelup.text
    assert mock.journal()[-1]["variation"] is None


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "nope"}, "name"),
        ({"seed": 1}, "name"),
        ({"name": "long-texts", "seed": -1}, "seed"),
        ({"name": "long-texts", "seed": "1"}, "seed"),
        ({"name": "long-texts", "extra": 1}, "extra"),
        ({"name": "long-texts", "field": "$.results"}, "field"),
        ({"name": "without-field"}, "field"),
        ({"name": "random", "field": None}, "field"),
        ({"name": "random", "seed": None}, "seed"),
        ({"name": "without-field", "field": "results"}, "field"),
        ([], None),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(mock, body, field):
    mock.set_variation("empty-lists")
    answer = requests.put(f"{mock.url}/variation", json=body, timeout=10)
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == field
    if field == "name":
        assert "optional-absent" in answer.json()["error"]["message"]  # the known names
    assert mock.variation() == {"name": "empty-lists", "seed": 0}


def test_the_client_raises_on_an_unknown_name(mock):
    with pytest.raises(MockAdminError, match="known: optional-absent"):
        mock.set_variation("nullable")


def test_admin_openapi_names_the_variations_of_the_catalogue():
    import yaml

    from campaign_mock.contract.files import admin_spec_path

    spec = yaml.safe_load(admin_spec_path().read_text())
    body = spec["paths"]["/__mock/ns/{namespace}/variation"]["put"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["name"]["enum"] == [*VARIATIONS, WITHOUT]


def test_without_field_removes_one_field_everywhere_whatever_the_contract(mock):
    mock.set_variation("without-field", field="$.results.campaigns[*].title")
    assert mock.variation() == {"name": "without-field", "seed": 0, "field": "$.results.campaigns[*].title"}
    campaigns = vendor(mock, GET_CAMPAIGNS).json()["results"]["campaigns"]
    assert campaigns and not any("title" in c for c in campaigns) and all("id" in c for c in campaigns)
    assert mock.journal()[-1]["variation"]["field"] == "$.results.campaigns[*].title"
