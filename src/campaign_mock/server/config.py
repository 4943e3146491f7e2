"""Server settings: defaults, overridden by CAMPAIGN_MOCK_* environment variables (that is
how `campaign-mock serve` hands them to every worker process) or by create_app(config=...)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from campaign_mock.environment import PARSE, SIGNED, WRITE, read_settings, settings_environment
from campaign_mock.exceptions import ConfigError, ScenarioError
from campaign_mock.runtime.store import JOURNAL_PER_NAMESPACE, JOURNAL_TOTAL
from campaign_mock.scenario import Document, check_together, read_documents
from campaign_mock.world import World
from campaign_mock.world.build import DEFAULT_CHAINS, DEFAULT_MERCHANTS, DEFAULT_USERS_PER_CHAIN, build_world
from campaign_mock.world.specs import WorldSize


def scenario_paths(value: str) -> tuple[str, ...]:
    """CAMPAIGN_MOCK_SCENARIOS: a JSON list of paths (what `serve` hands its workers, since a
    path may hold os.pathsep) or, written by hand, paths separated by os.pathsep."""
    if not value.lstrip().startswith("["):
        return tuple(p for p in value.split(os.pathsep) if p)
    try:
        paths = json.loads(value)
    except ValueError as e:
        raise ConfigError(f"CAMPAIGN_MOCK_SCENARIOS: not a JSON list of paths ({e}); or give paths separated by {os.pathsep!r}") from None
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise ConfigError("CAMPAIGN_MOCK_SCENARIOS: a JSON value that is not a list of path strings")
    return tuple(paths)


PREFIX = "CAMPAIGN_MOCK_"
# The settings `serve` has no option for; it reads them from their variables.
TUNING = ("cache_bytes", "journal_per_namespace", "journal_total")


def _scenarios(name: str, value: str) -> tuple[str, ...]:
    return scenario_paths(value)


# What an HTTP header value can carry, spaces aside.
VISIBLE_ASCII = re.compile(r"[!-~]+")


@dataclass(frozen=True)
class ServerConfig:
    """Each field is also the variable CAMPAIGN_MOCK_<FIELD> (environment.py reads it)."""

    seed: int = field(default=0, metadata={SIGNED: True})
    scenarios: tuple[str, ...] = field(default_factory=tuple, metadata={PARSE: _scenarios, WRITE: json.dumps})  # JSON: a path may hold os.pathsep
    # The generated part's size, as `campaign-mock fixtures` takes it: same options, same world.
    chains: int = DEFAULT_CHAINS
    users_per_chain: int = DEFAULT_USERS_PER_CHAIN
    merchants: int = DEFAULT_MERCHANTS
    # Bytes of answers kept ready to send, per worker, shared by every namespace's answers; past
    # this the oldest are dropped. The default world's answers take about 2 MB, so this keeps
    # eight worlds' (scenarios, clocks); 1,000 namespaces with clocks of their own need 92,000
    # answers, which no sensible size keeps (benchmarks/server.py: with 32 MiB the process tree
    # grew to 294 MB there, with 16 MiB to 260 MB, with 8 MiB to 256 MB).
    cache_bytes: int = 16 * 2**20
    # The longest delay a client may ask for with X-Mock-Delay-Ms.
    max_delay_ms: int = 30_000
    # Delays waiting at once per worker; one more is refused at once (server/forcing.py).
    max_delays: int = 64
    # Runtime state (runtime/store.py): None in memory (one process), a SQLite file path, or redis://.
    state: str | None = None
    # Required as X-Mock-Admin-Token by /__mock/ when set; unset: loopback clients only.
    admin_token: str | None = None
    # The admin API and the console show state but refuse every change (a console shared with viewers).
    read_only_admin: bool = False
    # One JSON line per vendor request on stderr.
    access_log: bool = False
    # Journal entries kept per namespace and in all (the oldest are dropped, and counted).
    journal_per_namespace: int = JOURNAL_PER_NAMESPACE
    journal_total: int = JOURNAL_TOTAL

    def __post_init__(self) -> None:
        if self.admin_token is not None and not VISIBLE_ASCII.fullmatch(self.admin_token):
            raise ConfigError("--admin-token (CAMPAIGN_MOCK_ADMIN_TOKEN): give visible ASCII characters only, no space: an HTTP header carries no others, so no client could send this token")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ, only: Iterable[str] | None = None) -> "ServerConfig":
        """The settings in CAMPAIGN_MOCK_* variables (of `only`, if given); a bad value is a
        ConfigError naming it."""
        return read_settings(cls, PREFIX, environ, only)

    def to_environment(self) -> dict[str, str]:
        return settings_environment(self, PREFIX)

    def build_world(self) -> World:
        """The world of these settings."""
        return Worlds(self).build()


class Worlds:
    """Builds the worlds of a server: its own scenario files read once, here, and a
    namespace's documents (parsed once, where they arrive) checked together with them."""

    def __init__(self, config: ServerConfig):
        self.config = config
        self.own = tuple(read_documents(config.scenarios))

    def build(self, documents: Sequence[Document | ScenarioError] = ()) -> World:
        c = self.config
        scenarios = check_together([*self.own, *documents], WorldSize(chains=c.chains, users_per_chain=c.users_per_chain, merchants=c.merchants))
        return build_world(c.seed, scenarios=scenarios, chains=c.chains, users_per_chain=c.users_per_chain, merchants=c.merchants)
