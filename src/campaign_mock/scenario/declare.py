"""What one scenario document declares, as the generator takes it (world/specs.py), with
where each thing is written; and what one document can say wrong beyond its schema: levels,
field values against the contract, dates, values an HTTP header must carry, a chain twice."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Generic, Mapping, TypeVar

from campaign_mock.contract import load_contract
from campaign_mock.contract.facts import MANAGE_USER_CAMPAIGNS, USER_IDENTIFIERS
from campaign_mock.contract.validate import excerpt, json_path
from campaign_mock.scenario.explain import explain
from campaign_mock.scenario.yaml_lines import JsonPath, YamlFile
from campaign_mock.world import documented
from campaign_mock.world.specs import CampaignSpec, ChainSpec, LevelUpCampaignSpec, LevelUpUserSpec, Scenario, UserSpec

# Campaign fields the generator parses: they must be readable by datetime.fromisoformat.
_TIME_FIELDS = ("active_date_from", "active_date_until", "created_date")
# The clock's years: the generator dates things years before and months after it.
CLOCK_YEARS = range(1980, 3000)
# What an HTTP header can carry (a session key, a token): visible ASCII, no space or newline.
_HEADER_SAFE = re.compile(r"[!-~]+")

Spec = TypeVar("Spec", ChainSpec, CampaignSpec, UserSpec, LevelUpCampaignSpec, LevelUpUserSpec)


@dataclass(frozen=True)
class Declared(Generic[Spec]):
    """One declared thing and where: its file, its JSON path there, the chain it belongs to."""

    file: YamlFile
    path: JsonPath
    chain_id: int
    spec: Spec


@dataclass
class Declarations:
    """Everything one document declares: its Scenario, and each declaration with its place
    (for the checks across documents, scenario/together.py)."""

    file: YamlFile
    scenario: Scenario
    chains: list[Declared[ChainSpec]] = field(default_factory=list)
    campaigns: list[Declared[CampaignSpec]] = field(default_factory=list)
    users: list[Declared[UserSpec]] = field(default_factory=list)
    levelup_campaigns: list[Declared[LevelUpCampaignSpec]] = field(default_factory=list)
    levelup_users: list[Declared[LevelUpUserSpec]] = field(default_factory=list)
    # Where values are written that the builder may find taken (see Scenario.locations).
    locations: dict[tuple, str] = field(default_factory=dict)

    def at(self, path: JsonPath) -> str:
        return f"{self.file.where(path)}: {json_path(path)}"


def declare(f: YamlFile) -> Declarations:
    """The document's declarations; refuses what one document can get wrong beyond the schema
    (the document has passed it)."""
    out = Declarations(f, Scenario(f.name))
    clock = _clock(f)
    chain_lines: dict[int, int] = {}
    for i, chain in enumerate((f.data.get("spaaza") or {}).get("chains", [])):
        _chain(out, ("spaaza", "chains", i), chain, chain_lines)
    levelup = f.data.get("levelup") or {}
    for i, c in enumerate(levelup.get("campaigns", [])):
        _levelup_campaign(out, ("levelup", "campaigns", i), c)
    for i, u in enumerate(levelup.get("users", [])):
        _levelup_user(out, ("levelup", "users", i), u)
    out.scenario = Scenario(
        source=f.name, clock=clock, chains=tuple(d.spec for d in out.chains), levelup_campaigns=tuple(d.spec for d in out.levelup_campaigns),
        levelup_users=tuple(d.spec for d in out.levelup_users), locations=MappingProxyType(out.locations),
    )
    return out


def _clock(f: YamlFile) -> datetime | None:
    if "clock" not in f.data:
        return None
    clock = _time(f, ("clock",), f.data["clock"])
    if clock.year not in CLOCK_YEARS:
        f.fail(("clock",), f"{excerpt(f.data['clock'])} is outside the years {CLOCK_YEARS.start}..{CLOCK_YEARS.stop - 1} the generator can date around; pick a clock in that range")
    return clock


def _chain(out: Declarations, p: JsonPath, ch: dict, chain_lines: dict[int, int]) -> None:
    f = out.file
    cid = int(ch["id"])
    if cid in chain_lines:
        f.fail(p + ("id",), f"chain {cid} is declared twice in this file (first on line {chain_lines[cid]}); merge the two entries")
    chain_lines[cid] = f.line(p + ("id",))
    out.locations[("spaaza", "chains", cid)] = out.at(p + ("id",))
    if cid == documented.CHAIN_ALIAS:
        f.fail(p + ("id",), f"{cid} is an alias of the documented chain {documented.CHAIN_ID}; write id: {documented.CHAIN_ID}")
    campaigns = []
    for j, c in enumerate(ch.get("campaigns", [])):
        campaign = _campaign(f, p + ("campaigns", j), c)
        campaigns.append(campaign)
        out.campaigns.append(Declared(f, p + ("campaigns", j), cid, campaign))
    users = []
    for j, u in enumerate(ch.get("users", [])):
        user = _user(out, p + ("users", j), cid, u)
        users.append(user)
        out.users.append(Declared(f, p + ("users", j), cid, user))
    chain = ChainSpec(id=cid, name=ch.get("name"), currency=ch.get("currency"), campaigns=tuple(campaigns), users=tuple(users), generated_users=int(ch.get("generated_users", 0)))
    out.chains.append(Declared(f, p, cid, chain))


def _user(out: Declarations, p: JsonPath, chain_id: int, u: dict) -> UserSpec:
    if "session_key" in u:
        _header_safe(out.file, p + ("session_key",), u["session_key"])
    identifiers = {k: u[k] for k in USER_IDENTIFIERS if k != "user_id" and k in u}
    for name, value in identifiers.items():
        out.locations[("spaaza", "identifiers", chain_id, name, value)] = out.at(p + (name,))
    return UserSpec(
        user_id=int(u["user_id"]) if "user_id" in u else None,
        identifiers=identifiers,
        points=int(u["points"]) if "points" in u else None,
        balances=_int_keys(u.get("balances", {})),
        awards=_int_keys(u.get("awards", {})),
        session_key=u.get("session_key"),
    )


def _levelup_campaign(out: Declarations, p: JsonPath, c: dict) -> None:
    spec = LevelUpCampaignSpec(kind=c["kind"], id=int(c["id"]), required=int(c["required"]) if "required" in c else None, title=c.get("title"), merchant_id=int(c.get("merchant_id", 1)))
    out.levelup_campaigns.append(Declared(out.file, p, 0, spec))


def _levelup_user(out: Declarations, p: JsonPath, u: dict) -> None:
    if "token" in u:
        _header_safe(out.file, p + ("token",), u["token"])
        out.locations[("levelup", "tokens", u["token"])] = out.at(p + ("token",))
    spec = LevelUpUserSpec(user_id=int(u["user_id"]), token=u.get("token"), permissions=tuple(u.get("permissions", (MANAGE_USER_CAMPAIGNS,))), progress=_int_keys(u.get("progress", {})))
    out.levelup_users.append(Declared(out.file, p, 0, spec))


def _campaign(f: YamlFile, p: JsonPath, c: dict) -> CampaignSpec:
    ctype = c["type"]
    levels = _levels(f, p, ctype, c["levels"]) if "levels" in c else None
    fields = {k: v for k, v in c.items() if k not in ("id", "type", "levels")}
    _check_fields(f, p, fields)
    for key in ("assignment_count", "reward_priority"):
        if isinstance(fields.get(key), float):
            fields[key] = int(fields[key])
    return CampaignSpec(type=ctype, id=int(c["id"]) if "id" in c else None, fields=fields, levels=levels)


def _levels(f: YamlFile, p: JsonPath, ctype: str, declared: list[dict]) -> tuple[tuple[str, int], ...]:
    """A loyalty campaign's (name, points threshold): the lowest at 0, names and thresholds unique."""
    if ctype != "loyalty":
        f.fail(p + ("levels",), f"`levels` is only for loyalty campaigns and this one is {excerpt(ctype)}; remove `levels` (or write type: loyalty)")
    levels = tuple((lv["name"], int(lv["points"])) for lv in declared)
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
    return levels


def _check_fields(f: YamlFile, p: JsonPath, fields: Mapping[str, Any]) -> None:
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
