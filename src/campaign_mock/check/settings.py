"""What the Schemathesis hooks need to know. The `check` command runs Schemathesis in a
subprocess, so the settings travel as CAMPAIGN_MOCK_CHECK_* environment variables; the
defaults are the documented credentials, so a bare run works against the mock."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, fields

from campaign_mock.environment import env_flag, env_int
from campaign_mock.world import documented

PREFIX = "CAMPAIGN_MOCK_CHECK_"


@dataclass(frozen=True)
class CheckSettings:
    spaaza_user_id: str = str(documented.ADMIN_USER_ID)
    spaaza_session_key: str = documented.ADMIN_SESSION_KEY
    # None: X-Spaaza-API-Version is generated like any other parameter (absent = the current
    # version, facts.CURRENT_API_VERSION).
    spaaza_api_version: str | None = None
    spaaza_app_hostname: str | None = None
    levelup_token: str = documented.LEVELUP_TOKEN
    # Steering: generated chain ids / user ids / campaign ids are replaced, in some of the
    # cases, by ones the server knows, so that 200 answers (and user_progress) get checked.
    chain_id: int = documented.CHAIN_ID
    # A user of `chain_id`: the mock's first generated user of chain documented.CHAIN_ID in
    # every world (its users are chain id * 100 + 1, 2, ...). A literal: the checker may not
    # read the generator (ARCHITECTURE.md).
    progress_user_id: int | None = 176201
    steer: bool = True
    # A fixtures manifest (manifest.json) whose 200 requests are known (check/known.py).
    fixtures: str | None = None
    # Ask the server for `GET /__mock/world` (the mock's credentials); off for --safe.
    probe_world: bool = True

    def to_environment(self) -> dict[str, str]:
        env = {}
        for name, value in asdict(self).items():
            if value is None:
                continue
            env[PREFIX + name.upper()] = ("1" if value else "0") if isinstance(value, bool) else str(value)
        return env

    @classmethod
    def from_environment(cls, environ=os.environ) -> "CheckSettings":
        values: dict = {}
        for f in fields(cls):
            raw = environ.get(PREFIX + f.name.upper())
            if raw is None:
                continue
            name = PREFIX + f.name.upper()
            if f.name in ("steer", "probe_world"):
                values[f.name] = env_flag(environ, name, True)
            elif f.name in ("chain_id", "progress_user_id"):
                values[f.name] = env_int(environ, name, 0, minimum=None)  # present: the default is not used
            else:
                values[f.name] = raw
        return cls(**values)

    def spaaza_headers(self) -> dict[str, str]:
        headers = {"X-Spaaza-Session-User-Id": self.spaaza_user_id, "X-Spaaza-Session-Key": self.spaaza_session_key}
        if self.spaaza_api_version:
            headers["X-Spaaza-API-Version"] = self.spaaza_api_version
        if self.spaaza_app_hostname:
            headers["X-Spaaza-MyPrice-App-Hostname"] = self.spaaza_app_hostname
        return headers

    def levelup_headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.levelup_token}"}
