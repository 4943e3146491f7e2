"""What the Schemathesis hooks need to know. The `check` command runs Schemathesis in a
subprocess, so the settings travel as CAMPAIGN_MOCK_CHECK_* environment variables; the
defaults are the documented credentials, so a bare run works against the mock."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping

from campaign_mock.environment import SIGNED, read_settings, settings_environment
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
    chain_id: int = field(default=documented.CHAIN_ID, metadata={SIGNED: True})
    # A user of `chain_id`: the mock's first generated user of chain documented.CHAIN_ID in
    # every world (its users are chain id * 100 + 1, 2, ...). A literal: the checker may not
    # read the generator (ARCHITECTURE.md).
    progress_user_id: int | None = field(default=176201, metadata={SIGNED: True})
    steer: bool = True
    # A fixtures manifest (manifest.json) whose 200 requests are known (check/known.py).
    fixtures: str | None = None
    # Ask the server for `GET /__mock/world` (the mock's credentials); off for --safe.
    probe_world: bool = True

    def to_environment(self) -> dict[str, str]:
        return settings_environment(self, PREFIX)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "CheckSettings":
        return read_settings(cls, PREFIX, environ)

    def spaaza_headers(self) -> dict[str, str]:
        headers = {"X-Spaaza-Session-User-Id": self.spaaza_user_id, "X-Spaaza-Session-Key": self.spaaza_session_key}
        if self.spaaza_api_version:
            headers["X-Spaaza-API-Version"] = self.spaaza_api_version
        if self.spaaza_app_hostname:
            headers["X-Spaaza-MyPrice-App-Hostname"] = self.spaaza_app_hostname
        return headers

    def levelup_headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.levelup_token}"}
