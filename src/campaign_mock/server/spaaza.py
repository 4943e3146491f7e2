"""Spaaza: GET /get-campaigns, /internal/get-campaigns and /get-campaign.

Each request is checked in the order below; the first failure is the answer. README
"Which request produces which error" lists a natural request for each code.
  1. X-Spaaza-API-Version and the query parameters (419, 154, 267, 416, 228, 245, 247)
  2. who is asking: session headers or a bearer token (6, 265, 266); campaign_type
     content/mobile_content alone needs no session
  3. the chain or campaign (217, 246; get-campaign's optional chain_id: 217, then 405)
  4. may they read it: admin read access (68); a user session's app (269, 238, 264, 405)
  5. whose progress: the user asked for (270, 424; 6 when no session asks for a user)
  6. get-campaign only: is the campaign active (449)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from werkzeug import Request
from werkzeug.routing import Rule

from campaign_mock.contract import load_contract
from campaign_mock.contract.facts import BOOLEANS, CURRENT_API_VERSION, NO_SESSION_TYPES, ORDER_BY, USER_ID_MAX_DIGITS, USER_IDENTIFIERS, USERNAME_PATTERN, parse_version
from campaign_mock.server.digits import is_digits, parse_digits
from campaign_mock.server.errors import SpaazaFailure
from campaign_mock.world import World
from campaign_mock.world.model import Chain, SpaazaSession
from campaign_mock.world.views import CampaignQuery, active_now, exists_now, get_campaign, get_campaigns

AUTH_METHODS = ("session", "bearer")
_EMAIL = re.compile(USERNAME_PATTERN)


def get_campaigns_view(world: World, request: Request) -> dict:
    return answer_get_campaigns(world, request.args, request.headers)


def get_campaign_view(world: World, request: Request) -> dict:
    return answer_get_campaign(world, request.args, request.headers)


# The routes (server/pipeline.py): each endpoint is a view(world, request, **path values). GET
# only (werkzeug adds HEAD); any other method, OPTIONS included, is the vendor's 405 with Allow.
RULES = (
    Rule("/get-campaigns", endpoint=get_campaigns_view, methods=["GET"]),
    Rule("/internal/get-campaigns", endpoint=get_campaigns_view, methods=["GET"]),
    Rule("/get-campaign", endpoint=get_campaign_view, methods=["GET"]),
)


# --- parsing ------------------------------------------------------------------------


# An id the spec leaves unbounded but that is longer than any id: well-formed, names nothing.
_NO_SUCH_ID = -1


def _integer(value: str, code: int, digits: int | None = None) -> int:
    """An integer parameter, `code` unless ASCII digits (at most `digits` where the docs set a
    limit). A negative one, or one longer than any id, is well-formed and then not found."""
    unsigned = value.removeprefix("-")
    if not is_digits(unsigned) or (digits is not None and len(unsigned) > digits):
        raise SpaazaFailure(code)
    number = parse_digits(unsigned)
    if number is None:
        return _NO_SUCH_ID
    return -number if value.startswith("-") else number


def _boolean(args, name: str) -> bool | None:
    value = args.get(name)
    if value is None:
        return None
    if value.lower() not in BOOLEANS:
        raise SpaazaFailure(419)
    return BOOLEANS[value.lower()]


def _version(headers) -> tuple[int, int, int]:
    text = headers.get("X-Spaaza-API-Version")
    if text is None:
        return CURRENT_API_VERSION
    version = parse_version(text.strip())
    if version is None:
        raise SpaazaFailure(419)
    return version


def _user_identifier(args) -> tuple[str, str | int] | None:
    given = [name for name in USER_IDENTIFIERS if name in args]
    if len(given) > 1:
        raise SpaazaFailure(416)
    if not given:
        return None
    name, value = given[0], args[given[0]]
    if name == "user_id":
        return name, _integer(value, 154, digits=USER_ID_MAX_DIGITS)
    if name == "username" and not _EMAIL.match(value):
        raise SpaazaFailure(267)
    return name, value  # any other string is well-formed; one that names nobody is 270


def _types(args) -> frozenset[str] | None:
    text = args.get("campaign_type")
    if text is None:
        return None
    types = frozenset(t.strip() for t in text.split(","))
    if not types <= frozenset(load_contract().campaign_types):
        raise SpaazaFailure(419)
    return types


@dataclass(frozen=True)
class _Request:
    query: CampaignQuery
    identifier: tuple[str, str | int] | None
    auth_method: str | None


def _parse(args, headers, *, with_types: bool) -> _Request:
    version = _version(headers)
    identifier = _user_identifier(args)
    order_by = args.get("order_by", "created_date")
    if order_by not in ORDER_BY:
        raise SpaazaFailure(419)
    auth_method = args.get("auth_method")
    if auth_method is not None and auth_method not in AUTH_METHODS:
        raise SpaazaFailure(228)
    full = _boolean(args, "display_full_campaign")
    query = CampaignQuery(
        full=True if full is None else full,
        types=_types(args) if with_types else None,
        order_by=order_by,
        exclude_inactive=_boolean(args, "exclude_inactive"),
        version=version,
    )
    return _Request(query, identifier, auth_method)


# --- who is asking ------------------------------------------------------------------


def _session(world: World, headers, auth_method: str | None, anonymous_ok: bool) -> SpaazaSession | None:
    user_id, key = headers.get("X-Spaaza-Session-User-Id"), headers.get("X-Spaaza-Session-Key")
    authorization = headers.get("Authorization")
    use_bearer = auth_method == "bearer" or (auth_method is None and authorization is not None and user_id is None and key is None)
    if use_bearer:
        match = re.fullmatch(r"Bearer (\S+)", (authorization or "").strip(), re.IGNORECASE)  # schemes are case-insensitive
        if match is None:
            raise SpaazaFailure(265)
        session = world.spaaza.find_session_by_token(match.group(1))
        if session is None:
            raise SpaazaFailure(266)
        return session
    if user_id is None and key is None and anonymous_ok:
        return None
    session = world.spaaza.sessions.get(parse_digits(user_id))
    if session is None or session.key != key:
        raise SpaazaFailure(6)
    return session


def _check_access(world: World, session: SpaazaSession | None, chain: Chain, headers) -> None:
    """`chain` is the resolved chain, never an alias id: a session lists the chain's own id."""
    if session is None:
        return
    if session.role == "admin":
        if chain.id not in session.chain_ids:
            raise SpaazaFailure(68)
        return
    hostname = headers.get("X-Spaaza-MyPrice-App-Hostname")
    if hostname is None:
        raise SpaazaFailure(269)
    # Present but naming no app is 238, an empty value included: granian hands a value that is
    # not visible ASCII (invalid UTF-8, say) to the app as "".
    app = world.spaaza.apps.get(hostname.strip().lower())
    if app is None:
        raise SpaazaFailure(238)
    if app.chain_id is None:
        raise SpaazaFailure(264)
    if world.spaaza.chain(app.chain_id) is not chain or chain.id not in session.chain_ids:
        raise SpaazaFailure(405)


def _progress_user(world: World, session: SpaazaSession | None, identifier, chain_id: int) -> int | None:
    """Whose user_progress the answer shows. A user session only ever sees its own."""
    if session is None:
        if identifier is not None:
            raise SpaazaFailure(6)  # user data needs a session
        return None
    user = world.spaaza.find_user(*identifier) if identifier else None
    if session.role == "user":
        if identifier is not None and (user is None or user.user_id != session.user_id):
            raise SpaazaFailure(424)
        return session.user_id
    if identifier is None:
        return None
    chain = world.spaaza.chain(chain_id)
    if user is None or chain is None or user.chain_id != chain.id:
        raise SpaazaFailure(270)
    return user.user_id


# --- the operations -----------------------------------------------------------------


def answer_get_campaigns(world: World, args, headers) -> dict:
    parsed = _parse(args, headers, with_types=True)
    chain_id = args.get("chain_id")
    if chain_id is None:
        raise SpaazaFailure(419)
    chain_id = _integer(chain_id, 419)
    types = parsed.query.types
    session = _session(world, headers, parsed.auth_method, anonymous_ok=types is not None and types <= NO_SESSION_TYPES)
    chain = world.spaaza.chain(chain_id)
    if chain is None:
        raise SpaazaFailure(217)
    _check_access(world, session, chain, headers)
    user_id = _progress_user(world, session, parsed.identifier, chain.id)
    return get_campaigns(world, chain, replace(parsed.query, user_id=user_id))


def answer_get_campaign(world: World, args, headers) -> dict:
    parsed = _parse(args, headers, with_types=False)
    campaign_id = args.get("campaign_id")
    if campaign_id is None:
        raise SpaazaFailure(245)
    campaign_id = _integer(campaign_id, 247)
    chain_arg = _integer(args["chain_id"], 419) if "chain_id" in args else None
    session = _session(world, headers, parsed.auth_method, anonymous_ok=False)
    found = world.spaaza.campaigns.get(campaign_id)
    if found is None or found[1]["is_deleted"] or not exists_now(world, found[1]):
        raise SpaazaFailure(246)
    chain, campaign = found
    if chain_arg is not None:
        named = world.spaaza.chain(chain_arg)
        if named is None:
            raise SpaazaFailure(217)
        if named is not chain:
            raise SpaazaFailure(405)
    _check_access(world, session, chain, headers)
    user_id = _progress_user(world, session, parsed.identifier, chain.id)
    if not active_now(world, campaign):
        raise SpaazaFailure(449)
    return get_campaign(world, campaign, replace(parsed.query, user_id=user_id))
