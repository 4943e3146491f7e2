"""What a world holds and how to reach it, for the admin API (pure: a World in, JSON out).

- `describe`: GET /__mock/world, everything at once, so that nobody has to read code or guess
  a credential (chains, their admin sessions and app hostnames, every user with all six
  identifiers and their session, LevelUp tokens, campaign ids by type).
- `chains_page`, `chain_detail`, `user_detail`, `merchants_page`, `merchant_detail`,
  `levelup_users_page`: the same world a page or one entity at a time (GET .../world/chains
  and below), quick in the largest world, with activity judged at the world's clock. Each
  entity carries the vendor `request` that shows it: method, path, query and headers.
- `repeat_request`: a journal entry's request with the credentials the journal masked put
  back from the world (the console's "curl to repeat it")."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Sequence

from campaign_mock.contract.facts import MANAGE_USER_CAMPAIGNS
from campaign_mock.contract.operations import levelup_path
from campaign_mock.masking import mask
from campaign_mock.world import documented
from campaign_mock.world.levelup import required_progress
from campaign_mock.world.model import Chain, Json, LevelUpCampaign, SpaazaSession, SpaazaWorld, World
from campaign_mock.world.spaaza import WALLET_TYPES
from campaign_mock.world.views import active_now, current_count_now, exists_now, levelup_exists_now, levelup_progress_now, user_progress_now

__all__ = ["chain_detail", "chains_page", "describe", "levelup_users_page", "merchant_detail", "merchants_page", "repeat_request", "user_detail"]

# The headers a vendor answer depends on (the rest of what a client sends is transport).
REPEATED_HEADERS = ("authorization", "x-mock-error", "x-mock-delay-ms")
REPEATED_PREFIX = "x-spaaza-"


def describe(world: World) -> dict:
    spaaza, levelup = world.spaaza, world.levelup
    aliases = _aliases(spaaza)
    hostnames = _hostnames(spaaza)
    admins = _admins(spaaza)
    users = defaultdict(list)
    for user in sorted(spaaza.users.values(), key=lambda u: u.user_id):
        users[user.chain_id].append(user)

    chains = []
    for chain_id in sorted(spaaza.chains):
        chain = spaaza.chains[chain_id]
        app_hostname = hostnames.get(chain_id)
        by_type = defaultdict(list)
        for c in chain.campaigns:
            if exists_now(world, c):  # (a clock moved back before it was created)
                by_type[c["type"]].append(c["id"])
        chains.append({
            "chain_id": chain_id,
            "name": chain.name,
            "aliases": aliases[chain_id],
            "admin": _session(admins.get(chain_id)),
            "app_hostname": app_hostname,
            "users": [
                {**u.identifiers(), "session_key": spaaza.sessions[u.user_id].key if u.user_id in spaaza.sessions else None, "app_hostname": app_hostname}
                for u in users[chain_id]
            ],
            "campaigns_by_type": {t: ids for t, ids in sorted(by_type.items())},
        })
    by_kind = defaultdict(list)
    opened = _levelup_campaigns(world)
    for campaign in opened:
        by_kind[campaign.kind].append(campaign.id)
    return {
        "spaaza": {"chains": chains, "unlinked_app_hostnames": sorted(a.hostname for a in spaaza.apps.values() if a.chain_id is None)},
        "levelup": {
            "tokens": [{"user_id": t.user_id, "token": t.token, "permissions": sorted(t.permissions)} for t in sorted(levelup.tokens.values(), key=lambda t: t.user_id)],
            "campaigns_by_kind": dict(sorted(by_kind.items())),
            "representations": {str(c.id): sorted(c.bodies) for c in opened},
        },
        "clock": world.clock.isoformat(),
    }


# --- who reads what -----------------------------------------------------------------


def _aliases(spaaza: SpaazaWorld) -> defaultdict[int, list[int]]:
    found = defaultdict(list)
    for alias, target in sorted(spaaza.chain_aliases.items()):
        found[target].append(alias)
    return found


def _hostnames(spaaza: SpaazaWorld) -> dict[int | None, str]:
    """Each chain's app hostname (the first by name where a chain has several)."""
    found: dict[int | None, str] = {}
    for app in sorted(spaaza.apps.values(), key=lambda a: a.hostname):
        found.setdefault(app.chain_id, app.hostname)
    return found


def _admins(spaaza: SpaazaWorld) -> dict[int, SpaazaSession]:
    """Each chain's admin session: the docs' admin where it is one of them (what a reader of
    the docs tries first), else the lowest user id."""
    found: dict[int, SpaazaSession] = {}
    for session in sorted(spaaza.sessions.values(), key=lambda s: (s.user_id != documented.ADMIN_USER_ID, s.user_id)):
        if session.role == "admin":
            for chain_id in session.chain_ids:
                found.setdefault(chain_id, session)
    return found


def _session(session: SpaazaSession | None) -> dict | None:
    return None if session is None else {"user_id": session.user_id, "session_key": session.key, "bearer_token": session.access_token or None}


def _request(path: str, query: str, headers: dict[str, str]) -> dict:
    return {"method": "GET", "path": path, "query": query, "headers": headers}


def _admin_headers(session: SpaazaSession) -> dict[str, str]:
    return {"X-Spaaza-Session-User-Id": str(session.user_id), "X-Spaaza-Session-Key": session.key}


def _page(items: Sequence, offset: int, limit: int) -> tuple[dict, Sequence]:
    return {"total": len(items), "offset": offset, "limit": limit}, items[offset : offset + limit]


# --- Spaaza ---------------------------------------------------------------------------


def chains_page(world: World, q: str, offset: int, limit: int) -> dict:
    """Chains by id; `q` keeps those whose id, alias or name holds it (any case)."""
    spaaza = world.spaaza
    aliases, admins, hostnames = _aliases(spaaza), _admins(spaaza), _hostnames(spaaza)
    needle = q.strip().lower()
    chosen = [
        c for c in (spaaza.chains[i] for i in sorted(spaaza.chains))
        if not needle or needle in str(c.id) or needle in c.name.lower() or any(needle in str(a) for a in aliases[c.id])
    ]
    page, shown = _page(chosen, offset, limit)
    users = Counter(u.chain_id for u in spaaza.users.values())
    page["chains"] = [
        {"chain_id": c.id, "name": c.name, "aliases": aliases[c.id], "admin": _session(admins.get(c.id)), "app_hostname": hostnames.get(c.id), "users": users[c.id], "campaigns": sum(exists_now(world, k) for k in c.campaigns)}
        for c in shown
    ]
    return page


def chain_detail(world: World, chain_id: int) -> dict | None:
    """A chain (or the chain an alias names): its admin session, campaigns with their type,
    activity at the world's clock and dates (listed ones newest first, then the deleted), and
    users; None if there is none."""
    spaaza = world.spaaza
    chain = spaaza.chain(chain_id)
    if chain is None:
        return None
    admin = _admins(spaaza).get(chain.id)
    currency = spaaza.currencies.get(chain.currency_id) or {}
    return {
        "chain_id": chain.id,
        "name": chain.name,
        "currency": currency.get("code"),
        "aliases": _aliases(spaaza)[chain.id],
        "admin": _session(admin),
        "app_hostname": _hostnames(spaaza).get(chain.id),
        "clock": world.clock.isoformat(),
        "request": None if admin is None else _request("/get-campaigns", f"chain_id={chain.id}&exclude_inactive=false", _admin_headers(admin)),
        "campaigns": [_campaign(world, chain, c, listed, admin) for listed, kept in ((True, chain.campaigns), (False, chain.unlisted)) for c in kept if exists_now(world, c)],
        "users": [
            {"user_id": u.user_id, "first_name": u.first_name, "last_name": u.last_name, "member_number": u.member_number, "username": u.username}
            for u in sorted((u for u in spaaza.users.values() if u.chain_id == chain.id), key=lambda u: u.user_id)
        ],
    }


def _campaign(world: World, chain: Chain, c: Json, listed: bool, admin: SpaazaSession | None) -> dict:
    active = active_now(world, c)
    request = None
    if admin is not None and listed:
        # get-campaign answers an active campaign only (449 otherwise); get-campaigns lists any.
        query = f"campaign_id={c['id']}" if active else f"chain_id={chain.id}&campaign_type={c['type']}&exclude_inactive=false"
        request = _request("/get-campaign" if active else "/get-campaigns", query, _admin_headers(admin))
    return {
        "id": c["id"], "type": c["type"], "title": c.get("title"), "active": active, "listed": listed,
        "created_date": c.get("created_date"), "active_date_from": c.get("active_date_from"), "active_date_until": c.get("active_date_until"),
        "request": request,
    }


def user_detail(world: World, user_id: int) -> dict | None:
    """An end user: the six identifiers, session, app hostname, progress in each campaign of
    the chain that has any, and wallets (balances); None if there is none."""
    spaaza = world.spaaza
    user = spaaza.users.get(user_id)
    if user is None:
        return None
    chain = spaaza.chains[user.chain_id]
    session = spaaza.sessions.get(user_id)
    hostname = _hostnames(spaaza).get(chain.id)
    progress, wallets = [], []
    now = user_progress_now(world, chain, user_id)  # as the answers show it at the clock
    for c in (*chain.campaigns, *chain.unlisted):
        shown = now.get(c["id"])
        if shown is None:
            continue
        about = {"campaign_id": c["id"], "type": c["type"], "title": c.get("title"), "active": active_now(world, c), "deleted": bool(c.get("is_deleted"))}
        if c["type"] in WALLET_TYPES:
            currency = shown.get("currency") or {}
            wallets.append({**about, "currency": currency.get("code"), "saved_amount": shown.get("saved_amount"), "total_amount": shown.get("total_amount"), "is_redeemable": shown.get("is_redeemable")})
        else:
            count = current_count_now(world, c, user_id)
            progress.append({**about, "user_progress": shown, **({"current_count": count} if count is not None else {})})
    request: dict | None = None
    if session is not None:
        headers = {**_admin_headers(session), **({"X-Spaaza-MyPrice-App-Hostname": hostname} if hostname else {})}
        request = _request("/get-campaigns", f"chain_id={chain.id}", headers)
    else:
        admin = _admins(spaaza).get(chain.id)
        if admin is not None:
            request = _request("/get-campaigns", f"chain_id={chain.id}&user_id={user_id}", _admin_headers(admin))
    return {
        "user_id": user.user_id,
        "chain_id": chain.id,
        "chain_name": chain.name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "identifiers": user.identifiers(),
        "session": _session(session),
        "app_hostname": hostname,
        "clock": world.clock.isoformat(),
        "request": request,
        "progress": progress,
        "wallets": wallets,
    }


# --- LevelUp --------------------------------------------------------------------------


def _reader(world: World) -> str | None:
    """A token that may read every campaign: the docs' where it is there."""
    tokens = sorted(world.levelup.tokens.values(), key=lambda t: (t.user_id != documented.LEVELUP_USER_ID, t.user_id))
    return next((t.token for t in tokens if MANAGE_USER_CAMPAIGNS in t.permissions), None)


def _levelup_request(campaign: LevelUpCampaign, token: str) -> dict:
    """The representation that shows the token user's progress (basic_v1 shows none)."""
    representation = next((r for r in sorted(campaign.bodies) if r != "basic_v1"), "basic_v1")
    return _request(levelup_path(campaign.id, representation), "", {"Authorization": f"token {token}"})


def merchants_page(world: World, offset: int, limit: int) -> dict:
    by_merchant: defaultdict[int, list[LevelUpCampaign]] = defaultdict(list)
    for campaign in _levelup_campaigns(world):
        by_merchant[campaign.merchant_id].append(campaign)
    page, shown = _page(sorted(by_merchant), offset, limit)
    page["merchants"] = [{"merchant_id": m, "campaigns": len(by_merchant[m]), "kinds": sorted({c.kind for c in by_merchant[m]})} for m in shown]
    return page


def merchant_detail(world: World, merchant_id: int) -> dict | None:
    """A merchant's campaigns: kind, title, representations, each token user's progress
    against what the campaign requires; None if the merchant has none."""
    levelup = world.levelup
    campaigns = [c for c in _levelup_campaigns(world) if c.merchant_id == merchant_id]
    if not campaigns:
        return None
    users = sorted({t.user_id for t in levelup.tokens.values()})
    reader = _reader(world)
    return {
        "merchant_id": merchant_id,
        "campaigns": [
            {
                "id": c.id, "kind": c.kind, "title": _levelup_title(c), "representations": sorted(c.bodies), "required": required_progress(c),
                "progress": [{"user_id": u, "progress": levelup_progress_now(world, c, u)} for u in users],
                "request": None if reader is None else _levelup_request(c, reader),
            }
            for c in campaigns
        ],
    }


def _levelup_campaigns(world: World) -> list[LevelUpCampaign]:
    """The LevelUp campaigns open at the world's clock, by id."""
    return sorted((c for c in world.levelup.campaigns.values() if levelup_exists_now(world, c)), key=lambda c: c.id)


def _levelup_title(campaign: LevelUpCampaign) -> str | None:
    return next((b["campaign"]["title"] for b in campaign.bodies.values() if "title" in b["campaign"]), None)


def levelup_users_page(world: World, offset: int, limit: int) -> dict:
    levelup = world.levelup
    page, shown = _page(sorted(levelup.tokens.values(), key=lambda t: t.user_id), offset, limit)
    first = next(iter(_levelup_campaigns(world)), None)
    page["users"] = [
        {"user_id": t.user_id, "token": t.token, "permissions": sorted(t.permissions), "request": None if first is None else _levelup_request(first, t.token)}
        for t in shown
    ]
    return page


# --- the journal's requests, repeatable -----------------------------------------------


def repeat_request(world: World, entry: dict) -> dict:
    """A journal entry's request with the headers an answer depends on, each secret the
    journal masked put back where the world holds exactly one credential of that mask;
    `masked` names the headers left masked (a credential the world does not hold)."""
    headers, masked = {}, []
    sent = {name.lower(): value for name, value in entry["headers"].items()}
    for name, value in entry["headers"].items():
        lower = name.lower()
        if not (lower.startswith(REPEATED_PREFIX) or lower in REPEATED_HEADERS):
            continue
        if lower in ("x-spaaza-session-key", "authorization"):
            found = _unmasked(world, lower, value, sent.get("x-spaaza-session-user-id", ""))
            if found is None:
                masked.append(name)
            value = found or value
        headers[name] = value
    return {"seq": entry["seq"], "method": entry["method"], "path": entry["path"], "query": entry["query_string"], "headers": headers, "masked": masked}


def _unmasked(world: World, name: str, shown: str, session_user: str) -> str | None:
    if name == "x-spaaza-session-key":
        session = world.spaaza.sessions.get(int(session_user)) if session_user.isascii() and session_user.isdigit() and len(session_user) <= 18 else None
        candidates = [session.key] if session is not None else []
    else:  # Authorization: "token <LevelUp token>" or "Bearer <Spaaza access token>", any case
        scheme = shown.partition(" ")[0] if " " in shown else ""
        kind = scheme.lower()
        secrets = list(world.levelup.tokens) if kind == "token" else [s.access_token for s in world.spaaza.sessions.values() if s.access_token] if kind == "bearer" else []
        candidates = [f"{scheme} {s}" for s in secrets]
    found = [c for c in candidates if mask(c) == shown]
    return found[0] if len(found) == 1 else None
