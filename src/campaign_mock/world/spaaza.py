"""Generates Spaaza chains: campaigns of every type, users, sessions, apps and each user's
progress, consistent with each other (the rules: world/consistency.py; README "What consistent
means"). A chain's campaigns come from spaaza_campaign.py, its users' progress from
spaaza_progress.py; this module puts a chain together.

A chain is generated from a ChainSpec alone, so chains can be built one at a time and
streamed (fixtures for 10^5 campaigns need no more memory than one chain)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Mapping

from campaign_mock.world.domain import CURRENCY_BY_CODE, MONEY_CURRENCIES, loyalty_wallet, parse_time, wallet_flows
from campaign_mock.world.model import Chain, Json, MyPriceApp, SpaazaSession, SpaazaUser
from campaign_mock.world.providers import Draws, pools, secret
from campaign_mock.world.spaaza_campaign import DAY, ChainContext, make_campaign
from campaign_mock.world.spaaza_progress import Member, current_count, make_user, progress_for, role_of
from campaign_mock.world.specs import EDITOR_SUFFIX, WALLET_TYPES, ChainSpec, UserSpec, campaign_ids


@dataclass(frozen=True)
class ChainParts:
    """One generated chain and everything that hangs off it."""

    chain: Chain
    users: tuple[SpaazaUser, ...]
    sessions: tuple[SpaazaSession, ...]
    apps: tuple[MyPriceApp, ...]
    progress: Mapping[tuple[int, int], Json]
    # (user_id, campaign_id) -> the user's item_purchase_count current_count (API 1.5.0).
    current_counts: Mapping[tuple[int, int], int] = field(default_factory=dict)


@dataclass(frozen=True)
class Given:
    """What a chain brings that the generator does not make (the documented chain): its own
    campaigns, listed and not, name, currency, app and sessions."""

    campaigns: tuple[Json, ...] = ()
    unlisted: tuple[Json, ...] = ()
    name: str | None = None
    currency_id: int | None = None
    app: MyPriceApp | None = None
    sessions: tuple[SpaazaSession, ...] = ()


def generate_chain(seed: int, spec: ChainSpec, clock: datetime, progress_format: Callable[[str], str | None], given: Given = Given()) -> ChainParts:
    """`progress_format(type)` comes from the contract; `given` is what the chain brings
    (the documented chain's own campaigns and sessions)."""
    d = Draws(seed, "chain", spec.id)
    p = pools(seed)
    name = spec.name or given.name or d.pick("name", p.companies)
    currency_id = CURRENCY_BY_CODE[spec.currency] if spec.currency else given.currency_id or d.pick("currency_id", MONEY_CURRENCIES)
    editor: Json = {"name": f"{d.pick('editor_first_name', p.first_names)} {d.pick('editor_last_name', p.last_names)}", "user_id": spec.id * 100 + EDITOR_SUFFIX}
    shell = Chain(id=spec.id, name=name, currency_id=currency_id, campaigns=())
    campaigns, unlisted = _campaigns(seed, spec, given, shell, editor, clock, d)
    chain = Chain(id=spec.id, name=name, currency_id=currency_id, campaigns=campaigns, unlisted=unlisted)
    members = _members(seed, spec)
    users = tuple(make_user(seed, spec.id, m.user_id, m.spec.identifiers) for m in members)
    sessions = [_session(seed, spec.id, m, user) for m, user in zip(members, users)]
    progress, counts = _progress(members, {c["id"]: c for c in (*campaigns, *unlisted)}, clock, progress_format)
    admin_id = spec.id * 100
    if admin_id not in {m.user_id for m in members}:
        sessions.append(SpaazaSession(user_id=admin_id, key=secret(seed, "session", admin_id), role="admin", chain_ids=frozenset({spec.id}), access_token=secret(seed, "token", admin_id)[:40], name=editor["name"]))
    sessions.extend(given.sessions)
    app = given.app or MyPriceApp(id=spec.id, hostname=f"app-{spec.id}.myprice.example", chain_id=spec.id)
    return ChainParts(chain=chain, users=users, sessions=tuple(sessions), apps=(app,), progress=progress, current_counts=counts)


def _campaigns(seed: int, spec: ChainSpec, given: Given, shell: Chain, editor: Json, clock: datetime, d: Draws) -> tuple[tuple[Json, ...], tuple[Json, ...]]:
    """The chain's campaigns (listed: newest first, as the vendor lists them) and those never
    listed (deleted ones), the chain's own (`given`) among them."""
    documented = list(given.campaigns)
    allocated = campaign_ids(spec.id, spec.campaigns, frozenset(c["type"] for c in documented))
    wallets: dict[str, Json] = {}
    for c in documented:
        if c["type"] in WALLET_TYPES:
            wallets.setdefault(c["type"], c)
    now = int(clock.timestamp())
    ch = ChainContext(seed, shell, wallets, editor, clock, now, now - (400 + d.below("founded", 1100)) * DAY, d)
    # Wallets first: every other campaign refers to one, and is created after it.
    made: dict[int, Json] = {}
    for cid, s in allocated:
        if s.type in WALLET_TYPES:
            made[cid] = make_campaign(ch, s, cid)
            wallets.setdefault(s.type, made[cid])
    for cid, s in allocated:
        if s.type not in WALLET_TYPES:
            made[cid] = make_campaign(ch, s, cid)
    ordered = [made[cid] for cid, _ in allocated]
    # A deleted campaign is never listed.
    campaigns = sorted(documented + [c for c in ordered if not c.get("is_deleted")], key=lambda c: (parse_time(c["created_date"]), c["id"]), reverse=True)
    return tuple(campaigns), given.unlisted + tuple(c for c in ordered if c.get("is_deleted"))


def _members(seed: int, spec: ChainSpec) -> list[Member]:
    """The chain's users, declared ones first (each as declared, role "regular"), then the
    generated ones in their roles; users without an id take the chain's next free one."""
    wanted = [(u, "regular") for u in spec.users] + [(UserSpec(), role_of(k, spec.id)) for k in range(spec.generated_users)]
    taken = {u.user_id for u, _ in wanted if u.user_id is not None}
    members = []
    j = 1
    for u, role in wanted:
        uid = u.user_id
        if uid is None:
            while spec.id * 100 + j in taken:
                j += 1
            uid = spec.id * 100 + j
            taken.add(uid)
        members.append(Member(seed, u, uid, role))
    return members


def _session(seed: int, chain_id: int, m: Member, user: SpaazaUser) -> SpaazaSession:
    return SpaazaSession(
        user_id=m.user_id, key=m.spec.session_key or secret(seed, "session", m.user_id), role="user", chain_ids=frozenset({chain_id}),
        access_token=secret(seed, "token", m.user_id)[:40], name=f"{user.first_name} {user.last_name}",
    )


def _progress(
    members: list[Member], by_id: Mapping[int, Json], clock: datetime, progress_format: Callable[[str], str | None]
) -> tuple[dict[tuple[int, int], Json], dict[tuple[int, int], int]]:
    """Each member's user_progress per campaign, and current_count where the campaign counts."""
    progress: dict[tuple[int, int], Json] = {}
    counts: dict[tuple[int, int], int] = {}
    if not members:
        return progress, counts
    formats = {t: progress_format(t) for t in {c["type"] for c in by_id.values()}}
    # Which wallets decide a loyalty level, and against which thresholds (None: a programme
    # of one level, whose rules count no wallet).
    wallet_levels: dict[int | None, tuple[int, ...]] = {}
    for c in by_id.values():
        if c["type"] == "loyalty":
            wallet_levels.setdefault(loyalty_wallet(c), tuple(sorted(r["points_threshold"] for r in c["loyalty_rules"])))
    for m in members:
        # Awards first: the wallets they pay into and redeem from are generated around them.
        standard: dict[int, Json] = {}
        flows: dict[int, tuple[int, int]] = {}
        for cid, c in by_id.items():
            if formats[c["type"]] == "standard":
                standard[cid] = progress_for(m, c, "standard", by_id, wallet_levels, clock) or {}
                wallet_flows(c, standard[cid], flows)
        for cid, c in by_id.items():
            body = standard[cid] if cid in standard else progress_for(m, c, formats[c["type"]], by_id, wallet_levels, clock, flows)
            if body is not None:
                progress[(m.user_id, cid)] = body
                if "current_count" in c:
                    counts[(m.user_id, cid)] = current_count(m, c, body, clock)
    return progress, counts
