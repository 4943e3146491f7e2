"""What the generator can be asked for: chains with their campaigns and users, LevelUp
campaigns and users, and a Scenario (what one scenario document declares). The scenario
language (campaign_mock.scenario) writes these; the builder (build.py) and the generators
(spaaza.py, levelup.py) read them. Here too: the id ranges and limits the generator numbers
by, and its one campaign id allocation (campaign_ids), which the scenario checks use as well."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Mapping, Sequence

from campaign_mock.contract.facts import MANAGE_USER_CAMPAIGNS
from campaign_mock.exceptions import ScenarioError
from campaign_mock.world.model import LEVELUP_KINDS

WALLET_TYPES = ("points_wallet", "wallet")
# A chain's user ids: <chain>00 its admin, <chain>01..<chain>98 its users, <chain>99 the
# editor that last_updated_by names.
MAX_USERS_PER_CHAIN = 98
EDITOR_SUFFIX = 99
# Ids the builder generates (build.py numbers from these starts; scenarios are checked against them).
GENERATED_CHAINS = range(5001, 7000)
GENERATED_LEVELUP_CAMPAIGNS = range(30000, 40000)  # start + merchant * 100 + k
GENERATED_LEVELUP_USERS = range(1001, 2000)

# The generated part of a world: `serve` and `fixtures` take the same sizes (--chains,
# --users-per-chain, --merchants), and the scenario checks the same WorldSize.
DEFAULT_CHAINS, DEFAULT_USERS_PER_CHAIN, DEFAULT_MERCHANTS, DEFAULT_LEVELUP_USERS = 3, 3, 2, 3
FIRST_GENERATED_MERCHANT = 2
# The years a clock may be in, a scenario's or one a namespace sets: the generator dates a
# world up to four years before its clock and a year after it.
CLOCK_YEARS = range(1980, 3000)
# What scenarios loaded together may ask the generator for, counted over all of them (the
# documented and generated parts aside): bounds on the world, beside those on a file
# (scenario/yaml_lines.py), so that any accepted set builds in seconds and tens of MB
# (benchmarks/scenarios.py builds the largest). Users count declared and generated ones;
# assignments, every campaign's assignment_count.
SCENARIO_LIMITS: Mapping[str, int] = {"chains": 100, "campaigns": 2_000, "users": 2_000, "assignments": 50_000, "levelup campaigns": 200, "levelup users": 200}

# The campaign type whose user_progress comes with a current_count per user (a punch card):
# what a user's `progress` declares.
CURRENT_COUNT_TYPES = ("item_purchase_count",)
# Which LevelUp kinds' representations carry which texts a scenario may write, beside the
# title and description every kind has: item names, a reward title, goals. Gift card kinds
# count gift cards.
ITEM_NAMING_KINDS = ("item_loyalty", "item_gift_card", "custom_item", "custom_spend")
REWARD_TITLE_KINDS = ("item_loyalty", "item_gift_card", "spend_gift_card")
GOAL_KINDS = ("custom_item", "custom_spend")
GIFT_CARD_KINDS = ("item_gift_card", "custom_spend")

# What a generated campaign can be beside live: something for exclude_inactive and the clock
# to hide. A scenario says the same with fields (active, active_date_*, is_deleted).
STATES = ("live", "inactive", "expired", "future", "deleted")


@dataclass(frozen=True)
class CampaignSpec:
    """What a scenario (or the generator) says about one campaign; the rest is generated.
    `fields` are set verbatim on the campaign; `levels` are (name, points threshold);
    `state` (generated chains only) is one of STATES."""

    type: str
    id: int | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    levels: tuple[tuple[str, int], ...] | None = None
    state: str = "live"


@dataclass(frozen=True)
class UserSpec:
    """A user a scenario cares about. `points` is the balance in the chain's points wallet
    (and so decides the loyalty level); `balances` and `awards` are keyed by campaign id."""

    user_id: int | None = None
    identifiers: Mapping[str, str] = field(default_factory=dict)
    points: int | None = None
    balances: Mapping[int, int] = field(default_factory=dict)
    awards: Mapping[int, int] = field(default_factory=dict)
    session_key: str | None = None
    progress: Mapping[int, int] = field(default_factory=dict)  # campaign id -> current_count


@dataclass(frozen=True)
class ChainSpec:
    id: int
    name: str | None = None
    currency: str | None = None
    campaigns: tuple[CampaignSpec, ...] = ()
    users: tuple[UserSpec, ...] = ()
    generated_users: int = 0


@dataclass(frozen=True)
class LevelUpCampaignSpec:
    """What a scenario says about a LevelUp campaign; texts it gives are served verbatim.
    `goals`: (title, description) of each custom progress goal, None where generated."""

    kind: str
    id: int
    required: int | None = None  # items, cents or visits, by kind
    title: str | None = None
    merchant_id: int = 1
    description: str | None = None
    item_singular: str | None = None
    item_plural: str | None = None
    reward_title: str | None = None
    earn_amount: int | None = None  # cents
    goals: tuple[tuple[str | None, str | None], ...] | None = None


@dataclass(frozen=True)
class LevelUpUserSpec:
    user_id: int
    token: str | None = None
    permissions: tuple[str, ...] = (MANAGE_USER_CAMPAIGNS,)
    progress: Mapping[int, int] = field(default_factory=dict)  # campaign id -> progress


@dataclass(frozen=True)
class Scenario:
    source: str
    clock: datetime | None = None
    chains: tuple[ChainSpec, ...] = ()
    levelup_campaigns: tuple[LevelUpCampaignSpec, ...] = ()
    levelup_users: tuple[LevelUpUserSpec, ...] = ()
    # Where each declared thing is written ("file.yaml:LINE: $.json.path"), for refusals that
    # name it, keyed by its path in the world as consistency findings give it: ("clock",),
    # ("spaaza", "campaigns", id), ("spaaza", "users", id), ("spaaza", "progress", user id,
    # campaign id), ("levelup", "campaigns", id), ("levelup", "users", id), ("levelup",
    # "progress", user id, campaign id); and for values the builder may find taken,
    # ("spaaza", "chains", id), ("spaaza", "identifiers", chain id, name, value),
    # ("levelup", "tokens", token).
    locations: Mapping[tuple, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class WorldSize:
    """The generated part's size: which chains, LevelUp campaigns and users the generator
    makes besides what scenarios declare (the scenario checks need it: a declared id must not
    be one of them)."""

    chains: int = DEFAULT_CHAINS
    users_per_chain: int = DEFAULT_USERS_PER_CHAIN
    merchants: int = DEFAULT_MERCHANTS
    levelup_users: int = DEFAULT_LEVELUP_USERS

    @property
    def generated_chains(self) -> range:
        return range(GENERATED_CHAINS.start, GENERATED_CHAINS.start + self.chains)

    @property
    def generated_levelup_campaigns(self) -> frozenset[int]:
        """start + merchant * 100 + k: one campaign of each kind per generated merchant."""
        merchants = range(FIRST_GENERATED_MERCHANT, FIRST_GENERATED_MERCHANT + self.merchants)
        return frozenset(GENERATED_LEVELUP_CAMPAIGNS.start + m * 100 + k for m in merchants for k in range(1, len(LEVELUP_KINDS) + 1))

    @property
    def generated_levelup_users(self) -> range:
        return range(GENERATED_LEVELUP_USERS.start, GENERATED_LEVELUP_USERS.start + self.levelup_users)


def merged_clock(scenarios: Sequence[Scenario]) -> datetime | None:
    clocks = {s.clock for s in scenarios if s.clock is not None}
    if len(clocks) > 1:
        names = ", ".join(s.source for s in scenarios if s.clock is not None)
        raise ScenarioError(f"scenarios set different clocks ({names}); set `clock` in one of them")
    return clocks.pop() if clocks else None


def every_type_spec(chain_id: int, types: tuple[str, ...], generated_users: int) -> ChainSpec:
    """A generated chain: one live campaign of every documented type, in the contract's
    order, then an inactive, an expired, a future and a deleted one (types vary by chain)."""
    return ChainSpec(id=chain_id, campaigns=_generated_campaigns(types, chain_id % len(types)), generated_users=generated_users)


@lru_cache(maxsize=None)
def _generated_campaigns(types: tuple[str, ...], shift: int) -> tuple[CampaignSpec, ...]:
    # Shared by every chain with the same shift: 10^5 campaigns need no 10^5 spec objects.
    live = tuple(CampaignSpec(t) for t in types if t not in WALLET_TYPES)
    others = [s.type for s in live if s.type != "loyalty"]  # the live programme stays the only one
    return live + tuple(CampaignSpec(others[(shift + 5 * k) % len(others)], state=state) for k, state in enumerate(STATES[1:]))


def campaign_ids(chain_id: int, specs: Sequence[CampaignSpec], fixed_types: frozenset[str] = frozenset()) -> list[tuple[int, CampaignSpec]]:
    """Every campaign generate_chain makes for a chain, with its id: a points wallet
    <chain>001 and a money wallet <chain>002 unless the chain has one (`fixed_types`: the
    documented campaigns' types), then `specs` in order, numbered <chain>010, <chain>011, ...
    where they give no id. The one allocation: the scenario loader checks declared ids
    against it."""
    declared = {s.type for s in specs} | fixed_types
    out = [(chain_id * 1000 + k, CampaignSpec(t)) for k, t in enumerate(WALLET_TYPES, 1) if t not in declared]
    auto = itertools.count(chain_id * 1000 + 10)
    out += [(s.id if s.id is not None else next(auto), s) for s in specs]
    return out
