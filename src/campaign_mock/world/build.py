"""Assembles a World: the documented part, generated chains and merchants, and whatever
the scenarios declare, each generated consistently around the rest."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from types import MappingProxyType
from typing import Iterable, Iterator, Sequence

from campaign_mock.contract import load_contract
from campaign_mock.contract.body_rules import Finding
from campaign_mock.contract.facts import MANAGE_USER_CAMPAIGNS, USER_IDENTIFIERS
from campaign_mock.contract.validate import excerpt
from campaign_mock.exceptions import ScenarioError
from campaign_mock.world import documented, levelup
from campaign_mock.world.consistency import findings
from campaign_mock.world.domain import CURRENCIES
from campaign_mock.world.model import LEVELUP_KINDS, Chain, Json, LevelUpCampaign, LevelUpToken, LevelUpWorld, MyPriceApp, SpaazaSession, SpaazaUser, SpaazaWorld, World
from campaign_mock.world.providers import UTC
from campaign_mock.world.spaaza import ChainParts, Given, generate_chain
from campaign_mock.world.specs import (
    DEFAULT_CHAINS,
    DEFAULT_LEVELUP_USERS,
    DEFAULT_MERCHANTS,
    DEFAULT_USERS_PER_CHAIN,
    FIRST_GENERATED_MERCHANT,
    GENERATED_CHAINS,
    GENERATED_LEVELUP_CAMPAIGNS,
    GENERATED_LEVELUP_USERS,
    ChainSpec,
    LevelUpCampaignSpec,
    LevelUpUserSpec,
    Scenario,
    every_type_spec,
    merged_clock,
)

# The reference "now". Never the wall clock: the same seed gives the same bytes any day.
DEFAULT_CLOCK = datetime(2024, 1, 1, tzinfo=UTC)
# The id ranges are the scenario loader's (it checks scenarios against them): one statement.
FIRST_GENERATED_CHAIN = GENERATED_CHAINS.start
# Chains a scenario may add to (the loader checks scenarios against these ids).
SCENARIO_MAY_EXTEND = frozenset({documented.CHAIN_ID, *GENERATED_CHAINS})
FIRST_GENERATED_LEVELUP_USER = GENERATED_LEVELUP_USERS.start


def chain_specs(chains: int, users_per_chain: int, scenarios: Sequence[Scenario] = (), documented_chain: bool = True) -> dict[int, ChainSpec]:
    """Every chain of the world by id, scenarios' declarations merged into existing chains."""
    types = load_contract().campaign_types
    specs: dict[int, ChainSpec] = {}
    if documented_chain:
        specs[documented.CHAIN_ID] = ChainSpec(id=documented.CHAIN_ID, generated_users=users_per_chain)
    for i in range(chains):
        chain_id = FIRST_GENERATED_CHAIN + i
        specs[chain_id] = every_type_spec(chain_id, types, users_per_chain)
    generated = range(FIRST_GENERATED_CHAIN, FIRST_GENERATED_CHAIN + chains)
    for scenario in scenarios:
        for declared in scenario.chains:
            base = specs.get(declared.id)
            if declared.id in generated and declared.id not in SCENARIO_MAY_EXTEND:
                # The loader checked it as a new chain (two scenarios may share one); so many generated chains reach its id.
                raise ScenarioError(f"{scenario.source}: chain {declared.id} is also generated chain {declared.id - FIRST_GENERATED_CHAIN + 1}; generate fewer chains or give the scenario's chain another id")
            if base is None and declared.id in GENERATED_CHAINS:
                # The loader checked its references against the generated chain's campaigns.
                raise ScenarioError(f"{_where(scenario, ('spaaza', 'chains', declared.id))}: chain {declared.id} adds to a generated chain, but --chains {chains} generates only {FIRST_GENERATED_CHAIN}..{FIRST_GENERATED_CHAIN + chains - 1}; generate more chains or give the chain an id outside {GENERATED_CHAINS.start}..{GENERATED_CHAINS.stop - 1}")
            if base is None:
                specs[declared.id] = declared
            else:
                specs[declared.id] = replace(
                    base,
                    name=declared.name or base.name,
                    currency=declared.currency or base.currency,
                    campaigns=base.campaigns + declared.campaigns,
                    users=base.users + declared.users,
                    generated_users=base.generated_users + declared.generated_users,
                )
    return specs


def iter_chains(seed: int, clock: datetime, specs: dict[int, ChainSpec]) -> Iterator[ChainParts]:
    """Chains one at a time, so that a large world can be streamed to disk."""
    progress_format = load_contract().progress_format
    for chain_id in sorted(specs):
        given = Given()
        if chain_id == documented.CHAIN_ID:
            given = Given(
                campaigns=tuple(documented.spaaza_campaigns()), unlisted=(documented.deleted_wallet_2009(),), name="ACME",
                currency_id=2, app=documented.APP, sessions=(documented.admin_session(),),
            )
        yield generate_chain(seed, specs[chain_id], clock, progress_format, given)


def spaaza_world(parts: Iterable[ChainParts], whole: bool = True) -> SpaazaWorld:
    """The Spaaza world of these chains: the whole one (`whole`: the documented alias and the
    app of no entity too), or one chain's alone, as the fixture writer streams them."""
    chains: dict[int, Chain] = {}
    users: dict[int, SpaazaUser] = {}
    sessions: dict[int, SpaazaSession] = {}
    apps: dict[str, MyPriceApp] = {}
    progress: dict[tuple[int, int], Json] = {}
    counts: dict[tuple[int, int], int] = {}
    for part in parts:
        chains[part.chain.id] = part.chain
        users.update((u.user_id, u) for u in part.users)
        sessions.update((s.user_id, s) for s in part.sessions)
        apps.update((a.hostname, a) for a in part.apps)
        progress.update(part.progress)
        counts.update(part.current_counts)
    aliases: dict[int, int] = {}
    if whole and documented.CHAIN_ID in chains:
        aliases[documented.CHAIN_ALIAS] = documented.CHAIN_ID
    if whole:
        # An app that belongs to no entity, so that error 264 has a natural request.
        apps[documented.UNLINKED_APP.hostname] = documented.UNLINKED_APP
    return SpaazaWorld(
        chains=MappingProxyType(chains),
        chain_aliases=MappingProxyType(aliases),
        currencies=CURRENCIES,
        users=MappingProxyType(users),
        sessions=MappingProxyType(sessions),
        apps=MappingProxyType(apps),
        progress=MappingProxyType(progress),
        current_counts=MappingProxyType(counts),
    )


def build_spaaza(seed: int, clock: datetime, specs: dict[int, ChainSpec]) -> SpaazaWorld:
    return spaaza_world(iter_chains(seed, clock, specs))


def build_levelup(seed: int, clock: datetime, merchants: int, users: int, scenarios: Sequence[Scenario], documented_part: bool = True) -> LevelUpWorld:
    campaigns = _levelup_campaigns(seed, clock, merchants, scenarios, documented_part)
    tokens: dict[str, LevelUpToken] = {}
    progress: dict[tuple[int, int], int] = {}
    opted_in: dict[tuple[int, int], bool] = {}
    for index, (uid, spec) in enumerate(_levelup_users(users, scenarios, documented_part).items()):
        token = levelup.make_token(seed, spec)
        if token.token in tokens:  # only a declared token can meet another (generated ones differ)
            scenario = next(s for s in scenarios if ("levelup", "tokens", token.token) in s.locations)
            raise ScenarioError(f"{_where(scenario, ('levelup', 'tokens', token.token))}: is already the token of LevelUp user {tokens[token.token].user_id}; tokens must differ: pick another (or leave `token` out)")
        tokens[token.token] = token
        for cid, campaign in campaigns.items():
            joined = True
            if levelup.requires_opt_in(campaign):
                # Progress a scenario declares is progress of a user who opted in.
                joined = opted_in[(uid, cid)] = cid in spec.progress or levelup.make_opted_in(index, campaign)
            if uid == documented.LEVELUP_USER_ID and cid in documented.LEVELUP_CAMPAIGNS:
                value = 0  # as the documented bodies show
            else:
                value = levelup.make_progress(seed, uid, campaign, joined, index)
            progress[(uid, cid)] = spec.progress.get(cid, value)
    aliases = documented.LEVELUP_ALIASES if documented_part else {}
    return LevelUpWorld(
        campaigns=MappingProxyType(campaigns), tokens=MappingProxyType(tokens), progress=MappingProxyType(progress),
        aliases=MappingProxyType(aliases), opted_in=MappingProxyType(opted_in),
    )


def _levelup_campaigns(seed: int, clock: datetime, merchants: int, scenarios: Sequence[Scenario], documented_part: bool) -> dict[int, LevelUpCampaign]:
    """The documented campaigns, one of every kind per generated merchant, then the declared ones."""
    campaigns = {c.id: c for c in documented.levelup_campaigns()} if documented_part else {}
    for m in range(FIRST_GENERATED_MERCHANT, FIRST_GENERATED_MERCHANT + merchants):
        name = levelup.merchant_name(seed, m)
        for k, kind in enumerate(LEVELUP_KINDS, 1):
            cid = GENERATED_LEVELUP_CAMPAIGNS.start + m * 100 + k
            campaigns[cid] = levelup.make_campaign(seed, m, name, LevelUpCampaignSpec(kind, cid), clock)
    for scenario in scenarios:
        for spec in scenario.levelup_campaigns:
            campaigns[spec.id] = levelup.make_campaign(seed, spec.merchant_id, levelup.merchant_name(seed, spec.merchant_id), spec, clock)
    return campaigns


def _levelup_users(users: int, scenarios: Sequence[Scenario], documented_part: bool) -> dict[int, LevelUpUserSpec]:
    """The documented user, the generated ones, then the declared ones, by user id."""
    specs: dict[int, LevelUpUserSpec] = {}
    if documented_part:
        specs[documented.LEVELUP_USER_ID] = LevelUpUserSpec(user_id=documented.LEVELUP_USER_ID, token=documented.LEVELUP_TOKEN)
    for i in range(users):
        uid = FIRST_GENERATED_LEVELUP_USER + i
        # The last generated user's token lacks manage_user_campaigns: the documented refusal.
        permissions = () if i == users - 1 else (MANAGE_USER_CAMPAIGNS,)
        specs[uid] = LevelUpUserSpec(user_id=uid, permissions=permissions)
    for scenario in scenarios:
        specs.update((u.user_id, u) for u in scenario.levelup_users)
    return specs


def build_world(
    seed: int = 0,
    *,
    scenarios: Sequence[Scenario] = (),
    clock: datetime | None = None,
    chains: int = DEFAULT_CHAINS,
    users_per_chain: int = DEFAULT_USERS_PER_CHAIN,
    merchants: int = DEFAULT_MERCHANTS,
    levelup_users: int = DEFAULT_LEVELUP_USERS,
    documented_part: bool = True,
) -> World:
    """The whole world for `seed`. The default arguments give the default world: the
    documented examples plus a few generated chains, merchants and users. A `clock` given
    here wins over the scenarios' (the CLI never gives one)."""
    clock = clock or merged_clock(scenarios) or DEFAULT_CLOCK
    specs = chain_specs(chains, users_per_chain, scenarios, documented_part)
    world = World(
        seed=seed,
        clock=clock,
        spaaza=build_spaaza(seed, clock, specs),
        levelup=build_levelup(seed, clock, merchants, levelup_users, scenarios, documented_part),
    )
    refuse_inconsistent(world, scenarios)
    return world


def refuse_inconsistent(world: World, scenarios: Sequence[Scenario]) -> None:
    """The generator keeps the consistency rules by construction, but fields a scenario sets
    verbatim (a reference, a date, a flag, an award count) can still break one: refuse such a
    world whole, naming file:line of what the first finding is about."""
    if not scenarios:
        return
    _refuse_shared_identifiers(world, scenarios)
    problems = findings(world)
    if problems:
        sources = ", ".join(s.source for s in scenarios)
        raise ScenarioError(problems=[f"{locate(p, scenarios) or sources}: the world this describes breaks a consistency rule: {p}" for p in problems])


def _where(scenario: Scenario, key: tuple) -> str:
    return scenario.locations.get(key, scenario.source)


def _refuse_shared_identifiers(world: World, scenarios: Sequence[Scenario]) -> None:
    """A declared identifier that a generated user of the same chain also has: a lookup by it
    would find either user. (The loader refuses two declared ones.)"""
    declared = {key[2:]: s for s in scenarios for key in s.locations if key[:2] == ("spaaza", "identifiers")}
    if not declared:
        return
    holders: dict[tuple, int] = {}
    for user in sorted(world.spaaza.users.values(), key=lambda u: u.user_id):
        for name in USER_IDENTIFIERS:
            if name == "user_id":
                continue
            key = (user.chain_id, name, getattr(user, name))
            if key in holders and key in declared:
                raise ScenarioError(f"{_where(declared[key], ('spaaza', 'identifiers', *key))}: {name} {excerpt(key[2])} would be shared by users {holders[key]} and {user.user_id} (one of them generated); identifiers find one user: pick another")
            holders.setdefault(key, user.user_id)


def locate(finding: Finding, scenarios: Sequence[Scenario]) -> str | None:
    """file:line of the declaration a finding is about, if a scenario made it: the place of its
    path, else of what else it is about, each from the most specific place declared."""
    for path in (finding.path, *finding.also):
        for n in range(len(path), 0, -1):
            for scenario in scenarios:
                if path[:n] in scenario.locations:
                    return scenario.locations[path[:n]]
    return None
