"""Checks a JSON document against the contract and reports each violation with its JSON
path and the schema rule it broke. Used by `campaign-mock validate`, the tests and the
fixture generator."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterable

from jsonschema.exceptions import ValidationError, best_match

from campaign_mock.contract.loader import load_contract

# The representation schemas, keyed by the LevelUp path segment that selects them.
LEVELUP_REPRESENTATIONS = {
    "basic_v1": "levelup-basic-v1.json",
    "custom_progress_based_v1": "levelup-custom-progress-based-v1.json",
    "item_based_loyalty_v1": "levelup-item-based-loyalty-v1.json",
    "spend_based_loyalty_v1": "levelup-spend-based-loyalty-v1.json",
    "visit_based_loyalty_v1": "levelup-visit-based-loyalty-v1.json",
    "item_based_gift_card_loyalty_v1": "levelup-item-based-gift-card-loyalty-v1.json",
    "spend_based_gift_card_loyalty_v1": "levelup-spend-based-gift-card-loyalty-v1.json",
}


@dataclass(frozen=True)
class Violation:
    path: str  # JSON path, e.g. $.results.campaigns[3].created_date
    message: str
    rule: str  # the schema keyword and where it sits, e.g. format at spaaza-campaign.json#/...

    def __str__(self) -> str:
        return f"{self.path}: {self.message} [{self.rule}]"


def json_path(parts: Iterable) -> str:
    """$.results.campaigns[3].created_date; a key that is no identifier is quoted: $["a b"]."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            out += f".{part}"
        else:
            out += f"[{json.dumps(part)}]"
    return out


def _violation(error: ValidationError) -> Violation:
    # A oneOf/anyOf failure is clearer through its most relevant sub-error.
    if error.context:
        error = best_match(error.context)
    keyword_path = "/".join(str(p) for p in error.absolute_schema_path)
    return Violation(json_path(error.absolute_path), error.message, f"{error.validator} at #/{keyword_path}")


def violations(schema: str, document: Any) -> list[Violation]:
    """Every way `document` breaks `schema` (a file name in schemas/, optionally #/pointer)."""
    validator = load_contract().validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: (list(map(str, e.absolute_path)), str(e.message)))
    return [_violation(e) for e in errors]


def infer_schema(document: Any) -> str:
    """The response schema a captured body is meant to match, judged from its shape."""
    if isinstance(document, list):
        return "levelup-errors.json"
    if isinstance(document, dict):
        if isinstance(document.get("result"), dict) and document["result"].get("status") == "error":
            return "spaaza-error.json"
        result_type = (document.get("results") or {}).get("result_type") if isinstance(document.get("results"), dict) else None
        if result_type == "get-campaign":
            return "spaaza-get-campaign.json"
        if "results" in document or "result" in document:
            return "spaaza-get-campaigns.json"
        campaign = document.get("campaign")
        if isinstance(campaign, dict):
            return _closest_representation(set(campaign))
    raise ValueError("cannot tell which response this is; name it with --operation")


def _closest_representation(keys: set[str]) -> str:
    contract = load_contract()

    def distance(schema: str) -> int:
        required = set(contract.schema(schema)["properties"]["campaign"].get("required", ()))
        return len(required ^ keys)

    return min(LEVELUP_REPRESENTATIONS.values(), key=distance)


def schema_for_operation(operation_id: str, document: Any) -> str:
    """The schema of `operation_id`'s success response, or its vendor's error schema when
    `document` is an error body."""
    spec = load_contract().spec
    for path_item in spec["paths"].values():
        for operation in path_item.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                if isinstance(document, list):
                    return "levelup-errors.json"
                if isinstance(document, dict) and (document.get("result") or {}).get("status") == "error":
                    return "spaaza-error.json"
                response = operation["responses"]["200"]
                while "$ref" in response:  # a local ref: #/components/responses/...
                    response = _local(spec, response["$ref"])
                return response["content"]["application/json"]["schema"]["$ref"].removeprefix("schemas/")
    names = sorted(op["operationId"] for item in spec["paths"].values() for op in item.values() if isinstance(op, dict) and "operationId" in op)
    raise ValueError(f"no operation {operation_id!r} in openapi.yaml; choose one of {', '.join(names)}")


def _local(spec: dict, ref: str) -> Any:
    node = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node
