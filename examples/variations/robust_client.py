"""The same client, fixed: a nullable field may be null, an optional one absent, and an open
object may gain fields the client ignores (see fragile_client.py)."""

from __future__ import annotations

import requests


VOUCHER_TYPES = "interaction,signup,birthday,progress"


def voucher_titles(base_url: str, headers: dict, chain_id: int) -> list[str]:
    """The titles of the chain's vouchers, as a banner shows them (the campaign's title where
    it has no voucher_title)."""
    params = {"chain_id": chain_id, "campaign_type": VOUCHER_TYPES}
    body = requests.get(f"{base_url}/get-campaigns", params=params, headers=headers, timeout=10).json()
    return [(c.get("voucher_title") or c["title"]).upper() for c in body["results"]["campaigns"]]
