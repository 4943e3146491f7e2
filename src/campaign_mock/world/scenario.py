"""Scenario files: YAML that declares only what a test cares about. Parsed into specs that
the builder generates the rest of the world around.

The format (published as schemas/scenario.json; every key is optional unless marked)::

    # fixtures/scenarios/bronze-member.yaml
    clock: "2024-01-01T00:00:00+00:00"   # reference "now"; must have an offset. Default 2024-01-01T00:00:00+00:00
    spaaza:
      chains:
        - id: 7001                 # required. 1762 or 5001..6999 add to that (documented / generated) chain;
                                   # any other id makes a new chain (not 1743, the alias of 1762)
          name: Demo Coffee
          currency: EUR            # USD EUR GBP SEK
          generated_users: 2       # more users generated around the declared ones (<= 98 users a chain)
          campaigns:
            - id: 7001100          # default <chain id>010, <chain id>011, ... in order; unique in the world
              type: loyalty        # required: one of the contract's campaign types
              levels:              # loyalty only: name + points threshold; the lowest must be 0
                - {name: Bronze, points: 0}
                - {name: Silver, points: 500}
            - type: cashback
              active: false        # any other key is a campaign field set verbatim (checked against
                                   # spaaza-campaign.json): title, active, is_active, assignment_count,
                                   # reward_priority, active_date_from, active_date_until, ...
            - id: 7001200
              type: signup
              assignment_count: 600
          users:
            - user_id: 700101      # default <chain id>01, <chain id>02, ...
              member_number: "M-251"   # identifiers (strings): member_number, username, referral_code,
                                       # authentication_point_identifier, auxiliary_identifier
              points: 251          # balance in the chain's points wallet -> decides the loyalty level
              balances: {7001002: 40}  # wallet campaign id -> balance (not the points wallet with `points`)
              awards: {7001200: 1}     # campaign id -> award_count (campaigns with standard user_progress;
                                       # at most max_reward_quantity: 1 for signup and profile_completion)
              session_key: "..."   # the user's X-Spaaza-Session-Key
    levelup:
      campaigns:                   # id and kind required; kind: item_loyalty spend_loyalty visit_loyalty
                                   # item_gift_card spend_gift_card custom_item custom_spend
        - {id: 9001, kind: spend_loyalty, required: 10000, title: "Spend and save", merchant_id: 1}
      users:                       # user_id required; token default <user id>-<64 hex digits>
        - {user_id: 9101, token: "9101-abc", permissions: [manage_user_campaigns], progress: {9001: 2500}}

Every chain gets a points_wallet (id <chain id>001) and a money wallet (<chain id>002) unless it
declares one. Fields the generator keeps consistent (chain_id, currency_id, loyalty_levels,
loyalty_rules, campaign_assignments, user_progress) cannot be set: use the keys above.
Timestamps are kept as the strings written (YAML's own timestamp type is not applied).

load_scenarios parses and checks every file before returning any: the schema, then what a
schema cannot say (levels, duplicate and colliding ids, references between campaigns and
users, the clock). The first problem raises ScenarioError as
``file.yaml:LINE: $.json.path: what is wrong; what to write instead``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Sequence

from campaign_mock.contract import load_contract
from campaign_mock.contract.facts import MANAGE_USER_CAMPAIGNS, USER_IDENTIFIERS
from campaign_mock.contract.validate import json_path
from campaign_mock.world import documented
from campaign_mock.world.specs import (
    EDITOR_SUFFIX,
    GENERATED_CHAINS,
    GENERATED_LEVELUP_CAMPAIGNS,
    GENERATED_LEVELUP_USERS,
    MAX_USERS_PER_CHAIN,
    WALLET_TYPES,
    CampaignSpec,
    ChainSpec,
    LevelUpCampaignSpec,
    LevelUpUserSpec,
    Scenario,
    UserSpec,
    campaign_ids,
    every_type_spec,
)
from campaign_mock.world.yaml_file import JsonPath, YamlFile, check_schema, excerpt, explain, parse_yaml, read_yaml

SCHEMA = "scenario.json"
# Campaign fields the generator parses: they must be readable by datetime.fromisoformat.
_TIME_FIELDS = ("active_date_from", "active_date_until", "created_date")
# The clock's years: the generator dates things years before and months after it.
CLOCK_YEARS = range(1980, 3000)
# What an HTTP header can carry (a session key, a token): visible ASCII, no space or newline.
_HEADER_SAFE = re.compile(r"[!-~]+")


def load_scenarios(paths, documents: Sequence[tuple[str, str]] = ()) -> tuple[Scenario, ...]:
    """Parse and check every file (then every (name, YAML or JSON text) document) before any
    is used: a broken one raises ScenarioError naming file:line and field, and nothing is
    half-loaded."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = [read_yaml(p) for p in paths or ()] + [parse_yaml(name, text) for name, text in documents]
    validator = load_contract().validator(SCHEMA)
    for f in files:
        check_schema(f, validator)
    parsed = [_parse(f) for f in files]
    chain_campaigns = _check_together(parsed)
    declared_ids = {id(c.declared): c.id for cs in chain_campaigns.values() for c in cs if c.declared}
    return tuple(replace(p.scenario, locations=MappingProxyType({**p.scenario.locations, **_locations(p, declared_ids)})) for p in parsed)


def _locations(p: "_Parsed", declared_ids: dict[int, int]) -> dict[tuple, str]:
    def at(d: "_Declared", *path) -> str:
        full = d.path + path
        return f"{d.file.where(full)}: {json_path(full)}"

    out: dict[tuple, str] = {}
    if "clock" in p.file.data:
        out[("clock",)] = f"{p.file.where(('clock',))}: $.clock"
    for d in p.campaigns:
        out[("campaign", declared_ids[id(d)])] = at(d)
    for d in p.users:
        u: UserSpec = d.spec
        if u.user_id is not None:
            out[("user", u.user_id)] = at(d)
            for key, mapping in (("awards", u.awards), ("balances", u.balances)):
                for cid in mapping:
                    out[("user", u.user_id, cid)] = at(d, key, str(cid))
    for d in p.levelup_campaigns:
        out[("levelup campaign", d.spec.id)] = at(d)
    for d in p.levelup_users:
        out[("levelup user", d.spec.user_id)] = at(d)
        for cid in d.spec.progress:
            out[("levelup user", d.spec.user_id, cid)] = at(d, "progress", str(cid))
    return out


# --- one file -------------------------------------------------------------------------


@dataclass
class _Declared:
    """Where something was declared, for the checks across files."""

    file: YamlFile
    path: JsonPath
    chain_id: int = 0
    spec: Any = None


@dataclass
class _Parsed:
    file: YamlFile
    scenario: Scenario
    chains: list[_Declared] = field(default_factory=list)
    campaigns: list[_Declared] = field(default_factory=list)
    users: list[_Declared] = field(default_factory=list)
    levelup_campaigns: list[_Declared] = field(default_factory=list)
    levelup_users: list[_Declared] = field(default_factory=list)


def _time(f: YamlFile, path: JsonPath, value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        f.fail(path, f'{excerpt(value)} is not a date-time this server reads; write e.g. "2024-01-01T00:00:00+00:00"')
    if moment.tzinfo is None:
        f.fail(path, f'{excerpt(value)} has no UTC offset; write e.g. "{value}+00:00"')
    return moment


def _header_safe(f: YamlFile, path: JsonPath, value: str) -> None:
    if not _HEADER_SAFE.fullmatch(value):
        f.fail(path, f"{excerpt(value)} cannot be sent in an HTTP header; use visible ASCII characters only (no spaces, newlines or accents)")


def _int_keys(mapping: dict[str, Any]) -> dict[int, int]:
    return {int(k): int(v) for k, v in mapping.items()}


def _parse(f: YamlFile) -> _Parsed:
    data = f.data
    out = _Parsed(f, Scenario(f.name))
    clock = _time(f, ("clock",), data["clock"]) if "clock" in data else None
    if clock is not None and clock.year not in CLOCK_YEARS:
        f.fail(("clock",), f"{excerpt(data['clock'])} is outside the years {CLOCK_YEARS.start}..{CLOCK_YEARS.stop - 1} the generator can date around; pick a clock in that range")
    where: dict[tuple, str] = {}

    chains, chain_lines = [], {}
    for i, ch in enumerate((data.get("spaaza") or {}).get("chains", [])):
        p = ("spaaza", "chains", i)
        cid = int(ch["id"])
        if cid in chain_lines:
            f.fail(p + ("id",), f"chain {cid} is declared twice in this file (first on line {chain_lines[cid]}); merge the two entries")
        chain_lines[cid] = f.line(p + ("id",))
        where[("chain", cid)] = f"{f.where(p + ('id',))}: {json_path(p + ('id',))}"
        if cid == documented.CHAIN_ALIAS:
            f.fail(p + ("id",), f"{cid} is an alias of the documented chain {documented.CHAIN_ID}; write id: {documented.CHAIN_ID}")
        campaigns = []
        for j, c in enumerate(ch.get("campaigns", [])):
            spec = _campaign(f, p + ("campaigns", j), c)
            campaigns.append(spec)
            out.campaigns.append(_Declared(f, p + ("campaigns", j), cid, spec))
        users = []
        for j, u in enumerate(ch.get("users", [])):
            if "session_key" in u:
                _header_safe(f, p + ("users", j, "session_key"), u["session_key"])
            for k in USER_IDENTIFIERS:
                if k != "user_id" and k in u:
                    where[("identifier", cid, k, u[k])] = f"{f.where(p + ('users', j, k))}: {json_path(p + ('users', j, k))}"
            spec = UserSpec(
                user_id=int(u["user_id"]) if "user_id" in u else None,
                identifiers={k: u[k] for k in USER_IDENTIFIERS if k != "user_id" and k in u},
                points=int(u["points"]) if "points" in u else None,
                balances=_int_keys(u.get("balances", {})),
                awards=_int_keys(u.get("awards", {})),
                session_key=u.get("session_key"),
            )
            users.append(spec)
            out.users.append(_Declared(f, p + ("users", j), cid, spec))
        chain = ChainSpec(id=cid, name=ch.get("name"), currency=ch.get("currency"), campaigns=tuple(campaigns), users=tuple(users), generated_users=int(ch.get("generated_users", 0)))
        chains.append(chain)
        out.chains.append(_Declared(f, p, cid, chain))

    levelup = data.get("levelup") or {}
    lu_campaigns = []
    for i, c in enumerate(levelup.get("campaigns", [])):
        spec = LevelUpCampaignSpec(kind=c["kind"], id=int(c["id"]), required=int(c["required"]) if "required" in c else None, title=c.get("title"), merchant_id=int(c.get("merchant_id", 1)))
        lu_campaigns.append(spec)
        out.levelup_campaigns.append(_Declared(f, ("levelup", "campaigns", i), 0, spec))
    lu_users = []
    for i, u in enumerate(levelup.get("users", [])):
        if "token" in u:
            _header_safe(f, ("levelup", "users", i, "token"), u["token"])
            where[("token", u["token"])] = f"{f.where(('levelup', 'users', i, 'token'))}: {json_path(('levelup', 'users', i, 'token'))}"
        spec = LevelUpUserSpec(user_id=int(u["user_id"]), token=u.get("token"), permissions=tuple(u.get("permissions", (MANAGE_USER_CAMPAIGNS,))), progress=_int_keys(u.get("progress", {})))
        lu_users.append(spec)
        out.levelup_users.append(_Declared(f, ("levelup", "users", i), 0, spec))

    out.scenario = Scenario(source=f.name, clock=clock, chains=tuple(chains), levelup_campaigns=tuple(lu_campaigns), levelup_users=tuple(lu_users), locations=MappingProxyType(where))
    return out


def _campaign(f: YamlFile, p: JsonPath, c: dict) -> CampaignSpec:
    ctype = c["type"]
    levels = None
    if "levels" in c:
        if ctype != "loyalty":
            f.fail(p + ("levels",), f"`levels` is only for loyalty campaigns and this one is {excerpt(ctype)}; remove `levels` (or write type: loyalty)")
        levels = tuple((lv["name"], int(lv["points"])) for lv in c["levels"])
        lowest = min(range(len(levels)), key=lambda k: levels[k][1])
        if levels[lowest][1] != 0:
            f.fail(p + ("levels", lowest, "points"), f"the lowest level, {excerpt(levels[lowest][0])}, starts at {levels[lowest][1]} points; the lowest level is where every user starts: write points: 0")
        names: dict[str, int] = {}
        thresholds: dict[int, int] = {}
        for k, (name, points) in enumerate(levels):
            if points in thresholds:
                f.fail(p + ("levels", k, "points"), f"{excerpt(name)} has the same threshold ({points}) as {excerpt(levels[thresholds[points]][0])}; give each level its own points threshold")
            if name in names:
                f.fail(p + ("levels", k, "name"), f"there are two levels named {excerpt(name)}; give each level its own name")
            thresholds[points], names[name] = k, k
    fields = {k: v for k, v in c.items() if k not in ("id", "type", "levels")}
    _check_fields(f, p, fields)
    for key in ("assignment_count", "reward_priority"):
        if isinstance(fields.get(key), float):
            fields[key] = int(fields[key])
    return CampaignSpec(type=ctype, id=int(c["id"]) if "id" in c else None, fields=fields, levels=levels)


def _check_fields(f: YamlFile, p: JsonPath, fields: dict) -> None:
    """Declared fields are set verbatim: each must still be what the contract says."""
    contract = load_contract()
    known = contract.schema("spaaza-campaign.json")["properties"]
    for key, value in fields.items():
        if key in known:
            pointer = key.replace("~", "~0").replace("/", "~1")
            errors = list(contract.validator(f"spaaza-campaign.json#/properties/{pointer}").iter_errors(value))
            if errors:
                path, message = min((explain(f, e, p + (key,)) for e in errors), key=lambda pm: f.line(pm[0]))
                f.fail(path, f"{message} (the contract, spaaza-campaign.json, says so for `{key}`)")
        if key in _TIME_FIELDS and isinstance(value, str):
            _time(f, p + (key,), value)
    start, end = fields.get("active_date_from"), fields.get("active_date_until")
    if isinstance(start, str) and isinstance(end, str) and datetime.fromisoformat(start) > datetime.fromisoformat(end):
        f.fail(p + ("active_date_until",), f"{excerpt(end)} is before active_date_from {excerpt(start)}; the window must end after it starts")


# --- across files ---------------------------------------------------------------------


@dataclass
class _Campaign:
    id: int
    type: str
    owner: str  # who has the id, for messages
    declared: _Declared | None = None


def _chain_campaigns(chain_id: int, declared: list[_Declared]) -> list[_Campaign]:
    """The campaign ids chain `chain_id` will have: spaaza.campaign_ids, the generator's own
    allocation, over what the builder will give it (the generated chain's campaigns, then the
    declared ones in order)."""
    fixed: list[_Campaign] = []
    fixed_types: frozenset[str] = frozenset()
    if chain_id == documented.CHAIN_ID:
        fixed_types = frozenset(c["type"] for c in documented.spaaza_campaigns())
        fixed = [_Campaign(c["id"], c["type"], f"documented campaign {c['id']} of chain {chain_id}") for c in documented.spaaza_campaigns()]
        wallet = documented.deleted_wallet_2009()
        fixed.append(_Campaign(wallet["id"], wallet["type"], f"documented (deleted) wallet {wallet['id']} of chain {chain_id}"))
    generated = every_type_spec(chain_id, load_contract().campaign_types, 0).campaigns if chain_id in GENERATED_CHAINS else ()
    by_spec = {id(d.spec): d for d in declared}
    out = list(fixed)
    for cid, spec in campaign_ids(chain_id, (*generated, *(d.spec for d in declared)), fixed_types):
        d = by_spec.get(id(spec))
        owner = f"the campaign at {d.file.where(d.path)}" if d else f"generated {spec.type} campaign of chain {chain_id}"
        out.append(_Campaign(cid, spec.type, owner, d))
    return out


def _check_together(parsed: list[_Parsed]) -> dict[int, list[_Campaign]]:
    """Everything across files; returns each chain's campaigns as the builder will number them."""
    # One clock for the world.
    first = next((p for p in parsed if p.scenario.clock is not None), None)
    for p in parsed:
        if first and p.scenario.clock is not None and p.scenario.clock != first.scenario.clock:
            p.file.fail(("clock",), f"{p.file.data['clock']} differs from clock {first.file.data['clock']} set by {first.file.where(('clock',))}; scenarios loaded together must agree: remove one `clock`")

    # Chains, in order of first appearance, with their campaigns as the builder will number them.
    order: dict[int, list[_Declared]] = {}
    for p in parsed:
        for d in p.chains:
            order.setdefault(d.chain_id, [])
        for d in p.campaigns:
            order[d.chain_id].append(d)
    chain_campaigns = {cid: _chain_campaigns(cid, decls) for cid, decls in order.items()}
    documented_ids = chain_campaigns.get(documented.CHAIN_ID) or _chain_campaigns(documented.CHAIN_ID, [])
    known_chains = {documented.CHAIN_ID, *order}

    # Campaign ids: unique in the world. Generated ids first, then declared ones in file order.
    taken: dict[int, _Campaign] = {}
    for campaigns in (documented_ids, *chain_campaigns.values()):
        for c in campaigns:
            if c.declared is None:
                taken.setdefault(c.id, c)
    file_order = {id(p.file): n for n, p in enumerate(parsed)}
    declared = sorted((c for cs in chain_campaigns.values() for c in cs if c.declared), key=lambda c: (file_order[id(c.declared.file)], c.declared.path))
    for c in declared:
        d = c.declared
        explicit = d.spec.id is not None
        other = taken.get(c.id)
        if other is None and explicit and c.id // 1000 in GENERATED_CHAINS and c.id // 1000 != d.chain_id and c.id // 1000 not in order:
            d.file.fail(d.path + ("id",), f"id {c.id} is in the id range of generated chain {c.id // 1000} ({c.id // 1000}000..{c.id // 1000}999); pick an id in this chain's range, e.g. {d.chain_id}100")
        if other is not None:
            if explicit:
                d.file.fail(d.path + ("id",), f"campaign id {c.id} is already used by {other.owner}; pick another id")
            d.file.fail(d.path + ("type",), f"this campaign gets the generated id {c.id}, already used by {other.owner}; give it an explicit `id`")
        taken[c.id] = c

    # Users.
    user_ids: dict[int, _Declared] = {}
    per_chain: dict[int, int] = {}
    identifiers: dict[tuple[int, str, str], _Declared] = {}
    for p in parsed:
        for d in p.chains:
            per_chain[d.chain_id] = per_chain.get(d.chain_id, 0) + d.spec.generated_users + len(d.spec.users)
            if per_chain[d.chain_id] > MAX_USERS_PER_CHAIN:
                where = d.path + ("generated_users",) if d.spec.generated_users else d.path + ("users",)
                d.file.fail(where, f"chain {d.chain_id} would have {per_chain[d.chain_id]} declared and generated users; at most {MAX_USERS_PER_CHAIN} (user ids are <chain id>01..<chain id>{MAX_USERS_PER_CHAIN})")
        for d in p.users:
            _check_user(d, user_ids, identifiers, known_chains, chain_campaigns[d.chain_id])

    _check_levelup(parsed)
    return chain_campaigns


def _check_user(d: _Declared, user_ids, identifiers, known_chains, campaigns: list[_Campaign]) -> None:
    u: UserSpec = d.spec
    f, chain_id = d.file, d.chain_id
    if u.user_id is not None:
        p = d.path + ("user_id",)
        if u.user_id in user_ids:
            first = user_ids[u.user_id]
            f.fail(p, f"user {u.user_id} is already declared at {first.file.where(first.path + ('user_id',))}; pick another user_id")
        if u.user_id == documented.ADMIN_USER_ID or (u.user_id % 100 == 0 and u.user_id // 100 in known_chains):
            f.fail(p, f"{u.user_id} is the id of an admin session; pick another, e.g. {chain_id * 100 + 1}")
        if u.user_id % 100 == EDITOR_SUFFIX and u.user_id // 100 in known_chains:
            f.fail(p, f"{u.user_id} is the id of the chain's editor (last_updated_by); pick another, e.g. {chain_id * 100 + 1}")
        if u.user_id // 100 in known_chains and u.user_id // 100 != chain_id:
            f.fail(p, f"{u.user_id} is in the user id range of chain {u.user_id // 100} and would clash with its generated users; pick one of this chain's, e.g. {chain_id * 100 + 1}")
        user_ids[u.user_id] = d
    for name, value in u.identifiers.items():
        first = identifiers.get((chain_id, name, value))
        if first is not None:
            f.fail(d.path + (name,), f"{name} {excerpt(value)} is already the {name} of the user at {first.file.where(first.path + (name,))}; identifiers find one user, so pick another")
        identifiers[(chain_id, name, value)] = d
    by_id = {c.id: c for c in campaigns}
    contract = load_contract()
    listing = ", ".join(f"{c.id} ({c.type})" for c in campaigns)
    for key, mapping, wanted in (("balances", u.balances, "wallet"), ("awards", u.awards, "standard")):
        for cid in mapping:
            p = d.path + (key, str(cid))
            c = by_id.get(cid)
            if c is None:
                f.fail(p, f"chain {chain_id} has no campaign {cid}; declare it under the chain's campaigns, or use one of: {listing}")
            if wanted == "wallet" and c.type not in WALLET_TYPES:
                f.fail(p, f"campaign {cid} is a {c.type} campaign; balances are for points_wallet and wallet campaigns (for loyalty levels write `points`)")
            if wanted == "wallet" and c.type == "points_wallet" and u.points is not None:
                f.fail(p, f"`points` already gives this user's balance in points wallet {cid}; write one of the two")
            if wanted == "standard" and contract.progress_format(c.type) != "standard":
                f.fail(p, f"campaign {cid} is a {c.type} campaign, whose user_progress has no award_count; awards are for: {', '.join(contract.schema('spaaza-campaign.json#/$defs/progress_standard_types')['enum'])}")


def _check_levelup(parsed: list[_Parsed]) -> None:
    campaigns: dict[int, _Declared] = {}
    for p in parsed:
        for d in p.levelup_campaigns:
            cid, where = d.spec.id, d.path + ("id",)
            if cid in documented.LEVELUP_CAMPAIGNS:
                d.file.fail(where, f"{cid} is a documented LevelUp campaign; pick another id, e.g. 9001")
            if cid in GENERATED_LEVELUP_CAMPAIGNS:
                d.file.fail(where, f"{cid} is in the range of generated LevelUp campaigns ({GENERATED_LEVELUP_CAMPAIGNS.start}..{GENERATED_LEVELUP_CAMPAIGNS.stop - 1}); pick another id, e.g. 9001")
            if cid in campaigns:
                first = campaigns[cid]
                d.file.fail(where, f"LevelUp campaign {cid} is already declared at {first.file.where(first.path + ('id',))}; pick another id")
            campaigns[cid] = d
    users: dict[int, _Declared] = {}
    tokens: dict[str, _Declared] = {}
    for p in parsed:
        for d in p.levelup_users:
            u: LevelUpUserSpec = d.spec
            where = d.path + ("user_id",)
            if u.user_id == documented.LEVELUP_USER_ID or u.user_id in GENERATED_LEVELUP_USERS:
                d.file.fail(where, f"{u.user_id} is a documented or generated LevelUp user ({documented.LEVELUP_USER_ID}, {GENERATED_LEVELUP_USERS.start}..{GENERATED_LEVELUP_USERS.stop - 1}); pick another user_id, e.g. 9101")
            if u.user_id in users:
                first = users[u.user_id]
                d.file.fail(where, f"LevelUp user {u.user_id} is already declared at {first.file.where(first.path + ('user_id',))}; pick another user_id")
            users[u.user_id] = d
            if u.token is not None:
                if u.token == documented.LEVELUP_TOKEN:
                    d.file.fail(d.path + ("token",), "this is the documented user's token; pick another (or leave `token` out)")
                if u.token in tokens:
                    first = tokens[u.token]
                    d.file.fail(d.path + ("token",), f"the token is already the token of the user at {first.file.where(first.path + ('token',))}; tokens must differ")
                tokens[u.token] = d
            for cid, value in u.progress.items():
                at = d.path + ("progress", str(cid))
                if cid not in campaigns and cid not in documented.LEVELUP_CAMPAIGNS and cid not in GENERATED_LEVELUP_CAMPAIGNS:
                    d.file.fail(at, f"there is no LevelUp campaign {cid}; declare it under levelup.campaigns, or use a documented one ({', '.join(map(str, documented.LEVELUP_CAMPAIGNS))})")
                spec: LevelUpCampaignSpec | None = campaigns[cid].spec if cid in campaigns else None
                if spec is not None and spec.required is not None and not spec.kind.startswith("custom") and value >= spec.required:
                    d.file.fail(at, f"progress {value} reaches the campaign's requirement {spec.required}; loyalty progress resets when a reward is earned: write at most {spec.required - 1}")
