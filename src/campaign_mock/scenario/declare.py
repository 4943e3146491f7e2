"""What one scenario document declares, as the generator takes it (world/specs.py), with
where each thing is written; and what one document can say wrong beyond its schema: levels,
dates, values an HTTP header must carry, a chain twice, keys that do not fit the kind of
campaign they are on. Every problem is collected (never only the first); a part the schema
already refused is left out, so that nothing is reported twice or read in a shape it lacks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from types import MappingProxyType
from typing import Any, Generic, Sequence, TypeVar

from campaign_mock.contract import load_contract
from campaign_mock.contract.facts import MANAGE_USER_CAMPAIGNS, USER_IDENTIFIERS
from campaign_mock.contract.validate import excerpt, json_path
from campaign_mock.scenario.yaml_lines import JsonPath, Problem, YamlFile
from campaign_mock.world import documented
from campaign_mock.world.specs import CLOCK_YEARS, GOAL_KINDS, ITEM_NAMING_KINDS, REWARD_TITLE_KINDS, CampaignSpec, ChainSpec, LevelUpCampaignSpec, LevelUpUserSpec, Scenario, UserSpec

# Campaign fields the generator parses: they must be readable by datetime.fromisoformat.
_TIME_FIELDS = ("active_date_from", "active_date_until", "created_date")
# The scenario's own keys on a campaign; every other key is a field of spaaza-campaign.json.
CAMPAIGN_KEYS = ("id", "type", "levels", "extra")
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
    problems: list[Problem] = field(default_factory=list)
    # JSON paths the schema refused: the parts there are not declared (see _skipped).
    refused: Sequence[JsonPath] = ()

    def at(self, path: JsonPath) -> str:
        return f"{self.file.where(path)}: {json_path(path)}"

    def report(self, path: JsonPath, message: str) -> None:
        self.problems.append(self.file.problem(path, message))

    def skipped(self, path: JsonPath, reads: tuple[str, ...] | None = None) -> bool:
        """Whether the part at `path` is left out: the schema refused it, what holds it, or
        something in it that declaring it reads (`reads`: those keys; None: all of it)."""
        refused, below = self._refused_index
        if any(path[:k] in refused for k in range(len(path) + 1)):
            return True
        parts = below.get(path)
        return parts is not None and (reads is None or not parts.isdisjoint(reads))

    @cached_property
    def _refused_index(self) -> tuple[set[JsonPath], dict[JsonPath, set]]:
        """The refused paths, and for each path above one the parts they go into next: built
        once (a scan of every refused path for each part declared took minutes for 25,000
        refused users)."""
        below: dict[JsonPath, set] = {}
        for r in self.refused:
            for k in range(len(r)):
                below.setdefault(tuple(r[:k]), set()).add(r[k])
        return {tuple(r) for r in self.refused}, below


def declare(f: YamlFile, refused: Sequence[JsonPath] = ()) -> Declarations:
    """The document's declarations and every problem one document can have beyond the schema
    (`refused`: where the schema found problems; those parts are not declared)."""
    out = Declarations(f, Scenario(f.name), refused=refused)
    clock = _clock(out)
    chain_lines: dict[int, int] = {}
    spaaza = f.data.get("spaaza")
    for i, chain in enumerate(_items(spaaza.get("chains")) if isinstance(spaaza, dict) else ()):
        if not out.skipped(("spaaza", "chains", i), ("id", "name", "currency", "generated_users")):
            _chain(out, ("spaaza", "chains", i), chain, chain_lines)
    levelup = f.data.get("levelup")
    levelup = levelup if isinstance(levelup, dict) else {}
    for i, c in enumerate(_items(levelup.get("campaigns"))):
        if not out.skipped(("levelup", "campaigns", i)):
            _levelup_campaign(out, ("levelup", "campaigns", i), c)
    for i, u in enumerate(_items(levelup.get("users"))):
        if not out.skipped(("levelup", "users", i)):
            _levelup_user(out, ("levelup", "users", i), u)
    out.scenario = Scenario(
        source=f.name, clock=clock, chains=tuple(d.spec for d in out.chains), levelup_campaigns=tuple(d.spec for d in out.levelup_campaigns),
        levelup_users=tuple(d.spec for d in out.levelup_users), locations=MappingProxyType(out.locations),
    )
    return out


def _clock(out: Declarations) -> datetime | None:
    data = out.file.data
    if "clock" not in data or out.skipped(("clock",)):
        return None
    clock = _time(out, ("clock",), data["clock"])
    if clock is not None and clock.year not in CLOCK_YEARS:
        out.report(("clock",), f"{excerpt(data['clock'])} is outside the years {CLOCK_YEARS.start}..{CLOCK_YEARS.stop - 1}; pick a clock in that range")
        return None
    return clock


def _chain(out: Declarations, p: JsonPath, ch: dict, chain_lines: dict[int, int]) -> None:
    f = out.file
    cid = int(ch["id"])
    if cid in chain_lines:
        out.report(p + ("id",), f"chain {cid} is declared twice in this file (first on line {chain_lines[cid]}); merge the two entries")
        return
    chain_lines[cid] = f.line(p + ("id",))
    out.locations[("spaaza", "chains", cid)] = out.at(p + ("id",))
    if cid == documented.CHAIN_ALIAS:
        out.report(p + ("id",), f"{cid} is an alias of the documented chain {documented.CHAIN_ID}; write id: {documented.CHAIN_ID}")
    campaigns = []
    for j, c in enumerate(_items(ch.get("campaigns"))):
        if not out.skipped(p + ("campaigns", j), (*CAMPAIGN_KEYS, *_TIME_FIELDS)):
            campaign = _campaign(out, p + ("campaigns", j), c)
            campaigns.append(campaign)
            out.campaigns.append(Declared(f, p + ("campaigns", j), cid, campaign))
    users = []
    for j, u in enumerate(_items(ch.get("users"))):
        if not out.skipped(p + ("users", j)):
            user = _user(out, p + ("users", j), cid, u)
            users.append(user)
            out.users.append(Declared(f, p + ("users", j), cid, user))
    chain = ChainSpec(id=cid, name=ch.get("name"), currency=ch.get("currency"), campaigns=tuple(campaigns), users=tuple(users), generated_users=int(ch.get("generated_users", 0)))
    out.chains.append(Declared(f, p, cid, chain))


def _user(out: Declarations, p: JsonPath, chain_id: int, u: dict) -> UserSpec:
    if "session_key" in u:
        _header_safe(out, p + ("session_key",), u["session_key"])
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
        progress=_int_keys(u.get("progress", {})),
    )


def _levelup_campaign(out: Declarations, p: JsonPath, c: dict) -> None:
    kind = c["kind"]
    for key, kinds, what in (
        ("item_singular", ITEM_NAMING_KINDS, "name no counted item"),
        ("item_plural", ITEM_NAMING_KINDS, "name no counted item"),
        ("reward_title", REWARD_TITLE_KINDS, "carry no reward_title"),
        ("goals", GOAL_KINDS, "have no goals"),
    ):
        if key in c and kind not in kinds:
            out.report(p + (key,), f"the representations of a {kind} campaign {what}; remove `{key}` (it is for {', '.join(kinds)})")
    for key, other in (("item_singular", "item_plural"), ("item_plural", "item_singular")):
        if key in c and other not in c:
            out.report(p + (key,), f"write `{other}` too: the representations serve both names, and none is guessed from the other")
    goals = tuple((g.get("title"), g.get("description")) for g in c["goals"]) if "goals" in c else None
    spec = LevelUpCampaignSpec(
        kind=kind, id=int(c["id"]), required=int(c["required"]) if "required" in c else None, title=c.get("title"), merchant_id=int(c.get("merchant_id", 1)),
        description=c.get("description"), item_singular=c.get("item_singular"), item_plural=c.get("item_plural"), reward_title=c.get("reward_title"),
        earn_amount=int(c["earn_amount"]) if "earn_amount" in c else None, goals=goals,
    )
    out.levelup_campaigns.append(Declared(out.file, p, 0, spec))


def _levelup_user(out: Declarations, p: JsonPath, u: dict) -> None:
    if "token" in u:
        _header_safe(out, p + ("token",), u["token"])
        out.locations[("levelup", "tokens", u["token"])] = out.at(p + ("token",))
    spec = LevelUpUserSpec(user_id=int(u["user_id"]), token=u.get("token"), permissions=tuple(u.get("permissions", (MANAGE_USER_CAMPAIGNS,))), progress=_int_keys(u.get("progress", {})))
    out.levelup_users.append(Declared(out.file, p, 0, spec))


def _campaign(out: Declarations, p: JsonPath, c: dict) -> CampaignSpec:
    ctype = c["type"]
    levels = _levels(out, p, ctype, c["levels"]) if "levels" in c else None
    fields = {k: v for k, v in c.items() if k not in CAMPAIGN_KEYS}
    _check_fields(out, p, fields)
    for key in ("assignment_count", "reward_priority"):
        if isinstance(fields.get(key), float):
            fields[key] = int(fields[key])
    extra = c.get("extra", {})
    known = load_contract().schema("spaaza-campaign.json")["properties"]
    for key in extra:
        if key in known or key in CAMPAIGN_KEYS:
            where = "a field the contract names" if key in known else "a scenario key"
            out.report(p + ("extra", key), f"{excerpt(key)} is {where}: write `{key}:` on the campaign itself; `extra` is for fields the contract does not name")
    return CampaignSpec(type=ctype, id=int(c["id"]) if "id" in c else None, fields={**fields, **extra}, levels=levels)


def _levels(out: Declarations, p: JsonPath, ctype: str, declared: list[dict]) -> tuple[tuple[str, int], ...] | None:
    """A loyalty campaign's (name, points threshold): the lowest at 0, names and thresholds unique."""
    if ctype != "loyalty":
        out.report(p + ("levels",), f"`levels` is only for loyalty campaigns and this one is {excerpt(ctype)}; remove `levels` (or write type: loyalty)")
        return None
    levels = tuple((lv["name"], int(lv["points"])) for lv in declared)
    lowest = min(range(len(levels)), key=lambda k: levels[k][1])
    if levels[lowest][1] != 0:
        out.report(p + ("levels", lowest, "points"), f"the lowest level, {excerpt(levels[lowest][0])}, starts at {levels[lowest][1]} points; the lowest level is where every user starts: write points: 0")
    names: dict[str, int] = {}
    thresholds: dict[int, int] = {}
    for k, (name, points) in enumerate(levels):
        if points in thresholds:
            out.report(p + ("levels", k, "points"), f"{excerpt(name)} has the same threshold ({points}) as {excerpt(levels[thresholds[points]][0])}; give each level its own points threshold")
        if name in names:
            out.report(p + ("levels", k, "name"), f"there are two levels named {excerpt(name)}; give each level its own name")
        thresholds.setdefault(points, k)
        names.setdefault(name, k)
    return levels


def _check_fields(out: Declarations, p: JsonPath, fields: dict[str, Any]) -> None:
    """Declared fields are set verbatim (the schema holds each to the contract): the dates the
    generator reads must be readable, and a window must end after it starts."""
    times = {key: _time(out, p + (key,), fields[key]) for key in _TIME_FIELDS if isinstance(fields.get(key), str)}
    start, end = times.get("active_date_from"), times.get("active_date_until")
    if start is not None and end is not None and start > end:
        out.report(p + ("active_date_until",), f"{excerpt(fields['active_date_until'])} is before active_date_from {excerpt(fields['active_date_from'])}; the window must end after it starts")


def _time(out: Declarations, path: JsonPath, value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        out.report(path, f'{excerpt(value)} is not a date-time this server reads; write e.g. "2024-01-01T00:00:00+00:00"')
        return None
    if moment.tzinfo is None:
        out.report(path, f'{excerpt(value)} has no UTC offset; write e.g. "{value}+00:00"')
        return None
    return moment


def _header_safe(out: Declarations, path: JsonPath, value: str) -> None:
    if not _HEADER_SAFE.fullmatch(value):
        out.report(path, f"{excerpt(value)} cannot be sent in an HTTP header; use visible ASCII characters only (no spaces, newlines or accents)")


def _items(value: Any) -> list:
    """A list's items; none for anything else, which the schema refused (a key written without
    a value is null: iterating it would be a TypeError, not a refusal)."""
    return value if isinstance(value, list) else []


def _int_keys(mapping: dict[str, Any]) -> dict[int, int]:
    return {int(k): int(v) for k, v in mapping.items()}
