"""What a world is made of. Frozen: a world is built once per seed and scenario set and
never changes, so the server may cache every answer it gives.

Campaign bodies are kept as plain dicts already in the vendor's JSON shape (the full view,
without user_progress): serving them is then a filter and a json.dumps, nothing more.
Treat them as read-only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Literal, Mapping

Json = dict  # a JSON object in the vendor's shape

# --- Spaaza -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MyPriceApp:
    """An end-user app. `chain_id` None is an app with no entity (error 264)."""

    id: int
    hostname: str
    chain_id: int | None


@dataclass(frozen=True, slots=True)
class SpaazaUser:
    """An end user of one chain, findable by any of its six documented identifiers."""

    user_id: int
    chain_id: int
    member_number: str
    username: str  # an email address
    referral_code: str
    authentication_point_identifier: str
    auxiliary_identifier: str
    first_name: str
    last_name: str

    def identifiers(self) -> dict[str, str | int]:
        return {
            "user_id": self.user_id,
            "member_number": self.member_number,
            "username": self.username,
            "referral_code": self.referral_code,
            "authentication_point_identifier": self.authentication_point_identifier,
            "auxiliary_identifier": self.auxiliary_identifier,
        }


@dataclass(frozen=True, slots=True)
class SpaazaSession:
    """X-Spaaza-Session-User-Id + X-Spaaza-Session-Key. An admin reads the chains in
    `chain_ids`; a user session belongs to end user `user_id` and reads its own chain.
    `access_token` is the same session presented as `Authorization: Bearer <token>`."""

    user_id: int
    key: str
    role: Literal["admin", "user"]
    chain_ids: frozenset[int]
    access_token: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Chain:
    id: int
    name: str
    currency_id: int
    campaigns: tuple[Json, ...]  # listed campaigns, newest first, full view
    # Campaigns that exist but are never listed (deleted ones, such as documented wallet 2009).
    unlisted: tuple[Json, ...] = ()


@dataclass(frozen=True)
class SpaazaWorld:
    chains: Mapping[int, Chain]
    # Documented request asks for chain 1743 and gets chain 1762's campaigns: an alias.
    chain_aliases: Mapping[int, int]
    currencies: Mapping[int, Json]
    users: Mapping[int, SpaazaUser]
    sessions: Mapping[int, SpaazaSession]  # by session user id
    apps: Mapping[str, MyPriceApp]  # by hostname
    # (user_id, campaign_id) -> user_progress body; absent where the type has none.
    progress: Mapping[tuple[int, int], Json]
    # campaign_id -> (chain, campaign), listed or not.
    campaigns: Mapping[int, tuple[Chain, Json]] = field(default_factory=dict)
    # (user_id, campaign_id) -> the user's current_count in an item_purchase_count campaign.
    current_counts: Mapping[tuple[int, int], int] = field(default_factory=dict)
    # Lookups made once from the above (__post_init__).
    _user_index: Mapping[tuple[str, str | int], SpaazaUser] = field(init=False, repr=False, compare=False)
    _token_index: Mapping[str, SpaazaSession] = field(init=False, repr=False, compare=False)

    def chain(self, chain_id: int) -> Chain | None:
        return self.chains.get(self.chain_aliases.get(chain_id, chain_id))

    def find_user(self, identifier: str, value: str | int) -> SpaazaUser | None:
        return self._user_index.get((identifier, value))

    def find_session_by_token(self, token: str) -> SpaazaSession | None:
        return self._token_index.get(token)

    def __post_init__(self) -> None:
        index: dict[tuple[str, str | int], SpaazaUser] = {}
        for user in self.users.values():
            for name, value in user.identifiers().items():
                index[(name, value)] = user
        object.__setattr__(self, "_user_index", MappingProxyType(index))
        tokens = {s.access_token: s for s in self.sessions.values() if s.access_token}
        object.__setattr__(self, "_token_index", MappingProxyType(tokens))
        if not self.campaigns:
            by_id = {c["id"]: (chain, c) for chain in self.chains.values() for c in (*chain.campaigns, *chain.unlisted)}
            object.__setattr__(self, "campaigns", MappingProxyType(by_id))


# --- LevelUp ------------------------------------------------------------------------

# Which representations apply to which kind of campaign. basic_v1 applies to all; a gift
# card loyalty campaign is also a loyalty campaign of the same basis; custom progress is
# "not applicable for gift card based loyalty campaign" (the docs).
LEVELUP_KINDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "item_loyalty": ("basic_v1", "item_based_loyalty_v1"),
        "spend_loyalty": ("basic_v1", "spend_based_loyalty_v1"),
        "visit_loyalty": ("basic_v1", "visit_based_loyalty_v1"),
        "item_gift_card": ("basic_v1", "item_based_gift_card_loyalty_v1", "item_based_loyalty_v1"),
        "spend_gift_card": ("basic_v1", "spend_based_gift_card_loyalty_v1", "spend_based_loyalty_v1"),
        "custom_item": ("basic_v1", "custom_progress_based_v1"),
        "custom_spend": ("basic_v1", "custom_progress_based_v1"),
    }
)

# The field of each representation that carries the user's progress.
LEVELUP_PROGRESS_FIELD: Mapping[str, str | None] = MappingProxyType(
    {
        "basic_v1": None,
        "custom_progress_based_v1": "current_progress",
        "item_based_loyalty_v1": "progress_item_count",
        "spend_based_loyalty_v1": "progress_amount",
        "visit_based_loyalty_v1": "progress_visit_count",
        "item_based_gift_card_loyalty_v1": "progress_item_count",
        "spend_based_gift_card_loyalty_v1": "progress_amount",
    }
)


@dataclass(frozen=True, slots=True)
class LevelUpCampaign:
    id: int
    merchant_id: int
    kind: str
    # representation -> body with zero progress ({"campaign": {...}}); its keys are the
    # representations this campaign supports.
    bodies: Mapping[str, Json]


@dataclass(frozen=True, slots=True)
class LevelUpToken:
    token: str
    user_id: int
    permissions: frozenset[str]


@dataclass(frozen=True)
class LevelUpWorld:
    campaigns: Mapping[int, LevelUpCampaign]
    tokens: Mapping[str, LevelUpToken]
    # (user_id, campaign_id) -> progress in the campaign's unit (items, cents or visits).
    progress: Mapping[tuple[int, int], int]
    # (campaign id in the URL, representation) -> the campaign that answers it (see documented.py).
    aliases: Mapping[tuple[int, str], int] = field(default_factory=dict)
    # (user_id, campaign_id) -> opted in, for the campaigns that require opting in.
    opted_in: Mapping[tuple[int, int], bool] = field(default_factory=dict)

    def campaign(self, campaign_id: int | None, representation: str) -> LevelUpCampaign | None:
        if campaign_id is None:
            return None
        return self.campaigns.get(self.aliases.get((campaign_id, representation), campaign_id))


@dataclass(frozen=True)
class World:
    seed: int
    clock: datetime  # the reference "now": activity windows are judged against it
    spaaza: SpaazaWorld
    levelup: LevelUpWorld
    # Set only on a view whose clock was moved (runtime/overlays.at_clock): the clock the
    # campaigns' stored is_active flags were generated at. See domain.is_active.
    generated_clock: datetime | None = None
