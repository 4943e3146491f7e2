"""Server settings: defaults, overridden by CAMPAIGN_MOCK_* environment variables (that is
how `campaign-mock serve` hands them to every worker process) or by create_app(config=...)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from campaign_mock.environment import env_int
from campaign_mock.world import World
from campaign_mock.world.build import DEFAULT_CHAINS, DEFAULT_MERCHANTS, DEFAULT_USERS_PER_CHAIN, build_world
from campaign_mock.world.scenario import load_scenarios


@dataclass(frozen=True)
class ServerConfig:
    seed: int = 0
    scenarios: tuple[str, ...] = field(default_factory=tuple)
    # The generated part's size, as `campaign-mock fixtures` takes it: same options, same world.
    chains: int = DEFAULT_CHAINS
    users_per_chain: int = DEFAULT_USERS_PER_CHAIN
    merchants: int = DEFAULT_MERCHANTS
    # Bytes of answers kept ready to send; past this the oldest are dropped.
    cache_bytes: int = 64 * 2**20
    # The longest delay a client may ask for with X-Mock-Delay-Ms.
    max_delay_ms: int = 30_000

    @classmethod
    def from_environment(cls, environ=os.environ) -> "ServerConfig":
        """The settings in CAMPAIGN_MOCK_* variables; a bad value is a ConfigError naming it."""
        scenarios = environ.get("CAMPAIGN_MOCK_SCENARIOS", "")
        return cls(
            seed=env_int(environ, "CAMPAIGN_MOCK_SEED", 0, minimum=None),
            scenarios=tuple(p for p in scenarios.split(os.pathsep) if p),
            chains=env_int(environ, "CAMPAIGN_MOCK_CHAINS", cls.chains),
            users_per_chain=env_int(environ, "CAMPAIGN_MOCK_USERS_PER_CHAIN", cls.users_per_chain),
            merchants=env_int(environ, "CAMPAIGN_MOCK_MERCHANTS", cls.merchants),
            cache_bytes=env_int(environ, "CAMPAIGN_MOCK_CACHE_BYTES", cls.cache_bytes),
        )

    def to_environment(self) -> dict[str, str]:
        return {
            "CAMPAIGN_MOCK_SEED": str(self.seed), "CAMPAIGN_MOCK_SCENARIOS": os.pathsep.join(self.scenarios),
            "CAMPAIGN_MOCK_CHAINS": str(self.chains), "CAMPAIGN_MOCK_USERS_PER_CHAIN": str(self.users_per_chain),
            "CAMPAIGN_MOCK_MERCHANTS": str(self.merchants), "CAMPAIGN_MOCK_CACHE_BYTES": str(self.cache_bytes),
        }

    def build_world(self) -> World:
        return build_world(self.seed, scenarios=load_scenarios(self.scenarios), chains=self.chains, users_per_chain=self.users_per_chain, merchants=self.merchants)
