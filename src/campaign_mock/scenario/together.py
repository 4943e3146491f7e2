"""The checks across scenario documents loaded together: one clock, campaign ids unique in the
world (numbered as the builder will number them), users' ids, identifiers and references,
LevelUp ids, tokens and progress. Cheap next to parsing: the server parses each document once
and checks the set whenever it changes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Iterable, Sequence

from campaign_mock.contract import load_contract
from campaign_mock.contract.validate import excerpt
from campaign_mock.exceptions import ScenarioError
from campaign_mock.scenario.declare import Declarations, Declared
from campaign_mock.scenario.document import Document
from campaign_mock.scenario.yaml_lines import JsonPath, Problem, YamlFile, refusal
from campaign_mock.world import documented
from campaign_mock.world.specs import (
    CURRENT_COUNT_TYPES,
    EDITOR_SUFFIX,
    GENERATED_CHAINS,
    GENERATED_LEVELUP_CAMPAIGNS,
    GENERATED_LEVELUP_USERS,
    MAX_USERS_PER_CHAIN,
    SCENARIO_LIMITS,
    WALLET_TYPES,
    CampaignSpec,
    LevelUpCampaignSpec,
    LevelUpUserSpec,
    Scenario,
    UserSpec,
    WorldSize,
    campaign_ids,
    every_type_spec,
)


def check_together(documents: Sequence[Document | ScenarioError], size: WorldSize | None = None) -> tuple[Scenario, ...]:
    """check_scenarios over documents of which some were refused on their own (a
    ScenarioError, whose `partial` holds what passed): every problem at once, the documents'
    own first, then those across them. What `fixtures`, `serve` and the admin API all call."""
    own = [line for d in documents if isinstance(d, ScenarioError) for line in d.problems]
    usable = [d.partial if isinstance(d, ScenarioError) else d for d in documents]
    try:
        scenarios = check_scenarios([d for d in usable if isinstance(d, Document)], size)
    except ScenarioError as e:
        raise refusal([*own, *e.problems]) from None
    except (TypeError, ValueError, KeyError):
        if not own:
            raise
        # A value the schema refused that a check across documents still read: the
        # document's own problems are the answer (they name it), never a traceback.
        raise refusal(own) from None
    if own:
        raise refusal(own)
    return scenarios


@dataclass
class _Report:
    """The problems found so far, and the size of the world the documents go into."""

    size: WorldSize
    problems: list[Problem] = field(default_factory=list)

    def report(self, f: YamlFile, path: JsonPath, message: str) -> None:
        self.problems.append(f.problem(path, message))


def check_scenarios(documents: Sequence[Document], size: WorldSize | None = None) -> tuple[Scenario, ...]:
    """The documents' Scenarios, once they pass the checks across documents, against a world
    of `size` (what `fixtures` and `serve` generate besides them: the same checks for every
    caller); else ScenarioError with every problem, file by file in line order."""
    declared = [d.declared for d in documents]
    r = _Report(size or WorldSize())
    _check_clocks(r, declared)
    _check_chains(r, declared)
    _check_limits(r, declared)
    chain_campaigns = _chain_campaigns(declared)
    _check_campaign_ids(r, declared, chain_campaigns)
    _check_users(r, declared, chain_campaigns)
    _check_levelup_users(r, declared, _check_levelup_campaigns(r, declared))
    if r.problems:
        order = {d.file.name: n for n, d in enumerate(declared)}
        problems: list[Problem] = sorted(r.problems, key=lambda p: (order.get(p.file, 0), p.line))
        raise refusal(problems)
    numbered = {id(c.declared): c.id for cs in chain_campaigns.values() for c in cs if c.declared}
    return tuple(replace(d.scenario, locations=MappingProxyType({**d.scenario.locations, **_locations(d, numbered)})) for d in declared)


def _locations(d: Declarations, numbered: dict[int, int]) -> dict[tuple, str]:
    """Where the things consistency findings can be about are written (Scenario.locations)."""
    out: dict[tuple, str] = {}
    if "clock" in d.file.data:
        out[("clock",)] = d.at(("clock",))
    for c in d.campaigns:
        out[("spaaza", "campaigns", numbered[id(c)])] = d.at(c.path)
    for u in d.users:
        if u.spec.user_id is not None:
            out[("spaaza", "users", u.spec.user_id)] = d.at(u.path)
            for key, mapping in (("awards", u.spec.awards), ("balances", u.spec.balances), ("progress", u.spec.progress)):
                for cid in mapping:
                    out[("spaaza", "progress", u.spec.user_id, cid)] = d.at(u.path + (key, str(cid)))
    for lc in d.levelup_campaigns:
        out[("levelup", "campaigns", lc.spec.id)] = d.at(lc.path)
    for lu in d.levelup_users:
        out[("levelup", "users", lu.spec.user_id)] = d.at(lu.path)
        for cid in lu.spec.progress:
            out[("levelup", "progress", lu.spec.user_id, cid)] = d.at(lu.path + ("progress", str(cid)))
    return out


def _check_clocks(r: _Report, declared: list[Declarations]) -> None:
    """One clock for the world."""
    first = next((d for d in declared if d.scenario.clock is not None), None)
    for d in declared:
        if first and d.scenario.clock is not None and d.scenario.clock != first.scenario.clock:
            r.report(d.file, ("clock",), f"{d.file.data['clock']} differs from clock {first.file.data['clock']} set by {first.file.where(('clock',))}; scenarios loaded together must agree: remove one `clock`")


def _check_chains(r: _Report, declared: list[Declarations]) -> None:
    """A chain that adds to a generated one names one the world generates."""
    generated = r.size.generated_chains
    for d in declared:
        for chain in d.chains:
            if chain.chain_id in GENERATED_CHAINS and chain.chain_id not in generated:
                r.report(chain.file, chain.path + ("id",), f"chain {chain.chain_id} adds to a generated chain, but --chains {r.size.chains} generates only {_spans(generated)}; generate more chains or give the chain an id outside {GENERATED_CHAINS.start}..{GENERATED_CHAINS.stop - 1}")


def _check_limits(r: _Report, declared: list[Declarations]) -> None:
    """What the documents together ask the generator for stays within SCENARIO_LIMITS (so any
    accepted set builds in seconds): refused where the count first passes a limit."""
    counts = dict.fromkeys(SCENARIO_LIMITS, 0)

    def count(what: str, n: int, f: YamlFile, path: JsonPath) -> None:
        before = counts[what]
        counts[what] += n
        if before <= SCENARIO_LIMITS[what] < counts[what]:
            r.report(f, path, f"the scenarios ask for more than {SCENARIO_LIMITS[what]} {what} in all (the documented size cap of a scenario's world, so that it builds in seconds); split them over namespaces or ask for fewer")

    for d in declared:
        for chain in d.chains:
            count("chains", 1, chain.file, chain.path)
            count("users", len(chain.spec.users) + chain.spec.generated_users, chain.file, chain.path)
        for c in d.campaigns:
            count("campaigns", 1, c.file, c.path)
            assignments = c.spec.fields.get("assignment_count")
            count("assignments", assignments if isinstance(assignments, int) else 0, c.file, c.path)  # else refused already
        for lc in d.levelup_campaigns:
            count("levelup campaigns", 1, lc.file, lc.path)
        for lu in d.levelup_users:
            count("levelup users", 1, lu.file, lu.path)


def _spans(ids: Iterable[int]) -> str:
    """1, 2, 3, 7 -> "1..3, 7"; "none" for no ids."""
    spans: list[list[int]] = []
    for i in sorted(ids):
        if spans and i == spans[-1][1] + 1:
            spans[-1][1] = i
        else:
            spans.append([i, i])
    return ", ".join(f"{a}..{b}" if a != b else str(a) for a, b in spans) or "none"


# --- campaigns -------------------------------------------------------------------------


@dataclass
class _Campaign:
    id: int
    type: str
    owner: str  # who has the id, for messages
    declared: Declared[CampaignSpec] | None = None


def _chain_campaigns(declared: list[Declarations]) -> dict[int, list[_Campaign]]:
    """Each chain's campaigns as the builder will number them, chains in order of first
    appearance."""
    order: dict[int, list[Declared[CampaignSpec]]] = {}
    for d in declared:
        for chain in d.chains:
            order.setdefault(chain.chain_id, [])
        for c in d.campaigns:
            order[c.chain_id].append(c)
    return {cid: _numbered(cid, campaigns) for cid, campaigns in order.items()}


def _numbered(chain_id: int, declared: list[Declared[CampaignSpec]]) -> list[_Campaign]:
    """The campaign ids chain `chain_id` will have: specs.campaign_ids, the generator's own
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


def _check_campaign_ids(r: _Report, declared: list[Declarations], chain_campaigns: dict[int, list[_Campaign]]) -> None:
    """Campaign ids are unique in the world: generated ids first, then declared ones in file order."""
    documented_ids = chain_campaigns.get(documented.CHAIN_ID) or _numbered(documented.CHAIN_ID, [])
    taken: dict[int, _Campaign] = {}
    for campaigns in (documented_ids, *chain_campaigns.values()):
        for c in campaigns:
            if c.declared is None:
                taken.setdefault(c.id, c)
    file_order = {id(d.file): n for n, d in enumerate(declared)}
    mine = [c for cs in chain_campaigns.values() for c in cs if c.declared]
    for c in sorted(mine, key=lambda c: (file_order[id(c.declared.file)], c.declared.path) if c.declared else (0, ())):
        _check_campaign_id(r, c, taken.get(c.id), chain_campaigns)
        taken[c.id] = c


def _check_campaign_id(r: _Report, c: _Campaign, other: _Campaign | None, chain_campaigns: dict[int, list[_Campaign]]) -> None:
    d = c.declared
    assert d is not None
    explicit = d.spec.id is not None
    range_of = c.id // 1000
    if other is None and explicit and range_of in GENERATED_CHAINS and range_of != d.chain_id and range_of not in chain_campaigns:
        r.report(d.file, d.path + ("id",), f"id {c.id} is in the id range of generated chain {range_of} ({range_of}000..{range_of}999); pick an id in this chain's range, e.g. {d.chain_id}100")
    if other is not None and explicit:
        r.report(d.file, d.path + ("id",), f"campaign id {c.id} is already used by {other.owner}; pick another id")
    elif other is not None:
        r.report(d.file, d.path + ("type",), f"this campaign gets the generated id {c.id}, already used by {other.owner}; give it an explicit `id`")


# --- users ---------------------------------------------------------------------------


@dataclass
class _Users:
    """What the users declared so far hold: their ids, and each chain's identifiers."""

    ids: dict[int, Declared[UserSpec]]
    identifiers: dict[tuple[int, str, str], Declared[UserSpec]]


def _check_users(r: _Report, declared: list[Declarations], chain_campaigns: dict[int, list[_Campaign]]) -> None:
    # Every chain whose user ids the world has: a declared id in another chain's range clashes.
    known_chains = {documented.CHAIN_ID, *chain_campaigns, *r.size.generated_chains}
    seen = _Users({}, {})
    per_chain: dict[int, int] = {}
    for d in declared:
        for chain in d.chains:
            per_chain[chain.chain_id] = per_chain.get(chain.chain_id, 0) + chain.spec.generated_users + len(chain.spec.users)
            if per_chain[chain.chain_id] > MAX_USERS_PER_CHAIN:
                where = chain.path + ("generated_users",) if chain.spec.generated_users else chain.path + ("users",)
                r.report(chain.file, where, f"chain {chain.chain_id} would have {per_chain[chain.chain_id]} declared and generated users; at most {MAX_USERS_PER_CHAIN} (user ids are <chain id>01..<chain id>{MAX_USERS_PER_CHAIN})")
        for u in d.users:
            _check_user_id(r, u, seen, known_chains)
            _check_identifiers(r, u, seen)
            _check_references(r, u, chain_campaigns[u.chain_id])


def _check_user_id(r: _Report, d: Declared[UserSpec], seen: _Users, known_chains: set[int]) -> None:
    """A declared user_id is new, and one of its chain's user ids (not its admin's or editor's)."""
    uid, chain_id = d.spec.user_id, d.chain_id
    if uid is None:
        return
    p, f = d.path + ("user_id",), d.file
    if uid in seen.ids:
        first = seen.ids[uid]
        r.report(f, p, f"user {uid} is already declared at {first.file.where(first.path + ('user_id',))}; pick another user_id")
        return
    if uid == documented.ADMIN_USER_ID or (uid % 100 == 0 and uid // 100 in known_chains):
        r.report(f, p, f"{uid} is the id of an admin session; pick another, e.g. {chain_id * 100 + 1}")
    elif uid % 100 == EDITOR_SUFFIX and uid // 100 in known_chains:
        r.report(f, p, f"{uid} is the id of the chain's editor (last_updated_by); pick another, e.g. {chain_id * 100 + 1}")
    elif uid // 100 in known_chains and uid // 100 != chain_id:
        r.report(f, p, f"{uid} is in the user id range of chain {uid // 100} and would clash with its generated users; pick one of this chain's, e.g. {chain_id * 100 + 1}")
    seen.ids[uid] = d


def _check_identifiers(r: _Report, d: Declared[UserSpec], seen: _Users) -> None:
    """An identifier finds one user of its chain."""
    for name, value in d.spec.identifiers.items():
        first = seen.identifiers.get((d.chain_id, name, value))
        if first is not None:
            r.report(d.file, d.path + (name,), f"{name} {excerpt(value)} is already the {name} of the user at {first.file.where(first.path + (name,))}; identifiers find one user, so pick another")
        seen.identifiers[(d.chain_id, name, value)] = d


def _check_references(r: _Report, d: Declared[UserSpec], campaigns: list[_Campaign]) -> None:
    """Balances name wallets and awards campaigns with standard progress, of the user's chain."""
    u, f, chain_id = d.spec, d.file, d.chain_id
    by_id = {c.id: c for c in campaigns}
    contract = load_contract()
    listing = ", ".join(f"{c.id} ({c.type})" for c in campaigns)
    for key, mapping, wanted in (("balances", u.balances, "wallet"), ("awards", u.awards, "standard"), ("progress", u.progress, "count")):
        for cid in mapping:
            p = d.path + (key, str(cid))
            c = by_id.get(cid)
            if c is None:
                r.report(f, p, f"chain {chain_id} has no campaign {cid}; declare it under the chain's campaigns, or use one of: {listing}")
            elif wanted == "wallet" and c.type not in WALLET_TYPES:
                r.report(f, p, f"campaign {cid} is a {c.type} campaign; balances are for points_wallet and wallet campaigns (for loyalty levels write `points`)")
            elif wanted == "wallet" and c.type == "points_wallet" and u.points is not None:
                r.report(f, p, f"`points` already gives this user's balance in points wallet {cid}; write one of the two")
            elif wanted == "standard" and contract.progress_format(c.type) != "standard":
                r.report(f, p, f"campaign {cid} is a {c.type} campaign, whose user_progress has no award_count; awards are for: {', '.join(contract.schema('spaaza-campaign.json#/$defs/progress_standard_types')['enum'])}")
            elif wanted == "count" and c.type not in CURRENT_COUNT_TYPES:
                r.report(f, p, f"campaign {cid} is a {c.type} campaign, which counts no purchases per user (current_count); progress is for: {', '.join(CURRENT_COUNT_TYPES)}")
            elif wanted == "count" and c.declared is not None and isinstance(target := c.declared.spec.fields.get("target_count"), int) and mapping[cid] >= target > 0:
                r.report(f, p, f"progress {mapping[cid]} reaches the campaign's target_count {target}; a purchase count resets when its reward is earned: write at most {target - 1}")


# --- LevelUp -------------------------------------------------------------------------


def _check_levelup_campaigns(r: _Report, declared: list[Declarations]) -> dict[int, Declared[LevelUpCampaignSpec]]:
    """LevelUp campaign ids are new: neither documented, generated nor declared before."""
    campaigns: dict[int, Declared[LevelUpCampaignSpec]] = {}
    for d in declared:
        for c in d.levelup_campaigns:
            cid, where = c.spec.id, c.path + ("id",)
            if cid in documented.LEVELUP_CAMPAIGNS:
                r.report(c.file, where, f"{cid} is a documented LevelUp campaign; pick another id, e.g. 9001")
            elif cid in GENERATED_LEVELUP_CAMPAIGNS:
                r.report(c.file, where, f"{cid} is in the range of generated LevelUp campaigns ({GENERATED_LEVELUP_CAMPAIGNS.start}..{GENERATED_LEVELUP_CAMPAIGNS.stop - 1}); pick another id, e.g. 9001")
            elif cid in campaigns:
                first = campaigns[cid]
                r.report(c.file, where, f"LevelUp campaign {cid} is already declared at {first.file.where(first.path + ('id',))}; pick another id")
            campaigns[cid] = c
    return campaigns


def _check_levelup_users(r: _Report, declared: list[Declarations], declared_campaigns: dict[int, Declared[LevelUpCampaignSpec]]) -> None:
    """LevelUp user ids and tokens are new; progress names a campaign and stays below its requirement."""
    campaigns = {cid: c.spec for cid, c in declared_campaigns.items()}
    users: dict[int, Declared[LevelUpUserSpec]] = {}
    tokens: dict[str, Declared[LevelUpUserSpec]] = {}
    for d in declared:
        for lu in d.levelup_users:
            _check_levelup_user(r, lu, users, tokens)
            _check_levelup_progress(r, lu, campaigns)


def _check_levelup_user(r: _Report, d: Declared[LevelUpUserSpec], users: dict[int, Declared[LevelUpUserSpec]], tokens: dict[str, Declared[LevelUpUserSpec]]) -> None:
    u, where = d.spec, d.path + ("user_id",)
    if u.user_id == documented.LEVELUP_USER_ID or u.user_id in GENERATED_LEVELUP_USERS:
        r.report(d.file, where, f"{u.user_id} is a documented or generated LevelUp user ({documented.LEVELUP_USER_ID}, {GENERATED_LEVELUP_USERS.start}..{GENERATED_LEVELUP_USERS.stop - 1}); pick another user_id, e.g. 9101")
    elif u.user_id in users:
        first = users[u.user_id]
        r.report(d.file, where, f"LevelUp user {u.user_id} is already declared at {first.file.where(first.path + ('user_id',))}; pick another user_id")
    users[u.user_id] = d
    if u.token is not None:
        if u.token == documented.LEVELUP_TOKEN:
            r.report(d.file, d.path + ("token",), "this is the documented user's token; pick another (or leave `token` out)")
        elif u.token in tokens:
            first = tokens[u.token]
            r.report(d.file, d.path + ("token",), f"the token is already the token of the user at {first.file.where(first.path + ('token',))}; tokens must differ")
        tokens[u.token] = d


def _check_levelup_progress(r: _Report, d: Declared[LevelUpUserSpec], campaigns: dict[int, LevelUpCampaignSpec]) -> None:
    generated = r.size.generated_levelup_campaigns
    for cid, value in d.spec.progress.items():
        at = d.path + ("progress", str(cid))
        if cid in GENERATED_LEVELUP_CAMPAIGNS and cid not in generated:
            r.report(d.file, at, f"there is no LevelUp campaign {cid}: --merchants {r.size.merchants} generates only {_spans(generated)}; use one of those, or declare a campaign under levelup.campaigns")
        elif cid not in campaigns and cid not in documented.LEVELUP_CAMPAIGNS and cid not in generated:
            r.report(d.file, at, f"there is no LevelUp campaign {cid}; declare it under levelup.campaigns, or use a documented one ({', '.join(map(str, documented.LEVELUP_CAMPAIGNS))})")
        spec = campaigns.get(cid)
        if spec is not None and spec.required is not None and not spec.kind.startswith("custom") and value >= spec.required:
            r.report(d.file, at, f"progress {value} reaches the campaign's requirement {spec.required}; loyalty progress resets when a reward is earned: write at most {spec.required - 1}")
