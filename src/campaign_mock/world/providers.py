"""Randomness and realistic values.

Every entity draws from its own `Draws`, keyed by the world seed and the entity
(`Draws(seed, "campaign", 5001007)`), and each draw by the field it decides
(`draws.pick("voucher_expiry_days", ...)`): adding one campaign, user or field changes no
other value. (`entity_rng` remains for sequences of draws, such as a referral code's letters.) Names are
drawn once per world seed to fill
small pools of realistic values; entities then pick from the pools with their own RNG.
Never call the module-level random: it is shared state.

Nothing here depends on which version of a library is installed or which Python runs it: the
names are our own copy of Faker's en_US data, drawn as Faker draws them, and a draw's hash is
64-bit CPython's tuple hash, written out where the interpreter's own differs."""

from __future__ import annotations

import hashlib
import json
import random
import re
from bisect import bisect
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Sequence, TypeVar

T = TypeVar("T")

POOL_SIZE = 64
UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def secret(seed: int, *parts: object) -> str:
    """A 64-hex-digit key, shaped like the documented session key, derived from the seed."""
    return hashlib.sha256(":".join(map(str, (seed, *parts))).encode()).hexdigest()


def entity_rng(seed: int, *parts: object) -> random.Random:
    # A str seed is hashed with SHA-512 inside random: stable across processes and
    # PYTHONHASHSEED. (A hash-based generator was tried: no faster once draws are counted.)
    return StableRandom(":".join(map(str, (seed, *parts))))


_MASK = (1 << 64) - 1

# 64-bit CPython's hash((a, b)) for ints 0 <= a, b < 2**64 (Objects/tupleobject.c: an xxHash
# round per item over the item's hash, an int's hash being itself mod 2**61 - 1). Draws are
# defined as this function; where the interpreter's own tuple hash gives it (CPython and PyPy on
# 64 bits), Draws uses the C hash, several times cheaper than these big-int steps in Python.
_MODULUS = (1 << 61) - 1
_XXPRIME_1, _XXPRIME_2, _XXPRIME_5 = 11400714785074694791, 14029467366897019727, 2870177450012600261
_LENGTH_2 = 2 ^ _XXPRIME_5 ^ 3527539  # the tuple's length, mixed in last
_NEVER_MINUS_1 = 1546275796  # CPython's stand-in for a hash of -1 (all ones)


def _xxround(acc: int, lane_times_prime_2: int) -> int:
    acc = (acc + lane_times_prime_2) & _MASK
    return ((((acc << 31) | (acc >> 33)) & _MASK) * _XXPRIME_1) & _MASK


def _xxfinish(acc: int) -> int:
    acc = (acc + _LENGTH_2) & _MASK
    return _NEVER_MINUS_1 if acc == _MASK else acc


def pair_hash(a: int, b: int) -> int:
    """hash((a, b)) & (2**64 - 1) as 64-bit CPython computes it, on any Python."""
    return _xxfinish(_xxround(_xxround(_XXPRIME_5, a % _MODULUS * _XXPRIME_2), b % _MODULUS * _XXPRIME_2))


# Pairs whose hashes cover each step, the -1 stand-in included: if the interpreter's tuple hash
# gives every one, it is CPython's 64-bit algorithm.
_PROBES = ((0, 0), (1, 2), (_MODULUS, _MASK), (_MASK, _MODULUS + 1), (1 << 63, (1 << 61) + 5), (21, 122872550421973035), (0x9E3779B97F4A7C15, 0x243F6A8885A308D3))
NATIVE_PAIR_HASH = all(hash((a, b)) & _MASK == pair_hash(a, b) for a, b in _PROBES)


class _Salts(dict):
    """field name -> 64-bit salt, computed on first use."""

    def __missing__(self, field: str) -> int:
        salt = self[field] = int.from_bytes(hashlib.blake2b(field.encode(), digest_size=8).digest(), "little")
        return salt


class _Lanes(dict):
    """field name -> its salt's lane (hash times XXPRIME_2) for PortableDraws."""

    def __missing__(self, field: str) -> int:
        lane = self[field] = _SALTS[field] % _MODULUS * _XXPRIME_2
        return lane


_SALTS = _Salts()
_LANES = _Lanes()


class Draws:
    """Values keyed by field: a draw depends on (seed, entity parts, field) only, never on
    how many draws came before, so a new field reshuffles nothing. One blake2b per entity,
    then per draw pair_hash(entity key, field salt), computed here by the interpreter's tuple
    hash (a C-level hash of ints: the same in every process, as only str hashing is salted by
    PYTHONHASHSEED); PortableDraws spells it out where that hash differs."""

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


class PortableDraws(Draws):
    """Draws by pair_hash in Python: the entity's xxHash round once, the field's per draw."""

    __slots__ = ("_acc",)

    def __init__(self, seed: int, *parts: object):
        super().__init__(seed, *parts)
        self._acc = _xxround(_XXPRIME_5, self.key % _MODULUS * _XXPRIME_2)

    def _hash(self, field: str) -> int:
        return _xxfinish(_xxround(self._acc, _LANES[field]))

    def random(self, field: str) -> float:
        return self._hash(field) / 18446744073709551616.0

    def pick(self, field: str, options):
        return options[int(self._hash(field) / 18446744073709551616.0 * len(options))]

    def below(self, field: str, n: int) -> int:
        return int(self._hash(field) / 18446744073709551616.0 * n)


if not NATIVE_PAIR_HASH:  # 32-bit builds, interpreters with another tuple hash
    Draws = PortableDraws  # type: ignore[misc]


@dataclass(frozen=True)
class Pools:
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    companies: tuple[str, ...]
    domains: tuple[str, ...]


# Values a loyalty programme talks about (Faker has no provider for them).
PRODUCTS = ("coffee", "sandwich", "smoothie", "burrito", "salad", "bagel", "juice", "pizza", "muffin", "wrap")


def plural(noun: str) -> str:
    """English plural of the product nouns above (sandwich -> sandwiches)."""
    return noun + ("es" if noun.endswith(("ch", "sh", "s", "x", "z")) else "s")


# Names, companies and e-mail domains: what Faker 40.54.0's en_US providers hold, copied into
# names_en_US.json, and drawn exactly as Faker draws them, so every seed gives Faker's pools
# (tests/world/test_names.py proves it) without Faker: users' test environments often bring a
# Faker of their own (factory_boy), and its data may change in any release.
NAMES_FILE = Path(__file__).with_name("names_en_US.json")
_TOKEN = re.compile(r"\{\{(\w+)\}\}")


def _choice(rng: random.Random, options: Sequence[T]) -> T:
    """random.Random.choice(options) as CPython 3.11 computes it (_randbelow_with_getrandbits;
    what Faker's random_element does without weights), written out: Python promises stable
    output across releases for str seeds and random() only, and getrandbits() is the generator's
    own output, but choice() is an algorithm a release may change."""
    n = len(options)
    k = n.bit_length()
    r = rng.getrandbits(k)
    while r >= n:
        r = rng.getrandbits(k)
    return options[r]


class StableRandom(random.Random):
    """entity_rng's generator: random.Random with choice() written out (_choice)."""

    def choice(self, seq):
        return _choice(self, seq)


class _Weighted:
    """random.Random.choices(names, weights, k=1)[0] written out: the weights summed left to
    right, a bisection of random() * total (what Faker's random_element does with weights)."""

    def __init__(self, pairs: list[list]):
        self.names = tuple(name for name, _ in pairs)
        self._cumulative = list(accumulate(weight for _, weight in pairs))
        self._total = self._cumulative[-1] + 0.0

    def __call__(self, rng: random.Random) -> str:
        return self.names[bisect(self._cumulative, rng.random() * self._total, 0, len(self.names) - 1)]


@dataclass(frozen=True)
class NameData:
    faker: str  # the Faker release the data comes from (the fixtures manifest records it)
    first_names: _Weighted
    last_names: _Weighted
    company_formats: tuple[str, ...]
    company_suffixes: tuple[str, ...]
    free_email_domains: tuple[str, ...]


@lru_cache(maxsize=1)
def name_data() -> NameData:
    data = json.loads(NAMES_FILE.read_text(encoding="utf-8"))
    return NameData(
        faker=data["faker"], first_names=_Weighted(data["first_names"]), last_names=_Weighted(data["last_names"]),
        company_formats=tuple(data["company_formats"]), company_suffixes=tuple(data["company_suffixes"]),
        free_email_domains=tuple(data["free_email_domains"]),
    )


def _company(rng: random.Random, names: NameData) -> str:
    """Faker's company(): a format, then its {{tokens}} from left to right."""
    fill = {"last_name": lambda: names.last_names(rng), "company_suffix": lambda: _choice(rng, names.company_suffixes)}
    return _TOKEN.sub(lambda token: fill[token.group(1)](), _choice(rng, names.company_formats))


@lru_cache(maxsize=8)
def pools(seed: int) -> Pools:
    """What Faker("en_US") seeded with seed_instance(f"{seed}:pools") gives: company() x 128 (the
    first 64 distinct, without commas), first_name() x 64, last_name() x 64, free_email_domain() x 8."""
    names = name_data()
    rng = random.Random(f"{seed}:pools")  # a str seed: SHA-512 inside random, as Faker seeds it
    companies = tuple(dict.fromkeys(_company(rng, names).replace(",", "") for _ in range(POOL_SIZE * 2)))[:POOL_SIZE]
    return Pools(
        first_names=tuple(names.first_names(rng) for _ in range(POOL_SIZE)),
        last_names=tuple(names.last_names(rng) for _ in range(POOL_SIZE)),
        companies=companies,
        domains=tuple(_choice(rng, names.free_email_domains) for _ in range(8)),
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
