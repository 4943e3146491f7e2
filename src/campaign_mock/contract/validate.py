"""Checks a JSON document against the contract and reports each violation with its JSON
path and the schema rule it broke. Used by `campaign-mock validate` and the tests."""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from jsonschema.exceptions import ValidationError, best_match

from campaign_mock.contract.catalogue import spaaza_errors
from campaign_mock.contract.loader import load_contract
from campaign_mock.exceptions import ContractError

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


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def excerpt(value: Any, limit: int = 40) -> str:
    """A short, printable quote of a value for a message."""
    return shorten(repr(value), limit)


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance by optimal string alignment: inserting, deleting or
    changing a letter, or swapping two adjacent ones, costs 1 ('nmae' is 1 from 'name')."""
    before, previous = [0] * (len(b) + 1), list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], before[j - 2] + 1)
        before, previous = previous, row
    return previous[-1]


def did_you_mean(word: Any, choices: Iterable[Any]) -> str:
    """"did you mean 'x'? " for the closest choice by edit distance (edit_distance), if at most
    a third of the choice's letters (at least 2) are wrong: a typo, a missing or swapped letter,
    a word left out ('active_until' for 'active_date_until'); else "". The first of equally
    close choices. Every message that refuses a name uses it: scenario keys and values, fault
    operations."""
    text, best = str(word), None
    for choice in map(str, choices):
        bound = max(2, len(choice) // 3)
        if abs(len(choice) - len(text)) <= bound:  # never farther: a long word costs nothing
            distance = edit_distance(text, choice)
            if distance <= bound and (best is None or distance < best[0]):
                best = (distance, choice)
    return f"did you mean {excerpt(best[1])}? " if best else ""


def _rule(error: ValidationError) -> str:
    return f"{error.validator} at #/" + "/".join(str(p) for p in error.absolute_schema_path)


def _catalogue_violation(error: ValidationError) -> Violation | None:
    """A Spaaza error object that matches no catalogue entry (a oneOf of one entry per code),
    said as what it is: a name that is not its code's, or a code the catalogue lacks (the
    oneOf's "most relevant" sub-error would name the first entry instead)."""
    entries = error.validator_value if error.validator == "oneOf" else None
    body = error.instance
    if not isinstance(entries, list) or not isinstance(body, dict) or not isinstance(body.get("code"), int):
        return None
    codes = [e.get("properties", {}).get("code", {}).get("const") if isinstance(e, dict) else None for e in entries]
    if not codes or None in codes:
        return None  # not the catalogue
    path = list(error.absolute_path)
    if body["code"] not in codes:
        return Violation(json_path([*path, "code"]), f"code {body['code']} is not a documented error", _rule(error))
    index = codes.index(body["code"])
    name = entries[index]["properties"].get("name", {}).get("const")
    if body.get("name") != name:
        return Violation(json_path([*path, "name"]), f"code {body['code']} is {name}, not {body.get('name')}", _rule(error))
    # Code and name fit: what else breaks that entry.
    within = [e for e in error.context if e.relative_schema_path and e.relative_schema_path[0] == index]
    return _violation(best_match(within)) if within else None


def _violation(error: ValidationError) -> Violation:
    catalogue = _catalogue_violation(error)
    if catalogue is not None:
        return catalogue
    # A oneOf/anyOf failure is clearer through its most relevant sub-error.
    if error.context:
        error = best_match(error.context)
    return Violation(json_path(error.absolute_path), error.message, _rule(error))


def violations(schema: str, document: Any) -> list[Violation]:
    """Every way `document` breaks `schema` (a file name in schemas/, optionally #/pointer)."""
    validator = load_contract().validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: (list(map(str, e.absolute_path)), str(e.message)))
    return [_violation(e) for e in errors]


def _error_schema(document: Any) -> str | None:
    """The vendor error schema an error body belongs to; None when it is no error body."""
    if isinstance(document, list):
        return "levelup-errors.json"
    if isinstance(document, dict) and isinstance(document.get("result"), dict) and document["result"].get("status") == "error":
        return "spaaza-error.json"
    return None


def infer_schema(document: Any) -> str:
    """The response schema a captured body is meant to match, judged from its shape."""
    error = _error_schema(document)
    if error:
        return error
    if isinstance(document, dict):
        results = document.get("results")
        if isinstance(results, dict) and results.get("result_type") == "get-campaign":
            return "spaaza-get-campaign.json"
        if "results" in document or "result" in document:
            return "spaaza-get-campaigns.json"
        campaign = document.get("campaign")
        if isinstance(campaign, dict):
            return _closest_representation(set(campaign))
    raise ContractError("cannot tell which response this is; name it with --operation")


def _closest_representation(keys: set[str]) -> str:
    contract = load_contract()

    def distance(schema: str) -> int:
        required = set(contract.schema(schema)["properties"]["campaign"].get("required", ()))
        return len(required ^ keys)

    return min(LEVELUP_REPRESENTATIONS.values(), key=distance)


def operation_ids() -> list[str]:
    spec = load_contract().spec
    return sorted(op["operationId"] for item in spec["paths"].values() for op in item.values() if isinstance(op, dict) and "operationId" in op)


def schema_for_operation(operation_id: str, document: Any) -> str:
    """The schema `document` must match as an answer of `operation_id`. An error body is held
    to the operation's error response for the status its code is documented with, so an error
    the operation cannot give (or the other vendor's error) fails; anything else to the 200."""
    spec = load_contract().spec
    operation = next((op for item in spec["paths"].values() for op in item.values() if isinstance(op, dict) and op.get("operationId") == operation_id), None)
    if operation is None:
        raise ContractError(f"no operation {operation_id!r} in openapi.yaml; choose one of {', '.join(operation_ids())}")
    schemas = {}
    for status, response in operation["responses"].items():
        while "$ref" in response:  # a local ref: #/components/responses/...
            response = _local(spec, response["$ref"])
        schemas[status] = response["content"]["application/json"]["schema"]["$ref"].removeprefix("schemas/")
    error = _error_schema(document)
    candidates = {status: schema for status, schema in schemas.items() if status != "200" and schema.split("#")[0] == error}
    if not candidates:
        return schemas["200"]
    return candidates.get(_documented_status(document), candidates[min(candidates)])


def _documented_status(document: Any) -> str | None:
    """The HTTP status the Spaaza catalogue gives a Spaaza error body's code."""
    code = document.get("error", {}).get("code") if isinstance(document, dict) and isinstance(document.get("error"), dict) else None
    known = spaaza_errors().get(code) if isinstance(code, int) else None
    return str(known.http_status) if known else None


def _local(spec: dict, ref: str) -> Any:
    node = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


# A captured response `validate` reads: a full page is about 50 KB; a larger file is no capture.
MAX_FILE_BYTES = 16 * 2**20


class NotRegularFile(ContractError):
    """A directory, or a pipe, device or socket (reading it could block or never end)."""

    def __init__(self, name: str, directory: bool):
        super().__init__(f"{name}: {'a directory' if directory else 'not a regular file'}")
        self.directory = directory


def read_bounded(name: str | os.PathLike, limit: int) -> bytes:
    """A regular file's bytes, at most `limit` + 1 of them (more than `limit`: it is too large),
    read so that neither a pipe nor a device (/dev/zero) can block or fill memory; else
    NotRegularFile, or OSError (FileNotFoundError, another)."""
    fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK)  # O_NONBLOCK: opening a FIFO does not wait for a writer
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(str(name), stat.S_ISDIR(mode))
        with os.fdopen(os.dup(fd), "rb") as stream:
            return stream.read(limit + 1)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class FileReport:
    """One captured file checked: the schema it was held to and what it breaks, or why it
    could not be checked."""

    path: Path
    schema: str | None = None
    violations: list[Violation] = field(default_factory=list)
    unreadable: str | None = None


def check_file(path: Path, operation: str | None = None) -> FileReport:
    """`campaign-mock validate` for one file: against `operation`'s responses, or the schema its
    shape implies. Never raises for a bad file; says why in `unreadable`."""
    try:
        data = read_bounded(path, MAX_FILE_BYTES)
        if len(data) > MAX_FILE_BYTES:
            return FileReport(path, unreadable=f"is larger than {MAX_FILE_BYTES // 2**20} MiB; a captured response is far smaller")
        document = json.loads(data)
        schema = schema_for_operation(operation, document) if operation else infer_schema(document)
        return FileReport(path, schema, violations(schema, document))
    except FileNotFoundError:
        return FileReport(path, unreadable="no such file")
    except NotRegularFile as e:
        return FileReport(path, unreadable="a directory" if e.directory else "not a regular file (a pipe, device or socket); give a captured .json file")
    except OSError as e:
        return FileReport(path, unreadable=e.strerror or str(e))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return FileReport(path, unreadable=f"not JSON ({e})")
    except ValueError as e:  # json.loads refuses an integer of more than 4,300 digits so
        return FileReport(path, unreadable=f"not JSON this checks ({e})")
    except RecursionError:
        return FileReport(path, unreadable="nested too deeply to check")
    except ContractError as e:  # no schema fits its shape
        return FileReport(path, unreadable=str(e))
