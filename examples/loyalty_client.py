"""A tiny Spaaza/LevelUp client, the kind of code campaign-mock exists to test (see
test_loyalty_client.py beside it, and the README's "Testing your client with pytest").

It lists a chain's campaigns, tells a member how far the next loyalty level is, and reads a
LevelUp campaign, retrying what a server may answer with a passing failure."""

from __future__ import annotations

import requests


class SpaazaError(Exception):
    """Spaaza refused the request: `code` and `name` are the documented ones (e.g. 217 chain_id_not_found)."""

    def __init__(self, code: int, name: str, description: str):
        super().__init__(f"{code} {name}: {description}")
        self.code, self.name = code, name


class LoyaltyClient:
    def __init__(self, base_url: str, *, spaaza_headers: dict | None = None, levelup_token: str | None = None, api_version: str = "1.5.0", retries: int = 2, timeout: float = 5):
        self.base_url = base_url.rstrip("/")
        self.http = requests.Session()
        self.spaaza_headers = {**(spaaza_headers or {}), "X-Spaaza-API-Version": api_version}
        self.levelup_token = levelup_token
        self.retries, self.timeout = retries, timeout

    def campaigns(self, chain_id: int, **params) -> list[dict]:
        """The chain's active campaigns (the API's default from version 1.4.11)."""
        response = self.http.get(f"{self.base_url}/get-campaigns", params={"chain_id": chain_id, **params}, headers=self.spaaza_headers, timeout=self.timeout)
        body = response.json()
        if body.get("result", {}).get("status") == "error":
            error = body["error"]
            raise SpaazaError(error["code"], error["name"], error["description"])
        return body["results"]["campaigns"]

    def next_level(self, chain_id: int) -> tuple[str, int | None]:
        """(the member's loyalty level, points still needed for the next one or None at the top)."""
        loyalty = next(c for c in self.campaigns(chain_id, campaign_type="loyalty") if c.get("user_progress"))
        progress = loyalty["user_progress"]
        return progress["name"], progress["points_to_proceed_next_level"]

    def levelup_campaign(self, campaign_id: int, representation: str = "basic_v1") -> dict:
        """A LevelUp campaign; a 5xx is retried up to `retries` times."""
        url = f"{self.base_url}/v15/campaigns/{campaign_id}/{representation}"
        for attempt in range(self.retries + 1):
            response = self.http.get(url, headers={"Authorization": f"token {self.levelup_token}"}, timeout=self.timeout)
            if response.status_code < 500 or attempt == self.retries:
                break
        response.raise_for_status()
        return response.json()["campaign"]
