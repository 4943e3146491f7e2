"""Randomness and realistic values.

Every entity draws from its own `random.Random`, seeded with a string naming the world seed
and the entity (`entity_rng(seed, "campaign", 5001007)`), so adding one campaign or user
changes no other. Faker is slow (about 60 us a name), so it runs once per world seed to fill
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


def pick(rng: random.Random, options):
    """rng.choice at a third of the cost: it runs several times per campaign."""
    return options[int(rng.random() * len(options))]


@lru_cache(maxsize=8192)
def _hour(hours_since_epoch: int) -> str:
    return (EPOCH + timedelta(hours=hours_since_epoch)).strftime("%Y-%m-%dT%H:")


def iso_utc(timestamp: int) -> str:
    """iso() of a UTC POSIX timestamp, several times faster than datetime.isoformat()."""
    hour, second = divmod(timestamp, 3600)
    return f"{_hour(hour)}{second // 60:02d}:{second % 60:02d}+00:00"


def moment_before(rng: random.Random, clock: datetime, max_days: int, min_days: int = 0) -> datetime:
    seconds = int(rng.random() * (max_days - min_days) * 86400) + min_days * 86400
    return (clock - timedelta(seconds=seconds)).replace(microsecond=0)


def json_bytes(body) -> bytes:
    """The one serialization of a response body, for the server and the fixture files alike."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
