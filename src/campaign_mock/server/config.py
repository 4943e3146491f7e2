"""Server settings: defaults, overridden by CAMPAIGN_MOCK_* environment variables (that is
how `campaign-mock serve` hands them to every worker process) or by create_app(config=...)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Sequence

from campaign_mock.environment import env_flag, env_int
from campaign_mock.exceptions import ConfigError
from campaign_mock.runtime.store import JOURNAL_PER_NAMESPACE, JOURNAL_TOTAL
from campaign_mock.world import World
from campaign_mock.world.build import DEFAULT_CHAINS, DEFAULT_MERCHANTS, DEFAULT_USERS_PER_CHAIN, build_world
from campaign_mock.world.scenario import load_scenarios


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


@dataclass(frozen=True)
class ServerConfig:
    seed: int = 0
    scenarios: tuple[str, ...] = field(default_factory=tuple)
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

    @classmethod
    def from_environment(cls, environ=os.environ) -> "ServerConfig":
        """The settings in CAMPAIGN_MOCK_* variables; a bad value is a ConfigError naming it."""
        scenarios = environ.get("CAMPAIGN_MOCK_SCENARIOS", "")
        return cls(
            seed=env_int(environ, "CAMPAIGN_MOCK_SEED", 0, minimum=None),
            scenarios=scenario_paths(scenarios),
            chains=env_int(environ, "CAMPAIGN_MOCK_CHAINS", cls.chains),
            users_per_chain=env_int(environ, "CAMPAIGN_MOCK_USERS_PER_CHAIN", cls.users_per_chain),
            merchants=env_int(environ, "CAMPAIGN_MOCK_MERCHANTS", cls.merchants),
            max_delays=env_int(environ, "CAMPAIGN_MOCK_MAX_DELAYS", cls.max_delays),
            state=environ.get("CAMPAIGN_MOCK_STATE") or None,
            admin_token=environ.get("CAMPAIGN_MOCK_ADMIN_TOKEN") or None,
            read_only_admin=env_flag(environ, "CAMPAIGN_MOCK_READ_ONLY_ADMIN", False),
            access_log=env_flag(environ, "CAMPAIGN_MOCK_ACCESS_LOG", False),
            **cls.tuning_from_environment(environ),
        )

    @classmethod
    def tuning_from_environment(cls, environ=os.environ) -> dict[str, int]:
        """The settings `serve` has no option for (answer cache, journal bounds), from their
        CAMPAIGN_MOCK_* variables."""
        return {
            "cache_bytes": env_int(environ, "CAMPAIGN_MOCK_CACHE_BYTES", cls.cache_bytes),
            "journal_per_namespace": env_int(environ, "CAMPAIGN_MOCK_JOURNAL_PER_NAMESPACE", cls.journal_per_namespace),
            "journal_total": env_int(environ, "CAMPAIGN_MOCK_JOURNAL_TOTAL", cls.journal_total),
        }

    def to_environment(self) -> dict[str, str]:
        return {
            "CAMPAIGN_MOCK_SEED": str(self.seed), "CAMPAIGN_MOCK_SCENARIOS": json.dumps(self.scenarios),  # JSON: a path may hold os.pathsep
            "CAMPAIGN_MOCK_CHAINS": str(self.chains), "CAMPAIGN_MOCK_USERS_PER_CHAIN": str(self.users_per_chain),
            "CAMPAIGN_MOCK_MERCHANTS": str(self.merchants), "CAMPAIGN_MOCK_CACHE_BYTES": str(self.cache_bytes),
            "CAMPAIGN_MOCK_MAX_DELAYS": str(self.max_delays),
            "CAMPAIGN_MOCK_STATE": self.state or "", "CAMPAIGN_MOCK_ADMIN_TOKEN": self.admin_token or "",
            "CAMPAIGN_MOCK_ACCESS_LOG": "1" if self.access_log else "", "CAMPAIGN_MOCK_READ_ONLY_ADMIN": "1" if self.read_only_admin else "",
            "CAMPAIGN_MOCK_JOURNAL_PER_NAMESPACE": str(self.journal_per_namespace), "CAMPAIGN_MOCK_JOURNAL_TOTAL": str(self.journal_total),
        }

    def build_world(self, documents: Sequence[tuple[str, str]] = ()) -> World:
        """The world of these settings; with (name, text) scenario documents added (a namespace's)."""
        scenarios = load_scenarios(self.scenarios, documents)
        return build_world(self.seed, scenarios=scenarios, chains=self.chains, users_per_chain=self.users_per_chain, merchants=self.merchants)
