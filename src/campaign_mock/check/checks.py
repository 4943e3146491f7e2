"""The Schemathesis hooks module, named by schemathesis.toml (`hooks = ...`): plain
`schemathesis run` and `campaign-mock check` load the same one.

Registers, from the settings in the environment (settings.py; defaults: the documented ones,
read per run: a second run in the same process with other settings gets its own):
- one Schemathesis check per domain rule (rules.py), named like the rule, on by default, and
  known_request_succeeds: a valid request for known ids with known credentials gets a 2xx;
- credentials per vendor, as auth providers: Spaaza paths get the session headers,
  LevelUp paths `Authorization: token ...`;
- map_case, for positive cases: mend what Schemathesis labels positive but is not valid
  (make_valid: values against their schema, the documented cross-parameter rules), then
  steer most of them to the ids and credentials of a known request (known.py), so that 2xx
  answers, user_progress and every campaign type get checked;
- a failure filter: positive_data_acceptance (ST202) failures are dropped when the request
  as sent was not valid after all, or met a documented lookup error for ids nobody vouched
  for; not_a_server_error (ST101) failures are dropped when the 500 is a documented Spaaza
  error served with its documented status.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import schemathesis
from jsonschema import Draft202012Validator
from schemathesis.core.failures import Failure

from campaign_mock.check import known, rules
from campaign_mock.check.exchange import from_schemathesis
from campaign_mock.check.settings import PREFIX, CheckSettings
from campaign_mock.contract import load_contract
from campaign_mock.contract.facts import USER_IDENTIFIERS
from campaign_mock.contract.operations import LEVELUP_CAMPAIGN, LEVELUP_PREFIX


def settings() -> CheckSettings:
    """The settings of the run under way, as the environment says now (not once at import:
    Schemathesis run twice in one process, by tests or a notebook, may change them)."""
    return _settings(tuple((k, v) for k, v in os.environ.items() if k.startswith(PREFIX)))


@lru_cache(maxsize=16)
def _settings(variables: tuple[tuple[str, str], ...]) -> CheckSettings:
    return CheckSettings.from_environment(dict(variables))


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


@schemathesis.auth(refresh_interval=None).apply_to(path_regex="^" + LEVELUP_PREFIX)
class LevelUpToken:
    def get(self, case: Any, ctx: Any) -> str:
        return settings().levelup_token

    def set(self, case: Any, data: str, ctx: Any) -> None:
        case.headers["Authorization"] = f"token {data}"


@schemathesis.auth(refresh_interval=None).apply_to(path_regex=r"get-campaign")
class SpaazaSession:
    def get(self, case: Any, ctx: Any) -> dict[str, str]:
        return settings().spaaza_headers()

    def set(self, case: Any, data: dict[str, str], ctx: Any) -> None:
        case.headers.update(data)


# --- what a valid request is ---------------------------------------------------------


def _resolve(spec: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/"):
        target: Any = spec
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def _coerce(value: Any, schema: dict) -> Any:
    """A parameter value as sent (text) read as its schema's type."""
    if not isinstance(value, str):
        return value
    kind = schema.get("type")
    if kind == "integer" and re.fullmatch(r"-?\d+", value):
        return int(value)
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


@cache
def _parameters(path: str, method: str) -> tuple[tuple[dict, Draft202012Validator], ...]:
    """The operation's parameters (resolved) with a validator for each one's schema."""
    spec = load_contract().spec
    item = spec["paths"].get(path, {})
    declared = item.get("parameters", []) + item.get(method.lower(), {}).get("parameters", [])
    # OpenAPI 3.1 (Parameter Object): a header parameter named Authorization "SHALL be ignored";
    # the security schemes say what it may hold. `-H 'Authorization: token ...'` meant for
    # LevelUp also reaches Spaaza paths, where the session headers decide.
    resolved = [p for p in (_resolve(spec, p) for p in declared) if not (p["in"] == "header" and p["name"].lower() == "authorization")]
    return tuple((p, Draft202012Validator(p.get("schema", {}), format_checker=Draft202012Validator.FORMAT_CHECKER)) for p in resolved)


def _violation(validator: Draft202012Validator, parameter: dict, value: Any) -> str | None:
    error = next(iter(validator.iter_errors(_coerce(value, parameter.get("schema", {})))), None)
    return None if error is None else error.message


def breaks_documented_rule(query: Any, headers: Any) -> str | None:
    """The rules between parameters that the docs state and OpenAPI cannot (one place for
    check, plain `schemathesis run` and the filter): at most one of the six user identifiers
    (facts.USER_IDENTIFIERS; more is error 416), and auth_method naming credentials sent."""
    given = [name for name in USER_IDENTIFIERS if name in query]
    if len(given) > 1:
        return f"more than one user identifier ({', '.join(given)})"
    auth_method = query.get("auth_method")
    if auth_method == "bearer" and not str(headers.get("Authorization", "")).startswith("Bearer "):
        return "auth_method=bearer without an Authorization: Bearer header"
    if auth_method == "session" and "X-Spaaza-Session-Key" not in headers:
        return "auth_method=session without session headers"
    return None


def _auth_method(headers: Any) -> str:
    """The auth_method that names the credentials sent: the session, when there is one."""
    bearer = str(headers.get("Authorization", "")).startswith("Bearer ")
    return "bearer" if bearer and "X-Spaaza-Session-Key" not in headers else "session"


def make_valid(case: Any) -> None:
    """Mend a positive case that is not valid after all: Schemathesis 4.32.5 labels some
    invalid values positive (its coverage phase sends `X-Spaaza-API-Version: 0` against the
    pattern), and it cannot know the rules in breaks_documented_rule. A value that breaks its
    schema becomes the parameter's example (or goes, when optional); extra user identifiers
    go; auth_method names the credentials sent."""
    containers = {"query": case.query, "header": case.headers}
    for parameter, validator in _parameters(case.operation.path, case.method):
        where = containers.get(parameter["in"])
        name = parameter["name"]
        if where is None or name not in where or _violation(validator, parameter, where[name]) is None:
            continue
        if "example" in parameter and _violation(validator, parameter, parameter["example"]) is None:
            where[name] = parameter["example"]
        elif not parameter.get("required"):
            del where[name]
    if isinstance(case.query, dict):
        for extra in [name for name in USER_IDENTIFIERS if name in case.query][1:]:
            del case.query[extra]
        if "auth_method" in case.query:
            case.query["auth_method"] = _auth_method(case.headers or {})


def sent_request_breaks_contract(case: Any, response: Any) -> str | None:
    """Why the request as sent is not valid per openapi.yaml and the documented rules, or None."""
    exchange = from_schemathesis(case, response)
    if "get-campaign" in case.operation.path:
        broken = breaks_documented_rule(exchange.query, exchange.request_headers)
        if broken:
            return broken
    containers = {"query": exchange.query, "header": exchange.request_headers}
    for parameter, validator in _parameters(case.operation.path, case.method):
        where = containers.get(parameter["in"])
        if where is None or parameter["name"] not in where:
            continue
        problem = _violation(validator, parameter, where[parameter["name"]])
        if problem is not None:
            return f"{parameter['in']} {parameter['name']}: {problem}"
    return None


# --- steering -------------------------------------------------------------------------

# A mock namespace's base URL (README: a client's base URL is /__mock/ns/KEY).
NAMESPACE_PATH = re.compile(r"/__mock/ns/[A-Za-z0-9_.-]+")
# One positive case in STEER_SKIP keeps its generated ids, so lookups of unknown ids are
# exercised too; the rest get the ids and credentials of a known request (known.py).
STEER_SKIP = 10


def _base_path(base_url: str) -> str:
    """The path the server's operations are under (a mock namespace's /__mock/ns/KEY, say)."""
    return urlsplit(base_url).path.rstrip("/")


def _fetch_world(base_url: str) -> dict | None:
    """The mock's world, or None (a vendor, or a mock without it): `GET /__mock/world`, or a
    namespace's `GET /__mock/ns/KEY/world` (its scenarios included) when that is the base URL."""
    import requests

    base = base_url.rstrip("/")
    where = base + "/world" if NAMESPACE_PATH.fullmatch(_base_path(base_url)) else base + "/__mock/world"
    try:
        answer = requests.get(where, timeout=10)
        world = answer.json() if answer.status_code == 200 else None
    except (requests.RequestException, ValueError):
        return None
    return world if isinstance(world, dict) and isinstance(world.get("spaaza"), dict) else None


@lru_cache(maxsize=16)
def known_requests(base_url: str, run: CheckSettings) -> tuple[known.KnownRequest, ...]:
    """Every known request for the server at base_url with the run's settings (read once per run)."""
    found = known.documented_requests(run.spaaza_headers(), run.levelup_headers(), run.chain_id, run.progress_user_id)
    if run.fixtures:
        found += known.from_manifest(Path(run.fixtures))
    elif run.probe_world:
        world = _fetch_world(base_url)
        found += known.from_world(world) if world else []
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=16)
def known_identities(base_url: str, run: CheckSettings) -> frozenset[tuple]:
    return frozenset(known.identity(k.path, dict(k.query), dict(k.headers)) for k in known_requests(base_url, run))


@lru_cache(maxsize=256)
def _candidates(base_url: str, run: CheckSettings, template: str, fixed: tuple[tuple[str, str], ...]) -> list[known.KnownRequest]:
    """The known requests an operation can be steered to. Headers fixed by the user (`-H` on
    a plain `schemathesis run`) win over the case's: a known request whose credentials they
    would replace (another chain's admin session, say) is no longer known, so it is skipped."""
    candidates = known.for_operation(known_requests(base_url, run), template)
    return [
        k for k in candidates
        if known.identity(k.path, dict(k.query), {**dict(k.headers), **dict(fixed)}) == known.identity(k.path, dict(k.query), dict(k.headers))
    ]


def _pick(case: Any) -> int | None:
    """A stable number for a positive case (same seed, same cases, same choices), or None
    for one in STEER_SKIP, left as generated."""
    generated = repr((case.path, sorted(case.query.items(), key=str), sorted(dict(case.headers).items(), key=str), sorted(case.path_parameters.items(), key=str)))
    # A cryptographic digest: a CRC of near-identical cases (the coverage phase's) is skewed.
    drawn = int.from_bytes(hashlib.sha256(generated.encode()).digest()[:8], "big")
    return None if drawn % STEER_SKIP == 0 else drawn // STEER_SKIP


# Headers that frame the HTTP message rather than call the API. Schemathesis may add any header
# (a random `Content-Length: `vvu`); an HTTP server refuses a malformed one before any app
# sees the request (granian: an empty 400), the vendor's as well, so they judge no API.
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection", "host", "expect", "te", "trailer", "upgrade"})


def drop_framing_headers(case: Any) -> None:
    if case.headers:
        for name in [n for n in case.headers if n.lower() in FRAMING_HEADERS]:
            del case.headers[name]


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    drop_framing_headers(case)
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return case
    make_valid(case)
    run = settings()
    if not run.steer:
        return case
    base_url = case.operation.schema.get_base_url()
    drawn = _pick(case)
    if drawn is None or known.identity(case.formatted_path, case.query or {}, case.headers or {}) in known_identities(base_url, run):
        return case  # left as generated, or already known (a documented example)
    fixed = case.operation.schema.config.headers_for(operation=case.operation)
    candidates = _candidates(base_url, run, case.operation.path, tuple(sorted(fixed.items())))
    if not candidates:
        return case
    chosen = candidates[drawn % len(candidates)]
    query, headers = dict(chosen.query), dict(chosen.headers)
    match = LEVELUP_CAMPAIGN.match(chosen.path)
    if match and "id" in case.path_parameters:
        case.path_parameters["id"] = int(match.group(1)) if match.group(1).isdigit() else match.group(1)
    if isinstance(case.query, dict) and not match:
        for name in known.IDENTITY_QUERY:
            case.query.pop(name, None)
        case.query.update({k: (int(v) if re.fullmatch(r"\d+", v) else v) for k, v in query.items() if k in known.IDENTITY_QUERY})
        if "auth_method" in case.query:  # says which of the credentials below is in use
            case.query["auth_method"] = _auth_method(headers)
    if case.headers is None:
        case.headers = {}
    for name in known.CREDENTIAL_HEADERS:
        case.headers.pop(name, None)
    case.headers.update({k: v for k, v in headers.items() if k in known.CREDENTIAL_HEADERS})
    return case


@schemathesis.hook
def before_add_examples(context: Any, examples: list[Any]) -> None:
    """The examples phase's cases (the spec's examples) do not pass through map_case in
    Schemathesis 4.32.5: mend and steer them here, or the documented example request (which
    carries the spec's example `Authorization: Bearer ...` beside the session) would name no
    known credentials, and a server refusing everything would pass `--phases examples`."""
    for i, case in enumerate(examples):
        examples[i] = map_case(context, case)


class KnownRequestRefused(Failure):
    """A valid request for known ids with known credentials was not answered with 2xx."""

    code = "ST902"
    kind_title = "Known request refused"


def is_known(case: Any, response: Any) -> bool:
    """The request as sent names ids and credentials the server is known to serve."""
    exchange = from_schemathesis(case, response)
    base_url = case.operation.schema.get_base_url()
    path = exchange.path.removeprefix(_base_path(base_url))  # as the known requests are: from the base URL on
    sent = known.identity(path, exchange.query, exchange.request_headers)
    return sent in known_identities(base_url, settings())


def known_request_succeeds(ctx: Any, response: Any, case: Any) -> bool | None:
    """A positive request for a known chain, user, campaign or LevelUp campaign, with known
    credentials (steered ones, the documented examples), is answered with 2xx: a server that
    serves nothing ("chain not found" to everyone) fails here."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or 200 <= response.status_code < 300:
        return None
    if not is_known(case, response) or sent_request_breaks_contract(case, response) is not None:
        return None
    exchange = from_schemathesis(case, response)
    error = exchange.spaaza_error()
    said = f" ({error.get('code')} {error.get('name')})" if error else ""
    raise KnownRequestRefused(
        operation=case.operation.label, title="Known request refused",
        message=f"{case.method} {exchange.path} for known ids and credentials was answered {response.status_code}{said}, expected 2xx",
    )


assert known_request_succeeds.__name__ == known.CHECK_NAME  # the name check's --check accepts
schemathesis.check(known_request_succeeds)


# --- failure filter -------------------------------------------------------------------


# Spaaza answers a well-formed request about something that does not exist, or that the
# session may not see, with 400/500 and one of these codes (the catalogue's statuses).
# A positive case meeting one of them is not a rejected valid request, unless it named known
# ids with known credentials (then known_request_succeeds fails too); the others (419,
# 154, 245, 247, 267, 416, 228, 265, ...) mean the server refused a value the schema allows.
LOOKUP_ERRORS = frozenset({68, 217, 238, 246, 264, 269, 270, 405, 424, 449})


def not_really_rejected(case: Any, response: Any) -> str | None:
    """Why an ST202 (positive data rejected) is not one, or None when it stands."""
    reason = sent_request_breaks_contract(case, response)
    if reason is not None:
        return f"the request as sent breaks the contract: {reason}"
    error = from_schemathesis(case, response).spaaza_error()
    if error is not None and error.get("code") in LOOKUP_ERRORS and not is_known(case, response):
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
