"""openapi.yaml: valid OpenAPI 3.1, loadable by Schemathesis, every $ref resolves,
the documented examples are attached verbatim and conform, errors per operation are consistent
with the catalogue in schemas/spaaza-error.json."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urldefrag

import pytest
import requests
import schemathesis
import yaml
from openapi_spec_validator import validate
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.openapi.checks import JsonSchemaError, MissingHeaders

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = ROOT / "openapi.yaml"
from seed_examples import documented_examples, documented_spaaza_errors, documented_spaaza_request

SPEC = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
SPAAZA = "https://api0.spaaza.com"
LEVELUP = "https://sandbox.thelevelup.com"
REPRESENTATIONS = {
    "basic_v1": "getCampaignBasicV1",
    "custom_progress_based_v1": "getCampaignCustomProgressBasedV1",
    "item_based_loyalty_v1": "getCampaignItemBasedLoyaltyV1",
    "spend_based_loyalty_v1": "getCampaignSpendBasedLoyaltyV1",
    "visit_based_loyalty_v1": "getCampaignVisitBasedLoyaltyV1",
    "item_based_gift_card_loyalty_v1": "getCampaignItemBasedGiftCardLoyaltyV1",
    "spend_based_gift_card_loyalty_v1": "getCampaignSpendBasedGiftCardLoyaltyV1",
}
OPERATIONS = {
    ("GET", "/get-campaigns"): "getCampaigns",
    ("GET", "/internal/get-campaigns"): "getCampaignsInternal",
    ("GET", "/get-campaign"): "getCampaign",
    **{("GET", f"/v15/campaigns/{{id}}/{rep}"): op for rep, op in REPRESENTATIONS.items()},
}


@pytest.fixture(scope="module")
def st_schema():
    return schemathesis.openapi.from_path(SPEC_PATH)


def resolve(ref: str, base: Path, doc):
    """Follow a JSON reference from document `doc` located at `base`; returns (target, file, file_doc)."""
    file_part, fragment = urldefrag(ref)
    if file_part:
        assert not re.match(r"^[a-z]+://", file_part), f"absolute $ref {ref}"
        base = (base.parent / file_part).resolve()
        assert base.is_file(), f"{ref}: no file {base}"
        text = base.read_text(encoding="utf-8")
        doc = json.loads(text) if base.suffix == ".json" else yaml.safe_load(text)
    node = doc
    for part in [p for p in fragment.split("/") if p]:
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, (dict, list)), f"{ref}: cannot descend into {part}"
        node = node[int(part)] if isinstance(node, list) else node.get(part, KeyError)
        assert node is not KeyError, f"{ref}: no {part!r}"
    return node, base, doc


def iter_refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from iter_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from iter_refs(value)


def test_spec_is_valid_openapi_3_1():
    assert SPEC["openapi"] == "3.1.0"
    validate(SPEC, base_uri=SPEC_PATH.as_uri())


def test_every_ref_resolves_transitively():
    seen: set[tuple[Path, str]] = set()
    queue = [(SPEC_PATH, SPEC, SPEC)]
    files = set()
    while queue:
        base, doc, node = queue.pop()
        for ref in iter_refs(node):
            target, tbase, tdoc = resolve(ref, base, doc)
            key = (tbase, ref if not urldefrag(ref)[0] else str(tbase) + "#" + urldefrag(ref)[1])
            if tbase != SPEC_PATH:
                files.add(tbase.name)
                if (tbase, "") not in seen:  # crawl each referenced file once, in full
                    seen.add((tbase, ""))
                    queue.append((tbase, tdoc, tdoc))
            if key not in seen:
                seen.add(key)
                queue.append((tbase, tdoc, target))
    assert {"spaaza-get-campaigns.json", "spaaza-get-campaign.json", "spaaza-error.json", "levelup-errors.json",
            "spaaza-campaign.json", "common.json"} <= files


def test_schemathesis_lists_all_ten_operations(st_schema):
    ops = [result.ok() for result in st_schema.get_all_operations()]
    got = {(op.method.upper(), op.path): op.definition.raw["operationId"] for op in ops}
    assert got == OPERATIONS


def test_servers_per_path():
    for path, item in SPEC["paths"].items():
        expected = LEVELUP if path.startswith("/v15/") else SPAAZA
        assert [s["url"] for s in item["servers"]] == [expected], path
    assert "servers" not in SPEC


def test_get_campaigns_paths_share_parameters_and_responses():
    a, b = SPEC["paths"]["/get-campaigns"]["get"], SPEC["paths"]["/internal/get-campaigns"]["get"]
    assert a["parameters"] == b["parameters"] and a["responses"] == b["responses"] and a["security"] == b["security"]
    assert all(set(p) == {"$ref"} for p in a["parameters"])
    assert {} in a["security"]  # content / mobile_content need no session
    assert set(a["responses"]) == {"200", "400", "401", "404", "500"}


def test_documented_request_is_expressible(st_schema):
    req = documented_spaaza_request()
    op = st_schema[req["path"]]["GET"]
    query = {p.name for p in op.query}
    headers = {p.name for p in op.headers}
    assert set(req["query"]) <= query
    assert set(req["headers"]) <= headers
    params = SPEC["components"]["parameters"]
    assert params["ChainIdRequired"]["example"] == 1762 and "1743" in params["ChainIdRequired"]["description"]


def test_campaign_type_pattern_takes_single_types_and_lists():
    pattern = SPEC["components"]["parameters"]["CampaignType"]["schema"]["pattern"]
    types = json.loads((ROOT / "schemas" / "spaaza-campaign.json").read_text())["$defs"]["campaign_type"]["enum"]
    for t in types:
        assert re.fullmatch(pattern, t)
    assert re.fullmatch(pattern, ",".join(types))
    for bad in ["", "lottery", "cashback,", "cashback,,wallet", "cashback, wallet", "Cashback"]:
        assert not re.search(pattern, bad), bad


# ------------------------------------------------------------------ examples

def test_big_example_is_the_documented_one_and_shared():
    examples = SPEC["components"]["examples"]
    assert examples["SpaazaGetCampaignsDocumented"]["value"] == documented_examples()["spaaza_get_campaigns"]
    ok = SPEC["components"]["responses"]["SpaazaGetCampaignsOk"]
    assert ok["content"]["application/json"]["examples"]["documentedChain1762"] == {
        "$ref": "#/components/examples/SpaazaGetCampaignsDocumented"}
    for path in ("/get-campaigns", "/internal/get-campaigns"):
        assert SPEC["paths"][path]["get"]["responses"]["200"] == {"$ref": "#/components/responses/SpaazaGetCampaignsOk"}


@pytest.mark.parametrize("rep", sorted(REPRESENTATIONS))
def test_levelup_example_is_documented_body(rep):
    _cid, body = documented_examples()["levelup"][rep]
    content = SPEC["paths"][f"/v15/campaigns/{{id}}/{rep}"]["get"]["responses"]["200"]["content"]["application/json"]
    (ref,) = [e["$ref"] for e in content["examples"].values()]
    target, _, _ = resolve(ref, SPEC_PATH, SPEC)
    assert target["value"] == body


def _response(status: int, body, url: str, headers: dict | None = None) -> schemathesis.Response:
    hdrs = {"Content-Type": ["application/json"], **{k: [v] for k, v in (headers or {}).items()}}
    return schemathesis.Response(status_code=status, headers=hdrs, content=json.dumps(body).encode(),
                                 request=requests.Request("GET", url).prepare(), elapsed=0.0, verify=True)


def _failures(exc: Failure | FailureGroup) -> tuple[Failure, ...]:
    """What Schemathesis found: APIOperation.validate_response raises a lone failure as
    itself, Case.validate_response (and several failures) as a FailureGroup."""
    return tuple(exc.exceptions) if isinstance(exc, FailureGroup) else (exc,)


def _examples_of(response: dict):
    media = response["content"]["application/json"]
    if "example" in media:
        yield media["example"]
    for ex in media.get("examples", {}).values():
        if "$ref" in ex:
            ex, _, _ = resolve(ex["$ref"], SPEC_PATH, SPEC)
        yield ex["value"]


def _cases():
    for (method, path), op_id in OPERATIONS.items():
        for status, response in SPEC["paths"][path]["get"]["responses"].items():
            if "$ref" in response:
                response, _, _ = resolve(response["$ref"], SPEC_PATH, SPEC)
            for n, value in enumerate(_examples_of(response)):
                yield pytest.param(path, int(status), value, response.get("headers", {}), id=f"{op_id}-{status}-{n}")


@pytest.mark.parametrize("path, status, body, headers", list(_cases()))
def test_every_response_example_conforms_per_schemathesis(st_schema, path, status, body, headers):
    server = LEVELUP if path.startswith("/v15/") else SPAAZA
    hdrs = {name: h.get("example", "x") for name, h in headers.items()}
    st_schema[path]["GET"].validate_response(_response(status, body, server + path.replace("{id}", "20"), hdrs))


def test_every_operation_has_a_200_example():
    ids = {c.id.rsplit("-", 2)[0] for c in _cases() if c.values[1] == 200}
    assert ids == set(OPERATIONS.values())


# ------------------------------------------------------------------ Schemathesis really follows the refs

@pytest.mark.parametrize("mutate, path, status", [
    (lambda d: d["results"]["campaigns"][0].__setitem__("created_date", "2022-05-31T19:47:34"), "/get-campaigns", 200),
    (lambda d: d["results"]["campaigns"][1].__setitem__("user_progress", documented_examples()["user_progress_loyalty"]),
     "/internal/get-campaigns", 200),
], ids=["naive-date-time", "loyalty-progress-on-cashback"])
def test_schemathesis_rejects_invalid_bodies(st_schema, mutate, path, status):
    body = documented_examples()["spaaza_get_campaigns"]
    mutate(body)
    with pytest.raises((JsonSchemaError, FailureGroup)) as info:
        st_schema[path]["GET"].validate_response(_response(status, body, SPAAZA + path))
    assert all(isinstance(f, JsonSchemaError) for f in _failures(info.value)), _failures(info.value)


def _err(code):
    name, desc, _status = {c: (n, d, s) for c, n, d, s in documented_spaaza_errors()}[code]
    return {"result": {"code": 2, "status": "error"}, "error": {"code": code, "name": name, "description": desc}}


@pytest.mark.parametrize("path, status, code, ok", [
    ("/get-campaigns", 401, 6, True),
    ("/get-campaigns", 401, 217, False),     # right error, wrong status
    ("/get-campaigns", 400, 245, False),     # campaign_id codes do not apply to get-campaigns
    ("/get-campaigns", 404, 246, False),
    ("/get-campaign", 400, 245, True),
    ("/get-campaign", 404, 246, True),
    ("/get-campaign", 500, 68, True),
    ("/get-campaign", 500, 6, False),
])
def test_error_status_pairs(st_schema, path, status, code, ok):
    op = st_schema[path]["GET"]
    response = _response(status, _err(code), SPAAZA + path)
    if ok:
        op.validate_response(response)
    else:
        with pytest.raises((JsonSchemaError, FailureGroup)) as info:
            op.validate_response(response)
        assert all(isinstance(f, JsonSchemaError) for f in _failures(info.value)), _failures(info.value)


def test_levelup_401_requires_www_authenticate(st_schema):
    case = st_schema["/v15/campaigns/{id}/basic_v1"]["GET"].Case(
        path_parameters={"id": 20}, headers={"Authorization": "token abc"})
    body = [{"error": {"message": "Access token is invalid."}}]
    url = LEVELUP + "/v15/campaigns/20/basic_v1"
    only_headers = [schemathesis.checks.response_headers_conformance]
    good = _response(401, body, url, {"WWW-Authenticate": 'OAuth2 realm="levelup", error="invalid_token"'})
    case.validate_response(good, checks=only_headers)
    with pytest.raises(FailureGroup) as info:
        case.validate_response(_response(401, body, url), checks=only_headers)
    assert [(type(f), f.missing_headers) for f in _failures(info.value)] == [(MissingHeaders, ["WWW-Authenticate"])]


# ------------------------------------------------------------------ error responses vs the catalogue

def _codes(schema_ref: str) -> list[int]:
    target, base, doc = resolve(schema_ref, SPEC_PATH, SPEC)
    while "$ref" in target and "allOf" not in target:
        target, base, doc = resolve(target["$ref"], base, doc)
    return target["allOf"][1]["properties"]["error"]["properties"]["code"]["enum"]


@pytest.mark.parametrize("name", [n for n in SPEC["components"]["responses"] if n.startswith("Spaaza") and not n.endswith("Ok")])
def test_error_response_description_lists_exactly_its_codes(name):
    response = SPEC["components"]["responses"][name]
    ref = response["content"]["application/json"]["schema"]["$ref"]
    codes = _codes(ref)
    statuses = {c: s for c, _n, _d, s in documented_spaaza_errors()}
    listed = [int(c) for c in re.findall(r"(\d+) [a-z_]+", response["description"].split("Codes:")[1])]
    assert listed == codes
    status = int(re.search(r"HTTP (\d{3})", response["description"]).group(1))
    assert {statuses[c] for c in codes} == {status}


def test_get_campaign_error_responses_cover_the_whole_table():
    covered = []
    for s in ("BadRequest", "Unauthorized", "NotFound", "ServerError"):
        covered += _codes(SPEC["components"]["responses"][f"SpaazaGetCampaign{s}"]["content"]["application/json"]["schema"]["$ref"])
    assert sorted(covered) == sorted(c for c, *_ in documented_spaaza_errors())


def test_every_user_identifier_is_a_get_campaigns_parameter():
    from campaign_mock.contract import load_contract
    from campaign_mock.contract.facts import USER_IDENTIFIERS

    spec = load_contract().spec
    names = set()
    for parameter in spec["paths"]["/get-campaigns"]["get"]["parameters"]:
        if "$ref" in parameter:
            parameter = spec["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[1]]
        names.add(parameter["name"])
    assert set(USER_IDENTIFIERS) <= names


def test_the_user_id_limit_and_the_username_pattern_are_the_specs():
    from campaign_mock.contract.facts import USER_ID_MAX_DIGITS

    # Digits only, as the server reads them (server/digits.py): a negative user_id is a 154.
    assert SPEC["components"]["parameters"]["UserId"]["schema"]["minimum"] == 0
    assert SPEC["components"]["parameters"]["UserId"]["schema"]["maximum"] == 10**USER_ID_MAX_DIGITS - 1
    assert SPEC["components"]["parameters"]["Username"]["schema"]["format"] == "email"
