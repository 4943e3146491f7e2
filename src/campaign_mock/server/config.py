"""Server settings: defaults, overridden by CAMPAIGN_MOCK_* environment variables (that is
how `campaign-mock serve` hands them to every worker process) or by create_app(config=...)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ServerConfig:
    seed: int = 0
    scenarios: tuple[str, ...] = field(default_factory=tuple)
    # Bytes of answers kept ready to send; past this the oldest are dropped.
    cache_bytes: int = 64 * 2**20
    # The longest delay a client may ask for with X-Mock-Delay-Ms.
    max_delay_ms: int = 30_000

    @classmethod
    def from_environment(cls, environ=os.environ) -> "ServerConfig":
        scenarios = environ.get("CAMPAIGN_MOCK_SCENARIOS", "")
        return cls(
            seed=int(environ.get("CAMPAIGN_MOCK_SEED", "0")),
            scenarios=tuple(p for p in scenarios.split(os.pathsep) if p),
            cache_bytes=int(environ.get("CAMPAIGN_MOCK_CACHE_BYTES", str(cls.cache_bytes))),
        )

    def to_environment(self) -> dict[str, str]:
        return {"CAMPAIGN_MOCK_SEED": str(self.seed), "CAMPAIGN_MOCK_SCENARIOS": os.pathsep.join(self.scenarios), "CAMPAIGN_MOCK_CACHE_BYTES": str(self.cache_bytes)}
