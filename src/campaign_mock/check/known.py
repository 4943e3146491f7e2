"""Known requests: requests the server being checked must answer with 2xx. They steer
generated cases (checks.py puts their ids and credentials into most positive cases) and they
are the bar a server must clear (a positive request whose ids and credentials are those of a
known request is not excused by a "not found" or "no access" answer).

Where they come from, in this order of preference (the checker may not read the generator,
ARCHITECTURE.md, so it learns a world from what the world itself publishes):
- a fixtures manifest (`campaign-mock fixtures` writes manifest.json: every request and the
  status it gets; the 200s are taken), named with `check --fixtures`;
- the mock's `GET /__mock/world` (chains with admin sessions, users with every identifier and
  their sessions, campaign ids by type, LevelUp tokens and representations), when it answers;
- always: the documented credentials and ids (world/documented.py) and the ids the user names
  (`--chain-id`, `--progress-user-id`): what a real vendor's sandbox can be steered with.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from campaign_mock.contract.facts import MANAGE_USER_CAMPAIGNS, USER_IDENTIFIERS
from campaign_mock.contract.operations import LEVELUP_CAMPAIGN, levelup_path
from campaign_mock.exceptions import CheckError
from campaign_mock.world import documented

__all__ = ["KnownRequest", "documented_requests", "from_manifest", "from_world", "identity"]

# The query parameters that name what a request is about, and the headers that say who asks.
IDENTITY_QUERY = ("chain_id", "campaign_id", *USER_IDENTIFIERS)
CREDENTIAL_HEADERS = ("X-Spaaza-Session-User-Id", "X-Spaaza-Session-Key", "X-Spaaza-MyPrice-App-Hostname", "Authorization")
# The check (checks.py) that holds a server to its known requests.
CHECK_NAME = "known_request_succeeds"


@dataclass(frozen=True)
class KnownRequest:
    path: str  # concrete: /get-campaigns, /v15/campaigns/20/basic_v1
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, path: str, query: Mapping[str, Any], headers: Mapping[str, str]) -> "KnownRequest":
        return cls(path, tuple((k, str(v)) for k, v in query.items()), tuple(headers.items()))


def operation_key(path: str) -> str:
    """/internal/get-campaigns behaves as /get-campaigns (same parameters, same answers)."""
    return "/get-campaigns" if path.rstrip("/").endswith("/internal/get-campaigns") else path


def identity(path: str, query: Mapping[str, Any], headers: Mapping[str, str]) -> tuple:
    """What makes a request "known": its path, its identifying ids and its credentials. The
    other parameters (filters, order, version) vary freely and must not matter for a 2xx."""
    lowered = {k.lower(): str(v) for k, v in headers.items()}
    credentials = [(h, lowered[h.lower()]) for h in CREDENTIAL_HEADERS if h.lower() in lowered]
    if not LEVELUP_CAMPAIGN.match(path):  # Spaaza reads Authorization only as a Bearer token
        credentials = [(h, v) for h, v in credentials if h != "Authorization" or v.startswith("Bearer ")]
    return (operation_key(path), tuple((k, str(query[k])) for k in IDENTITY_QUERY if k in query), tuple(credentials))


def documented_requests(
    spaaza_headers: Mapping[str, str], levelup_headers: Mapping[str, str], chain_id: int, progress_user_id: int | None
) -> list[KnownRequest]:
    """The documented ids with the credentials in use, and the ids the user named."""
    known = [KnownRequest.of("/get-campaigns", {"chain_id": chain_id}, spaaza_headers)]
    if chain_id == documented.CHAIN_ID:  # the documented request names the alias
        known.append(KnownRequest.of("/get-campaigns", {"chain_id": documented.CHAIN_ALIAS}, spaaza_headers))
    if progress_user_id is not None:
        known.append(KnownRequest.of("/get-campaigns", {"chain_id": chain_id, "user_id": progress_user_id}, spaaza_headers))
    if chain_id == documented.CHAIN_ID:
        for campaign in documented.spaaza_campaigns():
            if campaign.get("active") is False or campaign.get("is_active") is False:
                continue  # get-campaign refuses an inactive campaign (449)
            known.append(KnownRequest.of("/get-campaign", {"campaign_id": campaign["id"]}, spaaza_headers))
    for cid, (_kind, representations) in documented.LEVELUP_CAMPAIGNS.items():
        for representation in representations:
            known.append(KnownRequest.of(levelup_path(cid, representation), {}, levelup_headers))
    for (cid, representation) in documented.LEVELUP_ALIASES:
        known.append(KnownRequest.of(levelup_path(cid, representation), {}, levelup_headers))
    return known


def from_manifest(path: Path) -> list[KnownRequest]:
    """The requests a fixtures manifest records as answered with 200."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        entries = manifest["files"]
        return [
            KnownRequest.of(e["request"]["path"], e["request"].get("query", {}), e["request"].get("headers", {}))
            for e in entries
            if e.get("status") == 200 and e["request"].get("method", "GET") == "GET"
        ]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise CheckError(f"--fixtures {path}: not a fixtures manifest ({type(e).__name__}: {e})") from None


def _session(user_id: Any, key: Any, hostname: Any = None) -> dict[str, str]:
    headers = {"X-Spaaza-Session-User-Id": str(user_id), "X-Spaaza-Session-Key": str(key)}
    if hostname:
        headers["X-Spaaza-MyPrice-App-Hostname"] = str(hostname)
    return headers


def from_world(world: Mapping[str, Any]) -> list[KnownRequest]:
    """The requests a `GET /__mock/world` answer vouches for (its shape: runtime interface)."""
    try:
        return _from_world(world)
    except (KeyError, TypeError, AttributeError, ValueError) as e:
        raise CheckError(f"GET /__mock/world: not the shape the runtime interface describes ({type(e).__name__}: {e})") from None


def _from_world(world: Mapping[str, Any]) -> list[KnownRequest]:
    known: list[KnownRequest] = []
    for chain in world.get("spaaza", {}).get("chains", []):
        chain_id, admin = chain["chain_id"], chain.get("admin")
        if not admin:
            continue
        as_admin = _session(admin["user_id"], admin["session_key"])
        known.append(KnownRequest.of("/get-campaigns", {"chain_id": chain_id}, as_admin))
        for user in chain.get("users", []):
            for name in USER_IDENTIFIERS:
                if user.get(name) not in (None, ""):
                    known.append(KnownRequest.of("/get-campaigns", {"chain_id": chain_id, name: user[name]}, as_admin))
            hostname = user.get("app_hostname") or chain.get("app_hostname")
            if user.get("session_key") and hostname:
                known.append(KnownRequest.of("/get-campaigns", {"chain_id": chain_id}, _session(user["user_id"], user["session_key"], hostname)))
        # campaigns_by_type is not used for get-campaign: it may list inactive campaigns, which
        # get-campaign refuses (449); get-campaigns of the chain reaches every type anyway.
    levelup = world.get("levelup", {})
    tokens = [t["token"] for t in levelup.get("tokens", []) if MANAGE_USER_CAMPAIGNS in t.get("permissions", [MANAGE_USER_CAMPAIGNS])]
    for campaign_id, representations in levelup.get("representations", {}).items():
        for i, representation in enumerate(representations):
            if tokens:  # spread the tokens over the campaigns, one each
                token = tokens[(int(campaign_id) + i) % len(tokens)] if str(campaign_id).isdigit() else tokens[0]
                known.append(KnownRequest.of(levelup_path(campaign_id, representation), {}, {"Authorization": f"token {token}"}))
    return known


def for_operation(known: Iterable[KnownRequest], template: str) -> list[KnownRequest]:
    """The known requests an operation (by its path template) can be steered to."""
    if "{" in template:
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
        return [k for k in known if pattern.match(k.path)]
    key = operation_key(template)
    return [k for k in known if operation_key(k.path) == key]
