"""Randomness and realistic values.

Every entity draws from its own `Draws`, keyed by the world seed and the entity
(`Draws(seed, "campaign", 5001007)`), and each draw by the field it decides
(`draws.pick("voucher_expiry_days", ...)`): adding one campaign, user or field changes no
other value. (`entity_rng` remains for sequences of draws, such as a referral code's letters.) Faker is slow (about 60 us a name), so it runs once per world seed to fill
small pools of realistic values; entities then pick from the pools with their own RNG.
Never call Faker.seed() or the module-level random: both are shared state."""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from faker import Faker

POOL_SIZE = 64
UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def secret(seed: int, *parts: object) -> str:
    """A 64-hex-digit key, shaped like the documented session key, derived from the seed."""
    return hashlib.sha256(":".join(map(str, (seed, *parts))).encode()).hexdigest()


def entity_rng(seed: int, *parts: object) -> random.Random:
    # A str seed is hashed with SHA-512 inside random: stable across processes and
    # PYTHONHASHSEED. (A hash-based generator was tried: no faster once draws are counted.)
    return random.Random(":".join(map(str, (seed, *parts))))


_MASK = (1 << 64) - 1


class _Salts(dict):
    """field name -> 64-bit salt, computed on first use."""

    def __missing__(self, field: str) -> int:
        salt = self[field] = int.from_bytes(hashlib.blake2b(field.encode(), digest_size=8).digest(), "little")
        return salt


_SALTS = _Salts()


class Draws:
    """Values keyed by field: a draw depends on (seed, entity parts, field) only, never on
    how many draws came before, so a new field reshuffles nothing. One blake2b per entity,
    then per draw the hash of (entity key, field salt): ints hash the same in every process
    (only str hashing is salted by PYTHONHASHSEED), and a C-level tuple hash is several times
    cheaper than a finaliser written in Python or seeding a random.Random."""

    __slots__ = ("key", "_offsets")

    def __init__(self, seed: int, *parts: object):
        self.key = int.from_bytes(hashlib.blake2b(":".join(map(str, (seed, *parts))).encode(), digest_size=8).digest(), "little")
        self._offsets: dict[str, float] = {}

    def random(self, field: str) -> float:
        """A float in [0, 1) for this field."""
        return (hash((self.key, _SALTS[field])) & _MASK) / 18446744073709551616.0

    def pick(self, field: str, options):
        return options[int((hash((self.key, _SALTS[field])) & _MASK) / 18446744073709551616.0 * len(options))]

    def below(self, field: str, n: int) -> int:
        """An int in [0, n)."""
        return int((hash((self.key, _SALTS[field])) & _MASK) / 18446744073709551616.0 * n)

    def rotation(self, field: str, n: int, index: int) -> int:
        """(index + offset) % n, the offset drawn once per field: entities with consecutive
        indices (a chain's campaign ids) take every one of n options in turn, so a small
        world still shows each variant."""
        offset = self._offsets.get(field)
        if offset is None:
            offset = self._offsets[field] = self.random(field)
        return (index + int(offset * n)) % n

    def rotate(self, field: str, options, index: int):
        return options[self.rotation(field, len(options), index)]


@dataclass(frozen=True)
class Pools:
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    companies: tuple[str, ...]
    domains: tuple[str, ...]


# Values a loyalty programme talks about; Faker has no provider for them.
PRODUCTS = ("coffee", "sandwich", "smoothie", "burrito", "salad", "bagel", "juice", "pizza", "muffin", "wrap")


def plural(noun: str) -> str:
    """English plural of the product nouns above (sandwich -> sandwiches)."""
    return noun + ("es" if noun.endswith(("ch", "sh", "s", "x", "z")) else "s")


@lru_cache(maxsize=8)
def pools(seed: int) -> Pools:
    fake = Faker("en_US")
    fake.seed_instance(f"{seed}:pools")
    companies = tuple(dict.fromkeys(fake.company().replace(",", "") for _ in range(POOL_SIZE * 2)))[:POOL_SIZE]
    return Pools(
        first_names=tuple(fake.first_name() for _ in range(POOL_SIZE)),
        last_names=tuple(fake.last_name() for _ in range(POOL_SIZE)),
        companies=companies,
        domains=tuple(fake.free_email_domain() for _ in range(8)),
    )


def iso(moment: datetime) -> str:
    """Spaaza's and LevelUp's date-time form: seconds, explicit offset."""
    return moment.isoformat(timespec="seconds")


@lru_cache(maxsize=8192)
def _day(days_since_epoch: int) -> str:
    return (EPOCH + timedelta(days=days_since_epoch)).strftime("%Y-%m-%dT")


def iso_utc(timestamp: int) -> str:
    """iso() of a UTC POSIX timestamp, several times faster than datetime.isoformat()."""
    day, second = divmod(timestamp, 86400)
    return f"{_day(day)}{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}+00:00"


def moment_before(draws: Draws, field: str, clock: datetime, max_days: int, min_days: int = 0) -> datetime:
    seconds = int(draws.random(field) * (max_days - min_days) * 86400) + min_days * 86400
    return (clock - timedelta(seconds=seconds)).replace(microsecond=0)


def json_bytes(body) -> bytes:
    """The one serialization of a response body, for the server and the fixture files alike."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
