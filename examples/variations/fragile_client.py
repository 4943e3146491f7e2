"""A client that passes every test against the typical world and breaks in production: it
reads a nullable field as if it were always a string, and refuses an answer with a field it
does not know (Spaaza may add fields without a version change). See survive_the_contract.py."""

from __future__ import annotations

import requests

ENVELOPE = {"result", "results", "warnings"}


VOUCHER_TYPES = "interaction,signup,birthday,progress"


def voucher_titles(base_url: str, headers: dict, chain_id: int) -> list[str]:
    """The titles of the chain's vouchers, as a banner shows them."""
    params = {"chain_id": chain_id, "campaign_type": VOUCHER_TYPES}
    body = requests.get(f"{base_url}/get-campaigns", params=params, headers=headers, timeout=10).json()
    unexpected = set(body) - ENVELOPE
    if unexpected:  # a "strict" parser: breaks on any new field
        raise ValueError(f"unexpected fields in the answer: {sorted(unexpected)}")
    return [c["voucher_title"].upper() for c in body["results"]["campaigns"]]  # null has no .upper()
