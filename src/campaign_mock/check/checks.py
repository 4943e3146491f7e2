"""The Schemathesis hooks module: `SCHEMATHESIS_HOOKS=campaign_mock.check.checks`.

Registers, from the settings in the environment (settings.py):
- one Schemathesis check per domain rule (rules.py), named like the rule, on by default;
- credentials per vendor, as auth providers: Spaaza paths get the session headers,
  LevelUp paths `Authorization: token ...` (Spaaza's own optional `Authorization: Bearer`
  header parameter is left to generation);
- steering: in some generated cases, a valid generated chain_id / user_id / campaign id is
  replaced by one the server knows, so that 200 answers and user_progress get checked;
- a failure filter: positive_data_acceptance (ST202) failures are dropped when the request
  as sent was not valid after all (Schemathesis 4.32.5's coverage phase labels e.g.
  `X-Spaaza-API-Version: 0` positive; two user identifiers at once break a documented
  cross-parameter rule the schema cannot express); not_a_server_error (ST101) failures are
  dropped when the 500 is a documented Spaaza error served with its documented status.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import schemathesis
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from schemathesis.core.failures import Failure

from campaign_mock.check import rules
from campaign_mock.check.exchange import from_schemathesis
from campaign_mock.check.settings import CheckSettings
from campaign_mock.contract import load_contract
from campaign_mock.contract.facts import USER_ID_MAX_DIGITS, USER_IDENTIFIERS, USERNAME_PATTERN

SETTINGS = CheckSettings.from_environment()


class DomainRuleViolated(Failure):
    """A domain rule (rules.py) does not hold for a response."""

    code = "ST901"
    kind_title = "Domain rule violated"


def _register(name: str, rule: rules.Rule) -> None:
    def check(ctx: Any, response: Any, case: Any) -> bool | None:
        problems = rule(from_schemathesis(case, response))
        if problems:
            raise DomainRuleViolated(operation=case.operation.label, title=name, message="\n".join(problems))
        return None

    check.__name__ = check.__qualname__ = name
    check.__doc__ = rule.__doc__
    schemathesis.check(check)


for _name, _rule in rules.RULES.items():
    _register(_name, _rule)


# --- credentials ----------------------------------------------------------------------


@schemathesis.auth(refresh_interval=None).apply_to(path_regex=r"^/v15/")
class LevelUpToken:
    def get(self, case: Any, ctx: Any) -> str:
        return SETTINGS.levelup_token

    def set(self, case: Any, data: str, ctx: Any) -> None:
        case.headers["Authorization"] = f"token {data}"


@schemathesis.auth(refresh_interval=None).apply_to(path_regex=r"get-campaign")
class SpaazaSession:
    def get(self, case: Any, ctx: Any) -> dict[str, str]:
        return SETTINGS.spaaza_headers()

    def set(self, case: Any, data: dict[str, str], ctx: Any) -> None:
        case.headers.update(data)


# --- steering -------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@cache
def _documented_ids() -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(Spaaza campaign ids of the documented get-campaigns example, LevelUp example ids)."""
    spec = load_contract().spec
    spaaza = tuple(c["id"] for c in spec["components"]["examples"]["SpaazaGetCampaignsDocumented"]["value"]["results"]["campaigns"])
    levelup = tuple(e["value"] for e in spec["components"]["parameters"]["LevelUpCampaignId"]["examples"].values())
    return spaaza, levelup


def _identifiers_valid(query: dict) -> bool:
    for name in USER_IDENTIFIERS:
        if name not in query:
            continue
        value = query[name]
        if name == "user_id":
            if not (_is_int(value) and 0 <= value < 10**USER_ID_MAX_DIGITS):
                return False
        elif not isinstance(value, str) or (name == "username" and not re.fullmatch(USERNAME_PATTERN, value)):
            return False
    return True


@schemathesis.hook
def flatmap_query(context: Any, query: Any) -> Any:
    path = context.operation.path if context.operation is not None else ""
    if not SETTINGS.steer or not isinstance(query, dict) or "get-campaign" not in path:
        return st.just(query)
    choices = [query]
    steered = dict(query)
    if _is_int(query.get("chain_id")):
        steered["chain_id"] = SETTINGS.chain_id
    if _is_int(query.get("campaign_id")):
        steered["campaign_id"] = st.sampled_from(_documented_ids()[0])
    if steered != query:
        choices.append(steered)
        # The progress user of the steered chain, in place of any (valid) identifiers.
        if SETTINGS.progress_user_id is not None and _identifiers_valid(query) and "chain_id" in steered:
            with_user = {k: v for k, v in steered.items() if k not in USER_IDENTIFIERS}
            with_user["user_id"] = SETTINGS.progress_user_id
            choices.append(with_user)

    def resolve(chosen: dict) -> Any:
        value = chosen.get("campaign_id")
        if isinstance(value, st.SearchStrategy):
            return value.map(lambda cid: {**chosen, "campaign_id": cid})
        return st.just(chosen)

    return st.sampled_from(choices).flatmap(resolve)


@schemathesis.hook
def flatmap_path_parameters(context: Any, path_parameters: Any) -> Any:
    if not SETTINGS.steer or not isinstance(path_parameters, dict) or not _is_int(path_parameters.get("id")):
        return st.just(path_parameters)
    known = st.sampled_from(_documented_ids()[1]).map(lambda i: {**path_parameters, "id": i})
    return st.one_of(st.just(path_parameters), known)


# --- failure filter -------------------------------------------------------------------


def _resolve(spec: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/"):
        target: Any = spec
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def _coerce(value: str, schema: dict) -> Any:
    kind = schema.get("type")
    if kind == "integer" and re.fullmatch(r"-?\d+", value):
        return int(value)
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


def sent_request_breaks_contract(case: Any, response: Any) -> str | None:
    """Why the request as sent is not valid per openapi.yaml, or None."""
    spec = load_contract().spec
    operation = spec["paths"].get(case.operation.path, {}).get(case.method.lower())
    if operation is None:
        return None
    exchange = from_schemathesis(case, response)
    given = [name for name in USER_IDENTIFIERS if name in exchange.query]
    if "get-campaign" in case.operation.path and len(given) > 1:
        return f"more than one user identifier ({', '.join(given)})"
    auth_method = exchange.query.get("auth_method")
    if auth_method == "bearer" and not exchange.request_headers.get("Authorization", "").startswith("Bearer "):
        return "auth_method=bearer without an Authorization: Bearer header"
    if auth_method == "session" and "X-Spaaza-Session-Key" not in exchange.request_headers:
        return "auth_method=session without session headers"
    parameters = [_resolve(spec, p) for p in spec["paths"][case.operation.path].get("parameters", []) + operation.get("parameters", [])]
    for parameter in parameters:
        where = {"query": exchange.query, "header": exchange.request_headers}.get(parameter["in"])
        if where is None or parameter["name"] not in where:
            continue
        schema = parameter.get("schema", {})
        value = _coerce(where[parameter["name"]], schema)
        validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        error = next(iter(validator.iter_errors(value)), None)
        if error is not None:
            return f"{parameter['in']} {parameter['name']}: {error.message}"
    return None


# Spaaza answers a well-formed request about something that does not exist, or that the
# session may not see, with 400/500 and one of these codes (the catalogue's statuses).
# A positive case meeting one of them is not a rejected valid request; the others (419,
# 154, 245, 247, 267, 416, 228, 265, ...) mean the server refused a value the schema allows.
LOOKUP_ERRORS = frozenset({68, 217, 238, 246, 264, 269, 270, 405, 424, 449})


def not_really_rejected(case: Any, response: Any) -> str | None:
    """Why an ST202 (positive data rejected) is not one, or None when it stands."""
    reason = sent_request_breaks_contract(case, response)
    if reason is not None:
        return f"the request as sent breaks the contract: {reason}"
    error = from_schemathesis(case, response).spaaza_error()
    if error is not None and error.get("code") in LOOKUP_ERRORS:
        return f"Spaaza lookup error {error.get('code')} {error.get('name')}"
    return None


def documented_server_error(case: Any, response: Any) -> str | None:
    """Why an ST101 (server error) is not one, or None when it stands.

    Spaaza documents some errors with HTTP 500 (68, 228, 238: the catalogue's statuses), so
    the real vendor answers them so and the mock must too. Such an answer is the contract,
    not a crash: only when its code, name and status are the catalogue's (what
    error_matches_catalogue holds it to). Any other 500 stands."""
    exchange = from_schemathesis(case, response)
    documented = rules.catalogued(exchange)
    if documented is None or rules.error_matches_catalogue(exchange):
        return None
    return f"documented Spaaza error {documented.code} {documented.name} (HTTP {documented.http_status})"


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    code = getattr(failure, "code", None)
    if code == "ST202" and response is not None:
        return not_really_rejected(case, response) is None
    if code == "ST101" and response is not None:
        return documented_server_error(case, response) is None
    return True
